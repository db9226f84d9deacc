"""Report parts and scope (bot.sections): a multi-year file answers each year from its own part,
a report whose scope is only in its file name or cover is still about that scope, Markdown
written as HTML is read as HTML, and a filing's cover gives its title.

All names and figures here are made up for the tests."""
import pytest

from bot.answer import REFUSAL_ZH
from bot.formats.html import read_html
from bot.parse import parse_text
from bot.sections import place_aliases, year_heading

from conftest import build_index

# Two years of one city's communiqué in one file; the second part has no title line, only the
# masthead (issuer, release date) and an opening that names its year.
TWO_YEARS = """青禾市2024年国民经济和社会发展统计公报
青禾市统计局
2025年3月
2024年是实现规划目标任务的关键一年，全市经济运行稳中有进。
一、综合
初步核算，全年全市实现地区生产总值1234.56亿元，比上年增长5.1%。
年末全市常住人口321.09万人，比上年末增加2.59万人。
二、农业
全年粮食总产量45.6万吨，比上年增长1.2%。
青禾市统计局
2024年3月
2023年是经济恢复发展的一年，全市上下攻坚克难。
一、综合
初步核算，全年全市实现地区生产总值1170.20亿元，比上年增长4.8%。
年末全市常住人口318.50万人，比上年末增加1.20万人。
二、农业
全年粮食总产量44.9万吨，比上年增长0.7%。
"""

# A communiqué whose title line was lost in conversion: the city is only in the file name.
TITLE_LOST = """2024 [1]
白河市统计局 国家统计局白河调查队
2025年3月20日
初步核算，全年全市实现地区生产总值876.54亿元，比上年增长6.3%。
全年规模以上工业增加值比上年增长9.9%。
"""


def test_each_part_of_a_multi_year_file_carries_its_own_year():
    report = parse_text(TWO_YEARS, "青禾市2023~2024年统计公报汇总.txt")
    def year_of(figure):
        return next(b.year for b in report.paragraphs if figure in b.text)

    assert year_of("1234.56") == year_of("45.6万吨") == "2024"
    # the untitled part takes the year it speaks of, not the previous part's
    assert year_of("1170.20") == year_of("44.9万吨") == "2023"
    assert "青禾" in report.scope and "2023~2024" in report.scope


def test_year_heading_needs_one_year_and_a_kind_of_report():
    assert year_heading("2022 年度人力资源和社会保障事业发展统计公报") == "2022"
    assert year_heading("青禾市2021~2024年统计公报汇总") == ""  # a collection, not one year
    assert year_heading("2024年3月") == ""
    assert year_heading("一、综合") == ""


def test_scope_from_the_file_name_when_the_title_is_lost():
    report = parse_text(TITLE_LOST, "白河市2024年国民经济和社会发展统计公报.txt")
    assert report.title == "白河市2024年国民经济和社会发展统计公报"
    assert "白河" in report.scope.split()
    assert {b.year for b in report.blocks} == {"2024"}


def test_company_short_name_and_code_as_the_report_states_them(tmp_path):
    text = ("示例科技股份有限公司2024年年度报告摘要\n证券代码：688999 证券简称：示例科技\n"
            "报告期内，公司实现营业收入12,345.67万元，较上年同期增长3.21%。\n")
    report = parse_text(text, "688999_20250401_AB12.txt")
    words = report.scope.split()
    assert "示例科技股份有限公司" in words and "示例科技" in words and "688999" in words
    bare = parse_text("报告期内，公司实现营业收入12,345.67万元。\n", "688999_20250401_AB12.txt")
    assert "688999" in bare.scope  # a stock code in the file name names the company


def test_place_short_forms():
    assert place_aliases("延边朝鲜族自治州") == ["延边朝鲜族自治州", "延边州", "延边"]
    assert "新疆" in place_aliases("新疆维吾尔自治区")
    assert "内蒙古" in place_aliases("内蒙古自治区")
    assert place_aliases("青禾市") == ["青禾市", "青禾"]


def test_markdown_written_as_html_and_front_matter():
    text = ("---\ntitle: \"Widget Market Outlook 2030\"\nauthor: someone\n---\n"
            "<h2>Market size</h2>\n<p>The global widget market was valued at <b>12.5 billion</b> in 2023.</p>\n"
            "<table><tr><th>Region</th><th>Share</th></tr><tr><td>Asia</td><td>41%</td></tr></table>\n"
            "<p>Growth is led by Asia.</p>\n")
    report = parse_text(text, "widgets.md")
    assert report.title == "Widget Market Outlook 2030"
    texts = [p.text for p in report.paragraphs]
    assert "The global widget market was valued at 12.5 billion in 2023." in texts
    assert not any("<" in t or "---" in t for t in texts)
    assert report.tables and report.tables[0].rows[0] == ("Asia", "41%")
    plain = parse_text("---\nlayout: post\n---\n# Real title\n\nSome text here about widgets.\n", "p.md")
    assert plain.title == "Real title" and all("layout" not in p.text for p in plain.paragraphs)


