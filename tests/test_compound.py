"""Questions that ask two things at once, and table questions that name a row but not which of
its columns: the first line of the answer states every figure asked for."""
from __future__ import annotations

import pytest

from bot.question import sub_questions
from conftest import first_line

REPORT = """# 某市2023年文化产业统计公报

## 一、书店

2023年末，全市共有实体书店412家，比上年末增加17家。全年实体书店营业收入58.6亿元，营业利润3.1亿元。

## 二、主要股东

表1 前3名股东持股情况

| 股东名称 | 股东性质 | 持股比例 | 持股数量 |
|---|---|---|---|
| 甲投资有限公司 | 国有法人 | 41.20% | 120,500,000 |
| 乙资本管理有限公司 | 境内法人 | 8.75% | 25,600,000 |
| 丙基金 | 其他 | 3.10% | 9,070,000 |
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "compound", "culture.md", REPORT)


def test_each_part_of_a_two_part_question_is_answered_in_the_first_line(assistant):
    answer = assistant.ask("2023年全市有多少家书店？书店营收多少")
    assert not answer.refused
    line = first_line(answer)
    assert "412家" in line and "58.6亿元" in line, answer.text
    assert "[1]" in answer.text and len(answer.citations) == 1  # one passage, cited once


def test_a_part_that_restates_the_same_figure_adds_nothing(assistant):
    answer = assistant.ask("2023年全市书店营业收入是多少？营收一共多少")
    assert first_line(answer).count("58.6亿元") == 1, answer.text


def test_a_row_asked_without_a_column_is_stated_with_every_column(assistant):
    line = first_line(assistant.ask("乙资本管理有限公司持股多少？"))
    assert "8.75%" in line and "25,600,000" in line, line
    assert "持股比例" in line and "持股数量" in line  # each figure with its column's label


def test_a_named_column_is_still_the_one_answered(assistant):
    line = first_line(assistant.ask("乙资本管理有限公司的持股比例是多少？"))
    assert "8.75%" in line and "25,600,000" not in line, line


@pytest.mark.parametrize("question", [
    "2024年我国智算中心行业市场规模是多少？",
    "In 2019, what was the revenue?",
    "北京、上海和深圳各有多少个？",
    "小米Q3营收多少，同比涨了多少？",  # the second part names only a measure: not a question of its own
])
def test_one_question_stays_one(question):
    assert sub_questions(question) == [question]


def test_a_later_part_keeps_the_date_said_once():
    assert sub_questions("2023年全国有多少家旅行社？旅行社营收多少") == ["2023年全国有多少家旅行社？", "2023年旅行社营收多少"]


def test_a_time_span_in_a_how_many_question_is_not_a_condition_on_the_table():
    from bot.cells import parse_condition

    assert parse_condition("how many investments were in a loss position for greater than 12 months") is None
    assert parse_condition("超过3个月的有几家") is None
    assert parse_condition("有几个省份增速超过10%")[:2] == (">", 10.0)
    assert parse_condition("how many years did sales exceed 500 units")[:2] == (">", 500.0)


def test_a_clause_keeps_its_grouped_number_and_its_date():
    from bot.answer import _lead_span
    from bot.question import analyse

    q = analyse("How many shares were bought?")
    sentence = "As of December 31, 2018, the company bought 418,306,002 shares, up 5%."
    span = _lead_span(q, sentence, ["418,306,002"])
    assert "418,306,002" in span and "December 31, 2018" in span, span


def test_a_figure_keeps_its_own_date_not_the_comparatives_after_it():
    # the date after the figure is the comparative's ("(31 August 2020: 7,600)"); the figure's own
    # date opens the sentence and must stay in the first line
    from bot.answer import _lead_span
    from bot.question import analyse

    q = analyse("How many employees did the group have at 31 August 2021?")
    sentence = ("As at 31 August 2021, the Group, including all its schools, had approximately 6,800 employees "
                "(31 August 2020: 7,600).")
    span = _lead_span(q, sentence, ["6,800"])
    assert "31 August 2021" in span and "6,800" in span, span
