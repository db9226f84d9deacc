"""Figures as the report writes them: finding them in text, bolding them, and checking that
every number an answer states appears in the evidence it cites."""
from __future__ import annotations

import re

NUM = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
# Units that make a bare number a figure. Latin units are a closed list so that names such as
# "5G" or "A100" are not mistaken for figures.
UNIT = (
    r"(?:%|％|‰|个百分点|百分点|倍|"
    r"[十百千万亿兆]*(?:亿|万)(?:美元|欧元|日元|港元|元|人民币|台|辆|人|户|个|家|吨|千瓦时|千瓦|平方米|片|件|套|部|次)?|"
    r"美元|欧元|日元|港元|元|个|家|项|座|台|辆|人|户|吨|件|套|张|次|篇|款|种|所|条|名|位|部|片|家次|"
    r"(?:[EPTGMK]?FLOPS|[TGMk]W[h]?|[KMGTPE]B|km|kg|nm|mm|GHz|MHz|bps|Gbps|Mbps)\b)"
)
DATE_RE = re.compile(
    r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|(?<![\d.])\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    r"(?<![\d.])(?:19|20)\d{2}[-/](?:0?[1-9]|1[0-2])(?:[-/](?:0?[1-9]|[12]\d|3[01]))?(?![\d])"
)
FIGURE_RE = re.compile(rf"(?<![\d.A-Za-z])(?:{NUM}\s?{UNIT}|\d+\.\d+)(?!\s*[年月日])")
NUMBER_RE = re.compile(r"\d+(?:[,，]\d{3})*(?:\.\d+)?")
CITE_RE = re.compile(r"\[(\d+)\]")


def find_dates(text: str) -> list[re.Match]:
    return list(DATE_RE.finditer(text))


def find_figures(text: str) -> list[re.Match]:
    """Value figures (amounts, shares, rates), not dates."""
    dates = [(m.start(), m.end()) for m in DATE_RE.finditer(text)]
    return [m for m in FIGURE_RE.finditer(text) if not any(s <= m.start() < e for s, e in dates)]


def normalise(number: str) -> str:
    n = number.replace(",", "").replace("，", "")
    if "." in n:
        n = n.rstrip("0").rstrip(".")
    return n.lstrip("0") or "0"


def numbers_in(text: str) -> set[str]:
    return {normalise(m.group()) for m in NUMBER_RE.finditer(text)}


def bold_figures(text: str, dates: bool = False) -> tuple[str, list[str]]:
    """Wrap each figure in **…**; returns the new text and the figures, in order."""
    spans = [(m.start(), m.end()) for m in find_figures(text)]
    if dates:
        spans += [(m.start(), m.end()) for m in find_dates(text)]
    spans.sort()
    out, figures, pos = [], [], 0
    for s, e in spans:
        if s < pos:
            continue
        out.append(text[pos:s])
        fig = text[s:e].strip()
        out.append(f"**{fig}**")
        figures.append(fig)
        pos = e
    out.append(text[pos:])
    return "".join(out), figures


def unsupported_numbers(answer: str, evidence_texts: list[str], allowed: set[str] = frozenset()) -> list[str]:
    """Numbers stated in `answer` that appear in none of `evidence_texts` (citation marks and
    explicitly allowed numbers, such as a count of cited rows, are not claims)."""
    body = CITE_RE.sub(" ", answer)
    supported = set().union(*(numbers_in(t) for t in evidence_texts)) if evidence_texts else set()
    supported |= {normalise(a) for a in allowed}
    return sorted({n for n in numbers_in(body) if n not in supported})
