"""The one place that turns a format's text and tables into `Report` blocks.

Each format reader walks its file in reading order and calls `heading`, `text` and `table`;
the rules every format shares live here, the same as `parse.parse_text` applies to plain text:
- a "数据来源/资料来源…" line annotates the block above it (paragraph or table);
- a short line without closing punctuation right before a table is that table's caption;
- copyright notices and adverts are kept but marked `boilerplate`;
- cells stay the strings the file shows; only whitespace is tidied.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import UnreadableFile
from ..grid import is_period, is_unit, is_unit_line, read_grid, split_blocks, unit_in
from ..parse import BOILERPLATE_RE, SOURCE_RE, clean_caption, looks_like_title, title_from_file
from ..sections import TOP_ITEM_RE, finish
from ..types import Block, Paragraph, Report, Table

_PACKAGE = Path(__file__).resolve().parents[1]  # bot/
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break between two Chinese characters is not a space when the text is re-flowed
# (CSS Text 3 "segment break" rule): "市场\n规模" is "市场规模", not "市场 规模".
_CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*\n\s*(?=[{CJK}])")
_SPACES = re.compile(r"\s+")
WORDS_RE = re.compile(rf"[A-Za-z{CJK}]")


def tidy(text: str) -> str:
    """Whitespace as a reader sees it: breaks inside Chinese dropped, runs of spaces made one."""
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return _SPACES.sub(" ", _CJK_BREAK.sub("", text)).strip()


@contextmanager
def damaged_file(name: str, kind: str, fix: str):
    """Any failure inside a third-party parser means the file is damaged or not what its name
    says; parsers raise many exception types for that, and the user needs one message."""
    try:
        yield
    except UnreadableFile:
        raise
    except Exception as err:  # noqa: BLE001 - see docstring
        if _raised_by_us(err):
            raise  # a bug in our own reading code is ours to report, not the file's fault
        detail = f"{type(err).__name__}: {err}".strip().rstrip(":")[:200]
        raise UnreadableFile(name, f"it is not a readable {kind} ({detail}); {fix}") from None


def _raised_by_us(err: BaseException) -> bool:
    """Whether the innermost frame of the traceback is in this package, not a parser's."""
    tb = err.__traceback__
    while tb and tb.tb_next:
        tb = tb.tb_next
    return bool(tb) and Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE)


def join_lines(lines: list[str]) -> str:
    """Re-flow hard-wrapped lines (PDF text, multi-line cells) into one string."""
    return tidy("\n".join(line.strip() for line in lines if line and line.strip()))


@dataclass
class _Pending:
    text: str
    page: int | None
    as_heading: bool  # if no table claims it: a heading (PDF guesses) or a plain paragraph


