"""Reports as people receive them: Word, PDF, Excel/CSV, Markdown and HTML.

Every file is generated here (python-docx, openpyxl, csv, reportlab, pypdf) from one made-up
coffee-chain report, so the tests run offline and show what each format must yield.
"""
from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from bot.errors import UnreadableFile
from bot.formats.numfmt import render
from bot.readers import READERS, read_report
from bot.types import Paragraph, Table

TITLE = "2024年中国咖啡连锁行业研究报告"
SIZE = "2023年中国咖啡连锁市场规模达到了356.8亿元，同比增长12.5%。"
FORECAST = "预计到2026年，市场规模将突破500亿元，年均复合增长率约为11.9%。"
CAPTION = "表1 2023年主要咖啡品牌门店数"
HEADER = ["品牌", "门店数（家）", "市场份额"]
ROWS = [["瑞幸", "16218", "31.2%"], ["星巴克", "6975", "15.4%"], ["库迪", "6000", "9.8%"]]
SIZE_SOURCE = "数据来源：咖啡产业研究院"
TABLE_SOURCE = "数据来源：企业年报"
NOTICE = "版权所有，未经许可不得转载。"


# ----- generators -----

def make_markdown(path: Path) -> Path:
    table = "\n".join("| " + " | ".join(r) + " |" for r in [HEADER, ["---"] * 3, *ROWS])
    path.write_text(f"# {TITLE}\n\n## 一、市场规模\n\n{SIZE}\n{SIZE_SOURCE}\n\n## 二、主要品牌\n\n"
                    f"{CAPTION}\n\n{table}\n\n{TABLE_SOURCE}\n\n{FORECAST}\n\n{NOTICE}\n", encoding="utf-8")
    return path


def make_html(path: Path) -> Path:
    rows = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in ROWS)
    path.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE} - 某网站</title>
