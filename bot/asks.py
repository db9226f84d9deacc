"""What each part of a question asks for, and which figures of an answer's sentence (or cells of
its table row) state it.

A question may ask more than one thing ("归母净利润多少，增长了多少？", "赤字率按多少安排？赤字规模
多大？", "持股比例是多少？持有多少股？"), and each thing is a level or a change of a measure, in a
unit or a type ("多少点", "多少股", a rate). The answer's first line states one figure per asked
part: the change figure where a change is asked (the level beside it is context), the level where
the level is asked, the figure carrying the asked unit. Everything here is the grammar of
questions (interrogatives, the verbs of rising and falling of bot/data/vocab/change_words.tsv,
the measure words of measure_words.tsv), never a report's wording.

A question may also list the measures it wants after a colon ("…: sales, operating profit and
margin"): each is its own ask, and a table row answers each with the column whose header names it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import vocab, vocabdata
from .facts import CHANGE_RE, DETERMINER_RE, LIST_GAP_RE, PERCENT_ASKED_RE, figure_type
from .facts import asked as facts_asked, measure_facts
from .figures import find_figures

# the interrogatives a part of a question asks with: 多少/几 and the "多 + adjective" of size
# (多大, 多高, 多长, 多久, 多快, 多重, 多远: Chinese grammar's degree questions), and English's
ASK_RE = re.compile(r"多少|几|多[大高长久快重远]|\b(?:how much|how many|what|which|how)\b", re.I)
# where a question's parts are cut: its question marks, semicolons and commas, and the words that
# introduce a part of what was asked before ("其中出口多少", "以及…", "and how much …")
PART_RE = re.compile(r"[？?；;，,]|(?=其中)|(?=以及)|\band\b(?=\s+(?:how|what|by how)\b)", re.I)
# a change asked by a noun (同比, 增速) rather than a verb: the growth and decline measures of
# synonyms.tsv and the words of comparison with an earlier period
CHANGE_NOUN_RE = re.compile(r"同比|环比|变化|变动|变幅|\b(?:change[sd]?|growth|grow|grew|grown|increase[sd]?|decrease[sd]?|"
                            r"rise|rose|risen|fall|fell|fallen|decline[sd]?|up from|down from|"
                            r"(?:go|goes|went|gone|going) (?:up|down))\b", re.I)
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# a column of rates or shares: the nouns of a ratio (as facts.PERCENT_ASKED_RE reads them in a question)
RATIO_HEADER_RE = re.compile(r"率|比例|比重|占比|份额|百分比|%|％|\bpercent|\bratio\b|\bmargin\b", re.I)


# a share asked with the verb 占 ("坐动车的占多少", "占营收多少"), money with 钱 ("花了多少钱")
SHARE_ASK_RE = re.compile(r"占[^，,。？?；;]{0,10}?(?:多少|几)")
MONEY_ASK_RE = re.compile(r"多少钱|\bhow much money\b", re.I)


@dataclass(frozen=True)
class Ask:
    text: str             # the part of the question that asks it
    change: bool          # how much the measure rose or fell, rather than its level
    unit: str             # the measure word or percent sign asked ("股", "点", "%"), '' when none
    percent: bool         # a rate or share is asked
    terms: tuple[str, ...]  # the part's own words naming what is measured
    head: str = ""        # the term nearest the interrogative: what is measured ("1类创新药" of
    #                       "新增药品中1类创新药有多少款", "零售药店" of "有多少家零售药店")
    kind: str = ""        # the type of value asked: percent | amount | count | ''
    inherited: bool = False  # the terms are the part before's: the part names nothing of its own
    listed: bool = False  # one of several measures a question lists ("…: sales, operating profit and margin")


@lru_cache(maxsize=1)
def _change_words() -> tuple[re.Pattern, frozenset[str]]:
    pattern, groups = vocab._change_ask()
    forms = frozenset(f for g in groups.values() for f in g if len(f) >= 2)
    return pattern, forms


def asks_change(part: str) -> bool:
    """Does this part of a question ask how much something changed ("涨了多少", "增速多少",
    "同比", "how much did it grow")?"""
    from .lexical import words

    pattern, forms = _change_words()
    if pattern.search(part) or CHANGE_NOUN_RE.search(part):
        return True
    # a growth measure said as a word of the part ("增速多少"), not inside another word ("增加值")
    return any(w in forms for w in words(part))


@lru_cache(maxsize=1)
def _units() -> tuple[str, ...]:
    return tuple(sorted(vocabdata.measure_words(), key=len, reverse=True))


def _asked_unit(part: str) -> str:
    from .figures import UNITS
    from .lexical import words

    m = re.search(r"(?:多少|几)(?:万|亿|千|百)?(%s)" % "|".join(map(re.escape, _units())), part)
    if m:
        # "多少股" asks shares, "多少股份" a stake: the measure word must not begin a longer word
        # that is no unit ("人次" is one)
        at, pos = m.start(1), 0
        for w in words(part):
            if pos == at and len(w) > len(m.group(1)) and w not in UNITS:
                return "%" if PERCENT_ASKED_RE.search(part) else ""
            pos += len(w)
        return m.group(1)
    return "%" if PERCENT_ASKED_RE.search(part) else ""


def _terms(part: str) -> tuple[str, ...]:
    from .figures import DATE_RE
    from .match import EN_FRAMING
    from .question import language, noun_phrases

    if language(part) == "en":
        # the words naming what is measured: not the asking words, the change asked, nor a verb
        from .question import _names_period

        verbs = vocabdata.english_verbs()
        return tuple(w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9&-]+", CHANGE_NOUN_RE.sub(" ", part))
                     if re.search(r"[A-Za-z]", w) and w.lower() not in EN_FRAMING and not ASK_RE.fullmatch(w)
                     and w.lower() not in verbs and w.lower() not in ("much", "many", "up", "down")
                     and not _names_period(w))
    from .lexical import words
    from .question import _names_period

    change_pattern, forms = _change_words()
    out = []
    # the interrogative and the verb before it are cut away first: jieba would join "有" to the
    # noun before it ("创新药有")
    text = re.sub(r"[有是为]?(?:多少|几|多[大高长久快重远])", " ", DATE_RE.sub(" ", part))
    for t in noun_phrases(text):
        if t.text in forms or CHANGE_NOUN_RE.fullmatch(t.text) or change_pattern.fullmatch(t.text + "多少"):
            continue
        if _names_period(t.text):
            continue  # "Q3", "上半年": the period, which "前三季度" would seem to say too
        # a determiner's scope word ("全市出口" -> 出口, "本公司营收"): the scope, not the measure
        pieces = words(t.text)
        while len(pieces) > 1 and DETERMINER_RE.match(pieces[0]) and len(pieces[0]) <= 2:
            pieces = pieces[1:]
        out.append("".join(pieces))
    return tuple(out)


# a list of measures asked after a colon ("Give me X's figures for 2023: sales, operating profit and
# margin", "列出2023年的数据：营业收入、净利润和毛利率"): the items, joined by commas and the
# conjunctions of JOIN_RE, the last one by a conjunction
LIST_AFTER_RE = re.compile(r"[:：]\s*([^:：？?。]+?)\s*[？?。.]?\s*$")
LIST_SPLIT_RE = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|，|、|；|;|\band\b|\bor\b|以及|和|与|及)\s*", re.I)
LIST_ITEM_MAX = 8  # words (English) or 12 characters (Chinese) an item's name may take: longer is a clause


def _listed(question: str) -> list[str]:
    """The measures a question lists after a colon, each asked for itself; [] when it lists none
    (the words after a colon are a clause, an interrogative part, or a single thing)."""
    m = LIST_AFTER_RE.search(question)
    if not m:
        return []
    tail = m.group(1)
    if ASK_RE.search(tail) or not re.search(r",|，|、|\band\b|和|及|与", tail):
        return []
    items = [i.strip(" .") for i in LIST_SPLIT_RE.split(tail) if i and i.strip(" .")]
    if len(items) < 2:
        return []
    for item in items:
        size = len(item.split()) if not CJK_RE.search(item) else len(item)
        if size > (LIST_ITEM_MAX if not CJK_RE.search(item) else 12) or find_figures(item):
            return []
    return items


def _listed_asks(items: list[str]) -> list[Ask]:
    """One ask per listed measure, each with its own words only (the lead-in's scope and period
    are the question's, which retrieval and the row label carry)."""
    out = []
    for item in items:
        unit = _asked_unit(item)
        percent = unit == "%" or bool(PERCENT_ASKED_RE.search(item))
        terms = _terms(item)
        if not terms:
            return []
        out.append(Ask(item, asks_change(item), unit, percent, terms, _head(item, terms),
                       "percent" if percent else "", False, listed=True))
    return out


def asks_of(question: str) -> list[Ask]:
    """The parts of `question` that each ask for a figure, in order. A part that names no measure
    of its own ("增长了多少") asks about the measure of the part before it."""
    from .question import METRICS

    listed = _listed(question)
    if listed:
        got = _listed_asks(listed)
        if got:
            return got
    pieces, lead = [], ""
    for piece in PART_RE.split(question):
        piece = piece.strip()
        if not piece:
            continue
        if not ASK_RE.search(piece):
            lead += piece  # "2019年，营收多少": a lead-in belongs to the part it introduces
            continue
        pieces.append(lead + piece)
        lead = ""
    if lead and pieces:
        pieces[-1] += lead
    out: list[Ask] = []
    for piece in pieces:
        change = asks_change(piece)
        unit = _asked_unit(piece)
        percent = unit == "%" or bool(PERCENT_ASKED_RE.search(piece) or SHARE_ASK_RE.search(piece))
        kind = "percent" if percent else ("amount" if MONEY_ASK_RE.search(piece) else _kind(piece))
        terms = _terms(piece)
        head = _head(piece, terms)
        generic = bool(terms) and all(t in METRICS for t in terms)  # "占比多少": no thing named
        if (not terms or generic) and out:
            # "增长了多少", "2024年是多少": the measure of the part before; one that says nothing
            # of its own kind asks the same kind as that part
            before = out[-1]
            terms, head = before.terms + terms, before.head
            if not change and not unit and not kind:
                unit, percent, kind = before.unit, before.percent, before.kind
        own = not _terms(piece) or generic
        members = _each(piece, terms)
        if members:
            # "出口和进口分别增长了多少", "西药和中成药分别有多少种": one ask per thing named, each
            # with the part's other words as its frame
            frame = tuple(t for t in terms if t not in members)
            out += [Ask(piece, change, unit, percent, (m,) + frame, m, kind, own) for m in members]
            continue
        out.append(Ask(piece, change, unit, percent, terms, head, kind, inherited=own))
    return out


# "分别", "各": the figure is asked of each of the things the part names
EACH_RE = re.compile(r"分别|各自|各有|各是|各为")
# what joins the things named ("出口和进口", "营收、净利润", "sales and profit")
JOIN_RE = re.compile(r"\s*(?:和|与|及|、|/|,|，|and|or)\s*", re.I)


def _each(part: str, terms: tuple[str, ...]) -> tuple[str, ...]:
    """The terms of a part asking something of each of them, joined one to the next by a
    conjunction; () when the part asks it of one thing."""
    if not EACH_RE.search(part) or len(terms) < 2 or not CJK_RE.search(part):
        return ()  # (English terms here are single words, not the things a question lists)
    found = sorted((part.find(t), t) for t in terms if part.find(t) >= 0)
    group: list[tuple[int, str]] = []
    best: list[tuple[int, str]] = []
    for at, t in found:
        if group and JOIN_RE.fullmatch(part[group[-1][0] + len(group[-1][1]):at]):
            group.append((at, t))
        else:
            group = [(at, t)]
        if len(group) > len(best):
            best = list(group)
    return tuple(t for _at, t in best) if len(best) >= 2 else ()


def _kind(part: str) -> str:
    from .question import language

    kind = facts_asked(part, "value", language(part)).get("type", "")
    return kind if kind in ("percent", "amount", "count") else ""


def _head(part: str, terms: tuple[str, ...]) -> str:
    """The term nearest an interrogative of the part, before or after it."""
    asks = [m.span() for m in ASK_RE.finditer(part)]
    from .question import METRICS, language

    if not terms or not asks or language(part) == "en":
        return ""  # (English puts the measured noun anywhere: "how much did revenue grow")
    # a generic measure word (占比, 规模, 增长) names no particular thing when the part names one
    terms = tuple(t for t in terms if t not in METRICS) or terms

    def distance(t: str) -> int:
        at = part.find(t)
        if at < 0:
            return 10 ** 6
        return min(min(abs(s - (at + len(t))), abs(at - e)) for s, e in asks)
    return min(terms, key=distance)


def decisive(asks: list[Ask]) -> bool:
    """Do these asks say more than "the figure of the measure" (two parts, a change, a unit)?"""
    # (a rate asked alone is what the sentence's figures in its measure's clause already are)
    return len(asks) > 1 or any(a.change or (a.unit and a.unit != "%") for a in asks)


# -- figures of a sentence --------------------------------------------------------------------
# (nor does the comma of a date, "November 2, 2024", end one)
CLAUSE_RE = re.compile(r"[，;；：:。！？!?]|,(?!\d{3}(?!\d))(?!\s*(?:19|20)\d{2}\b)")


@dataclass
class Found:
    text: str        # the figure as the report writes it
    sentence: int    # which sentence
    start: int
    change: bool
    kind: str        # percent | amount | count | ''
    unit_near: str   # the figure with the characters around it: a unit written apart ("1082 点") or
    #                  before it ("出游人次48.9亿"), as bot.facts reads an asked unit
    clause: str      # its clause
    before: str      # the clauses before its clause, back to the figure before
    earlier: str     # the passage before it


def _changes(text: str, figs: list, bounds: list[int]) -> list[bool]:
    """Per figure: a change (a change word just before it in its own clause, or it continues a
    list whose figure before is one), as bot.facts reads it, but not across a clause: "增长5.0%；
    进口400亿元" gives a level."""
    out: list[bool] = []
    for i, m in enumerate(figs):
        start = max(b for b in bounds if b <= m.start())
        near = _change_before(text, start, max(start, m.start() - 14), m.start())
        if not near and i and out[-1] and LIST_GAP_RE.match(text[figs[i - 1].end():m.start()]):
            near = True
        out.append(near)
    return out


# the nouns a change word begins that still name a change: its rate, range, speed or amount
# ("增长率为5%", "增幅", "增加额")
CHANGE_NOUN_ENDS = ("率", "幅", "速", "额")


def _change_before(text: str, clause: int, lo: int, hi: int) -> bool:
    """Is a change word said in text[lo:hi] (the characters before a figure, in its clause) as a
    word of its own, not inside another noun ("第一产业增加值占…比重为1.8%": value added is a level)?"""
    hits = list(CHANGE_RE.finditer(text, lo, hi))
    if not hits:
        return False
    from .lexical import words

    spans, pos = [], clause
    for w in words(text[clause:hi]):
        spans.append((pos, pos + len(w), w))
        pos += len(w)
    _pattern, forms = _change_words()
    for h in hits:
        if not CJK_RE.search(h.group()):
            return True
        inside = next((w for a, b, w in spans if a <= h.start() and h.end() <= b and len(w) > len(h.group())), None)
        if inside is None or inside in forms or inside.endswith(CHANGE_NOUN_ENDS) or CHANGE_RE.fullmatch(inside):
            return True
    return False


def figures_of(sentences: list[str]) -> list[Found]:
    out = []
    passage = ""  # the sentences before: what a figure is of may be said there ("全国…；零售药店总数…")
    for i, s in enumerate(sentences):
        figs = find_figures(s)
        bounds = [0] + [m.end() for m in CLAUSE_RE.finditer(s)] + [len(s)]
        changes = _changes(s, figs, bounds)
        last = 0  # where the clause of the figure before begins
        for m, ch in zip(figs, changes):
            k = max(j for j, b in enumerate(bounds) if b <= m.start())
            clause = s[bounds[k]:bounds[k + 1] if k + 1 < len(bounds) else len(s)]
            # what a figure measures is said in the clauses back to the figure before ("其次为基础
            # 电信运营商,占比为19.1%"), a change's with the level before it ("生产总值13507.69亿元，
            # 按不变价格计算，比上年增长6.1%")
            before = s[min(last, bounds[k]):bounds[k]]
            last = bounds[k]
            out.append(Found(m.group().strip(), i, m.start(), ch, figure_type(s, m), s[max(0, m.start() - 4):m.end() + 2],
                             clause, before, passage + s[:m.start()]))
        passage += s
    return out


def _part_words(term: str) -> tuple[str, ...]:
    from .answer import _part_words as words_of

    return words_of(term)


def _has(term: str, text: str, near: bool = True) -> float:
    """1 when `text` says the term as the question does, less when only a synonym or the term's
    words are there ("人口" for "常住人口" is another measure as often as the same one), else 0.
    `near`: the text is the figure's own clauses, where a term inside a longer one is another
    measure (the passage before it is only looked through for the words)."""
    from .answer import _in
    from .question import Term

    if term.lower() in text.lower():
        return INSIDE_LONGER if near and _only_inside_longer(term, text) else 1.0
    forms = [v for v in Term(term, "n").variants() if v != term and len(v) >= 2 and v.lower() in text.lower()]
    # a fuller form ("营业收入" for "营收") says the same measure; a shorter one is its bare head,
    # a broader measure ("人口" for "常住人口"), and one as long a looser synonym ("规模" for "总量")
    full = [v for v in forms if len(v) > len(term) and v not in term]
    if full:
        return INSIDE_LONGER if near and all(_only_inside_longer(v, text) for v in full) else 1.0
    if _in(Term(term, "n"), text):
        return SAID_OTHERWISE
    # a long run of the question's nouns ("医保谈判总体成功率"): the share of its words said
    parts = _part_words(term)
    return SAID_OTHERWISE * sum(p in text for p in parts) / len(parts) if len(parts) > 1 else 0.0


SAID_OTHERWISE = 0.5
INSIDE_LONGER = 0.4  # "动力电池系统营收" for "营收": a noun before a measure makes another measure


def _only_inside_longer(form: str, text: str) -> bool:
    """Is `form` said in `text` only inside a longer term (a modifier noun right before it, the
    head-final compounds of bot.facts.measure_facts)?"""
    if not CJK_RE.search(form) or len(form) < 2:
        return False
    got = measure_facts([form], "", text)
    return got["measure_longer"] == 1.0 and got["measure_exact"] == 0.0


def _fits(ask: Ask, f: Found) -> bool:
    if f.change != ask.change:
        return False
    if ask.percent and f.kind != "percent":
        return False
    if not ask.change and ask.kind == "amount" and f.kind != "amount":
        return False  # money is written with its currency ("6770.02亿元", "$5 million")
    if not ask.change and ask.kind == "count" and f.kind not in ("count", ""):
        return False  # a count may be a bare grouped number ("52,207")
    if ask.unit and ask.unit != "%" and ask.unit not in f.unit_near:
        return False
    return True


HEAD_WEIGHT = 1.5  # the head term against one frame term: ranks figures, never decides answerability


def _closeness(ask: Ask, f: Found) -> float:
    """How closely the figure is tied to the ask's words, each word by where it is said: right
    before the figure in its clause, after it in the clause, in the clauses back to the figure
    before, earlier in the passage (an order of nearness, not a fitted weight: it chooses which
    of the answer sentence's figures is stated, never whether there is an answer)."""
    if not ask.terms:
        return 0.0
    score = total = 0.0
    for t in ask.terms:
        # the measured thing weighs more than the frame around it (a scope, a list it is in)
        weight = HEAD_WEIGHT if t == ask.head else 1.0
        total += weight
        head = f.clause[: f.clause.find(f.text) + 1] if f.text in f.clause else f.clause
        best = 2.0 * _has(t, head)
        if best < 2.0:  # (said as asked right before the figure: nothing farther scores more)
            best = max(best, 1.6 * _has(t, f.clause), 1.5 * _has(t, f.before), 1.0 * _has(t, f.earlier, near=False))
        score += weight * best
    return score / total


def fitting(ask: Ask, sentences: list[str]) -> bool:
    """Does any figure of the sentences fit the ask (its change or level, its unit and type)?"""
    return any(_fits(ask, f) for f in figures_of(sentences))


def pick(asks: list[Ask], sentences: list[str]) -> list[str | None]:
    """One figure per ask from `sentences` (the answer's sentences, in order): the first that fits
    the ask (a change or a level, the unit and type asked) among those closest to its words; None
    for an ask no figure fits."""
    return pick_scored(asks, sentences)[0]


def pick_scored(asks: list[Ask], sentences: list[str]) -> tuple[list[str | None], list[float], list[str]]:
    """pick(), with how closely each picked figure is tied to its ask's words (0 for None) and
    its type (percent | amount | count | '')."""
    found = figures_of(sentences)
    out: list[str | None] = []
    scores: list[float] = []
    kinds: list[str] = []
    extra: list[str] = []  # figures that restate a picked one (after the one per ask)
    for ask in asks:
        fits = [f for f in found if _fits(ask, f) and f.text not in out]
        if not fits:
            out.append(None)
            scores.append(0.0)
            kinds.append("")
            continue
        close = {id(f): _closeness(ask, f) for f in fits}
        best = max(fits, key=lambda f: (close[id(f)], -f.sentence, -f.start))
        if ask.terms and (ask.change or not ask.inherited) and close[id(best)] == 0:
            # a figure of nothing the question names: the sentences' own order decides (a part
            # that names nothing but the kind of its value, "花了多少钱", goes by the kind)
            out.append(None)
            scores.append(0.0)
            kinds.append("")
            continue
        out.append(best.text)
        scores.append(close[id(best)])
        kinds.append(best.kind)
        if ask.change and not ask.percent:
            # the same change said in another form after it ("an increase of $822,029, or 120.3%",
            # "增加1.2亿元，增长8%"): both are the change asked
            following = [f for f in found if f.sentence == best.sentence and f.start > best.start]
            if following and following[0].change and following[0].text not in out and \
                    LIST_GAP_RE.match(sentences[best.sentence][best.start + len(best.text):following[0].start]):
                extra.append(following[0].text)
    return out + extra, scores, kinds


# -- cells of a table row -----------------------------------------------------------------------
def _header_change(header: str) -> bool:
    return asks_change(header) or bool(re.search(r"增减|增长|涨跌|%\s*$|幅", header))


def row_columns(asks: list[Ask], header: list[str], cells: list[str], chosen: int, years: set[str],
                label_years) -> list[int]:
    """The columns of a row that answer the asks beside the `chosen` one: a change column for a
    change asked, a level column (of an asked year, when the question names one) for a level
    asked, a column in the asked unit ("多少股": a header naming 股 whose cell is no percent)."""
    cols = [chosen]
    filled = [j for j in range(min(len(header), len(cells))) if cells[j].strip() and find_figures(cells[j], bare=True)]
    if asks and all(a.listed for a in asks):
        # a list of measures asked of the row: each its own column, the header naming it
        listed = _listed_columns(asks, header, filled, years, label_years)
        if listed:
            return listed
    for ask in asks:
        if any(_column_fits(ask, header[j], cells[j]) for j in cols):
            continue
        fits = [j for j in filled if j not in cols and _column_fits(ask, header[j], cells[j])]
        if years and not ask.change:
            fits = [j for j in fits if label_years(header[j]) & years] or fits
        if not fits:
            continue
        # the header saying most of the ask's words, fewest words of its own
        best = max(fits, key=lambda j: (sum(c in ask.text for c in header[j]) / max(1, len(header[j])), -j))
        cols.append(best)
    return sorted(cols) if len(cols) > 1 else cols


def _column_fits(ask: Ask, header: str, cell: str) -> bool:
    change = _header_change(header)
    if change != ask.change:
        return False
    percent = "%" in cell or bool(RATIO_HEADER_RE.search(header))
    if not ask.change and ask.percent != percent:
        return False  # (a change is often a percent whatever was asked)
    if ask.unit and ask.unit != "%" and ask.unit not in header + cell:
        return False
    return True


def _header_words(header: str) -> list[str]:
    from .lexical import words
    from .question import _names_period

    if CJK_RE.search(header):
        got = [w for w in words(header) if w.strip() and CJK_RE.search(w)]
    else:
        got = re.findall(r"[A-Za-z][A-Za-z&-]+", header)
    # a period or year in a header says which column of a measure, not what it measures
    return [w.lower() for w in got if not _names_period(w)]


def _header_match(ask: Ask, header: str) -> tuple[float, int]:
    """How a header names the ask's measure: the share of the ask's words it says, then how few
    words of its own it adds ("Trading operating profit" over "Underlying trading operating profit"
    for "trading operating profit")."""
    said = _header_words(header)
    if not said:
        return 0.0, 0
    if CJK_RE.search(ask.text):
        text = "".join(said)
        covered = sum(len(t) for t in ask.terms if t.lower() in text)
        whole = sum(len(t) for t in ask.terms)
        return covered / max(1, whole), -(len(text) - covered)
    own = {t.lower() for t in ask.terms}
    return sum(t in said for t in own) / max(1, len(own)), -sum(w not in own for w in said)


def _listed_columns(asks: list[Ask], header: list[str], filled: list[int], years: set[str],
                    label_years) -> list[int]:
    """Per listed measure, the filled column whose header names it best (of the asked year's
    columns when the question names one); [] when a measure names no column, so the row's
    chosen cell stays the answer rather than a column of another measure."""
    pool = [j for j in filled if j < len(header)]
    cols: list[int] = []
    for ask in asks:
        scored = []
        for j in pool:
            if j in cols:
                continue
            share, extra = _header_match(ask, header[j])
            if share > 0:
                of_year = bool(years and label_years(header[j]) & years)
                scored.append((share, of_year, extra, -j, j))
        if not scored:
            return []
        cols.append(max(scored)[-1])
    return cols
