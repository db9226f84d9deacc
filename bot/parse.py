"""Plain text and Markdown -> `Report` (paragraphs, tables, source notes).

The rules are about the *shape* of report text, never about one report's sentences:
- a run of lines with two or more `|` is a table (pipe-delimited or Markdown), read as a grid
  (bot.grid: header rows, units row, row labels), and a short line right above it without
  closing punctuation is its caption;
- a line starting "数据来源/资料来源/来源/Source" annotates the block above it;
- Markdown headings and short title-like lines give the heading a block falls under;
- copyright notices and publisher adverts are kept but marked `boilerplate`;
- hard-wrapped text (text converted from PDF: most lines end at the same width, mid-sentence)
  is re-flowed, each paragraph keeping the number of its first line;
- YAML front matter gives the title (or is skipped), and Markdown whose body is HTML is read
  as HTML (bot.formats.html);
- the report's scope and parts (bot.sections).
"""
from __future__ import annotations

import re
from collections import Counter

from .grid import is_unit_line, read_grid, split_blocks
from .sections import finish
from .titles import file_title
from .types import Block, Paragraph, Report, Table

SOURCE_RE = re.compile(r"^\s*[\(（]?\s*(数据来源|资料来源|信息来源|来源|出处|sources?|data sources?)\s*[:：]", re.I)
BOILERPLATE_RE = re.compile(
    r"版权|copyright|©|®|免责声明|disclaimer|未经许可|不得转载|转载请|all rights reserved|"
    r"更多.{0,20}详见|扫码|关注公众号|联系(我们|方式)|[\w.+-]+@[\w-]+\.[\w.]+",
    re.I,
)
HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
MD_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
SENTENCE_END = tuple("。！？!?.;；:：")


def is_table_line(line: str) -> bool:
    return line.count("|") >= 2 or (line.count("|") == 1 and line.strip().endswith("|"))


def split_cells(line: str) -> tuple[str, ...]:
    cells = [c.strip() for c in line.strip().split("|")]
    if cells and cells[0] == "":
        cells = cells[1:]
    if cells and cells[-1] == "":
        cells = cells[:-1]
    return tuple(cells)


