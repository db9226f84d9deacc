from bot.chunk import chunk_report, split_long
from bot.parse import parse_text
from bot.readers import read_report

from conftest import SHIPPED_CORPUS


def shipped_chunks():
    path = next(SHIPPED_CORPUS.glob("*.txt"))
    return chunk_report(read_report(path, path.name))


def test_chunk_ids_are_stable_across_runs():
    assert [c.id for c in shipped_chunks()] == [c.id for c in shipped_chunks()]


def test_chunk_ids_are_unique():
    ids = [c.id for c in shipped_chunks()]
    assert len(ids) == len(set(ids))


def test_editing_one_paragraph_changes_only_its_id():
    text = "标题\n第一段，规模为10亿元。\n第二段，增长为5%。\n"
    a = chunk_report(parse_text(text, "x.txt"))
    b = chunk_report(parse_text(text.replace("5%", "6%"), "x.txt"))
    assert a[0].id == b[0].id and a[1].id != b[1].id


def test_one_chunk_per_row_plus_a_whole_table_record():
    chunks = shipped_chunks()
    rows = [c for c in chunks if c.kind == "row"]
    tables = [c for c in chunks if c.kind == "table"]
    assert len(tables) == 1
    assert len(rows) == tables[0].text.count("\n") - 1  # caption and header lines are not rows
    assert all(c.caption in c.text and c.header[0] in c.text for c in rows)


def test_row_location_names_caption_and_row_and_keeps_attribution():
    row = next(c for c in shipped_chunks() if c.kind == "row" and c.row == 3)
    assert row.location == f"表「{row.caption}」第3行"
    assert row.attribution.startswith("资料来源")


def test_paragraph_keeps_figure_with_subject_and_location():
    chunk = next(c for c in shipped_chunks() if "亿元" in c.text)
    assert "市场规模" in chunk.text
    assert chunk.location.startswith("第") and "段" in chunk.location
    assert chunk.attribution


def test_long_paragraph_windows_repeat_the_opening_sentence():
    text = "开头一句说明主题。" + "".join(f"第{i}项指标为{i}.5%。" for i in range(200))
    parts = split_long(text, 300)
    assert len(parts) > 1
    assert all(p.startswith("开头一句说明主题。") for p in parts)
    assert all(len(p) <= 300 + len("开头一句说明主题。…") for p in parts)
