"""A margin the report does not state, answered with the two figures it is made of.

A margin is a profit measure divided by revenue (gross margin = gross profit / revenue, operating
margin = operating income / revenue, 毛利率 = 毛利 / 营业收入): that is what the word means in
accounting, not a report's vocabulary. An income statement or a segment table often gives both
figures and no margin. When the question asks a margin and no candidate says one, the answer is
the profit figure the question's other words name and the revenue figure of the same table, row
or column and period, each the report's own string, and says that the margin is their quotient;
it computes nothing.
"""
from __future__ import annotations

import re
from dataclasses import replace

from . import cells
from .lexical import tokenize
from .match import Need, Needs
from .vocab import variants

MARGIN_RE = re.compile(r"\bmargins?\b|利润率|毛利率|利率", re.I)
GROSS_RE = re.compile(r"\bgross\b|毛", re.I)
# the numerator a margin names: its profit measure, in both languages
PROFIT = ("profit", "income", "earnings", "利润", "毛利")


def states_margin(path: str | None, best) -> bool:
    """Does the chosen candidate say a margin itself (a sentence with the word and a percent, a
    cell whose labels say it)?"""
    if best is None:
        return False
    if path in ("text", "cell-text") and getattr(best, "sentence", None) is not None:
        return bool(MARGIN_RE.search(best.sentence)) and bool(re.search(r"%|percent|百分", best.sentence))
    if getattr(best, "view", None) is not None:
        header = best.view.header[best.col] if best.col is not None else ""
        return bool(MARGIN_RE.search(f"{cells.row_label(best.view, best.row)} {header}"))
    return False


def margin_need(needs: Needs) -> Need | None:
    """The question's term that asks a margin, if any."""
    return next((n for n in needs.items if n.measure and any(MARGIN_RE.search(v) for v in (n.text, *n.variants))),
                None)


def _revenue_tokens() -> frozenset[str]:
    """The one-word names of revenue ("revenue", "sales", "turnover", "营业收入", "收入"): a
    label with one of them names revenue; the words of longer names ("net", "operating") do not."""
    words = set(variants("revenue")) | set(variants("营业收入"))
    return frozenset(t for w in words for t in tokenize(w) if len(tokenize(w)) == 1)


def _numerator_needs(needs: Needs, margin: Need) -> Needs:
    """The question's needs with the margin replaced by the profit measure it divides."""
    gross = bool(GROSS_RE.search(" ".join((margin.text, *margin.variants)))) or \
        any(GROSS_RE.search(n.text) for n in needs.items)
    words = {"gross profit", "毛利"} if gross else set(PROFIT)
    profit = Need("profit", frozenset(words), margin.weight, True, margin.latin)
    items = [n for n in needs.items if n is not margin] + [profit]
    return replace(needs, items=items)


def _is_revenue(label: str, revenue: frozenset[str]) -> bool:
    """A row or column label that names revenue ("Revenue", "Sales (a)", "SALES, Net of returns
    and allowances", "营业收入"), not a cost of it ("Cost of revenue")."""
    tokens = cells._label_tokens(label)
    return bool(tokens) and bool(tokens & revenue) and not re.search(r"\bcost|成本|\bper\b", label, re.I)


def _period(header: str) -> str:
    """A column label's period part ("January–June 2023" of "January–June 2023 Sales (a)")."""
    return " ".join(m.group() for m in cells.PERIOD_RE.finditer(header))


def propose(q, needs: Needs, evidence, index):
    """The draft of a margin as its two figures, or None (no margin asked, or no table that gives
    a profit figure and the revenue beside it)."""
    margin = margin_need(needs)
    if margin is None:
        return None
    numerator = _numerator_needs(needs, margin)
    grid = [c for c in cells.candidates(numerator, evidence, index) if c.col is not None]
    revenue = _revenue_tokens()
    for best in sorted(grid, key=lambda c: -c.score)[:5]:
        view, row, col = best.view, best.row, best.col
        label = cells.row_label(view, row)
        if not any(w in f"{label} {view.header[col]}".lower() for w in PROFIT) or _is_revenue(label, revenue):
            continue
        other = None
        if _is_revenue(view.header[col].replace(_period(view.header[col]), ""), revenue):
            continue  # the profit cell sits in a revenue column: not a profit figure
        # the measure in columns: the revenue column of the same row and period
        for j in cells.value_columns(view):
            if j != col and _period(view.header[j]) == _period(view.header[col]) and \
                    _is_revenue(view.header[j], revenue) and j < len(row.cells) and cells.cell_figure(row.cells[j]):
                other = (row, j, f"{label}, {view.header[j]}")
                break
        # the measure in rows: the revenue row of the same column
        if other is None:
            for r in view.rows:
                if r is not row and _is_revenue(cells._own(cells.row_label(view, r)), revenue) and \
                        col < len(r.cells) and cells.cell_figure(r.cells[col]):
                    other = (r, col, f"{cells.row_label(view, r)}, {view.header[col]}")
                    break
        if other is None:
            continue
        return best, _draft(q, best, label, other)
    return None


def _draft(q, best, label: str, other):
    from .answer import Draft

    view, row, col = best.view, best.row, best.col
    d = Draft(body="", refused=False)
    first, second = d.cite(row), d.cite(other[0])
    value, base = row.cells[col], other[0].cells[other[1]]
    d.figures = [value, base]
    unit = f" ({row.unit})" if row.unit and q.lang == "en" else (f"（{row.unit}）" if row.unit else "")
    if q.lang == "en":
        d.body = (f"{label}, {view.header[col]}: **{value}** {first}; {other[2]}: **{base}** {second}{unit} — "
                  f"the report states no margin; the margin is the first figure divided by the second.\n\n"
                  f"> From the table “{view.caption}”: {row.text} {first}\n\n> {other[0].text} {second}")
    else:
        d.body = (f"{label}（{view.header[col]}）：**{value}** {first}；{other[2]}：**{base}** {second}{unit}"
                  f"——报告未直接给出该比率，比率即前者除以后者。\n\n> 表「{view.caption}」：{row.text} {first}\n\n"
                  f"> {other[0].text} {second}")
    return d
