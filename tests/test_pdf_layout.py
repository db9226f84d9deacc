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


def test_ruled_box_of_blocks_side_by_side_gives_a_table_per_block():
    """A broker's forecast page: income statement beside cash flows, balance sheet below, one
    ruled box; an empty column and an empty row part the blocks."""
    from bot.formats.pdf import side_by_side, unfold

    box = [["利润表", "2024A", "2025E", "", "现金流量表", "2024A", "2025E"],
           ["营业收入", "27616.61", "30828.99", "", "净利润", "3777.74", "3893.04"],
           ["营业成本", "13295.62", "14398.71", "", "折旧与摊销", "815.15", "1137.02"],
           ["", "", "", "", "", "", ""],
           ["资产负债表\n货币资金", "2024A\n5016.83", "2025E\n8655.78", "", "", "", ""],
           ["存货", "4932.68", "5408.12", "", "", "", ""]]
    blocks = [unfold(b) for b in side_by_side(box)]
    assert [b[0][0] for b in blocks] == ["利润表", "资产负债表", "现金流量表"]
    assert blocks[1][:2] == [["资产负债表", "2024A", "2025E"], ["货币资金", "5016.83", "8655.78"]]
    assert blocks[2][1] == ["净利润", "3777.74", "3893.04"]


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


# ----- infographic pages and layout frames -----

QUOTE = ["Big achievements follow if you", "dream big, and the story of the", "company is told in a book",
         "which has no final chapter and", "one which is continually updated."]


def make_key_figures_page(path: Path) -> Path:
    """An annual report's highlights page: a quote in the left column; in the right one, small
    capitals labels over figures set large with a small unit beside them, a caption under one.
    The quote's lines stand at the heights of the labels and figures."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.setFont("Times-Roman", 12)
    for n, line in enumerate(QUOTE):
        page.drawString(45, 700 - 15 * n, line)
    y = 712
    for label, figure, unit, caption in [("BY REVENUE", "$ 7,92,756", "crore", ""),
                                         ("BY NET PROFIT", "$ 67,845", "crore", ""),
                                         ("EMPLOYMENT CREATION", "2,32,822", "", "New jobs created")]:
        page.setFont("Helvetica-Bold", 9)
        page.drawString(300, y, label)
        page.setFont("Helvetica", 25)
        page.drawString(300, y - 24, figure)
        if unit:
            page.setFont("Helvetica", 10)
            page.drawString(302 + page.stringWidth(figure, "Helvetica", 25), y - 24, unit)
        if caption:
            page.setFont("Helvetica", 9)
            page.drawString(300, y - 34, caption)
        y -= 52
    page.showPage()
    page.save()
    return path


def test_key_figures_beside_a_column_keep_their_labels(tmp_path):
    report = read_pdf(make_key_figures_page(tmp_path / "highlights.pdf"), "highlights.pdf")
    text = paragraphs(report)
    # each figure is stated with its label (and unit, caption), none cut into the quote
    assert "BY NET PROFIT $ 67,845 crore" in text, text
    assert "BY REVENUE $ 7,92,756 crore" in text, text
    assert "EMPLOYMENT CREATION 2,32,822 New jobs created" in text, text
    # the quote reads whole, with none of the right column's words in it
    assert " ".join(QUOTE) in " ".join(text), text


def test_text_set_outside_the_page_is_not_read(tmp_path):
    """A spread exported as single pages keeps the other half's text beside the page."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(tmp_path / "half.pdf"))
    page.setFont("Helvetica", 10)
    page.drawString(72, 700, "Revenue grew 12% to $3.1 billion in the year.")
    page.drawString(-400, 700, "Table of contents of the facing page 42")
    page.drawString(700, 650, "Another column of the facing page 43")
    page.showPage()
    page.save()
    text = " ".join(paragraphs(read_pdf(tmp_path / "half.pdf", "half.pdf")))
    assert "Revenue grew 12% to $3.1 billion in the year." in text
    assert "facing page" not in text


def test_superscript_ordinal_suffix_stays_with_its_number(tmp_path):
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(tmp_path / "ordinal.pdf"))
    x = 72
    for text, size, rise in [("The meeting is to be held on 29", 10, 0), ("th", 6, 4), (" August, 2022.", 10, 0)]:
        page.setFont("Helvetica", size)
        page.drawString(x, 700 + rise, text)
        x += page.stringWidth(text, "Helvetica", size)
    page.showPage()
    page.save()
    assert "The meeting is to be held on 29th August, 2022." in paragraphs(read_pdf(tmp_path / "ordinal.pdf", "ordinal.pdf"))


FRAME_HEADER = ["This Week", "Last Week", "Year Ago", "Report Link"]
FRAME_SECTIONS = [("Ethanol ($/gal)", [("Iowa", "1.35 - 1.42", "1.38 - 1.43", "1.27 - 1.35", "Iowa Ethanol"),
                                       ("Nebraska", "1.38 - 1.40", "1.36 - 1.43", "1.27 - 1.35", "Nebraska Ethanol"),
                                       ("Wisconsin", "unq", "unq", "1.27 - 1.34", "Wisconsin Ethanol")]),
                  ("Bio Mass ($/ton)", [("Cornstalks", "41.25", "39.38", "52.00", ""),
                                        ("Straw", "55.71", "54.29", "58.33", "")])]


