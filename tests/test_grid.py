"""A table is read as a grid: multi-row headers folded into one label per column, the units
row taken as the unit, section rows giving nested row labels. Through every format's reader
and on real annual-report tables (../shared/dev), whose expected labels are read off the file
here the way a person reads them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.chunk import chunk_report
from bot.grid import read_grid
from bot.parse import parse_text
from bot.readers import read_report

DEV_REPORTS = Path(__file__).resolve().parents[2] / "shared" / "dev" / "en" / "reports"
needs_dev = pytest.mark.skipif(not DEV_REPORTS.is_dir(), reason="../shared/dev is not checked out")

SPAN = "Year Ended December 31,"
YEARS = ["2019", "2018", "2017"]
UNIT = "In thousands"
# a TAT-QA-shaped income statement: span row, units in the label column, a section and its total
STATEMENT = [
    ["", SPAN, SPAN, SPAN],
    [f"({UNIT})", *YEARS],
    ["Revenue:", "", "", ""],
    ["Product", "1,200", "1,100", "900"],
    ["Services", "300", "250", "200"],
    ["Total revenue", "1,500", "1,350", "1,100"],
    ["Net income", "90", "(80)", "—"],
]
STATEMENT_LABELS = ("Revenue", "Revenue / Product", "Revenue / Services", "Revenue / Total revenue", "Net income")


def assert_statement(table) -> None:
    assert table.header == ("", *(f"{SPAN} {y}" for y in YEARS))
    assert table.unit == UNIT
    assert table.rows == tuple(tuple(r) for r in STATEMENT[2:])  # the report's cells, unchanged
    assert table.row_labels == STATEMENT_LABELS
    assert table.label_columns == 1


# ----- the rules, on plain grids -----

def test_span_label_written_in_its_middle_column_covers_the_years():
    grid = read_grid([["", "", "Fiscal Years Ended March 31,", ""], ["", *YEARS],
                      ["Restructuring charges", "$8,779", "$14,843", "$5,404"]])
    assert grid.header == ("", *(f"Fiscal Years Ended March 31, {y}" for y in YEARS))
    assert grid.rows == (("Restructuring charges", "$8,779", "$14,843", "$5,404"),)


def test_period_span_does_not_cover_a_change_column():
    grid = read_grid([["", "Fiscal years ended", "", "", ""], ["(In thousands)", "2018", "2017", "$ Change", "% Change"],
                      ["Satellite", "-", "2,447", "(2,447)", "(100.0%)"]])
    assert grid.header == ("", "Fiscal years ended 2018", "Fiscal years ended 2017", "$ Change", "% Change")
    assert grid.unit == "In thousands"


def test_three_header_rows_and_an_empty_upper_cell():
    grid = read_grid([["", "Preliminary", "Measurement", ""],
                      ["", "Allocation", "Period", "Final Allocation"],
                      ["(In millions)", "As of August 1, 2018", "Adjustments", "As of September 30, 2019"],
                      ["Goodwill", "21.6", "1.0", "22.6"]])
    assert grid.header == ("", "Preliminary Allocation As of August 1, 2018", "Measurement Period Adjustments",
                           "Final Allocation As of September 30, 2019")
    assert grid.unit == "In millions" and len(grid.rows) == 1


def test_units_row_is_the_unit_not_a_header_or_a_row():
    grid = read_grid([["", "2019", "2018"], ["", "US$’000", "US$’000"], ["Trade payables", "3,492", "2,016"]])
    assert grid.unit == "US$’000"
    assert grid.header == ("", "2019", "2018") and grid.rows == (("Trade payables", "3,492", "2,016"),)


def test_different_units_per_column_label_their_columns():
    grid = read_grid([["项目", "金额", "占比"], ["", "（万元）", "（%）"], ["华东", "1,200", "35.1%"]])
    assert grid.unit == ""
    assert grid.header == ("项目", "金额 （万元）", "占比 （%）")


def test_caption_unit_note_counts():
    grid = read_grid([["指标", "2024年", "2023年"], ["营业收入", "27,616", "24,738"]], caption="主要会计数据（单位：万元）")
    assert grid.unit == "单位：万元"


def test_chinese_two_row_header_with_adjusted_columns():
    grid = read_grid([["项目", "2024年末", "2023年末", "", "本年末比上年末增减"],
                      ["项目", "", "调整前", "调整后", "调整后"],
                      ["总资产", "40,081,972,320.77", "40,148,455,933.08", "40,148,455,933.08", "-0.17%"]])
    assert grid.header == ("项目", "2024年末", "2023年末 调整前", "2023年末 调整后", "本年末比上年末增减 调整后")


def test_consecutive_sections_nest_and_a_total_closes_one():
    grid = read_grid([["", "2019"], ["Assets:", ""], ["Current assets:", ""], ["Cash", "10"],
                      ["Total current assets", "10"], ["Non-current assets:", ""], ["Goodwill", "5"],
                      ["Total assets", "15"], ["Other", "1"]])
    assert grid.row_labels == ("Assets", "Assets / Current assets", "Assets / Current assets / Cash",
                               "Assets / Current assets / Total current assets", "Assets / Non-current assets",
                               "Assets / Non-current assets / Goodwill", "Assets / Non-current assets / Total assets",
                               "Assets / Other")


def test_a_table_of_words_keeps_its_first_row_as_the_header():
    rows = [["Name", "Role", "Since"], ["Ann Lee", "Chair", "2019"], ["Bo Wu", "CFO", "2021"]]
    grid = read_grid(rows)
    assert grid.header == tuple(rows[0]) and grid.rows == tuple(map(tuple, rows[1:]))


def test_a_text_row_with_a_label_is_a_row_not_a_second_header():
    rows = [["Name", "Role", "Shares"], ["Ann Lee", "Retired", "Retired"], ["Bo Wu", "CFO", "1,000"]]
    grid = read_grid(rows)
    assert grid.header == tuple(rows[0]) and len(grid.rows) == 2


def test_shareholder_table_has_one_label_column():
    rows = [["股东名称", "股东性质", "持股比例", "持股数量"],
            ["甲控股有限公司", "国有法人", "63.02%", "809,340,522"],
            ["乙结算有限公司", "境外法人", "4.34%", "55,757,440"],
            ["丙基金", "境内非国有法人", "2.84%", "36,511,581"]]
    grid = read_grid(rows)
    assert grid.header == tuple(rows[0]) and grid.label_columns == 1
    assert grid.row_labels == tuple(r[0] for r in rows[1:])


# ----- through each format -----

def test_markdown_units_row_above_the_header(tmp_path):
    text = ("# Annual report\n\nBenefit payments\n\n| ($ in millions) |  |  |\n|---|---|---|\n"
            "| For the year ended December 31: | 2019 | 2018 |\n| DC plans | 1,040 | 1,024 |\n| Total | $2,177 | $2,288 |\n")
    [table] = parse_text(text, "r.md").tables
    assert table.unit == "$ in millions"
    assert table.header == ("For the year ended December 31:", "2019", "2018")
    assert table.rows == (("DC plans", "1,040", "1,024"), ("Total", "$2,177", "$2,288"))
    assert table.caption == "Benefit payments"


def test_markdown_chinese_units_line_and_quarters():
    text = ("分季度主要会计数据\n\n| 单位：元 | | | | |\n|---|---|---|---|---|\n| 项目 | 第一季度 | 第二季度 | 第三季度 | 第四季度 |\n"
            "| 营业收入 | 7,294,070,557.82 | 6,811,942,207.26 | 5,634,274,230.28 | 7,876,324,777.25 |\n")
    [table] = parse_text(text, "q.md").tables
    assert table.unit == "单位：元"
    assert table.header == ("项目", "第一季度", "第二季度", "第三季度", "第四季度")
    assert table.row_labels == ("营业收入",)


@pytest.mark.parametrize("cell", ["td", "th"])
def test_html_colspan_header_units_row_and_sections(tmp_path, cell):
    def tr(*cells):
        return "<tr>" + "".join(cells) + "</tr>"
    head = [tr(f"<{cell} rowspan='2'>Segment</{cell}>", f"<{cell} colspan='3'>{SPAN}</{cell}>"),
            tr(*(f"<{cell}>{y}</{cell}>" for y in YEARS))]
    body = [tr("<td></td>", f"<td colspan='3'>({UNIT})</td>")]
    body += [tr(*(f"<td>{c}</td>" for c in row)) for row in STATEMENT[2:]]
    page = f"<html><body><h2>Results</h2><table>{''.join(head)}{''.join(body)}</table></body></html>"
    (tmp_path / "r.html").write_text(page, encoding="utf-8")
    from bot.formats.html import read_html

    [table] = read_html(tmp_path / "r.html", "r.html").tables
    assert table.header == ("Segment", *(f"{SPAN} {y}" for y in YEARS))
    assert table.unit == UNIT
    assert table.row_labels == STATEMENT_LABELS
    assert table.rows == tuple(tuple(r) for r in STATEMENT[2:])


def test_word_merged_span_cell(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Revenue by type")
    table = document.add_table(rows=len(STATEMENT), cols=4)
    for i, row in enumerate(STATEMENT):
        for j, value in enumerate(row):
            if i or j < 2:
                table.cell(i, j).text = value
    table.cell(0, 1).merge(table.cell(0, 3))  # one cell spanning the three years
    document.save(tmp_path / "r.docx")
    [table] = read_report(tmp_path / "r.docx", "r.docx").tables
    assert table.caption == "Revenue by type"
    assert_statement(table)


def test_excel_merged_header_units_row_and_nested_labels(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "分区域门店数"
    sheet.append(["单位：家"])
    sheet.append(["区域", "省份", "门店数", None])
    sheet.append([None, None, "2023年", "2024年"])
    data = [["华东", "上海", 10, 12], [None, "江苏", 20, 22], ["华北", "北京", 5, 6], [None, "河北", 7, 8]]
    for row in data:
        sheet.append(row)
    sheet.merge_cells("C2:D2")
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("A4:A5")
    sheet.merge_cells("A6:A7")
    book.save(tmp_path / "stores.xlsx")
    [table] = read_report(tmp_path / "stores.xlsx", "stores.xlsx").tables
    assert table.unit == "单位：家"
    assert table.header == ("区域", "省份", "门店数 2023年", "门店数 2024年")
    assert table.label_columns == 2
    assert table.row_labels == ("华东 / 上海", "华东 / 江苏", "华北 / 北京", "华北 / 河北")
    assert [r[0] for r in table.rows] == ["华东", "", "华北", ""]  # the sheet's cells, not the labels


def test_pdf_ruled_table_with_spanned_header(tmp_path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as RLTable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=17)
    rows = [["单位：万元", "", "", ""],
            ["项目", "2023年末", "", "本年末比上年末增减"],
            ["", "调整前", "调整后", ""],
            ["总资产", "1,000.5", "1,010.2", "2.1%"],
            ["营业收入", "800.3", "805.0", "3.4%"]]
    grid = RLTable(rows, style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("SPAN", (0, 0), (3, 0)), ("SPAN", (1, 1), (2, 1)), ("SPAN", (0, 1), (0, 2)), ("SPAN", (3, 1), (3, 2))]))
    story = [Paragraph("主要会计数据和财务指标", body), grid, Paragraph("以上数据经审计。", body)]
    SimpleDocTemplate(str(tmp_path / "r.pdf"), pagesize=A4).build(story)
    [table] = read_report(tmp_path / "r.pdf", "r.pdf").tables
    assert table.unit == "单位：万元"
    assert table.header == ("项目", "2023年末 调整前", "2023年末 调整后", "本年末比上年末增减")
    assert table.rows == (tuple(rows[3]), tuple(rows[4]))
    assert table.row_labels == ("总资产", "营业收入")


# ----- row chunks say which row and column each cell is -----

def test_row_chunk_states_label_columns_and_unit_once():
    [table] = parse_text("Revenue\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in STATEMENT), "r.md").tables
    assert_statement(table)
    rows = [c for c in chunk_report(parse_text("Revenue\n\n" + "\n".join(
        "| " + " | ".join(r) + " |" for r in STATEMENT), "r.md")) if c.kind == "row"]
    services = next(c for c in rows if c.cells[0] == "Services")
    assert services.label == "Revenue / Services" and services.unit == UNIT
    text = services.text
    assert "Revenue / Services" in text and text.count(UNIT) == 1
    for year, cell in zip(YEARS, STATEMENT[4][1:]):
        assert re.search(rf"{year}：{re.escape(cell)}", text), text
    assert SPAN in text


# ----- real annual-report tables (TAT-QA excerpts) -----

def md_rows(name: str) -> list[list[str]]:
    """The file's table as a person reads the Markdown: rows of cells, the rule line skipped."""
    lines = (DEV_REPORTS / name).read_text(encoding="utf-8").splitlines()
    rows = [line.strip().strip("|").split("|") for line in lines if line.strip().startswith("|")]
    return [[c.strip() for c in r] for r in rows if not all(re.fullmatch(r":?-+:?", c.strip()) for c in r)]


