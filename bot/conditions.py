"""Conditions a table question puts on its rows, read from the question and checked against one
table (bot/cells.py counts and picks with them):

- a sign: "有几个季度是负数", "in how many years did it make a loss" (the figure below zero),
  "有几种产品的产量比上年下降" (its change on the prior period below zero: a change column);
- equality with a value a column holds: "股东性质为境内自然人的有几位", "TOP10里有几款是<brand>":
  a cell of a column of repeated values (a category) that the question names;
- what is counted or picked: the noun after 几个/哪个/which ("几个季度", "哪个地区", "which zone"),
  which tells a count across a row's columns from a count down a column's rows, and which rows
  of a table are the ones asked about.

The words come from bot/data/vocab (sign_words.tsv, change_words.tsv, measure_words.tsv); the
tables' own labels say which column is a change and which rows are data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import vocabdata
from .match import label_years, quarter_of

_MEASURE = vocabdata.measure_words()
# "几个季度", "哪类产品", "哪只": the noun after a counting or choosing word and its measure word
ZH_NOUN_RE = re.compile(rf"(?:几|多少|哪)一?[{_MEASURE}类]?([\u4e00-\u9fffA-Za-z]{{1,6}}?)(?=[的是中里在，,？?有被为占]|$)")
EN_NOUN_RE = re.compile(r"\b(?:how many|which)\s+(?:of\s+(?:the\s+)?(?:[\w’'.-]+\s+)*?[\w.-]+[’']s\s+)?"
                        r"((?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*?)s?\s+(?:had|has|have|did|does|do|was|were|is|are|"
                        r"brought|made|saw|recorded|reported|with|in|of)\b", re.I)
# a column label that states a change on a prior period (比上年增长, 同比增减, % change, growth)
CHANGE_LABEL = re.compile(r"增减|增长|增速|增幅|变动|变化|涨跌|同比|比上年|比上期|change|growth|increase|decrease|\bvs\.?\b", re.I)
# a row or column that sums the others
TOTAL_LABEL = re.compile(r"^\s*(?:total|合计|总计|小计|全年|合并)\b|^\s*(?:total|合计|总计)|(?:合计|总计|小计)\s*$", re.I)
PERIOD_NOUNS = re.compile(r"^(?:年|年度|季度|季|月|月份|year|quarter|month|half|period)$", re.I)


@dataclass(frozen=True)
class Sign:
    op: str  # "<": below zero; ">": above zero
    change: bool  # the change on the prior period, not the figure itself
    word: str  # the question's word for it


def read_sign(text: str) -> Sign | None:
    """The sign condition a question states, by its longest sign word."""
    low = text.lower()
    found = []
    for word, (sign, kind) in vocabdata.sign_words().items():
        if re.search(r"[a-z]", word):
            hit = re.search(rf"\b{re.escape(word)}\b", low)
        else:
            hit = word in text
        if hit:
            found.append((len(word), word, sign, kind))
    if not found:
        return None
    _, word, sign, kind = max(found)
    return Sign("<" if sign == "-" else ">", kind == "change", word)


def passes(value: float, sign: Sign) -> bool:
    return value < 0 if sign.op == "<" else value > 0


def counted_noun(text: str) -> str:
    """What a count or a choice is about: "几个季度" -> 季度, "which zone had" -> zone."""
    m = ZH_NOUN_RE.search(text)
    if m:
        noun = m.group(1)
        # "哪一类增速最高": no noun was said, what follows is the measure and its superlative;
        # "哪只": the measure word alone names nothing
        if "最" in noun or len(noun) == 1 and noun in _MEASURE or \
                any(w in noun for w in vocabdata.sign_words() if not re.search(r"[a-z]", w)):
            return ""
        return noun
    m = EN_NOUN_RE.search(text)
    if m:
        words = [w for w in m.group(1).split() if not w[:1].isupper()]
        return " ".join(words).lower()  # "product category": either word may label the table
    return ""


def is_period_noun(noun: str) -> bool:
    return bool(PERIOD_NOUNS.match(noun or ""))


def names_period(label: str) -> bool:
    return bool(label_years(label) or quarter_of(label) or re.search(r"\d{1,2}月|第[一二三四1-4]季度|[一二三四]季度|"
                                                                      r"\b(?:Q[1-4]|H[12])\b", label))


def noun_in(noun: str, label: str) -> bool:
    if not noun:
        return False
    if re.search(r"[a-z]", noun, re.I):
        return any(re.search(rf"\b{re.escape(w)}", label, re.I) for w in noun.split())
    return noun in label


def data_rows(view, values: list[int], is_number, noun: str = "") -> list:
    """The table's data rows: up to a row that restates the column labels (all its value cells
    words, as when one grid holds this year's block and then last year's). A row spanning the
    table with one word ("分行业", "分产品") opens a section: when the asked noun names a section
    ("哪类产品" -> 分产品), that section's rows only."""
    out, section = [], ""
    for row in view.rows:
        cells = [c.strip() for c in row.cells if c.strip()]
        if len(cells) >= 2 and len(set(cells)) == 1:
            section = cells[0]
            continue
        cells = [row.cells[j] for j in values if j < len(row.cells) and row.cells[j].strip()]
        if out and len(cells) >= 2 and not any(is_number(c) for c in cells) and \
                sum(bool(re.search(r"[^\W\d_]", c)) for c in cells) == len(cells):
            break  # a header again: the rows below answer another period
        out.append((section, row))
    named = [r for sec, r in out if noun and sec and noun_in(noun, sec)]
    return named or [r for _, r in out]


def header_is_data(view, values: list[int], is_number) -> bool:
    """A table whose column labels are figures: its first row was read as the labels, so its
    rows are not all there and its columns have no names to match."""
    return sum(is_number(view.header[j]) for j in values if j < len(view.header)) >= max(1, len(values) // 2)


def is_total(label: str) -> bool:
    return bool(TOTAL_LABEL.search(label or ""))


def category_value(view, text: str, is_number) -> tuple[int, str] | None:
    """A column of repeated words (a category: 股东性质, brand, 电机类型) holding a value the
    question names: (column, value), the longest such value."""
    best = None
    width = max((len(r.cells) for r in view.rows), default=0)
    for j in range(width):
        cells = [r.cells[j].strip() for r in view.rows if j < len(r.cells) and r.cells[j].strip()
                 and not is_number(r.cells[j])]
        if len(cells) < 3 or len(set(cells)) >= len(cells):
            continue  # names every row apart: not a category
        for value in set(cells):
            if len(value) >= 2 and value in text and cells.count(value) >= 1 and \
                    (best is None or len(value) > len(best[1])):
                best = (j, value)
    return best
