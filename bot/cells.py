"""Tables read as grids: a question's terms are matched to row labels and to column labels
separately, and the answer is the cell at their crossing (or the whole row when the question
names no column). Counts with a condition ("how many years did X exceed Y", "持股比例超过1%的有
几个") are computed over the cells of one row or one column and say that they are computed.

Cells stay the report's strings; they are turned into numbers only to compare them with a
condition, never to state them.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from functools import lru_cache

from . import asks, conditions, vocabdata
from . import rank as ranking
from .figures import DATE_RE, cell_figure, numbers_in
from .grid import FOOTNOTE_RE, PERIOD_RE, PERIOD_WORDS_RE
from .lexical import tokenize
from .match import (YEAR_RE, Needs, coverage, date_fit, day_fit, label_years, match, named_part, periods_in, quarter_of,
                    score)
from .scope import named_reports
from .sections import scope_text, scoped_needs
from .types import Chunk, Evidence

NUMBER_CELL = re.compile(r"^[\s$€£¥（(-]*[-−–]?\s*\d[\d,，]*(?:\.\d+)?\s*[)）]?\s*(%|％)?$")
# a cell that holds no value: a dash, "not applicable", "not meaningful", and a price sheet's "no
# quote" ("unq", "nq", "unquoted", "no quote": a market that traded no price that period)
NIL_RE = re.compile(r"^\s*(?:[-—–]+|n/?a|nm|不适用|无|unq|n\.?q\.?|unquoted|no quotes?|not quoted|无报价)\s*$", re.I)
TABLES_LOOKED_AT = 3
REPORTS_LOOKED_AT = 2
SCALES = {"thousand": 1e3, "thousands": 1e3, "千": 1e3, "million": 1e6, "millions": 1e6, "百万": 1e6,
          "billion": 1e9, "billions": 1e9, "万": 1e4, "亿": 1e8, "万亿": 1e12}
COND_RE = re.compile(
    r"(超过|高于|大于|多于|不低于|不少于|至少|低于|少于|小于|不足|不到|exceed(?:ed|s)?|more than|greater than|higher than|"
    r"above|over|at least|less than|lower than|below|under|fewer than)\s*(?:了|the)?\s*"
    r"(?:(?-i:[A-Z]{2,3})\$?\s*)?"  # a currency code before the number ("above CHF 9 billion", "over US$5")
    r"([$¥€£]?\s*\d[\d,]*(?:\.\d+)?)\s*(%|％|万亿|亿|万|千|thousand|million|billion)?", re.I)
DURATION_RE = re.compile(r"\s*(?:个月|个季度|年|天|日|周|小时|分钟|(?:calendar |fiscal )?(?:years?|months?|quarters?|weeks?|days?|hours?)\b)", re.I)
COUNT_LABEL_RE = re.compile(r"数|户|人次|家|个|number|count|headcount|employees|units|shares", re.I)
# 哪 with a measure word (哪个, 哪类, 哪只, 哪家 …: measure_words.tsv) asks which one
WHICH_RE = re.compile(rf"\bwhich\b|\bwhat year|哪些|哪一|哪几|哪年|哪[{vocabdata.measure_words()}类]", re.I)
BELOW = re.compile(r"低于|少于|小于|不足|不到|less|lower|below|under|fewer", re.I)
TALLY_UNITS = vocabdata.measure_words("tally")  # 几位, 几款: counted too (bot/question.py)
COUNT_UNITS_ALL = vocabdata.measure_words("count") + TALLY_UNITS
INCLUSIVE = re.compile(r"不低于|不少于|至少|at least", re.I)


# what a question asks for that a row of figures does not state: a reason, a description, a name, a place
PROSE_INTENTS = ("why", "define", "who", "where")


@dataclass
class Cell:
    view: object  # index.TableView
    row: Chunk
    col: int | None  # None: the whole row
    score: float
    missing: list[str] = field(default_factory=list)
    feats: dict = field(default_factory=dict)  # what bot.rank's fitted model scores it on
    fitted: float = 0.0  # that score (bot.rank.ranked)


def is_number(cell: str) -> bool:
    """A cell of one figure, or of a range of two ("1.35- 1.42", as price sheets quote a low and
    a high price); not a year."""
    text = (cell or "").strip()
    if YEAR_RE.fullmatch(text):
        return False
    if NUMBER_CELL.match(text):
        return True
    low, sep, high = _range_ends(text)
    return bool(sep) and all(NUMBER_CELL.match(end) and not YEAR_RE.fullmatch(end.strip()) for end in (low, high))


# a range's separator: a dash or tilde with space on either side or none ("1.35- 1.42", "27.30–37.35")
RANGE_SEP = re.compile(r"(?<=\d)\s*[-–—~～]\s*(?=[$€£¥]?\d)")


def _range_ends(text: str) -> tuple[str, str, str]:
    m = RANGE_SEP.search(text)
    return (text[:m.start()], m.group(), text[m.end():]) if m else (text, "", "")


def value_columns(view) -> list[int]:
    """Columns that hold figures in most rows (the rest are labels and notes)."""
    width = len(view.header)
    out = []
    for j in range(1, width):  # the first column holds the row labels (names, years)
        # a dash or "N/A" is a value the report left out, not a word
        cells = [r.cells[j] for r in view.rows if j < len(r.cells) and r.cells[j].strip() and not NIL_RE.match(r.cells[j])]
        # dates are values too ("首店开业：1999年1月11日"), asked for by their column's label
        if cells and sum(is_number(c) or bool(DATE_RE.fullmatch(c.strip())) for c in cells) >= 0.6 * len(cells):
            out.append(j)
    return out


def numeric(view) -> bool:
    width = len(view.header)
    return width >= 2 and len(value_columns(view)) * 2 >= width - 1


def row_label(view, row: Chunk) -> str:
    if row.label:
        return row.label
    values = set(value_columns(view))
    return " ".join(c for j, c in enumerate(row.cells) if j not in values and c.strip())


def _tables(evidence: list[Evidence], index, numeric_only: bool = True) -> list[tuple[int, object]]:
    seen: dict[str, int] = {}
    for rank, ev in enumerate(evidence):
        tid = ev.chunk.table_id
        if tid and tid not in seen:
            seen[tid] = rank
    out = [(rank, index.tables[tid]) for tid, rank in seen.items() if tid in index.tables]
    out = [(r, v) for r, v in out if v.rows and (numeric(v) or not numeric_only)][:TABLES_LOOKED_AT]
    # the other tables of the reports the evidence comes from: retrieval often finds a report's
    # prose about a figure and misses the row that states it
    files = list(dict.fromkeys(ev.chunk.file for ev in evidence[:REPORTS_LOOKED_AT]))
    have = {v.table_id for _, v in out}
    for rank, file in enumerate(files):
        for view in index.file_tables.get(file, ()):
            if view.table_id not in have and view.rows and (numeric(view) or not numeric_only):
                out.append((len(evidence) + rank, view))
                have.add(view.table_id)
    return out


# a unit of currency per quantity ("$/gal", "cents/lb", "$ per ton", "元/吨", "美元/桶"): what
# such a cell states is a price, whatever its row is called ("Ethanol ($/gal) / Iowa")
PRICE_UNIT_RE = re.compile(
    r"(?:[$€£¥]|\b(?:US\$|USD|EUR|GBP|RMB|CNY|cents?|dollars?|euros?|yuan)\b|¢|元|美元|欧元|港元|分)"
    r"\s*(?:/|\bper\b)\s*(?!\d)[A-Za-z\u4e00-\u9fff]", re.I)
PRICE_WORDS = "price 价格"


# the share of a table's rows of figures whose labels say a price unit from which the table is a
# price sheet: its other rows are prices too (a sheet gives a group's unit once, or not at all)
PRICED_SHARE = 0.75


def unit_measure(*labels: str, priced: bool = False) -> str:
    """The measure a cell's unit says when its labels do not: " price 价格" for a unit of
    currency per quantity (or any cell of a price sheet: `priced_table`), to be read with the
    labels; "" otherwise."""
    return f" {PRICE_WORDS}" if priced or any(PRICE_UNIT_RE.search(label) for label in labels) else ""


def priced_table(view) -> bool:
    """Do most of the table's rows of figures (`PRICED_SHARE`) say a price unit in their labels?"""
    values = value_columns(view)
    rows = [r for r in view.rows if any(j < len(r.cells) and cell_figure(r.cells[j]) for j in values)]
    said = sum(bool(PRICE_UNIT_RE.search(f"{row_label(view, r)} {view.caption}")) for r in rows)
    return bool(rows) and said >= PRICED_SHARE * len(rows)


