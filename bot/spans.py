"""Short answers that are not figures: a name (a person, an organisation), a date, a reason or
basis, what something consists of — read from the sentence or table cell that states it.

A question asks for one of these kinds by its grammar (bot.question's intents: who, when, why;
the phrases of inclusion in span_words.tsv); the answer's first line states the span, the report's
own string, and the sentence it was read from is quoted under it. Everything here is general
grammar and name forms (bot/data/vocab/span_words.tsv), never a word of one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import vocabdata
from .figures import find_dates, find_figures
from .lexical import pos_tag

KINDS = ("name", "date", "reason", "contents", "title")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# a clause ends at these (a comma inside a Western-grouped number does not end one)
CLAUSE_END = re.compile(r"[，；;。！？!?]|,(?!\d{3}(?!\d))")
SENTENCE_END = re.compile(r"[；;。！？!?]|\.(?=\s|$)")
# a name's left edge in Chinese: punctuation or the function words (copula, prepositions,
# conjunctions, the possessive) that stand before a noun phrase
ZH_NAME_EDGE = re.compile(r"[，,。；;：:、“”\"'《》（）()\s]|为|是|由|与|和|及|的|在|向|对|经|被|将|系|之")
# a person's name after its role word in Chinese: two to four characters up to a function word
ZH_PERSON_RE = re.compile(r"[\u4e00-\u9fff]{2,4}?(?=[与和及、，,。；;（(为是的等先女男同已于在]|$)")
# capitalised words that begin a sentence or a clause, never a name's (pronouns, articles,
# prepositions of English grammar)
_NOT_NAME = r"(?!(?:The|A|An|In|On|For|Our|We|They|It|This|That|These|Its|Per|As|At|By|Of|To)\b)"
EN_PERSON_RE = re.compile(rf"\b{_NOT_NAME}[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+{_NOT_NAME}[A-Z][a-z]+){{1,2}}\b")
EN_NAME_WORD = rf"(?:{_NOT_NAME}[A-Z][\w&'’.\-]*|&|of|de|du)"
# how near (in characters) a name must stand to the role word the question names
NEAR = 40


@lru_cache(maxsize=None)
def pattern(kind: str, lang: str | None = None) -> re.Pattern:
    rows = [r["pattern"] for r in vocabdata.rows("span_words.tsv")
            if r["kind"] == kind and (lang is None or r["lang"] == lang)]
    return re.compile("|".join(f"(?:{p})" for p in rows) or r"(?!)", re.I)


def asked(text: str, intent: str) -> str:
    """The kind of span a question asks for ("" for a figure or a describing sentence)."""
    if intent == "when":
        return "date"
    if intent == "who":
        return "name"
    if intent == "why":
        return "reason"
    if intent in ("count", "value") and not re.match(r"^\s*(?:in [^,]*, )?(?:what|which)\b", text, re.I):
        return ""
    if pattern("ask-contents").search(text):
        return "contents"
    if intent not in ("value", "count") and pattern("ask-title").search(text) and part_asked(text):
        return "title"  # "what is the title of chapter 1": the part's heading line
    return ""


# a numbered part of a document, as a question names it and as its heading line begins: the
# divisions of English and Chinese books and reports ("Chapter 1", "Section 2.3", "第三章")
PART_RE = re.compile(r"\b(chapter|section|part|box|annex|appendix)\s+(\d+(?:\.\d+)*|[ivxlc]+)\b"
                     r"|第\s*([一二三四五六七八九十百\d]+)\s*([章节部分篇])", re.I)
# where a heading's title stops: the end of its line, a figure's or table's caption run on after it
# in the text of a page ("CHAPTER 1 TITLE Figure 1.1. …"), or the end of a sentence
TITLE_END_RE = re.compile(r"\n|\s(?:figure|table|box|chart|exhibit)\s+\d|[图表]\s*\d|\.\s|[。；;]", re.I)


def part_asked(text: str) -> tuple[str, str] | None:
    """The (division, number) a question names ("chapter", "1"); None when it names none."""
    m = PART_RE.search(text)
    if m is None:
        return None
    return ((m.group(1) or m.group(4)).lower(), (m.group(2) or m.group(3)).lower())


def _title(text: str, question: str) -> Span | None:
    """The title a heading line gives the part the question names: "CHAPTER 1 Shifting Ground
    beneath the Calm: …" -> "Shifting Ground beneath the Calm: …". Only a heading that begins a line
    counts (a cross-reference "see Chapter 3" inside a sentence names no title)."""
    asked_part = part_asked(question)
    if asked_part is None:
        return None
    for m in PART_RE.finditer(text):
        if text[:m.start()].strip() and not re.search(r"\n\s*$", text[:m.start()]):
            continue
        if ((m.group(1) or m.group(4)).lower(), (m.group(2) or m.group(3)).lower()) != asked_part:
            continue
        rest = text[m.end():].lstrip(" :：.–—-\t")
        end = TITLE_END_RE.search(rest)
        title = rest[:end.start() if end else len(rest)].strip(" :：.,，")
        if len(re.findall(r"[A-Za-z]{2,}|[\u4e00-\u9fff]", title)) >= 2 and not find_figures(title[:1]):
            return Span(title, "title", 1.0)
    return None


@dataclass(frozen=True)
class Span:
    text: str
    kind: str
    # how the question's role word stands to it: 1.0 right next to it or as its column's header
    # ("实际控制人邢博越", a cell under "实际控制人名称"), 0.5 within NEAR characters, 0.0 not near
    near: float


def _role_spans(text: str, roles: list[str]) -> list[tuple[int, int]]:
    low = text.lower()
    out = []
    for r in roles:
        if not r:
            continue
        for m in re.finditer(re.escape(r.lower()), low):
            out.append((m.start(), m.end()))
    return out


def _distance(span: tuple[int, int], roles: list[tuple[int, int]]) -> int:
    if not roles:
        return 10 ** 6
    s, e = span
    return min(max(0, s - re_, rs - e) for rs, re_ in roles)


def _nearness(distance: int) -> float:
    return 1.0 if distance <= 1 else 0.5 if distance <= NEAR else 0.0


def _names(text: str, lang: str, roles: list[str]) -> list[tuple[int, int]]:
    """Where organisation and person names (and, in Chinese, the titles of works in 《》) stand in
    `text`. A name that runs on from a role word ("全资子公司金花国际大酒店有限公司": an
    apposition) starts after it."""
    out = []
    org = pattern("org", "zh" if lang == "zh" else "en")
    for m in org.finditer(text):
        if lang == "zh":
            # the noun phrase the suffix closes: back to the nearest edge before it
            start = m.start()
            while start > 0 and not ZH_NAME_EDGE.match(text, start - 1):
                start -= 1
            inside = [e for _s, e in _role_spans(text[start:m.start()], roles)]
            start += max(inside, default=0)
            if m.end() - start >= len(m.group()) + 2:
                out.append((start, m.end()))
        else:
            before = re.search(rf"(?:{EN_NAME_WORD}\s+){{0,4}}{EN_NAME_WORD},?\s+$", text[:m.start()])
            if before:
                start = before.start()
                words = text[start:m.start()].split()
                while words and words[0][:1].islower():  # "of", "and", "the" only inside a name
                    start += len(words[0]) + 1
                    words = words[1:]
                if words:
                    out.append((start, m.end()))
    if lang == "en":
        out += [(m.start(), m.end()) for m in EN_PERSON_RE.finditer(text)]
    else:
        pos = 0
        for word, flag in pos_tag(text):
            if flag in ("nr", "nrfg", "nrt") and 2 <= len(word) <= 4:
                out.append((pos, pos + len(word)))
            pos += len(word)
    return out


# the parts of speech a Chinese subject's noun phrase is made of (jieba's tags: nouns, names,
# organisations, places, Latin-script words, abbreviations)
ZH_SUBJECT_TAGS = {"n", "nr", "nrfg", "nrt", "nt", "nz", "ns", "eng", "j", "nrfg"}
# a clause's subject in English: the capitalised words (or a lowercase brand) that open it
EN_SUBJECT_RE = re.compile(rf"^\s*(?:(?:the|a)\s+)?((?:{EN_NAME_WORD}\s*){{1,5}}|[a-z][\w&'’\-]*\s)")


def _ranked(text: str, roles: list[str], lang: str) -> Span | None:
    """The one a sentence ranks first, for a question asking who ranks first ("排第一的是哪家"):
    the subject of the clause with the rank verb ("vivo以4930万台…排名第一" -> vivo). A clause
    that puts the rank before its copula ("冠军是《热辣滚烫》") names it after, as any name: None."""
    for m in pattern("rank", "zh" if lang == "zh" else "en").finditer(text):
        if re.match(r"\s*(?:是|为|系|:|：|is\b|was\b)", text[m.end():], re.I):
            continue
        starts = [c.end() for c in CLAUSE_END.finditer(text, 0, m.start())]
        clause = text[starts[-1] if starts else 0:m.start()]
        if lang == "zh":
            words = []
            for word, flag in pos_tag(clause.strip()):
                if flag not in ZH_SUBJECT_TAGS or (words and _role_spans(word, roles)):
                    break
                words.append(word)
            subject = "".join(words)
        else:
            found = EN_SUBJECT_RE.match(clause)
            subject = found.group(1).strip() if found else ""
        if len(subject) >= 2 and not _role_spans(subject, roles) and not find_figures(subject):
            return Span(subject.strip(" ,，。"), "name", 1.0)
    return None


def _name(text: str, roles: list[str], lang: str, header: str, plural: bool = False,
          rank: bool = False) -> Span | None:
    if rank:
        first = _ranked(text, roles, lang)
        if first is not None:
            return first
        # a name the sentence does not rank first is not the one asked for: not near the rank
        found = _name(text, roles, lang, header, plural)
        return Span(found.text, found.kind, 0.0) if found is not None else None
    where = _role_spans(text, roles)
    if not where and header and _role_spans(header, roles) and len(text) <= 40 and not find_figures(text) \
            and len(re.findall(r"[A-Za-z\u4e00-\u9fff]", text)) > len(re.findall(r"\d", text)):
        return Span(text.strip(), "name", 1.0)  # a cell under the role's column ("实际控制人名称")
    found = _names(text, lang, roles)
    if lang == "zh":
        # the apposition "实际控制人邢博越": a person's name right after its role word
        for _s, e in where:
            m = ZH_PERSON_RE.match(text, e)
            if m and not _role_spans(m.group(), roles) and not pattern("org", "zh").search(m.group()):
                found.append((m.start(), m.end()))
    found = [f for f in found if not _role_spans(text[f[0]:f[1]], roles)]
    titles = set()
    if lang == "zh":
        # the title of a work (a law, a report) in 《》: one that holds the question's words is the
        # one asked for ("哪部社会保险经办方面的行政法规" -> 《社会保险经办条例》)
        for m in re.finditer(r"《([^》]{2,40})》", text):
            found.append(m.span(1))
            titles.add(m.span(1))
            if _role_spans(m.group(1), roles):
                where.append(m.span(1))
    if not found or (roles and not where):
        return None  # a name the question's role word is nowhere near says nothing of that role
    # the nearest; of equally near ones a name before a title ("实际控制人邢博越" over the 《公告》
    # that mentions the role), then the one saying most of the question's words (a title), then
    # the longest
    best = min(found, key=lambda f: (_distance(f, where), f in titles, -_distinct(text[f[0]:f[1]], roles),
                                     -(f[1] - f[0])))
    if plural:
        # "who are the key players", "哪些公司": every name as near the role as the nearest
        near = sorted({f for f in found if _nearness(_distance(f, where)) >= _nearness(_distance(best, where))})
        rest = sorted(set(found) - set(near))
        for f in rest:  # and the names listed after them ("A, B and C")
            if near and f[0] >= near[-1][1] and LIST_GAP.fullmatch(text[near[-1][1]:f[0]]):
                near.append(f)
        near = [f for f in near if not any(o != f and o[0] <= f[0] and f[1] <= o[1] for o in near)]
        sep = ", " if lang == "en" else "、"
        return Span(sep.join(text[a:b].strip(" ,，。") for a, b in near), "name", _nearness(_distance(best, where)))
    return Span(text[best[0]:best[1]].strip(" ,，。"), "name", _nearness(_distance(best, where)))


# a question asking for a year ("哪一年", "in what year") takes a year alone; one asking a day or
# a date ("哪天", "when") wants a month at least
# a question asking for several ("who are", "哪些"): the grammar of plural interrogatives
PLURAL_ASKED = re.compile(r"哪些|有谁|都是谁|\bwho are\b|\bwho were\b|\b(?:which|what) \w+(?:ies|[^s]s)\b", re.I)
LIST_GAP = re.compile(r"[\s,，、;；]*(?:and|or|as well as|和|及|与|以及)?[\s,，、]*", re.I)
RANGE_GAP = re.compile(r"\s*(?:至|到|—|–|-|~|～|to|through|until)\s*", re.I)
YEAR_ASKED = re.compile(r"哪一?年|何年|几几年|\b(?:what|which) year\b", re.I)


def _precision(date: str) -> int:
    """How many parts a date names: its numbers, and a month said as a word ("April 2" -> 2)."""
    return len(re.findall(r"\d+", date)) + bool(re.search(r"[A-Za-z]{3,}", date) and not re.match(r"FY", date))


def _date(text: str, roles: list[str], year_ok: bool = True) -> Span | None:
    dates = [m for m in find_dates(text) if year_ok or _precision(m.group()) >= 2]
    if not dates:
        return None
    where = _role_spans(text, roles)
    # the most precise date (a day over a month over a year), then the nearest to the role words
    best = min(dates, key=lambda m: (-_precision(m.group()), _distance(m.span(), where)))
    start, end = best.span()
    for m in dates:  # a range: "1月28日至2月4日", "from June 1 to June 30, 2024"
        if m.start() > end and RANGE_GAP.fullmatch(text[end:m.start()]):
            end = m.end()
        elif m.end() < start and RANGE_GAP.fullmatch(text[m.end():start]):
            start = m.start()
    return Span(text[start:end].strip(), "date", _nearness(_distance(best.span(), where)))


def _after(text: str, m: re.Match, lang: str) -> str:
    """The words from a marker to the end of its sentence (English) or clause (Chinese)."""
    end_re = SENTENCE_END if lang == "en" else CLAUSE_END
    end = end_re.search(text, m.end())
    return text[m.start():end.start() if end else len(text)].strip(" ,，:：")


def _clause(text: str, m: re.Match, lang: str) -> str:
    """The clause a marker stands in (Chinese: "增长速度按不变价格计算", "在暂缓新股发行的背景下")."""
    if lang == "en":
        return _after(text, m, lang)
    starts = [c.end() for c in CLAUSE_END.finditer(text, 0, m.start())]
    start = starts[-1] if starts else 0
    end = CLAUSE_END.search(text, m.end())
    clause = text[start:end.start() if end else len(text)].strip()
    if len(clause) - (m.end() - start) < 2 and re.search(r"[是为系于因：:]$", m.group()):
        # "主要原因是：" — what follows is the reason
        nxt = SENTENCE_END.search(text, m.end())
        clause = text[start:nxt.start() if nxt else len(text)].strip()
    return clause


def _distinct(text: str, roles: list[str]) -> int:
    """How many of the role words `text` says, each once ("生产总值" inside "地区生产总值" is the
    same word said)."""
    hit = [r.lower() for r in roles if r.lower() in text]
    return sum(not any(h != o and h in o for o in hit) for h in hit)


def _marked(kind: str, text: str, roles: list[str], lang: str, header: str) -> Span | None:
    if header and re.search(r"原因|理由|依据|说明|reason|explanation" if kind == "reason" else r"包括|内容|构成|includ",
                            header, re.I) and len(text) >= 4:
        return Span(text.strip(), kind, 1.0)  # a cell under a "形成原因说明" column
    where = _role_spans(text, roles)
    marks = list(pattern(kind, "zh" if lang == "zh" else "en").finditer(text))
    if kind == "reason" and lang != "zh":
        # a cause inside another cause's clause ("attributable to the re-opening … after the
        # restrictions due to the crisis were lifted") is part of that reason, not the reason (an
        # English reason runs from its marker to the sentence's end; a Chinese one is its own clause)
        outer = [(m.start(), m.start() + len(_after(text, m, lang))) for m in marks]
        marks = [m for m in marks if not any(a < m.start() < b for a, b in outer)]
    if not marks:
        return None
    # the marker whose clause says most of the question's words, the marker's own words counted
    # again (the question repeats the frame it asks to fill: "按什么价格计算" ↔ "按不变价格计算",
    # not "按现价计算"), then the nearest to them
    def said(m: re.Match) -> int:
        clause = (_clause(text, m, lang) if kind == "reason" else _after(text, m, lang)).lower()
        return _distinct(clause, roles) + _distinct(m.group().lower(), roles)

    best = min(marks, key=lambda m: (-said(m), _distance(m.span(), where)))
    span = _clause(text, best, lang) if kind == "reason" else _after(text, best, lang)
    if kind == "contents" and lang == "zh":
        span = span[len(best.group()):].strip() or span
    if len(span) < 2:
        return None
    return Span(span, kind, _nearness(_distance(best.span(), where) // 2))


def read(kind: str, text: str, roles: list[str], lang: str, header: str = "", question: str = "") -> Span | None:
    """The span of `kind` that `text` (a sentence, or a table cell with its column `header`)
    states, nearest to the question's role words `roles`; None when it states none."""
    if not text or not text.strip():
        return None
    if kind == "name":
        return _name(text, roles, lang, header, bool(PLURAL_ASKED.search(question)),
                     bool(question) and bool(pattern("ask-rank").search(question)))
    if kind == "date":
        return _date(text, roles, year_ok=not question or bool(YEAR_ASKED.search(question)))
    if kind in ("reason", "contents"):
        return _marked(kind, text, roles, lang, header)
    if kind == "title":
        return _title(text, question)
    return None


