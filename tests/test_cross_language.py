"""Questions in the other language than the report, and Chinese abbreviations of a report's term:
a name given in both scripts, a document's title quoted in 《》, British spellings, an English
measure read in Chinese text through its renderings, and abbreviations matched by their
characters (made-up companies, places and sentences; no dev material)."""
from types import SimpleNamespace

from bot import vocab
from conftest import TextIndex

from bot.facts import abbreviated_share, all_facts, measure_facts
from bot.match import Need, coverage, match, needs_of
from bot.question import analyse
from bot.retrieve import dense_text
from bot.sections import scoped_needs

TEXT = ("Zephyr Holdings annual report 2022. Zephyr Holdings' market capitalisation was Rs 1,234 crore at "
        "March 31, 2022. Revenue rose 12 percent.")


class FakeIndex(TextIndex):
    text_blob = TEXT
    reports = [("zephyr_annual_report_2022.pdf", "zephyr annual report 2022")]


def _needs(question: str):
    return needs_of(analyse(question), FakeIndex())


# --- abbreviations ----------------------------------------------------------------------------
def test_an_abbreviation_keeps_the_first_character_and_the_order():
    assert vocab.is_abbreviation("社零", "社会消费品零售总额")
    assert vocab.is_abbreviation("规上", "规模以上")
    # a broader word that drops the term's head is no abbreviation of it
    assert not vocab.is_abbreviation("收入", "营业收入")
    assert not vocab.is_abbreviation("零社", "社会消费品零售总额")
    assert not vocab.is_abbreviation("社会消费品零售总额", "社零")


def test_the_embedding_side_reads_abbreviations_written_out():
    assert dense_text("青州2024年社零总额是多少？") == "青州2024年社会消费品零售总额是多少？"
    assert dense_text("青州2024年规上工业增加值增长多少？").startswith("青州2024年规模以上工业")
    # nothing to write out: the question as asked, English too
    assert dense_text("青州2024年居民人均可支配收入是多少？") == "青州2024年居民人均可支配收入是多少？"
    assert dense_text("What was Qingzhou's GDP in 2024?") == "What was Qingzhou's GDP in 2024?"


def test_an_unknown_word_matches_the_term_whose_words_it_shortens():
    sentence = "2030年全省农机补贴资金目录共收录1200个品种。"
    assert vocab.abbreviation_in("农机目录", sentence) == "农机补贴资金目录"
    assert vocab.abbreviation_in("社零总额", "全年社会消费品零售总额880亿元。") == "社会消费品零售总额"


def test_no_abbreviation_across_a_function_word_or_for_a_known_word():
    assert vocab.abbreviation_in("农机目录", "农机合作社和产品目录") == ""  # 和 joins two things
    assert vocab.abbreviation_in("净利润", "净资产利润率为8%。") == ""  # 净利润 is a word of its own
    assert vocab.abbreviation_in("农机目录", "目录农机") == ""  # the order matters
    assert vocab.abbreviation_in("农目", "农机补贴资金目录") == ""  # two characters are too few to tell


def test_an_abbreviation_is_a_softer_match_than_the_term_in_full():
    need = Need("农机目录", frozenset({"农机目录"}), 1.0, False, False)
    full = match(need, "全省农机目录共收录1200个品种。")
    short = match(need, "全省农机补贴资金目录共收录1200个品种。")
    assert full == 1.0
    assert 0.5 <= short < full
    assert match(need, "全省共有农业合作社1200个。") < 0.5


def test_the_fit_sees_which_terms_were_matched_only_by_abbreviation():
    needs = SimpleNamespace(items=[Need("农机目录", frozenset({"农机目录"}), 1.0, False, False)], extra={},
                            intent="value", lang="zh")
    assert abbreviated_share(needs, "全省农机补贴资金目录共收录1200个品种。") == 1.0
    assert abbreviated_share(needs, "全省农机目录共收录1200个品种。") == 0.0
    assert "abbreviated" in all_facts(needs, "全省农机补贴资金目录共收录1200个品种。")


# --- a Chinese question over an English report ------------------------------------------------
def test_a_name_given_in_both_scripts_is_one_name():
    needs = _needs("泽菲尔控股（Zephyr Holdings）截至2022年3月31日的市值是多少？")
    texts = [n.text for n in needs.items]
    # the Chinese form is no term of its own for an English passage to say
    assert not any(t in "泽菲尔控股" for t in texts if not t.isascii())
    zephyr = next(n for n in needs.items if n.text == "Zephyr")
    assert "泽菲尔控股" in zephyr.variants and zephyr.entity
    # the report titled by the name's first word is the whole name's scope
    chunk = SimpleNamespace(report="zephyr annual report 2022", scope="")
    assert {"Zephyr", "Holdings"} <= scoped_needs(needs, chunk)


