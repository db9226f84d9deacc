"""Which reports a question names: by its title, the company or issuer in the title, or its file
name ("In annual report excerpt 07, …", "华润三九2024年年报里…", "in Acme Corp's 2019 annual report").

Only what sets a report's names apart counts. Document words ("annual report excerpt", 年度报告,
有限公司) name nothing on their own; a number names a report only next to another word of its
names ("excerpt 7", "2023年文化和旅游…"), so a figure in the question is not read as a report; of
the reports whose name words a question uses, one matched by a strict part of another's drops out
("Acme 2018" names Acme's 2018 report, not its 2019 one, although both are Acme's).
A Chinese name is named by a prefix of at least two characters of a title part that no other
report's names contain ("华润三九" of "华润三九医药股份有限公司…").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from .lexical import CJK_RUN_RE, tokenize
from .sections import NATIONAL_WORDS, naming_words

# words of a document's kind, not of its subject: they never tell two reports apart on their own
GENERIC_EN = ("annual report excerpt summary quarterly interim half year yearly statement financial fiscal "
              "form filing document bulletin review results inc corp corporation ltd limited plc llc co "
              "company group holdings "
              # a period statement's words ("for the fiscal quarter ended …" in a filing's title): a
              # question's "year ended March 31, 2022" dates what it asks, it names no report
              "ended ending")
GENERIC_ZH = ("股份有限公司", "有限责任公司", "有限公司", "集团", "年度报告", "半年度报告", "季度报告", "报告摘要",
              "年度", "半年度", "季度", "年报", "报告", "摘要", "全文", "公报", "统计", "分析", "研究", "白皮书",
              "发展", "行业", "运行", "情况", "公告", "证券代码", "证券简称", "公告编号", "股票代码", "股票简称")
GENERIC_ZH_RE = re.compile("|".join(sorted(map(re.escape, GENERIC_ZH), key=len, reverse=True)))
# a date in a Chinese title ("2024年") leaves its unit behind when the digits are split off
DATE_UNIT_RE = re.compile(r"^(?:年度|年|月|日|季度)")
UNIT_RE = re.compile(r"[a-z0-9]+|" + CJK_RUN_RE.pattern)
MIN_CJK_NAME = 2


def normalise(text: str) -> str:
    """Case, full/half width, spaces and leading zeros ("excerpt ０７" -> "excerpt 7")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<!\d)0+(?=\d)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _units(text: str) -> list[str]:
    """Latin words as the English analyser writes them (stemmed, no stop words), numbers, and
    whole CJK runs, in order."""
    out = []
    for m in UNIT_RE.finditer(text):
        unit = m.group()
        if CJK_RUN_RE.fullmatch(unit) or unit.isdigit():
            out.append(unit)
        else:
            out += tokenize(unit)
    return out


@dataclass(frozen=True)
class _Profile:
    file: str
    names: tuple[str, ...]  # normalised title and file stem
    latin: frozenset[str]  # Latin word and number units of the names
    words: frozenset[str]  # `latin` less document words: the ones that can name the report
    cjk_names: tuple[str, ...]  # title parts a prefix of which names the report
    cjk_before: dict[str, set[str]]  # number -> the Chinese text just before it in the names
    cjk_after: dict[str, set[str]]  # number -> the Chinese text just after it (date unit left out)


def named_reports(index, question: str) -> set[str]:
    """Files of the reports the question names (empty when it names none). `index` is anything
    with `reports`, a list of (file, title) pairs, like `LoadedIndex`."""
    scopes = getattr(index, "scopes", {})  # names the report gives itself (bot.sections): short names, codes
    profiles = _profiles(tuple((f, t, _naming(scopes.get(f, ""))) for f, t in index.reports))
    if len(profiles) < 2:
        return set()  # with one report, every question is about it anyway
    q = normalise(question)
    q_units = _units(q)
    named = {p.file for p in profiles if _names_cjk(p, q, profiles)}
    # a report whose matched words are a strict part of another report's is named less well
    matched = {p.file: m for p in profiles if (m := _matched_latin(p, q_units))}
    for file, m in matched.items():
        if not any(m < other for other in matched.values()):
            named.add(file)
    return named


