"""The table paths (a count with a condition, the largest row, a table's structure, a table of
records) answer only from a table about the year, company and report the question names; a
count asked of another company or another year is refused, the same count for the right ones is
answered. Made-up reports of two companies, written here."""
from __future__ import annotations

import pytest

from bot.answer import REFUSAL_EN, REFUSAL_ZH
from conftest import first_line

QUARTERS = """# {name}股份有限公司2024年年度报告摘要

{name}股份有限公司（以下简称“{name}”）2024年度经营情况如下。

## 分季度主要财务指标

表1 分季度主要财务指标（单位：万元）

| 项目 | 第一季度 | 第二季度 | 第三季度 | 第四季度 |
|---|---|---|---|---|
| 营业收入 | {q[0]} | {q[1]} | {q[2]} | {q[3]} |
| 归属于上市公司股东的净利润 | 1,210 | 980 | 1,530 | 2,040 |

## 重要事项

{events}
"""

REPORTS = {
    "星河电子2024年年报.md": QUARTERS.format(name="星河电子", q=["12,500", "9,800", "13,200", "15,600"], events=(
        "公司于2024年6月18日召开第三届董事会第九次会议，审议通过了《关于收购晨光精密全部股权的议案》，"
        "交易价格为8,600万元。")),
    "蓝海食品2024年年报.md": QUARTERS.format(name="蓝海食品", q=["8,100", "10,400", "7,900", "11,300"], events=(
        "报告期内，公司新增门店35家。")),
}


@pytest.fixture(scope="module")
def companies(tmp_path_factory):
    from conftest import build_index

    from bot.chain import Assistant

    root = tmp_path_factory.mktemp("table-paths")
    (root / "corpus").mkdir()
    for name, text in REPORTS.items():
        (root / "corpus" / name).write_text(text, encoding="utf-8")
    return Assistant(build_index(root / "corpus", root / "index"))


def test_a_count_for_the_right_company_and_year_is_answered(companies):
    answer = companies.ask("星河电子2024年有几个季度的营业收入超过10,000万元？")
    assert not answer.refused, answer.text
    assert first_line(answer).startswith("共3个"), answer.text  # 12,500, 13,200 and 15,600
    assert all(c.file == "星河电子2024年年报.md" for c in answer.citations)
    other = companies.ask("蓝海食品2024年有几个季度的营业收入超过10,000万元？")
    assert first_line(other).startswith("共2个"), other.text  # 10,400 and 11,300
    assert all(c.file == "蓝海食品2024年年报.md" for c in other.citations)


@pytest.mark.parametrize("question", [
    "星河电子2022年有几个季度的营业收入超过10,000万元？",  # a year the report does not cover
    "红日科技2024年有几个季度的营业收入超过10,000万元？",  # a company no report is about
])
def test_a_count_for_another_year_or_company_is_refused(companies, question):
    answer = companies.ask(question)
    assert answer.refused and answer.text.startswith(REFUSAL_ZH), answer.text
    assert not answer.table


def test_the_largest_row_is_not_taken_from_another_companys_table(companies):
    right = companies.ask("星河电子2024年哪个季度的营业收入最高？")
    assert not right.refused and "第四季度" in first_line(right) and "15,600" in first_line(right), right.text
    wrong = companies.ask("红日科技2024年哪个季度的营业收入最高？")
    assert wrong.refused, wrong.text


def test_an_off_topic_question_is_refused(assistant):
    # over the shipped report: English words with no Chinese rendering say nothing of its text,
    # and a table of records counts nothing the question names
    for question in ["What is the capital of France?", "What is the boiling point of water?",
                     "How many legs does a spider have?"]:
        answer = assistant.ask(question)
        assert answer.refused and answer.text.startswith(REFUSAL_EN), (question, answer.text)


ENGLISH = """# Acme Education Holdings Limited Annual Report 2021

Acme Education Holdings Limited operates private schools in South China.

For the year ended 31 August 2021, the Group's revenue was RMB 219.7 million, an increase of 22.4%
over the previous year.
"""


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "english-names", "acme_annual_report_2021.md", ENGLISH)


def test_a_company_name_of_several_words_no_report_writes_is_refused(english):
    # "China", "Education" and "Group" are each in the report; "China Education Group" is not
    answered = english.ask("What was Acme Education's revenue for the year ended 31 August 2021?")
    assert not answered.refused and "219.7 million" in first_line(answered), answered.text
    other = english.ask("What was China Education Group's revenue for the year ended 31 August 2021?")
    assert other.refused and other.text.startswith(REFUSAL_EN), other.text


def test_a_when_question_is_answered_with_the_date_not_an_amount(companies):
    answer = companies.ask("星河电子董事会哪天审议通过了收购晨光精密全部股权的议案？")
    assert not answer.refused, answer.text
    line = answer.text.split("\n", 1)[0]
    assert "**2024年6月18日**" in line, answer.text  # the date, in bold
    assert not any(f in line for f in ("**8,600万元**", "**12,500**", "**15,600**")), answer.text
