"""A weekly price bulletin: a table of markets grouped under goods whose unit says they are prices
("Hay ($/ton)"), quoted as ranges ("182.50- 190.00"), with a column for the bulletin's own week
named by a numeric date ("W/E 03/10/23") and relative columns ("Previous Week", "Year Ago"), and
markets with no quote ("unq"). A made-up report, written here."""
from __future__ import annotations

import pytest

from bot.cells import is_number, relative_fit, unit_measure
from bot.match import days_in, label_years
from conftest import first_line

REPORT = """# Midland Weekly Feed and Fuel Price Bulletin

Midland Market Service, Fri, Mar 10, 2023.

Table 1 Weekly quotations

| Market | W/E 03/10/23 | Previous Week | Year Ago |
|---|---|---|---|
| Alfalfa hay ($/ton) | | | |
| Kearney | 182.50- 190.00 | 180.00- 188.00 | 240.00- 255.00 |
| Salina | 176.00 | 175.25 | 231.40 |
| Lamp oil ($/gal) | | | |
| Dorchester | 3.12- 3.19 | 3.20- 3.31 | 2.61- 2.70 |
| Yardley | unq | 3.05 | 2.58 |
| Wood pellets | | | |
| Ashby | 210.00 | 205.00 | 198.00 |
"""


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "price-sheet", "midland_bulletin_2023-03-10.md", REPORT)


def test_numeric_dates_are_the_same_day_as_dates_in_words():
    day = {(2023, 3, 17)}
    for text in ("W/E 03/17/23", "3/17/2023", "17.03.2023", "2023-03-17", "Fri, Mar 17, 2023", "March 17, 2023"):
        assert days_in(text) == day, text
    assert days_in("13/02/2023") == {(2023, 2, 13)}  # a first number above 12 is the day
    assert (2023, 3, 10) in days_in("W/E 03/10/23")  # (both numbers could be the month: read both ways)
    assert label_years("W/E 03/10/23") == {"2023"}


def test_a_range_of_two_prices_is_a_figure_and_a_year_span_is_not():
    assert is_number("182.50- 190.00") and is_number("3.12-3.19")
    assert not is_number("2019-2020") and not is_number("unq")


def test_a_unit_of_currency_per_quantity_says_price():
    assert "price" in unit_measure("Alfalfa hay ($/ton) / Kearney")
    assert "price" in unit_measure("原油（元/吨）") and "price" in unit_measure("Soybean oil (cents/lb)")
    assert unit_measure("Revenue ($ million)") == "" and unit_measure("Output (tons)") == ""


def test_a_relative_column_answers_only_a_question_that_says_so():
    class Needs:
        extra = {"question": "What was the Salina hay price for the week ending 03/10/23?"}

    assert relative_fit(Needs, "Previous Week") < 1.0 and relative_fit(Needs, "W/E 03/10/23") == 1.0
    Needs.extra = {"question": "What was the Salina hay price in the previous week?"}
    assert relative_fit(Needs, "Previous Week") == 1.0
    Needs.extra = {"question": "华润三九2024年营收同比涨了多少？"}
    assert relative_fit(Needs, "本年比上年增减") == 1.0  # a change column is no earlier period


def test_the_week_asked_by_a_numeric_date_is_the_current_column(bulletin):
    answer = bulletin.ask("What was the Salina alfalfa hay price in the Midland bulletin for the week ending 03/10/23?")
    assert not answer.refused, answer.text
    assert "176.00" in first_line(answer) and "175.25" not in first_line(answer), answer.text


def test_the_week_asked_in_words_is_the_current_column_and_a_range_is_stated_whole(bulletin):
    answer = bulletin.ask("What was the Kearney alfalfa hay price in the Midland bulletin for the week ending March 10, 2023?")
    assert not answer.refused, answer.text
    assert "182.50- 190.00" in first_line(answer), answer.text


def test_a_year_ago_is_the_year_ago_column(bulletin):
    answer = bulletin.ask("What was the Dorchester lamp oil price a year ago, per the Midland bulletin of March 10, 2023?")
    assert not answer.refused, answer.text
    assert "2.61- 2.70" in first_line(answer), answer.text


def test_the_market_with_no_quote_is_named(bulletin):
    answer = bulletin.ask("Which lamp oil market had no quote in the Midland bulletin for the week ending March 10, 2023?")
    assert not answer.refused, answer.text
    assert "Yardley" in first_line(answer) and "Dorchester" not in first_line(answer), answer.text
    assert answer.citations


def _view(labels: list[str]):
    from types import SimpleNamespace as NS

    rows = [NS(label=label, cells=[label.rsplit(" / ", 1)[-1], "1.00- 1.10", "1.20"]) for label in labels]
    return NS(header=("Market", "This Week", "Last Week"), rows=rows, caption="Table 1")


def test_a_sheet_whose_rows_mostly_say_a_price_unit_prices_its_other_rows():
    from bot.cells import priced_table

    priced = ["Hay ($/ton) / Kearney", "Hay ($/ton) / Salina", "Lamp oil ($/gal) / Dorchester"]
    assert priced_table(_view(priced + ["Wood pellets / Ashby"]))
    assert not priced_table(_view(priced[:1] + ["Wood pellets / Ashby", "Straw / Ashby"]))
    assert not priced_table(_view(["Revenue ($ million) / Retail", "Revenue ($ million) / Wholesale"]))


def test_a_row_of_a_price_sheet_without_its_own_unit_is_a_price_too(bulletin):
    # "Wood pellets" gives no unit; every other group of the sheet is priced in currency per quantity
    answer = bulletin.ask("What was the Ashby wood pellets price in the Midland bulletin for the week ending 03/10/23?")
    assert not answer.refused, answer.text
    assert "210.00" in first_line(answer) and "Wood pellets" in first_line(answer), answer.text


REPORT_ZH = """# 华北粮油市场周报（2023年3月10日）

表1 主要品种批发价格

| 品种 | 本周 | 上周 | 去年同期 |
|---|---|---|---|
| 玉米（元/吨） | 2,850 | 2,880 | 2,760 |
| 小麦（元/吨） | 3,120- 3,160 | 3,100 | 无报价 |
| 大豆油（元/吨） | 9,450 | 9,500 | 10,200 |
"""


@pytest.fixture(scope="module")
def weekly_zh(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "price-sheet-zh", "华北粮油市场周报2023-03-10.md", REPORT_ZH)


def test_last_week_and_the_same_week_a_year_ago_in_chinese(weekly_zh):
    answer = weekly_zh.ask("华北粮油市场周报中玉米上周价格是多少？")
    assert not answer.refused and "2,880" in first_line(answer) and "2,850" not in first_line(answer), answer.text
    answer = weekly_zh.ask("华北粮油市场周报中大豆油去年同期价格是多少？")
    assert not answer.refused and "10,200" in first_line(answer) and "9,450" not in first_line(answer), answer.text


def test_the_kind_of_row_with_no_quote_in_the_named_column_in_chinese(weekly_zh):
    answer = weekly_zh.ask("华北粮油市场周报中哪个品种去年同期无报价？")
    assert not answer.refused, answer.text
    assert "小麦" in first_line(answer) and "玉米" not in first_line(answer), answer.text
