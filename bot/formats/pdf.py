"""PDF -> Report, every block carrying its page number.

pdfplumber gives every word with its position. From the positions come:
- ruled tables, found from the page's rules only (thin rectangles and lines): the grey shading
  Word draws behind each line of a cell would otherwise cut every wrapped cell into rows;
  merged cells are repeated into every column and row they cover, as the other readers do;
- borderless tables: lines whose trailing words are numbers standing in the same columns as
  the lines around them, with their leading text as row labels and the aligned line above as
  header (prose has words between its numbers, or numbers that do not line up);
- paragraphs: PDF text is hard-wrapped, so a paragraph goes on while its lines reach the right
  edge of the text column (indented first lines included) and ends at a line falling short;
  running headers, footers and page numbers repeated on most pages are dropped;
- the title: the largest type on the first page.
pypdf only tells encrypted files apart. A page without a text layer, or with a garbage one
(bot.formats.ocr.garbage_text), is rendered and read by OCR; so is a large image on a page that
has text (a pasted picture of a table). OCR words carry their positions in points, so they go
through the same lines, columns and borderless tables as a text layer's words.
"""
from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableFile
from ..parse import SOURCE_RE, looks_like_title
from ..types import Report, Table
from .build import CJK, ReportBuilder, damaged_file, join_lines, tidy
from .ocr import LARGE_IMAGE, LOW_CONFIDENCE, PdfOcr, garbage_text
from .ocr import summary as ocr_summary

PAGE_NUMBER_RE = re.compile(r"^([-–—\s]*\d{1,4}[-–—\s]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+|page\s*\d+(\s*of\s*\d+)?)$", re.I)
BULLET_RE = re.compile(r"^([•●○■□◆◇▪►·]|[（(]\s*\d{1,2}\s*[)）]|\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]+[、.．]"
                       r"|第[一二三四五六七八九十\d]+[章节部分])")
ENDS_SENTENCE_RE = re.compile(r"[。！？!?；;：:.][”’\"'）)」』】]*$")
WORDS_RE = re.compile(r"[A-Za-z\u4e00-\u9fff]{2}")
FIX = "open it and print or export it to a new PDF, or download it again"

# A cell or column value: 1,234.5  -0.17%  (13,164)  $3.3  ¥12  and the dashes tables use for "none".
VALUE_RE = re.compile(r"[-+−–]?[(（]?[-+−]?[$¥￥€£]?\d[\d,，]*(?:\.\d+)?%?[)）]?|[-—–]{1,2}|n/?a|\*"
                      r"|(?!(?:19|20)\d\d[-–](?:\d\d|(?:19|20)\d\d)$)\d[\d,]*(?:\.\d+)?[-–]\d[\d,]*(?:\.\d+)?",
                      re.I)  # and a range (27.30-37.35, pages 1-10), but a span of years (1996–97) is a label
# dot leaders between a label and its figures ("Defense ........ 699"), or filling an empty cell
LEADER_RE = re.compile(r"[.．·…]{3,}$")
# a row label says what the row is: it has letters or CJK, not only numbers (chart axes do not)
LABEL_RE = re.compile(rf"[A-Za-z{CJK}]")
YEAR_RE = re.compile(r"(19|20)\d\d")
# a label and its figure printed without a space: "2021年：497.1", "Revenue:1,234"
FUSED_VALUE_RE = re.compile(rf"^(.*[{CJK}:])([-+−]?\d[\d,]*(?:\.\d+)?%?)$")


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


# ----- spacing -----

CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_LATIN = "A-Za-z0-9%"
# Text extraction puts a space wherever the typesetter left a gap, and CJK typesetting leaves
# one between Chinese and Latin letters or digits ("2021 年", "A 股"), and around full-width
# punctuation; a reader (and a search for "2021年") sees none.
_CJK_LATIN_SPACE = re.compile(rf"(?<=[{CJK}])[ \t]+(?=[{_LATIN}])|(?<=[{_LATIN}])[ \t]+(?=[{CJK}])")
_PUNCT_SPACE = re.compile(rf"(?<=[{CJK_PUNCT}])[ \t]+(?=[{CJK}{_LATIN}])|(?<=[{CJK}{_LATIN}])[ \t]+(?=[{CJK_PUNCT}])")
# Justified Chinese lines spread their characters apart: "公 司 在 《 证 券 时 报 》".
_LETTER_SPACED = re.compile(rf"(?<!\S)[{CJK}](?: [{CJK}]){{3,}}(?!\S)")


def fix_spacing(text: str) -> str:
    text = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _PUNCT_SPACE.sub("", _CJK_LATIN_SPACE.sub("", text))


# A line broken after a hyphen or inside a number goes on without a space: "83360999-" +
# "392210" is one phone number, "7,876," + "324,777.25" one figure.
_GLUE_RE = re.compile(r"(?<=[A-Za-z0-9][-‐/])[ \t]*\n\s*(?=[A-Za-z0-9])|(?<=\d[,.])[ \t]*\n\s*(?=\d)")


def join_text(lines: list[str]) -> str:
    text = _GLUE_RE.sub("", "\n".join(line.strip() for line in lines if line and line.strip()))
    return fix_spacing(join_lines(text.split("\n")))


# ----- the page as positioned lines and tables -----

@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    conf: float = 1.0  # OCR's confidence; 1 for a text layer's words


@dataclass
class Line:
    words: list[Word]
    top: float = 0.0
    bottom: float = 0.0
    side: int = 0  # on a page cut by a gutter: 1 left of it, 2 right of it, 0 across
    edges: tuple[float, float] | None = None  # the text column's edges when the page has two

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def text(self) -> str:
        out = self.words[0].text
        for a, b in zip(self.words, self.words[1:]):
            out += ("" if _ordinal_suffix(a, b) else " ") + b.text
        return fix_spacing(out)


# ordinal suffixes set as superscripts ("29th", "45th"): a separate, raised word in the PDF
ORDINAL_SUFFIX_RE = re.compile(r"st|nd|rd|th|er|e|re|ème", re.I)


def _ordinal_suffix(a: "Word", b: "Word") -> bool:
    """`b` is the raised ordinal suffix of the number `a`, printed touching it."""
    return (a.text[-1:].isdigit() and bool(ORDINAL_SUFFIX_RE.fullmatch(b.text)) and b.x0 - a.x1 < 0.2 * a.size
            and b.size < 0.85 * a.size and b.bottom < a.bottom - 0.15 * (a.bottom - a.top))


@dataclass
class Grid:
    top: float
    rows: list[list[str]]
    side: int = 0


@dataclass
class PageLayout:
    number: int
    items: list[Line | Grid] = field(default_factory=list)  # top to bottom

    @property
    def lines(self) -> list[Line]:
        return [i for i in self.items if isinstance(i, Line)]


def _read_pdf(path: Path, name: str) -> Report:
    refuse_encrypted(path, name)
    with damaged_file(name, "PDF", FIX):
        import pdfplumber

        with pdfplumber.open(path, password="") as pdf, PdfOcr(path) as reader:
            pages = [page_layout(page, number, reader) for number, page in enumerate(pdf.pages, 1)]
            info = pdf.metadata or {}
            read = {n: reader.words(n) for n in reader.read}
    if not any(p.items for p in pages):
        raise UnreadableFile(name, "no text could be extracted, not even by OCR: the pages look blank, or are "
                                   "scanned pictures without legible text; use a clearer scan, a PDF with "
                                   "selectable text, or the report's Word version")
    builder = ReportBuilder(name, number_by_page=True)
    title = info.get("Title")
    if isinstance(title, str) and title.strip():  # the document's own /Title, for its scope
        builder.meta["title"] = tidy(title)
    Writer(builder, pages).write()
    return with_ocr_facts(builder.build(), read)


