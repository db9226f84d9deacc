"""PDFs as they are published: CJK spacing, borderless and shaded tables, tables across pages.

Every PDF but the dev report is drawn here with reportlab (its built-in CID font STSong-Light
for Chinese), so the tests run offline.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.formats.pdf import fix_spacing, read_pdf
from bot.types import Table

DEV_PDF = Path(__file__).resolve().parents[2] / "shared" / "dev" / "zh" / "reports" / "华润三九2024年年度报告摘要.pdf"
FONT = "STSong-Light"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=font, fontSize=15, leading=22)
    return body, head


def build(path: Path, story: list) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def paragraphs(report) -> list[str]:
    return [p.text for p in report.paragraphs]


def row_of(table: Table, label: str) -> tuple[str, ...]:
    [row] = [r for r in table.rows if r[0] == label]
    return row


# ----- spacing -----

@pytest.mark.parametrize("raw,clean", [
    ("A 股市场", "A股市场"),
    ("2021 年", "2021年"),
    ("规模为 19917.0 亿元", "规模为19917.0亿元"),
    ("同比增长 11.63%", "同比增长11.63%"),
    ("增长 11.63% ，高于", "增长11.63%，高于"),
    ("（1） 近三年", "（1）近三年"),
    ("公 司 在 《 证 券 时 报 》", "公司在《证券时报》"),
])
def test_stray_spaces_between_cjk_and_latin_go(raw, clean):
    assert fix_spacing(raw) == clean


@pytest.mark.parametrize("text", ["Revenue rose 12.5% to $3.1 billion in 2021", "9 YOUNG BASIC", "□是 否",
                                  "2.84% 36,511,581"])
def test_spaces_between_latin_words_or_two_chinese_words_stay(text):
    assert fix_spacing(text) == text


def test_pdf_text_and_cells_lose_the_spaces_around_digits(tmp_path):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    body, head = _styles()
    grid = T([["指标", "数值"], ["A 股 上市公司", "5346 家"], ["营业收入", "19917.0 亿元"]],
             style=[("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    path = build(tmp_path / "spaces.pdf", [
        P("2024 年 A 股市场报告", head), P("一、市场概况", body),
        P("2021 年 A 股市场规模为 19917.0 亿元，同比增长 11.63%。Revenue grew 12.5% in 2021 .", body),
        P("主要指标", body), grid])
    report = read_pdf(path, "spaces.pdf")
    assert report.title == "2024年A股市场报告"
    [para] = [p for p in report.paragraphs if "亿元" in p.text]
    assert para.text.startswith("2021年A股市场规模为19917.0亿元，同比增长11.63%。")
    assert "Revenue grew 12.5% in 2021" in para.text  # English keeps its spaces
    assert para.heading == "一、市场概况"  # a short title-like line is still a heading
    [table] = report.tables
    assert row_of(table, "营业收入")[1] == "19917.0亿元"
    assert [r[0] for r in table.rows] == ["A股 上市公司", "营业收入"]


# ----- borderless tables -----

YEARS = [("2021年：", "497.1", "102.4", "20.6%"), ("2022年：", "560.2", "118.9", "21.2%"),
         ("2023年：", "612.3", "131.0", "21.4%")]
COLUMNS = ("营业收入（亿元）", "净利润（亿元）", "净利率")
PROSE = ("2021年至2023年，公司营业收入从 497.1 亿元增长到 612.3 亿元，净利润从 102.4 亿元增长到 131.0 亿元，"
         "净利率分别为 20.6%、21.2% 和 21.4%，三年间保持稳定增长，主要得益于产品结构的优化和渠道的持续下沉，"
         "其中线上渠道的收入占比由 18.5% 提高到 26.7%。")
ENGLISH = ("Net sales were 497.1 million in 2021 and 560.2 million in 2022, while operating income grew "
           "from 102.4 million to 118.9 million; the margin moved between 20.6% and 21.2% over the two years.")


def make_borderless(path: Path) -> Path:
    """Row labels in a text column, figures right-aligned in columns, no rules at all."""
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    body, head = _styles()
    grid = T([("", *COLUMNS), *YEARS], colWidths=[90, 110, 100, 80],
             style=[("FONTNAME", (0, 0), (-1, -1), FONT), ("ALIGN", (1, 0), (-1, -1), "RIGHT")])
    return build(path, [P("一、经营情况", head), P(PROSE, body), P("表1 近三年主要经营数据", body), grid,
                        P(ENGLISH, body)])


def test_borderless_table_keeps_its_row_labels_and_header(tmp_path):
    report = read_pdf(make_borderless(tmp_path / "borderless.pdf"), "borderless.pdf")
    [table] = report.tables
    assert table.caption == "近三年主要经营数据"
    assert [c for c in table.header if c] == list(COLUMNS)
    for label, *figures in YEARS:
        assert row_of(table, label)[1:] == tuple(figures)
    # the figures are the table's, not lines of text
    assert not [t for t in paragraphs(report) if "2022年：" in t]


def test_borderless_rows_whose_label_runs_into_the_first_figure(tmp_path):
    from reportlab.pdfgen import canvas

    font = _font()
    page = canvas.Canvas(str(tmp_path / "fused.pdf"))
    page.setFont(font, 16)
    page.drawString(72, 760, "经营数据")
    page.setFont(font, 10)
    for k, text in enumerate(COLUMNS):
        page.drawRightString(190 + 90 * k, 720, text)
    for n, (label, *figures) in enumerate(YEARS):
        page.drawString(72, 700 - 16 * n, label + figures[0])  # "2021年：497.1", no space
        for k, figure in enumerate(figures[1:], 1):
            page.drawRightString(190 + 90 * k, 700 - 16 * n, figure)
    page.showPage()
    page.save()
    [table] = read_pdf(tmp_path / "fused.pdf", "fused.pdf").tables
    for label, *figures in YEARS:
        assert row_of(table, label)[1:] == tuple(figures)
    assert table.header[1:] == COLUMNS


def test_prose_with_figures_stays_prose(tmp_path):
    report = read_pdf(make_borderless(tmp_path / "borderless.pdf"), "borderless.pdf")
    texts = paragraphs(report)
    assert any(t.startswith("2021年至2023年，公司营业收入从497.1亿元增长到612.3亿元") for t in texts), texts
    assert any(t.startswith("Net sales were 497.1 million in 2021") and t.endswith("over the two years.")
               for t in texts), texts


def test_lines_of_figures_that_do_not_line_up_are_not_a_table(tmp_path):
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(tmp_path / "ragged.pdf"))
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 760, "Quarterly notes")
    page.setFont("Helvetica", 10)
    lines = [(72, ["Revenue", "12.5", "13.8", "14.1"]), (72, ["Online sales grew", "3.2", "4.4", "5.0"]),
             (72, ["Costs", "8.1", "9.9", "10.2"])]
    for n, (x, words) in enumerate(lines):
        for word in words:  # figures set apart, but each line's columns fall elsewhere
            page.drawString(x, 720 - 16 * n, word)
            x += page.stringWidth(word, "Helvetica", 10) + 14 + 23 * n
    page.showPage()
    page.save()
    import pdfplumber

    from bot.formats.pdf import Line, page_layout

    assert not read_pdf(tmp_path / "ragged.pdf", "ragged.pdf").tables
    with pdfplumber.open(tmp_path / "ragged.pdf") as pdf:
        items = page_layout(pdf.pages[0], 1).items
    assert [i.text for i in items if isinstance(i, Line)][1:] == [" ".join(words) for _, words in lines]


def _draw_borderless(page, top: float, header: list[list[tuple[float, str]]], rows, xs: list[float],
                     font: str = "Helvetica", size: float = 9) -> float:
    """Header lines (x centre, text) and rows (label, figures right-aligned at `xs`), no rules."""
    y = top
    for line in header:
        page.setFont(font, size)
        for x, text in line:
            page.drawCentredString(x, y, text)
        y -= 13
    for label, *figures in rows:
        page.drawString(60, y, label)
        for x, figure in zip(xs, figures):
            if figure:
                page.drawRightString(x, y, figure)
        y -= 13
    return y


QUARTERS = [["Net sales", "1,204", "1,118", "4,502", "4,310"], ["Cost of sales", "(702)", "(655)", "(2,640)", "(2,598)"],
            ["Operating income", "211", "187", "802", "741"], ["Net income", "150", "133", "571", "528"]]


def test_borderless_table_with_a_two_row_header_folds_it(tmp_path):
    """"Three months ended" and "Twelve months ended" each stand over two year columns: each
    column's label says both, and no data row is taken for the header."""
    from reportlab.pdfgen import canvas

    xs = [300, 360, 440, 500]
    page = canvas.Canvas(str(tmp_path / "twohead.pdf"))
    page.setFont("Helvetica-Bold", 14)
    page.drawString(60, 760, "Quarterly results")
    _draw_borderless(page, 720, [[(330 - 12, "Three months ended"), (470 - 12, "Twelve months ended")],
                                 [(x - 12, y) for x, y in zip(xs, ["2023", "2022", "2023", "2022"])]], QUARTERS, xs)
    page.showPage()
    page.save()
    [table] = read_pdf(tmp_path / "twohead.pdf", "twohead.pdf").tables
    assert table.header[1:] == ("Three months ended 2023", "Three months ended 2022",
                                "Twelve months ended 2023", "Twelve months ended 2022")
    assert [r[0] for r in table.rows] == [r[0] for r in QUARTERS]
    assert row_of(table, "Operating income")[1:] == ("211", "187", "802", "741")