<style>p {{ color: red }} .secret {{ }}</style>
<script>document.write("脚本里的356.8亿元不应出现"); alert(1)</script></head>
<body><nav><a href="/">首页</a> | <a href="/r">报告</a></nav>
<h1>{TITLE}</h1>
<h2>一、市场规模</h2>
<p>2023年中国咖啡连锁市场规模达到了<b>356.8亿元</b>，
同比增长12.5%。</p>
<p>{SIZE_SOURCE}</p>
<h2>二、主要品牌</h2>
<table><caption>{CAPTION}</caption>
<thead><tr><th>{HEADER[0]}</th><th>{HEADER[1]}</th><th>{HEADER[2]}</th></tr></thead>
<tbody>{rows}</tbody></table>
<p>{TABLE_SOURCE}</p>
<div>{FORECAST}<br>{NOTICE}</div>
<noscript>请启用JavaScript</noscript>
</body></html>""", encoding="utf-8")
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(TITLE, level=0)  # the Title style
    document.add_heading("一、市场规模", level=1)
    document.add_paragraph(SIZE)
    document.add_paragraph(SIZE_SOURCE)
    document.add_heading("二、主要品牌", level=1)
    document.add_paragraph(CAPTION)
    table = document.add_table(rows=1 + len(ROWS), cols=3)
    for i, row in enumerate([HEADER, *ROWS]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph(TABLE_SOURCE)
    document.add_paragraph(FORECAST)
    document.add_paragraph(NOTICE)
    document.save(path)
    return path


def make_xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "主要品牌门店数"
    sheet.append(HEADER + ["首店开业"])
    for (brand, stores, share), opened in zip(ROWS, [datetime(2017, 10, 1), datetime(1999, 1, 11), datetime(2022, 10, 1)]):
        sheet.append([brand, int(stores), float(share.rstrip("%")) / 100, opened])
    for r in range(2, 2 + len(ROWS)):
        sheet.cell(r, 2).number_format = "#,##0"
        sheet.cell(r, 3).number_format = "0.0%"
        sheet.cell(r, 4).number_format = 'yyyy"年"m"月"d"日"'
    size = book.create_sheet("市场规模")
    size.append(["表2 2021-2023年中国咖啡连锁市场规模"])
    size.append(["年份", "规模（亿元）", "同比增长"])
    for year, value, growth in [(2021, 263.9, 0.148), (2022, 317.2, 0.202), (2023, 356.8, 0.125)]:
        size.append([year, value, growth])
    for r in range(3, 6):
        size.cell(r, 2).number_format = "0.0"
        size.cell(r, 3).number_format = "0.0%"
    size.append([])
    size.append([SIZE_SOURCE])
    book.create_sheet("空白")
    hidden = book.create_sheet("草稿")
    hidden.append(["不应读取", 1])
    hidden.sheet_state = "hidden"
    book.save(path)
    return path


def make_csv(path: Path, *, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def _pdf_styles():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    # A CID font built into every PDF reader: Chinese text without shipping a font file.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=17, wordWrap="CJK")
    head = ParagraphStyle("head", fontName="STSong-Light", fontSize=15, leading=22)
    return body, head


def make_pdf(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T
    from reportlab.platypus import TableStyle

    body, head = _pdf_styles()
    grid = T([HEADER, *ROWS], style=TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                                                ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [P(TITLE, head), P("一、市场规模", head),
             P(SIZE + "其中，现制咖啡门店数量超过了15万家，一线城市的门店密度最高，下沉市场的增速最快。", body),
             P(SIZE_SOURCE, body), PageBreak(),
             P("二、主要品牌", head), P(CAPTION, body), grid, P(TABLE_SOURCE, body), P(FORECAST, body)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def make_scanned_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path), pagesize=A4)
    page.setFillGray(0.5)
    page.rect(72, 400, 300, 200, fill=1)  # a picture of a page, no text layer
    page.showPage()
    page.save()
    return path


def make_encrypted_pdf(path: Path, source: Path) -> Path:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=source)
    writer.encrypt("s3cret", algorithm="AES-128")
    writer.write(path)
    return path


# ----- what each format must yield -----

def paragraph_with(report, text: str) -> Paragraph:
    matches = [p for p in report.paragraphs if text in p.text]
    assert matches, f"no paragraph with {text!r} in {[p.text for p in report.paragraphs]}"
    return matches[0]


def assert_coffee_table(table: Table) -> None:
    assert table.caption == "2023年主要咖啡品牌门店数"
    assert table.header == tuple(HEADER)
    assert [list(r) for r in table.rows] == ROWS
    assert table.source == TABLE_SOURCE


def test_every_format_has_a_reader():
    for suffix in (".md", ".html", ".htm", ".docx", ".pdf", ".xlsx", ".csv"):
        assert suffix in READERS


def test_markdown_headings_tables_and_sources(tmp_path):
    report = read_report(make_markdown(tmp_path / "coffee.md"), "coffee.md")
    assert report.title == TITLE
    size = paragraph_with(report, "356.8亿元")
    assert size.text == SIZE and size.heading == "一、市场规模" and size.source == SIZE_SOURCE
    [table] = report.tables
    assert_coffee_table(table)
    assert table.heading == "二、主要品牌"
    assert paragraph_with(report, "版权所有").boilerplate


def test_html_text_tables_headings_and_no_scripts(tmp_path):
    report = read_report(make_html(tmp_path / "coffee.html"), "coffee.html")
    assert report.title == TITLE
    size = paragraph_with(report, "356.8亿元")
    # inline markup and the line break inside Chinese text are gone, as a browser shows it
    assert size.text == SIZE
    assert size.heading == "一、市场规模" and size.source == SIZE_SOURCE
    [table] = report.tables
    assert_coffee_table(table)
    assert table.heading == "二、主要品牌"
    assert paragraph_with(report, "500亿元").text == FORECAST
    assert paragraph_with(report, "版权所有").boilerplate
    everything = " ".join(p.text for p in report.paragraphs)
    assert "脚本" not in everything and "color" not in everything and "JavaScript" not in everything
    assert "首页" not in everything  # navigation is not report text


def test_html_spans_and_gbk(tmp_path):
    page = ("<html><head><meta charset='gb2312'></head><body><h2>区域</h2><table>"
            "<tr><th colspan='3'>表3 分区域门店数</th></tr>"
            "<tr><th rowspan='2'>区域</th><th colspan='2'>门店数</th></tr>"
            "<tr><th>2022年</th><th>2023年</th></tr>"
            "<tr><td rowspan='2'>华东</td><td>1200</td><td>1500</td></tr>"
            "<tr><td>1300</td><td>1650</td></tr></table></body></html>")
    path = tmp_path / "region.htm"
    path.write_bytes(page.encode("gbk"))
    [table] = read_report(path, "region.htm").tables
    assert table.caption == "分区域门店数"
    assert table.header == ("区域", "门店数 2022年", "门店数 2023年")
    assert table.rows == (("华东", "1200", "1500"), ("华东", "1300", "1650"))
    assert table.heading == "区域"


def test_html_short_row_before_a_rowspan_column(tmp_path):
    (tmp_path / "t.html").write_text("<table><tr><th>品牌</th><th>门店</th><th>备注</th></tr>"
                                     "<tr><td>瑞幸</td><td>16218</td><td rowspan='2'>截至年底</td></tr>"
                                     "<tr><td>星巴克</td></tr><tr><td>库迪</td><td>6000</td><td>新</td></tr></table>",
                                     encoding="utf-8")
    [table] = read_report(tmp_path / "t.html", "t.html").tables
    assert table.rows == (("瑞幸", "16218", "截至年底"), ("星巴克", "", "截至年底"), ("库迪", "6000", "新"))


def test_docx_headings_tables_and_sources(tmp_path):
    report = read_report(make_docx(tmp_path / "coffee.docx"), "coffee.docx")
    assert report.title == TITLE
    size = paragraph_with(report, "356.8亿元")
    assert size.text == SIZE and size.heading == "一、市场规模" and size.source == SIZE_SOURCE
    [table] = report.tables
    assert_coffee_table(table)
    assert table.heading == "二、主要品牌"
    # the caption paragraph became the caption, not a paragraph of its own
    assert not [p for p in report.paragraphs if "门店数" in p.text]
    assert paragraph_with(report, "版权所有").boilerplate
    assert all(b.page is None for b in report.blocks)


def test_docx_long_paragraph_before_table_is_not_its_caption(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph(SIZE)
    table = document.add_table(rows=2, cols=2)
    for (i, j), value in {(0, 0): "年份", (0, 1): "规模", (1, 0): "2023", (1, 1): "356.8亿元"}.items():
        table.cell(i, j).text = value
    document.save(tmp_path / "t.docx")
    report = read_report(tmp_path / "t.docx", "t.docx")
    assert report.tables[0].caption == "表1"
    assert paragraph_with(report, "356.8亿元").text == SIZE


def test_pdf_pages_paragraphs_and_tables(tmp_path):
    report = read_report(make_pdf(tmp_path / "coffee.pdf"), "coffee.pdf")
    assert report.title == TITLE
    size = paragraph_with(report, "356.8亿元")
    assert size.page == 1 and size.number == 1
    assert size.text.startswith(SIZE) and "下沉市场的增速最快。" in size.text  # wrapped lines re-joined
    assert size.heading == "一、市场规模" and size.source == SIZE_SOURCE
    [table] = report.tables
    assert_coffee_table(table)
    assert table.page == 2 and table.heading == "二、主要品牌"
    forecast = paragraph_with(report, "500亿元")
    assert forecast.page == 2 and forecast.text == FORECAST
    # the table's cells are not repeated as text
    assert not [p for p in report.paragraphs if "星巴克" in p.text]
    from bot.chunk import chunk_report

    locations = {c.location for c in chunk_report(report)}
    assert "第1页，第1段" in locations and "第2页，表「2023年主要咖啡品牌门店数」第2行" in locations


def test_xlsx_cells_are_the_strings_excel_shows(tmp_path):
    report = read_report(make_xlsx(tmp_path / "coffee.xlsx"), "coffee.xlsx")
    stores, size = report.tables  # the empty and the hidden sheet give nothing
    assert stores.caption == "主要品牌门店数"
    assert stores.header == (*HEADER, "首店开业")
    assert stores.rows[1] == ("星巴克", "6,975", "15.4%", "1999年1月11日")
    assert [r[2] for r in stores.rows] == ["31.2%", "15.4%", "9.8%"]
    assert size.caption == "2021-2023年中国咖啡连锁市场规模"  # the title row inside the sheet
    assert size.header == ("年份", "规模（亿元）", "同比增长")
    assert size.rows[-1] == ("2023", "356.8", "12.5%")
    assert size.source == SIZE_SOURCE
    assert "不应读取" not in str(report.blocks)


def test_xlsx_default_sheet_takes_the_file_name(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    for row in [HEADER, *ROWS]:
        book.active.append(row)
    book.save(tmp_path / "咖啡品牌_门店数.xlsx")
    [table] = read_report(tmp_path / "咖啡品牌_门店数.xlsx", "咖啡品牌_门店数.xlsx").tables
    assert table.caption == "咖啡品牌 门店数"


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("gbk", ","), ("utf-8", ";"), ("gbk", "\t")])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = make_csv(tmp_path / "咖啡品牌门店数.csv", encoding=encoding, delimiter=delimiter)
    report = read_report(path, "咖啡品牌门店数.csv")
    [table] = report.tables
    assert table.caption == "咖啡品牌门店数" and report.title == "咖啡品牌门店数"
    assert table.header == tuple(HEADER)
    assert [list(r) for r in table.rows] == ROWS


# ----- number formats: the figure as Excel shows it -----

@pytest.mark.parametrize("value,fmt,shown", [
    (0.154, "0.0%", "15.4%"),
    (0.125, "0%", "13%"),
    (356.8, "General", "356.8"),
    (2023.0, "General", "2023"),
    (0.1 + 0.2, "General", "0.3"),
    (1234567.891, "#,##0.00", "1,234,567.89"),
    (-1234.5, "#,##0.0_);(#,##0.0)", "(1,234.5)"),
    (356.8, '0.0"亿元"', "356.8亿元"),
    (1234.5, "[$¥-804]#,##0.00", "¥1,234.50"),
    (1500000, '#,##0.0,,"M"', "1.5M"),
    (2.5, "0", "3"),
    (12345.678, "0.00E+00", "1.23E+04"),
    (datetime(2023, 1, 5), "yyyy-mm-dd", "2023-01-05"),
    (datetime(2023, 1, 5), "mm-dd-yy", "2023/1/5"),
    (datetime(2023, 3, 1), 'yyyy"年"m"月"', "2023年3月"),
    (datetime(2023, 1, 5, 14, 30), "yyyy/m/d h:mm", "2023/1/5 14:30"),
    ("  瑞幸 ", "@", "瑞幸"),
    (None, "0.0%", ""),
])
def test_number_formats(value, fmt, shown):
    assert render(value, fmt) == shown


# ----- files that cannot be read say why -----

def unreadable(path: Path) -> str:
    with pytest.raises(UnreadableFile) as err:
        read_report(path, path.name)
    return str(err.value)


def test_empty_and_damaged_word_files(tmp_path):
    (tmp_path / "empty.docx").write_bytes(b"")
    assert "empty" in unreadable(tmp_path / "empty.docx")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)  # an old .doc renamed
    assert "not a readable Word .docx" in unreadable(tmp_path / "old.docx")
    import docx

    docx.Document().save(tmp_path / "blank.docx")
    assert "no text could be extracted" in unreadable(tmp_path / "blank.docx")


def test_bad_pdfs(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert "not a readable PDF" in unreadable(tmp_path / "broken.pdf")
    good = make_pdf(tmp_path / "good.pdf")
    message = unreadable(make_encrypted_pdf(tmp_path / "locked.pdf", good))
    assert "password-protected (encrypted)" in message
    # a picture with no text in it: OCR reads it (bot.formats.ocr) and finds nothing
    message = unreadable(make_scanned_pdf(tmp_path / "scan.pdf"))
    assert "no text could be extracted" in message and "not even by OCR" in message


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=make_pdf(tmp_path / "good.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    writer.write(tmp_path / "restricted.pdf")
    report = read_report(tmp_path / "restricted.pdf", "restricted.pdf")
    assert paragraph_with(report, "356.8亿元").page == 1


def test_bad_sheets(tmp_path):
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip at all")
    assert "not a readable Excel .xlsx" in unreadable(tmp_path / "fake.xlsx")
    (tmp_path / "bin.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    assert "binary" in unreadable(tmp_path / "bin.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "empty" in unreadable(tmp_path / "empty.csv")


# ----- ingest: good files indexed, bad ones reported -----

def build_corpus(folder: Path) -> Path:
    folder.mkdir()
    make_markdown(folder / "咖啡报告.md")
    make_html(folder / "咖啡报告网页.html")
    make_docx(folder / "咖啡报告.docx")
    good_pdf = make_pdf(folder / "咖啡报告.pdf")
    make_xlsx(folder / "咖啡数据.xlsx")
    make_csv(folder / "咖啡品牌门店数.csv")
    (folder / "空白.docx").write_bytes(b"")
    (folder / "损坏.pdf").write_bytes(b"%PDF-1.4 garbage")
    make_encrypted_pdf(folder / "加密.pdf", good_pdf)
    make_scanned_pdf(folder / "扫描件.pdf")
    return folder


def test_ingest_indexes_good_files_and_reports_bad_ones(tmp_path):
    from bot.ingest import ingest
    from bot.settings import Settings

    settings = Settings().with_(corpus_dir=build_corpus(tmp_path / "corpus"), index_dir=tmp_path / "index")
    result = ingest(settings, progress=False, log=lambda msg: None)
    assert result.files == 6
    assert result.tables == 7  # md, html, docx, pdf and csv one each; xlsx two
    assert len(result.errors) == 4
    errors = "\n".join(result.errors)
    for name, why in [("空白.docx", "empty"), ("损坏.pdf", "not a readable PDF"),
                      ("加密.pdf", "encrypted"), ("扫描件.pdf", "not even by OCR")]:
        assert any(e.startswith(name) and why in e for e in result.errors), errors


# ----- end to end: ingest one format, ask, get the figure with a citation a person can follow -----

GOLDEN = [
    # (file, maker, question, figure, where the citation points)
    pytest.param("咖啡报告.md", make_markdown, "2023年中国咖啡连锁市场规模是多少？", "356.8亿元", "段", id="md-size"),
    pytest.param("咖啡报告.md", make_markdown, "星巴克的市场份额是多少？", "15.4%", "表「2023年主要咖啡品牌门店数」", id="md-cell"),
    pytest.param("咖啡报告.html", make_html, "2023年中国咖啡连锁市场规模是多少？", "356.8亿元", "段", id="html-size"),
    pytest.param("咖啡报告.html", make_html, "瑞幸的门店数是多少？", "16218", "表「2023年主要咖啡品牌门店数」", id="html-cell"),
    pytest.param("咖啡报告.docx", make_docx, "2023年中国咖啡连锁市场规模是多少？", "356.8亿元", "段", id="docx-size"),
    pytest.param("咖啡报告.docx", make_docx, "星巴克的市场份额是多少？", "15.4%", "表「2023年主要咖啡品牌门店数」", id="docx-cell"),
    pytest.param("咖啡报告.pdf", make_pdf, "2023年中国咖啡连锁市场规模是多少？", "356.8亿元", "第1页", id="pdf-size"),
    pytest.param("咖啡报告.pdf", make_pdf, "星巴克的市场份额是多少？", "15.4%", "第2页，表「2023年主要咖啡品牌门店数」", id="pdf-cell"),
    pytest.param("咖啡数据.xlsx", make_xlsx, "星巴克的市场份额是多少？", "15.4%", "表「主要品牌门店数」", id="xlsx-percent"),
    pytest.param("咖啡数据.xlsx", make_xlsx, "2023年同比增长多少？", "12.5%", "表「2021-2023年中国咖啡连锁市场规模」", id="xlsx-growth"),
    pytest.param("咖啡数据.xlsx", make_xlsx, "星巴克首店开业时间？", "1999年1月11日", "表「主要品牌门店数」", id="xlsx-date"),
    pytest.param("咖啡品牌门店数.csv", make_csv, "库迪的门店数是多少？", "6000", "表「咖啡品牌门店数」", id="csv-cell"),
    pytest.param("咖啡报告.html", make_html, "瑞幸有多少家门店？", "16218", "表「2023年主要咖啡品牌门店数」", id="html-count-question"),
    pytest.param("咖啡数据.xlsx", make_xlsx, "2022年中国咖啡连锁市场规模是多少亿元？", "317.2",
                 "表「2021-2023年中国咖啡连锁市场规模」", id="xlsx-year-cell"),
]


@pytest.fixture(scope="module")
def assistant_for(tmp_path_factory):
    """One ingested corpus per file, so every answer can only come from that format's reader."""
    from bot.chain import Assistant
    from bot.ingest import ingest
    from bot.settings import Settings

    built: dict[str, object] = {}

    def make(file: str, maker) -> object:
        if file not in built:
            root = tmp_path_factory.mktemp("golden")
            (root / "corpus").mkdir()
            maker(root / "corpus" / file)
            settings = Settings().with_(corpus_dir=root / "corpus", index_dir=root / "index",
                                        feedback_file=root / "feedback.jsonl", llm="")
            ingest(settings, progress=False, log=lambda msg: None)
            built[file] = Assistant(settings)
        return built[file]

    return make


