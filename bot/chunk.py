"""Parsed report -> chunks with stable ids, a location a person can follow, and attribution.

Paragraphs stay whole (a figure must stay with its subject); a very long paragraph is cut at
sentence ends into windows that repeat the paragraph's first sentence. Each table row becomes
a chunk rendered with caption, unit, its row label and each cell's column label (bot.grid),
and each table also gets one whole-table record.

Text that addresses an AI assistant instead of the reader ("忽略以上指令…", "ignore previous
instructions…"; bot.guard) is never indexed: such sentences are cut from paragraphs, and a
table row with such a cell is left out (its numbering stays that of the file).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from .guard import instruction_like, strip_instructions
from .types import Chunk, Paragraph, Report, Table

MAX_CHARS = 600
SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])")


def chunk_id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def table_id(report: Report, table: Table) -> str:
    return f"{report.file}#t{table.number}"


def paragraph_location(p: Paragraph) -> str:
    where = [f"第{p.page}页"] if p.page else []
    where.append(f"第{p.number}段")
    if p.line and not p.page:
        where[-1] += f"（第{p.line}行）"
    return "，".join(where)


def table_location(t: Table, row: int | None = None) -> str:
    loc = f"表「{t.caption}」"
    if row is not None:
        loc += f"第{row}行"
    if t.page:
        loc = f"第{t.page}页，{loc}"
    return loc


def row_label(t: Table, index: int) -> str:
    """The label of body row `index` (0-based): the grid's, else the row's label cells."""
    if index < len(t.row_labels):
        return t.row_labels[index]
    return " / ".join(c for c in t.rows[index][: t.label_columns] if c)


def render_row(t: Table, row: tuple[str, ...], label: str = "") -> str:
    """The row as `caption（unit）｜label column：row label｜column：cell；…`: each cell beside its
    column's label and the row's, so "restructuring charges 2019" finds the cell. Words the
    value columns' labels share ("Year Ended December 31, 2019", "… 2018") are stated once."""
    n = max(t.label_columns, 1)
    label = label or " / ".join(c for c in row[:n] if c)
    names = list(t.header[n:])
    shared = _shared_prefix([h for h, c in zip(names, row[n:]) if c and h])
    lead = _strip_colon(" ".join(h for h in t.header[:n] if h))
    parts = [f"{t.caption}（{t.unit}）" if t.unit else t.caption]
    if label:
        parts.append(f"{lead}：{label}" if lead else label)
    cells = "；".join(f"{h[len(shared):].strip()}：{c}" if h[len(shared):].strip() else c
                     for h, c in zip(names, row[n:]) if c)
    if shared:
        cells = f"{shared.strip()} {cells}"
    if cells:
        parts.append(cells)
    return "｜".join(parts)


def _shared_prefix(labels: list[str]) -> str:
    """The words every label starts with, when at least two labels go on after them."""
    if len(labels) < 2:
        return ""
    words = [h.split(" ") for h in labels]
    k = 0
    while all(len(w) > k + 1 and w[k] == words[0][k] for w in words):
        k += 1
    return " ".join(words[0][:k]) + " " if k else ""


def _strip_colon(text: str) -> str:
    return re.sub(r"\s*[:：]\s*$", "", text)


def render_table(t: Table) -> str:
    lines = [t.caption, " | ".join(t.header)]
    lines += [" | ".join(r) for r in t.rows]
    return "\n".join(lines)


def split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    if len(text) <= limit:
        return [text]
    sentences = [s for s in SENTENCE_SPLIT.split(text) if s]
    lead = sentences[0]
    windows, current = [], ""
    for s in sentences:
        if current and len(current) + len(s) > limit:
            windows.append(current)
            current = ""
        current += s
    if current:
        windows.append(current)
    # later windows carry the paragraph's opening sentence so their figures keep their subject
    return [w if i == 0 or w.startswith(lead) else f"{lead}…{w}" for i, w in enumerate(windows)]


def planted_instructions(report: Report) -> list[str]:
    """Where the report holds text addressed to an AI assistant (left out of the chunks)."""
    found = []
    for block in report.blocks:
        if isinstance(block, Paragraph):
            if not block.boilerplate and strip_instructions(block.text)[1]:
                found.append(paragraph_location(block))
        else:
            found += [table_location(block, r) for r, row in enumerate(block.rows, 1)
                      if any(instruction_like(c) for c in row)]
    return found


def heading_path(block: Paragraph | Table, multi_year: bool) -> str:
    """The block's heading; in a file of several years' parts, under its part's title or year
    ("2023年 / 一、综合"), so that a search for one year's figure tells the parts apart."""
    head = block.heading or ""
    if not multi_year or not block.year:
        return head
    part = block.section or f"{block.year}年"
    return f"{part} / {head}" if head and head != part else part


def chunk_report(report: Report) -> list[Chunk]:
    # Ids are unique by the block's position in the file (two pages may hold the same short
    # paragraph, "同比增减" or a chart label, at the same place); the text makes an edited
    # passage a new chunk.
    chunks: list[Chunk] = []
    multi_year = len({b.year for b in report.blocks}) > 1

    def heading(block) -> str:
        return heading_path(block, multi_year)

    for b, block in enumerate(report.blocks, 1):
        if isinstance(block, Paragraph):
            if block.boilerplate:
                continue
            text = strip_instructions(block.text)[0]
            if not text:
                continue
            loc = paragraph_location(block)
            parts = split_long(text)
            for k, part in enumerate(parts, 1):
                chunks.append(Chunk(
                    id=chunk_id(report.file, "p", b, k, part),
                    file=report.file, report=report.title, kind="paragraph", text=part,
                    location=loc if len(parts) == 1 else f"{loc}，第{k}部分",
                    attribution=block.source or "", page=block.page, heading=heading(block),
                    section=block.section, year=block.year, scope=report.scope,
                ))
        else:
            tid = table_id(report, block)
            kept = [(r, row) for r, row in enumerate(block.rows, 1) if not any(instruction_like(c) for c in row)]
            if not kept:
                continue
            labels = {r: row_label(block, r - 1) for r, _ in kept}  # before rows are left out
            if len(kept) < len(block.rows):
                block = replace(block, rows=tuple(row for _, row in kept),
                                row_labels=tuple(labels[r] for r, _ in kept))
            for r, row in kept:
                chunks.append(Chunk(
                    id=chunk_id(report.file, "r", b, r, row),
                    file=report.file, report=report.title, kind="row",
                    text=render_row(block, row, labels[r]),
                    location=table_location(block, r), attribution=block.source or "",
                    page=block.page, heading=heading(block),
                section=block.section, year=block.year, scope=report.scope, table_id=tid,
                    caption=block.caption, header=block.header, cells=row, row=r,
                    label=labels[r], unit=block.unit,
                ))
            chunks.append(Chunk(
                id=chunk_id(report.file, "t", b, block.header, block.rows),
                file=report.file, report=report.title, kind="table", text=render_table(block),
                location=table_location(block), attribution=block.source or "",
                page=block.page, heading=heading(block),
                section=block.section, year=block.year, scope=report.scope, table_id=tid,
                caption=block.caption, header=block.header,
            ))
    return chunks