def dev_table(name: str):
    [table] = parse_text((DEV_REPORTS / name).read_text(encoding="utf-8"), name).tables
    return table


@needs_dev
def test_dev_span_over_years():
    rows = md_rows("tatqa_train_02.md")
    span = next(c for c in rows[0] if c)  # the one label of the first row
    years = rows[1][1:]
    table = dev_table("tatqa_train_02.md")
    assert table.header[1:] == tuple(f"{span} {y}" for y in years)
    assert table.rows == tuple(map(tuple, rows[2:]))
    assert table.row_labels == tuple(r[0] for r in rows[2:])


@needs_dev
def test_dev_units_row_above_the_header():
    rows = md_rows("tatqa_train_01.md")
    unit_row = rows[0]
    assert not any(unit_row[1:])
    table = dev_table("tatqa_train_01.md")
    assert table.unit == unit_row[0].strip("()")
    assert table.header == tuple(rows[1])
    assert table.rows == tuple(map(tuple, rows[2:]))


@needs_dev
def test_dev_three_row_header_and_sections():
    rows = md_rows("tatqa_train_08.md")
    header_rows, body = rows[:3], rows[3:]
    table = dev_table("tatqa_train_08.md")
    # each value column is named by what is written above its figures, top to bottom
    for j in range(1, len(rows[0])):
        assert table.header[j] == " ".join(r[j] for r in header_rows if r[j])
    assert table.unit == header_rows[2][0].strip("()")
    assert table.rows == tuple(map(tuple, body))
    # a row with a label and no figures heads the rows under it, down to its "Total" row
    section = ""
    for row, label in zip(body, table.row_labels):
        if not any(row[1:]):
            section = row[0].rstrip(":")
            assert label == section
            continue
        assert label == (f"{section} / {row[0]}" if section else row[0])
        if row[0].startswith("Total"):
            section = ""


