"""Report scoping: a question that names a report takes its evidence from that report first."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.scope import named_reports
from conftest import build_index

EXCERPTS = SimpleNamespace(reports=[(f"filing_{i:02d}.md", f"Annual report excerpt {i:02d}") for i in range(1, 26)])
ZH = SimpleNamespace(reports=[
    ("甲乙医药2024年年度报告摘要.pdf", "甲乙医药股份有限公司2024年年度报告摘要"),
    ("丙丁科技2024年年度报告摘要.pdf", "丙丁科技股份有限公司2024年年度报告摘要"),
    ("2024年医药流通行业运行统计分析报告.txt", "2024年医药流通行业运行统计分析报告"),
    ("2023年文旅发展统计公报.md", "2023年文旅发展统计公报"),
    ("2022年文旅发展统计公报.md", "2022年文旅发展统计公报"),
])
ACME = SimpleNamespace(reports=[
    ("acme-2019.md", "Acme Corp Annual Report 2019"),
    ("acme-2018.md", "Acme Corp Annual Report 2018"),
    ("beta.md", "Beta Industries Form 10-K 2019"),
])


@pytest.mark.parametrize("question, expected", [
    ("In annual report excerpt 07, in 2019, what was the amount?", {"filing_07.md"}),
    ("In Annual Report Excerpt 7, what was the amount?", {"filing_07.md"}),
    ("ANNUAL REPORT EXCERPT ２１: total revenue", {"filing_21.md"}),
    ("What does filing_03.md say about leases?", {"filing_03.md"}),
    # a figure in the question is not an excerpt number
    ("What was revenue in 2019, up 12 percent?", set()),
    ("In annual report excerpt 12, how many of the 25 stores closed?", {"filing_12.md"}),
])
def test_near_identical_titles_are_told_apart_by_their_number(question, expected):
    assert named_reports(EXCERPTS, question) == expected


@pytest.mark.parametrize("question, expected", [
    ("甲乙医药2024年年报里营业收入是多少", {"甲乙医药2024年年度报告摘要.pdf"}),
    ("丙丁科技的净利润", {"丙丁科技2024年年度报告摘要.pdf"}),
    ("医药流通行业的销售总额", {"2024年医药流通行业运行统计分析报告.txt"}),
    ("2023年文旅发展统计公报中国内游客人次", {"2023年文旅发展统计公报.md"}),
    # "2024年年度报告" fits both annual reports and not the industry report of 2024
    ("2024年年度报告里营业收入是多少", {"甲乙医药2024年年度报告摘要.pdf", "丙丁科技2024年年度报告摘要.pdf"}),
    ("年度报告里营业收入是多少", set()),
    ("国内游客人次是多少", set()),
])
def test_chinese_titles_are_named_by_their_distinctive_part(question, expected):
    assert named_reports(ZH, question) == expected


@pytest.mark.parametrize("question, expected", [
    ("In the 2019 annual report of Acme Corp, what was revenue?", {"acme-2019.md"}),
    ("Acme's revenue in the 2018 annual report", {"acme-2018.md"}),
    ("What did Acme earn?", {"acme-2019.md", "acme-2018.md"}),
    ("What was Beta's revenue in 2019?", {"beta.md"}),
    ("What was revenue in 2019?", set()),
])
def test_english_titles_are_named_by_company_and_year(question, expected):
    assert named_reports(ACME, question) == expected


def test_a_single_report_is_never_singled_out():
    assert named_reports(SimpleNamespace(reports=[("a.md", "Acme Corp Annual Report 2019")]), "Acme 2019") == set()


def _excerpt(n: int, body: str) -> str:
    return f"# Quarterly excerpt {n:02d}\n\n{body}\n"


@pytest.fixture(scope="module")
def scoped_index(tmp_path_factory):
    from bot.index import load_index

    corpus = tmp_path_factory.mktemp("scoped-corpus")
    # four excerpts say much more about net revenue than excerpt 03, which says it once
    strong = "Net revenue in 2019 was $ {v} million. Net revenue grew because net revenue from services grew."
    for n, v in ((1, "410"), (2, "520"), (4, "730"), (5, "840")):
        (corpus / f"excerpt_{n:02d}.md").write_text(_excerpt(n, strong.format(v=v)), encoding="utf-8")
    (corpus / "excerpt_03.md").write_text(_excerpt(3, (
        "The board met four times. Staff numbers were stable across the regions we serve. "
        "Net revenue in 2019 was $ 635 million.")), encoding="utf-8")
    return load_index(build_index(corpus, tmp_path_factory.mktemp("scoped-index")))


def test_the_named_reports_evidence_comes_first(scoped_index):
    from bot.retrieve import hybrid_search

    unscoped = hybrid_search(scoped_index, "What was net revenue in 2019?", 5)
    assert unscoped[0].chunk.file != "excerpt_03.md"  # the fixture is a real test of scoping
    hits = hybrid_search(scoped_index, "In quarterly excerpt 03, what was net revenue in 2019?", 5)
    assert hits[0].chunk.file == "excerpt_03.md" and "$ 635 million" in hits[0].chunk.text
    # the other reports still follow, for questions that compare across reports
    assert {h.chunk.file for h in hits[1:]} & {"excerpt_01.md", "excerpt_02.md"}


def test_the_dense_ranking_is_exact_and_ties_go_by_chunk_id(scoped_index):
    """Every chunk ranked by its true cosine distance to the question (an approximate search
    asked for many neighbours misses a different few in each process)."""
    import numpy as np

    index = scoped_index
    vector = np.asarray(index.embedder.embed_query("What was net revenue in 2019?"), dtype=np.float32)
    ids = [c.id for c in index.chunks]
    stored = index.store.embeddings(index.manifest.build, ids)
    dist = {i: round(1 - float(np.dot(stored[i], vector) / np.linalg.norm(stored[i]) / np.linalg.norm(vector)), 5)
            for i in ids}
    expected = sorted(ids, key=lambda i: (dist[i], i))
    assert [ids[j] for j in index.exact_dense(vector, len(ids))] == expected
    # and the store's own ranking of the nearest agrees where HNSW is exact (a handful of chunks)
    assert [cid for cid, _ in index.store.query(index.manifest.build, vector.tolist(), 3)] == expected[:3]


def test_english_questions_match_english_text_and_keep_the_glossary(scoped_index):
    from bot.retrieve import question_tokens

    tokens = question_tokens("What was the net revenue from services?")
    english = [t for t in tokens if t.isascii()]
    # one analyser for questions and chunks: the question's English stems are the index's words
    assert english and set(english) <= set(scoped_index.df)
    assert "收入" in tokens  # the glossary's Chinese word, for English questions over Chinese reports


def test_a_chinese_questions_everyday_words_bring_the_reports_words_to_bm25():
    from bot.lexical import tokenize
    from bot.retrieve import question_tokens

    tokens = question_tokens("2024年规上工业营收多少")
    assert set(tokenize("规模以上")) <= set(tokens) and set(tokenize("营业收入")) <= set(tokens)
    assert tokens[:len(tokenize("2024年规上工业营收多少"))] == tokenize("2024年规上工业营收多少")  # its own words first
    learned = {"文旅": "文化和旅游"}  # a term a report defines ("文化和旅游（以下简称文旅）")
    assert "旅游" in question_tokens("文旅消费多少", learned)
