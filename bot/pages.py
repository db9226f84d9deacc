"""A PDF page as a PNG, with the cited words under a translucent highlight.

`render_page(path, n, highlight)` renders page n (1-based, as citations number pages) with
pypdfium2 and marks where the words of `highlight` stand on it. The words are found in the
page's own characters (pdfplumber), matched on the character sequence with whitespace removed:
Chinese has no spaces, and a PDF's spaces and line breaks fall anywhere. Each matched character
keeps its box, so a passage wrapped over several lines is marked line by line.

`highlight` is a passage, or a table row's cells separated by `|` (or `｜`, a tab; within them a
line break or `；` separates too): each cell is then found on its own, and a cell that occurs several times on the page is
taken on the line of the row's most distinctive cell. A "column：value" piece, as the index's
row quotes write them, is found by its value when the whole is not on the page.

A page with no text layer that matches falls back on the OCR words of `bot.formats.ocr.page_words`
when that module is installed. Rendered pages are kept in a small LRU cache keyed by the file's
content hash, the page and the highlight.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from .errors import BotError

log = logging.getLogger("bot.pages")

DPI = 120  # readable on a laptop screen, ~1000 px wide for A4, a PNG of a few hundred KB
MAX_HIGHLIGHT = 1000  # characters; a cited passage is far shorter
# A run of matched characters shorter than this, inside a passage not found whole, is taken for a
# chance match ("的", "2024", "增长") rather than part of the passage.
MIN_RUN = 6
FILL = (255, 214, 0, 96)  # translucent yellow over the words
EDGE = (230, 150, 0, 220)
PAD = 1.5  # points around each marked line
CACHE_ENTRIES = 48
# pieces of a table row's highlight ("label | cell | cell"); also the index's own row quotes
PIECE_SPLIT_RE = re.compile(r"[|｜\t\n；;]+")
CELL_SEPARATOR_RE = re.compile(r"[|｜\t]")  # what makes a highlight a row's cells rather than a passage
LABEL_VALUE_RE = re.compile(r"^.*[：:]")

_pdfium_lock = threading.Lock()  # PDFium is not thread-safe: one call into it at a time


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points from the page's top-left corner (pdfplumber's coordinates)."""
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Glyph:
    """One non-space character of the page and its box."""
    text: str
    box: Box


@dataclass(frozen=True)
class PageImage:
    png: bytes
    width: int  # pixels
    height: int
    boxes: tuple[Box, ...]  # the marked lines, in PDF points
    source: str  # where the words were found: "text" (the PDF's text layer), "ocr", or "" (not found)


class PageError(BotError):
    """A page that cannot be shown: out of range, or a file PDFium cannot open."""


# -- finding the words ----------------------------------------------------------------------
def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _sequence(glyphs: list[Glyph]) -> tuple[str, list[int]]:
    """The page's text, normalised, without whitespace; and for each of its characters the
    index of the glyph it came from (NFKC may turn one glyph into several characters)."""
    chars, owners = [], []
    for i, g in enumerate(glyphs):
        for ch in _norm(g.text):
            if not ch.isspace():
                chars.append(ch)
                owners.append(i)
    return "".join(chars), owners


def _squash(text: str) -> str:
    return "".join(ch for ch in _norm(text) if not ch.isspace())


def _occurrences(page: str, piece: str) -> list[int]:
    found, start = [], page.find(piece)
    while start >= 0:
        found.append(start)
        start = page.find(piece, start + 1)
    return found


def _passage_spans(page: str, piece: str) -> list[tuple[int, int]]:
    """Where a passage stands on the page: the whole of it, else the long runs it shares with
    the page in order (a passage that goes on over the page break, or that a running header
    interrupts, is only partly here)."""
    at = page.find(piece)
    if at >= 0:
        return [(at, at + len(piece))]
    if len(piece) < MIN_RUN:
        return []
    blocks = SequenceMatcher(None, page, piece, autojunk=False).get_matching_blocks()
    return [(b.a, b.a + b.size) for b in blocks if b.size >= MIN_RUN]