@needs_dev
def test_dev_span_over_two_rows_of_column_words():
    rows = md_rows("tatqa_train_06.md")
    span = next(c for c in rows[0] if c)
    table = dev_table("tatqa_train_06.md")
    for j in range(1, len(rows[0])):
        assert table.header[j] == f"{span} {rows[1][j]} {rows[2][j]}"
    assert table.rows == tuple(map(tuple, rows[3:]))


@needs_dev
def test_dev_every_table_keeps_its_cells_and_has_one_label_per_row():
    for path in sorted(DEV_REPORTS.glob("*.md")):
        rows = md_rows(path.name)
        table = dev_table(path.name)
        n = len(table.rows)
        assert n and len(table.row_labels) == n
        # the body is the file's last rows, each unchanged but for a unit note moved to `unit`
        expected = [tuple("" if c and c.strip("()") == table.unit else c for c in r) for r in rows[-n:]]
        assert table.rows == tuple(expected), path.name
        assert all(label.endswith(row[0].rstrip(":")) for row, label in zip(table.rows, table.row_labels) if row[0]), path.name


def test_numbering_column_goes_with_the_name_after_it():
    rows = [["序号", "股东名称", "持股比例"], ["1", "甲控股有限公司", "63.02%"], ["2", "乙结算有限公司", "4.34%"]]
    grid = read_grid(rows)
    assert grid.label_columns == 2
    assert grid.row_labels == tuple(r[1] for r in rows[1:])


