"""Figures as the report writes them: finding them in text, bolding them, and checking that
every number an answer states appears in the evidence it cites.

The grammar of a figure, in reading order (every part but the number is optional):

    [sign] [currency] ["("] number [")"] [scale] [unit [次] [/per-unit]]

- number: digits, Western thousands groups (`27,616,611,772.61`) or Indian lakh and crore
  groups (`7,92,756`, `17,81,841`), a decimal part. The
  full-width comma `，` separates Chinese clauses and never groups thousands (`56275家，增长`).
- scale: 十百千万亿兆 and their compounds (万亿, 千万), thousand/million/billion/trillion (and the
  Indian lakh/crore), bn/mn,
  and after a currency the short m/k/M/B (`$5m`).
- currency before (`$`, `US$`, `€`, `£`, `¥`, `RMB`, `USD` …) or after (`元`, `美元`, `yuan` …);
  a negative in parentheses takes it outside or inside: `$(13,164)`, `($13,164)`.
- unit: percent and its kin (`%`, `percent`, `个百分点`, `bps`, `basis points`), multiples
  (`倍`, `x`, `times`), a Chinese measure word or physical unit (`家`, `人`, `千瓦时`, `GW`),
  optionally made a count of events with 次 (`人次`, `家次`), optionally per something
  (`元/间夜`, `元/股`, `元/吨`, `元/人`).

What is a figure and what is not (decided here, relied on by the answerer and the checks):
- a number with a scale, a currency or a unit is a figure; so is a grouped number (`52,207`,
  `809,340,522`), a decimal (`2.63`) and a negative in parentheses (`(1,234)`).
- a bare integer (`304`, `8`) is not, in running text: it is as often a year, a code, a list
  or note number, or part of a name. Two exceptions. An English count (`15 investments`): the
  noun plays the part a Chinese measure word plays, though, as English quotes counts, it is not
  part of the figure string. And a table cell, where callers ask for bare numbers
  (`find_figures(cell, bare=True)`, `cell_figure(cell)`): there "304" or "$  243" is a value.
- never figures: dates and years (`2019`, `2024年`, `March 30, 2011`, `FY18`), numbers in names
  (`5G`, `A100`, `H20`, `GPT-4.5`, `B2B`), codes with a leading zero (`000999`), section and
  caption numbers (`3.1 市场规模`, `表2`, `Note 13`), ranks and ratio bases (`第3`, `前10名`,
  the `每10股` of `每10股派3.2元`).
A figure is the report's own text, stray PDF spaces included (`19917.0 亿元`, `11.63 %`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabdata import measure_words  # bot/data/vocab/measure_words.tsv: one list of measure words

# -- vocabulary ------------------------------------------------------------------------------
CURRENCY_BEFORE = ["US$", "HK$", "NT$", "NZ$", "A$", "C$", "S$", "R$", "$", "€", "£", "¥", "￥", "₹", "₩",
                   "RMB", "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "CHF", "AUD", "CAD", "SGD", "INR"]
CURRENCY_AFTER = ["元", "美元", "欧元", "日元", "港元", "港币", "英镑", "韩元", "澳元", "加元", "卢布", "新台币",
                  "人民币", "元人民币", "美金", "yuan", "dollars", "euros", "pounds", "RMB", "USD", "EUR", "GBP"]
PERCENT = ["%", "％", "‰", "‱", "percent", "per cent", "percentage points", "percentage point", "pp", "ppt",
           "bps", "bp", "basis points", "basis point", "个百分点", "百分点", "个基点", "基点"]
MULTIPLE = ["倍", "x", "×", "times", "-fold", "fold"]
# Chinese measure words: what is counted. 年/月/日 are left out (they make dates), 期/届/季 too
# (they number rather than count).
MEASURE = list(measure_words("count", "tally", "classifier")) + \
    ["个月", "个工作日", "个季度", "个小时", "天", "小时", "分钟", "秒", "周"]
PHYSICAL = ["米", "公里", "千米", "厘米", "毫米", "平方米", "平方公里", "平方千米", "立方米", "公顷", "亩", "千克",
            "公斤", "克", "升", "毫升", "千瓦时", "千瓦", "兆瓦", "吉瓦", "瓦", "度", "标准箱", "字节"]
LATIN = ["FLOPS", "KFLOPS", "MFLOPS", "GFLOPS", "TFLOPS", "PFLOPS", "EFLOPS", "TOPS",
         "W", "kW", "MW", "GW", "TW", "Wh", "kWh", "MWh", "GWh", "TWh", "mAh",
         "KB", "MB", "GB", "TB", "PB", "EB", "KiB", "MiB", "GiB", "TiB",
         "km", "kg", "nm", "mm", "cm", "m²", "㎡", "km²", "Hz", "kHz", "MHz", "GHz",
         "bps", "Kbps", "Mbps", "Gbps", "Tbps", "ppm", "bbl", "oz", "kt", "Mt"]
PER = MEASURE + PHYSICAL + ["年", "月", "日", "晚", "夜", "间夜", "季度", "h", "s", "d", "yr", "kWh", "t"]
SCALE_ZH = r"[十百千]?万?亿|[十百千]?万|兆"
SCALE_EN = ["thousand", "million", "billion", "trillion", "lakh", "lakhs", "crore", "crores"]  # (Indian English: 10^5, 10^7)
SCALE_SHORT = ["bn", "mn"]            # unambiguous after any number
SCALE_AFTER_CURRENCY = ["m", "k", "K", "M", "B", "Bn", "BN", "MM"]   # metres, 4K, 5M…: a scale only after a currency
# words that label a number rather than measure with it: "Note 13", "表2", "Section 3.1"
LABEL_BEFORE = re.compile(
    r"(?:图|表|附注|附表|注|Figure|Fig\.|Table|Note|Notes|Section|Item|Chapter|Part|Article|Exhibit|"
    r"Schedule|Appendix|Step|Phase|Level|Tier|Version|No\.)\s*$", re.I)
# English words after a bare integer that are not the thing counted ("5 to 10", "15 and")
NOT_COUNTED = frozenset(
    "to and or of in on at for by the a an was were is are be been with from than as per through vs "
    "versus which that this these those compared respectively over under between into onto up down "
    "off out if when while but nor so yet".split())


def _alt(words: list[str], bounded: bool = True) -> str:
    """An alternation that tries longer words first; a bounded Latin word must end there
    ("3x" but not "2x2", "5 GW" but not "5 GWs")."""
    out = []
    for w in sorted(set(words), key=len, reverse=True):
        tail = r"(?![A-Za-z0-9])" if bounded and w[-1].isascii() and w[-1].isalpha() else ""
        out.append(re.escape(w) + tail)
    return "|".join(out)


_SP = r"[ \u00a0]{0,2}"   # PDFs put stray spaces between a number and its unit
# Indian grouping first: lakh and crore groups of two digits before the last three ("7,92,756",
# "17,81,841"); else Western thousands groups, else plain digits
NUM = r"(?:\d{1,2}(?:,\d{2})+,\d{3}(?![\d,])|\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d)"
# what may not come right before a figure: a letter or digit (names: "A100", "B2B"), a dot
# (versions), "digit," (a list "2019,2018"), "letter-" ("COVID-19"), 第/前/每 (ranks, ratio bases;
# but 提前/目前/之前 are words of time)
# and a closing bracket ("[1]300" numbers a list item), except a note reference right after a
# word: in "地区生产总值[2]18500.81亿元" the [2] points to a note and the figure after it stands
_NOTE_REF = r"(?<=[\u4e00-\u9fffA-Za-z）)]\[\d\])|(?<=[\u4e00-\u9fffA-Za-z）)]\[\d\d\])"
_START = r"(?<![0-9A-Za-z.%％)])(?:(?<!\])|" + _NOTE_REF + r")(?<!\d,)(?<![A-Za-z]-)(?<![第每])(?<!每 )(?:(?<!前)|(?<=[提目之此以]前))"
UNITS = PERCENT + MULTIPLE + MEASURE + [m + "次" for m in MEASURE] + PHYSICAL + LATIN + CURRENCY_AFTER
_UNIT = _alt(UNITS)
# a scale character that begins a unit is the unit's ("5千瓦时" is 千瓦时, not 千 + 瓦)
_NOT_A_UNIT = rf"(?!{_alt([u for u in UNITS if u[0] in '十百千万亿兆'])})"
_SCALE = (rf"{_SP}{_NOT_A_UNIT}(?:{SCALE_ZH}|[十百千](?={_SP}(?:{_UNIT}))|{_alt(SCALE_EN)})|{_alt(SCALE_SHORT)}|"
          rf"(?(cur)(?:{_alt(SCALE_AFTER_CURRENCY)})|(?!))")
_CUR = _alt(CURRENCY_BEFORE, bounded=False)
# After a stray space, a one-character unit that runs on into a word is that word's start, as in
# PDF table text "52,207 户数" or "418,306,002 股股份"; "10 元（含税）" and "5 个百分点" stay whole.
# "x" is a multiple only written close ("3.5x"): "10 x 20" is a dimension.
_CJK = r"[\u4e00-\u9fff]"
_ONE_CHAR = "".join(u for u in UNITS if len(u) == 1 and re.match(_CJK, u))
_LONGER = _alt([u for u in UNITS if len(u) > 1 and re.match(_CJK, u)])
_UNIT_GAP = rf"(?:(?![ \u00a0])|[ \u00a0]{{1,2}}(?!(?!{_LONGER})[{_ONE_CHAR}]{_CJK})(?![x×]))"
# "$5 USD" or "€5m RMB": a currency code after a currency already written belongs to the next words
_NO_SECOND_CODE = rf"(?!{_alt([c for c in CURRENCY_AFTER if c.isascii()])})"
FIGURE_RE = re.compile(
    rf"(?=[-−+(\d$€£¥￥₹₩A-Z]){_START}(?P<sign>[-−+])?"
    rf"(?:(?P<cur>{_CUR})[ \u00a0]{{0,3}}(?P<sign2>[-−])?)?"
    rf"(?P<open>\()?(?(open)(?P<cur_in>{_CUR})?)"
    rf"(?P<num>{NUM})(?(open)\))"
    rf"(?P<approx>[余多](?=[十百千万亿兆]|{_UNIT}))?(?P<scale>{_SCALE})?(?(scale)(?:[余多](?={_UNIT}))?)"
    rf"(?:{_UNIT_GAP}(?(cur){_NO_SECOND_CODE})(?P<unit>{_UNIT})(?![年月日])(?P<per>[/／](?:{_alt(PER)})次?)?)?"
)
# A number as a claim check compares it: one token per written number, sign and grouping aside.
NUMBER_RE = re.compile(rf"(?<![\d.]){NUM}")
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?![A-Za-z])\.?")
_YEAR = r"(?:19|20)\d{2}"
DATE_RE = re.compile(
    r"(?=[0-9JFMASOND])(?:"  # every date starts so: positions that cannot are skipped fast
    r"\d{4}\s*(?:(?:财政|会计)年度|财年|年)(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|(?<![\d.])\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    rf"(?<![\d.])(?:19|20)\d{{2}}[-/](?:0?[1-9]|1[0-2])(?:[-/](?:0?[1-9]|[12]\d|3[01]))?(?![\d])|"
    rf"(?<![\d.]){_YEAR}\.(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01])(?![\d])|"
    rf"(?<![\d/])\d{{1,2}}/\d{{1,2}}/{_YEAR}(?!\d)|"
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?(?!\d)|"
    rf"\b\d{{1,2}}(?:\s?(?:st|nd|rd|th))?\s+{_MONTH}(?:,?\s+{_YEAR})?(?!\d)|\b{_MONTH},?\s+{_YEAR}(?!\d)|"
    rf"\bFY\s?'?(?:{_YEAR}|\d{{2}})\b|"
    # a year standing alone: not the start of a figure ("2000家", "2019.5亿元") nor part of a code
    rf"(?<![\d.,$€£¥A-Za-z]){_YEAR}(?!\d|[.,]\d|{_SP}(?:{_UNIT}|{SCALE_ZH}|{_alt(SCALE_EN)})))"
)
CITE_RE = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Figure:
    """One figure taken apart; `text` is the report's string, the rest are pieces of it."""
    text: str
    number: str           # the numeral as written: "13,164"
    negative: bool        # a minus sign or parentheses
    currency: str = ""    # "$", "元", …
    scale: str = ""       # "万", "million", …
    unit: str = ""        # "%", "人次", "元/间夜", …


