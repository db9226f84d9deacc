"""Several years of one report series in one file (issue 18): a Word file converted from PDF,
where each printed line became a paragraph of its own, is read as whole paragraphs, and a
question about one year is answered from that year's part, whose passages come first in the
search; a year the file lacks is refused; a follow-up keeps the year and the subject.

The city, its figures and the file are made up in the test."""
from __future__ import annotations

import pytest

from bot.answer import REFUSAL_ZH
from conftest import build_index

WIDTH = 40  # the printed line of the "PDF" the Word file was converted from: 20 Chinese characters


def _printed_lines(text: str) -> list[str]:
    """The text cut where a printed line is full (a Chinese character is twice as wide as a digit)."""
    lines, line, width = [], "", 0
    for ch in text:
        w = 2 if ord(ch) > 0x2e80 else 1
        if width + w > WIDTH:
            lines.append(line)
            line, width = "", 0
        line, width = line + ch, width + w
    return lines + [line] if line else lines


def _part(year: int, gdp: str, insured: str, grain: str, trade: list[str],
          fund: tuple[str, str], people: tuple[str, str], cars: tuple[str, str]):
    """A year's communiqué: its title, its paragraphs and a trade table captioned with the year."""
    paragraphs = [
        f"{year}年，全市上下坚持稳中求进工作总基调，经济运行总体平稳，社会大局保持稳定，发展质量稳步提升。",
        f"初步核算，全年全市实现地区生产总值{gdp}亿元，比上年增长5.1%。其中第一产业增加值增长2.3%，第二产业增加值增长4.6%。",
        f"年末全市参加失业保险人数{insured}万人，比上年末增加1.25万人，全年为2.3万名失业人员发放了失业保险金。",
        f"年末全市常住人口{people[0]}万人，比上年末增加2.59万人。其中城镇人口250.12万人，常住人口城镇化率{people[1]}%，比上年提高0.5个百分点。",
        f"全年失业保险基金收入{fund[0]}亿元，基金支出{fund[1]}亿元，年末失业保险基金累计结余有所增加。",
        f"全年粮食总产量{grain}万吨，比上年增长1.2%，其中夏粮产量增长0.8%，秋粮产量增长1.5%，粮食生产再获丰收。",
        "全年城镇新增就业人员5.6万人，城镇失业人员再就业1.2万人，就业困难人员就业0.4万人，就业形势总体稳定。",
    ]
    rows = [["国别和地区", "出口额（亿元）", "比上年增长（%）"], *[[name, value, "3.1"] for name, value in
                                                       zip(["亚洲", "欧洲", "北美洲", "非洲"], trade)]]
    output = [["产品名称", "计量单位", f"{year}年", "比上年增长（%）"], ["水泥", "吨", "6400", "-3.0"],
              ["汽车", "辆", cars[0], "1.9"], ["#新能源汽车", "辆", cars[1], "84.3"]]
    return f"青禾市{year}年国民经济和社会发展统计公报", paragraphs, rows, output


def _write_docx(path) -> None:
    import docx

    document = docx.Document()
    parts = [_part(2024, "1234.56", "23.81", "45.6", ["101.1", "88.2", "77.3", "12.4"], ("12.34", "10.12"), ("321.09", "77.9"), ("36339", "15499")),
             _part(2023, "1170.20", "22.56", "44.9", ["95.5", "80.6", "70.7", "11.8"], ("11.56", "9.87"), ("318.50", "76.4"), ("35660", "8405"))]
    for year_title, paragraphs, rows, output in parts:
        document.add_paragraph(year_title)
        document.add_paragraph("青禾市统计局")
        for text in paragraphs:
            for line in _printed_lines(text):
                document.add_paragraph(line)
        for caption, grid in ((f"{year_title[3:8]}青禾对主要国家、地区出口情况", rows),
                              (f"{year_title[3:8]}主要工业产品产量情况", output)):
            document.add_paragraph(caption)
            table = document.add_table(rows=len(grid), cols=len(grid[0]))
            for r, row in enumerate(grid):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(str(path))


@pytest.fixture(scope="module")
def years_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("years-corpus")
    _write_docx(corpus / "青禾市2023~2024年统计公报汇总.docx")
    return build_index(corpus, tmp_path_factory.mktemp("years-index"))