# a column dated relative to the report's own period ("Last Week", "Year Ago", "Prior Year",
# "上周", "上年同期"): it answers a question that says so ("last week", "a year ago"), not one about
# the report's own week or date, which its current column ("This Week", "W/E 02/24/17") states
RELATIVE_RE = re.compile(r"\b(?:last|previous|prior|preceding|ago|earlier)\b|上周|上月|上期|上年|去年|同期|前一", re.I)


def relative_fit(needs: Needs, header: str) -> float:
    """0.3 for a relative column (`RELATIVE_RE`) that names no year when the question says no
    relative word; 1 otherwise. A change on the prior period ("本年比上年增减", "Change vs prior
    year") is no earlier period's figure: its column is not relative."""
    if not RELATIVE_RE.search(header) or label_years(header) or conditions.CHANGE_LABEL.search(header):
        return 1.0
    return 1.0 if RELATIVE_RE.search(needs.extra.get("question", "")) else 0.3


def _scope(view, row: Chunk) -> str:
    return "\n".join((view.caption, scope_text(row)))  # + the part's year and the report's scope


def _period_fit(needs: Needs, label: str, scope: str) -> float:
    """Does a column (or row) label name the asked year and quarter?"""
    value = 1.0
    if needs.years:
        years = label_years(label)
        value = 1.0 if years & set(needs.years) else (0.1 if years else date_fit(needs, "", "", scope))
    value *= day_fit(needs, label)  # "at February 3, 2024": that day's column, not another date of the year
    if needs.quarter:
        quarter = quarter_of(label)
        said = named_part(periods_in(label), scope)
        if not quarter:  # "Thirteen Weeks Ended …": the quarter the report's title names, if one
            quarter = next((q[1] for q in said if q[0] == "q"), "")
        # a column of another length ("Thirty-Nine Weeks Ended", a half, the year) is no quarter
        other = not quarter and bool(said & {"9m", "h1", "h2", "half", "full"}) and "quarter" not in said
        value *= 1.0 if quarter == needs.quarter else (0.1 if quarter or other else 0.6)
    return value


def table_years(view, rows=None, records: bool = False) -> set[str]:
    """The years a table itself names: in its caption, column labels and row labels (and, for a
    table of records, in its cells: "发布时间 2024年12月")."""
    rows = view.rows if rows is None else rows
    text = " ".join([view.caption, *view.header, *(row_label(view, r) for r in rows)])
    if records:
        text += " " + " ".join(c for r in rows for c in r.cells if not is_number(c))
    return label_years(text)


# the share of the question's terms a table (its caption, labels and the report's prose about it)
# must hold before a table path answers from it: the same bar count_answer and extreme_answer set
TABLE_COVERAGE = 0.5


def fits(q, needs: Needs, view, evidence: list[Evidence], index, rows=None, records: bool = False,
         covered: bool = True) -> bool:
    """The checks the sentence path makes, for a table path (a count, the largest row, a table's
    structure, a table of records): is this table about the year, the company or place and the
    report the question names? A table that fails yields no answer, so the caller can refuse.

    - a report the question names (bot.scope) must be the table's;
    - an asked year must be one the table's own labels name, or, when they name none, the year
      of its part or report (a quarterly table of 2024 is no answer for 2022);
    - every name the question gives (company, place, person) must be said by the table, its
      report's scope or the report's prose that retrieval found;
    - `covered`: the question's terms must be covered as well as count_answer asks of a column."""
    rows = view.rows if rows is None else rows
    if not view.rows:
        return False
    row0 = view.rows[0]
    named = named_reports(index, q.text)
    if named and row0.file not in named:
        return False
    scope = _scope(view, row0)
    if needs.years:
        years = table_years(view, rows, records)
        if not years:
            years = set(YEAR_RE.findall(scope))
        if years and not years & set(needs.years):
            return False
    frame = "\n".join([view.caption, *view.header, *(r.text for r in rows)])
    prose = _prose(view, evidence)
    scoped = scoped_needs(needs, row0)
    for n in needs.items:
        if n.entity and n.text not in scoped and \
                max(match(n, frame), match(n, scope), match(n, prose)) < 0.5:
            return False  # another company's or place's table
    if covered:
        cov, _ = coverage(needs, frame, prose, scope, scoped, measures=False)
        if cov < TABLE_COVERAGE:
            return False
    return True


def _prose(view, evidence: list[Evidence]) -> str:
    """The prose of the table's report that retrieval found: a table's measure ("Adjusted
    EBITDA", "total assets") is usually said there, not in its cells."""
    return "\n".join(ev.chunk.text for ev in evidence[:6] if ev.chunk.kind == "paragraph"
                     and ev.chunk.file == view.rows[0].file)