def looks_like_title(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 60 and not s.endswith(SENTENCE_END) and not is_table_line(s) and not SOURCE_RE.match(s)


def clean_caption(line: str) -> str:
    return re.sub(r"^\s*(表|table)\s*\d+\s*[:：.]?\s*", "", line.strip(), flags=re.I).strip() or line.strip()


FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
FRONT_TITLE_RE = re.compile(r"^title\s*:\s*(.+?)\s*$", re.M | re.I)
# block-level tags only: inline ones (<img>, <a>, <span>, <script>) in prose do not make a text
# file a web page, and are exactly what a planted injection looks like
HTML_BLOCK_RE = re.compile(r"<(?:p|div|h[1-6]|table|tr|td|th|ul|ol|li|section|article|blockquote)\b[^>]*>",
                           re.I)
# a line that starts a block of its own in Markdown: never the continuation of a wrapped line
BLOCK_START_RE = re.compile(r"^\s*(?:#|[-*+>]\s|\d{1,3}[.)、]\s|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]|"
                            r"[一二三四五六七八九十]{1,3}\s*[、.．]|\|)")
WRAP_OPEN_END = tuple("。！？!?；;：:”’」』")


def front_matter(text: str) -> tuple[str, str]:
    """YAML front matter ("---" … "---" at the top): its title, and the text without it."""
    m = FRONT_MATTER_RE.match(text)
    if not m:
        return "", text
    title = FRONT_TITLE_RE.search(m.group(1))
    value = title.group(1).strip().strip("\"'") if title else ""
    return value, text[m.end():]


def is_html_body(text: str) -> bool:
    """Markdown may be written as HTML: block tags on a good share of its lines."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    tagged = sum(1 for ln in lines if HTML_BLOCK_RE.search(ln))
    return tagged >= 3 and tagged >= 0.3 * len(lines)


def _width(text: str) -> int:
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)


def _is_record(line: str) -> bool:
    """A table line: pipes, or three or more short comma/tab-separated fields (a comma inside a
    number, "12,345", separates nothing)."""
    fields = re.split(r"\t|,(?!\d{3})", line)
    return is_table_line(line) or (len(fields) >= 3 and max(map(len, fields)) <= 40)


def unwrap(lines: list[str]) -> tuple[list[str], list[int]]:
    """Re-join hard-wrapped lines: when most lines of a text stop at the same width without
    ending a sentence, a line that reaches that width goes on in the next one. Returns the
    lines and the 1-based source line each starts at."""
    numbers = list(range(1, len(lines) + 1))
    body = [ln.strip() for ln in lines if ln.strip()]
    if len(body) < 8:
        return lines, numbers
    widths = sorted(_width(ln) for ln in body)
    full = widths[int(len(widths) * 0.8)]
    near = [ln for ln in body if _width(ln) >= 0.85 * full]
    if full < 30 or len(near) < 0.4 * len(body) or sum(not ln.endswith(WRAP_OPEN_END) for ln in near) < 0.6 * len(near):
        return lines, numbers
    out: list[str] = []
    starts: list[int] = []
    last = ""
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if (out and line and last and _width(last) >= 0.85 * full and not last.endswith(WRAP_OPEN_END)
                and not BLOCK_START_RE.match(line) and not any(map(_is_record, (last, line)))):
            cjk = re.match(r"[\u2e80-\uffef]", line) and re.search(r"[\u2e80-\uffef]$", out[-1])
            out[-1] = out[-1].rstrip() + ("" if cjk else " ") + line
        else:
            out.append(raw)
            starts.append(n)
        last = line
    return out, starts


def wrap_width(lines: list[str]) -> int:
    """The width at which a document's lines were hard-wrapped, 0 when they were not: the width
    W that most lines reach (between 0.85 W and W), when those lines are a good share of the
    text and mostly stop mid-sentence. Word files converted from PDF keep each printed line as
    a paragraph of its own, mixed with real ones, so the share is of the lines, not a percentile."""
    body = [ln.strip() for ln in lines if ln.strip()]
    if len(body) < 8:
        return 0
    widths = sorted(_width(ln) for ln in body)
    best, width = 0, 0
    for w in sorted(set(widths)):
        if w < 30:
            continue
        n = sum(1 for x in widths if 0.85 * w <= x <= w)
        if n >= best:
            best, width = n, w
    near = [ln for ln in body if 0.85 * width <= _width(ln) <= width]
    if not width or len(near) < 0.3 * len(body) or sum(not ln.endswith(WRAP_OPEN_END) for ln in near) < 0.6 * len(near):
        return 0
    return width


def rejoin_paragraphs(lines: list[str]) -> list[str | None]:
    """Paragraphs that are printed lines of one paragraph (a Word file converted from PDF), put
    back together: for each line the whole paragraph it starts, None for a line joined to the
    one before, the line itself otherwise. An empty line (a table, a heading) joins nothing.
    A line joins the one before when that one reached the wrap width without ending a sentence
    and it starts no block of its own (a numbered item, a source note, a table row)."""
    width = wrap_width(lines)
    out: list[str | None] = list(lines)
    if not width:
        return out
    from .sections import year_heading

    head, last = None, ""
    for k, line in enumerate(lines):
        line = line.strip()
        if (head is not None and line and last and _width(last) >= 0.85 * width and not last.endswith(WRAP_OPEN_END)
                and not BLOCK_START_RE.match(line) and not SOURCE_RE.match(line) and not any(map(_is_record, (last, line)))
                and not year_heading(last) and not year_heading(line)):  # a year's title starts a part
            # Chinese text wraps anywhere, inside a number too ("1234." | "56亿元"): no space
            cjk = re.search(r"[\u2e80-\uffef]", out[head])
            out[head] = out[head].rstrip() + ("" if cjk else " ") + line
            out[k] = None
        else:
            head = k if line else None
        last = line
    return out


def parse_text(text: str, file: str) -> Report:
    """Parse plain text or Markdown. `file` is the corpus-relative name, also the fallback title."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta = {}
    fm_title, body = front_matter(text)
    if body is not text:
        meta["title"] = fm_title
        # keep line numbers those of the file: the front matter's lines become blank
        text = "\n" * text[: len(text) - len(body)].count("\n") + body
    if is_html_body(text):
        from .formats.html import html_report
        return html_report(_markdown_to_html(text), file, meta)
    lines, numbers = unwrap(text.split("\n"))
    blocks: list[Block] = []
    title = ""
    heading: str | None = None
    pending: tuple[str, int] | None = None  # a short line that may be a caption or a heading
    n_par = n_tab = 0
    i = 0

    def flush_pending_as_heading() -> None:
        nonlocal pending, heading
        if pending is not None:
            heading = pending[0]
            pending = None

    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        lineno = numbers[i]
        if not line:
            i += 1
            continue
        m = HEADING_RE.match(raw)
        if m:
            flush_pending_as_heading()
            text_h = m.group(2).strip()
            if len(m.group(1)) == 1 and not title:
                title = text_h
            else:
                heading = text_h
            i += 1
            continue
        if SOURCE_RE.match(line):
            flush_pending_as_heading()
            if blocks:
                prev = blocks[-1]
                note = line if not prev.source else f"{prev.source}；{line}"
                blocks[-1] = _with_source(prev, note)
            i += 1
            continue
        if is_table_line(line):
            rows: list[tuple[str, ...]] = []
            start = lineno
            # once a table has started, a row with fewer cells (one pipe) still belongs to it
            while i < len(lines) and lines[i].strip() and (is_table_line(lines[i].strip()) or
                                                           (rows and "|" in lines[i])):
                if not MD_RULE_RE.match(lines[i].strip()):
                    rows.append(split_cells(lines[i]))
                i += 1
            if len(rows) >= 2:
                n_tab += 1
                note = pending[0] if pending else ""
                pending = None
                # a units line right above the table ("单位：万元") is its unit, not its caption
                caption = clean_caption(note) if note and not is_unit_line(note) else f"表{n_tab}"
                # a leading units row may be written short ("| 单位：元 |"): size by the rows
                width = max(len(rows[0]), Counter(len(r) for r in rows).most_common(1)[0][0])
                # a body that starts over under its own header rows: one table per block
                for k, block in enumerate(split_blocks([_fit(r, width) for r in rows])):
                    n_tab += bool(k)
                    grid = read_grid(block, caption=note)
                    blocks.append(Table(caption, grid.header, grid.rows, n_tab, line=start, heading=heading,
                                        unit=grid.unit, row_labels=grid.row_labels,
                                        label_columns=grid.label_columns))
            else:  # a lone line with pipes is just text
                n_par += 1
                blocks.append(Paragraph(line, n_par, line=start, heading=heading,
                                        boilerplate=bool(BOILERPLATE_RE.search(line))))
            continue
        rows = delimited_run(lines, i)
        if rows:  # comma- or tab-separated rows (a CSV export saved as .txt)
            width = len(rows[0])
            # its header may be written with other separators ("日期\t 开盘 …" over "2000/01/04,0.72,…")
            head = pending[0].split() if pending else []
            if len(head) == width:
                pending = None
            flush_pending_as_heading()
            n_tab += 1
            grid = read_grid([head] * (len(head) == width) + [list(r) for r in rows], caption="")
            blocks.append(Table(title or f"表{n_tab}", grid.header, grid.rows, n_tab, line=lineno, heading=heading,
                                unit=grid.unit, row_labels=grid.row_labels, label_columns=grid.label_columns))
            i += len(rows)
            continue
        # A short line without closing punctuation: a caption if a table follows, else a heading
        # (or the title, when it is the first thing in the file).
        if looks_like_title(line) and not BOILERPLATE_RE.search(line):
            flush_pending_as_heading()
            if not title and not blocks:
                title = line
            else:
                pending = (line, lineno)
            i += 1
            continue
        flush_pending_as_heading()
        n_par += 1
        blocks.append(Paragraph(line, n_par, line=lineno, heading=heading,
                                boilerplate=bool(BOILERPLATE_RE.search(line))))
        i += 1
    flush_pending_as_heading()
    if meta.get("title"):  # the title the author declared beats a guess from the first line
        title = meta["title"]
    return finish(Report(file=file, title=title or title_from_file(file), blocks=blocks), meta)


def _markdown_to_html(text: str) -> str:
    """Markdown lines around the HTML as HTML: headings as <hN>, other plain lines as <p>."""
    out = []
    for line in text.split("\n"):
        s = line.strip()
        m = HEADING_RE.match(line)
        if not s or s.startswith("<"):
            out.append(line)
        elif m:
            n = len(m.group(1))
            out.append(f"<h{n}>{m.group(2)}</h{n}>")
        else:
            out.append(f"<p>{line}</p>")
    return "\n".join(out)


def delimited_run(lines: list[str], start: int, least: int = 3) -> list[tuple[str, ...]]:
    """The rows of a comma- or tab-separated block starting at `start`: at least `least`
    consecutive lines that split into the same number (3 or more) of short fields. Prose with
    commas fails the test (its pieces are long and their count varies)."""
    for sep in ("\t", ","):
        rows: list[tuple[str, ...]] = []
        for line in lines[start:]:
            cells = tuple(c.strip() for c in line.strip().split(sep))
            if len(cells) < 3 or (rows and len(cells) != len(rows[0])) or max(map(len, cells)) > 40:
                break
            rows.append(cells)
        if len(rows) >= least:
            return rows
    return []


def title_from_file(file: str) -> str:
    return file_title(file)


def _fit(row: tuple[str, ...], width: int) -> tuple[str, ...]:
    if len(row) < width:
        return row + ("",) * (width - len(row))
    if len(row) > width:  # a stray pipe inside the last cell: keep the text, don't drop it
        return row[: width - 1] + (" | ".join(row[width - 1:]),)
    return row


def _with_source(block: Block, note: str) -> Block:
    from dataclasses import replace
    return replace(block, source=note)
