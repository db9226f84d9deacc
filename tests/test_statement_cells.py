"""Figures read from the right place of a financial statement's table: a table whose body starts
over under another period's header rows is read block by block, the company's figure is its Total
row when the question names none of the segments (not a segment named after the company), and of columns the question's words cover alike
the one whose label says only what was asked ("Trading operating profit", not "Underlying trading
operating profit"). Made-up tables and a made-up half-year report, written here."""
from __future__ import annotations

import pytest

from bot.grid import read_grid, split_blocks
from conftest import first_line

# a segment table as a spreadsheet exports it: the 2023 block, then the 2022 block under its own
# period row and column labels
SEGMENTS = [
    ["Operating segments", "January–June 2023", "", ""],
    ["", "Sales", "Underlying trading operating profit", "Trading operating profit"],
    ["Zone West", "5,120", "910", "870"],
    ["Zone East", "3,480", "602", "515"],
    ["Total", "8,600", "1,512", "1,385"],
    ["In millions of EUR", "", "", "January–June 2022"],
    ["", "Sales", "Underlying trading operating profit", "Trading operating profit"],
    ["Zone West", "4,870", "844", "790"],
    ["Zone East", "3,310", "577", "498"],
    ["Total", "8,180", "1,421", "1,288"],
]


def test_a_second_period_block_is_read_under_its_own_header():
    blocks = split_blocks(SEGMENTS)
    assert len(blocks) == 2
    first, second = (read_grid(b) for b in blocks)
    assert first.header[1] == "January–June 2023 Sales"
    assert second.header[1] == "January–June 2022 Sales"
    assert second.header[3] == "January–June 2022 Trading operating profit"
    assert second.rows[0][:2] == ("Zone West", "4,870")
    assert second.unit == "In millions of EUR"
    assert len(first.rows) == 3 and first.rows[-1][0] == "Total"


def test_rows_of_words_and_sections_do_not_start_a_block():
    table = [
        ["", "2023", "2022"],
        ["Revenue:", "", ""],
        ["Product", "1,200", "1,100"],
        ["Rating", "AA", "A+"],  # a body row of words has a label of its own
        ["Services", "300", "250"],
        ["Total revenue", "1,500", "1,350"],
    ]
    assert split_blocks(table) == [table]


REPORT = """# Acme Foods half-year report 2023

Acme Foods reports its results for the first half of 2023 by operating segment.

## Analyses by segment

Segment results (In millions of EUR)

| Operating segments | January–June 2023 | | |
|---|---|---|---|
| | Sales | Underlying trading operating profit | Trading operating profit |
| Zone West | 5,120 | 910 | 870 |
| Zone East | 3,480 | 602 | 515 |
| Acme Foods Nutrition | 1,240 | 233 | 208 |
| Total | 9,840 | 1,745 | 1,593 |
| In millions of EUR | | | January–June 2022 |
| | Sales | Underlying trading operating profit | Trading operating profit |
| Zone West | 4,870 | 844 | 790 |
| Zone East | 3,310 | 577 | 498 |
| Acme Foods Nutrition | 1,190 | 215 | 199 |
| Total | 9,370 | 1,636 | 1,487 |
"""


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "statement-cells", "acme_half_year_2023.md", REPORT)


def test_the_company_figure_is_the_total_row(acme):
    answer = acme.ask("What was Acme Foods' underlying trading operating profit in January–June 2023?")
    assert not answer.refused, answer.text
    # (a segment named after the company is still a segment)
    assert "1,745" in first_line(answer), answer.text
    assert "233" not in first_line(answer) and "910" not in first_line(answer)


def test_the_column_that_says_only_the_asked_measure(acme):
    answer = acme.ask("What was Acme Foods' trading operating profit in the first half of 2023?")
    assert "1,593" in first_line(answer), answer.text
    assert "1,745" not in first_line(answer)


def test_the_earlier_period_is_read_from_its_own_block(acme):
    answer = acme.ask("What were Zone East sales in January–June 2022?")
    assert "3,310" in first_line(answer), answer.text
    assert "3,480" not in first_line(answer)