def roles(needs) -> list[str]:
    """The words of the question that say what the span is to the subject ("实际控制人",
    "auditor", "披露", "unallocated items"): its terms that are not the subject's name, and its
    Chinese content words (verbs too: "哪天发布" looks for the date next to 发布)."""
    from .facts import _content_words

    names = [n.text for n in needs.items if n.entity]
    terms = [n.text for n in needs.items]
    # the verbs and nouns the terms do not hold already (a term's own parts, "实际"/"控制" of
    # 实际控制人, or a part of the subject's name, "股份" of 华锦股份, would match anywhere)
    out = [w for w in _content_words(needs.extra.get("question", "")) if not any(w in t for t in terms + names)]
    for n in needs.items:
        if n.entity:
            continue
        # the question's own language: a Chinese term's English glosses are not in a Chinese report's
        # sentence next to the name, and the other way round
        out += [v for v in n.variants | {n.text} if len(v) >= 2 and not v.isdigit()
                and bool(CJK_RE.search(v)) == (needs.lang == "zh")]
    return sorted(set(out), key=len, reverse=True)


# how a report defines the short name it then uses: "中国兵器工业集团有限公司（以下简称“兵器集团”）",
# "(hereinafter referred to as "the Group")", "Acme Holdings Inc. ("Acme")"
ZH_SHORT_RE = re.compile(r"[（(]\s*(?:以下)?(?:统?称|简称)\s*[：:为]?\s*[“\"「]?([^”\"」）)，,。；]{2,15}?)[”\"」]?\s*[）)]")
EN_SHORT_RE = re.compile(r"\((?:hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?)?(?:the\s+)?[\"“]([^\"”]{2,30})[\"”]\)", re.I)
# a glossary table's row: short name | 指 | full name (the 释义 of a Chinese annual report)
GLOSS_MARK = {"指", "系指", "means", "refers to"}