def find_dates(text: str) -> list[re.Match]:
    return list(DATE_RE.finditer(text))


def find_figures(text: str, bare: bool = False) -> list[re.Match]:
    """Value figures (amounts, shares, rates), not dates. `bare=True` is for a table cell, where
    a bare integer such as "304" is a value (years and codes still are not)."""
    dates = [m.span() for m in DATE_RE.finditer(text)]
    found, d = [], 0
    for m in FIGURE_RE.finditer(text):
        while d < len(dates) and dates[d][1] <= m.start():
            d += 1  # both are in text order: skip the dates that end before this figure
        in_date = d < len(dates) and dates[d][0] < m.end()
        if not in_date and _is_figure(m, text, bare):
            found.append(m)
    return found


def _is_figure(m: re.Match, text: str, bare: bool) -> bool:
    g = m.groupdict()
    if g["unit"] or g["scale"] or g["cur"] or g["cur_in"]:
        return True
    line_start = text.rfind("\n", max(0, m.start() - 200), m.start()) + 1
    num, before, after = g["num"], text[max(line_start, m.start() - 24):m.start()], text[m.end():m.end() + 24]
    if LABEL_BEFORE.search(before[-12:]):
        return False
    if re.match(r"[A-Za-z]|\.\d", after):
        return False  # "4.5G", "3.5.1": a name or a version
    if "," in num or "." in num:
        # "3.1 市场规模" at the start of a line numbers a section (a number grouped with commas,
        # "2,32,822 New jobs created", never does)
        at_line_start = "," not in num and m.start() - line_start <= 24 \
            and re.fullmatch(r"[ \t#*>-]*", text[line_start:m.start()])
        return not (at_line_start and re.match(r"[ \t]+[^\d\s]", after))
    if re.fullmatch(_YEAR, num) or (len(num) > 1 and num.startswith("0")):
        return False  # a year, or a code such as a stock code "000999"
    if g["open"]:
        return bare
    if bare:
        # a cell's value stands alone: not "12项目", "10:30", "1/2", nor "755-83360999"
        return not (re.match(rf"{_SP}[A-Za-z\u4e00-\u9fff]|[:/\-]\d", after) or re.search(r"\d[-/:]$", before))
    word = re.match(r" +([a-z][a-z-]+)", after)
    return bool(word) and word.group(1) not in NOT_COUNTED  # "15 investments"


