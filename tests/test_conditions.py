"""Conditions a table question puts on its rows (bot/conditions.py): the sign a question asks
for, what it counts or picks, which rows of a table are its data rows, and which column holds a
category the question names. Small made-up tables, no index."""
from __future__ import annotations

from bot import conditions
from bot.cells import is_number, value_columns
from bot.index import TableView
from bot.types import Chunk


def table(header, rows, caption="表1") -> TableView:
    view = TableView("f.md#t1", caption, tuple(header))
    for i, cells in enumerate(rows, 1):
        view.rows.append(Chunk(id=f"r{i}", file="f.md", report="r", kind="row", text=" ".join(cells),
                               location="", table_id="f.md#t1", caption=caption, header=tuple(header),
                               cells=tuple(cells), row=i, label=cells[0]))
    return view


def test_a_sign_is_read_from_the_question():
    assert conditions.read_sign("有几个季度的经营活动现金流量净额是负数？") == conditions.Sign("<", False, "负数")
    fall = conditions.read_sign("有几种产品的产量比上年下降？")
    assert fall.op == "<" and fall.change
    loss = conditions.read_sign("In how many years did the group make a loss?")
    assert loss.op == "<" and not loss.change
    assert conditions.read_sign("有几个月是资金净流入？").op == ">"
    assert conditions.read_sign("营业收入是多少？") is None


def test_what_is_counted_or_picked():
    assert conditions.counted_noun("2019年有几个季度的净利润是负数？") == "季度"
    assert conditions.counted_noun("有几个月是资金净流出？") == "月"
    assert conditions.counted_noun("In how many years did the group make a loss?") == "year"
    assert conditions.counted_noun("Which zone had the smallest sales?") == "zone"
    assert conditions.is_period_noun("季度") and not conditions.is_period_noun("产品")


def test_data_rows_stop_at_a_second_periods_block_and_keep_the_asked_section():
    view = table(["", "Sales", "Profit"], [
        ["Zone A", "12,553", "2,713"], ["Zone B", "2,548", "422"], ["Total", "15,101", "3,135"],
        ["", "Sales", "Profit"],  # the labels again: last year's block follows
        ["Zone A", "12,138", "2,284"]])
    rows = conditions.data_rows(view, value_columns(view), is_number)
    assert [r.label for r in rows] == ["Zone A", "Zone B", "Total"]
    assert conditions.is_total("Total") and conditions.is_total("合计") and not conditions.is_total("Zone A")
    sections = table(["", "营业收入", "毛利率"], [
        ["分行业", "分行业", "分行业"], ["电子元器件", "3,505", "34.62%"],
        ["分产品", "分产品", "分产品"], ["继电器", "313", "42.31%"], ["电机", "860", "27.00%"],
        ["分地区", "分地区", "分地区"], ["中南片区", "261", "46.42%"]])
    asked = conditions.data_rows(sections, value_columns(sections), is_number, "产品")
    assert [r.label for r in asked] == ["继电器", "电机"]


def test_a_category_column_holding_a_value_the_question_names():
    view = table(["品牌", "机型", "电机类型", "均价"], [
        ["甲牌", "A1", "直流电机", "1683"], ["乙牌", "B1", "交流电机", "3885"],
        ["甲牌", "A2", "直流电机", "2247"], ["丙牌", "C1", "交流电机", "3113"]])
    assert conditions.category_value(view, "TOP10中有几款是交流电机？", is_number) == (2, "交流电机")
    assert conditions.category_value(view, "TOP10里有几款是甲牌的？", is_number) == (0, "甲牌")
    # a column that names every row apart (the model) is not a category
    assert conditions.category_value(view, "A1的均价是多少？", is_number) is None


def test_a_header_of_figures_is_a_first_row_read_as_labels():
    misread = table(["1", "甲", "-86.89"], [["2", "乙", "-82.79"], ["3", "丙", "-77.91"]])
    assert conditions.header_is_data(misread, value_columns(misread), is_number)
    fine = table(["", "2024年", "2023年"], [["营业收入", "1,200", "1,100"], ["净利润", "300", "250"]])
    assert not conditions.header_is_data(fine, value_columns(fine), is_number)


def test_a_total_row_that_sums_the_rows_above_names_what_the_column_breaks_down():
    from bot.cells import _total_row

    view = table(["", "2021", "2020"], [
        ["North", "$10,024,537", "$5,757,143"], ["South", "9,959,841", "4,473,173"],
        ["West", "1,000", "2,000"], ["Total revenue", "$19,985,378", "$10,232,316"]])
    assert _total_row(view, value_columns(view), 1).label == "Total revenue"
    shares = table(["", "2021 Revenue"], [["Client A", "26.1%"], ["Client B", "12.0%"], ["Client C", "9.5%"],
                                          ["Total", "80.0%"]])
    assert _total_row(shares, value_columns(shares), 1) is None  # its rows do not add up to it
