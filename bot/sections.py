"""A report's parts and scope: which year each passage reports on, and whom the report is about.

Two things every format loses in the same way, read here once from the parsed blocks:

- **Parts.** One file may hold several reports of one series (four years of a city's statistical
  communiqué, a ministry's bulletins for two years). A part starts at a *year heading* (a short
  title line naming one year and a kind of report: "2023年…统计公报", "2022 Annual Report"), or
  where the top-level numbering starts again at "一、" without a chapter heading above it (the
  masthead lines just before belong to the new part). A part carries its title ("" when it has
  none) and its year: the title's year, else the year its own text names most (its opening
  "2023年是…" counts more; a bare date line such as the release date "2024年3月" not at all).
  Never the previous part's year.
- **Scope.** The entity, place and period the report is about, from its title, metadata, cover
  (first paragraphs and tables), running header and, failing those, its file name, with the
  short forms a question may use: a company's 股票简称/证券代码 or ticker as the report states them,
  a place without its administrative suffix or ethnic-autonomy name ("延边朝鲜族自治州" -> 延边,
  延边州), 中国/全国/我国 for a national body's report. A junk title ("2024 [1]", "Document", a
  file name, "---") is replaced by a better one (metadata, a filing's cover, the file name).

Everything here is about the shape of report text; nothing names a document, company or place.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path, PurePath

from . import periods, titles
from .types import Block, Paragraph, Report, Table

YEAR = r"(?:19|20)\d\d"
YEAR_RE = re.compile(rf"(?<!\d){YEAR}(?!\d)")
# a span of years ("2021~2024年", "2022-2023") titles a collection, not one year's part
YEAR_SPAN_RE = re.compile(rf"{YEAR}\s*[~～\-–—至到]\s*(?:{YEAR}|\d\d)(?!\d)")
KIND_RE = re.compile(r"公报|报告|年报|白皮书|年鉴|bulletin|report|communiqu[eé]|review|form\s*10-?[kq]", re.I)
SENTENCE_END = tuple("。！？!?；;：:，,")
TOP_ITEM_RE = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*\S")
CHAPTER_RE = re.compile(r"^\s*(第[一二三四五六七八九十百\d]+\s*[章节部分篇]|part\s+[ivx\d]+\b|chapter\s+\d+)", re.I)
ZH_DATE_RE = re.compile(rf"{YEAR}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?")
# a day's date ("2025年3月20日") in a title is when it was released or delivered; a month
# ("2023年11月…市场总结") is the period a monthly report covers
DAY_DATE_RE = re.compile(rf"{YEAR}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日")
DATE_LINE_RE = re.compile(rf"^\s*{YEAR}\s*年\s*\d{{1,2}}\s*月(\s*\d{{1,2}}\s*日)?\s*$")
# "2023年是…", "2023年，…", "In 2023, …": a paragraph that opens on its year
OPENING_YEAR_RE = re.compile(rf"^\s*(?:in\s+)?({YEAR})\s*(?:年(?:度)?\s*(?:是|，|,|以来|全年)|,)", re.I)
ZH_YEAR_RE = re.compile(rf"(?<!\d)({YEAR})\s*(?:年|财年)")
# ("of 1934" is an Act's year in every SEC filing, not the period)
EN_YEAR_RE = re.compile(rf"(?:fiscal(?: year)?|FY|year ended [A-Z][a-z]+ \d{{1,2}},|in|for)\s+({YEAR})(?!\d)", re.I)
SHORT = 40  # a title or masthead line is shorter than this (characters)
PERIOD_MARK = " · "  # between a scope's names and its period


# ----- parts -------------------------------------------------------------------------------

def _line(block: Block) -> str:
    return block.text.strip() if isinstance(block, Paragraph) else ""


def _short(text: str) -> bool:
    return 0 < len(text) <= SHORT and not text.endswith(SENTENCE_END)


def year_heading(text: str) -> str:
    """The year a short title line names as the year of a report ("南京市2024年国民经济和社会发展
    统计公报" -> "2024"), else ""."""
    text = text.strip()
    if not text or len(text) > 60 or text.endswith(SENTENCE_END) or "《" in text or YEAR_SPAN_RE.search(text):
        return ""
    years = set(YEAR_RE.findall(text))
    if len(years) != 1 or not KIND_RE.search(text) or TOP_ITEM_RE.match(text):
        return ""
    if ZH_DATE_RE.search(text):  # a line with a full date announces an event, not a year's report
        return ""
    return years.pop()


def content_year(blocks: list[Block]) -> str:
    """The year a run of blocks reports on: the year its text names most, a paragraph opening on
    its year counting three times; release-date lines ("2024年3月") do not count."""
    counts: Counter[str] = Counter()
    for b in blocks:
        if isinstance(b, Paragraph):
            text = b.text
            if DATE_LINE_RE.match(text) or b.boilerplate:
                continue
            m = OPENING_YEAR_RE.match(text)
            if m:
                counts[m.group(1)] += 3
        else:
            text = " ".join([b.caption, *b.header])
        years = ZH_YEAR_RE.findall(text) if re.search(r"[\u4e00-\u9fff]", text) else EN_YEAR_RE.findall(text)
        counts.update(years)
    if not counts:
        return ""
    best = max(counts.values())
    return max(y for y, n in counts.items() if n == best)  # a tie goes to the later year


@dataclass(frozen=True)
class Part:
    start: int  # index of its first block
    title: str  # "" when the part has no title line
    year: str


def split_parts(blocks: list[Block], title: str = "") -> list[Part]:
    """The parts of a report, in order; one part when nothing starts another. `title` is the
    report's title: when it is a year heading, it titles the first part."""
    starts: list[tuple[int, str]] = [(0, title if year_heading(title) else "")]
    # a line printed again and again (a page footer "Acme | Q3 2024 Form 10-Q | 7") heads no part
    seen = Counter(_line(b) for b in blocks if _line(b))
    seen.update(b.heading for b in blocks if b.heading)
    # a year heading opens a part only when the file holds the same report for another year too
    # ("南京市2024年…统计公报" beside "南京市2023年…统计公报"); a lone "某公司2024年年报" in a news
    # digest is an item's title, not the start of a year's part
    repeated = _repeated_year_headings([title, *seen])
    higher = False  # a top-level item after "一、" was seen since the part began
    last_heading = None
    for i, b in enumerate(blocks):
        heading = b.heading if b.heading != last_heading else None
        last_heading = b.heading
        for text in (heading, _line(b)):
            if not text:
                continue
            start, current = starts[-1]
            titles_part = not current and i - start <= 3  # the title under the part's masthead
            if year_heading(text) and (text in repeated or titles_part) and seen[text] < 3 + (text == title):
                if current == text:
                    pass  # the part's own title again
                elif titles_part:
                    starts[-1] = (start, text)
                else:
                    starts.append((i, text))
                higher = False
                break
            if CHAPTER_RE.match(text):
                higher = False  # numbering restarts under each chapter: that is no new part
                continue
            m = TOP_ITEM_RE.match(text) if _short(text) else None
            if m and m.group(1) == "一":
                if higher:
                    starts.append((_masthead_start(blocks, i, starts[-1][0]), ""))
                higher = False
            elif m:
                higher = True
    parts = []
    for k, (start, name) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(blocks)
        year = year_heading(name) if name else content_year(blocks[start:end])
        parts.append(Part(start, name, year))
    # a part reporting on the same year as the one before (or on none) is a chapter of it
    merged: list[Part] = []
    for p in parts:
        if merged and (p.year == merged[-1].year or not p.year):
            if p.title and not merged[-1].title:
                merged[-1] = Part(merged[-1].start, p.title, p.year)
            continue
        if merged and not merged[-1].year:  # a cover that names no year opens the next part
            merged[-1] = Part(merged[-1].start, p.title, p.year)
            continue
        merged.append(p)
    return merged


def _year_key(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", re.sub(rf"{YEAR}\s*年?度?", "", text))


def _repeated_year_headings(texts) -> set[str]:
    """The year headings among `texts` whose report (the heading without its year) the file
    also holds for another year."""
    years: dict[str, set[str]] = {}
    for t in texts:
        if t and (y := year_heading(t)):
            years.setdefault(_year_key(t), set()).add(y)
    return {t for t in texts if t and year_heading(t) and len(years.get(_year_key(t), ())) > 1}


def _masthead_start(blocks: list[Block], i: int, floor: int) -> int:
    """Where a part whose numbering starts at block `i` begins: back over the masthead (short
    lines: issuer, release date) and at most one opening paragraph."""
    start, longs = i, 0
    for k in range(i - 1, floor, -1):
        b = blocks[k]
        if isinstance(b, Table):
            break
        if _short(b.text):
            start = k
            continue
        longs += 1
        if longs > 1 or start < i:  # a long paragraph above the masthead ends the previous part
            break
        start = k
    return start


def assign_parts(report: Report, period_year: str = "") -> list[Part]:
    """Set each block's `section` and `year`. A single-part report's year is its period's."""
    parts = split_parts(report.blocks, report.title) if report.blocks else []
    if len(parts) <= 1:
        if period_year:
            report.blocks = [replace(b, year=period_year) for b in report.blocks]
        return parts
    out = []
    for k, p in enumerate(parts):
        end = parts[k + 1].start if k + 1 < len(parts) else len(report.blocks)
        blocks = [replace(b, section=p.title, year=p.year) for b in report.blocks[p.start:end]]
        # a part's masthead and opening are under no heading of the previous part's ("十二、资源…")
        carried = report.blocks[p.start - 1].heading if p.start > 0 else None
        for j, b in enumerate(blocks):
            if not carried or b.heading != carried:
                break
            blocks[j] = replace(b, heading=None)
        out += blocks
    report.blocks = report.blocks[:parts[0].start] + out
    return parts


# ----- scope -------------------------------------------------------------------------------

CJK = r"\u4e00-\u9fff"
# a company's full name, starting where the line or phrase starts (not "分别为…有限公司")
COMPANY_ZH_RE = re.compile(rf"(?<![{CJK}（）()])[{CJK}（）()]{{2,30}}?(?:股份有限公司|有限责任公司|有限公司|集团公司)")
SHORT_NAME_RE = re.compile(rf"(?:股票|证券|公司|A股|H股)简称\s*[:：]?\s*([{CJK}A-Za-z0-9*＊]{{2,12}})")
CODE_RE = re.compile(r"(?:股票|证券|公司|A股|H股)代码\s*[:：]?\s*(\d{6}|\d{4,5}(?=\D|$))")
ALIAS_RE = re.compile(rf"(?:以下)?简称\s*[“\"「『]([{CJK}A-Za-z0-9]{{2,12}})[”\"」』]")
ADMIN = r"特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|县|区|盟|旗"
# a date ("2024年", "2023~2024年度", "2023年11月") in a title stands for this mark while a place
# is read (bot.sections._undated): a place starts after a date, never with its "年"
DATE_MARK = "§"
DATE_RE = re.compile(rf"{YEAR}\s*(?:[~～\-–—至到]\s*(?:{YEAR}|\d\d)\s*)?年度?(?:\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?)?")
# before the report's year or its issuer ("合肥市2024年…", "合肥市统计局"), or right after the year
# ("2024年杭州市…"; not "…市场", "…市值", "…区域")
PLACE_RE = re.compile(rf"([{CJK}]{{2,12}}?(?:{ADMIN}))(?=\s*(?:{YEAR}|{DATE_MARK})|(?:人民政府|统计局|国民经济|政府工作|统计公报))|"
                      rf"(?<={DATE_MARK})([{CJK}]{{2,4}}?(?:{ADMIN}))(?![场值民域间外内])")
PLACE_SUFFIX_RE = re.compile(rf"(?:{ADMIN})$")
AUTONOMY_RE = re.compile(r"自治(区|州|县|旗)$")
# a national government body as issuer: its report's figures are the country's
NATIONAL_RE = re.compile(rf"^(?:中华人民共和国[{CJK}]{{0,16}}(?:部|局|署|委员会|院)|国务院|国家[{CJK}]{{1,12}}(?:局|部|署|委员会))$")
NATIONAL_WORDS = ("中国", "全国", "我国")
# a national body named in a title ("…全国人民代表大会…上 国务院总理…"): the report is the country's
NATIONAL_BODY_RE = re.compile(rf"中华人民共和国[{CJK}]{{0,16}}?(?:部|局|署|委员会|院)|国务院|全国人民代表大会|"
                              rf"国家[{CJK}]{{1,12}}?(?:局|部|署|委员会)")
# a title about the whole country: the country's name opens it or follows its date or tag
# ("中国智算中心…", "2023年11月中国…市场", "【…】2025年中国…行业")
COUNTRY_RE = re.compile(rf"(?:^|[^{CJK}])(?:中华人民共和国|中国|全国|我国)")
# the year a company was founded is no report's period
FOUNDED_RE = re.compile(rf"(?:established|founded|incorporated|set up)\s+(?:in\s+)?(?:[A-Z][a-z]+\s+)?{YEAR}|"
                        rf"(?:成立|创立|创建|始建|组建|设立)于?\s*{YEAR}\s*年?", re.I)
# words that refer to a company without naming it ("The Company", "Our Group")
DETERMINERS = {"our", "this", "that", "such", "each", "any", "its", "their", "other", "every", "the"}
COMPANY_SUFFIXES = {"Company", "Corporation", "Group", "Inc", "Corp", "Co", "Ltd", "Limited"}
# a filing's cover: the registrant's name sits on the line above this note
EXACT_NAME_RE = re.compile(r"^\(?\s*exact name of (?:the )?(?:small business )?(?:registrant|issuer|company)", re.I)
PERIOD_EN_RE = re.compile(r"\bfor the (fiscal year|quarterly period|year|quarter|fiscal quarter|transition period) "
                          r"ended:?\s+([A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})", re.I)
# the same statement in Chinese ("截至2021年8月31日止年度", "报告期：2024年1月1日至2024年12月31日"): the
# year it ends in is the report's period (the cover's own day dates are otherwise its release)
PERIOD_ZH_RE = re.compile(rf"截至\s*({YEAR})\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*止\s*(?:的)?\s*(?:财政|会计)?年度|"
                          rf"报告期(?:间)?\s*[：:为]?\s*{YEAR}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*(?:至|到|[-–—~～])\s*"
                          rf"({YEAR})\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日")
FORM_RE = re.compile(r"^\s*form\s+(10-k|10-q|20-f|40-f|8-k|6-k|s-1)\s*$", re.I)
LISTED_EN_RE = re.compile(r"((?:The )?[A-Z][\w&.'-]*(?:[ ,]+[A-Z][\w&.'-]*){0,5}),?\s*\((?:NYSE|NASDAQ|Nasdaq|NYSE American|"
                          r"NYSE MKT|AMEX|OTCQX|OTCQB|OTC|TSX|LSE|ASX|HKEX|SEHK)[^:)]{0,20}:\s*([A-Z][A-Z.]{0,6})\)")
COMPANY_EN_RE = re.compile(r"\b((?:The )?[A-Z][\w&'-]*(?: [A-Z&][\w&'-]*){0,5},? (?:Inc|Corp|Corporation|Company|Co|Ltd|"
                           r"Limited|plc|PLC|LLC|L\.P|N\.V|S\.A|AG|SE)\b\.?)")
FILE_CODE_RE = re.compile(r"(?:^|[_\-\s])(\d{6})(?=[_\-\s]|$)")
FILE_YEAR_RE = re.compile(rf"(?<![A-Za-z\d])({YEAR})(?:\s*年|(?=[_\-\s~～]|$))")
JUNK_TITLE_RE = re.compile(r"^(?:document|untitled|无标题|新建.*文档|microsoft (?:word|powerpoint).*|powerpoint.*|"
                           r".*演示文稿|---+|title|index|page \d+)$", re.I)
FILE_TITLE_RE = re.compile(r"\.(?:x?html?|pdf|docx?|txt|md|xlsx?)$|^[\w.-]+_\d{6,8}\.?\w*$", re.I)


@lru_cache(maxsize=1)
def ethnic_groups() -> tuple[str, ...]:
    path = Path(__file__).with_name("data") / "ethnic_groups.txt"
    names = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(sorted(names, key=len, reverse=True))


def place_aliases(place: str) -> list[str]:
    """A place and the short forms a question may use: without its administrative suffix, without
    the ethnic names of an autonomous area, and the short form with the bare suffix ("延边州")."""
    out = [place]
    core = PLACE_SUFFIX_RE.sub("", place)
    autonomy = AUTONOMY_RE.search(place)
    if autonomy:
        stripped = True
        while stripped:  # "延边朝鲜族" -> "延边", "新疆维吾尔" -> "新疆", "积石山保安族东乡族撒拉族" -> "积石山"
            stripped = False
            for name in ethnic_groups():
                for form in (name + "族", name):
                    if core.endswith(form) and len(core) - len(form) >= 2:
                        core, stripped = core[: -len(form)], True
                        break
                if stripped:
                    break
        if core != PLACE_SUFFIX_RE.sub("", place):
            out.append(core + autonomy.group(1))  # "延边州", "广西区"
    if len(core) >= 2 and core != place:
        out.append(core)
    return list(dict.fromkeys(out))


def romanised(name: str) -> list[str]:
    """A Chinese place name as English text writes it, in Hanyu Pinyin: "合肥" -> "Hefei",
    "西安" -> "Xi'an" (and "Xian"). Empty when pypinyin is not installed or the name is not Chinese."""
    if not re.fullmatch(rf"[{CJK}]{{2,8}}", name):
        return []
    try:
        from pypinyin import lazy_pinyin
    except ImportError:
        return []
    syllables = lazy_pinyin(name)
    if not all(re.fullmatch(r"[a-z]+", s) for s in syllables):
        return []
    marked = syllables[0] + "".join(("'" if s[0] in "aoe" else "") + s for s in syllables[1:])
    return list(dict.fromkeys(w.capitalize() for w in (marked, "".join(syllables))))


def good_title(title: str, file: str, descriptive: bool = False) -> bool:
    """Is this a title at all: not an application's default ("Document", "PowerPoint 演示文稿"), not
    a file name, not an id. The file's own name is a title only when it is descriptive
    (bot.titles: "2024年药品流通行业运行统计分析报告.txt", not "report_2024.htm")."""
    t = title.strip()
    if not t or JUNK_TITLE_RE.match(t) or FILE_TITLE_RE.search(t) or re.fullmatch(r"\S*\d{6,}\S*", t):
        return False
    if t in (PurePath(file).name, PurePath(file).stem) and not descriptive:
        return False
    # a title names something: two Chinese characters or a Latin word of three letters
    return bool(re.search(rf"[{CJK}]{{2}}|[A-Za-z]{{3}}", t))


@dataclass
class Scope:
    entity: str = ""
    short: tuple[str, ...] = ()  # short names, codes, tickers as the report states them
    place: str = ""
    national: bool = False
    period: str = ""  # "2024", "fiscal year ended December 31, 2021"
    title: str = ""  # a better title than the format gave, when it gave junk or a line that titles no document
    proposed: str = ""  # the format's proposal, when another title was chosen

    def words(self) -> str:
        names = [self.entity, *self.short]
        if self.place:
            names += place_aliases(self.place)
            names += romanised(place_aliases(self.place)[-1])
        if self.national:
            names += NATIONAL_WORDS
        words = " ".join(dict.fromkeys(n for n in names if n))
        return f"{words}{PERIOD_MARK}{self.period}" if self.period else words

    @property
    def year(self) -> str:
        """The one year the period names; a fiscal year's ("2021-22": 2022, the year it ends in,
        bot.periods), not a span of several years ("2021~2024")."""
        fiscal = periods.fiscal_years(self.period)
        if len(fiscal) == 1 and fiscal[0].first:
            f = fiscal[0]
            if not YEAR_RE.search(self.period[:f.start] + " " + self.period[f.end:]):
                return f.year
        years = set(YEAR_RE.findall(self.period))
        return years.pop() if len(years) == 1 else ""


def _cover(report: Report) -> list[str]:
    """The cover's lines: headings, paragraphs and table captions of the first blocks (of the first
    two pages of a paged report), in reading order."""
    lines: list[str] = []
    last = None
    for b in report.blocks[:40]:
        if b.page is not None and b.page > 2:
            break
        if b.heading and b.heading != last:  # short lines some formats take as headings
            lines.append(b.heading)
        last = b.heading
        lines.append(b.text if isinstance(b, Paragraph) else b.caption)
    return lines


def _first_tables(report: Report, n: int = 3) -> list[Table]:
    return report.tables[:n]


def _table_values(tables: list[Table], label_re: re.Pattern, beside_only: bool = False) -> list[str]:
    """Values under (or beside) a header cell like "股票简称"/"证券代码" in the report's first tables
    (a profile table of a row or two; a list of many companies names none of them as the report's).
    `beside_only`: only a value right of its label in the same row, as a company-information table
    of label-value pairs gives it, however many rows the table has."""
    out = []
    for t in tables:
        if len(t.rows) > 3 and not beside_only:
            continue
        grid = [list(t.header), *map(list, t.rows)]
        for r, row in enumerate(grid):
            for j, cell in enumerate(row):
                if not label_re.fullmatch(cell.strip()):
                    continue
                if r + 1 < len(grid) and j < len(grid[r + 1]) and not beside_only:
                    out.append(grid[r + 1][j].strip())
                if j + 1 < len(row):
                    out.append(row[j + 1].strip())
    # a short name or code is one short word ("金花股份", "600080", "AAPL"), not a column label
    return [v for v in out if v and len(v) <= 12 and not re.search(r"\s", v) and not label_re.search(v)
            and not re.search(r"名称|简称|代码|交易所|symbol|name|exchange", v, re.I)]


def _document_text(report: Report, extra: list[str]) -> str:
    """What the report says, for telling whether its file name uses its words: the body, and
    what the file says about itself (its proposed title, metadata title, running header)."""
    parts = list(extra)
    for b in report.blocks:
        if isinstance(b, Paragraph):
            parts.append(b.text)
        else:
            parts += [b.caption, *b.header, *(c for row in b.rows for c in row)]
        parts.append(b.heading or "")
    return "\n".join(p for p in parts if p)


def _choose_title(report: Report, meta: dict) -> tuple[str, str, bool]:
    """(the title that stands or "", the reader's proposal read once, is the file name descriptive).
    A proposal stands when it is no junk and, when the file name is a descriptive title, agrees
    with it (bot.titles)."""
    candidate = titles.once(report.title.strip())
    from_file = candidate in (titles.file_title(report.file), _file_title(report.file))
    text = _document_text(report, ["" if from_file else candidate, meta.get("title", ""), meta.get("header", "")])
    descriptive = titles.descriptive(report.file, text)

    def stands(t: str) -> bool:
        return good_title(t, report.file, descriptive) and (not descriptive or titles.agrees(t, report.file))
    return (candidate if stands(candidate) else ""), ("" if from_file else candidate), descriptive


def _undated(text: str) -> str:
    """The text with its dates ("2024年", "2023~2024年度", "2023年11月") replaced by DATE_MARK, so
    that a place read after a date starts after it, never with its "年"."""
    return DATE_RE.sub(DATE_MARK, text)


def _company_line(line: str, title_line: bool) -> bool:
    """May this line name the report's company? A title, metadata or running header may; a cover
    line only when it is short (a masthead) or opens with the name. A line naming several
    companies is a list ("…such as A Inc., B LLC and C Co."), none of which the report is about."""
    # (one name in each script is one company named twice: "Acme Holdings Limited | 甲乙控股有限公司")
    many = len(set(COMPANY_ZH_RE.findall(line))) > 1 or len(set(COMPANY_EN_RE.findall(line))) > 1
    opens = COMPANY_ZH_RE.match(line.lstrip("0123456789 |-–—·.")) or COMPANY_EN_RE.match(line.lstrip("0123456789 |-–—·."))
    return not many and (title_line or _short(line) or bool(opens))


def _en_company(name: str) -> bool:
    """A company's name, not a phrase that refers to one ("The Company", "Our Company")."""
    words = name.split()
    return bool(words) and words[0].lower() not in DETERMINERS and not (
        len(words) >= 2 and words[0] == "The" and words[1].rstrip(",.") in COMPANY_SUFFIXES)


def report_scope(report: Report, meta: dict | None = None) -> Scope:
    meta = meta or {}
    stem = PurePath(report.file).stem
    title, proposed, descriptive = _choose_title(report, meta)
    meta_title = meta.get("title", "").strip()
    meta_title = meta_title if good_title(meta_title, report.file) else ""
    cover = _cover(report)
    if proposed and proposed != title and good_title(proposed, report.file, descriptive):
        cover = [proposed, *cover]  # the line the reader took for a title is still a cover line
    header = meta.get("header", "")
    heads = [t for t in (title, meta_title, header) if t]  # lines that title the whole report
    texts = [*heads, *cover]
    scope = Scope()

    # the entity: a company's full name, a filing's registrant, a listed company beside its ticker
    for i, line in enumerate(cover):
        if EXACT_NAME_RE.match(line) and i > 0:
            scope.entity = cover[i - 1].strip()
            break
    shorts: list[str] = []
    if not scope.entity:
        for k, t in enumerate(texts):
            m = COMPANY_ZH_RE.search(t)
            if m and _company_line(t, k < len(heads)):
                scope.entity = m.group().lstrip("（(")
                break
    for t in texts:
        for m in LISTED_EN_RE.finditer(t):
            scope.entity = scope.entity or m.group(1).strip()
            shorts.append(m.group(2))
    if not scope.entity:
        for k, t in enumerate(texts[:12]):
            m = COMPANY_EN_RE.search(t)
            if m and _en_company(m.group(1)) and _company_line(t, k < len(heads)):
                scope.entity = m.group(1)
                break
    joined = "\n".join(texts)
    shorts += SHORT_NAME_RE.findall(joined) + ALIAS_RE.findall(joined) + CODE_RE.findall(joined)
    # (the labels of the CSRC annual-report template: 股票简称, 公司的中文简称, 证券代码 …)
    labels = re.compile(r"(?:股票|证券|A股|H股|公司(?:的)?(?:中文)?)(?:简称|代码)|trading symbols?(?:\(s\))?", re.I)
    shorts += _table_values(_first_tables(report), labels)
    # a filing's company-information table ("股票简称 | 华锦股份 | 股票代码 | 000059") may come
    # after the cover, with many rows of label-value pairs
    shorts += _table_values(report.tables, labels, beside_only=True)
    shorts += FILE_CODE_RE.findall(stem)
    scope.short = tuple(dict.fromkeys(s for s in shorts if s and s != scope.entity))

    # the place: a name with an administrative suffix before the report's year or issuer
    for t in [*texts[:6], stem]:
        m = PLACE_RE.search(_undated(t))
        if m:
            scope.place = m.group(1) or m.group(2)
            break
    # a national report: issued by a national body (a cover line "中华人民共和国…部", or a body
    # the title names: "…国务院总理…"), or one whose title names the country ("中国…市场")
    if not (scope.place or COMPANY_ZH_RE.search(scope.entity)):
        issuer = next((line.strip() for line in cover[:8] if NATIONAL_RE.match(line.strip())), "")
        titled = [title or proposed, meta_title, titles.file_title(report.file) if descriptive else ""]
        scope.national = bool(issuer) or any(NATIONAL_BODY_RE.search(t) or COUNTRY_RE.search(_undated(t))
                                             for t in titled if t)
        scope.entity = scope.entity or issuer

    # the period: a filing's "for the fiscal year ended …", else the years of the title, the file
    # name, the cover's title lines and its first lines (never the year a company was founded)
    for t in cover[:60] if cover else []:
        m = PERIOD_EN_RE.search(t)
        if m:
            scope.period = f"{m.group(1).lower()} ended {m.group(2)}"
            break
        m = PERIOD_ZH_RE.search(t)
        if m:
            scope.period = m.group(1) or m.group(2)
            break
    if not scope.period:
        scope.period = _period([title, meta_title, header], stem,
                               [*(t for t in cover[:12] if _short(t) and KIND_RE.search(t)), *cover[:5]])

    if not title:
        meta_stands = meta_title and (not descriptive or titles.agrees(meta_title, report.file))
        scope.title = (meta_title if meta_stands else "") or (titles.file_title(report.file) if descriptive else "") \
            or _cover_title(scope, cover) or titles.file_title(report.file)
    scope.proposed = proposed if proposed != (title or scope.title) else ""
    return scope


def _cover_title(scope: Scope, cover: list[str]) -> str:
    """A filing's title from its cover: the registrant and its form, or a release's headline (the
    first short upper-case line naming the entity), and the period."""
    if not scope.entity:
        return ""
    form = next((m.group(1).upper() for line in cover[:40] if (m := FORM_RE.match(line))), "")
    first = scope.entity.split(",")[0].lower()
    headline = "" if form else next((line for line in cover[:15] if 12 <= len(line) <= 120
                                     and line.upper() == line and first in line.lower()), "")
    period = f"for the {scope.period}" if scope.period and not scope.period.isdigit() else scope.period
    if not (form or headline or period):
        return ""
    lead = headline or " ".join(p for p in (scope.entity, f"Form {form}" if form else "") if p)
    return f"{lead} {period}".strip()


def _period(heads: list[str], stem: str, cover: list[str]) -> str:
    """The years a report is for: the first span or single year of its title lines, its file
    name, then its cover lines ("2023年年度报告" before the opening lines). In a title, a day's
    date is when it was delivered and a month is the period ("2023年11月…市场总结"); on a cover,
    a month is the release ("2025年3月"). A company's founding year counts nowhere."""
    for t, kind in [*((h, "head") for h in heads), (stem, "file"), *((c, "cover") for c in cover)]:
        t = FOUNDED_RE.sub("", t or "")
        if not t:
            continue
        span = _year_span(t)
        if span:
            return span
        if kind == "file":
            t = DAY_DATE_RE.sub("", t)
            years = set(FILE_YEAR_RE.findall(t))
            if len(years) > 1:  # a saving date beside the report's year ("2020-04-03__…__2019年")
                years = set(FILE_YEAR_RE.findall(titles.FILE_DATE_RE.sub("", t)))
        else:
            years = set(YEAR_RE.findall((DAY_DATE_RE if kind == "head" else ZH_DATE_RE).sub("", t)))
        if len(years) == 1:
            return years.pop()
    return ""


def _year_span(text: str) -> str:
    """The first span of years in a text ("2021~2024", "2021-22"); a year and a month
    ("2015-07") is none: two digits after a hyphen are the next year's ("2014-15")."""
    for m in YEAR_SPAN_RE.finditer(text):
        tail = re.search(r"(\d+)$", m.group()).group(1)
        first = int(m.group()[:4])
        if len(tail) == 4 or tail == f"{(first + 1) % 100:02d}" or (m.group()[4:].strip()[:1] in "~～至到"
                                                                    and int(tail) > first % 100):
            return m.group()
    return ""


def _file_title(file: str) -> str:
    stem = PurePath(file).stem
    return re.sub(r"[_\-]+", " ", stem).strip() or stem


def finish(report: Report, meta: dict | None = None) -> Report:
    """Give a parsed report its scope, a usable title and its parts (each block's section and year)."""
    scope = report_scope(report, meta)
    if scope.title:
        report.title = scope.title
    if scope.proposed and good_title(scope.proposed, report.file, True):
        # a heading taken for the title ("事件简介") heads the opening blocks that have none
        for k, b in enumerate(report.blocks):
            if b.heading:
                break
            report.blocks[k] = replace(b, heading=scope.proposed)
    parts = assign_parts(report, scope.year)
    years = sorted({p.year for p in parts if p.year})
    if len(years) > 1:  # a file of several years is about all of them
        scope.period = f"{years[0]}~{years[-1]}"
    report.scope = scope.words()
    return report


# ----- the answer side ---------------------------------------------------------------------

def scope_text(chunk) -> str:
    """What a chunk says without saying it: its heading, caption, report title, unit, part title,
    part year and report scope. In a part of a multi-year file the year is the part's: the other
    years of the file's title and period do not count for it."""
    title, scope = chunk.report, getattr(chunk, "scope", "")
    year = getattr(chunk, "year", "")
    section = getattr(chunk, "section", "")
    if year:
        title, scope = YEAR_SPAN_RE.sub("", title), YEAR_SPAN_RE.sub("", scope)
        if set(YEAR_RE.findall(f"{title} {scope}")) - {year}:
            title, scope = YEAR_RE.sub("", title), YEAR_RE.sub("", scope)
    parts = [chunk.heading, chunk.caption, title, chunk.unit, section, f"{year}年" if year else "", scope]
    return "\n".join(p for p in parts if p)


def scope_label(scope: str) -> str:
    """A scope as a person reads it: "合肥市 合肥 · 2024", or "2024" alone when it names nobody
    (never " · 2024", the separator before an empty list of names)."""
    names, _, period = scope.partition(PERIOD_MARK)
    names, period = names.strip(), period.strip()
    return f"{names}{PERIOD_MARK}{period}" if names and period else names or period


def naming_words(scope: str) -> str:
    """The names of a scope string without its period."""
    return scope.split(PERIOD_MARK)[0] if scope else ""


def abbreviates(short: str, name: str) -> bool:
    """Is `short` a Chinese abbreviation of `name`, made the usual way: some characters of the
    name's words, in order, ending on the name's last character ("人社部" of "人力资源和社会保障部")?"""
    if not (2 <= len(short) < len(name)) or not re.fullmatch(rf"[{CJK}]+", short) or short[-1] != name[-1]:
        return False
    at = 0
    for ch in short:
        at = name.find(ch, at) + 1
        if at == 0:
            return False
    return short not in name


def scoped_needs(needs, chunk) -> set[str]:
    """The question's terms the chunk's report names itself by (its title and scope words, and
    abbreviations of its entity): they count as said in the chunk."""
    from .match import title_needs

    names = scope_names(chunk)
    out = title_needs(needs, names)
    entities = [w for w in naming_words(getattr(chunk, "scope", "")).split() if len(w) >= 4]
    for n in needs.items:
        if n.text not in out and any(abbreviates(v, e) for v in n.variants for e in entities):
            out.add(n.text)
    # a name of several words whose first word is the report's own ("Reliance Industries" for a
    # report titled "reliance …"): the whole name is the report's scope
    for run in needs.extra.get("name_runs", ()):
        if run[0] in out:
            out.update(run)
    # …or whose initials are a word of its title ("Global Financial Stability Report", "gfsr")
    said = set(re.findall(r"[a-z0-9]+", names.lower()))
    for run, acronym in needs.extra.get("name_acronyms", ()):
        if acronym in said:
            out.update(run)
    return out


def scope_names(chunk) -> str:
    """The report's title and scope words: the names a question may use for the whole report."""
    return f"{chunk.report}\n{getattr(chunk, 'scope', '')}"