def with_ocr_facts(report: Report, read: dict[int, list]) -> Report:
    """The pages OCR read, their words' mean confidence, and the figures read with low confidence
    per page (a citation of them says to check them against the page)."""
    if read:
        pages, mean = ocr_summary(read)
        low = {n: sorted({w.text for w in words if w.conf < LOW_CONFIDENCE and any(c.isdigit() for c in w.text)})
               for n, words in read.items()}
        report.ocr = {"pages": pages, "confidence": mean, "low": {n: f for n, f in low.items() if f}}
    return report


def refuse_encrypted(path: Path, name: str) -> None:
    import pypdf

    with damaged_file(name, "PDF", FIX):
        reader = pypdf.PdfReader(path)
        # Many reports are "encrypted" only to restrict printing: the empty password opens them.
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(name, "it is password-protected (encrypted); save a copy without the "
                                       "password and put that in the corpus")


def page_layout(page, number: int, reader: "PdfOcr | None" = None) -> PageLayout:
    page = visible(page)
    words = page_words(page)
    if reader is not None and garbage_text("".join(w.text for w in words)):
        # no text layer, or one that reads as nothing: the page as OCR reads it, its tables'
        # ruling lines found in the picture
        found = to_words(reader.page(number))
        ruled, found = image_ruled_tables(page, reader.rules(number), found)
        return words_layout(found, number, ruled, sized=False)
    ruled, framed = ruled_tables(page, words)
    boxes = [box for box, _ in ruled] + [box for box, _ in framed]
    frames = [Frame(box[1], [words_layout(part, number, in_frame=True).items for part in _parts(words, regions)])
              for box, regions in framed]
    words = [w for w in words if not _inside(w, boxes)]
    if reader is not None and (regions := large_images(page)):
        # pictures of text (a table pasted as an image): their words, where no text-layer word stands
        found = [w for w in to_words(reader.page(number, regions)) if not _overlaps(w, words)]
        words += found
    return words_layout(words, number, ruled, frames)


def _parts(words: list[Word], regions: list[tuple]) -> list[list[Word]]:
    """The words of each region, a word in the first region holding it."""
    parts: list[list[Word]] = [[] for _ in regions]
    for w in words:
        k = next((k for k, region in enumerate(regions) if _inside(w, [region])), None)
        if k is not None:
            parts[k].append(w)
    return parts


def visible(page):
    """The page without the text set outside its box: a spread exported as single pages keeps the
    whole spread's text on each page, the other half beside the page where no reader sees it
    (pdfplumber keeps it); read with the page, it would repeat on both pages, interleaved with
    the visible half's lines."""
    x0, top, x1, bottom = page.bbox

    def shown(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return x0 <= cx <= x1 and top <= cy <= bottom
    return page.filter(shown)


def image_ruled_tables(page, rules: list[tuple], words: list[Word]) -> tuple[list, list[Word]]:
    """Ruled tables of a scanned page: pdfplumber's table finder on the ruling lines found in the
    picture, each cell holding the OCR words whose centre is in it; then the same sections,
    side-by-side blocks and header bands as a text layer's ruled tables. Returns the tables and
    the words outside them."""
    horizontal = [_edge(r, "h") for r in rules if r[2] - r[0] > r[3] - r[1]]
    vertical = [_edge(r, "v") for r in rules if r[2] - r[0] <= r[3] - r[1]]
    if len(horizontal) < 2 or len(vertical) < 2:
        return [], words
    settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal}
    out = []
    for table in sorted(page.find_tables(settings), key=lambda t: t.bbox[1]):
        cells = {}
        for row in table.rows:
            for box in row.cells:
                if box is not None:
                    inside = [w for w in words if _inside(w, [box])]
                    lines = group_lines(inside, sized=False)
                    cells[box] = "\n".join(fix_spacing(" ".join(w.text for w in ln.words)) for ln in lines)
        grids = [g for section in sections(cells) for block in side_by_side(section)
                 for g in header_bands(unfold(block))]
        if any(sum(1 for j in range(len(g[0])) if any(r[j] for r in g)) >= 2 for g in grids):
            out.append((table.bbox, grids))
    boxes = [box for box, _ in out]
    return out, [w for w in words if not _inside(w, boxes)]


def _edge(rule: tuple, orientation: str) -> dict:
    """A ruling line found in a picture as the edge object pdfplumber's table finder takes."""
    x0, top, x1, bottom = rule
    if orientation == "h":
        top = bottom = (top + bottom) / 2
    else:
        x0 = x1 = (x0 + x1) / 2
    return {"object_type": "line_edge", "orientation": orientation, "x0": x0, "x1": x1, "top": top,
            "bottom": bottom, "doctop": top, "width": x1 - x0, "height": bottom - top, "y0": 0, "y1": 0}


def large_images(page) -> list[tuple[float, float, float, float]]:
    """The boxes of images covering at least LARGE_IMAGE of the page (clipped to it)."""
    width, height = float(page.width), float(page.height)
    out = []
    for im in page.images:
        x0, top = max(0.0, float(im["x0"])), max(0.0, float(im["top"]))
        x1, bottom = min(width, float(im["x1"])), min(height, float(im["bottom"]))
        if (x1 - x0) * (bottom - top) >= LARGE_IMAGE * width * height:
            out.append((x0, top, x1, bottom))
    return out


def to_words(found: list) -> list[Word]:
    """OCR words as the reader's words; a line's height stands for its type size."""
    return [Word(w.text, w.x0, w.x1, w.top, w.bottom, max(w.bottom - w.top, 1.0), w.conf)
            for w in found if not LEADER_RE.match(w.text)]


def _overlaps(w: Word, words: list[Word]) -> bool:
    """Whether an OCR word stands where the text layer has words: its centre in one of them, or
    a third of its box covered by them (OCR reads a line of text drawn over a picture as words
    of its own size and cut, which would repeat the text layer's words beside them)."""
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    area = max((w.x1 - w.x0) * (w.bottom - w.top), 1e-6)
    covered = 0.0
    for o in words:
        if o.x0 <= cx <= o.x1 and o.top <= cy <= o.bottom:
            return True
        dx, dy = min(w.x1, o.x1) - max(w.x0, o.x0), min(w.bottom, o.bottom) - max(w.top, o.top)
        if dx > 0 and dy > 0:
            covered += dx * dy
    return covered >= area / 3


def words_layout(words: list[Word], number: int, ruled: list | None = None, frames: list | None = None,
                 in_frame: bool = False, sized: bool = True) -> PageLayout:
    """Positioned words (and the ruled tables and frames already found) -> the page's lines and
    tables. `in_frame`: the words of one region of a layout frame, whose tables may have columns
    of words as well as figures (they are read under their header line)."""
    ruled = ruled or []
    lines = group_lines(words, sized)  # (OCR words' heights are no type sizes: sized=False)
    items: list = []
    if in_frame:  # a table under its header line spans what would look like columns
        found, lines = header_tables(lines)
        items += found
    cut = gutter(lines)
    if cut is None:
        found, lines = borderless_tables(lines)
        items += [*lines, *found]
    else:
        lines = split_at(lines, cut)
        for side in (1, 2):  # each column's tables from its own lines (full-width ones go left)
            found, kept = borderless_tables([ln for ln in lines if (ln.side or 1) == side])
            for grid in found:
                grid.side = side
            items += [*kept, *found]
    items = drop_axis_labels(items)
    for box, grids in ruled:
        side = 0 if cut is None or box[0] < cut < box[2] else 1 if box[2] <= cut else 2
        items += [Grid(box[1] + k * 1e-3, rows, side) for k, rows in enumerate(grids)]
    items += frames or []
    # a frame's regions are read whole, one after the other, where the frame stands
    ordered = [i for item in reading_order(items)
               for i in (item.flat() if isinstance(item, Frame) else [item])]
    return PageLayout(number, ordered)


@dataclass
class Frame:
    """A layout frame drawn as a ruled table: its regions' lines and tables, region by region."""
    top: float
    regions: list[list]
    side: int = 0

    def flat(self) -> list:
        return [i for region in self.regions for i in region]