def candidates(needs: Needs, evidence: list[Evidence], index) -> list[Cell]:
    ranks = {ev.chunk.id: i for i, ev in enumerate(evidence)}
    found = {ev.chunk.id: ev for ev in evidence}
    describe = ranking.wanted()  # (features for bot.rank only when a model ranks or a fit records)
    out: list[Cell] = []
    said = _said_tokens(needs)
    tables = _tables(evidence, index)
    # the label words of a cell the question says, relative to the best-said cell's: of cells the
    # question's terms cover alike, "Trading operating profit" answers "trading operating profit"
    # and "Underlying Trading operating profit" or "Nestlé Health Science" does not
    best_said = max((_label_said(said, f"{_own(row_label(v, r))} {v.header[j]}") or 0.0 for _, v in tables
                     for r in v.rows for j in value_columns(v)), default=0.0)
    for table_rank, view in tables:
        values = value_columns(view)
        groups = column_groups(view, values)
        named = any(g & said for g, _ in groups.values())
        periods = any(needs.years and label_years(view.header[j]) or
                      needs.quarter and quarter_of(view.header[j]) for j in values)
        prose = _prose(view, evidence)
        whole_only = _whole_asked(needs, view)
        priced = priced_table(view)
        for row in view.rows:
            label = row_label(view, row)
            scope = _scope(view, row)
            scoped = scoped_needs(needs, row)
            rank = ranks.get(row.id, table_rank + 3)
            # a segment's or an item's row where the question names none of the table's rows:
            # the table's Total row states the whole the question asks about
            part = 0.5 if whole_only and not TOTAL_RE.match(label) else 1.0
            for j in values:
                cell = row.cells[j] if j < len(row.cells) else ""
                if not cell.strip():
                    continue
                cov, missing = coverage(needs, f"{label}\n{view.header[j]}{unit_measure(label, view.header[j], priced=priced)}",
                                        prose, scope, scoped, measures=False)
                period = _period_fit(needs, f"{view.header[j]} {label}", scope) * \
                    relative_fit(needs, view.header[j])
                # the value asked for: a date for "when", a figure otherwise (a figure question
                # is never answered with a date, nor a "when" question with an amount)
                is_date = bool(DATE_RE.fullmatch(cell.strip()))
                kind = (1.0 if is_date else 0.25) if needs.intent == "when" else \
                    (1.0 if cell_figure(cell) and not is_date else 0.25)
                if not any(match(n, f"{label}\n{view.header[j]}") >= 0.5 for n in needs.items):
                    kind *= 0.3  # neither its row nor its column is what was asked
                if needs.intent in PROSE_INTENTS:
                    kind *= 0.3  # a reason, a description, a name or a place is said in prose, not in a figure cell
                if needs.intent == "count" and not COUNT_LABEL_RE.search(f"{label} {view.header[j]}"):
                    kind *= 0.5  # "多少个股东" asks for a number of holders, not an amount they own
                fit, misfit = group_fit(groups, j, said, named)
                # a column group's figure where the question names no group: the unnamed or Total
                # column beside it states the whole, as a Total row does for a segment's row
                whole_col = 0.5 if misfit and not named else 1.0
                kind *= part * whole_col * _precision(said, f"{_own(label)} {view.header[j]}", best_said)
                hand = score(cov, kind, period, 1.0, rank, needs.lang)
                if not describe:
                    out.append(Cell(view, row, j, hand, missing))
                    continue
                feats = ranking.common(needs, f"{label}\n{view.header[j]}", prose, "", scoped, missing,
                                       found.get(row.id), rank, row.id in found,
                                       stated=f"{label} {view.header[j]} {cell}", label=label)
                feats.update(hand=hand, cov=cov, kind=kind, date=period, period=1.0, plan=1.0, cell=1.0,
                             whole_row=0.0, define=0.0, figures=float(bool(cell_figure(cell))) / 5,
                             group_fit=fit, group_misfit=misfit)
                ranking.finish(feats, needs)
                out.append(Cell(view, row, j, hand, missing, feats))
            if not periods and len(values) > 1:
                cov, missing = coverage(needs, f"{label}{unit_measure(label, priced=priced)}", prose, scope, scoped, measures=False)
                kind = 0.3 if needs.intent in PROSE_INTENTS + ("when",) else 1.0
                if not any(cell_figure(row.cells[j]) for j in values if j < len(row.cells)):
                    kind *= 0.25  # a row of notes, not of figures
                if needs.intent == "count" and not COUNT_LABEL_RE.search(label):
                    kind *= 0.5
                kind *= part * _precision(said, _own(label), best_said)
                period = _period_fit(needs, label, scope)
                whole = score(cov, kind, period, 1.0, rank, needs.lang) * 0.98
                if not describe:
                    out.append(Cell(view, row, None, whole, missing))
                    continue
                feats = ranking.common(needs, label, prose, "", scoped, missing, found.get(row.id), rank,
                                       row.id in found, label=label,
                                       stated=" ".join([label, *(f"{view.header[j]} {row.cells[j]}"
                                                                 for j in values if j < len(row.cells))]))
                n_figs = sum(bool(cell_figure(row.cells[j])) for j in values if j < len(row.cells))
                feats.update(hand=whole, cov=cov, kind=kind, date=period, period=1.0, plan=1.0, cell=1.0,
                             whole_row=1.0, define=0.0, figures=min(n_figs, 5) / 5)
                ranking.finish(feats, needs)
                out.append(Cell(view, row, None, whole, missing, feats))
    return out


def column_groups(view, values: list[int]) -> dict[int, tuple[frozenset[str], bool]]:
    """The column groups of a table: value columns of one period whose labels name different
    things beside it ("Remaining Business 2021 | Affected Entities 2021 | 2021", "Segment A 2023 |
    Total 2023"), each column's naming words (none for the unnamed or Total column) and whether
    its period has such a column; {} when no period's columns differ so."""
    by_period: dict[str, list[int]] = {}
    for j in values:
        header = view.header[j] if j < len(view.header) else ""
        period = " ".join(m.group(0).lower() for m in PERIOD_RE.finditer(header))
        if period:
            by_period.setdefault(period, []).append(j)
    groups: dict[int, tuple[frozenset[str], bool]] = {}
    for cols in by_period.values():
        words = {j: _label_tokens(view.header[j]) for j in cols}
        if len(cols) >= 2 and len(set(words.values())) >= 2:
            whole = any(not w for w in words.values())
            groups.update({j: (w, whole) for j, w in words.items()})
    return groups


def group_fit(groups: dict, j: int, said: frozenset[str], named: bool) -> tuple[float, float]:
    """(fits, misfits) of column `j`'s group: when the question names a group, its column fits
    and the others do not; when it names none, the column of its period that names no group (the
    total) fits and the named groups' columns do not. (0, 0) outside a grouped table, and when the
    question names no group and the period has no unnamed column ("调整前 | 调整后": two
    versions of one figure, neither a part)."""
    if j not in groups:
        return 0.0, 0.0
    words, whole = groups[j]
    if not named and not whole:
        return 0.0, 0.0
    fits = bool(words & said) if named else not words
    return float(fits), float(not fits)


def _said_tokens(needs: Needs) -> frozenset[str]:
    """The BM25 tokens (stemmed English words, jieba's words) of the question and of every report
    word its terms are matched through."""
    text = " ".join([needs.extra.get("question", ""), *(v for n in needs.items for v in (n.text, *n.variants))])
    return frozenset(tokenize(text))


@lru_cache(maxsize=8192)
def _label_tokens(label: str) -> frozenset[str]:
    """A cell's label words that name what it measures: not its period ("January–June 2023",
    "Year ended 31 August"), footnote marks or what brackets add ("Net income (loss)"), "Total",
    or stop words."""
    text = PERIOD_RE.sub(" ", re.sub(r"[（(][^（）()]*[）)]", " ", FOOTNOTE_RE.sub("", label)))
    text = TOTAL_WORD_RE.sub(" ", PERIOD_WORDS_RE.sub(" ", text))
    return frozenset(t for t in tokenize(text) if not t.isdigit())


