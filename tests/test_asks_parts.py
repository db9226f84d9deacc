"""Every asked part stated in the first line (bot/asks.py, bot/answer.py): a list of measures
asked of a table row gets each its own column; a part that another sentence of the passage names
more closely is answered from that sentence, with the change stated beside the level; a part no
figure of the answer is of the kind of is said to be missing. Made-up reports and sentences only."""
from __future__ import annotations

import pytest

from bot.asks import asks_of, row_columns
from conftest import first_line


def test_a_list_after_a_colon_asks_each_measure():
    parts = asks_of("Give me the Retail segment's figures for 2023: sales, underlying operating profit and operating profit.")
    assert [a.terms for a in parts] == [("sales",), ("underlying", "operating", "profit"), ("operating", "profit")]
    parts = asks_of("列出某公司2023年的数据：营业收入、净利润和总资产")
    assert len(parts) == 3 and all(a.listed for a in parts)


def test_a_colon_before_a_question_is_no_list():
    assert not any(a.listed for a in asks_of("In 2023: what was revenue and what was profit?"))
    assert not any(a.listed for a in asks_of("注：2023年营业收入是多少？"))


def test_a_listed_measure_takes_the_column_its_header_names():
    header = ["Segment", "2023 Sales", "Underlying operating profit", "Operating profit", "Other items"]
    cells = ["Retail", "1,706", "187", "57", "(130)"]
    asked = asks_of("Give me the Retail segment's figures for 2023: sales, underlying operating profit and operating profit.")
    cols = row_columns(asked, header, cells, 2, {"2023"}, lambda h: {"2023"} if "2023" in h else set())
    assert [cells[j] for j in cols] == ["1,706", "187", "57"]


def test_a_listed_measure_no_header_names_keeps_the_chosen_cell():
    header = ["Segment", "2023 Sales", "Operating profit"]
    cells = ["Retail", "1,706", "57"]
    asked = asks_of("Give me the Retail segment's figures for 2023: sales, headcount and stores.")
    assert row_columns(asked, header, cells, 1, set(), lambda h: set()) == [1]


REPORT = """# 某市2024年旅游统计公报

## 一、接待游客

2024年全市接待游客8,000万人次，同比增长9.5%，其中过夜游客2,100万人次，增长6.2%。全年入境过夜游客150万人次，同比增长35.0%；旅游总收入900亿元。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "parts", "tourism.md", REPORT)


def test_the_sentence_naming_the_asked_measure_answers_it(assistant):
    answer = assistant.ask("2024年入境过夜游客有多少人次？")
    assert not answer.refused, answer.text
    line = first_line(answer)
    assert "150万人次" in line, answer.text
    assert "35.0%" in line  # the level is stated with its change
    assert "2,100万人次" not in line  # all overnight visitors are not the inbound ones


def test_a_part_nothing_states_is_said_to_be_missing():
    from types import SimpleNamespace

    from bot.answer import _missing_parts
    from bot.question import analyse

    lead = [SimpleNamespace(sentence="2024年全市接待游客8,000万人次，同比增长9.5%。")]
    q = analyse("2024年全市接待游客多少人次？人均花费多少元？")
    # no figure in 元 is there: the spending per visitor is missing, not another figure
    assert _missing_parts(q, ["8,000万人次", None], lead) == ["人均花费多少元"]
    # a part some figure of its kind could state is not called missing
    q = analyse("2024年全市接待游客多少人次？同比增长多少？")
    assert _missing_parts(q, ["8,000万人次", None], lead) == []


def test_a_change_word_inside_a_noun_makes_no_change():
    from bot.asks import figures_of

    got = {f.text: f.change for f in figures_of(["第一产业增加值占地区生产总值比重为1.8%，工业增加值增长5.0%，增长率为5.5%。"])}
    assert got == {"1.8%": False, "5.0%": True, "5.5%": True}  # value added is a level; its growth a change


def test_a_part_a_compound_answer_states_loses_its_missing_note():
    from bot.answer import Draft, add_part

    note = "报告未给出「2022年产量是多少辆」的数字。"
    whole = Draft(body=f"产量比上年增长**18.3%**。{note} [1]", refused=False, figures=["18.3%"],
                  missing={"2022年产量是多少辆": note})
    part = Draft(body="产量（2022年）：**15499** [1]", refused=False, figures=["15499"])
    add_part(whole, part, "某市2022年产量是多少辆")
    head = whole.body.split("\n", 1)[0]
    assert "15499" in head and "未给出" not in head, head