def test_borderless_rows_may_leave_columns_empty_and_carry_sections(tmp_path):
    from reportlab.pdfgen import canvas

    xs = [300, 360, 420]
    rows = [["Outlays:"], ["Defense", "699", "709", "700"], ["Relief", "", "", "31"],
            ["Receipts:"], ["Income taxes", "1,091", "1,179", "1,294"], ["Customs duties", "30", "31", "34"]]
    page = canvas.Canvas(str(tmp_path / "sections.pdf"))
    _draw_borderless(page, 720, [[(x - 10, y) for x, y in zip(xs, ["2011", "2012", "2013"])]], rows, xs)
    page.showPage()
    page.save()
    [table] = read_pdf(tmp_path / "sections.pdf", "sections.pdf").tables
    assert table.header[1:] == ("2011", "2012", "2013")
    assert row_of(table, "Relief")[1:] == ("", "", "31")
    assert "Receipts / Customs duties" in table.row_labels
    assert row_of(table, "Customs duties")[1:] == ("30", "31", "34")


def test_borderless_table_over_a_page_break_is_one_table(tmp_path):
    from reportlab.pdfgen import canvas

    xs = [320, 400]
    rows = [[f"Region {k:02d}", f"{100 + 7 * k:,}", f"{3 + k % 5}.{k % 10}%"] for k in range(1, 61)]
    page = canvas.Canvas(str(tmp_path / "longborderless.pdf"))
    page.setFont("Helvetica-Bold", 14)
    page.drawString(60, 780, "Sales by region")
    _draw_borderless(page, 750, [[(300, "Sales"), (388, "Growth")]], rows[:50], xs)
    page.showPage()
    _draw_borderless(page, 780, [], rows[50:], xs)
    page.setFont("Helvetica", 9)
    page.drawString(60, 600, "Sales grew in most regions over the year.")
    page.showPage()
    page.save()
    report = read_pdf(tmp_path / "longborderless.pdf", "longborderless.pdf")
    assert len({t.number for t in report.tables}) == 1  # counted once
    assert [t.page for t in report.tables] == [1, 2]  # each part cites its own page
    assert [list(r) for t in report.tables for r in t.rows] == rows
    assert all(t.header[1:] == ("Sales", "Growth") for t in report.tables)