def _label_said(said: frozenset[str], label: str) -> float | None:
    """The share of a cell's label words (its row's own label, its column's) that the question's
    terms say; None for a label of no words."""
    words = _label_tokens(label)
    return len(words & said) / len(words) if words else None


def _own(label: str) -> str:
    """A row label without the sections above it ("Current assets / Inventory" -> "Inventory"):
    the section is where the row stands, not what it measures."""
    return label.rsplit(" / ", 1)[-1]


def _precision(said: frozenset[str], label: str, best: float) -> float:
    """A cell's label precision against the best-said cell's (1 for a label of no words)."""
    share = _label_said(said, label)
    return 1.0 if share is None or not best else min(1.0, share / best)


def _whole_asked(needs: Needs, view) -> bool:
    """Does the question ask for the whole of a table that has a Total row: no row label of the
    table says any of the question's terms (the report's own name, its scope, aside)? "What was
    the company's operating profit" over a table of segments and their total."""
    values = value_columns(view)
    # (rows of figures only: a footnote row under the table repeats the columns' measures)
    labels = [row_label(view, r) for r in view.rows if any(cell_figure(r.cells[j]) for j in values if j < len(r.cells))]
    if not any(TOTAL_RE.match(label) for label in labels):
        return False
    scoped = scoped_needs(needs, view.rows[0])
    asked = [n for n in needs.items if n.text not in scoped]
    return not any(match(n, label) >= 0.5 for n in asked for label in labels if not TOTAL_RE.match(label))


# cells of one row scoring within this fraction of each other are not told apart by the question
TIE = 0.995


def settle(grid: list[Cell], best: Cell) -> Cell:
    """The best cell, or its whole row when the question does not tell that cell's column from
    another of the row ("持股多少": 持股比例 and 持股数量 fit alike): the row is then stated
    with its column labels rather than one column picked at random."""
    if best.col is None:
        return best
    rivals = [c for c in grid if c.row is best.row and c.col is not None and c.col != best.col
              and c.score >= best.score * TIE]
    whole = next((c for c in grid if c.row is best.row and c.col is None), None)
    return whole if rivals and whole is not None else best


def _measure(header: str) -> str:
    """A column label without its period: what the column measures."""
    return re.sub(r"\s+", " ", PERIOD_RE.sub(" ", header)).strip()


def other_periods(needs: Needs, best: Cell, index) -> list[tuple[Chunk, int]]:
    """The same row and measure in the blocks of the same table that give another asked year
    (a table read block by block, bot.grid.split_blocks): "Zone NA sales in H1 2023 versus H1
    2022" takes 2022 from the 2022 block."""
    view, row = best.view, best.row
    if index is None or best.col is None or len(needs.years) < 2:
        return []
    have = label_years(view.header[best.col])
    label, measure = row_label(view, row), _measure(view.header[best.col])
    out = []
    for other in index.file_tables.get(row.file, ()):
        if other.table_id == view.table_id or other.caption != view.caption:
            continue
        for j in value_columns(other):
            years = label_years(other.header[j]) & set(needs.years)
            if not years or years <= have or _measure(other.header[j]) != measure:
                continue
            match_row = next((r for r in other.rows if row_label(other, r) == label and j < len(r.cells)
                              and cell_figure(r.cells[j])), None)
            if match_row is not None:
                out.append((match_row, j))
                have |= years
    return out


def draft(q, needs: Needs, best: Cell, index=None):
    from .answer import Draft

    view, row = best.view, best.row
    d = Draft(body="", refused=False)
    mark = d.cite(row)
    label = row_label(view, row)
    unit = row.unit or ""
    if best.col is None:
        parts = [(view.header[j], row.cells[j]) for j in value_columns(view)
                 if j < len(row.cells) and row.cells[j].strip()]
        sep, colon = ("; ", ": ") if q.lang == "en" else ("；", "：")
        stated = sep.join(f"{h}{colon}**{c}**" for h, c in parts)
        d.figures = [c for _, c in parts]
        line = f"{label}{colon}{stated}"
    else:
        cols = [best.col]
        if len(needs.years) > 1:  # "in 2017 and 2018 respectively": each asked year's column
            # (of the columns that measure what the best one does: not every measure of the year)
            cols = [j for j in value_columns(view) if j < len(row.cells) and row.cells[j].strip()
                    and label_years(view.header[j]) & set(needs.years)
                    and _measure(view.header[j]) == _measure(view.header[best.col])] or cols
        wanted = asks.asks_of(q.text) if q.intent in ("value", "count") else []
        if len(cols) == 1 and (len(wanted) > 1 or any(a.change for a in wanted)):
            # one cell per part asked: the level's and the change's columns of the row for
            # "多少，增长了多少", the count's beside the share's for "持股比例是多少？持有多少股？"
            cols = asks.row_columns(wanted, list(view.header), list(row.cells), cols[0], set(needs.years), label_years)
        d.figures = [row.cells[j] for j in cols]
        sep = "; " if q.lang == "en" else "；"
        line = sep.join(f"{label}, {view.header[j]}: **{row.cells[j]}**" if q.lang == "en" else
                        f"{label}（{view.header[j]}）：**{row.cells[j]}**" for j in cols)
        for other_row, j in other_periods(needs, best, index):
            other = index.tables.get(other_row.table_id) if hasattr(index, "tables") else None
            header = other.header[j] if other is not None else ""
            d.figures.append(other_row.cells[j])
            line += sep + (f"{label}, {header}: **{other_row.cells[j]}** {d.cite(other_row)}" if q.lang == "en" else
                           f"{label}（{header}）：**{other_row.cells[j]}** {d.cite(other_row)}")
    if unit:
        line += f" ({unit})" if q.lang == "en" else f"（{unit}）"
    where = f"From the table “{view.caption}”" if q.lang == "en" else f"表「{view.caption}」"
    d.body = f"{line} {mark}\n\n> {where}: {row.text} {mark}" if q.lang == "en" else \
        f"{line} {mark}\n\n> {where}：{row.text} {mark}"
    return d


# -- counts with a condition ----------------------------------------------------------------
def _scale(text: str) -> float:
    low = (text or "").lower()
    for word in sorted(SCALES, key=len, reverse=True):
        if word in low:
            return SCALES[word]
    return 1.0


def to_number(cell: str) -> float | None:
    text = cell.strip()
    negative = text.startswith(("(", "（", "-", "−", "–")) or text.endswith((")", "）"))
    digits = re.sub(r"[^\d.]", "", text.replace("，", ","))
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


