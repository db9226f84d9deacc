"""The general vocabulary: synonyms, abbreviations, translations, a report's own definitions and
the soft n-gram match. Sentences here are written for the tests (made-up companies)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.vocab import (MAX_VARIANTS, char_ngrams, cross_lingual, expand, is_measure, learn_definitions,
                       ngram_overlap, normalise, same_meaning, split_measure, variants)

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "dev"


def _norms(forms) -> set[str]:
    return {normalise(f) for f in forms}


# --- variants ----------------------------------------------------------------------------------

@pytest.mark.parametrize("everyday, formal", [
    ("营收", "营业收入"), ("归母净利", "归属于上市公司股东的净利润"), ("归母净利润", "归属于母公司所有者的净利润"),
    ("扣非净利润", "扣除非经常性损益后的净利润"), ("净利", "净利润"), ("ROE", "净资产收益率"), ("EPS", "每股收益"),
    ("经营现金流", "经营活动产生的现金流量净额"), ("固投", "固定资产投资"), ("社零", "社会消费品零售总额"),
    ("CPI", "居民消费价格"), ("PPI", "工业生产者出厂价格"), ("GDP", "地区生产总值"), ("客房出租率", "出租率"),
    ("比上年", "同比"), ("增幅", "增速"), ("比重", "占比"), ("总量", "规模"), ("应收账款周转期", "应收账款周转天数"),
    ("研发费用", "研发投入"), ("派息", "分红"), ("股东户数", "股东总数"), ("社零", "社会消费品零售总额"), ("网点", "门店"),
    ("出游", "旅游"), ("花费", "支出"), ("营业额", "营业收入"),
])
def test_everyday_word_has_the_formal_term_and_back(everyday, formal):
    assert formal in variants(everyday)
    assert everyday in variants(formal)


@pytest.mark.parametrize("everyday, formal", [
    ("net sales", "revenue"), ("turnover", "revenues"), ("net earnings", "net income"), ("EPS", "earnings per share"),
    ("operating profit", "operating income"), ("operating cash flow", "net cash provided by operating activities"),
    ("capex", "capital expenditures"), ("YoY", "year-over-year"), ("headcount", "employees"),
    ("gross margin", "gross profit margin"), ("D&A", "depreciation and amortization"), ("R&D", "research and development"),
])
def test_english_synonyms_both_directions(everyday, formal):
    assert normalise(formal) in _norms(variants(everyday))
    assert normalise(everyday) in _norms(variants(formal))


def test_variants_hold_the_term_itself():
    assert "营收" in variants("营收")
    assert variants("星河远航") == frozenset({"星河远航"})


def test_term_containing_abbreviations_gets_its_full_form():
    forms = variants("规上文化企业营收")
    assert "规模以上文化企业营业收入" in forms
    assert {"规模以上文化企业营收", "规上文化企业营业收入"} <= forms  # the mixes


def test_term_containing_full_forms_gets_its_abbreviation():
    forms = variants("规模以上文化企业营业收入")
    assert "规上文化企业营收" in forms


def test_english_term_containing_a_known_phrase():
    assert "hotel revenue" in _norms(variants("hotel net sales"))


def test_variants_are_capped_and_keep_the_all_formal_spelling():
    forms = variants("规上企业营收增速占比同比社零固投")
    assert len(forms) <= MAX_VARIANTS
    assert "规模以上企业营业收入增速占比同比社会消费品零售总额固定资产投资" in forms


def test_a_compound_known_as_a_whole_is_not_split():
    assert "股东总数大会" not in variants("股东大会")
    assert "股东会" in variants("股东大会")


def test_english_abbreviation_not_found_inside_a_word():
    assert variants("steps") == frozenset({"steps"})
    assert "earnings per share" not in _norms(variants("repsol"))


def test_variants_survive_pdf_spaces_and_full_width_letters():
    assert "营收" in variants("营业 收入")
    assert "净资产收益率" in variants("ＲＯＥ")


def test_english_case_and_plural_do_not_matter():
    assert "net sales" in _norms(variants("Revenues"))
    assert "net sales" in _norms(variants("REVENUE"))


def test_learned_abbreviation_expands_inside_a_term():
    learned = learn_definitions("星河远航科技股份有限公司（以下简称“星河科技”）是一家软件企业。")
    assert "星河远航科技股份有限公司营业收入" in variants("星河科技营收", learned)
    assert "星河科技" in variants("星河远航科技股份有限公司", learned)


def test_learned_definitions_do_not_leak_into_other_calls():
    learned = {"星河科技": "星河远航科技股份有限公司"}
    assert "星河远航科技股份有限公司" in variants("星河科技", learned)
    assert "星河远航科技股份有限公司" not in variants("星河科技")


# --- expand ------------------------------------------------------------------------------------

def test_expand_adds_the_full_forms_of_everyday_words():
    extra = expand("规上文化企业营收多少？")
    assert "规模以上" in extra and "营业收入" in extra
    assert "营收" not in extra  # already in the question


def test_expand_puts_formal_terms_first():
    extra = expand("社零增速是多少")
    assert "社会消费品零售总额" in extra[:3]


def test_expand_finds_nothing_in_plain_words():
    assert expand("星河远航在哪里") == []


def test_expand_is_bounded():
    assert len(expand("营收 净利 扣非 ROE EPS 社零 固投 规上 增速 占比 盘子 回款 分红 股东 药店")) <= 24


def test_expand_translates_on_request():
    extra = expand("What was the occupancy rate of star-rated hotels?", translate=True)
    assert "出租率" in extra and "星级饭店" in extra
    assert not any("\u4e00" <= ch <= "\u9fff" for e in expand("What was the occupancy rate?") for ch in e)


def test_expand_uses_learned_definitions():
    learned = learn_definitions("新型储能电站（以下简称“储能站”）装机规模快速增长。")
    assert learned["储能站"] in expand("储能站的装机容量", learned)
    # a company's full name is matched (variants) but not added to retrieval: its generic words
    # (数据, 服务, 有限公司) would rank every other company's passages up
    learned = learn_definitions("北极星数据服务有限公司（以下简称“北极星”）成立于2010年。")
    assert "北极星数据服务有限公司" not in expand("北极星的营收", learned)
    assert "北极星数据服务有限公司" in variants("北极星", learned)


# --- same_meaning ------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("客房出租率", "出租率"), ("营收", "营业收入"), ("归母净利", "归属于上市公司股东的净利润"), ("规上工业", "规模以上工业"),
    ("revenue", "营业收入"), ("营收", "revenue"), ("net income", "净利润"), ("EPS", "每股收益"), ("ROE", "roe"),
    ("hotel", "hotels"), ("dividend", "派息"), ("市场规模", "market size"), ("游客", "tourists"),
])
def test_same_meaning_both_ways(a, b):
    assert same_meaning(a, b)
    assert same_meaning(b, a)


@pytest.mark.parametrize("a, b", [
    ("营业收入", "营业成本"), ("药店", "医院"), ("revenue", "net income"), ("出口", "进口"), ("增速", "占比"),
    ("净利润", "毛利率"), ("营收", ""),
])
def test_different_meanings(a, b):
    assert not same_meaning(a, b)
    assert not same_meaning(b, a)


def test_same_meaning_with_a_learned_definition():
    learned = learn_definitions("云帆物流集团有限公司（以下简称“云帆集团”）发布年报。")
    assert same_meaning("云帆集团", "云帆物流集团有限公司", learned)
    assert not same_meaning("云帆集团", "云帆物流集团有限公司")


# --- cross_lingual -----------------------------------------------------------------------------

@pytest.mark.parametrize("en, zh", [
    ("revenue", "营业收入"), ("revenue", "收入"), ("net profit", "净利润"), ("total assets", "总资产"),
    ("shareholders", "股东"), ("dividend", "分红"), ("dividends", "派息"), ("hotels", "酒店"), ("hotels", "饭店"),
    ("tourists", "游客"), ("trips", "人次"), ("growth", "增长"), ("share", "占比"), ("share", "比重"),
    ("market size", "市场规模"), ("sales", "销售额"), ("occupancy rate", "出租率"), ("EPS", "每股收益"),
])
def test_english_to_chinese_and_back(en, zh):
    assert zh in cross_lingual(en)
    assert normalise(en) in _norms(cross_lingual(zh)) or normalise(en) in _norms(
        v for t in cross_lingual(zh) for v in variants(t))


def test_cross_lingual_returns_the_other_language_only():
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in cross_lingual("GDP"))
    assert not any("\u4e00" <= ch <= "\u9fff" for t in cross_lingual("国内生产总值") for ch in t)


def test_cross_lingual_puts_a_compound_together():
    assert "酒店出租率" in cross_lingual("hotel occupancy rate")
    assert "hotel occupancy rate" in _norms(cross_lingual("酒店出租率"))


def test_a_compound_no_entry_translates_is_translated_by_its_head():
    """净销售额 has no entry and 净 none either: its head, 销售额, says what kind of figure it is."""
    assert "sales" in _norms(cross_lingual("净销售额"))
    assert cross_lingual("星河销售额") == cross_lingual("销售额")  # the head of anything ending so


def test_cross_lingual_of_an_unknown_word_is_empty():
    assert cross_lingual("zorblax") == frozenset()
    assert cross_lingual("星河远航") == frozenset()


# --- is_measure / split_measure ----------------------------------------------------------------

@pytest.mark.parametrize("term", ["营收", "增速", "占比", "revenue", "margin", "营收增速", "出租率", "覆盖率",
                                  "gross margin", "净资产收益率", "股东总数", "人次", "Revenues"])
def test_measures(term):
    assert is_measure(term)


@pytest.mark.parametrize("term", ["文化企业", "药店", "hotels", "北京", "股东", "", "华润三九", "文化企业营收"])
def test_not_measures(term):
    assert not is_measure(term)


@pytest.mark.parametrize("term, subject, measure", [
    ("规上文化企业营收", "规上文化企业", "营收"), ("药店的数量", "药店", "数量"),
    ("revenue of hotels", "hotels", "revenue"), ("hotel occupancy rate", "hotel", "occupancy rate"),
    ("营收增速", "", "营收增速"), ("文化企业", "文化企业", ""),
])
def test_split_measure(term, subject, measure):
    assert split_measure(term) == (subject, measure)


# --- learn_definitions -------------------------------------------------------------------------

def test_learns_an_unquoted_chinese_abbreviation():
    text = "2030年全国规模以上工业（以下简称规上工业）增加值比上年增长5.0%。"
    assert learn_definitions(text) == {"规上工业": "规模以上工业"}


def test_learns_two_abbreviations_of_one_company():
    text = "星河远航科技股份有限公司（以下简称“公司”或“星河科技”）是一家软件企业。"
    assert learn_definitions(text) == {"公司": "星河远航科技股份有限公司", "星河科技": "星河远航科技股份有限公司"}


@pytest.mark.parametrize("sentence, abbr, full", [
    ("中国软件行业协会（简称“软协”）发布了统计。", "软协", "中国软件行业协会"),
    ("集成电路产业投资基金（简称：大基金）成立。", "大基金", "集成电路产业投资基金"),
    ("本公司全资子公司广州市某某医药贸易有限公司（以下简称“贸易公司”）成立。", "贸易公司", "广州市某某医药贸易有限公司"),
    ("向合肥晨光科技发展合伙企业（有限合伙）（以下简称“晨光科技”）购买", "晨光科技", "合肥晨光科技发展合伙企业（有限合伙）"),
])
def test_learns_chinese_definitions(sentence, abbr, full):
    assert learn_definitions(sentence).get(abbr) == full


def test_learns_across_a_pdf_line_break():
    text = "公司拟收购北斗星辰医药集团有限公司（以下\n简称“北斗集团”）的股份。"
    assert learn_definitions(text) == {"北斗集团": "北斗星辰医药集团有限公司"}


@pytest.mark.parametrize("sentence, abbr, full", [
    ('Acme Widgets Holdings, Inc. (the "Company") makes widgets.', "Company", "Acme Widgets Holdings, Inc."),
    ('We grant performance share units ("PSUs") to officers.', "PSUs", "performance share units"),
    ("Adjusted earnings per share (EPS) rose.", "EPS", "earnings per share"),
    ("North Star Logistics Limited, hereinafter referred to as \"NSL\", ships goods.", "NSL", "North Star Logistics Limited"),
    ("a lease with Blue Harbor Realty Trust (“Blue Harbor”) for ten years", "Blue Harbor", "Blue Harbor Realty Trust"),
    ('the Springfield Oregon plant (hereinafter, the "SO Plant") closed', "SO Plant", "Springfield Oregon plant"),
])
def test_learns_english_definitions(sentence, abbr, full):
    assert learn_definitions(sentence).get(abbr) == full


@pytest.mark.parametrize("sentence", [
    'we will pay an amount equal to $12.5 million (the "Deferred Price") plus interest',
    "Revenue rose 5% (see Note 7) in fiscal 2030 (2029: 4%).",
    "居民消费价格（CPI）比上年上涨0.2%（上年为2.0%）。",
    "本次交易（以下简称“本次交易”）完成。",
])
def test_no_definition_where_there_is_none(sentence):
    assert learn_definitions(sentence) == {}


def test_first_definition_wins():
    text = ('Alpha Group Ltd. (the "Company") and, later, Beta Holdings Inc. (the "Company") merged.')
    assert learn_definitions(text) == {"Company": "Alpha Group Ltd."}


def _check_definitions(text: str) -> dict[str, str]:
    found = learn_definitions(text)
    joined = normalise(text).replace(" ", "")
    for abbr, full in found.items():
        assert len(abbr) < len(full), (abbr, full)
        assert normalise(abbr).replace(" ", "") in joined and normalise(full).replace(" ", "") in joined, (abbr, full)
    return found


def test_learned_forms_are_shorter_abbreviations_found_in_the_text():
    _check_definitions("华夏云图信息技术有限公司（以下简称“华夏云图”或“公司”）与Blue Harbor Realty Trust "
                       "(“Blue Harbor”)签约；restricted stock units (RSUs) 归属。")


@pytest.mark.skipif(not DEV.is_dir(), reason="no ../shared/dev material on this machine")
@pytest.mark.parametrize("pattern", ["zh/reports/*.txt", "zh/reports/*.md", "en/reports/*.md"])
def test_definitions_in_real_reports(pattern):
    files = sorted(DEV.glob(pattern))
    if not files:
        pytest.skip(f"no {pattern} in {DEV}")
    for path in files:
        _check_definitions(path.read_text(encoding="utf-8"))


# --- char_ngrams / ngram_overlap ---------------------------------------------------------------

def test_char_bigrams_of_chinese():
    assert char_ngrams("营业收入") == {"营业", "业收", "收入"}
    assert char_ngrams("药") == {"药"}


def test_char_ngrams_do_not_cross_punctuation_or_scripts():
    grams = char_ngrams("营收，增速ROE")
    assert "收，" not in grams and "收增" not in grams and "速r" not in grams
    assert {"营收", "增速", "roe"} <= grams


def test_char_ngrams_stem_latin_words_and_keep_numbers():
    assert {"revenu", "grew", "2030"} <= char_ngrams("Revenues grew in 2030")
    assert "the" not in char_ngrams("the revenue")


def test_char_trigrams():
    assert char_ngrams("营业收入", n=3) == {"营业收", "业收入"}


def test_overlap_survives_segmentation_glue():
    assert ngram_overlap("营收", "营收多少") == 1.0
    assert ngram_overlap("营业收入", "公司营业收入为12.3亿元") == 1.0
    assert ngram_overlap("营收", "公司营业收入为12.3亿元") == 1.0  # through the synonym


def test_overlap_without_synonyms_is_literal():
    assert ngram_overlap("营收多少", "营业收入为", synonyms=False) == 0.0
    assert ngram_overlap("营收多少", "营业收入为") > 0.0


def test_partial_overlap_is_between_zero_and_one():
    share = ngram_overlap("零售药店数量", "全国药店总数", synonyms=False)
    assert 0.0 < share < 1.0


def test_overlap_of_english_uses_stems():
    assert ngram_overlap("operating cash flows", "Cash flow from operating activities", synonyms=False) == 1.0
    assert ngram_overlap("net revenues", "Total revenue increased", synonyms=False) == 0.5


def test_overlap_survives_pdf_spaces():
    assert ngram_overlap("营业收入", "营业 收入 1,234", synonyms=False) == 1.0


def test_overlap_of_unrelated_text_is_zero():
    assert ngram_overlap("出租率", "全年图书出版种数") == 0.0
    assert ngram_overlap("", "营业收入") == 0.0


def test_overlap_uses_learned_definitions():
    learned = {"云帆集团": "云帆物流集团有限公司"}
    assert ngram_overlap("云帆集团", "云帆物流集团有限公司营业收入", learned) == 1.0
