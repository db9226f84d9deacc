"""Fiscal-year forms: one period written with one or two years ("2021-22", "FY22", "FY2021-22",
"fiscal 2022", "2021/2022 school year", "year ended March 31, 2022", "截至2022年3月31日止年度",
"2021财年"), read as the one year a fiscal year is named by — the year it ends in.

A split year ("2021-22") runs over two calendar years and ends in its second: a question asking
"2021-22" asks the fiscal year ending 2022, not "2021 only"; a passage labelled "2021-22" speaks
of both calendar years (it fits a question naming either). Two consecutive years joined by a
hyphen read as one fiscal year only with two digits after the hyphen ("2021-22"), with a slash
("2021/2022"), or beside a fiscal word ("FY", 财年, school year); "2021~2024", "2022至2023" and a
date ("2011-12-05") are spans or days, not fiscal years.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_Y = r"(?:19|20)\d{2}"
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
# words that make two years joined by a hyphen one fiscal (or school) year
FISCAL_WORD = r"(?:\bFY|\bfiscal(?: year)?|\bfinancial year|\bschool year|\bacademic year|财年|财政年度|会计年度|学年)"
# two years in a row: "2021-22", "2021–22", "2021/22", "2021/2022", "2021-2022"
SPLIT_RE = re.compile(rf"(?<![\d./-])({_Y})\s*([-–—/])\s*(\d{{4}}|\d{{2}})(?![\d])(?!\s*[-/.]\s*\d)")
FY_RE = re.compile(rf"\bFY\s?'?(\d{{4}}|\d{{2}})(?:\s*[-–—/]\s*(\d{{4}}|\d{{2}}))?(?!\d)", re.I)
FISCAL_YEAR_RE = re.compile(rf"\b(?:fiscal|financial)(?: year)?\s+({_Y})(?!\s*[-–—/]\s*\d)", re.I)
YEAR_ENDED_RE = re.compile(rf"\b(?:fiscal |financial )?years? end(?:ed|ing):?\s+(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+"
                           rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+)({_Y})\b", re.I)
ZH_ENDED_RE = re.compile(rf"截至\s*({_Y})\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*止?\s*(?:的)?\s*(?:财政|会计)?年度")
ZH_FISCAL_RE = re.compile(rf"({_Y})\s*(?:财年|财政年度|会计年度)")


@dataclass(frozen=True)
class Fiscal:
    """One fiscal-year form found in a text: where it stands and the years it names."""
    start: int
    end: int
    year: str  # the year it ends in: the fiscal year's name
    first: str = ""  # a split year's first calendar year ("2021" of "2021-22")


def _full(first: str, tail: str) -> str:
    return tail if len(tail) == 4 else first[:2] + tail


def _follows(first: str, tail: str) -> bool:
    """Is `tail` ("22", "2022") the year after `first` ("2021")?"""
    return len(tail) in (2, 4) and _full(first, tail) == str(int(first) + 1)


def fiscal_years(text: str) -> list[Fiscal]:
    """The fiscal-year forms of a text, in text order, none overlapping."""
    found: list[Fiscal] = []
    for m in FY_RE.finditer(text):
        a, b = m.group(1), m.group(2)
        a = a if len(a) == 4 else "20" + a
        if b and _follows(a, b):
            found.append(Fiscal(m.start(), m.end(), _full(a, b), a))
        elif not b:
            found.append(Fiscal(m.start(), m.end(), a))
    for m in SPLIT_RE.finditer(text):
        first, sep, tail = m.groups()
        if not _follows(first, tail):
            continue
        near = text[max(0, m.start() - 16):m.start()] + " " + text[m.end():m.end() + 16]
        if sep in "-–—" and len(tail) == 4 and not re.search(FISCAL_WORD, near, re.I):
            continue  # "2021-2022" alone may be two years
        found.append(Fiscal(m.start(), m.end(), _full(first, tail), first))
    for rx in (FISCAL_YEAR_RE, YEAR_ENDED_RE, ZH_ENDED_RE, ZH_FISCAL_RE):
        for m in rx.finditer(text):
            found.append(Fiscal(m.start(), m.end(), m.group(1)))
    out: list[Fiscal] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if not out or f.start >= out[-1].end:
            out.append(f)
    return out


def asked_years(text: str, years: set[str]) -> set[str]:
    """The years a question asks, given the calendar years its dates name: a split year is the
    year it ends in ("2021-22" asks 2022, not 2021), a fiscal abbreviation its year ("FY22")."""
    out = set(years)
    for f in fiscal_years(text):
        if f.first and f.first != f.year:
            # its first year is no year asked, unless the question names it elsewhere too
            rest = text[:f.start] + " " + text[f.end:]
            if not re.search(rf"(?<!\d){f.first}(?!\d)", rest):
                out.discard(f.first)
        out.add(f.year)
    return out


def named_years(text: str) -> set[str]:
    """The fiscal years a label or passage names, and a split year's first calendar year too
    (a column "2021-22" speaks of both)."""
    out = set()
    for f in fiscal_years(text):
        out.add(f.year)
        if f.first:
            out.add(f.first)
    return out


def one_year_each(text: str) -> str:
    """The text with each split year written as the fiscal year it is ("In 2021-22, …" -> "In
    FY2022, …"), for readers that take a year as a passage's anchor."""
    for f in reversed(fiscal_years(text)):
        if f.first:
            text = f"{text[:f.start]}FY{f.year}{text[f.end:]}"
    return text


# a passage's own year said without its number: the report's year
THIS_YEAR_RE = re.compile(r"\bthis year\b|\bso far this year\b|\byear[- ]to[- ]date\b|今年|本年度?(?!末)|本报告期|报告期内",
                          re.I)