AXIS_TICK_RE = re.compile(r"[-+−–]?\d[\d,.]*%?|\d{2,4}[/年-]\d{1,2}月?|\d{0,4}[QH][1-4](?:\s*\d{2,4})?|[1-4][QH]\d{0,4}")


def drop_axis_labels(items: list) -> list:
    """Lines of bare figures left after the tables are found are a chart's axis ticks ("30%",
    "20%", "24/10 24/12 25/2"): a reader has no words to read them by, and as paragraphs they
    would answer questions. Dropped when the page holds three or more, or one line holds three;
    so are lines of four or more single letters (month initials) and letters stacked one per
    line (a rotated axis title)."""
    def bare(item) -> bool:
        return isinstance(item, Line) and all(AXIS_TICK_RE.fullmatch(w.text) for w in item.words)

    # (Latin letters only: letter-spaced Chinese is words of one character too)
    def letters(item) -> bool:  # "J F M A M J J A S O N D": month initials under a chart
        return isinstance(item, Line) and len(item.words) >= 4 and all(
            len(w.text) == 1 and w.text.isascii() and w.text.isalpha() for w in item.words)

    def short(item) -> bool:
        return isinstance(item, Line) and len(item.text) <= 2 and item.text.isascii()

    def stacked(item) -> bool:  # a rotated axis title printed a letter per line ("$/gal" upright)
        return short(item) and sum(
            1 for o in items if o is not item and short(o) and min(o.x1, item.x1) > max(o.x0, item.x0)
            and abs(o.top - item.top) < 4 * (item.bottom - item.top + 1)) >= 2
    items = [i for i in items if not letters(i) and not stacked(i)]
    ticks = [i for i in items if bare(i)]
    if len(ticks) >= 3:
        return [i for i in items if not bare(i)]
    return [i for i in items if not (bare(i) and len(i.words) >= 3)]


# ----- two columns -----

def gutter(lines: list[Line]) -> float | None:
    """The x of a gutter between two columns (text beside a sidebar, two tables side by side,
    a two-column article): where, on several lines, words start after a wide gap (in one line,
    or a line of its own beside another: type of other sizes makes lines of their own), and
    almost no word stands across."""
    starts = [b.x0 for line in lines for a, b in zip(line.words, line.words[1:])
              if b.x0 - a.x1 >= 1.5 * line.size and LABEL_RE.search(b.text)]
    starts += [line.x0 for line, _ in _side_by_side(lines) if LABEL_RE.search(line.text)]
    if len(starts) < 3:
        return None
    best = max(starts, key=lambda x: sum(abs(s - x) <= 6 for s in starts))
    near = [s for s in starts if abs(s - best) <= 6]
    if len(near) < 3:
        return None
    cut = min(near) - 1
    across = sum(1 for line in lines if any(w.x0 < cut < w.x1 for w in line.words))
    beside = sum(1 for line in lines if line.x0 < cut < line.x1)  # lines with words on both sides
    beside += sum(1 for line, other in _side_by_side(lines) if other.x1 < cut <= line.x0)
    if across > len(near) / 2 or beside < 3:
        return None
    return cut


def _side_by_side(lines: list[Line]) -> list[tuple[Line, Line]]:
    """Lines standing right of another line at the same height, a wide gap between them (each
    with the nearest such line on its left)."""
    out = []
    for k, line in enumerate(lines):
        left = [o for o in lines[max(0, k - LOOKBACK):k + LOOKBACK]
                if o is not line and line.x0 - o.x1 >= 1.5 * min(o.size, line.size)
                and min(o.bottom, line.bottom) > max(o.top, line.top)]
        if left:
            out.append((line, max(left, key=lambda o: o.x1)))
    return out


def split_at(lines: list[Line], cut: float) -> list[Line]:
    """Each line not standing across the gutter becomes its left and right parts."""
    out: list[Line] = []
    for line in lines:
        if any(w.x0 < cut < w.x1 for w in line.words):
            out.append(line)
            continue
        for side, words in ((1, [w for w in line.words if w.x1 <= cut]), (2, [w for w in line.words if w.x0 >= cut])):
            if words:
                out.append(Line(words, min(w.top for w in words), max(w.bottom for w in words), side))
    for side in (1, 2):
        part = [ln for ln in out if ln.side == side]
        if part:
            edges = (min(ln.x0 for ln in part), max(ln.x1 for ln in part))
            for ln in part:
                ln.edges = edges
    return out


def reading_order(items: list[Line | Grid]) -> list[Line | Grid]:
    """Top to bottom; where the page has two columns, the left column before the right one,
    between the full-width lines above and below them."""
    items = sorted(items, key=lambda i: i.top)
    across = [i.top for i in items if i.side == 0]
    return sorted(items, key=lambda i: (sum(t <= i.top for t in across), i.side, i.top))


def page_words(page) -> list[Word]:
    out = []
    for w in page.extract_words(extra_attrs=["size"], return_chars=True):
        if not w.get("upright", True) or LEADER_RE.match(w["text"]):
            continue
        out.extend(_split_fused(w))
    return out


def _split_fused(w: dict) -> list[Word]:
    """"2021年：497.1" is a label and a figure: two words, each with its own position."""
    word = Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"], w["size"])
    if LEADER_RE.search(w["text"]):  # "Medicare......": the label without its leader
        word.text = LEADER_RE.sub("", w["text"])
        chars = w.get("chars") or []
        if len(chars) == len(w["text"]):
            word.x1 = chars[len(word.text) - 1]["x1"]
        return [word]
    m = FUSED_VALUE_RE.match(w["text"])
    chars = w.get("chars") or []
    if not m or len(chars) != len(w["text"]):
        return [word]
    cut = chars[len(m.group(1))]["x0"]
    return [Word(m.group(1), word.x0, chars[len(m.group(1)) - 1]["x1"], word.top, word.bottom, word.size),
            Word(m.group(2), cut, word.x1, word.top, word.bottom, word.size)]


def _inside(obj, boxes: list[tuple]) -> bool:
    cx, cy = (obj.x0 + obj.x1) / 2, (obj.top + obj.bottom) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def group_lines(words: list[Word], sized: bool = True) -> list[Line]:
    """Words -> lines, top to bottom. A word joins a line whose band holds its middle when it
    sits beside the line's nearest word as words of one line do (_beside), the nearest such
    line if several; a line never stacks words, so a caption set small
    under a large figure, or a column's line beside a large figure in the next column, is a
    line of its own instead of being interleaved with it."""
    if not sized:
        return _band_lines(words)
    lines: list[Line] = []
    satellites = _satellites(words)
    for w in sorted((w for w in words if id(w) not in satellites), key=lambda w: (w.top, w.x0)):
        mid = (w.top + w.bottom) / 2
        best, best_key = None, None
        for line in reversed(lines[-LOOKBACK:]):
            if not line.top <= mid <= line.bottom:
                continue
            gap, near = _nearest(w, line)
            if gap is None or not _beside(w, near, gap):
                continue
            if best_key is None or gap < best_key:  # the line it stands closest to
                best, best_key = line, gap
        if best is None:
            lines.append(Line([w], w.top, w.bottom))
        else:
            _add(best, w)
    line_of = {id(w): line for line in lines for w in line.words}
    for w in words:
        host = satellites.get(id(w))
        while host is not None and id(host) in satellites:  # a superscript's superscript
            host = satellites[id(host)]
        if host is not None and id(host) in line_of:
            _add(line_of[id(host)], w)
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    lines.sort(key=lambda line: line.top)
    return lines


def _band_lines(words: list[Word]) -> list[Line]:
    """OCR words: their boxes' heights are no type sizes, so a word joins the line above whose
    band holds its middle."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        mid = (w.top + w.bottom) / 2
        if lines and lines[-1].top <= mid <= lines[-1].bottom:
            _add(lines[-1], w)
        else:
            lines.append(Line([w], w.top, w.bottom))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _add(line: Line, w: Word) -> None:
    line.words.append(w)
    line.top, line.bottom = min(line.top, w.top), max(line.bottom, w.bottom)


def _nearest(w: Word, line: Line) -> tuple[float | None, Word]:
    """The horizontal gap to the line's nearest word and that word; gap None when `w` stands
    over or under one of the line's words set in another size."""
    gap, near = min(((max(w.x0 - u.x1, u.x0 - w.x1), u) for u in line.words), key=lambda g: g[0])
    # (type of one size may overlap: a full-width "。" is followed by a Latin word within its box)
    if gap < -OVERLAP * min(_height(w), _height(near)) and not _same_size(w, near):
        return None, near
    return gap, near