def parse_figure(text: str) -> Figure | None:
    """Take apart a figure string (as `find_figures` returns it); None when it is not one."""
    m = FIGURE_RE.fullmatch(text.strip())
    if not m or not find_figures(m.group(), bare=True):
        return None
    g = m.groupdict()
    unit = (g["unit"] or "") + (g["per"] or "")
    currency = g["cur"] or g["cur_in"] or (g["unit"] if g["unit"] in CURRENCY_AFTER else "")
    return Figure(text=m.group(), number=g["num"], negative=bool(g["open"] or g["sign2"] or g["sign"] in ("-", "−")),
                  currency=currency, scale=(g["scale"] or "").strip(), unit=unit)


# between the two ends of a range in a cell: a dash, a tilde or "to", spaces around
RANGE_SEP_RE = re.compile(r"\s*(?:[-–—~～]|to|至|到)\s*")


def cell_figure(cell: str) -> str | None:
    """The figure a table cell holds, as written ("304", "$  243", "$(13,164)", "5.2个百分点"),
    or None when it holds none, or several, or a year or date."""
    cell = cell.strip()
    found = find_figures(cell, bare=True)
    if len(found) == 1 and found[0].group() == cell:
        return cell
    for sep in RANGE_SEP_RE.finditer(cell):
        # a range of two figures ("1.35 - 1.42", "27.30–37.35"), as price sheets give prices
        low, high = cell[:sep.start()], cell[sep.end():]
        if low and high and all(len(f := find_figures(end, bare=True)) == 1 and f[0].group() == end
                                for end in (low, high)):
            return cell
    # a cell with words ("Ms. Friar (1)", "增加5.2个百分点"): only what is a figure in prose
    found = find_figures(cell)
    return found[0].group() if len(found) == 1 else None


def normalise(number: str) -> str:
    n = number.replace(",", "").replace("，", "")
    if "." in n:
        n = n.rstrip("0").rstrip(".")
    return n.lstrip("0") or "0"


def numbers_in(text: str) -> set[str]:
    """Every number written in `text`, normalised ("1,014" -> "1014", "15.40" -> "15.4"). Signs and
    parentheses are left out: "下降3.2%" restates "-3.2%", "(13,164)" is 13164 said as a loss."""
    return {normalise(m.group()) for m in NUMBER_RE.finditer(text)}


def bold_figures(text: str, dates: bool = False, bare: bool = False) -> tuple[str, list[str]]:
    """Wrap each figure in **…**; returns the new text and the figures, in order."""
    spans = [(m.start(), m.end()) for m in find_figures(text, bare=bare)]
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