@pytest.mark.parametrize("file,maker,question,figure,where", GOLDEN)
def test_golden_question_per_format(assistant_for, file, maker, question, figure, where):
    answer = assistant_for(file, maker).ask(question, history=[]).to_json()
    assert not answer["refused"], answer
    assert figure in answer["answer"], answer["answer"]
    if not figure.isdigit():  # a bare cell number has its unit in the header, not beside it
        assert any(figure in f for f in answer["figures"]), answer["figures"]
    cited = [c for c in answer["citations"] if figure in c["quote"]]
    assert cited, answer["citations"]
    quotes = " ".join(c["quote"] for c in answer["citations"])
    assert all(f in quotes for f in answer["figures"]), (answer["figures"], quotes)
    assert any(where in c["location"] for c in cited), [c["location"] for c in cited]
    if file.endswith(".pdf"):
        assert all(c["page"] for c in cited)


def test_a_docx_whose_relationship_points_to_a_missing_part_is_read(tmp_path):
    """Word repairs such a package by dropping the dangling relationship; so do we."""
    import zipfile

    import docx

    from bot.formats.word import read_docx

    made = tmp_path / "made.docx"
    doc = docx.Document()
    doc.add_paragraph("2021年末全国共有养老机构4.0万个，比上年增长5.3%。")
    doc.save(made)
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/footnotes" '
                                    b'Target="footnotes.xml"/></Relationships>')
            dst.writestr(item, data)
    report = read_docx(broken, "broken.docx")
    assert any("4.0万个" in p.text for p in report.paragraphs)