def make_frame_page(path: Path) -> Path:
    """A weekly price sheet: one ruled box, the price tables in its left column (a rule under
    the header and between sections, none between columns or rows) and a chart in its right
    column (title, axis ticks, month initials)."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path), pagesize=(792, 612))
    left, mid, right, top = 20, 540, 770, 580
    xs = [200, 270, 340, 460]  # where the header's phrases and the cells start
    y = top - 12
    page.setFont("Helvetica", 10)
    for x, text in zip(xs, FRAME_HEADER):
        page.drawString(x, y, text)
    rules = [top, y - 4]
    y -= 16
    for section, rows in FRAME_SECTIONS:
        page.drawString(left + 4, y, section)
        y -= 13
        for label, *cells in rows:
            page.drawString(left + 16, y, label)
            for x, cell in zip(xs, cells):
                page.drawString(x, y, cell)
            y -= 13
        rules.append(y + 9)
        y -= 4
    bottom = rules[-1]
    for r in rules:
        page.line(left, r, mid, r)
    page.line(mid, top, right, top)
    page.line(mid, bottom, right, bottom)
    for x in (left, mid, right):
        page.line(x, top, x, bottom)
    page.drawString(600, top - 20, "Iowa Ethanol")
    page.setFont("Helvetica", 6)
    for n, tick in enumerate(["2.60", "2.20", "1.80", "1.40", "1.00"]):
        page.drawString(560, top - 40 - 15 * n, tick)
    page.drawString(590, bottom + 10, " ".join("JFMAMJJASOND"))
    page.showPage()
    page.save()
    return path


def test_a_layout_frame_s_cell_tables_are_read_as_rows(tmp_path):
    report = read_pdf(make_frame_page(tmp_path / "frame.pdf"), "frame.pdf")
    [table] = report.tables
    cells = {row[0].split(" / ")[-1]: row[1:] for row in zip(table.row_labels, *zip(*table.rows))}
    # each row's cells under its own header, ranges and "unq" as printed, the link column kept
    assert table.header[-4:] == tuple(FRAME_HEADER)
    assert cells["Iowa"][-4:] == ("1.35 - 1.42", "1.38 - 1.43", "1.27 - 1.35", "Iowa Ethanol")
    assert cells["Wisconsin"][-4:-1] == ("unq", "unq", "1.27 - 1.34")
    assert cells["Cornstalks"][-4:-1] == ("41.25", "39.38", "52.00")
    # the chart's ticks and month initials are in no cell and no paragraph
    everything = " ".join([*paragraphs(report), *(c for row in table.rows for c in row)])
    assert "2.20" not in everything and "J F M" not in everything


def test_statement_with_column_groups_notes_and_hanging_labels(tmp_path):
    """An annual report's statement: a two-line group name over each year's columns and an
    unnamed total column, a Notes column some rows leave empty, a label wrapped with a hanging
    indent (its figures on its last line) and a blank line between groups of rows."""
    from reportlab.pdfgen import canvas

    xs = [215, 285, 355, 425, 495, 565]
    note_x = 150
    page = canvas.Canvas(str(tmp_path / "grouped.pdf"))
    page.setFont("Helvetica", 9)
    y = 720
    for texts in (["Continuing", "Discontinued", "", "Continuing", "Discontinued", ""],
                  ["operations*", "operations*", "", "operations*", "operations*", ""],
                  ["2023", "2023", "2023", "2022", "2022", "2022"]):
        for x, t in zip(xs, texts):
            if t:
                page.drawRightString(x, y, t)
        y -= 13
    page.drawRightString(note_x, y, "Notes")
    for x in xs:
        page.drawRightString(x, y, "HK$'000")
    y -= 20
    rows = [("Revenue", "5", ["318,204", "1,127,530", "1,445,734", "290,115", "1,004,872", "1,294,987"]),
            ("Cost of revenue", "", ["(120,410)", "(700,215)", "(820,625)", "(110,200)", "(650,300)", "(760,500)"]),
            ("Gross profit", "", ["197,794", "427,315", "625,109", "179,915", "354,572", "534,487"]),
            ("Other income", "6", ["6,726", "17,648", "24,374", "512", "57,765", "58,277"])]
    for label, note, figures in rows:
        page.drawString(30, y, label)
        if note:
            page.drawRightString(note_x, y, note)
        for x, f in zip(xs, figures):
            page.drawRightString(x, y, f)
        y -= 13
    page.drawString(30, y, "Loss on disposal of")
    y -= 13
    page.drawString(39, y, "subsidiaries")
    page.drawRightString(note_x, y, "11")
    for x, f in zip(xs, ["(1,841)", "(27,428)", "(29,269)", "—", "—", "—"]):
        page.drawRightString(x, y, f)
    y -= 26  # a blank line
    page.drawString(30, y, "Taxation")
    page.drawRightString(note_x, y, "10")
    for x, f in zip(xs, ["(6,426)", "7,026", "600", "(4,924)", "(6,759)", "(11,683)"]):
        page.drawRightString(x, y, f)
    page.showPage()
    page.save()
    [table] = read_pdf(tmp_path / "grouped.pdf", "grouped.pdf").tables
    assert table.header[2:] == ("Continuing operations 2023", "Discontinued operations 2023", "2023",
                                "Continuing operations 2022", "Discontinued operations 2022", "2022")
    assert row_of(table, "Gross profit")[1:4] == ("", "197,794", "427,315")
    assert row_of(table, "Loss on disposal of subsidiaries")[1:3] == ("11", "(1,841)")
    assert row_of(table, "Taxation")[4] == "600"