@pytest.fixture(scope="module")
def assistant(years_index):
    from bot.chain import Assistant

    return Assistant(years_index)


def test_printed_lines_are_read_as_whole_paragraphs(tmp_path):
    from bot.readers import read_report

    path = tmp_path / "青禾市2023~2024年统计公报汇总.docx"
    _write_docx(path)
    report = read_report(path, path.name)
    whole = [p.text for p in report.paragraphs if "失业保险人数" in p.text]
    assert len(whole) == 2 and all("万人，比上年末增加1.25万人" in t and t.endswith("失业保险金。") for t in whole), whole
    assert {p.year for p in report.paragraphs if "1170.20" in p.text} == {"2023"}
    assert {p.year for p in report.paragraphs if "1234.56" in p.text} == {"2024"}


def test_a_year_is_answered_from_its_own_part(assistant):
    # the figure was printed on the line after its metric: it is found only in the joined paragraph
    a2023 = assistant.ask("青禾市2023年末参加失业保险人数是多少？")
    a2024 = assistant.ask("青禾2024年地区生产总值是多少？")
    assert not a2023.refused and "22.56万人" in a2023.text.split("\n")[0], a2023.text
    assert "23.81" not in a2023.text.split("\n")[0]
    assert not a2024.refused and "1234.56" in a2024.text.split("\n")[0], a2024.text


def test_a_year_the_file_lacks_is_refused(assistant):
    answer = assistant.ask("青禾市2022年地区生产总值是多少？")
    assert answer.refused and answer.text.startswith(REFUSAL_ZH), answer.text


def test_the_asked_years_part_is_searched_first(years_index):
    from bot.index import load_index
    from bot.retrieve import hybrid_search

    index = load_index(years_index)
    evidence = hybrid_search(index, "青禾市2023年粮食总产量是多少？", 8)
    years = [e.chunk.year for e in evidence]
    part = sum(1 for c in index.chunks if c.year == "2023")
    # every passage of the 2023 part comes before any of the 2024 part's
    assert years[:min(part, 8)] == ["2023"] * min(part, 8), years
    assert "44.9万吨" in evidence[0].chunk.text or any("44.9万吨" in e.chunk.text for e in evidence[:3])



def test_a_follow_up_keeps_the_year_and_swaps_the_measure(assistant):
    from bot.question import resolve

    first = "青禾市2023年失业保险基金收入是多少？"
    # the follow-up repeats a word of the subject ("基金") beside the new measure
    assert resolve("基金支出呢？", first) == "青禾市2023年失业保险基金支出是多少？"
    answer = assistant.ask("基金支出呢？", [first])
    head = answer.text.split("\n")[0]
    assert not answer.refused and "9.87亿元" in head and "10.12" not in head, answer.text
    later = assistant.ask("那2024年呢？", [first])
    assert not later.refused and "12.34亿元" in later.text.split("\n")[0], later.text


def test_a_part_naming_only_a_measure_is_asked_of_the_parts_subject_and_year(assistant):
    from bot.question import sub_questions

    question = "青禾市2023年末常住人口多少？城镇化率多少？"
    assert sub_questions(question) == ["青禾市2023年末常住人口多少？", "青禾市2023年末城镇化率多少？"]
    answer = assistant.ask(question)
    head = answer.text.split("\n")[0]
    # the second part's figure sits in the first part's sentence: both are stated, the 2023 ones
    assert "318.50万人" in head and "76.4%" in head and "321.09" not in head, answer.text


def test_a_known_term_cut_across_by_the_segmenter_keeps_its_measure(assistant):
    from bot.match import needs_of
    from bot.question import analyse

    # the word segmenter reads "新能源|汽车产量"; the known term 新能源汽车 is one need and 产量 another
    question = "青禾市2023年新能源汽车产量是多少辆？"
    needs = {n.text for n in needs_of(analyse(question), assistant.index).items}
    assert {"新能源汽车", "产量"} <= needs and "汽车产量" not in needs, needs
    answer = assistant.ask(question)
    assert not answer.refused and "8405" in answer.text.split("\n")[0] and "15499" not in answer.text, answer.text