def _centre(glyphs: list[Glyph], owners: list[int], start: int, end: int) -> float:
    boxes = [glyphs[owners[k]].box for k in range(start, end)]
    return sum((b.top + b.bottom) / 2 for b in boxes) / len(boxes)


def _height(glyphs: list[Glyph], owners: list[int], start: int, end: int) -> float:
    return max(glyphs[owners[k]].box.bottom - glyphs[owners[k]].box.top for k in range(start, end))


def match_spans(glyphs: list[Glyph], highlight: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the page sequence that the highlight's words cover."""
    page, owners = _sequence(glyphs)
    whole = _squash(highlight)
    if not page or not whole:
        return []
    at = page.find(whole)
    if at >= 0:  # the words as one run: a passage, semicolons and all
        return [(at, at + len(whole))]
    if not CELL_SEPARATOR_RE.search(highlight):
        return _passage_spans(page, whole)
    pieces = [p for p in (_squash(x) for x in PIECE_SPLIT_RE.split(highlight)) if p]
    # a row's cells: each found on its own; where one occurs several times, the occurrence on
    # the line of the most distinctive cell (the fewest occurrences, then the longest) is taken
    found: dict[int, list[int]] = {}
    for i, piece in enumerate(pieces):
        hits = _occurrences(page, piece)
        if not hits:
            value = LABEL_VALUE_RE.sub("", piece)  # "2024年：27,616.61" -> the value alone
            if value and value != piece:
                pieces[i], hits = value, _occurrences(page, value)
        if hits:
            found[i] = hits
    if not found:
        return _passage_spans(page, "".join(pieces))
    anchor = min(found, key=lambda i: (len(found[i]), -len(pieces[i])))
    a = found[anchor][0]
    line = _centre(glyphs, owners, a, a + len(pieces[anchor]))
    tolerance = 1.5 * _height(glyphs, owners, a, a + len(pieces[anchor]))
    spans: list[tuple[int, int]] = []
    for i in sorted(found):  # left to right, as the row reads: a repeated value takes the next one
        size = len(pieces[i])
        on_line = [s for s in found[i] if abs(_centre(glyphs, owners, s, s + size) - line) <= tolerance
                   and not any(s < e and s + size > b for b, e in spans)]
        after = [s for s in on_line if not spans or s >= spans[-1][1]]
        if after or on_line:
            best = (after or on_line)[0]
            spans.append((best, best + size))
    return sorted(spans)


def _line_boxes(glyphs: list[Glyph], owners: list[int], spans: list[tuple[int, int]]) -> list[Box]:
    """One box per line of each matched span: consecutive glyphs on the same line are joined."""
    out: list[Box] = []
    for start, end in spans:
        current: Box | None = None
        last = -1
        for k in range(start, end):
            gi = owners[k]
            if gi == last:
                continue
            last = gi
            b = glyphs[gi].box
            same_line = current is not None and b.top < current.bottom and b.bottom > current.top \
                and b.x0 >= current.x0 - 1
            if same_line:
                current = Box(min(current.x0, b.x0), min(current.top, b.top), max(current.x1, b.x1),
                              max(current.bottom, b.bottom))
            else:
                if current is not None:
                    out.append(current)
                current = b
        if current is not None:
            out.append(current)
    return out


def find_boxes(glyphs: list[Glyph], highlight: str) -> list[Box]:
    """The boxes (one per marked line) of the highlight's words among these glyphs."""
    if not highlight or not highlight.strip():
        return []
    _, owners = _sequence(glyphs)
    return _line_boxes(glyphs, owners, match_spans(glyphs, highlight))


def text_glyphs(path: Path, n: int) -> tuple[list[Glyph], tuple[float, float]]:
    """The page's characters with their boxes, and the page's top-left corner (its crop box,
    which is what PDFium renders) in the same coordinates."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[n - 1]
        glyphs = [Glyph(c["text"], Box(c["x0"], c["top"], c["x1"], c["bottom"]))
                  for c in page.chars if c.get("text") and not c["text"].isspace()]
        return glyphs, (page.cropbox[0], page.cropbox[1])


def ocr_glyphs(path: Path, n: int, index_dir: Path | None = None) -> list[Glyph]:
    """The page's OCR words as glyphs (each word's width shared evenly among its characters),
    when the OCR module is installed; else nothing."""
    try:
        from .formats.ocr import page_words  # provided by the OCR reader, when present
    except ImportError:
        return []
    try:
        words = page_words(path, n, index_dir) or []
    except Exception as err:  # noqa: BLE001 - a page view without OCR marks is still a page view
        log.warning("OCR of %s page %d failed: %s", path.name, n, err)
        return []
    glyphs = []
    for w in words:
        text = "".join(ch for ch in str(w.get("text", "")) if not ch.isspace())
        if not text:
            continue
        x0, x1, top, bottom = float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"])
        step = (x1 - x0) / len(text)
        glyphs += [Glyph(ch, Box(x0 + i * step, top, x0 + (i + 1) * step, bottom)) for i, ch in enumerate(text)]
    return glyphs


# -- rendering ------------------------------------------------------------------------------
@contextmanager
def _open_pdf(path: Path):
    """The PDF open in PDFium, under the lock (PDFium is not thread-safe), closed after."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as err:
            raise PageError(f"The file {path.name} cannot be opened as a PDF ({err}).") from None
        try:
            yield pdf
        finally:
            pdf.close()


