"""HTML pages -> Report: h1-h6 give headings, block elements give paragraphs, <table> gives
tables (with <caption>, colspan and rowspan resolved so every row reads on its own).

Parsed with lxml's HTML parser, which repairs unclosed tags the way browsers do. Nothing is
executed or fetched: <script>, <style> and other non-text elements are dropped unread.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UnreadableFile
from ..types import Report
from .build import ReportBuilder, damaged_file, single_value, tidy

DROP = {"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object",
        "embed", "canvas", "video", "audio", "button", "select", "textarea", "input", "nav", "form",
        # inline XBRL's header (SEC filings): machine-readable facts the page never shows
        "ix:header"}
HIDDEN_RE = re.compile(r"display\s*:\s*none", re.I)
META_TITLES = ("title", "dc.title", "dcterms.title", "og:title", "citation_title")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "aside", "address", "blockquote",
          "figure", "figcaption", "ul", "ol", "li", "dl", "dt", "dd", "details", "summary", "center",
          "body", "html", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "pre"}
CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w:-]+)", re.I)
XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_html(path: Path, name: str) -> Report:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFile(name, "the file is empty")
    return html_report(XML_DECL_RE.sub("", decode_html(data)), name)


def html_report(text: str, name: str, meta: dict | None = None) -> Report:
    """An HTML document (a page, or Markdown written as HTML) -> Report. `meta` holds what the
    file said about itself outside the HTML (a Markdown front matter's title)."""
    import lxml.html

    builder = ReportBuilder(name, meta=dict(meta or {}))
    with damaged_file(name, "HTML page", "save the page again from a browser as 'Webpage, HTML only'"):
        root = lxml.html.document_fromstring(text)
        _Walker(builder).block(root)
        title = root.find(".//title")
        page_title = tidy(title.text_content()) if title is not None else ""
        for m in root.iter("meta"):
            if (m.get("name") or m.get("property") or "").lower() in META_TITLES and m.get("content"):
                page_title = page_title or tidy(m.get("content"))
        if page_title:
            builder.meta.setdefault("title", page_title)
        builder.title = builder.title or builder.meta.get("title", "")
    return builder.build()


def decode_html(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    declared = CHARSET_RE.search(data[:4096])
    candidates = ["utf-8-sig", "gb18030"]
    if declared:
        enc = declared.group(1).decode("ascii", "ignore").lower()
        # pages that declare gb2312/gbk routinely contain characters only their superset has
        candidates.insert(0, "gb18030" if enc in ("gb2312", "gbk", "x-gbk") else enc)
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")  # what a browser would show


def text_of(el) -> str:
    """Visible text of an element, skipping dropped elements inside it."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node.tag, str) and node.tag.lower() not in DROP and not HIDDEN_RE.search(node.get("style") or ""):
            if node.tag.lower() == "br":
                parts.append("\n")
            parts.append(node.text or "")
            for child in node:
                walk(child)
        if node is not el:
            parts.append(node.tail or "")

    walk(el)
    return tidy("".join(parts))


class _Walker:
    def __init__(self, builder: ReportBuilder):
        self.b = builder
        self.buf: list[str] = []

    def flush(self) -> None:
        text, self.buf = "".join(self.buf), []
        if text.strip():
            self.b.text(text)

    def block(self, el) -> None:
        """Walk an element in reading order, emitting text at each block boundary."""
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in DROP or HIDDEN_RE.search(el.get("style") or ""):
            return  # comments, processing instructions, scripts, hidden parts: their tail is the parent's
        if tag in HEADINGS:
            self.flush()
            self.b.heading(text_of(el), level=int(tag[1]))
            return
        if tag == "table" and not _is_layout(el):
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.flush()
            return
        if tag == "pre":
            self.flush()
            for line in "".join(el.itertext()).split("\n"):
                self.b.text(line)
            return
        is_block = tag in BLOCKS
        if is_block:
            self.flush()
        self.buf.append(el.text or "")
        for child in el:
            self.block(child)
            self.buf.append(child.tail or "")
        if is_block:
            self.flush()

    def table(self, el) -> None:
        cap = el.find("caption")
        caption = text_of(cap) if cap is not None else None
        grid, header_rows = _grid(el)
        if len(grid) > 2 and single_value(grid[0]):
            # a title row spanning the table ("表1 …") above the real header
            caption = caption or single_value(grid[0])
            grid, header_rows = grid[1:], max(header_rows - 1, 0)
        if header_rows > 1:
            header = [_merge_header([row[j] for row in grid[:header_rows]]) for j in range(len(grid[0]))]
            grid = [header] + grid[header_rows:]
        self.b.table(fold_symbols(grid), caption=caption)


def _is_layout(table) -> bool:
    """Tables used to lay a page out hold documents, not data: walk into them instead. So do
    navigation tables (a site's boxes of links): nearly all their text is link text and they
    hold no figure."""
    if (table.get("role") in ("presentation", "navigation")
            or table.xpath(".//table | .//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6")):
        return True
    text = "".join(text_of(c) for c in table.xpath(".//td | .//th"))
    linked = "".join("".join(a.itertext()) for a in table.xpath(".//a"))
    squeezed = re.sub(r"\s", "", text)
    return bool(squeezed) and len(re.sub(r"\s", "", linked)) >= 0.8 * len(squeezed) and not re.search(r"\d", squeezed)


def _grid(table) -> tuple[list[list[str]], int]:
    """Rows of cell text with colspan repeated and rowspan carried down; and how many leading
    rows are all <th> (the header)."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    grid: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    header_rows, in_header = 0, True
    for tr in rows:
        cells = tr.xpath("./td | ./th")
        row: list[str] = []
        col = 0
        queue = list(cells)
        while queue or any(c >= col for c in carried):
            if col in carried:
                text, left = carried[col]
                row.append(text)
                carried[col] = (text, left - 1)
                if left - 1 <= 0:
                    del carried[col]
                col += 1
                continue
            if not queue:  # a short row before a column carried down: pad it
                row.append("")
                col += 1
                continue
            cell = queue.pop(0)
            text = text_of(cell)
            span = _int_attr(cell, "colspan")
            down = _int_attr(cell, "rowspan")
            for k in range(span):
                row.append(text)
                if down > 1:
                    carried[col + k] = (text, down - 1)
            col += span
        if in_header and cells and all(c.tag.lower() == "th" for c in cells):
            header_rows += 1
        else:
            in_header = False
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid], header_rows


def _int_attr(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 100))
    except ValueError:
        return 1


def _merge_header(parts: list[str]) -> str:
    out: list[str] = []
    for p in parts:
        if p and (not out or out[-1] != p):
            out.append(p)
    return " ".join(out)


# Financial statements typeset as HTML (SEC filings, releases) put the currency sign, the closing
# parenthesis of a negative and the percent sign in cells of their own ("$ | 19,984,378",
# "(33,446,276 | )"), and span headers and labels over those cells. Read as the page shows them,
# they are one figure and one column each.
CURRENCY_CELL_RE = re.compile(r"^(?:US|HK|A|C|NT|RMB|R)?[$€£¥￥]$|^(?:RMB|USD|EUR|HKD)$")
NUMBER_CELL_RE = re.compile(r"^(?:(?:US|HK|A|C|NT|RMB|R)?[$€£¥￥])?[(（]?[-−–]?[\d.,]*\d[\d.,]*[%)）]*$|^[—–-]$")
YEAR_CELL_RE = re.compile(r"^(?:19|20)\d\d$")


def fold_symbols(grid: list[list[str]]) -> list[list[str]]:
    """Join currency-sign, ")" and "%" cells to the figure beside them; then drop the columns
    that only repeat a neighbour (a spanned header or label, a figure spanning two cells) or
    held nothing but those signs."""
    if not grid:
        return grid
    width = max(len(r) for r in grid)
    grid = [list(r) + [""] * (width - len(r)) for r in grid]
    for row in grid:
        if not any(NUMBER_CELL_RE.match(c.strip()) and not YEAR_CELL_RE.match(c.strip()) for c in row[1:] if c.strip()):
            continue  # a header or a label row: its cells are words and years
        for j, cell in enumerate(row):
            c = cell.strip()
            if c in (")", "%", ")%", "%)", "）"):
                k = next((k for k in range(j - 1, 0, -1) if row[k].strip()), None)
                if k is not None and NUMBER_CELL_RE.match(row[k].strip() + c):
                    row[k], row[j] = row[k].strip() + c, ""
            elif CURRENCY_CELL_RE.match(c):
                k = next((k for k in range(j + 1, width) if row[k].strip()), None)
                if k is not None and NUMBER_CELL_RE.match(row[k].strip()):
                    row[k], row[j] = c + row[k].strip(), ""
    j = 1
    while j < len(grid[0]):
        last = len(grid[0]) - 1
        if all(not r[j].strip() or r[j] == r[j - 1] or (j < last and r[j] == r[j + 1]) for r in grid):
            grid = [r[:j] + r[j + 1:] for r in grid]
        else:
            j += 1
    return grid