@dataclass
class ReportBuilder:
    file: str
    # PDF paragraphs are numbered within their page, so "第3页，第2段" is where a person looks.
    number_by_page: bool = False
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    current_heading: str | None = None
    _pending: _Pending | None = None
    _paragraphs: int = 0
    _page_paragraphs: dict[int | None, int] = field(default_factory=dict)
    _tables: int = 0
    # what the file says about itself beside its body, for the report's scope (bot.sections):
    # "title" (PDF /Title, Word core properties, HTML <title>), "header" (a running header)
    meta: dict[str, str] = field(default_factory=dict)

    def heading(self, text: str, *, level: int = 2) -> None:
        text = tidy(text)
        if not text:
            return
        self._flush_pending()
        if level <= 1 and not self.title and not self.blocks:
            self.title = text
        else:
            self.current_heading = text

    def text(self, text: str, *, page: int | None = None, guess_heading: bool = False,
             caption: bool = False) -> None:
        """One line or paragraph of body text. `guess_heading`: the format has no heading markup
        (PDF), so a short title-like line is taken as a heading. `caption`: the format marks it
        as a caption (Word's Caption style)."""
        text = tidy(text)
        if not text:
            return
        if SOURCE_RE.match(text):
            self._flush_pending()
            if self.blocks:
                prev = self.blocks[-1]
                self.blocks[-1] = replace(prev, source=f"{prev.source}；{text}" if prev.source else text)
            else:  # nothing to annotate: keep it as text rather than lose it
                self._paragraph(text, page)
            return
        if caption or (looks_like_title(text) and not BOILERPLATE_RE.search(text)):
            self._flush_pending()
            if guess_heading and not self.title and not self.blocks:
                self.title = text
            else:
                self._pending = _Pending(text, page, guess_heading)
            return
        self._flush_pending()
        self._paragraph(text, page)

    def table(self, rows: list[list[str]], *, caption: str | None = None, page: int | None = None,
              default_caption: str | None = None, single_column_is_text: bool = True,
              continued: bool = False) -> None:
        """A grid of cell strings, header rows first. Title rows and source rows inside the grid
        (one value across the whole row) become the caption and the source note. The caption is
        the format's own (`caption`), else the short line above, else the title row, else
        `default_caption` (a sheet or file name), else "表N". The rest is read as a grid
        (bot.grid): header rows folded into one label per column, the unit, row labels.
        `continued`: the grid is the last table's continuation on the next page; it keeps that
        table's number (one table, one id) while its rows keep their own page."""
        grid = _tidy_grid(rows)
        inner_caption = None
        if len(grid) >= 3 and _title_row(grid[0]):
            inner_caption = single_value(grid.pop(0))
        sources = []
        while grid and single_value(grid[-1]) and SOURCE_RE.match(single_value(grid[-1])):
            sources.insert(0, single_value(grid.pop()))
        grid = _drop_empty_columns(grid)
        width = max((len(r) for r in grid), default=0)
        if len(grid) < 2 or (width < 2 and single_column_is_text):
            # One row or one column: in documents that is a text box or a callout, not data.
            if inner_caption:
                self.text(inner_caption, page=page)
            for row in grid:
                for cell in dict.fromkeys(c for c in row if c):  # merged cells repeat their text
                    self.text(cell, page=page)
            for note in sources:
                self.text(note, page=page)
            return
        if self._pending is not None and not WORDS_RE.search(self._pending.text):
            self._flush_pending()  # a page number or a bare figure above a table is no caption
        if caption is None and self._pending is not None:
            caption = self._pending.text
        elif self._pending is not None:
            self._flush_pending()
        self._pending = None
        notes = next((n for n in (caption, inner_caption) if n and unit_in(n)), "")
        if caption and is_unit_line(caption):  # a units line above the table ("单位：元") is no caption
            caption = None
        caption = clean_caption(caption or inner_caption or default_caption or "") or f"表{self._tables + 1}"
        previous = next((b for b in reversed(self.blocks) if isinstance(b, Table)), None)
        if continued and previous is not None:
            number = previous.number
        else:
            self._tables += 1
            number = self._tables
        # a body that starts over under its own header rows (another period's block) is read as
        # one table per block, each under its own column labels
        for k, block in enumerate(split_blocks(grid)):
            if k:
                self._tables += 1
                number = self._tables
            read = read_grid(block, caption=notes)
            self.blocks.append(Table(caption, read.header, read.rows, number, page=page,
                                     heading=self.current_heading, source="；".join(sources) or None,
                                     unit=read.unit, row_labels=read.row_labels, label_columns=read.label_columns))

    def build(self) -> Report:
        self._flush_pending()
        return finish(Report(file=self.file, title=self.title or title_from_file(self.file), blocks=self.blocks),
                      self.meta)

    def _flush_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        # a top-level numbered line ("一、综合") heads what follows in any format
        if pending.as_heading or TOP_ITEM_RE.match(pending.text):
            self.current_heading = pending.text
        else:
            self._paragraph(pending.text, pending.page)

    def _paragraph(self, text: str, page: int | None) -> None:
        self._paragraphs += 1
        number = self._paragraphs
        if self.number_by_page:
            number = self._page_paragraphs[page] = self._page_paragraphs.get(page, 0) + 1
        self.blocks.append(Paragraph(text, number, page=page, heading=self.current_heading,
                                     boilerplate=bool(BOILERPLATE_RE.search(text))))


def _tidy_grid(rows: list[list[str]]) -> list[list[str]]:
    grid = [[tidy(c or "") for c in row] for row in rows]
    return [row for row in grid if any(row)]


def single_value(row: list[str]) -> str:
    """The row's text when the whole row holds one value (merged cells repeat it), else ""."""
    values = {c for c in row if c}
    return values.pop() if len(values) == 1 and len(row) > 1 else ""


def _title_row(row: list[str]) -> bool:
    """A row holding one value that titles the table: not a source note, a unit note (the grid
    takes it as the unit) or a period span over the columns ("Year Ended December 31,")."""
    value = single_value(row)
    return bool(value) and not SOURCE_RE.match(value) and not is_unit(value) and not is_period(value)


def _drop_empty_columns(grid: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in grid), default=0)
    keep = [j for j in range(width) if any(j < len(r) and r[j] for r in grid)]
    return [[r[j] if j < len(r) else "" for j in keep] for r in grid]