def parse_condition(text: str) -> tuple[str, float, float, bool, bool] | None:
    """(operator, number, scale, percent, inclusive) from "超过70亿元" / "exceed $10,000 thousand"."""
    m = COND_RE.search(text)
    if not m:
        return None
    value = to_number(m.group(2))
    if value is None:
        return None
    scale_word = m.group(3) or ""
    after = text[m.end():m.end() + 12]
    if not scale_word and DURATION_RE.match(after):
        return None  # "in a loss position for greater than 12 months": a span of time, not a value
    if not scale_word:
        scale_word = next((w for w in ("thousand", "million", "billion") if after.lower().lstrip().startswith(w)), "")
    percent = scale_word in ("%", "％")
    op = "<" if BELOW.search(m.group(1)) else ">"
    return op, value, (1.0 if percent else _scale(scale_word)), percent, bool(INCLUSIVE.search(m.group(1)))


def _passes(value: float, op: str, threshold: float, inclusive: bool) -> bool:
    if op == ">":
        return value >= threshold if inclusive else value > threshold
    return value <= threshold if inclusive else value < threshold


def _without(needs: Needs, words: str) -> Needs:
    """The question's needs less the terms a condition is made of (a value or sign word the
    rows are filtered by is not what the table must be about)."""
    kept = [n for n in needs.items if n.text not in words and words not in n.text]
    return Needs(kept, needs.years, needs.intent, needs.lang, needs.wants_plan, needs.quarter)


def _row_name(view, row: Chunk, col: int) -> str:
    """What tells a counted row from the others: its words outside the counted column (a brand
    repeats; brand and model do not)."""
    values = set(value_columns(view))
    words = [c.strip() for k, c in enumerate(row.cells) if k not in values and k != col and c.strip()
             and not is_number(c)]
    return " ".join(dict.fromkeys(words))[:60] or row_label(view, row)


def condition_count(q, needs: Needs, evidence: list[Evidence], index):
    """A count with a condition that is not a number: a value a category column holds ("股东性质为
    境内自然人的有几位") or a sign ("有几个季度是负数", "比上年下降", "in how many years did it make a
    loss"), over the data rows of one column or the period columns of one row."""
    sign = conditions.read_sign(q.text)
    noun = conditions.counted_noun(q.text)
    best = None  # (key, view, hits, condition text)
    for table_rank, view in _tables(evidence, index, numeric_only=False):
        values = value_columns(view)
        if values and conditions.header_is_data(view, values, is_number):
            continue
        rows = conditions.data_rows(view, values, is_number, noun)
        prose = _prose(view, evidence)
        row0 = view.rows[0]
        scope, scoped = _scope(view, row0), scoped_needs(needs, row0)
        category = conditions.category_value(view, q.text, is_number)
        if category is not None:
            j, value = category
            trimmed = _without(needs, value)
            if not fits(q, trimmed, view, evidence, index):
                continue
            cov, _ = coverage(trimmed, f"{view.caption}\n{' '.join(view.header)}", prose, scope, scoped, measures=False)
            hits, seen = [], set()
            for r in view.rows:  # (a row repeated across a page break counts once)
                if j < len(r.cells) and r.cells[j].strip() == value and tuple(r.cells) not in seen:
                    seen.add(tuple(r.cells))
                    hits.append((_row_name(view, r, j), r.cells[j], r))
            header = view.header[j] if j < len(view.header) else ""
            key = (1, cov, -table_rank)
            if best is None or key > best[0]:
                best = (key, view, hits, f"{header}为{value}" if q.lang == "zh" and header else value)
            continue
        if sign is None:
            continue
        trimmed = _without(needs, sign.word)
        if not fits(q, trimmed, view, evidence, index):
            continue
        periodic = [j for j in values if j < len(view.header) and not conditions.is_total(view.header[j]) and
                    (conditions.noun_in(noun, view.header[j]) or
                     conditions.is_period_noun(noun) and conditions.names_period(view.header[j]))]
        if len(periodic) >= 2:  # "几个季度": one row across its quarter columns
            if sign.change:
                continue  # a period's value is no change on the prior year ("比上年下降")
            for r in rows:
                label = row_label(view, r)
                if conditions.is_total(label):
                    continue
                # (the sign word may name the row: "loss" of "Profit/(loss) for the year")
                cov, _ = coverage(needs, label, prose, scope, scoped, measures=False)
                hits = [(view.header[j], r.cells[j], r) for j in periodic
                        if j < len(r.cells) and cell_figure(r.cells[j]) and (v := to_number(r.cells[j])) is not None
                        and conditions.passes(v, sign)]
                key = (0, cov, -table_rank)
                if best is None or key > best[0]:
                    best = (key, view, hits, sign.word)
            continue
        changes = [j for j in values if j < len(view.header) and conditions.CHANGE_LABEL.search(view.header[j])]
        if sign.change and not changes:
            continue  # "比上年下降": a table without a change column does not say which fell
        for j in values:  # one column down the data rows: a change column for a rise or a fall
            if sign.change and changes and j not in changes or not sign.change and j in changes:
                continue
            header = view.header[j] if j < len(view.header) else ""
            cov, _ = coverage(needs, f"{view.caption}\n{header}", prose, scope, scoped, measures=False)
            hits = [(row_label(view, r), r.cells[j], r) for r in rows
                    if not conditions.is_total(row_label(view, r)) and j < len(r.cells) and cell_figure(r.cells[j])
                    and (v := to_number(r.cells[j])) is not None and conditions.passes(v, sign)]
            key = (0, cov, -table_rank)
            if best is None or key > best[0]:
                best = (key, view, hits, sign.word)
    if best is None:
        return None
    key, view, hits, cond_text = best
    if WHICH_RE.search(q.text):
        return _which_draft(q, view, hits, cond_text)
    if key[0] == 1:
        # rows picked by a value the record-table path also picks: that path answers (after this
        # one, in answer.propose), listing each counted row with its columns
        from .answer import _answer_from_table

        records = _answer_from_table(q, view, index)
        if records is not None and not records.refused and records.figures:
            return None
    d = _count_draft(q, view, hits, cond_text)
    if key[0] == 1 and hits:  # rows picked by a value: shown as the table's rows, as a record table's are
        rows = [r for _, _, r in hits]
        d.table = {"caption": view.caption, "header": list(view.header), "rows": [list(r.cells) for r in rows],
                   "citations": [d.chunks.index(r) + 1 for r in rows]}
        if q.lang == "zh":
            unit = next((u for u in COUNT_UNITS_ALL if re.search(rf"(几|多少){u}", q.text)), "个")
            d.figures[0] = f"{len(hits)}{unit}"
    return d


# a question about the cells that hold no value: "which market had no quote", "which … was not
# reported", "哪个市场无报价"
NO_VALUE_RE = re.compile(r"\b(?:had|has|have|with|got|was|were|is|are)\s+no\s+(?:quotes?|prices?|values?|data|figures?)\b|"
                         r"\b(?:was|were|is|are)\s+(?:not|un)\s*(?:quoted|reported|available)\b|\bunquoted\b|"
                         r"无报价|没有报价|未报价|无数据|没有数据", re.I)