def full_names(chunks) -> dict[str, tuple[str, object]]:
    """The short names a report defines, each with its full name and the passage or glossary row
    that defines it: {"兵器集团": ("中国兵器工业集团有限公司", chunk)}. Only what the report says
    about itself; the first definition of a short name counts."""
    out: dict[str, tuple[str, object]] = {}

    def add(short: str, full: str, chunk, clean: bool = True) -> None:
        short, full = short.strip(" “”\"'"), full.strip(" ，,。")
        if CJK_RE.search(full) and clean:
            # the name is the run of nouns that closes at its suffix: what a verb, a preposition,
            # a number or punctuation before it says ("1.子公司…", "…合资新设广东华旃电子有限公司")
            # is not part of it, nor an earlier name's legal form ("子公司")
            pos, start = 0, 0
            for word, flag in pos_tag(full):
                pos += len(word)
                if flag[:1] in ("v", "p", "m", "x", "u", "c", "t") or "公司" in word and pos < len(full):
                    start = pos
            full = full[start:]
        if CJK_RE.search(full):
            shared = len(set(short) & set(full)) >= 2
        else:
            shared = bool({w.lower() for w in re.findall(r"\w{3,}", short)} & {w.lower() for w in re.findall(r"\w{3,}", full)})
        if shared and 2 <= len(short) < len(full) <= 60 and short not in out and short != full:
            out[short] = (full, chunk)

    for c in chunks:
        if c.kind == "paragraph":
            for rx, side in ((ZH_SHORT_RE, "zh"), (EN_SHORT_RE, "en")):
                for m in rx.finditer(c.text):
                    before = c.text[max(0, m.start() - 80):m.start()]
                    ends = [f for f in _names(before, side, []) if f[1] >= len(before.rstrip()) - 1]
                    if ends:
                        add(m.group(1), before[min(f[0] for f in ends):].strip(), c)
        elif c.kind == "row" and len(c.cells) >= 3:
            for i in range(len(c.cells) - 2):
                if c.cells[i + 1].strip().lower() in GLOSS_MARK and c.cells[i].strip():
                    for short in re.split(r"[/／、]", c.cells[i]):
                        add(short, c.cells[i + 2], c, clean=False)
    return out