def test_an_english_name_given_with_its_chinese_form_is_not_translated_word_by_word():
    needs = _needs("What was Zephyr Chemical Industries' (泽菲尔化工) revenue in 2022?")
    industries = next(n for n in needs.items if n.text == "Industries")
    # "Industries" is part of the name here, not the word 行业 a table's row label says
    assert not {"行业", "产业"} & industries.variants
    assert "泽菲尔化工" in industries.variants and industries.entity
    # what the English question asks keeps its Chinese renderings
    revenue = next(n for n in needs.items if n.text == "revenue")
    assert "营业收入" in revenue.variants


def test_an_english_glossary_measure_is_a_measure():
    needs = _needs("What was Zephyr Holdings' net profit attributable to shareholders in 2022?")
    glossed = [n for n in needs.items if not n.latin and "净利润" in n.text]
    assert glossed and all(n.measure for n in glossed)


def test_a_latin_name_opening_a_chinese_question_is_a_name_run():
    needs = _needs("Zephyr Holdings 2022年的市值是多少？")
    assert ("Zephyr", "Holdings") in needs.extra["name_runs"]


def test_a_title_quoted_in_book_marks_names_the_report_not_a_term():
    texts = [n.text for n in _needs("《全球能源展望报告》说2022年原油价格上涨了多少？").items]
    assert "全球" not in texts and "能源" not in texts
    assert any("原油" in t for t in texts)
    # a question made only of its title keeps it
    assert _needs("《全球能源展望报告》").items
    # a film's or a book's title is what is asked about
    assert "星河" in [n.text for n in _needs("《星河》2022年票房是多少？").items] or \
        any("星河" in n.text for n in _needs("《星河》2022年票房是多少？").items)


def test_british_and_american_spellings_match():
    needs = _needs("泽菲尔控股（Zephyr Holdings）截至2022年3月31日的市值是多少？")
    cap = next(n for n in needs.items if n.text == "市值")
    assert match(cap, "Zephyr Holdings' market capitalisation was Rs 1,234 crore at March 31, 2022.") == 1.0
    cov, missing = coverage(needs, "Zephyr Holdings' market capitalisation was Rs 1,234 crore.", "", "", set())
    assert "市值" not in missing


# --- an English question over a Chinese report ------------------------------------------------
def test_an_english_measure_is_read_in_chinese_text_through_its_renderings():
    gdp = ("国内生产总值", "地区生产总值")
    assert measure_facts([gdp], "What was Qingzhou's GDP in 2024?", "全年地区生产总值880亿元。")["measure_exact"] == 1.0
    longer = measure_facts([gdp], "What was Qingzhou's GDP in 2024?", "全年人均地区生产总值9万元。")
    assert longer["measure_exact"] == 0.0 and longer["measure_longer"] == 1.0
    # a lone term as before
    assert measure_facts(["地区生产总值"], "青州地区生产总值多少？", "全年地区生产总值880亿元。")["measure_exact"] == 1.0


def test_a_name_with_accents_also_matches_it_written_without():
    # CC-CEDICT gives 亚松森 as "Asunción"; an English file name or text writes "Asuncion"
    class Index(FakeIndex):
        reports = [("asuncion_city_report_2022.xlsx", "asuncion city report 2022")]

    needs = needs_of(analyse("亚松森2022年的销售额是多少？"), Index())
    city = next(n for n in needs.items if n.text == "亚松森")
    assert {"Asunción", "Asuncion"} <= city.variants
    chunk = SimpleNamespace(report="asuncion city report 2022", scope="")
    assert "亚松森" in scoped_needs(needs, chunk)


# --- retrieval ---------------------------------------------------------------------------------
def test_the_passage_bm25_ranks_first_is_kept_among_the_evidence():
    from bot.retrieve import _lexical_best_kept
    from bot.types import Evidence

    def ev(name, lexical, dense):
        return Evidence(SimpleNamespace(id=name), 0.0, dense, lexical)

    # both rankers put a..d in their middle ranks; e says the question's words best but the
    # embedding side does not rank it (an abbreviation, the other language)
    fused = [ev("a", 2, 1), ev("b", 3, 2), ev("c", 4, 3), ev("d", 5, 4), ev("e", 1, None)]
    assert [e.chunk.id for e in _lexical_best_kept(fused, 3)] == ["a", "b", "e"]
    # already among the first k: nothing moves
    fused = [ev("e", 1, None), ev("a", 2, 1), ev("b", 3, 2), ev("c", 4, 3)]
    assert [e.chunk.id for e in _lexical_best_kept(fused, 3)] == ["e", "a", "b"]
    assert [e.chunk.id for e in _lexical_best_kept(fused[1:], 2)] == ["a", "b"]