RELEASE = """# Pinecrest Outfitters reports third quarter net income for the fiscal quarter ended November 2, 2024

Net sales for the 13-week fiscal quarter ended November 2, 2024 increased 2.1 percent to $412.5 million
from net sales of $404.0 million for the prior year 13-week fiscal quarter ended October 28, 2023.

Net sales for the 39-week fiscal period ended November 2, 2024 increased 1.4 percent to $1,201.3 million.

Condensed statements of income (Amounts in thousands)

| | Thirteen Weeks Ended November 2, 2024 | Thirteen Weeks Ended October 28, 2023 | Thirty-Nine Weeks Ended November 2, 2024 |
|---|---|---|---|
| Net sales | $412,512 | $404,011 | $1,201,344 |
| Net income | $61,204 | $58,870 | $170,118 |
"""


@pytest.fixture(scope="module")
def pinecrest(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "quarter-release", "pinecrest_q3_2024_release.md", RELEASE)


def test_two_periods_asked_are_read_from_both_blocks(acme):
    answer = acme.ask("How much did Zone East sales grow in January–June 2023 versus January–June 2022?")
    line = first_line(answer)
    assert "3,480" in line and "3,310" in line, answer.text
    assert "602" not in line and "515" not in line  # the year's other measures are not asked


def test_a_quarter_named_by_its_length_is_the_one_the_release_reports(pinecrest):
    asked = pinecrest.ask("What were Pinecrest Outfitters' net sales in the third quarter of fiscal 2024?")
    assert not asked.refused, asked.text
    assert "412.5" in first_line(asked) or "412,512" in first_line(asked), asked.text
    # the release reports the third quarter: the fourth is not in it, nor is the 39-week figure it
    other = pinecrest.ask("What were Pinecrest Outfitters' net sales in the fourth quarter of fiscal 2024?")
    assert other.refused, other.text


STATEMENT = """# Larkspur Tools annual report 2023

Larkspur Tools sells hand tools to retailers.

Consolidated statement of income (In thousands of USD)

| | 2023 | 2022 |
|---|---|---|
| Revenue | 84,200 | 79,650 |
| Cost of revenue | (51,010) | (49,120) |
| Gross profit | 33,190 | 30,530 |
| Income from operations | 9,870 | 8,410 |
| Operating margin | 11.7% | 10.6% |
"""


@pytest.fixture(scope="module")
def larkspur(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "margin", "larkspur_annual_2023.md", STATEMENT)


def test_a_margin_the_report_does_not_state_is_given_as_its_two_figures(larkspur):
    answer = larkspur.ask("What was Larkspur Tools' gross margin in 2023?")
    assert not answer.refused, answer.text
    line = first_line(answer)
    assert "33,190" in line and "84,200" in line, answer.text  # gross profit and revenue, 2023
    assert "30,530" not in line and "79,650" not in line
    assert "no margin" in line  # it says the margin is not stated, and computes none
    assert "39.4" not in answer.text


def test_a_margin_the_report_states_is_read_as_it_is(larkspur):
    answer = larkspur.ask("What was Larkspur Tools' operating margin in 2023?")
    assert "11.7%" in first_line(answer), answer.text
    assert "no margin" not in answer.text


GROUPED = """# Harbourline Holdings annual report 2023

Harbourline Holdings reports the year ended 31 March 2023 for its continuing and discontinued operations.

## Consolidated statement of profit or loss

For the year ended 31 March 2023 (HK$'000)

| | Continuing operations* | Discontinued operations* | | Continuing operations* | Discontinued operations* | |
|---|---|---|---|---|---|---|
| | 2023 | 2023 | 2023 | 2022 | 2022 | 2022 |
| Revenue | 318,204 | 1,127,530 | 1,445,734 | 290,115 | 1,004,872 | 1,294,987 |
| Administrative expenses | (61,420) | (198,377) | (259,797) | (55,018) | (180,221) | (235,239) |
"""


@pytest.fixture(scope="module")
def harbourline(tmp_path_factory):
    from conftest import one_report_assistant

    return one_report_assistant(tmp_path_factory, "grouped-columns", "harbourline_annual_report_2023.md", GROUPED)


def test_a_question_naming_no_column_group_is_answered_from_the_total_column(harbourline):
    answer = harbourline.ask("What were Harbourline Holdings' administrative expenses for the year ended 31 March 2023?")
    assert "259,797" in first_line(answer), answer.text
    assert "(61,420)" not in first_line(answer)


def test_a_question_naming_a_column_group_is_answered_from_it(harbourline):
    answer = harbourline.ask("What was the revenue of Harbourline Holdings' discontinued operations in 2023?")
    assert "1,127,530" in first_line(answer), answer.text
    assert "1,445,734" not in first_line(answer)