def nil_which(q, needs: Needs, evidence: list[Evidence], index):
    """"Which ethanol market had no quote": the rows the question's terms name whose cell in the
    asked column holds no value ("unq", "N/A", "—": NIL_RE). The asked column is the one the
    question's date and relative words fit (`_period_fit`, `relative_fit`); the rows are those of
    the nil cells whose labels the question's other terms cover best."""
    said = NO_VALUE_RE.search(q.text)
    if said is None or not WHICH_RE.search(q.text):
        return None
    trimmed = _without(needs, said.group())
    best = None  # (coverage, -table rank, view, hits)
    for table_rank, view in _tables(evidence, index):
        values = value_columns(view)
        if not values:
            continue
        row0 = view.rows[0]
        scope, prose = _scope(view, row0), _prose(view, evidence)
        # the column the question names ("去年同期"), else the one its date and relative words fit
        j = max(values, key=lambda k: (max((match(n, view.header[k]) for n in trimmed.items), default=0.0) >= 0.5
                                       and relative_fit(needs, view.header[k]) == 1.0,
                                       _period_fit(needs, view.header[k], scope) * relative_fit(needs, view.header[k]),
                                       -k))
        # (a group's heading row, all of whose cells are empty, is no row of values)
        nil = [(row_label(view, r), r) for r in view.rows if j < len(r.cells) and NIL_RE.match(r.cells[j])]
        named = [(label, r) for label, r in nil if any(match(n, label) >= 0.5 for n in trimmed.items)]
        kind = f"{view.header[0]} {view.caption}"
        noun = conditions.counted_noun(q.text)
        if not named and (noun and conditions.noun_in(noun, kind) or any(match(n, view.header[0]) >= 1.0 for n in trimmed.items)):
            named = nil  # "哪个品种": the kind of row the label column holds, every one of them
        found = [(coverage(trimmed, label, prose, scope, scoped_needs(trimmed, r), measures=False)[0], label, r)
                 for label, r in named]
        if not found:
            continue
        top = max(c for c, _, _ in found)
        hits = [(_own(label), r.cells[j], r) for c, label, r in found if c >= top * TIE]
        key = (top, -table_rank)
        if best is None or key > best[0]:
            best = (key, view, hits)
    if best is None:
        return None
    _, view, hits = best
    return _which_draft(q, view, hits, said.group().strip())


