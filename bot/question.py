"""What a question asks: its language, its terms (places, organisations, dates, metrics), what
kind of answer it wants, and, for a follow-up, the standalone question it stands for.

Everything here is about the language of questions in general, never about one report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .figures import DATE_RE
from . import periods, vocabdata
from .lexical import pos_tag

# Words that frame a question rather than name what it asks about.
FRAMING = frozenset(
    "多少 什么 哪些 哪个 哪家 哪种 哪类 哪里 哪 几 几项 几个 几条 几家 几种 几部 如何 怎么 怎样 是否 "
    "请问 请 告诉 我 我们 你 一下 介绍 说说 情况 现状 定义 概况 内容 方面 主体 数据 信息 报告 问题 "
    "时候 时间 具体 主要 相关 水平 表现 特点 状况 结果 分别 目前 当前 最新 多大 多高 多快 其中 哪一年 "
    "哪年 几月 数量 总共 一共 共 列出 列举 分别是 有关 关于 方面 东西 事情 原因 为什么 名字 名称 叫 叫做 意思 含义 "
    "概念 指 是指 表中 表里 表格 表格中 图中 文中 报告中 报告里 "
    # interrogatives of purpose and manner ("用来干什么", "做什么用"): what kind of answer, not its subject
    "干什么 做什么 干嘛 用来 什么样 怎么样 哪天 几号 "
    # determiners of totality ("全体居民" = the residents, all of them; English "all" is framing
    # too): they quantify the noun after them and name no measure or scope a report must say
    "全体 全部 所有 整个 一切".split()
)
# "哪家机构", "哪部法规", "哪个城市": the noun after 哪 + a measure word names the kind of thing
# the answer is (a name, a place), which the passage that states it need not repeat
WHICH_KIND_RE = re.compile(r"哪[一]?[个家位部只款种类所座项条名]")
# Synonyms and the English -> Chinese glossary are the vocabulary's data (bot/data/vocab, see
# vocabdata.py): one system for question analysis, matching and retrieval.
# METRICS: the change, share, size and revenue words (role "metric" in synonyms.tsv) that a
# question's noun phrase is cut at, so "智算中心占比" matches "…地方政府,占比为33.9%".
METRICS: set[str] = {f for g in vocabdata.synonym_groups() if g.role == "metric" and g.lang == "zh" for f in g.forms}
SYNONYMS: dict[str, set[str]] = {}
for _group in vocabdata.synonym_groups():
    if _group.lang == "zh":
        for _w in _group.forms:
            SYNONYMS.setdefault(_w, set()).update(_group.forms)


def _glossary() -> dict[str, str]:
    """English question words -> the Chinese word a report uses (zh_en.tsv, first form of each)."""
    out: dict[str, str] = {}
    for zh, en in vocabdata.translation_pairs():
        for word in en:
            key = word if word.isupper() else word.lower()
            out.setdefault(key.lower(), zh[0])
    return out


EN_GLOSSARY = _glossary()
_GLOSSARY_RE = [(en, re.compile(rf"\b{re.escape(en)}\b")) for en in sorted(EN_GLOSSARY, key=len, reverse=True)]
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})

# "几项", "多少家": the measure words of things counted one by one (measure_words.tsv); after 几
# also the tally words ("几位", "几款", "几次"): 几 asks for a small count, while "多少人" may ask
# for a figure stated as such (a population)
COUNT_RE = re.compile(rf"(几|多少)([{vocabdata.measure_words('count')}])|(几)([{vocabdata.measure_words('tally')}])|"
                      r"how many", re.I)
LIST_RE = re.compile(r"哪些|有什么|列出|列举|都有|分别|\bwhich\b|\blist\b|what are", re.I)
# interrogatives by the kind of answer they ask for: general Chinese and English grammar, as data
# (bot/data/vocab/interrogatives.tsv)
WHEN_RE = vocabdata.interrogatives("when")
DEFINE_RE = re.compile(r"是什么$|是什么[?？。]?$|是指什么|的定义|的概念|什么是|什么叫|\bwhat (is|are) (a|an|meant by)\b|"
                       r"\bwhat does .* mean\b|\bdefine\b|\bmeaning of\b|\bdefinition of\b|\bdefined as\b", re.I)
WHO_RE = vocabdata.interrogatives("who")
WHERE_RE = vocabdata.interrogatives("where")
WHY_RE = vocabdata.interrogatives("why")
HOW_RE = re.compile(r"^(?:in [^,]*, )?how (is|are|was|were|does|do|did) (?!much|many)|what kind of|what type of|"
                    r"what (?:is|are|was|were) the (?:main |primary |principal )?(?:source|purpose|basis|nature)s? of", re.I)
FOLLOW_PREFIX = re.compile(r"^(那么?|那么呢|还有|另外|再问一下|and( what about| how about)?|what about|how about)[\s,，、]*", re.I)
FOLLOW_SUFFIX = re.compile(r"(的呢|呢|怎么样|如何|又如何|\?|？|。|!|！|\s)+$")
QUESTION_TAIL = re.compile(r"(是多少|有多少|为多少|是什么|有哪些|是哪些|是哪个|多少|多大|如何|怎么样|吗|呢|\?|？|。)+$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
ENTITY_FLAGS = {"ns", "nr", "nt", "nz", "nrt", "nrfg", "j"}
NOUN_FLAGS = ENTITY_FLAGS | {"n", "ng", "nl", "vn", "eng", "an", "l", "i"}
# distinguishing words ("国家级", "主导") are terms of their own, not part of a noun run
SINGLE_FLAGS = {"b", "f", "s"}
# position and place words ("上游", "国内") help choose passages, but a report not using one
# is no reason to refuse
SOFT_FLAGS = {"f", "s"}


@dataclass
class Term:
    text: str
    flag: str

    @property
    def is_entity(self) -> bool:
        return self.flag in ENTITY_FLAGS

    @property
    def soft(self) -> bool:
        return self.flag in SOFT_FLAGS

    def variants(self) -> set[str]:
        return {self.text} | SYNONYMS.get(self.text, set())


@dataclass
class Query:
    text: str
    lang: str
    terms: list[Term] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    intent: str = "value"  # value | count | list | when | who | where | why | define

    @property
    def entities(self) -> list[Term]:
        return [t for t in self.terms if t.is_entity]


def language(text: str) -> str:
    cjk = len(CJK_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    # a Chinese name inside an English question ("… Sanjiu's (华润三九) revenue") keeps it English
    return "zh" if cjk * 3 >= latin else "en"


def english_dates(text: str) -> list[str]:
    out = []
    for m in re.finditer(r"(?:(\b[A-Za-z]{3,9})\.?\s+)?\b((?:19|20)\d{2})\b", text):
        month = MONTHS.get((m.group(1) or "").lower())
        out.append(f"{m.group(2)}年{month}月" if month else f"{m.group(2)}年")
    return out


def normalise_date(d: str) -> str:
    return re.sub(r"\s+", "", d)


def analyse(text: str) -> Query:
    lang = language(text)
    q = Query(text=text, lang=lang)
    if COUNT_RE.search(text):
        q.intent = "count"
    elif WHEN_RE.search(text):
        q.intent = "when"
    elif WHO_RE.search(text):
        q.intent = "who"
    elif WHERE_RE.search(text):
        q.intent = "where"  # a place: the sentence that names it
    elif WHY_RE.search(text):
        q.intent = "why"  # a reason: the sentence that gives it, not a figure
    elif HOW_RE.search(text):
        q.intent = "define"  # "how is X measured", "what kind of transaction": a describing sentence
    elif LIST_RE.search(text):
        q.intent = "list"
    elif DEFINE_RE.search(text):
        q.intent = "define"  # "X是什么": a sentence saying what X is, not a figure
    elif lang == "en" and re.match(r"^(?:in [^,]*, )?(?:what|which)\b", text, re.I) and not _asks_amount(text):
        q.intent = "define"  # "what is the main source of receivables": a describing sentence
    if lang == "en":
        q.dates = english_dates(text)
        # a fiscal year ("for the year ended March 31, 2022", "FY22") is the question's date, not a
        # glossary term ("year" -> 全年) that a passage must say
        low = text.lower()
        for f in periods.fiscal_years(text):
            low = low[:f.start] + " " * (f.end - f.start) + low[f.end:]
        seen = set()
        for en, rx in _GLOSSARY_RE:
            if EN_GLOSSARY[en] not in seen and rx.search(low):
                seen.add(EN_GLOSSARY[en])
                q.terms.append(Term(EN_GLOSSARY[en], "gloss"))
                low = low.replace(en, " ")
        from . import vocab
        for zh in vocab.name_translations(text):  # "Nanjing" -> 南京, for retrieval over Chinese text
            if zh not in seen:
                seen.add(zh)
                q.terms.append(Term(zh, "gloss"))
        return q
    q.dates = [normalise_date(m.group()) for m in DATE_RE.finditer(text) if "年" in m.group() or "月" in m.group()]
    stripped = DATE_RE.sub(" ", text)
    q.terms = noun_phrases(stripped)
    if q.intent in ("who", "where"):
        kinds = {k for m in WHICH_KIND_RE.finditer(stripped) if (k := _answer_kind(stripped[m.end():]))}
        q.terms = [t for t in q.terms if t.text not in kinds or len(q.terms) == 1]
    return q


def _answer_kind(after: str) -> str:
    """The noun a "哪家/哪部…" question names the kind of its answer by: the head of the phrase
    after the interrogative ("哪部社会保险经办方面的行政法规" -> 行政法规, "哪家机构呈送的" -> 机构)."""
    clause = re.split(r"[，,。？?；;！!]", after, maxsplit=1)[0]
    head, _, tail = clause.partition("的")
    phrases = noun_phrases(tail) if tail else []
    phrases = phrases or noun_phrases(head)
    return phrases[0].text if phrases else ""


AMOUNT_RE = re.compile(r"\b(how much|how many|amount|value|total|number|percentage|percent|rate|ratio|price|cost|"
                       r"balance|change|increase|decrease|growth|margin|size|income|profit|loss|earnings|sales|"
                       r"revenues?|expenses?|assets|liabilit(?:y|ies)|equity|cash|debt|dividends?|ebitda|eps|shares|"
                       r"quarter|fiscal|fy\d*)\b", re.I)


def _asks_amount(text: str) -> bool:
    """Does an English what-question ask for a figure (a measure, an amount, a year's value)?"""
    from . import vocab
    # "in 2019" asks a year's value; "prior to July 27, 2016" only dates what is asked
    if AMOUNT_RE.search(text) or re.search(r"\b(?:in|for|of|during|fiscal|fy|year)\s+(19|20)\d{2}\b", text, re.I):
        return True
    return any(vocab.is_measure(w) for w in re.findall(r"[A-Za-z][A-Za-z\-]+", text))


def noun_phrases(text: str) -> list[Term]:
    """Content terms: runs of adjacent nouns are merged ("地方"+"政府" -> "地方政府")."""
    terms: list[Term] = []
    run: list[tuple[str, str]] = []

    def close():
        if not run:
            return
        word = "".join(w for w, _ in run)
        flag = next((f for _, f in run if f in ENTITY_FLAGS), run[-1][1])
        if len(word) >= 2 and word not in FRAMING:
            terms.append(Term(word, flag))
        run.clear()

    tagged = pos_tag(text)
    merged: list[tuple[str, str]] = []
    for word, flag in tagged:
        # "5"+"G", "A"+"100": a code written with digits and letters is one name
        if merged and re.fullmatch(r"[A-Za-z]+\d*|\d+[A-Za-z]+", word) and re.fullmatch(r"\d+|[A-Za-z]+", merged[-1][0]) \
                and (merged[-1][0].isdigit() != word[:1].isdigit()):
            merged[-1] = (merged[-1][0] + word, "eng")
            continue
        merged.append((word, flag))
    for k, (word, flag) in enumerate(merged):
        w = word.strip()
        nxt = merged[k + 1][1] if k + 1 < len(merged) else ""
        if flag == "v" and len(w) >= 2 and nxt in NOUN_FLAGS and w not in FRAMING:
            flag = "vn"  # a verb that modifies the noun after it names the subject ("演出市场", "出口额")
        if w in METRICS or (flag == "v" and len(w) >= 2 and run and _is_measure(w)):
            # a measure is a term of its own, so "智算中心占比" matches "…的为地方政府,占比为33.9%";
            # so is one the tagger takes for a verb after its subject ("基金支出", "货物出口")
            close()
            terms.append(Term(w, "metric"))
        elif w and (flag in NOUN_FLAGS or (flag == "x" and re.fullmatch(r"[A-Za-z0-9]+", w))) and w not in FRAMING:
            run.append((w, flag))
        else:
            close()
            # verbs like 增速/增长 carry the metric a question asks about
            if flag in SINGLE_FLAGS and len(w) >= 2 and w not in FRAMING:
                terms.append(Term(w, flag))
    close()
    return terms


def count_target(text: str) -> str:
    """What a count question counts: the noun after "几项/多少个", else the one before it."""
    m = COUNT_RE.search(text)
    if not m or language(text) != "zh":
        return ""
    after = noun_phrases(text[m.end():])
    if after:
        return after[0].text
    before = noun_phrases(re.sub(r"(的)?(数量|数目|总数)?(有|共有|一共有|是|为)?$", "", text[:m.start()]))
    return before[-1].text if before else ""


def is_follow_up(text: str) -> bool:
    t = text.strip()
    if FOLLOW_PREFIX.match(t):
        return True
    core = FOLLOW_SUFFIX.sub("", t)
    if re.search(r"(呢|的呢)[\s?？。]*$", t) and len(core) <= 20:
        return True
    if language(t) != "zh" or COUNT_RE.search(t):
        return False
    if len(core) <= 4:
        return True
    # a question that names only a measure ("同比增长了多少？") has left out its subject
    q = analyse(t)
    return not q.dates and bool(q.terms) and all(term.text in METRICS for term in q.terms)


# a question of several parts ("2023年有多少家旅行社？营收多少") is cut at question marks and
# semicolons, and at commas when the piece after the comma asks something of its own
PART_END_RE = re.compile(r"(?<=[？?；;])|(?<=[，,])")
ASK_RE = re.compile(r"多少|几[个项家人年月天次]?|哪|何时|什么|是否|如何|怎样|为什么|为何|谁|"
                    r"\b(?:how|what|which|when|who|why)\b", re.I)


# a word that asks only how something changed, of no measure of its own (同比, 增幅, growth)
CHANGE_WORD_RE = re.compile(r"(?:同比|环比|增长|增幅|增速|涨幅|跌幅|降幅|下降|上升|变化|变动|增|降|涨|跌)+[率了]?|"
                            r"(?:growth|change|increase|decrease|rise|fall)s?", re.I)
MAX_PARTS = 4  # more asks than this in one message are a list, answered as one question


def sub_questions(text: str, index=None) -> list[str]:
    """The parts of a question that asks several things, each standalone (a later part keeps the
    earlier part's subject and date, as a follow-up would); `[text]` for a one-part question."""
    pieces = [p for p in PART_END_RE.split(text) if p.strip()]
    parts: list[str] = []
    for piece in pieces:
        if parts and not ASK_RE.search(parts[-1]):
            parts[-1] += piece  # "In 2019, what was …": the lead-in belongs to its question
        elif parts and not ASK_RE.search(piece):
            parts[-1] += piece
        else:
            parts.append(piece)
    parts = [p.strip().rstrip("，,；;").strip() for p in parts]
    if not 2 <= len(parts) <= MAX_PARTS or not all(ASK_RE.search(p) for p in parts):
        return [text]
    out: list[str] = []
    for part in parts:
        if out:
            previous = out[-1]
            own = analyse(part)
            # a part that names only a measure ("城镇化率多少？", "其中出口多少？") asks it of the
            # subject and year of the part before, as a follow-up would
            # ("同比涨了多少" names only a change: the change of the part before's own measure, which
            # that part's answer states beside it, so it stays one question)
            measure_only = bool(own.terms) and not own.dates and all(_is_measure(t.text) for t in own.terms) \
                and not all(CHANGE_WORD_RE.fullmatch(t.text) for t in own.terms)
            if is_follow_up(part) or measure_only:
                part = resolve(part, previous, index, follow=True)
            elif language(part) == "zh":
                own, before = analyse(part), analyse(previous)
                part = "".join(d for d in before.dates if not own.dates) + part  # the date said once
        out.append(part)
    # a part that names nothing but a measure ("同比涨了多少") could be about anything
    out = [out[0]] + [p for p in out[1:] if any(not _is_measure(t.text) for t in analyse(p).terms)]
    return out if len(out) > 1 else [text]


def resolve(question: str, previous: str | None, index=None, follow: bool = False) -> str:
    """Turn a follow-up into a standalone question, using the previous standalone question.
    `follow`: the caller knows it follows on (a later part of a question of several parts)."""
    if not previous or not (follow or is_follow_up(question)):
        return question.strip()
    part = FOLLOW_SUFFIX.sub("", FOLLOW_PREFIX.sub("", question.strip())).strip()
    if not part:
        return previous
    new, prev = analyse(part), analyse(previous)
    # a period an English follow-up names ("the same quarter", "a year ago": glossary 季度, 全年)
    # is no new subject: the period fit reads it from the question's words
    new.terms = [t for t in new.terms if not (new.lang == "en" and t.flag == "gloss" and _names_period(t.text))]
    earlier = YEAR_BEFORE_RE.search(part)
    if earlier and not new.dates and prev.dates and not YEAR_BEFORE_RE.sub("", part).strip(" ,，?？"):
        # "And a year earlier?", "上一年呢？": the previous question one year back
        year = re.search(r"(?:19|20)\d{2}", prev.dates[0])
        if year:
            return _replace_year(previous, year.group(), str(int(year.group()) - 1))
    if new.lang != prev.lang:
        # across a switch of language only a bare measure ("增速呢？", "and the growth?") carries the
        # previous subject; anything naming its own subject starts a new question
        bare = all(t.text in METRICS or t.flag == "gloss" and t.text in ("增长", "同比", "占比", "规模")
                   for t in new.terms)
        return f"{previous} {part}" if bare else question.strip()
    # a new date replaces the old one
    if new.dates and prev.dates and not new.terms:
        out = previous
        if prev.lang == "en":
            # English dates are kept as "2021年" (english_dates); the question says "2021"
            old_year, new_year = (re.search(r"(?:19|20)\d{2}", d) for d in (prev.dates[0], new.dates[0]))
            return _replace_year(out, old_year.group(), new_year.group()) if old_year and new_year else out
        for d in prev.dates:
            out = re.sub(r"\s*".join(map(re.escape, d)), new.dates[0], out, count=1)
        return out
    # a new measure replaces the previous question's measure ("…营收多少？" -> "净利润呢？"); a
    # change or share of it ("增速呢？", METRICS) is asked of the old one, below
    measures = [t for t in new.terms if _is_measure(t.text) and t.text not in METRICS]
    old_measures = [t for t in prev.terms if _is_measure(t.text)]
    # words the previous question said already ("基金" of "…失业保险基金收入" in "基金支出呢？")
    # only repeat its subject: what is new is the measure
    said = [t for t in new.terms if t not in measures and t.text in previous]
    if measures and len(measures) + len(said) == len(new.terms) and old_measures:
        return previous.replace(old_measures[-1].text, measures[0].text, 1)
    # a new name replaces the name of the same kind in the previous question (a measure is
    # nobody's peer, though a report may list it beside one)
    for term in new.terms:
        if _is_measure(term.text):
            continue
        peer = _peer(term, prev.terms, index)
        if peer:
            return previous.replace(peer.text, term.text, 1)
    # a new subject ("那油料呢？" after "…粮食产量是多少？") takes the place of the old one, keeping
    # the place, the year and the measure ("产量") of the previous question
    subjects = [t for t in new.terms if t.text not in METRICS and not t.is_entity]
    old = [t for t in prev.terms if t.text not in METRICS and not t.is_entity and t.flag not in SOFT_FLAGS]
    if subjects and len(subjects) == len(new.terms) and old:
        target = old[-1].text
        pieces = _words(target)
        # keep a measure word the old subject ends with ("粮食产量" -> "油料产量")
        tail = pieces[-1] if len(pieces) > 1 and _is_measure(pieces[-1]) else ""
        swapped = subjects[0].text + (tail if tail and not subjects[0].text.endswith(tail) else "")
        return previous.replace(target, swapped, 1)
    # otherwise the follow-up asks for another attribute of the same subject
    core = QUESTION_TAIL.sub("", previous.strip())
    return f"{core}, {part}" if new.lang == "en" else f"{core}的{part}"


# a year counted back from the previous question's ("a year earlier", "the prior year", "上一年");
# not "a year ago", which a report dated to a week uses for its own column ("Year Ago")
YEAR_BEFORE_RE = re.compile(r"\b(?:a|one|the) year (?:earlier|before)\b|\bthe (?:previous|prior|preceding) year\b|"
                            r"上一年|上年|前一年|去年", re.I)


def _names_period(term: str) -> bool:
    from .match import PERIOD_WORDS, periods_in
    return bool(periods_in(term)) or term in PERIOD_WORDS


def _replace_year(text: str, old: str, new: str) -> str:
    """`text` with its first mention of the year `old` said as `new`."""
    return re.sub(rf"(?<!\d){old}(?!\d)", new, text, count=1)


def _words(text: str) -> list[str]:
    from .lexical import words
    return words(text)


def _is_measure(word: str) -> bool:
    from . import vocab
    return word in METRICS or vocab.is_measure(word)


def _peer(term: Term, candidates: list[Term], index) -> Term | None:
    for cand in candidates:
        if cand.text == term.text:
            return None
        if term.is_entity and cand.is_entity and cand.flag == term.flag:
            return cand
    if index is not None:
        # names that sit in the same table column are peers ("上海市" and "天津市" as 发布部门)
        for cand in candidates:
            if same_column(index, cand.text, term.text):
                return cand
        # names listed side by side in one sentence of a report are peers too
        for cand in candidates:
            if cand.flag not in ("metric", "gloss") and index.co_listed(cand.text, term.text):
                return cand
    for cand in candidates:
        if term.is_entity and cand.is_entity:
            return cand
    return None


def same_column(index, a: str, b: str) -> bool:
    for view in index.tables.values():
        for col in range(len(view.header)):
            cells = [r.cells[col] for r in view.rows if col < len(r.cells)]
            if any(a in c for c in cells) and any(b in c for c in cells) and \
                    not any(a in c and b in c for c in cells):
                return True
    return False