def test_title_row_above_a_full_header_is_not_the_whole_header():
    grid = read_grid([["主要指标", "", ""], ["指标", "2023年", "2024年"], ["GDP", "100", "110"]])
    assert grid.rows == (("GDP", "100", "110"),)
    assert grid.header[1:] == ("2023年", "2024年")


def test_a_table_printed_without_header_keeps_its_first_row():
    """A borderless block read from a PDF page often has no header line (or it was on the page
    before): its first labelled row of figures is data, not the column labels."""
    grid = read_grid([["Revenue", "1,204", "1,118"], ["Costs", "(702)", "(655)"]])
    assert grid.header == ("", "", "")
    assert grid.rows == (("Revenue", "1,204", "1,118"), ("Costs", "(702)", "(655)"))
    # a header of periods is still a header
    assert read_grid([["", "2023", "2022"], ["Revenue", "1,204", "1,118"]]).header == ("", "2023", "2022")


def test_column_groups_over_repeated_years_keep_their_own_labels():
    # an annual report's statement: two named groups and the unnamed total, per year; the group
    # name takes two lines and carries a footnote mark
    rows = [
        ["", "Remaining", "Affected", "", "Remaining", "Affected", ""],
        ["", "Business*", "Entities*", "", "Business*", "Entities*", ""],
        ["", "2021", "2021", "2021", "2020", "2020", "2020"],
        ["", "RMB’000", "RMB’000", "RMB’000", "RMB’000", "RMB’000", "RMB’000"],
        ["Revenue", "219,666", "2,044,081", "2,263,747", "179,496", "1,613,232", "1,792,728"],
        ["Administrative expenses", "(53,511)", "(235,038)", "(288,549)", "(38,079)", "(215,714)", "(253,793)"],
    ]
    g = read_grid(rows)
    assert g.header[1:] == ("Remaining Business 2021", "Affected Entities 2021", "2021",
                            "Remaining Business 2020", "Affected Entities 2020", "2020")
    assert g.rows[0][3] == "2,263,747"


def test_span_label_still_covers_distinct_periods_and_bracketed_words_stay():
    g = read_grid([["", "Year ended 31 August", ""], ["", "2021", "2020"], ["Revenue", "5", "4"]])
    assert g.header == ("", "Year ended 31 August 2021", "Year ended 31 August 2020")
    assert read_grid([["Name", "Office(s) Held"], ["A. Smith", "Chair"]]).header == ("Name", "Office(s) Held")