def count_answer(q, needs: Needs, evidence: list[Evidence], index):
    nil = nil_which(q, needs, evidence, index)
    if nil is not None:
        return nil
    cond = parse_condition(q.text)
    if cond is None:  # ("which …" without a number is a list or a choice, not a filter by sign)
        return condition_count(q, needs, evidence, index) if q.intent == "count" else None
    op, number, cond_scale, percent, inclusive = cond
    cond_text = COND_RE.search(q.text).group(0)
    trimmed = [n for n in needs.items if n.text not in cond_text]
    needs = Needs(trimmed, needs.years, needs.intent, needs.lang, needs.wants_plan, needs.quarter)
    best = None
    noun = conditions.counted_noun(q.text)
    for table_rank, view in _tables(evidence, index):
        if not fits(q, needs, view, evidence, index, covered=False):
            continue  # another year's, company's or report's table counts nothing asked
        values = value_columns(view)
        scale = 1.0 if percent else _scale(view.rows[0].unit or view.caption)
        prose = _prose(view, evidence)
        # what is counted ("how many years", "how many segments") says across a row's columns
        # or down a column's rows, when the question names it
        across = len(_periodic(view, values, noun)) >= 2
        for row in (view.rows if across or not noun else ()):  # one row across its columns ("how many years did X exceed Y")
            scoped = scoped_needs(needs, row)
            cov, _ = coverage(needs, row_label(view, row), prose, _scope(view, row), scoped, measures=False)
            picked = [(view.header[j], row.cells[j], row) for j in values if j < len(row.cells) and row.cells[j].strip()]
            if best is None or cov > best[0]:
                best = (cov, view, picked, scale, "row")
        for j in (values if not across or not noun else ()):  # one column down its rows ("持股比例超过1%的有几个")
            row0 = view.rows[0]
            cov, _ = coverage(needs, view.header[j], prose, _scope(view, row0), scoped_needs(needs, row0),
                              measures=False)
            picked = [(row_label(view, r), r.cells[j], r) for r in conditions.data_rows(view, values, is_number)
                      if j < len(r.cells) and r.cells[j].strip()]
            if best is None or cov > best[0]:
                best = (cov, view, picked, scale, "column")
    if best is None or best[0] < TABLE_COVERAGE:
        return None
    _, view, picked, scale, how = best
    values = [v * scale for v in (to_number(c) for _, c, _ in picked if cell_figure(c)) if v is not None]
    threshold = number * cond_scale
    if values and cond_scale != 1.0 and scale == 1.0:
        # a table that does not say its unit: "exceed $10,000 thousand" over cells stated in
        # thousands means 10,000 as the cells write it; take the reading nearer the cells' range
        middle = sorted(abs(v) for v in values)[len(values) // 2] or 1.0
        distance = lambda t: abs(math.log10(max(abs(t), 1e-9)) - math.log10(middle))  # noqa: E731
        threshold = min((number, threshold), key=distance)
    hits = []
    for name, cell, row in picked:
        value = to_number(cell) if cell_figure(cell) else None  # a note ("前10名股东中…") is no value
        if value is None or "total" in name.lower() or "合计" in name or "总计" in name:
            continue
        if _passes(value * scale, op, threshold, inclusive):
            hits.append((name, cell, row))
    if WHICH_RE.search(q.text):
        return _which_draft(q, view, hits, cond_text)
    return _count_draft(q, view, hits, cond_text)


def _which_draft(q, view, hits, cond_text: str):
    """"In which year was X less than Y": the labels of the cells that meet the condition."""
    from .answer import Draft

    d = Draft(body="", refused=False)
    if not hits:
        return None
    names = [name for name, _, _ in hits]
    stated = ", ".join(f"**{n}**" for n in names) if q.lang == "en" else "、".join(f"**{n}**" for n in names)
    lines = [f"- {name}: {cell} {d.cite(row)}" if q.lang == "en" else f"- {name}：{cell} {d.cite(row)}"
             for name, cell, row in hits]
    d.figures = names
    d.allowed_numbers |= numbers_in(cond_text)
    head = f"{stated} ({cond_text}, from the table “{view.caption}”)" if q.lang == "en" else \
        f"{stated}（表「{view.caption}」中{cond_text}）"
    d.body = head + "\n" + "\n".join(lines)
    return d


def _count_draft(q, view, hits, cond_text: str):
    from .answer import COUNT_UNITS, Draft

    d = Draft(body="", refused=False)
    n = len(hits)
    lines = [f"- {name}: **{cell}** {d.cite(row)}" if q.lang == "en" else f"- {name}：**{cell}** {d.cite(row)}"
             for name, cell, row in hits]
    d.figures = [str(n)] + [cell for _, cell, _ in hits]
    d.allowed_numbers.add(str(n))
    d.allowed_numbers |= numbers_in(cond_text)
    if q.lang == "en":
        head = f"**{n}** (counted from the table “{view.caption}”: the cells where {cond_text})"
    else:
        unit = next((u for u in COUNT_UNITS + TALLY_UNITS if re.search(rf"(几|多少){u}", q.text)), "个")
        head = f"共**{n}{unit}**（按表「{view.caption}」中{cond_text}的单元格计算得出）"
    d.body = head + ((":" if q.lang == "en" else "：") + "\n" + "\n".join(lines) if lines else
                     ("." if q.lang == "en" else "。"))
    return d


# -- questions about a table itself ---------------------------------------------------------
YEARS_Q = re.compile(r"\bwhich years\b|\bwhat (?:are the )?years\b|\bin which years\b|\bwhat periods\b|哪些年|哪几年", re.I)
PARTS_Q = re.compile(r"\bcomponents? of\b|\bwhat (?:are|were) the (?:items|types|categories|elements|parts|line items)\b|"
                     r"\bconsists? of\b|由哪些|包括哪些项目|有哪些组成", re.I)
SHOW_Q = re.compile(r"what (?:does|do|did) (?:the|this) table (?:show|present|provide|summari[sz]e|represent|illustrate|"
                    r"contain|include)|(?:表|表格)(?:中)?(?:反映|显示|展示|列出)了什么", re.I)
INTRO_RE = re.compile(r"\b(?:following|below|above|accompanying) tables?\b|\btable (?:below|above)\b|下表|如下表|见下表|表\s*\d*\s*(?:所示|显示)", re.I)
TOTAL_RE = re.compile(r"^\s*(?:total|合计|总计|小计)\b", re.I)
TOTAL_WORD_RE = re.compile(r"\b(?:total|sub-?total)\b|合计|总计|小计", re.I)


def structure_answer(q, needs: Needs, evidence: list[Evidence], index):
    """"Which years does the table cover", "what are the components of X", "what does the
    table show": answered from the table's own structure (its column labels, its row labels)
    or from the sentence that introduces it."""
    kind = "years" if YEARS_Q.search(q.text) else "parts" if PARTS_Q.search(q.text) else \
        "show" if SHOW_Q.search(q.text) else ""
    if not kind:
        return None
    tables = [v for _, v in _tables(evidence, index) if fits(q, needs, v, evidence, index, covered=False)]
    if not tables:
        return None
    # (the words of a question about a table's make-up, "components", "included", are not in it)
    view = max(tables, key=lambda v: coverage(needs, " ".join([v.caption, *v.header, *(row_label(v, r) for r in v.rows)]),
                                              "", "", set(), measures=False)[0])
    from .answer import Draft

    d = Draft(body="", refused=False)
    en = q.lang == "en"
    if kind == "show":
        # the sentence of the table's own report that introduces it ("The following table summarizes…")
        prose = index.file_paragraphs.get(view.rows[0].file, [])
        found = [(s.strip(), c) for c in prose for s in re.split(r"(?<=[.。!?！？])\s+", c.text) if INTRO_RE.search(s)]
        if not found:
            return None
        intro, chunk = found[0]
        d.body = f"{intro} {d.cite(chunk)}"
        return d
    if kind == "years":
        years: list[str] = []
        for j in value_columns(view):
            years += [y for y in sorted(label_years(view.header[j]), reverse=True) if y not in years]
        if not years:
            return None
        d.figures = years
        stated = (", " if en else "、").join(f"**{y}**" for y in years)
        mark = d.cite(view.rows[0])
        d.body = (f"The table “{view.caption}” gives figures for {stated} {mark}" if en else
                  f"表「{view.caption}」列出的年份：{stated} {mark}")
        d.allowed_numbers |= set(years)
        return d
    rows = [r for r in view.rows if row_label(view, r).strip() and not TOTAL_RE.match(row_label(view, r))]
    if not rows:
        return None
    names = [row_label(view, r) for r in rows]
    d.figures = names
    lines = [f"- **{name}** {d.cite(r)}" for name, r in zip(names, rows)]
    d.body = ((f"The table “{view.caption}” lists:" if en else f"表「{view.caption}」列出的项目：") + "\n" + "\n".join(lines))
    return d


# -- the row with the largest or smallest value -----------------------------------------------
TOP_RE = re.compile(r"\b(?:largest|highest|biggest|greatest|most|maximum|top)\b|最高|最大|最多|第一|排名第一", re.I)
BOTTOM_RE = re.compile(r"\b(?:smallest|lowest|least|minimum|fewest|bottom)\b|最低|最小|最少", re.I)


FIRST_RE = re.compile(r"第一名|排名第一|排第一|榜首|\bnumber one\b|\branked first\b|\btop-ranked\b", re.I)
RANK_LABEL = re.compile(r"^\s*(?:排名|名次|排序|rank(?:ing)?)\s*$", re.I)


def extreme_answer(q, needs: Needs, evidence: list[Evidence], index):
    """"Which officer has the largest percentage increase": the row whose cell in the asked
    column is the largest (or smallest), with the value and a citation; a computed choice.
    "下跌幅度最大" (the largest fall) is the smallest change; "第一名" of a table with a rank
    column is its row ranked 1, stated whole. Only the table's data rows count (not its totals,
    not a later period's block), and of them the rows that name what is asked ("which zone")."""
    top, bottom = TOP_RE.search(q.text), BOTTOM_RE.search(q.text)
    if not (top or bottom) or not WHICH_RE.search(q.text) and not re.search(r"\bwho\b|谁", q.text, re.I):
        return None
    largest = bool(top and not bottom)
    sign = conditions.read_sign(q.text)
    if largest and sign is not None and sign.change and sign.op == "<":
        largest = False  # the largest fall is the most negative change
    if FIRST_RE.search(q.text):
        ranked = _ranked_first(q, needs, evidence, index)
        if ranked is not None:
            return ranked
    noun = conditions.counted_noun(q.text)
    # a change is asked by a rise or fall ("下跌幅度最大") or by a change's own name ("增速最高")
    asks_change = bool(sign is not None and sign.change or conditions.CHANGE_LABEL.search(q.text))
    # the superlative and the noun asked about are not the column's measure ("smallest", "zone")
    for word in [m.group(0) for m in (top, bottom) if m]:
        needs = _without(needs, word)
    words = set(noun.split())
    needs = Needs([n for n in needs.items if not any(n.text.lower().endswith(w) for w in words)],
                  needs.years, needs.intent, needs.lang,
                  needs.wants_plan, needs.quarter)
    if sign is not None and sign.change:
        # "下降幅度最大": the words from the sign to the superlative say which extreme, not the
        # measure (the change column is chosen by its own label)
        at, end = q.text.find(sign.word), min((m.start() for m in (top, bottom) if m), default=-1)
        span = q.text[at:end] if 0 <= at < end <= at + len(sign.word) + 6 else sign.word
        needs = Needs([n for n in needs.items if n.text not in span], needs.years, needs.intent, needs.lang,
                      needs.wants_plan, needs.quarter)
    best = None
    for _rank, view in _tables(evidence, index):
        values = value_columns(view)
        if conditions.header_is_data(view, values, is_number) or \
                not fits(q, needs, view, evidence, index, covered=False):
            continue
        row0 = view.rows[0]
        periodic = _periodic(view, values, noun)
        if len(periodic) >= 2:  # "which year was X the highest": across the row of X
            prose = _prose(view, evidence)
            for r in conditions.data_rows(view, values, is_number):
                label = row_label(view, r)
                if conditions.is_total(label):
                    continue
                cov, _ = coverage(needs, label, prose, _scope(view, r), scoped_needs(needs, r), measures=False)
                key = (cov, 0.0)
                if best is None or key > best[0]:
                    best = (key, view, r)
            continue
        changes = {j for j in values if conditions.CHANGE_LABEL.search(view.header[j])}
        if asks_change and not changes:
            continue  # a rise or fall is asked: a table without a change column does not say it
        labels = " ".join(row_label(view, r) for r in view.rows)
        named = conditions.noun_in(noun, f"{view.caption} {view.header[0] if view.header else ''} {labels}")
        for j in values:
            if asks_change != (j in changes) and changes:
                continue  # "增速最高": a change column; "sales": not one
            if not view.header[j].strip():
                continue  # a column without a label cannot be told to hold the asked measure
            # a column whose rows add up to its total row breaks down the measure that row names
            # ("Total revenue" over the regions' revenue): that label says what the column holds
            total = _total_row(view, values, j)
            label = f"{view.header[j]}\n{row_label(view, total)}" if total is not None else view.header[j]
            cov, _ = coverage(needs, label, _prose(view, evidence), _scope(view, row0),
                              scoped_needs(needs, row0), measures=False)
            # the asked year's column before another year's; a table whose labels name what is
            # asked ("which zone", "哪类产品") before one that does not
            key = (cov + 0.25 * named, _period_fit(needs, view.header[j], "") if needs.years else 1.0)
            if best is None or key > best[0]:
                best = (key, view, j)
    if best is None or best[0][0] < TABLE_COVERAGE:
        return None
    _, view, j = best
    values = value_columns(view)
    if isinstance(j, Chunk):  # a row: its period column with the largest (smallest) value
        row = j
        cols = [(to_number(row.cells[k]), k) for k in _periodic(view, values, noun)
                if k < len(row.cells) and cell_figure(row.cells[k])]
        cols = [(v, k) for v, k in cols if v is not None]
        if not cols:
            return None
        _, k = (max if largest else min)(cols, key=lambda vk: vk[0])
        return _extreme_draft(q, view, row, view.header[k], row_label(view, row), row.cells[k], largest, sign, top, bottom)
    data = [r for r in conditions.data_rows(view, values, is_number, noun) if not conditions.is_total(row_label(view, r))
            and not TOTAL_RE.match(row_label(view, r))]
    if noun:
        asked = [r for r in data if conditions.noun_in(noun, row_label(view, r))]
        data = asked if len(asked) >= 2 else data
    rows = [(to_number(r.cells[j]), r) for r in data if j < len(r.cells) and cell_figure(r.cells[j])]
    rows = [(v, r) for v, r in rows if v is not None]
    if not rows:
        return None
    value, row = (max if largest else min)(rows, key=lambda vr: vr[0])
    return _extreme_draft(q, view, row, row_label(view, row), view.header[j], row.cells[j], largest, sign, top, bottom)


def _total_row(view, values: list[int], j: int):
    """The row labelled as a total (合计, Total …) whose cell in column j is the sum of the data
    rows above it (to 0.5%), or None."""
    rows = conditions.data_rows(view, values, is_number)
    for k, row in enumerate(rows):
        label = row_label(view, row)
        if k < 2 or not (conditions.is_total(label) or TOTAL_RE.match(label)) or j >= len(row.cells):
            continue
        total = to_number(row.cells[j]) if cell_figure(row.cells[j]) else None
        parts = [to_number(r.cells[j]) for r in rows[:k] if j < len(r.cells) and cell_figure(r.cells[j])]
        parts = [v for v in parts if v is not None]
        if total and len(parts) >= 2 and abs(sum(parts) - total) <= 0.005 * abs(total):
            return row
    return None


def _periodic(view, values: list[int], noun: str) -> list[int]:
    """The value columns a "which year/quarter" (or "which <noun>" the labels name) chooses among."""
    if not noun:
        return []
    noun = noun.split()[-1]  # the head noun ("operating segment" -> segment)
    return [j for j in values if j < len(view.header) and not conditions.is_total(view.header[j]) and
            (conditions.noun_in(noun, view.header[j]) or
             conditions.is_period_noun(noun) and conditions.names_period(view.header[j]))]


def _extreme_draft(q, view, row, name: str, measure: str, cell: str, largest: bool, sign, top, bottom):
    """"<name>: <measure> <cell>, the largest in the table …": the row (or period) chosen, the
    label of what was compared and the value, cited to the row."""
    from .answer import Draft

    d = Draft(body="", refused=False)
    d.figures = [name, cell]
    word = ("largest" if largest else "smallest") if q.lang == "en" else ("最高" if largest else "最低")
    if sign is not None and sign.change and sign.op == "<" and top and not bottom:
        word = "largest fall" if q.lang == "en" else "降幅最大"
    d.body = (f"**{name}**: {measure} **{cell}**, the {word} in the table “{view.caption}” {d.cite(row)}"
              if q.lang == "en" else f"**{name}**：{measure}**{cell}**，为表「{view.caption}」中{word} {d.cite(row)}")
    return d


def _ranked_first(q, needs: Needs, evidence: list[Evidence], index):
    """"畅销榜第一名是哪个机型": the row a table's own rank column (排名/rank) ranks 1, stated with
    every column, from the best-covered table that has such a column."""
    best = None
    for rank, view in _tables(evidence, index):
        col = next((k for k, h in enumerate(view.header) if RANK_LABEL.match(h)), None)
        if col is None or not fits(q, needs, view, evidence, index, covered=False):
            continue
        row = next((r for r in view.rows if col < len(r.cells) and r.cells[col].strip() in ("1", "01", "第一")), None)
        if row is None:
            continue
        cov, _ = coverage(needs, " ".join([view.caption, *view.header]), _prose(view, evidence),
                          _scope(view, row), scoped_needs(needs, row), measures=False)
        if best is None or (cov, -rank) > best[0]:
            best = ((cov, -rank), view, row)
    if best is None or best[0][0] < TABLE_COVERAGE:
        return None
    _, view, row = best
    from .answer import Draft

    d = Draft(body="", refused=False)
    mark = d.cite(row)
    parts = [(h, c) for h, c in zip(view.header, row.cells) if c.strip()]
    sep, colon = ("; ", ": ") if q.lang == "en" else ("；", "：")
    d.figures = [c for _, c in parts]
    stated = sep.join(f"{h}{colon}**{c}**" for h, c in parts)
    d.body = (f"Ranked first in the table “{view.caption}”: {stated} {mark}" if q.lang == "en" else
              f"表「{view.caption}」中排名第一的是：{stated} {mark}")
    return d
