"""The part of a year a figure covers, as filings name it by its length ("13-week", "six months
ended") as well as by its name ("third quarter", "上半年")."""
import pytest

from bot.match import periods_in


@pytest.mark.parametrize(("text", "period"), [
    ("Net sales for the 13-week fiscal quarter ended November 2, 2024 decreased", "quarter"),
    ("Thirteen Weeks Ended November 2, 2024", "quarter"),
    ("for the three months ended 30 September", "quarter"),
    ("Net sales for the 39-week fiscal period ended November 2, 2024", "9m"),
    ("for the nine months ended 30 September 2024", "9m"),
    ("2024年前三季度营业收入", "9m"),
    ("for the six months ended 30 June 2023", "half"),
    ("26 weeks ended July 29", "half"),
    ("for the 52 weeks ended February 3, 2024", "full"),
    ("2024年全年", "full"),
])
def test_a_period_named_by_its_length(text, period):
    assert period in periods_in(text)


def test_the_fiscal_year_of_a_part_period_is_no_full_year():
    assert periods_in("What were the net sales for the first 39 weeks of fiscal 2024?") == {"9m"}
    assert periods_in("fiscal 2024 net sales") == {"full"}


def test_nine_months_are_not_the_third_quarter():
    assert periods_in("前三季度") == {"9m"}
    assert periods_in("第三季度") == {"q3"}


def test_a_span_of_time_is_no_reporting_period():
    assert periods_in("no investments in a loss position for greater than 12 months") == set()
    assert periods_in("payable within three months of the invoice") == set()


def test_a_fiscal_year_is_a_date_of_the_question():
    from bot.question import analyse

    q = analyse("星河公司2024财年第三季度净销售额是多少？")
    assert q.dates == ["2024财年"] and "财年" not in [t.text for t in q.terms]
    assert analyse("2023会计年度营业收入是多少？").dates == ["2023会计年度"]


def test_a_month_after_its_year_is_a_month_period_but_a_day_or_a_months_end_is_not():
    # "2024年8月社零总额" asks August's figure, as "2024年8月份…" states it
    assert periods_in("2024年8月社零总额多少？") == {"month"}
    assert periods_in("2024年8月份社会消费品零售总额38726亿元") == {"month"}
    assert periods_in("2024年8月14日发布") == set()
    assert periods_in("2024年12月末，广义货币余额") == set()
    assert periods_in("截至2023年12月，我国有313只新股发行上市") == set()


def test_a_decimal_figure_names_no_year():
    # "全年免签入境外国人2011.5万人次" is a count, not a figure of 2011
    from bot.match import label_years
    assert label_years("全年免签入境外国人2011.5万人次，同比上升112.3%") == set()
    assert label_years("2011年免签入境外国人") == {"2011"}