def test_chart_axis_numbers_make_no_table_and_no_paragraph(tmp_path):
    """Two chart panels side by side: their y-axis ticks stand in aligned columns like a
    table's figures, but no row has a label, and bare tick lines are no text to answer from."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(tmp_path / "chart.pdf"))
    page.setFont("Helvetica-Bold", 12)
    page.drawString(60, 780, "Figure 3. Spreads and yields")
    page.setFont("Helvetica", 8)
    for n, (left, right) in enumerate([("100", "4.0"), ("80", "3.5"), ("60", "3.0"), ("40", "2.5"), ("20", "2.0"), ("0", "1.5")]):
        y = 740 - 30 * n
        page.drawRightString(80, y, left)
        page.drawRightString(330, y, right)
        page.line(85, y + 3, 280, y + 3)
        page.line(335, y + 3, 530, y + 3)
    page.drawString(90, 550, "2019      2020      2021      2022      2023")
    page.drawString(340, 550, "Q1      Q2      Q3      Q4")
    page.setFont("Helvetica", 10)
    page.drawString(60, 520, "Spreads widened in 2022 before narrowing again as inflation eased.")
    page.showPage()
    page.save()
    report = read_pdf(tmp_path / "chart.pdf", "chart.pdf")
    assert not report.tables
    texts = paragraphs(report)
    assert not [t for t in texts if re.fullmatch(r"[\d.,%\s]+", t)], texts
    assert any(t.startswith("Spreads widened in 2022") for t in texts)


LEFT_COLUMN = ["Revenue in the first half rose to 812 million,", "helped by strong demand for the new",
               "range in every region we serve today."]
RIGHT_COLUMN = ["Shares in issue were 1,664 million at", "the end of June, giving a market value",
                "of 48 billion on the closing price."]


def test_two_column_page_is_read_column_by_column(tmp_path):
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(tmp_path / "twocol.pdf"))
    page.setFont("Helvetica-Bold", 14)
    page.drawString(60, 780, "Half-year results review")
    page.setFont("Helvetica", 10)
    for n, (left, right) in enumerate(zip(LEFT_COLUMN, RIGHT_COLUMN)):
        page.drawString(60, 740 - 14 * n, left)
        page.drawString(330, 740 - 14 * n, right)
    page.showPage()
    page.save()
    report = read_pdf(tmp_path / "twocol.pdf", "twocol.pdf")
    text = "\n".join(paragraphs(report))
    # each column's sentence whole, the left one first, neither cut by the other
    assert " ".join(LEFT_COLUMN) in text and " ".join(RIGHT_COLUMN) in text, text
    assert text.index(LEFT_COLUMN[-1]) < text.index(RIGHT_COLUMN[0])


# ----- ruled tables -----

def make_long_table(path: Path, *, repeat_header: bool) -> tuple[Path, list[list[str]]]:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer
    from reportlab.platypus import Table as T

    body, head = _styles()
    rows = [[f"城市{k:02d}", f"{1000 + 37 * k:,}", f"{(k * 7) % 23 + 0.5:.1f}%"] for k in range(1, 41)]
    grid = T([["城市", "门店数（家）", "同比增长"], *rows], repeatRows=1 if repeat_header else 0,
             style=[("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    build(path, [P("二、城市分布", head), Spacer(1, 380), P("表2 2023年各城市门店数", body), grid,
                 P("各城市门店数保持增长。", body)])
    return path, rows


@pytest.mark.parametrize("repeat_header", [False, True], ids=["header-once", "header-repeated"])
def test_ruled_table_across_pages_keeps_header_and_caption(tmp_path, repeat_header):
    path, rows = make_long_table(tmp_path / "long.pdf", repeat_header=repeat_header)
    report = read_pdf(path, "long.pdf")
    first, second = report.tables
    assert (first.page, second.page) == (1, 2)
    assert first.number == second.number  # one table (one id) in two page parts, counted once
    assert first.caption == "2023年各城市门店数"
    assert second.caption == "2023年各城市门店数（续）"
    assert first.header == second.header == ("城市", "门店数（家）", "同比增长")
    assert [list(r) for r in first.rows + second.rows] == rows  # every row once, none a header


def make_shaded_table(path: Path) -> Path:
    """A ruled table as Word exports it: rules drawn as thin filled rectangles, and a grey
    shading rectangle behind each line of a wrapped cell (which is not a rule)."""
    from reportlab.pdfgen import canvas

    font = _font()
    page = canvas.Canvas(str(path))
    xs, ys = [60, 160, 300, 440], [700, 680, 632, 612]  # column and row rules, top down
    header = ["", "2024年", "2023年"]
    body = [(["归属于上市", "公司股东的", "净利润"], "3,367,888,968.20", "2,852,931,664.85"),
            (["营业收入"], "27,616,611,772.61", "24,738,963,319.76")]
    for x in xs:
        page.rect(x, ys[-1], 0.24, ys[0] - ys[-1], stroke=0, fill=1)
    for y in ys:
        page.rect(xs[0], y, xs[-1] - xs[0], 0.24, stroke=0, fill=1)
    page.setFont(font, 9)
    for k, text in enumerate(header):
        page.drawString(xs[k] + 6, ys[0] - 14, text)
    for (label, *figures), top in zip(body, ys[1:]):
        for n, line in enumerate(label):
            y = top - 13 - 14 * n
            page.setFillGray(0.83)
            page.rect(xs[0] + 3, y - 3, xs[1] - xs[0] - 6, 14, stroke=0, fill=1)
            page.setFillGray(0)
            page.drawString(xs[0] + 6, y, line)
        for k, figure in enumerate(figures, 1):
            page.drawRightString(xs[k + 1] - 6, top - 13, figure)
    page.setFont(font, 11)
    page.drawString(60, 740, "主要会计数据")
    page.showPage()
    page.save()
    return path


def test_shaded_wrapped_cells_are_one_row_with_whole_figures(tmp_path):
    report = read_pdf(make_shaded_table(tmp_path / "shaded.pdf"), "shaded.pdf")
    [table] = report.tables
    assert table.header == ("", "2024年", "2023年")
    assert row_of(table, "归属于上市公司股东的净利润") == ("归属于上市公司股东的净利润", "3,367,888,968.20",
                                                        "2,852,931,664.85")
    assert row_of(table, "营业收入")[1] == "27,616,611,772.61"
    assert len(table.rows) == 2


# ----- the dev annual-report summary -----

@pytest.fixture(scope="module")
def dev_report():
    if not DEV_PDF.exists():
        pytest.skip(f"{DEV_PDF} is absent")
    return read_pdf(DEV_PDF, DEV_PDF.name)


def _page_text(page: int) -> str:
    import pypdf

    return "".join(pypdf.PdfReader(DEV_PDF).pages[page - 1].extract_text().split())


def _rows_with(report, page: int, label: str) -> list[tuple[Table, tuple[str, ...]]]:
    return [(t, r) for t in report.tables if t.page == page for r in t.rows if r[0] == label]


@pytest.mark.parametrize("page,label,figures", [
    (3, "营业收入", ["7,294,070,557.82", "6,811,942,207.26", "5,634,274,230.28", "7,876,324,777.25"]),
    (3, "归属于上市公司股东的扣除非经常性损益的净利润", ["1,327,840,358.41", "980,756,795.21", "443,680,215.94",
                                                  "365,589,978.76"]),
    (4, "经营活动产生的现金流量净额", ["786,578,192.24", "1,576,536,615.03", "841,152,844.07", "1,197,931,735.83"]),
])
def test_dev_quarterly_table_rows_keep_labels_and_whole_figures(dev_report, page, label, figures):
    text = _page_text(page)
    assert all(f in text for f in figures)  # the figures as the PDF's own text layer writes them
    quarterly = [(t, r) for t, r in _rows_with(dev_report, page, label) if "第四季度" in " ".join(t.header)]
    assert len(quarterly) == 1, _rows_with(dev_report, page, label)
    table, row = quarterly[0]
    assert list(row[1:]) == figures  # each figure whole, in its own cell, in quarter order
    assert [h for h in table.header if "季度" in h] == ["第一季度", "第二季度", "第三季度", "第四季度"]


def test_dev_quarterly_table_continued_on_page_4_keeps_caption(dev_report):
    [(cont, _)] = _rows_with(dev_report, 4, "经营活动产生的现金流量净额")
    [(first, _)] = _rows_with(dev_report, 3, "归属于上市公司股东的扣除非经常性损益的净利润")[-1:]
    # the caption goes on; a made-up one ("表5") gives way to the section's heading
    assert cont.caption.removesuffix("（续）") in (first.caption, first.heading)
    assert cont.header == first.header


def test_dev_key_financials_read_under_their_own_header_band(dev_report):
    [(assets, total)] = _rows_with(dev_report, 3, "总资产")
    [(income, revenue)] = _rows_with(dev_report, 3, "营业收入")[:1]
    assert assets is not income  # the second header band ("2024年" after "2024年末") starts a table
    assert total[1:5] == ("40,081,972,320.77", "40,148,455,933.08", "40,148,455,933.08", "-0.17%")
    assert revenue[1:5] == ("27,616,611,772.61", "24,738,963,319.76", "24,738,963,319.76", "11.63%")
    assert "2024年" in income.header[1] and "调整后" in income.header[3] and "增减" in income.header[4]
    labels = [r[0] for r in income.rows]
    assert "经营活动产生的现金流量净额" in labels and "加权平均净资产收益率" in labels


def test_dev_shareholder_table(dev_report):
    [(holders, top)] = _rows_with(dev_report, 4, "华润医药控股有限公司")
    assert "持股比例" in holders.header and "持股数量" in holders.header
    assert "63.02%" in top and "809,340,522" in top
    assert len([r for r in holders.rows if r[holders.header.index("持股比例")].endswith("%")]) == 10
    assert any("报告期末普通股股东总数：52,207" in p.text for p in dev_report.paragraphs if p.page == 4)


def test_dev_text_has_no_stray_spaces_and_a_title(dev_report):
    assert dev_report.title == "华润三九医药股份有限公司2024年年度报告摘要"
    text = " ".join(paragraphs(dev_report))
    assert "2024年8月5日" in text and "1,284,298,685.00元" in text
    assert "2024 年" not in text


# ----- end to end -----

FIGURE_SENTENCE = "In 2023, online sales of Northwind Coffee reached $48.6 million, up 12.4% from 2022."


def make_english_report(path: Path) -> Path:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak
    from reportlab.platypus import Paragraph as P

    styles = getSampleStyleSheet()
    intro = ("Northwind Coffee runs cafes in twelve countries. This review describes the year's trading, "
             "the store network and the plans for the coming year. ") * 3
    return build(path, [P("Northwind Coffee Annual Review 2023", styles["Title"]), P(intro, styles["BodyText"]),
                        PageBreak(), P("Online sales", styles["Heading2"]), P(FIGURE_SENTENCE, styles["BodyText"]),
                        P("Store openings slowed in the second half of the year.", styles["BodyText"])])


def test_english_pdf_question_cites_page_2(tmp_path):
    from conftest import build_index

    from bot.chain import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_english_report(corpus / "northwind.pdf")
    report = read_pdf(corpus / "northwind.pdf", "northwind.pdf")
    assert any(p.page == 2 and FIGURE_SENTENCE in p.text for p in report.paragraphs)
    settings = build_index(corpus, tmp_path / "index", llm="")
    answer = Assistant(settings).ask("How much were Northwind Coffee's online sales in 2023?", history=[])
    assert not answer.refused, answer.text
    assert "$48.6 million" in answer.text
    cited = [c for c in answer.citations if "48.6" in c.quote]
    assert cited and all(c.page == 2 or "第2页" in c.location for c in cited), answer.citations
