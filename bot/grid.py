"""A table's cells -> the table read as a grid: one label per column, the unit, a label per row.

Reports rarely put a table's header in one row. A span label ("Year Ended December 31,") sits
above the years; a units row ("($ in millions)", "单位：元") sits above or beside them; section
rows ("Net sales:", "Assets:") head the rows under them. The rules here are about that shape:

- header rows are the leading rows whose value cells (all but the label column) hold no data
  figure: text or period labels ("2019", "FY19", "第一季度", "December 31, 2019", "2024年末"),
  at most three; a row after the first joins them only when its label cell is empty, a unit,
  or the label above carried down (a label column spanning rows);
- a label in an upper header row covers the empty cells beside it whose columns are of its
  kind (periods under a period span, text under a text span): a span label is often written
  in its middle column, and a "Fiscal years ended" span covers the years, not a "% Change";
  the labels of a column are joined top to bottom, each once; a span covers columns that the
  rows below tell apart, so a label stops before a column whose lower labels repeat those of a
  column it already covers ("Affected Entities" over one "2021" does not reach the next "2021":
  that is another column group, often the unnamed total); footnote marks ("Business*",
  "2019 (1)") are left out of the merged labels;
- a cell that is only a unit note is the table's unit, not a label; a row of such notes goes;
- a row with a label and no values is a section: the rows under it are "Section / Label"
  until the next section, and a "Total…" row closes it (it is the section's own total);
- leading text columns whose outer column is blank or repeats while the inner one changes
  are nested labels ("华东 / 上海").

Cells stay the report's strings; labels are composed only in `header` and `row_labels`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
YEAR = r"(?:19|20)\d{2}"
_PERIOD = [
    rf"{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s*{YEAR})?",  # December 31, 2019 / February 28,
    rf"\d{{1,2}}\s+{MONTH},?\s*{YEAR}",  # 31 December 2019
    rf"{MONTH},?\s+{YEAR}",  # March 2019
    rf"{YEAR}\s*年(?:度|末|初|底|中)?(?:\s*\d{{1,2}}\s*(?:-|—|–|~|至)?\s*\d{{0,2}}\s*月)?(?:\s*\d{{1,2}}\s*日)?",  # 2024年12月31日
    r"\d{1,2}\s*(?:-|—|–|~|至)\s*\d{1,2}\s*月",  # 1-6月
    r"\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?",  # 12月31日
    rf"{YEAR}[-/.]\d{{1,2}}(?:[-/.]\d{{1,2}})?",  # 2024-12-31
    rf"{YEAR}\s*(?:-|—|–|/|~|至)\s*(?:{YEAR}|\d{{2}})",  # 2019-2023, 2019/20
    r"(?:fy|cy|fiscal(?:\s+year)?)\s*'?\d{2,4}",  # FY19, fiscal 2019
    rf"[1-4]\s*q\s*(?:'?\d{{2}}|{YEAR})?|q[1-4](?:\s*'?(?:{YEAR}|\d{{2}}))?",  # Q1, 1Q19, Q4 2019
    rf"[12]\s*h\s*(?:'?\d{{2}}|{YEAR})?|h[12](?:\s*'?(?:{YEAR}|\d{{2}}))?",  # H1, 1H19
    r"(?:第\s*)?[一二三四1-4]\s*季度",  # 第一季度, 一季度
    rf"'\d{{2}}\b|{YEAR}",  # '19, 2019
]
PERIOD_RE = re.compile(rf"(?<![\d.,])(?:{'|'.join(_PERIOD)})(?![\d,.]\d)", re.I)
# words that, with period tokens, make a period label ("Year Ended December 31,", "截至期末")
PERIOD_WORDS_RE = re.compile(
    r"\b(?:fiscal|financial|calendar|years?|months?|weeks?|quarters?|periods?|ended|ending|ends|as|of|at|"
    r"for|the|three|six|nine|twelve|first|second|third|fourth|half|year-to-date|ytd|to|and)\b|"
    r"年度|年末|年初|年底|年中|年|季度|上半年|下半年|前三季度|全年|截至|截止|期末|期初|本期|上期|本年|上年|同期|月末|日",
    re.I)
# a footnote mark after a label: "2019 (1)", "Asia property (2)", "2018(1)", "Other (a)"
FOOTNOTE_RE = re.compile(r"(?<=\S)\s*(?:\(\s*(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*\)|[¹²³⁴⁵⁶⁷⁸⁹⁰*†‡]+)", re.I)
# a footnote mark that ends a column label ("Business*", "2019 (1)", "Compensation(1)", "Segment (a)"),
# not a bracket inside a word ("Office(s) Held")
LABEL_MARK_RE = re.compile(r"(?:(?<=\w)\s*\(\s*(?:\d{1,2}|[ivx]{1,4})\s*\)|(?<=\w)\s+\([a-z]\)|(?<=\w)[¹²³⁴⁵⁶⁷⁸⁹⁰*†‡]+)(?=\s|$)", re.I)
# "Level 1", "Tier 2", "Note 5", "前10名": a number that names, not measures
ORDINAL_RE = re.compile(r"\b[a-z]{3,}\.?\s+\d{1,2}(?![\d.,%])|(?:第|前|后|top\s*)\d{1,3}(?:名|位|大|家|个)?", re.I)
PLACEHOLDER_RE = re.compile(r"^[$¥￥€£]?\s*(?:[-–—−]+|n/?a|n\.?m\.?|nil|不适用|无|/)$", re.I)

CURRENCY = (r"(?:(?:us|a|c|hk|nz|s|r)?\$|€|£|¥|￥|rmb|cny|usd|eur|gbp|aud|cad|hkd|jpy|chf|sgd|"
            r"(?:u\.s\.\s*)?dollars?|euros?|pounds?|yuan)")
MAGNITUDE = r"(?:thousands?|millions?|billions?|trillions?|['’]000s?)"
SHORT_MAGNITUDE = r"(?:000s?|mn|mm|m|bn|b|k)"  # a unit only beside a currency or "in": "$m", "in bn"
UNIT_EN_RE = re.compile(
    rf"^(?:(?:amounts?|dollars?|figures|numbers?|all\s+amounts?)\s+)?"
    rf"(?:{CURRENCY}\s*(?:in\s+)?(?:{MAGNITUDE}|{SHORT_MAGNITUDE})|(?:in\s+)?(?:{CURRENCY}\s*)?{MAGNITUDE}"
    rf"|in\s+{SHORT_MAGNITUDE})"
    rf"(?:\s+of\s+(?:{CURRENCY}|(?:u\.s\.\s*)?dollars))?(?:\s*[,;]?\s*(?:except|unless)\b.*)?$", re.I)
UNIT_ZH_RE = re.compile(r"^(?:(?:金额|货币|计量)?单位|币种)\s*[:：]\s*\S.*$")
UNIT_ZH_BARE_RE = re.compile(r"^(?:人民币|美元|港币|港元)?\s*(?:元|千元|万元|百万元|亿元|万亿元|美元|千美元|万美元|"
                             r"百万美元|亿美元|港元|万港元)$")
PERCENT_RE = re.compile(r"^(?:in\s+)?(?:%|percent(?:age)?|百分比)$", re.I)
TOTAL_RE = re.compile(r"^\s*(?:total|sub-?total|grand\s+total|合计|总计|小计|共计|总额|总数)", re.I)
_BRACKETS = "()（）[]【】"


@dataclass(frozen=True)
class Grid:
    header: tuple[str, ...]  # one label per column, a multi-row header folded
    rows: tuple[tuple[str, ...], ...]  # the body, cells as the report writes them
    unit: str = ""  # "$ in millions", "单位：元"; "" when the table names none
    row_labels: tuple[str, ...] = ()  # one per body row: "Net sales / Americas"
    label_columns: int = 1  # leading columns that hold row labels


def read_grid(rows: Sequence[Sequence[str]], caption: str = "") -> Grid:
    """Read a table given as rows of cell strings (header rows first, as the file has them).
    `caption` may carry the unit ("主要会计数据（单位：元）")."""
    width = max((len(r) for r in rows), default=0)
    grid = [[(c or "").strip() for c in r] + [""] * (width - len(r)) for r in rows]
    grid = [r for r in grid if any(r)]
    if width < 2 or len(grid) < 2:
        return Grid(tuple(grid[0]) if grid else (), tuple(map(tuple, grid[1:])), unit_in(caption))
    unit, grid = _take_units(grid)
    header_rows = _header_rows(grid)
    header_part, body = grid[:header_rows], grid[header_rows:]
    labels = _label_columns(body, width)
    return Grid(header=_merge_header(header_part, labels) or ("",) * width, rows=tuple(map(tuple, body)),
                unit=unit or unit_in(caption), row_labels=_row_labels(body, labels), label_columns=labels)


def split_blocks(rows: Sequence[Sequence[str]]) -> list[list[list[str]]]:
    """A table whose body starts over with its own header rows ("January–June 2022" over
    "Sales | Operating profit | …" under the 2023 block's rows): one grid per block, so each
    block's rows are read under their own column labels, not the first block's.

    A block starts at a row of column labels inside the body (after a row of figures): at least
    two value cells and half of them filled, none a figure, and a row of figures right below;
    and its label cell blank, a unit or the first header's label; the figure-less rows just above
    it that hold something in a value cell (a period span, a unit note) are its upper header rows.
    A section row (a label, empty value cells) is no header."""
    width = max((len(r) for r in rows), default=0)
    grid = [[(c or "").strip() for c in r] + [""] * (width - len(r)) for r in rows]
    if width < 3:
        return [grid]

    def figures(row: list[str]) -> bool:
        return any(has_figure(c) and not is_unit(c) for c in row[1:])

    def labels(row: list[str]) -> bool:
        filled = [c for c in row[1:] if c]
        return len(filled) >= max(2, (width - 1) / 2) and not any(has_figure(c) for c in filled)

    def header_label(cell: str) -> bool:
        # a header row's label cell is blank, a unit note or the first header's own label; a body
        # row of words ("Rating | AA | A+") has a label of its own
        return not cell or is_unit(cell) or cell == grid[0][0]

    first = next((k for k, r in enumerate(grid) if figures(r)), None)
    if first is None:
        return [grid]
    cuts = []
    for k in range(first + 1, len(grid) - 1):
        if not labels(grid[k]) or not figures(grid[k + 1]) or not header_label(grid[k][0]):
            continue
        start = k
        while start - 1 > first and not figures(grid[start - 1]) and any(grid[start - 1][1:]):
            start -= 1
        cuts.append(start)
    if not cuts:
        return [grid]
    bounds = [0, *cuts, len(grid)]
    return [grid[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


# ----- cells -----

def is_unit(cell: str) -> bool:
    """The whole cell is a unit note: "($ in millions)", "US$’000", "单位：万元 币种：人民币"."""
    s = cell.strip().strip(_BRACKETS).strip()
    return bool(s) and bool(UNIT_EN_RE.match(s) or UNIT_ZH_RE.match(s) or PERCENT_RE.match(s)
                            or (UNIT_ZH_BARE_RE.match(s) and s != cell.strip()))


def is_unit_line(text: str) -> bool:
    """A line that is only a unit note. Above a table even a bare "元" or "万元" is one."""
    return is_unit(text) or bool(UNIT_ZH_BARE_RE.match((text or "").strip()))


def unit_in(text: str) -> str:
    """A unit note inside a caption or line: the whole text, a bracketed part, or "单位：…"."""
    text = (text or "").strip()
    if is_unit_line(text):
        return _bare(text)
    for part in re.findall(r"[(（\[【]([^()（）\[\]【】]+)[)）\]】]", text):
        if is_unit(part) or is_unit(f"({part})"):
            return part.strip()
    m = re.search(r"(?:(?:金额|货币)?单位|币种)\s*[:：]\s*\S.*$", text)
    return m.group(0).strip() if m else ""


def is_period(cell: str) -> bool:
    """A period label: "2019", "FY2019", "Q1", "一季度", "Year Ended December 31,", "2024年末"."""
    s = FOOTNOTE_RE.sub("", cell)
    if not (PERIOD_RE.search(s) or re.search(r"year|quarter|month|half|ytd|年|季|期|月", s, re.I)):
        return False
    rest = PERIOD_WORDS_RE.sub(" ", PERIOD_RE.sub(" ", s))
    return not re.sub(r"[\W_]+", "", rest)


def has_figure(cell: str) -> bool:
    """The cell holds a data figure (or a dash / N/A standing for one), not a label."""
    s = cell.strip()
    if not s:
        return False
    if PLACEHOLDER_RE.match(s):
        return True
    s = ORDINAL_RE.sub(" ", PERIOD_RE.sub(" ", FOOTNOTE_RE.sub("", s)))
    return bool(re.search(r"\d", s))


def _bare(cell: str) -> str:
    s = cell.strip()
    while len(s) > 1 and s[0] in "(（[【" and s[-1] in ")）]】":
        s = s[1:-1].strip()
    return s


def _section_name(label: str) -> str:
    return re.sub(r"\s*[:：]\s*$", "", label)


# ----- header -----

def _take_units(grid: list[list[str]]) -> tuple[str, list[list[str]]]:
    """Unit notes above the first row of figures: a row of one unit goes, a unit cell is
    blanked. A row naming a different unit per column is kept: its notes label the columns."""
    units: list[str] = []
    out: list[list[str]] = []
    top = True
    for row in grid:
        if top and any(has_figure(c) and not is_unit(c) for c in row[1:]):
            top = False
        if not top:
            out.append(row)
            continue
        found = [c for c in row if c and is_unit(c)]
        kinds = {_bare(c) for c in found}
        if found and len(found) == sum(1 for c in row if c):
            if len(kinds) == 1:
                units.append(kinds.pop())
                continue
            out.append(row)
            continue
        units += [_bare(c) for c in found]
        out.append(["" if c and is_unit(c) else c for c in row])
    out = [r for r in out if any(r)]
    if len(out) < 2:  # nothing but units and one row: read the rows as they are
        return "", grid
    return "; ".join(dict.fromkeys(units)), out


def _header_rows(grid: list[list[str]]) -> int:
    if not any(has_figure(c) for row in grid for c in row[1:]):
        return 1  # a table of words: its first row is the header, as written
    if grid[0][0] and not has_figure(grid[0][0]) and sum(has_figure(c) for c in grid[0][1:]) >= 2:
        return 0  # the first row is a labelled row of figures: the table printed no header
    count, with_values = 0, 0
    for k, row in enumerate(grid[:-1]):
        values = row[1:]
        if any(has_figure(c) for c in values):
            break
        if k > 0 and with_values and row[0] and row[0] != grid[k - 1][0]:
            break  # a row label: the body has begun
        if not any(values):
            if with_values:
                break  # a section row under the header
        else:
            with_values += 1
        count += 1
        if with_values == 4:
            break
    return max(count, 1)


def _merge_header(rows: list[list[str]], labels: int) -> tuple[str, ...]:
    if not rows:
        return ()
    width = len(rows[0])
    spread = [list(r) for r in rows]
    for k in range(len(rows) - 1):
        spread[k] = _spread(rows[k], rows[k + 1:], labels)
    merged = []
    for j in range(width):
        parts: list[str] = []
        for row in spread:
            cell = LABEL_MARK_RE.sub("", row[j]).strip()
            if cell and not any(re.search(rf"(?<!\w){re.escape(cell)}(?!\w)", p) for p in parts):
                parts.append(cell)
        merged.append(" ".join(parts))
    return tuple(merged)


def _spread(row: list[str], below: list[list[str]], labels: int) -> list[str]:
    """Carry an upper header row's labels across the empty value cells they span."""
    width = len(row)

    def kind(j: int) -> str | None:
        lowest = next((r[j] for r in reversed(below) if r[j]), "")
        return None if not lowest else ("period" if is_period(lowest) else "text")

    def lower(j: int) -> str:
        return next((r[j] for r in reversed(below) if r[j]), "")

    out = list(row)
    filled = [j for j in range(labels, width) if row[j]]
    for n, j in enumerate(filled):
        stop = filled[n + 1] if n + 1 < len(filled) else width
        covered = {lower(j)} if lower(j) else set()
        for t in range(j + 1, stop):
            if kind(t) is not None and kind(j) is not None and kind(t) != kind(j):
                break
            if lower(t) and lower(t) in covered:
                break  # the same labels below again: another column group, not this span
            covered.add(lower(t))
            out[t] = row[j]
        if n == 0:  # a span label written in its middle column covers the columns before it too
            for t in range(j - 1, labels - 1, -1):
                if kind(t) is None or kind(j) is None or kind(t) != kind(j):
                    break
                out[t] = row[j]
    return out


# ----- row labels -----

def _label_columns(body: list[list[str]], width: int) -> int:
    """Leading text columns that nest: the outer one blank or repeating where the inner changes.
    A numbering column ("序号", "No.") goes with the text column after it."""
    labels = 2 if (width > 2 and _numbering([r[0] for r in body])
                   and any(r[1] for r in body) and not any(has_figure(r[1]) for r in body)) else 1
    while labels < width - 1:
        outer = [r[labels - 1] for r in body]
        inner = [r[labels] for r in body]
        if not any(inner) or any(has_figure(c) for c in inner):
            break
        nests = any(inner[k] and (not outer[k] or (k and outer[k] == outer[k - 1]))
                    for k in range(len(body)))
        if not nests or len(set(filter(None, inner))) <= len(set(filter(None, outer))):
            break
        labels += 1
    return labels


def _numbering(column: list[str]) -> bool:
    """1, 2, 3… (or "1.", "一、"): the rows' numbers, not their labels."""
    cells = [c for c in column if c]
    return len(cells) >= 2 and len(set(cells)) == len(cells) and \
        all(re.fullmatch(r"\(?(?:\d{1,3}|[一二三四五六七八九十]{1,3})[.、)）]?", c) for c in cells)


def _row_labels(body: list[list[str]], labels: int) -> tuple[str, ...]:
    numbered = labels > 1 and _numbering([r[0] for r in body])
    out: list[str] = []
    sections: list[str] = []
    carried = [""] * labels
    nest = True  # the next section row nests under the open ones (none yet, or right after one)
    # columns that hold a figure in some row: a row whose figure columns are all empty is a section
    # row even when a column of notes or links beside them has text ("Bio Mass … | | | | Biomass
    # Report"); a table with no figure column keeps the rule of all cells empty
    width = max((len(r) for r in body), default=0)
    figures = {j for j in range(labels, width) if any(j < len(r) and has_figure(r[j]) for r in body)}
    for row in body:
        cells = row[:labels]
        for j in range(labels - 1):  # an outer label blank under a merged cell: the one above
            if cells[j]:
                carried[j] = cells[j]
            elif any(cells[j + 1:]):
                cells[j] = carried[j]
        own = _join([c for c in cells[1 if numbered else 0:] if c])
        if own and (not any(row[labels:]) or figures and not any(row[j] for j in figures if j < len(row))):
            sections = (sections if nest else sections[:-1]) + [_section_name(own)]
            out.append(_join(sections))
            nest = True
            continue
        out.append(_join(sections + [own]))
        # the section's own total (or an unlabelled sum) closes it; the next section is its sibling
        nest = bool(sections) and (not own or bool(TOTAL_RE.match(own)))
        if nest:
            sections = sections[:-1]
    return tuple(out)


def _join(parts: list[str]) -> str:
    kept: list[str] = []
    for p in parts:
        if p and (not kept or kept[-1] != p):
            kept.append(p)
    return " / ".join(kept)
