"""Table questions with a condition that is not a number, and choices over the right rows: a
sign (negative quarters, products whose output fell), a value a category column holds, the
largest fall, the year a row is highest, the row a ranking table ranks first. The answer states
the count and lists the rows counted, cited. A made-up report, written here."""
from __future__ import annotations

import pytest

from bot.answer import REFUSAL_ZH
from conftest import first_line

REPORT = """# 远航机械股份有限公司2024年年度报告摘要

远航机械股份有限公司（以下简称“远航机械”）2024年度经营情况如下。

## 分季度主要财务指标

表1 分季度主要财务指标（单位：元）

| 项目 | 第一季度 | 第二季度 | 第三季度 | 第四季度 |
|---|---|---|---|---|
| 营业收入 | 52,100 | 61,300 | 58,800 | 70,200 |
| 经营活动产生的现金流量净额 | -8,300 | 2,100 | -1,450 | 9,900 |

## 主要产品产量

表2 2024年主要产品产量

| 产品名称 | 产量（台） | 比上年增长（%） |
|---|---|---|
| 挖掘机 | 1,200 | -12.5 |
| 装载机 | 860 | 4.1 |
| 起重机 | 430 | -3.2 |
| 压路机 | 210 | 7.8 |
| 合计 | 2,700 | -5.0 |

## 前十名股东持股情况

表3 前十名股东持股情况

| 股东名称 | 股东性质 | 持股比例 |
|---|---|---|
| 远航控股集团有限公司 | 境内非国有法人 | 35.20% |
| 张明 | 境内自然人 | 6.10% |
| 李华 | 境内自然人 | 3.40% |
| 香港中央结算有限公司 | 境外法人 | 2.20% |
| 王芳 | 境内自然人 | 1.10% |

## 经销商销量排行

表4 2024年经销商销量排行

| 经销商 | 所在省份 | 销量（台） | 排名 |
|---|---|---|---|
| 华东经销 | 江苏 | 610 | 1 |
| 华北经销 | 河北 | 540 | 2 |
| 西南经销 | 四川 | 320 | 3 |
"""


@pytest.fixture(scope="module")
def machinery(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "table-conditions", "远航机械2024年年报.md", REPORT)


def test_quarters_whose_figure_is_negative_are_counted_and_listed(machinery):
    answer = machinery.ask("远航机械2024年有几个季度的经营活动产生的现金流量净额是负数？")
    assert not answer.refused, answer.text
    assert first_line(answer).startswith("共2个"), answer.text  # -8,300 and -1,450
    assert "第一季度" in answer.text and "第三季度" in answer.text and "第二季度" not in answer.text
    assert answer.citations


def test_products_whose_output_fell_are_counted_without_the_total_row(machinery):
    answer = machinery.ask("远航机械2024年主要产品中有几种产品的产量比上年下降？")
    assert not answer.refused, answer.text
    assert first_line(answer).startswith("共2种"), answer.text  # 挖掘机, 起重机; not 合计
    assert "挖掘机" in answer.text and "起重机" in answer.text and "合计" not in answer.text


def test_rows_holding_a_value_of_a_category_column_are_counted(machinery):
    answer = machinery.ask("远航机械前十名股东中股东性质为境内自然人的有几位？")
    assert not answer.refused, answer.text
    assert "3位" in first_line(answer), answer.text  # counted in the question's measure word
    assert all(name in answer.text for name in ("张明", "李华", "王芳"))


def test_the_largest_fall_is_the_most_negative_change(machinery):
    answer = machinery.ask("远航机械2024年哪种产品的产量下降幅度最大？")
    assert not answer.refused, answer.text
    assert "挖掘机" in first_line(answer) and "-12.5" in first_line(answer), answer.text


def test_the_row_a_ranking_table_ranks_first_is_stated_whole(machinery):
    answer = machinery.ask("远航机械2024年经销商销量排行第一名是哪个经销商？销量多少？")
    assert not answer.refused, answer.text
    assert "华东经销" in first_line(answer) and "610" in first_line(answer), answer.text


def test_a_count_for_a_company_no_report_is_about_is_refused(machinery):
    answer = machinery.ask("红星重工2024年有几个季度的经营活动产生的现金流量净额是负数？")
    assert answer.refused and answer.text.startswith(REFUSAL_ZH), answer.text


def test_a_fall_is_not_counted_from_a_table_without_a_change_column(machinery):
    # 表1 has quarters and no column of changes on the prior year: no count of falls from it
    answer = machinery.ask("远航机械2024年有几个季度的营业收入比上年下降？")
    assert "共0个" not in first_line(answer), answer.text