def page_count(path: Path) -> int:
    with _open_pdf(path) as pdf:
        return len(pdf)


def _render(path: Path, n: int, dpi: int):
    with _open_pdf(path) as pdf:
        if not 1 <= n <= len(pdf):
            raise PageError(f"{path.name} has {len(pdf)} pages; there is no page {n}.")
        page = pdf[n - 1]
        bitmap = page.render(scale=dpi / 72)
        image = bitmap.to_pil().convert("RGB")
        bitmap.close()
        page.close()
        return image


def render_page(path: Path, n: int, highlight: str = "", dpi: int = DPI,
                index_dir: Path | None = None) -> PageImage:
    """Page n of the PDF at `path` as a PNG with the highlight's words marked (PageError when
    there is no such page); a page without text is marked from the OCR words ingest cached in
    `index_dir`."""
    from PIL import Image, ImageDraw

    image = _render(path, n, dpi)
    boxes: list[Box] = []
    source = ""
    origin = (0.0, 0.0)
    if highlight.strip():
        glyphs, origin = text_glyphs(path, n)
        boxes = find_boxes(glyphs, highlight)
        if boxes:
            source = "text"
        else:
            boxes = find_boxes(ocr_glyphs(path, n, index_dir), highlight)
            source = "ocr" if boxes else ""
    if boxes:
        scale = dpi / 72
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for b in boxes:
            rect = [(b.x0 - origin[0] - PAD) * scale, (b.top - origin[1] - PAD) * scale,
                    (b.x1 - origin[0] + PAD) * scale, (b.bottom - origin[1] + PAD) * scale]
            draw.rectangle(rect, fill=FILL, outline=EDGE, width=max(1, round(scale)))
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return PageImage(out.getvalue(), image.width, image.height, tuple(boxes), source)


# -- the cache ------------------------------------------------------------------------------
class PageCache:
    """Rendered pages by (file content hash, page, highlight, dpi), least recently used out."""

    def __init__(self, entries: int = CACHE_ENTRIES, index_dir: Path | None = None):
        self.entries = entries
        self.index_dir = index_dir  # where ingest cached the OCR words of pages without text
        self._pages: OrderedDict[tuple, PageImage] = OrderedDict()
        self._hashes: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def file_hash(self, path: Path) -> str:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._hashes.get(key)
        if known is None:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            known = digest.hexdigest()
            with self._lock:
                if len(self._hashes) > 4 * self.entries:
                    self._hashes.clear()
                self._hashes[key] = known
        return known

    def page(self, path: Path, n: int, highlight: str = "", dpi: int = DPI) -> PageImage:
        key = (self.file_hash(path), n, highlight, dpi)
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None:
                self._pages.move_to_end(key)
                return hit
        made = render_page(path, n, highlight, dpi, self.index_dir)
        with self._lock:
            self._pages[key] = made
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)
        return made
