"""Fiscal-year forms read as one period, in questions and in reports, and a passage's "this year"
read as the report's year (made-up questions and text, no dev material)."""
import pytest

from conftest import TextIndex

from bot.match import date_fit, label_years, needs_of, period_fit, periods_in
from bot.periods import asked_years, fiscal_years
from bot.question import analyse


class FakeIndex(TextIndex):
    text_blob = "Zenith Mills annual report 2030-31. Net profit was 1,234 crore. Sales grew this year."
    reports = [("zenith_annual_report_2030-31.pdf", "zenith annual report 2030-31")]


def _needs(question: str):
    return needs_of(analyse(question), FakeIndex())


@pytest.mark.parametrize(("text", "year"), [
    ("net profit in 2030-31", "2031"),
    ("FY31 sales", "2031"),
    ("FY2030-31 sales", "2031"),
    ("in fiscal 2031", "2031"),
    ("the 2030/31 season", "2031"),
    ("the 2030/2031 school year", "2031"),
    ("for the year ended March 31, 2031", "2031"),
    ("for the year ended 31 August 2031", "2031"),
    ("截至2031年3月31日止年度的收入", "2031"),
    ("2031财年营业收入", "2031"),
])
def test_a_fiscal_year_form_names_the_year_it_ends_in(text, year):
    assert [f.year for f in fiscal_years(text)] == [year]


@pytest.mark.parametrize("text", ["2030~2033年统计公报汇总", "2030-2031年", "on 2030-11-05", "2030-07", "2030-35"])
def test_spans_dates_and_two_years_are_no_fiscal_year(text):
    assert fiscal_years(text) == []


def test_a_split_year_asks_its_fiscal_year_not_its_first_calendar_year():
    assert _needs("What was Zenith Mills' net profit in 2030-31?").years == ["2031"]
    assert _needs("What was Zenith Mills' net profit in FY31?").years == ["2031"]
    # a first year the question names on its own is still asked
    assert asked_years("sales in 2030 and in 2030-31", {"2030"}) == {"2030", "2031"}


def test_a_passage_of_a_fiscal_year_fits_the_question_of_that_year():
    needs = _needs("What was Zenith Mills' net profit in 2030-31?")
    # a passage naming no year, in a report for the year ended March 31, 2031
    assert date_fit(needs, "Net profit was 1,234 crore", "", "Zenith Mills · year ended March 31, 2031") >= 0.9
    assert date_fit(needs, "Net profit in 2030-31 was 1,234 crore", "", "") == 1.0
    # …but not a question of another year
    other = _needs("What was Zenith Mills' net profit in 2034-35?")
    assert date_fit(other, "Net profit was 1,234 crore", "", "Zenith Mills · year ended March 31, 2031") < 0.5
    assert "2031" in label_years("FY2030-31") and "2030" in label_years("2030-31")


def test_this_year_is_the_reports_year():
    needs = _needs("How much did sales grow in 2031?")
    assert date_fit(needs, "Sales grew 12 percent so far this year.", "", "2031年") == 1.0
    assert date_fit(needs, "今年销售额增长12%。", "", "2031年") == 1.0
    # a report of another year: its "this year" is that year
    assert date_fit(needs, "Sales grew 12 percent this year.", "", "2029年") < 0.5
    # a report of several years has no one "this year": the sentence states none
    assert date_fit(needs, "Sales grew 12 percent this year.", "", "2029 2031") < 1.0


def test_a_balance_date_is_no_months_figure():
    assert "month" not in periods_in("The gearing ratio as at 31 August 2031 was 30.1%")
    assert "month" in periods_in("Sales in August rose 3%")
    needs = _needs("What was the gearing ratio at the end of August 2031?")
    assert period_fit(needs, "The gearing ratio as at 31 August 2031 was 30.1%") == 1.0


REPORT = """# Zenith Mills Limited Integrated Annual Report 2030-31

Note: All figures are as on/for the year ended March 31, 2031.

## Performance highlights

Zenith Mills recorded a net profit of ₹1,234 crore, up 12% on the previous year.

Zenith Mills employed 45,678 people across its spinning mills.

## Outlook

The mills will add two looms in each plant.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "fiscal", "zenith_integrated_annual_report_2030-31.md", REPORT)


def test_a_split_year_question_is_answered_from_the_report_of_that_fiscal_year(assistant):
    answer = assistant.ask("What was Zenith Mills' net profit in 2030-31?")
    assert not answer.refused and "1,234 crore" in answer.text, answer.text


def test_another_fiscal_year_is_refused_in_the_askers_words(assistant):
    answer = assistant.ask("What was Zenith Mills' net profit in 2034-35?")
    assert answer.refused, answer.text
    first = answer.text.split("\n", 1)[0]
    assert "2034-35" in first and "2035," not in first, first


def test_a_fiscal_abbreviation_is_refused_in_the_askers_words(assistant):
    answer = assistant.ask("What was Zenith Mills' order backlog at the end of FY35?")
    assert answer.refused, answer.text
    first = answer.text.split("\n", 1)[0]
    assert "FY35" in first and "2035" not in first, first


def test_a_report_of_a_split_year_is_of_the_year_it_ends_in():
    from bot.parse import parse_text

    report = parse_text("Budget\n\nTotal outlay: 1,234 crore.\n", "state_budget_2034-35.md")
    assert report.scope.endswith("2034-35")  # the period as the report writes it
    assert {b.year for b in report.blocks} == {"2035"}  # …and its year, the one it ends in
    spans = parse_text("Summary\n\nSales: 12.\n", "city_bulletins_2031~2034.md")
    assert "2035" not in {b.year for b in spans.blocks} and "2031" not in {b.year for b in spans.blocks}


def test_a_chinese_statement_of_the_year_ended_is_the_reports_period():
    from bot.parse import parse_text

    text = ("星河教育集团有限公司\n\n截至2031年8月31日止年度之全年业绩公告\n\n"
            "本集团的资产负债率为30.1%。\n\n董事会于2031年11月20日批准本公告。\n")
    report = parse_text(text, "xinghe_results.md")
    assert report.scope.endswith("2031"), report.scope
    assert {b.year for b in report.blocks} == {"2031"}


def test_a_split_year_before_a_sentence_anchors_its_fiscal_year():
    needs = _needs("What was Zenith Mills' net profit in 2030-31?")
    assert date_fit(needs, "Net profit was 1,234 crore.", "In 2030-31, the mills ran at capacity.", "") >= 0.9
    other = _needs("What was Zenith Mills' net profit in 2032-33?")
    assert date_fit(other, "Net profit was 1,234 crore.", "In 2030-31, the mills ran at capacity.", "") < 0.5


def test_a_year_ended_in_the_question_names_no_filing_titled_by_its_period():
    from types import SimpleNamespace

    from bot.scope import named_reports

    index = SimpleNamespace(reports=[
        ("zenith_annual_report_2030-31.pdf", "zenith annual report 2030-31"),
        ("orbit_10-K.html", "Orbit Tools, Inc. Form 10-K for the fiscal quarter ended November 2, 2030"),
    ], scopes={})
    named = named_reports(index, "What was Zenith Mills' revenue for the year ended March 31, 2031?")
    assert named == {"zenith_annual_report_2030-31.pdf"}