def _satellites(words: list[Word]) -> dict[int, Word]:
    """Superscripts and subscripts: a word set smaller than a word it touches on the right
    ("45" "th", "m" "2"), its middle inside that word's band. It sorts above or below the line
    of the word it belongs to, so it is placed with that word: id(small word) -> the word."""
    by_end: dict[int, list[Word]] = {}
    for v in words:
        by_end.setdefault(int(v.x1), []).append(v)
    out: dict[int, Word] = {}
    for u in words:
        mid = (u.top + u.bottom) / 2
        for key in range(int(u.x0) - 2, int(u.x0) + 2):
            for v in by_end.get(key, ()):
                if (v is not u and _height(v) > SAME_SIZE * _height(u) and v.top <= mid <= v.bottom
                        and -OVERLAP * _height(u) <= u.x0 - v.x1 <= 0.2 * _height(v)):
                    out[id(u)] = v
    return out


LOOKBACK = 12  # lines a word may join: the lines started just above it, in every column
OVERLAP = 0.3  # words of one line may touch (a superscript, kerning), not stand over each other
SAME_SIZE = 1.5  # type sizes within this ratio are one line's text


def _height(w: Word) -> float:
    return max(w.bottom - w.top, 1e-3)


def _same_size(a: Word, b: Word) -> bool:
    return max(_height(a), _height(b)) <= SAME_SIZE * min(_height(a), _height(b))


def _beside(w: Word, near: Word, gap: float) -> bool:
    """Whether `w` stands on `near`'s line: type of about the same size with their middles in
    each other's band; or, set in different sizes (a figure set large with its unit small, a
    superscript), the smaller one's middle inside the larger one's band, close beside it."""
    small, large = sorted((w, near), key=_height)
    mid_small, mid_large = (small.top + small.bottom) / 2, (large.top + large.bottom) / 2
    if _same_size(small, large):
        return small.top <= mid_large <= small.bottom or large.top <= mid_small <= large.bottom
    return large.top <= mid_small <= large.bottom and gap < _height(large)


# ----- ruled tables -----

def ruled_tables(page, words: list[Word] | None = None) -> tuple[list, list]:
    """Each ruled table's box and the grids it holds (one ruled box may stack tables whose
    columns differ, or repeat its header band for a second set of rows); and the ruled boxes
    that are layout frames (`frame_regions`), each with its regions' boxes."""
    rules = [*page.lines, *(r for r in page.rects if min(r["width"], r["height"]) <= 2 or r.get("stroke"))]
    if len(rules) >= 2:
        settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                    "explicit_vertical_lines": rules, "explicit_horizontal_lines": rules}
    elif page.rects:  # a table drawn only with filled cells
        settings = {}
    else:
        return [], []
    out, frames = [], []
    for table in sorted(page.find_tables(settings), key=lambda t: t.bbox[1]):
        if words and (regions := frame_regions(table, words)):
            frames.append((table.bbox, regions))
            continue
        cells = {}
        for row, texts in zip(table.rows, table.extract()):
            for box, text in zip(row.cells, texts):
                if box is not None:
                    cells[box] = "\n".join(line.strip() for line in (text or "").split("\n") if line.strip())
        grids = [g for section in sections(cells) for block in side_by_side(section)
                 for g in header_bands(unfold(block))]
        # a box of one column is a layout frame (a text box, a banner around a page of blocks),
        # not a table: its words are read as the page's lines
        if any(sum(1 for j in range(len(g[0])) if any(r[j] for r in g)) >= 2 for g in grids):
            out.append((table.bbox, grids))
    return out, frames


FRAME_ROWS = 2  # lines of a cell holding several figures set apart: the cell holds a table


