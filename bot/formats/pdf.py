"""PDF -> Report, every block carrying its page number.

pypdf gives each page's text (and tells encrypted and image-only files apart); pdfplumber finds
ruled tables. On a page with tables the text is taken from pdfplumber *outside* the tables,
because pypdf's text runs the cells together line by line, duplicating and garbling them.
PDF text is hard-wrapped, so lines are re-flowed into paragraphs; running headers, footers and
page numbers repeated on most pages are dropped. OCR is out of scope: a scanned PDF is refused
with a message saying so.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from ..errors import UnreadableFile
from ..parse import SOURCE_RE, looks_like_title
from ..types import Report, Table
from .build import ReportBuilder, damaged_file, join_lines, tidy

PAGE_NUMBER_RE = re.compile(r"^([-–—\s]*\d{1,4}[-–—\s]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+|page\s*\d+(\s*of\s*\d+)?)$", re.I)
BULLET_RE = re.compile(r"^([•●○■□◆◇▪►·]|[（(]\s*\d{1,2}\s*[)）]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]+[、.．]"
                       r"|第[一二三四五六七八九十\d]+[章节部分])")
ENDS_SENTENCE_RE = re.compile(r"[。！？!?；;：:][”’\"'）)」』】]*$")
WORDS_RE = re.compile(r"[A-Za-z\u4e00-\u9fff]{2}")
FIX = "open it and print or export it to a new PDF, or download it again"


def read_pdf(path: Path, name: str) -> Report:
    if path.stat().st_size == 0:
        raise UnreadableFile(name, "the file is empty")
    with quiet_parsers():
        return _read_pdf(path, name)


@contextmanager
def quiet_parsers():
    """pypdf and pdfminer log warnings about damaged files straight to stderr; the user gets
    one UnreadableFile message instead (or nothing, when the file still reads well)."""
    loggers = [logging.getLogger(n) for n in ("pypdf", "pdfminer")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _read_pdf(path: Path, name: str) -> Report:
    texts, ruled = page_texts(path, name)
    if not any(t.strip() for t in texts):
        raise UnreadableFile(name, "no text could be extracted: it looks like a scanned image. OCR is not "
                                   "supported; use a PDF with selectable text (or the report's Word version)")
    furniture = running_lines(texts)
    builder = ReportBuilder(name, number_by_page=True)
    with damaged_file(name, "PDF", FIX):
        if not any(ruled):
            for number, text in enumerate(texts, 1):
                add_text(builder, text, number, furniture)
            return builder.build()
        import pdfplumber

        with pdfplumber.open(path, password="") as pdf:
            for number, page in enumerate(pdf.pages, 1):
                if ruled[number - 1]:
                    add_page(builder, page, number, texts[number - 1], furniture)
                else:
                    add_text(builder, texts[number - 1], number, furniture)
    return builder.build()


def page_texts(path: Path, name: str) -> tuple[list[str], list[bool]]:
    """Each page's text, and whether the page draws lines (so may hold a ruled table)."""
    import pypdf

    with damaged_file(name, "PDF", FIX):
        reader = pypdf.PdfReader(path)
        # Many reports are "encrypted" only to restrict printing: the empty password opens them.
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(name, "it is password-protected (encrypted); save a copy without the "
                                       "password and put that in the corpus")
        return [page.extract_text() or "" for page in reader.pages], [draws_lines(p) for p in reader.pages]


PATH_OPERATOR_RE = re.compile(rb"(?<![\w/])(re|l)\s")


def draws_lines(page) -> bool:
    """A cheap look at the page's drawing operators. pdfplumber's table finder needs the full
    layout of the page (most of the time spent on a PDF); a page that draws no rectangles or
    lines, directly or in a form XObject, has no ruled table to find."""
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is not None and any(x.get_object().get("/Subtype") == "/Form"
                                        for x in xobjects.get_object().values()):
            return True
        contents = page.get_contents()
        return bool(contents is not None and PATH_OPERATOR_RE.search(contents.get_data()))
    except Exception:  # noqa: BLE001 - when unsure, let pdfplumber look
        return True


