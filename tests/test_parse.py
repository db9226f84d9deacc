from bot.chunk import chunk_report
from bot.parse import parse_text
from bot.types import Paragraph, Table

PIPE_REPORT = """某行业报告
第一段：2023年市场规模达到了356.8亿元，同比增长12.5%。
数据来源：某研究院
主要企业一览
企业 | 成立时间 | 市场份额 |
甲公司 | 2001年 | 15.4% |
乙公司 | 2010年 | 9.0% |
资料来源：某研究院整理(XD)
【版权提示】未经许可，任何人不得复制、转载。
"""

MD_REPORT = """# 测试报告

## 市场

规模为 1,014 亿元。

| 地区 | 数量 |
|:---|---:|
| 华东 | 12 |
| 华北 | 7 |
"""


def test_pipe_table_with_caption_header_rows_and_source():
    report = parse_text(PIPE_REPORT, "r.txt")
    table = report.tables[0]
    assert table.caption == "主要企业一览"
    assert table.header == ("企业", "成立时间", "市场份额")
    assert table.rows == (("甲公司", "2001年", "15.4%"), ("乙公司", "2010年", "9.0%"))
    assert table.source == "资料来源：某研究院整理(XD)"


def test_source_line_attaches_to_the_paragraph_above_and_is_not_a_paragraph():
    report = parse_text(PIPE_REPORT, "r.txt")
    first = report.paragraphs[0]
    assert first.source == "数据来源：某研究院"
    assert not any(p.text.startswith(("数据来源", "资料来源")) for p in report.paragraphs)


def test_short_first_line_is_the_title():
    assert parse_text(PIPE_REPORT, "r.txt").title == "某行业报告"


def test_copyright_notice_is_boilerplate_and_not_chunked():
    report = parse_text(PIPE_REPORT, "r.txt")
    assert [p.boilerplate for p in report.paragraphs] == [False, True]
    assert not any("版权" in c.text for c in chunk_report(report))


def test_markdown_table_heading_and_title():
    report = parse_text(MD_REPORT, "m.md")
    assert report.title == "测试报告"
    table = report.tables[0]
    assert table.header == ("地区", "数量")
    assert table.rows == (("华东", "12"), ("华北", "7"))
    assert report.paragraphs[0].heading == "市场"


def test_cells_keep_the_reports_strings():
    report = parse_text(MD_REPORT, "m.md")
    assert report.paragraphs[0].text == "规模为 1,014 亿元。"


def test_title_falls_back_to_the_file_name():
    report = parse_text("这是一个很长的段落，它以句号结尾，所以它不是标题，而是正文内容。", "some_report-2024.txt")
    assert report.title == "some report 2024"


def test_blocks_keep_their_order_and_line_numbers():
    report = parse_text(PIPE_REPORT, "r.txt")
    kinds = [type(b) for b in report.blocks]
    assert kinds == [Paragraph, Table, Paragraph]
    assert report.blocks[0].line == 2 and report.blocks[1].line == 5


def test_ragged_rows_are_padded_not_dropped():
    report = parse_text("表\nA | B | C\n1 | 2\n", "x.txt")
    assert report.tables[0].rows == (("1", "2", ""),)