SEC_COVER = """<html><head><title>Document</title></head><body>
<div style="display:none"><ix:header>0000099999 false FY 2023 P5Y</ix:header></div>
<p>UNITED STATES</p><p>SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-K</p>
<p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934</p>
<p>For the fiscal year ended December 31, 2023</p>
<p>Acme Widgets, Inc.</p><p>(Exact name of registrant as specified in its charter)</p>
<p>Total revenue was $12.3 million in 2023.</p>
</body></html>"""


def test_sec_filing_title_and_scope_from_its_cover(tmp_path):
    path = tmp_path / "acme-10k_20231231.htm"
    path.write_text(SEC_COVER, encoding="utf-8")
    report = read_html(path, path.name)
    assert report.title == "Acme Widgets, Inc. Form 10-K for the fiscal year ended December 31, 2023"
    assert "Acme Widgets, Inc." in report.scope and "December 31, 2023" in report.scope
    assert not any("0000099999" in p.text for p in report.paragraphs)  # inline XBRL header unshown


@pytest.fixture(scope="module")
def parts_assistant(tmp_path_factory):
    from bot.chain import Assistant

    corpus = tmp_path_factory.mktemp("parts-corpus")
    (corpus / "青禾市2023~2024年统计公报汇总.txt").write_text(TWO_YEARS, encoding="utf-8")
    (corpus / "白河市2024年国民经济和社会发展统计公报.txt").write_text(TITLE_LOST, encoding="utf-8")
    return Assistant(build_index(corpus, tmp_path_factory.mktemp("parts-index")))


def test_a_year_is_answered_from_its_own_part(parts_assistant):
    a2024 = parts_assistant.ask("青禾市2024年地区生产总值是多少？")
    a2023 = parts_assistant.ask("青禾2023年地区生产总值是多少？")
    assert not a2024.refused and "1234.56" in a2024.text and "1170.20" not in a2024.text.split("\n")[0]
    assert not a2023.refused and "1170.20" in a2023.text.split("\n")[0]


def test_a_year_the_file_lacks_is_refused(parts_assistant):
    answer = parts_assistant.ask("青禾市2022年地区生产总值是多少？")
    assert answer.refused and answer.text.startswith(REFUSAL_ZH), answer.text


def test_a_city_named_only_in_the_file_name_is_answered(parts_assistant):
    answer = parts_assistant.ask("白河2024年地区生产总值是多少？")
    assert not answer.refused and "876.54" in answer.text, answer.text
    assert answer.citations and answer.citations[0].report == "白河市2024年国民经济和社会发展统计公报"


def test_filing_tables_keep_sign_and_parenthesis_with_their_figure(tmp_path):
    """SEC HTML puts "$" and ")" in cells of their own and spans headers over them."""
    html = """<html><body><table>
<tr><td></td><td colspan="3">Year Ended December 31,</td></tr>
<tr><td></td><td colspan="2">2023</td><td></td><td colspan="2">2022</td><td></td></tr>
<tr><td>Total revenue</td><td>$</td><td>12,345</td><td></td><td>$</td><td>10,001</td><td></td></tr>
<tr><td>Net loss</td><td></td><td>(1,234</td><td>)</td><td></td><td>(987</td><td>)</td></tr>
</table></body></html>"""
    path = tmp_path / "acme-10k.htm"
    path.write_text(html, encoding="utf-8")
    table = read_html(path, path.name).tables[0]
    assert [h[-4:] for h in table.header[1:]] == ["2023", "2022"]
    assert table.rows == (("Total revenue", "$12,345", "$10,001"), ("Net loss", "(1,234)", "(987)"))


def test_a_lone_dated_item_title_does_not_start_a_years_part():
    """A news digest's item "贵州茅台2024年年报" is not the start of a 2024 part that the next items
    (telecom revenue) would fall under: only a file that holds the same report for another year
    too is cut into years."""
    from pathlib import Path

    from bot.parse import parse_text

    digest = Path(__file__).resolve().parent / "news" / "reports" / "新闻摘要.md"
    report = parse_text(digest.read_text(encoding="utf-8"), digest.name)
    telecom = next(b for b in report.blocks if "16096亿元" in getattr(b, "text", ""))
    assert "年报" not in (telecom.section or ""), telecom.section
    two_years = ("# 乙市统计公报汇编\n\n乙市2024年统计公报\n\n全年地区生产总值1000亿元。\n\n"
                 "乙市2023年统计公报\n\n全年地区生产总值900亿元。\n")
    parts = {b.text: b.year for b in parse_text(two_years, "b.md").paragraphs}
    assert parts["全年地区生产总值1000亿元。"] == "2024" and parts["全年地区生产总值900亿元。"] == "2023"


def test_a_place_after_the_years_date_unit_and_a_short_name_in_the_company_information_table():
    report = parse_text("2024年白河市国民经济和社会发展统计公报\n全年地区生产总值1234.5亿元。\n", "公报.txt")
    assert "白河市" in report.scope.split() and "年白河市" not in report.scope
    rows = "".join(f"| 项目{i} | 内容{i} |\n" for i in range(5))
    text = ("示例化工股份有限公司2024年年度报告\n\n第二节 公司简介\n\n| 项目 | 内容 |\n|---|---|\n" + rows +
            "| 公司的中文简称 | 示例化工 |\n| 股票代码 | 600999 |\n")
    words = parse_text(text, "年报.txt").scope.split()
    assert "示例化工" in words and "600999" in words