def add_text(builder: ReportBuilder, text: str, number: int, furniture: set[str]) -> None:
    for kind, para in reflow(_content_lines(text, furniture)):
        builder.text(para, page=number, guess_heading=kind == "heading")


def add_page(builder: ReportBuilder, page, number: int, text: str, furniture: set[str]) -> None:
    found = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    if not found:
        add_text(builder, text, number, furniture)
        return
    boxes = [t.bbox for t in found]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    x0, top, x1, bottom = page.bbox
    edges = [top] + [v for b in boxes for v in (b[1], b[3])] + [bottom]
    first_on_page = True
    for k in range(len(found) + 1):
        band_top, band_bottom = max(edges[2 * k], top), min(edges[2 * k + 1], bottom)
        if band_bottom > band_top:
            band = outside.crop((x0, band_top, x1, band_bottom), strict=False).extract_text() or ""
            for kind, para in reflow(_content_lines(band, furniture)):
                builder.text(para, page=number, guess_heading=kind == "heading")
                first_on_page = False
        if k < len(found):
            rows = [[join_lines((cell or "").split("\n")) for cell in row] for row in found[k].extract()]
            add_table(builder, rows, number, continues=first_on_page)
            first_on_page = False


def add_table(builder: ReportBuilder, rows: list[list[str]], page: int, *, continues: bool) -> None:
    prev = builder.blocks[-1] if builder.blocks else None
    # A table at the top of a page, as wide as the table that ended the last page, is that table
    # continued: it keeps the caption (and header, which is often not repeated).
    if (continues and isinstance(prev, Table) and prev.page == page - 1 and rows
            and len(rows[0]) == len(prev.header)):
        if tuple(tidy(c) for c in rows[0]) == prev.header:
            rows = rows[1:]
        caption = prev.caption if prev.caption.endswith("（续）") else f"{prev.caption}（续）"
        builder.table([list(prev.header)] + rows, caption=caption, page=page)
        return
    builder.table(rows, page=page)


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def running_lines(texts: list[str]) -> set[str]:
    """Lines at the top or bottom of most pages (report name, publisher, "第3页"): furniture."""
    if len(texts) < 3:
        return set()
    counts: dict[str, int] = {}
    for text in texts:
        lines = [line for line in text.splitlines() if line.strip()]
        for line in set(map(_norm, lines[:2] + lines[-2:])):
            counts[line] = counts.get(line, 0) + 1
    need = max(3, (len(texts) + 1) // 2)
    return {line for line, n in counts.items() if n >= need}


def _content_lines(text: str, furniture: set[str]) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and _norm(line) not in furniture]
    # page numbers on their own line at the top or bottom of the page
    while lines and PAGE_NUMBER_RE.match(lines[-1]):
        lines.pop()
    while lines and PAGE_NUMBER_RE.match(lines[0]):
        lines.pop(0)
    return lines


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def reflow(lines: list[str]) -> list[tuple[str, str]]:
    """Hard-wrapped lines -> ("heading" | "text", text). A paragraph ends at a line short of the
    page's full line width (just short, if it closes a sentence); a bullet, numbered item or
    source note starts a new one; a short lone line with words and no closing punctuation is
    a heading candidate (or a table caption: the builder decides)."""
    full = max((display_width(line) for line in lines), default=0)
    out: list[tuple[str, str]] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append(("text", join_lines(buf)))
            buf.clear()

    for line in lines:
        if SOURCE_RE.match(line) or BULLET_RE.match(line):
            flush()
        width = display_width(line)
        if not buf and looks_like_title(line) and WORDS_RE.search(line) and (width < 0.75 * full or full < 40):
            out.append(("heading", line))
            continue
        buf.append(line)
        # Justified text fills every line but the last, so a full line ending in "。" may
        # still go on: only a line that also falls short closes the paragraph.
        if width < (0.95 if ENDS_SENTENCE_RE.search(line) else 0.85) * full:
            flush()
    flush()
    return out