# the fewest passages a report's issuer is named in (its page footers, source lines, disclaimer),
# and a name said in as many as another is no report's one issuer
PUBLISHER_MIN = 3
SOURCE_NAME = re.compile(r"\s*([A-Za-z][\w&.\- ]{1,30}?[A-Za-z.]|[\u4e00-\u9fffA-Za-z]{2,12})(?=[\s（(，,、；;。]|$)")


def publisher(chunks) -> tuple[str, object] | None:
    """Who issued a report, as it says of itself: the organisation named in the most of its
    passages, counting the names its source and issuer lines give ("数据来源：X（…）", "Source: X")
    and the names with an organisation's suffix ("X证券", "X Institute"); with the passage that
    names it first. None when no name stands out (a company's annual report names many)."""
    count: dict[str, int] = {}
    first: dict[str, object] = {}
    for c in chunks:
        if c.kind != "paragraph":
            continue
        lang = "zh" if CJK_RE.search(c.text) else "en"
        names = set()
        for a, b in _names(c.text, lang, []):
            m = pattern("org", lang).search(c.text[a:b])
            if m and m.start() >= 2:  # a suffix with a name before it, not the bare word
                names.add(c.text[a:b].strip())
        for m in pattern("source", lang).finditer(c.text):
            found = SOURCE_NAME.match(c.text, m.end())
            if found:
                names.add(found.group(1).strip())
        for n in names:
            count[n] = count.get(n, 0) + 1
            first.setdefault(n, c)
    ranked = sorted(count.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < PUBLISHER_MIN or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0], first[ranked[0][0]]