def frame_regions(table, words: list[Word]) -> list[tuple]:
    """A ruled box some of whose cells each hold a table of their own (lines of several figures
    set apart in columns no rule divides), or one table across several cells of a column, is a
    layout frame (a page of price tables beside charts), not a table whose cells are values: its
    cells are regions of the page. Returns the regions, a column of the frame each (the boxes of
    the cells sharing their left and right edges, joined), left to right; [] for a table."""
    cells = [box for row in table.rows for box in row.cells if box is not None]
    if len(cells) < 2:
        return []
    framed = False
    for box in cells:
        inside = [w for w in words if _inside(w, [box])]
        lines = group_lines(inside)
        if sum(1 for line in lines if _figure_phrases(line) >= 2) >= FRAME_ROWS:
            framed = True
            break
    if not framed:
        return []
    columns: dict[tuple, list[tuple]] = {}
    for box in cells:
        columns.setdefault((round(box[0]), round(box[2])), []).append(box)
    regions = [(min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
               for boxes in columns.values()]
    return sorted(regions, key=lambda r: (r[0], r[1]))


def phrases(line: Line) -> list[list[Word]]:
    """The line's words in runs set less than an em apart: a table's cells, a sentence's words."""
    out: list[list[Word]] = []
    for w in line.words:
        if out and w.x0 - out[-1][-1].x1 < line.size:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _figure_phrases(line: Line) -> int:
    return sum(1 for p in phrases(line) if _is_figure_phrase(p))


def _is_figure_phrase(p: list[Word]) -> bool:
    """A figure, or a range printed as words ("1.35-" "1.42")."""
    text = "".join(w.text for w in p)
    return bool(VALUE_RE.fullmatch(text)) and any(ch.isdigit() for ch in text)


def sections(cells: dict[tuple, str]) -> list[list[list[str]]]:
    """Rows of cell text, cut where the column layout changes: a key-value block above a list
    (a shareholder count above the top-10 holders) is two tables in one ruled box. A merged
    cell's text is repeated into every column and row it covers."""
    tops = sorted({b[1] for b in cells})
    bottom = max(b[3] for b in cells)
    bands = list(zip(tops, tops[1:] + [bottom]))
    rows = []
    for top, bot in bands:
        mid = (top + bot) / 2
        rows.append([(b, t) for b, t in cells.items() if b[1] <= mid < b[3]])
    groups: list[list[list[tuple]]] = []
    seen: set[float] = set()
    for row in rows:
        edges = {round(v, 1) for b, _ in row for v in (b[0], b[2])}
        if groups and (edges <= seen or seen <= edges):
            groups[-1].append(row)
            seen |= edges
        else:
            groups.append([row])
            seen = edges
    # a title row spanning the box at the end of one layout is the caption of the next
    for k in range(len(groups) - 1):
        if len(groups[k]) > 1 and len(groups[k][-1]) == 1:
            groups[k + 1].insert(0, groups[k].pop())
    return [_grid(g) for g in groups]


def _grid(rows: list[list[tuple]]) -> list[list[str]]:
    edges = sorted({round(v, 1) for row in rows for b, _ in row for v in (b[0], b[2])})
    out = []
    for row in rows:
        cells = []
        for left, right in zip(edges, edges[1:]):
            mid = (left + right) / 2
            cells.append(next((t for b, t in row if b[0] <= mid < b[2]), ""))
        out.append(cells)
    return out


def unfold(grid: list[list[str]]) -> list[list[str]]:
    """Cells' lines joined. A band whose every value cell holds a label line over a figure
    ("2024A" over "5016.83"), with no rule between them, is a header row and a data row."""
    out = []
    for row in grid:
        parts = [c.split("\n") if c else [] for c in row]
        values = [p for p in parts[1:] if p]
        if len(values) >= 2 and all(len(p) == 2 and VALUE_RE.fullmatch(p[1]) and not _is_value(p[0])
                                    for p in values) and len(parts[0]) in (0, 2):
            out.append([p[0] if p else "" for p in parts])
            out.append([p[1] if p else "" for p in parts])
        else:
            out.append([join_text(p) for p in parts])
    return out


def side_by_side(grid: list[list[str]]) -> list[list[list[str]]]:
    """One ruled box holding blocks side by side or stacked (a broker's forecast page: income
    statement beside cash flows, balance sheet beside ratios), told apart by a column or a row
    left empty between them: each block is a table of its own, read left block first."""
    if not any(any(r) for r in grid):
        return []
    width = len(grid[0])
    # a column left empty with a column of row labels after it (a sparse table's empty
    # column has figures or nothing after it)
    empty = [j for j in range(2, width - 2) if not any(r[j] for r in grid) and _labels(r[j + 1] for r in grid)]
    if empty:
        j = empty[0]
        return side_by_side([r[:j] for r in grid]) + side_by_side([r[j + 1:] for r in grid])
    # a row left empty with a header row after it (a spacer row has figures after it)
    gaps = [k for k in range(2, len(grid) - 2) if not any(grid[k])
            and any(c and not VALUE_RE.fullmatch(c.split("\n")[0]) for c in grid[k + 1][1:])]
    if gaps:
        k = gaps[0]
        return side_by_side(grid[:k]) + side_by_side(grid[k + 1:])
    return [grid]


def _labels(column) -> bool:
    cells = [c for c in column if c]
    return len(cells) >= 2 and sum(1 for c in cells if LABEL_RE.search(c) and not _is_value(c)) >= 0.8 * len(cells)


def _is_value(cell: str) -> bool:
    return bool(VALUE_RE.fullmatch(cell)) and not YEAR_RE.fullmatch(cell)


def header_bands(grid: list[list[str]]) -> list[list[list[str]]]:
    """A second header band below rows of figures (balance-sheet items "2024年末", then income
    items "2024年") starts a table of its own: its rows are read under their own header."""
    out = [[]]
    has_figures = False
    for k, row in enumerate(grid):
        header_like = not row[0] and sum(1 for c in row if c) >= 2 and not any(_is_value(c) for c in row)
        if header_like and has_figures and k + 1 < len(grid):
            out.append([])
            has_figures = False
        out[-1].append(row)
        has_figures = has_figures or any(_is_value(c) for c in row[1:])
    return [g for g in out if g]


# ----- tables under a header line (in a frame) -----

def header_tables(lines: list[Line]) -> tuple[list[Grid], list[Line]]:
    """Tables whose columns are set by a header line of three or more phrases set apart ("W/E
    02/24/17 | Last Week | Year Ago | Internet Report Link"), each line below a row: its phrases
    under the header phrases they overlap are its cells, the words left of the first column its
    label (a line of label only is a section of the rows under it). Columns may hold words as
    well as figures, which a borderless table's rows may not. The rows go on while each phrase
    stands under one column; trailing rows without a figure (an address under the table) are
    left as lines. Used inside layout frames, whose ruled cells already told a table apart."""
    grids: list[Grid] = []
    rest: list[Line] = []
    k = 0
    while k < len(lines):
        head = lines[k]
        columns = [(p[0].x0, p[-1].x1, " ".join(w.text for w in p)) for p in phrases(head)]
        rows: list[list[str]] = []
        j = k + 1
        if len(columns) >= 3 and not any(_is_figure_phrase(p) for p in phrases(head)):
            prev = head
            while j < len(lines):
                line = lines[j]
                if line.top - prev.bottom > 2 * (line.bottom - line.top):
                    break
                cells = _under_header(line, columns)
                if cells is None:
                    break
                rows.append(cells)
                prev = line
                j += 1
        while rows and not any(_is_value(c.replace(" ", "")) for c in rows[-1][1:]):
            rows.pop()
        if sum(1 for r in rows if sum(1 for c in r[1:] if _is_value(c.replace(" ", ""))) >= 2) >= 2:
            grids.append(Grid(head.top, [["", *(c[2] for c in columns)], *rows]))
            k += 1 + len(rows)
            continue
        rest.append(head)
        k += 1
    return grids, rest


def _under_header(line: Line, columns: list[tuple]) -> list[str] | None:
    """The line's cells under the header's columns (0: the label), or None when a phrase
    stands under no column, or under two."""
    em = line.size
    cells: list[list[str]] = [[] for _ in range(len(columns) + 1)]
    for p in phrases(line):
        x0, x1 = p[0].x0, p[-1].x1
        text = " ".join(w.text for w in p)
        if x0 < columns[0][0] - em and not any(cells[1:]):  # the label, which may run under a column
            cells[0].append(text)
            continue
        overlap = [min(x1, b + em / 2) - max(x0, a - em / 2) for a, b, _ in columns]
        hits = [j for j, o in enumerate(overlap) if o > 0]
        if not hits:
            return None
        if len(hits) > 1 and sorted(overlap)[-2] > 0.5 * (x1 - x0):
            return None  # a phrase across two columns: prose, or another table's row
        cells[1 + max(hits, key=overlap.__getitem__)].append(text)
    return [fix_spacing(" ".join(c)) for c in cells]


# ----- borderless tables -----
#
# A borderless table is found from word positions: value rows (a text label, then figures set
# apart from each other) whose figures stand in the same columns. Columns are the union of the
# rows' figure positions, so a row may leave columns empty (a forecast not given, a subtotal
# only in the last column). A line of words left of the first column between value rows is a
# section row (it ends in a colon) or the wrapped rest of the label above. Up to three lines
# right above the rows whose words stand over the columns are the header, kept as separate
# rows for bot.grid to fold ("Three months ended" over "2023 | 2022").

SECTION_RE = re.compile(r"[:：]\s*\d{0,2}$")


@dataclass
class Row:
    line: Line
    label: list[Word]
    values: list[Word]


def value_row(line: Line, least: int = 2) -> Row | None:
    """A line ending in `least` or more figures set apart from each other, as a table's columns."""
    words = line.words
    k = len(words)
    while k > 0 and VALUE_RE.fullmatch(words[k - 1].text):
        k -= 1
    values = words[k:]
    em = line.size
    # a footnote mark or number one space after the label belongs to the label ("Defense 3")
    while k and values and values[0].x0 - words[k - 1].x1 < 0.6 * em and not words[k - 1].text.endswith((":", "：")):
        k += 1
        values = values[1:]
    if len(values) < least or not any(any(ch.isdigit() for ch in v.text) for v in values):
        return None
    if any(b.x0 - a.x1 < 0.6 * em for a, b in zip(values, values[1:])):
        return None  # one space apart: figures listed in a sentence
    if len(values) >= 2 and not words[:k] and all(YEAR_RE.fullmatch(v.text) for v in values):
        return None  # a line of years is a header
    return Row(line, words[:k], values)


class _Columns:
    """The figure columns of a block: x ranges, widened as rows come."""

    def __init__(self, first: Row):
        self.spans = [[v.x0, v.x1] for v in first.values]

    def slots(self, row: Row, em: float) -> list[int] | None:
        """The column of each figure of `row`, left to right, or None if they do not line up.
        A figure between or beside the known columns opens a new one when at least two of the
        row's other figures line up."""
        found: list[int | None] = []
        for v in row.values:
            hits = [j for j, (a, b) in enumerate(self.spans) if min(v.x1, b) - max(v.x0, a) > -0.2 * em]
            if len(hits) > 1:
                return None
            found.append(hits[0] if hits else None)
        known = [j for j in found if j is not None]
        if known != sorted(set(known)) or not known:
            return None
        if row.label and row.label[-1].x1 > self.spans[known[0]][1]:
            return None  # the words run on under the figures: prose
        if None in found:
            if len(known) < 2 or len(found) != len(self.spans) + found.count(None):
                return None
            spans = []
            for v, j in zip(row.values, found):
                spans.append([v.x0, v.x1] if j is None else self.spans[j])
            self.spans = spans
            return list(range(len(spans)))
        for v, j in zip(row.values, found):
            self.spans[j] = [min(self.spans[j][0], v.x0), max(self.spans[j][1], v.x1)]
        return known


@dataclass
class _Block:
    start: int
    end: int
    columns: _Columns
    rows: list  # [label text, {column: figure}, is_section]
    first: Row


def borderless_tables(lines: list[Line]) -> tuple[list[Grid], list[Line]]:
    grids: list[Grid] = []
    rest: list[Line] = []
    last: _Block | None = None
    k = 0
    while k < len(lines):
        block = _block_at(lines, k)
        if block is None:
            rest.append(lines[k])
            k += 1
            continue
        sections = _leading_sections(lines, block.start, block.first, rest)
        for line in sections:
            rest.remove(line)
        head = _header_lines(lines, block.start - len(sections), block, rest)
        for line in head:
            rest.remove(line)
        rows = [[s.text, {}, True] for s in sections] + block.rows
        if last is not None and last.end == block.start and not sections and not head \
                and _same_columns(last.columns, block.columns):
            # the same columns after a blank line: the table goes on
            grids[-1].rows += _borderless_grid([], block, rows)[1:]
        else:
            top = (head[0] if head else sections[0] if sections else lines[block.start]).top
            grids.append(Grid(top, _borderless_grid(head, block, rows)))
        last = block
        k = block.end
    return grids, rest


def _same_columns(a: _Columns, b: _Columns) -> bool:
    return len(a.spans) == len(b.spans) and all(min(u[1], v[1]) > max(u[0], v[0]) for u, v in zip(a.spans, b.spans))


def _block_at(lines: list[Line], start: int) -> _Block | None:
    """Value rows from `start` that line up, with section and wrapped label lines between them."""
    first = value_row(lines[start]) or value_row(lines[start], least=1)
    if first is None or not first.label:
        return None
    columns = _Columns(first)
    em = lines[start].size
    rows: list[list] = [[first, {j: v.text for j, v in enumerate(first.values)}, False]]
    k = start + 1
    pending: list[Line] = []
    while k < len(lines):
        line = lines[k]
        prev = pending[-1] if pending else rows[-1][0].line
        gap, height = line.top - prev.bottom, prev.bottom - prev.top
        row = value_row(line, least=1)
        if gap > 1.5 * height:
            # a blank line between groups of rows ("Non-current assets" / "Current assets …"):
            # the table goes on when the next line fills every column again
            if gap > 3.5 * height or pending or row is None or len(row.values) != len(columns.spans) \
                    or len(columns.spans) < 2:
                break
        row = value_row(line, least=1)
        width = len(columns.spans)
        slots = columns.slots(row, em) if row is not None else None
        if row is not None and slots is not None:
            lead = _hanging(rows, pending, row, em)
            if lead:  # the lines above are this row's label, its figures on the label's last line
                row = Row(row.line, [w for ln in lead for w in ln.words] + row.label, row.values)
            _settle(rows, [ln for ln in pending if ln not in lead])
            pending = []
            # columns were re-numbered: a column opened (the row may fill every column, so the
            # count of columns tells, not the row's own count of figures)
            if len(columns.spans) != width:
                rows = _renumber(rows, columns)
            rows.append([row, dict(zip(slots, (v.text for v in row.values))), False])
        elif row is None and line.x1 < columns.spans[0][0] and len(pending) < 3:
            pending.append(line)
        else:
            break
        k += 1
    figures = [r for r in rows if not r[2]]
    if len(figures) < 2 or (sum(len(r[1]) >= 2 for r in figures) < 2 and not _key_value_block(figures)):
        return None
    # rows without a label in words are a chart's axis values, not a table's rows
    labelled = sum(1 for r in figures if LABEL_RE.search(t := " ".join(w.text for w in r[0].label)) or YEAR_RE.search(t))
    if labelled < max(2, len(figures) / 2):
        return None
    if sum(len(r[1]) for r in figures) < 0.5 * len(figures) * len(columns.spans):
        return None  # mostly empty rows: figures scattered over a chart, not a table's grid
    if labelled < len(figures) and _axis_columns(figures, len(columns.spans)):
        return None  # evenly stepping figures, some without a label: value axes beside a legend
    return _Block(start, k - len(pending), columns, rows, first)


def _number(text: str) -> float | None:
    t = text.replace(",", "").replace("−", "-").replace("–", "-").rstrip("%")
    try:
        return float(t)
    except ValueError:
        return None


def _axis_columns(rows: list[list], width: int) -> bool:
    """Most figure columns step evenly down the rows (100, 80, 60, 40): a chart's value axes
    beside its legend words, not a table's figures."""
    steady = 0
    for j in range(width):
        column = [_number(r[1][j]) for r in rows if r[1].get(j)]
        if len(column) < 3 or None in column:
            continue
        steps = {round(b - a, 6) for a, b in zip(column, column[1:])}
        steady += len(steps) == 1 and steps != {0}
    return steady >= max(1, width / 2)


def _key_value_block(rows: list[list]) -> bool:
    """Three or more "label  figure" lines, the figures right-aligned in one column, one of
    them a measured amount (not a contents page's page numbers): a small table of facts."""
    values = [r[0].values[0] for r in rows if len(r[0].values) == 1]
    return len(values) == len(rows) >= 3 and max(v.x1 for v in values) - min(v.x1 for v in values) < 3 \
        and any(re.search(r"[.,%]", v.text) for v in values)


def _renumber(rows: list[list], columns: _Columns) -> list[list]:
    """After a column opened, each earlier figure goes to the column its word stands in."""
    for r in rows:
        if isinstance(r[0], Row):
            r[1] = {min(range(len(columns.spans)), key=lambda j: _distance(v, columns.spans[j])): v.text
                    for v in r[0].values}
    return rows


def _distance(v: Word, span: list[float]) -> float:
    """0 when the word stands in the span, else how far beside it."""
    return max(span[0] - v.x1, v.x0 - span[1], 0.0)


def _hanging(rows: list[list], pending: list[Line], row: Row, em: float) -> list[Line]:
    """The wrapped label lines above `row` that begin its label, not end the row above's: a
    hanging indent ("Loss on deconsolidation of" flush with the labels, "Affected Entities 11
    (271,841) …" indented under it), the figures standing on the label's last line. None of them
    a section heading, the first flush with the row above's label."""
    if not pending or not row.label or any(SECTION_RE.search(ln.text) for ln in pending):
        return []
    above = rows[-1][0]
    if not isinstance(above, Row) or not above.label:
        return []
    start = pending[0].words[0].x0
    flush = abs(start - above.label[0].x0) < 0.5 * em
    indented = all(ln.words[0].x0 > start + 0.5 * em for ln in pending[1:]) and row.label[0].x0 > start + 0.5 * em
    return pending if flush and indented else []


def _settle(rows: list[list], pending: list[Line]) -> None:
    """Lines between two value rows: a section heading (ends in a colon) or the label above wrapped."""
    for line in pending:
        if SECTION_RE.search(line.text):
            rows.append([line.text, {}, True])
        else:
            target = next((r for r in reversed(rows) if isinstance(r[0], Row) or not r[2]), rows[-1])
            target.append(line)


def _leading_sections(lines: list[Line], start: int, first: Row, rest: list[Line]) -> list[Line]:
    """Section lines right above the first value row ("Outlays:"), left of the figures."""
    out: list[Line] = []
    k = start - 1
    below = lines[start]
    while k >= 0 and len(out) < 2 and len(rest) > len(out) and rest[-1 - len(out)] is lines[k]:
        line = lines[k]
        if below.top - line.bottom > 1.5 * (line.bottom - line.top) or not SECTION_RE.search(line.text) \
                or line.x1 >= first.values[0].x0:
            break
        out.insert(0, line)
        below = line
        k -= 1
    return out


def _header_lines(lines: list[Line], start: int, block: _Block, rest: list[Line]) -> list[Line]:
    """Up to four lines right above the rows whose words all stand over a column: a column
    group's name may take two lines ("Remaining" over "Business*") above the years and the units."""
    head: list[Line] = []
    k = start - 1
    below = lines[start] if start < len(lines) else lines[-1]
    filled: set[int] = set()
    while k >= 0 and len(head) < 4 and len(rest) > len(head) and rest[-1 - len(head)] is lines[k]:
        line = lines[k]
        # a header may stand further off than a row (a rule or a blank line under it)
        if below.top - line.bottom > 3.5 * (line.bottom - line.top):
            break
        figures = value_row(line, least=1)
        if figures is not None and any(not YEAR_RE.fullmatch(v.text) for v in figures.values):
            break  # a row of figures (a subtotal over the next rows) heads nothing
        cells = _header_cells(line, block.columns)
        if cells is None or not any(cells[1:]):
            break
        if ENDS_SENTENCE_RE.search(line.text) and sum(1 for c in cells[1:] if c) < 2:
            break  # a sentence's end ("Page No." over two columns' labels is none)
        head.insert(0, line)
        filled |= {j for j, c in enumerate(cells[1:]) if c}
        below = line
        k -= 1
    n = len(block.columns.spans)
    if head and len(filled) < max(1, min(2, n), n // 2):
        return []
    return head


def _header_cells(line: Line, columns: _Columns) -> list[str] | None:
    """The line's words by column (0: the label column), or None when they do not stand over the
    columns: a word over no column, or two neighbouring words of different columns one space
    apart (a sentence running over the columns). A phrase standing over the middle of two or
    more columns ("Three months ended" over "2023 | 2022") goes to the first of them; bot.grid
    carries it across the rest."""
    spans = columns.spans
    cells: list[list[str]] = [[] for _ in range(len(spans) + 1)]
    em = line.size
    phrases: list[list[Word]] = []
    for w in line.words:
        if phrases and w.x0 - phrases[-1][-1].x1 < em:
            phrases[-1].append(w)
        else:
            phrases.append([w])
    prev_col, prev_x1 = None, None
    for phrase in phrases:
        x0, x1 = phrase[0].x0, phrase[-1].x1
        if x1 <= spans[0][0]:
            col = 0
        else:
            covered = [j for j, (a, b) in enumerate(spans) if x0 <= (a + b) / 2 <= x1]
            overlap = [min(x1, b + em) - max(x0, a - em) for a, b in spans]
            best = max(range(len(spans)), key=overlap.__getitem__)
            if overlap[best] <= 0:
                return None
            col = 1 + (covered[0] if len(covered) >= 2 else best)
        if prev_col is not None and col != prev_col and x0 - prev_x1 < 0.6 * em:
            return None
        cells[col].append(" ".join(w.text for w in phrase))
        prev_col, prev_x1 = col, x1
    return [fix_spacing(" ".join(c)) for c in cells]


def _borderless_grid(head: list[Line], block: _Block, rows: list[list]) -> list[list[str]]:
    width = len(block.columns.spans) + 1
    header = [_header_cells(line, block.columns) for line in head] or [[""] * width]
    # the label column's heading ("Ministry/Demand", "项目") goes in the top header row, so
    # that bot.grid reads every header line as header, not the lower ones as labelled rows
    corner = " ".join(h[0] for h in header if h[0])
    header = [[corner if k == 0 else "", *h[1:]] for k, h in enumerate(header)]
    body = []
    for row in rows:
        first, figures = row[0], row[1]
        more = row[3:]
        if isinstance(first, Row):
            label = join_text([" ".join(w.text for w in first.label)] + [m.text for m in more])
        else:
            label = join_text([first] + [m.text for m in more])
        body.append([label] + [figures.get(j, "") for j in range(width - 1)])
    return [*header, *body]


# ----- writing the report -----

class Writer:
    """Walks the pages in order: paragraphs re-flowed, tables continued across pages."""

    def __init__(self, builder: ReportBuilder, pages: list[PageLayout]):
        self.builder = builder
        self.pages = pages
        self.furniture = running_lines([[line.text for line in p.lines] for p in pages])
        header = running_header(pages, self.furniture)
        if header:  # dropped from the text, but it often names the report and its year
            builder.meta["header"] = header
        self.left, self.right = text_column(pages)
        self.last: _LastTable | None = None

    def write(self) -> None:
        for page in self.pages:
            items = self._content(page)
            if page.number == 1:
                items = self._title(items)
            buf: list[Line] = []
            first = True
            for item in items:
                if isinstance(item, Line):
                    buf.append(item)
                    continue
                if buf:
                    self._text(buf, page.number)
                    buf, first = [], False
                self._table(item.rows, page.number, continues=first)
                first = False
            if buf:
                self._text(buf, page.number)

    def _content(self, page: PageLayout) -> list[Line | Grid]:
        """The page without its running header and footer and its page number."""
        items = list(page.items)
        lines = page.lines
        edge = {id(x) for x in lines[:2] + lines[-2:]}
        items = [i for i in items if not (id(i) in edge and _norm(i.text) in self.furniture)]
        while items and isinstance(items[-1], Line) and PAGE_NUMBER_RE.match(items[-1].text):
            items.pop()
        while items and isinstance(items[0], Line) and PAGE_NUMBER_RE.match(items[0].text):
            items.pop(0)
        return items

    def _title(self, items: list[Line | Grid]) -> list[Line | Grid]:
        lines = [i for i in items if isinstance(i, Line)]
        if not lines:
            return items
        body = statistics.median(w.size for line in lines for w in line.words)
        big = max(lines, key=lambda line: line.size)
        # (a key figure set large is no title)
        if big.size >= 1.2 * body and WORDS_RE.search(big.text) and looks_like_title(big.text) \
                and not _figures_in(big.text):
            # a title set on two or three lines of the same type ("…股份有限公司" / "2024年年度报告摘要")
            k = lines.index(big)
            title = [big]
            for nxt in lines[k + 1:k + 3]:
                gap = nxt.top - title[-1].bottom
                if (abs(nxt.size - big.size) > 0.5 or gap > big.size or not looks_like_title(nxt.text)
                        or BULLET_RE.match(nxt.text)):  # a numbered heading of the same type follows
                    break
                title.append(nxt)
            text = " ".join(line.text for line in title)
            self.builder.heading(text if looks_like_title(text) else big.text, level=1)
            return [i for i in items if not any(i is t for t in title)]
        return items

    def _text(self, lines: list[Line], page: int) -> None:
        self.last = None
        for kind, para in reflow(lines, self.left, self.right):
            self.builder.text(para, page=page, guess_heading=kind == "heading")

    def _table(self, rows: list[list[str]], page: int, *, continues: bool) -> None:
        last, self.last = self.last, None
        if not rows:
            return
        width = len(rows[0])
        caption = None
        continued = False
        # A table at the top of a page, as wide as the table that ended the last page, is that
        # table continued: it keeps the caption (and header, which is often not repeated).
        if continues and last is not None and last.page == page - 1 and last.width == width:
            repeated = [tuple(r) for r in last.header]
            while rows and tuple(rows[0]) in repeated:
                rows = rows[1:]
            rows = [list(r) for r in last.header] + rows
            caption = last.caption if last.caption.endswith("（续）") else f"{last.caption}（续）"
            continued = True
        elif len(rows) == 1 and (pairs := _key_values(rows[0])):
            # a one-row box of "label | figure | label | figure": a sentence of facts, each figure
            # kept beside its label
            self.builder.text("；".join(f"{k}：{v}" for k, v in pairs), page=page)
            return
        before = len(self.builder.blocks)
        self.builder.table(rows, caption=caption, page=page, continued=continued)
        made = self.builder.blocks[before:]
        if made and isinstance(made[-1], Table):
            table = made[-1]
            # a caption the builder made up ("表5") says nothing; the section heading does
            named = table.caption if not DEFAULT_CAPTION_RE.fullmatch(table.caption) else table.heading
            self.last = _LastTable(page, width, _header_rows(rows), named or table.caption)


@dataclass
class _LastTable:
    page: int
    width: int
    header: list[list[str]]
    caption: str


DEFAULT_CAPTION_RE = re.compile(r"表\d+")


def _key_values(row: list[str]) -> list[tuple[str, str]]:
    cells = [c for k, c in enumerate(row) if c and (k == 0 or c != row[k - 1])]  # merged cells repeat
    if len(cells) < 2 or len(cells) % 2:
        return []
    pairs = list(zip(cells[::2], cells[1::2]))
    if all(not _is_value(k) and VALUE_RE.fullmatch(v) for k, v in pairs):
        return pairs
    return []


def _header_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rows above the first row holding a figure: what a continued table goes on under."""
    for k, row in enumerate(rows):
        if k and any(_is_value(tidy(c)) for c in row[1:]):
            return rows[:k]
    return rows[:1]


def text_column(pages: list[PageLayout]) -> tuple[float, float]:
    """The body text's left and right edges: where most lines of the document start and end
    (a stray line in the margin, a short last line or a page of tables does not move them)."""
    lines = [line for p in pages for line in p.lines]
    if len(lines) < 2:
        return (lines[0].x0, lines[0].x1) if lines else (0.0, 1.0)
    return (statistics.quantiles([line.x0 for line in lines], n=10)[1],
            statistics.quantiles([line.x1 for line in lines], n=10)[7])


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def running_lines(pages: list[list[str]]) -> set[str]:
    """Lines at the top or bottom of most pages (report name, publisher, "第3页"): furniture."""
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for lines in pages:
        lines = [line for line in lines if line.strip()]
        for line in set(map(_norm, lines[:2] + lines[-2:])):
            counts[line] = counts.get(line, 0) + 1
    need = max(3, (len(pages) + 1) // 2)
    return {line for line, n in counts.items() if n >= need}


def running_header(pages: list[PageLayout], furniture: set[str]) -> str:
    """The running header's text as printed (the first furniture line at the top of most pages)."""
    counts: dict[str, int] = {}
    for p in pages:
        lines = p.lines
        if lines and _norm(lines[0].text) in furniture and WORDS_RE.search(lines[0].text):
            counts[lines[0].text] = counts.get(lines[0].text, 0) + 1
    return max(counts, key=counts.get) if counts else ""


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def reflow(lines: list[Line], left: float, right: float) -> list[tuple[str, str]]:
    """Hard-wrapped lines -> ("heading" | "text", text). A paragraph ends at a line stopping
    short of the text column's right edge (just short, if it closes a sentence); a bullet,
    numbered item or source note starts a new one; a short lone line with words and no closing
    punctuation is a heading candidate (or a table caption: the builder decides)."""
    full = max(right - left, 1.0)
    out: list[tuple[str, str]] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append(("text", join_text(buf)))
            buf.clear()

    prev: Line | None = None
    page_edges = (left, right)
    groups = key_figures(lines)
    skip: set[int] = set()
    for k, line in enumerate(lines):
        if k in skip:
            continue
        if k in groups:  # a key figure with its label and caption: one paragraph, never a heading
            flush()
            out.append(("text", join_text([ln.text for ln in groups[k]])))
            skip |= {k + j for j in range(len(groups[k]))}
            prev = groups[k][-1]
            continue
        text = line.text
        left, right = line.edges or page_edges  # a line in one of two columns ends at its column's edge
        full = max(right - left, 1.0)
        # a first-line indent after a sentence's end starts a paragraph, however full the line above
        ended = prev is not None and ENDS_SENTENCE_RE.search(prev.text)
        indented = ended and line.x0 - prev.x0 > line.size
        # (a narrow column's full lines are few characters long: there only the width tells)
        short = line.x1 - line.x0 < 0.75 * full or (display_width(text) < 40 and line.edges is None)
        # (a line stating a figure is content: as a heading it would be lost when another follows)
        titled = looks_like_title(text) and WORDS_RE.search(text) and short and not _figures_in(text, numbered=True)
        # after a full line closing a sentence, a short line without closing punctuation is a
        # heading or caption, not the paragraph's last line (which closes the sentence itself)
        if SOURCE_RE.match(text) or BULLET_RE.match(text) or indented or (ended and titled):
            flush()
        prev = line
        if not buf and titled:
            out.append(("heading", text))
            continue
        buf.append(text)
        # Justified text fills every line but the last, so a full line ending in "。" may
        # still go on: only a line that also falls short closes the paragraph.
        if right - line.x1 > (0.05 if ENDS_SENTENCE_RE.search(text) else 0.15) * full:
            flush()
    flush()
    return out



# a key figure's line holds little besides the figure: a currency sign, a unit word
FIGURE_LINE_WORDS = 2
KEY_FIGURE_SIZE = 1.2  # a key figure is set this much larger than its label and caption


def key_figures(lines: list[Line]) -> dict[int, list[Line]]:
    """Key figures as infographics and highlight pages set them: a figure set large, the short
    label right above it in smaller type ("BY NET PROFIT" over "₹ 67,845 crore"), perhaps a
    caption right below ("New jobs created"). Read line by line the label is a heading and the
    figure a paragraph under the next heading; they are one statement. {index of the group's
    first line: its lines}."""
    from ..figures import find_figures

    def figure_line(line: Line) -> bool:
        text = line.text
        found = find_figures(text)
        if not found:
            return False
        rest = text
        for m in reversed(found):
            rest = rest[:m.start()] + " " + rest[m.end():]
        return len(re.findall(rf"[A-Za-z]+|[{CJK}]{{1,2}}", rest)) <= FIGURE_LINE_WORDS

    def small_words(line: Line, figure: Line) -> bool:
        text = line.text
        return (figure.size >= KEY_FIGURE_SIZE * line.size and bool(WORDS_RE.search(text))
                and looks_like_title(text) and display_width(text) < 40 and not _figures_in(text)
                and line.side == figure.side and min(line.x1, figure.x1) > max(line.x0, figure.x0))

    out: dict[int, list[Line]] = {}
    taken: set[int] = set()
    for k, line in enumerate(lines):
        if k in taken or not figure_line(line):
            continue
        group, start = [line], k
        above = lines[k - 1] if k else None
        if above is not None and k - 1 not in taken and small_words(above, line) \
                and 0 <= line.top - above.bottom < 1.5 * (above.bottom - above.top):
            group.insert(0, above)
            start = k - 1
        below = lines[k + 1] if k + 1 < len(lines) else None
        # a caption hangs right under the figure, often inside the large type's descent
        if below is not None and small_words(below, line) \
                and -0.5 * (line.bottom - line.top) < below.top - line.bottom < 0.25 * (line.bottom - line.top):
            group.append(below)
        if len(group) > 1:
            out[start] = group
            taken |= set(range(start, start + len(group)))
    return out


def _figures_in(text: str, numbered: bool = False) -> bool:
    """Whether the text states a figure; `numbered`: a bare number opening it ("3.2报告期…") numbers
    a section and is none."""
    from ..figures import find_figures

    found = find_figures(text)
    if numbered:
        found = [m for m in found if not (m.start() == 0 and re.fullmatch(r"\d+(?:\.\d+)*", m.group()))]
    return bool(found)


# ----- image files -----

def read_image_file(path: Path, name: str) -> Report:
    """A .png/.jpg (a screenshot of a table, a photographed page): one page read by OCR, through
    the same lines and borderless tables as a PDF page."""
    from .ocr import image_words

    if path.stat().st_size == 0:
        raise UnreadableFile(name, "the file is empty")
    with damaged_file(name, "image", "open it and save it again as PNG or JPEG"):
        found, _size = image_words(path)
    if not found:
        raise UnreadableFile(name, "OCR found no text in this image")
    builder = ReportBuilder(name, number_by_page=True)
    Writer(builder, [words_layout(to_words(found), 1, sized=False)]).write()
    return with_ocr_facts(builder.build(), {1: found})