def _matched_latin(p: _Profile, q_units: list[str]) -> frozenset[str]:
    out = set()
    for j, u in enumerate(q_units):
        if u not in p.words:
            continue
        # a bare number is a figure; next to a word of the report's names it is the report's own
        if not u.isdigit() or any(_beside(p, u, q_units[k], k - j) for k in (j - 1, j + 1) if 0 <= k < len(q_units)):
            out.add(u)
    return frozenset(out)


def _beside(p: _Profile, number: str, unit: str, side: int) -> bool:
    """Is `unit`, on `side` (-1 before, +1 after) of `number` in the question, a word of the
    report's names? Latin words may stand anywhere ("the 2019 annual report of Acme"); Chinese
    text must touch the number as it does in the names ("华润三九2024年", "2023年文旅…")."""
    if not CJK_RUN_RE.fullmatch(unit):
        return unit in p.latin
    if side < 0:
        return any(_common(unit[::-1], s[::-1]) for s in p.cjk_before.get(number, ()))
    return any(_common(DATE_UNIT_RE.sub("", unit), s) for s in p.cjk_after.get(number, ()))


def _common(a: str, b: str) -> bool:
    return len(a) >= MIN_CJK_NAME and len(b) >= MIN_CJK_NAME and a[:MIN_CJK_NAME] == b[:MIN_CJK_NAME]


def _names_cjk(p: _Profile, q: str, profiles: tuple[_Profile, ...]) -> bool:
    for part in p.cjk_names:
        for end in range(len(part), MIN_CJK_NAME - 1, -1):
            prefix = part[:end]
            if prefix in q:
                if not any(prefix in n for o in profiles if o.file != p.file for n in o.names):
                    return True
                break  # a shorter prefix is shared all the more
    return False


def _naming(scope: str) -> str:
    """A report's scope words that can name it in a question: not its period (a figure's year is no
    report's name) nor the national words (中国/全国/我国 are said of many reports)."""
    return " ".join(w for w in naming_words(scope).split() if w not in NATIONAL_WORDS)


@lru_cache(maxsize=8)
def _profiles(reports: tuple[tuple[str, str, str], ...]) -> tuple[_Profile, ...]:
    generic = set(tokenize(GENERIC_EN))  # stemmed like the names
    profiles = []
    for file, title, scope in reports:
        names = tuple(dict.fromkeys(normalise(n) for n in (title, PurePath(file).stem, scope) if n))
        units = [u for n in names for u in _units(n)]
        segments = tuple(DATE_UNIT_RE.sub("", u) for u in units if CJK_RUN_RE.fullmatch(u))
        latin = frozenset(u for u in units if not CJK_RUN_RE.fullmatch(u))
        cjk = tuple(part for s in segments for part in GENERIC_ZH_RE.split(s) if len(part) >= MIN_CJK_NAME)
        before: dict[str, set[str]] = {}
        after: dict[str, set[str]] = {}
        for n in names:
            seq = _units(n)
            for j, u in enumerate(seq):
                if not u.isdigit():
                    continue
                if j > 0 and CJK_RUN_RE.fullmatch(seq[j - 1]):
                    before.setdefault(u, set()).add(seq[j - 1])
                if j + 1 < len(seq) and CJK_RUN_RE.fullmatch(seq[j + 1]):
                    after.setdefault(u, set()).add(DATE_UNIT_RE.sub("", seq[j + 1]))
        words = frozenset(u for u in latin if u not in generic and (u.isdigit() or len(u) >= 2))
        profiles.append(_Profile(file, names, latin, words, cjk, before, after))
    return tuple(profiles)


def naming_tokens(index, files: set[str]) -> set[str]:
    """The BM25 tokens of the names these reports give themselves (entity, short names, codes,
    place; bot.sections): once a question has named the report by them, they find only the
    passages that repeat the name (a cover, an auditor's letter), not the figure asked."""
    scopes = getattr(index, "scopes", {})
    return {t for f in files for t in tokenize(naming_words(scopes.get(f, ""))) if t not in NATIONAL_WORDS}
