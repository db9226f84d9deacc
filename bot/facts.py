"""Separate, general facts about a candidate answer against the question, for the fitted models.

The hand score's "kind" is one graded level (0.25 / 0.6 / 0.8 / 1.0) with one weight: a fit cannot
weigh "no figure in the asked unit" apart from "a change given where a level is asked". Here each
is its own 0/1 fact, so `bot.fit_decision` and `bot.fit_rank` weigh them from data:

- the unit the question asks its number in ("多少亿元", "多少万块", "how many ... million", "$")
  stated by the candidate's figures or not;
- the type of value asked (percent, amount, count, date) against the types the candidate's
  figures have;
- a change ("增长15%", "increased $2 million") given when the level is asked;
- the question's measure said exactly, or only inside a longer term: a Chinese compound is
  head-final, so a noun word right before the measure ("人均" before "地区生产总值") makes another
  measure, and the measure's head word with another modifier ("户籍人口" for "常住人口") is
  another measure too. Measured with jieba's words and part-of-speech tags, never a list of
  measures;
- the words of a table row's label the question does not say.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .figures import CURRENCY_AFTER, PERCENT, SCALE_EN, find_dates, find_figures, parse_figure
from .lexical import pos_tag
from .vocabdata import measure_words

CJK_RE = re.compile(r"[\u4e00-\u9fff]")
COUNT_WORDS = frozenset(measure_words("count", "tally", "classifier"))
AMOUNT_WORDS = frozenset(measure_words("unit")) | frozenset(CURRENCY_AFTER)
# "多少亿元", "几家", "多少万块": the number asked, its scale and its measure word or currency
ZH_ASK_RE = re.compile(r"(?:多少|几)(?:个)?([十百千]?万?亿?|[十百千]?万)?((?:%s)|[%s])?"
                       % ("|".join(sorted((c for c in CURRENCY_AFTER if CJK_RE.search(c)), key=len, reverse=True)),
                          "".join(sorted(COUNT_WORDS | AMOUNT_WORDS - set(CURRENCY_AFTER)))))
# a rate or share asked: the grammar of "what per cent" in both languages and the nouns of a ratio
PERCENT_ASKED_RE = re.compile(r"百分之|百分比|百分点|多少%|[率重比例幅速]\s*(?:是|为|有)?\s*(?:多少|几)|增速|增幅|占比|比重|份额|"
                              r"percent|percentage|\brate\b|\bmargin\b|\bratio\b|\bshare of\b|proportion", re.I)
EN_AMOUNT_RE = re.compile(r"how much|\$|€|£|¥|dollars?|yuan|euros?|pounds|\b(?:%s)s?\b|\bRMB\b|\bUSD\b" % "|".join(SCALE_EN), re.I)
EN_COUNT_RE = re.compile(r"how many", re.I)
CHANGE_RE = re.compile(r"increas|decreas|\bup\b|\bdown\b|rose|fell|grew|declin|higher|lower|growth|"
                       r"增长|下降|增加|减少|上升|回落|提高|降低|增速|增幅|同比|比上年", re.I)
# a determiner before a noun ("全市", "本公司", "该行", "我国") names the scope, not another measure:
# the determiners of Chinese grammar
DETERMINER_RE = re.compile(r"^[全本该我此各]")
# part-of-speech tags (jieba's, ICTCLAS's set) of words that can modify a noun into another noun:
# nouns, abbreviations, verbal nouns, distinguishing words; not places, people, times, numbers
MODIFIER_TAGS = ("n", "nz", "nt", "ng", "j", "vn", "b", "an", "l")
TYPES = ("percent", "amount", "count", "date")


def asked(question: str, intent: str, lang: str, change: bool = False) -> dict:
    """What the question asks its answer to be: {'type': percent|amount|count|date|'', 'unit': the
    measure word or currency or scale asked ('' when none)}."""
    if intent == "when":
        return {"type": "date", "unit": ""}
    if PERCENT_ASKED_RE.search(question):
        return {"type": "percent", "unit": "%"}
    if lang == "en":
        m = EN_AMOUNT_RE.search(question)
        if m:
            word = m.group().lower()
            return {"type": "amount", "unit": "" if word == "how much" else word}
        if EN_COUNT_RE.search(question):
            return {"type": "count", "unit": ""}
        return {"type": "", "unit": ""}
    for m in ZH_ASK_RE.finditer(question):
        scale, word = m.group(1) or "", m.group(2) or ""
        if word in AMOUNT_WORDS:
            return {"type": "amount", "unit": word}
        if word in COUNT_WORDS:
            return {"type": "count", "unit": word}
        if scale:
            return {"type": "", "unit": scale}
    return {"type": "", "unit": ""}


# nouns that name only the type of value asked, a number per hundred ("what rate", "what
# percentage"), not what it measures: general English grammar of "what per cent", not a report's
# measures ("margin", "ratio" and "share" name measures of their own and stay needs)
PERCENT_TYPE_WORDS = frozenset({"rate", "rates", "percent", "percentage", "percentages", "per cent"})


def names_value_type(word: str, ask: dict) -> bool:
    """Is the question's word only the name of the value type it asks (`asked`'s type)?"""
    return ask.get("type") == "percent" and word.lower() in PERCENT_TYPE_WORDS


def states_type(text: str, kind: str) -> bool:
    """Does the text state a figure of the value type `kind` (percent, amount, count)?"""
    return bool(kind) and any(figure_type(text, m) == kind for m in find_figures(text))


def figure_type(text: str, m: re.Match) -> str:
    """percent, amount, count, or '' (a bare or only scaled number) for one figure of a text."""
    f = parse_figure(m.group())
    unit = f.unit if f else ""
    if f is None:
        return ""
    if any(unit == p or unit.endswith(p) for p in PERCENT) or "%" in m.group():
        return "percent"
    if f.currency or unit in AMOUNT_WORDS:
        return "amount"
    # "出游人次48.9亿": the measure word may come before the figure
    before = text[max(0, m.start() - 3):m.start()]
    if (unit and unit[:1] in COUNT_WORDS) or any(c in COUNT_WORDS for c in before[-1:]):
        return "count"
    return ""


# what may stand between the figures of one list ("分别增长15.6%、7.4%和55.7%", "up 5%, 7% and 9%")
LIST_GAP_RE = re.compile(r"^[\s、，,和及与/]*(?:and|or)?[\s、，,和及与/]*$")


def _changes(text: str, figs: list[re.Match]) -> list[bool]:
    """Per figure: is it a change (a change word just before it, or it continues a list of
    figures whose first is one)?"""
    out = []
    for i, m in enumerate(figs):
        near = bool(CHANGE_RE.search(text[max(0, m.start() - 14):m.start()]))
        if not near and i and out[-1] and LIST_GAP_RE.match(text[figs[i - 1].end():m.start()]):
            near = True
        out.append(near)
    return out


def value_facts(ask: dict, intent: str, wants_change: bool, text: str) -> dict[str, float]:
    """The asked unit and type against the figures of `text` (a first line, a sentence, a cell with
    its labels)."""
    figs = find_figures(text)
    types = {figure_type(text, m) for m in figs}
    unit = ask.get("unit", "")
    kind = ask.get("type", "")
    stated = False
    if unit and figs:
        low = text.lower()
        stated = any(unit.lower() in low[max(0, m.start() - 4):m.end() + 2] for m in figs) or \
            (unit == "%" and "percent" in low)
    value = intent in ("value", "count")
    changes = _changes(text, figs)
    if kind == "date":
        has_type = bool(find_dates(text))
    else:
        has_type = kind in types
    return {
        "unit_asked": float(bool(unit)),
        "unit_stated": float(stated),
        "unit_absent": float(bool(unit) and not stated),
        "type_asked": float(bool(kind)),
        "type_stated": float(bool(kind) and has_type),
        # figures there are, but none of the type asked ("多少亿元" answered with a growth rate)
        "type_other": float(bool(kind) and bool(figs) and not has_type and kind != "date"),
        "date_for_value": float(value and not figs and bool(find_dates(text))),
        # every figure a change where the level is asked ("是多少亿元" answered "增长5.1%")
        "change_for_level": float(value and not wants_change and bool(figs) and all(changes)),
        "level_for_change": float(value and wants_change and bool(figs) and not any(changes)),
    }


@lru_cache(maxsize=4096)
def _tagged(text: str) -> tuple[tuple[str, str, int], ...]:
    """(word, tag, start) of a text's words."""
    out, pos = [], 0
    for w, t in pos_tag(text):
        out.append((w, t, pos))
        pos += len(w)
    return tuple(out)


def _modifier(word: str, tag: str, question: str, verbs: bool = False) -> bool:
    """A word that makes a noun after it another noun, and that the question does not say (with
    `verbs`, a verb too: "开发投资", where the question's word is not there to be extended)."""
    return ((tag.startswith(MODIFIER_TAGS) or (verbs and tag.startswith("v"))) and not tag.startswith(("ns", "nr"))
            and CJK_RE.search(word) is not None and word not in question and not DETERMINER_RE.match(word))


@lru_cache(maxsize=1024)
def _later_words(term: str) -> tuple[str, ...]:
    """The words of a term after its first, by jieba's words (head-final compounds: what the term
    is a kind of); for a term jieba keeps as one word ("常住人口"), its last two characters when
    they are a word."""
    from .lexical import _cjk_tokens

    # jieba's search-mode words: the whole words and the words inside them ("投资总额" -> "投资")
    return tuple(dict.fromkeys(w for w in _cjk_tokens(term) if len(w) >= 2 and term.find(w) > 0))


def measure_facts(measures: list, question: str, text: str) -> dict[str, float]:
    """Is each of the question's Chinese measure terms said exactly in `text`, only inside a longer
    term (a modifier word right before it), or absent while its head word stands there with
    another modifier? A measure is a term, or a tuple of the Chinese terms that render it (an
    English question's "GDP": 国内生产总值, 地区生产总值): any of them said counts."""
    groups = [tuple(f for f in ((m,) if isinstance(m, str) else m) if CJK_RE.search(f) and len(f) >= 2)
              for m in measures]
    groups = [g for g in groups if g]
    out = {"measure_exact": 0.0, "measure_longer": 0.0, "measure_other": 0.0}
    if not groups or not text:
        return out
    tagged = _tagged(text[:600])
    starts = {s: i for i, (_w, _t, s) in enumerate(tagged)}
    exact = 0
    for forms in groups:
        bare = longer = False
        for m in (m for term in forms for m in re.finditer(re.escape(term), text[:600])):
            i = starts.get(m.start())
            if i is None:
                # begins inside a word: "人均地区生产总值" cut as one word
                j = max(k for k, (_w, _t, s) in enumerate(tagged) if s <= m.start())
                if _modifier(tagged[j][0][: m.start() - tagged[j][2]] or tagged[j][0], tagged[j][1], question):
                    longer = True
                else:
                    bare = True
                continue
            if i > 0 and _modifier(tagged[i - 1][0], tagged[i - 1][1], question):
                longer = True
            else:
                bare = True
        if bare:
            exact += 1
        elif longer:
            out["measure_longer"] = 1.0
        else:
            # absent: one of its later words (the head and what the head is of) stands there
            # after another modifier ("房地产开发投资" for "固定资产投资总额")
            for head in dict.fromkeys(h for term in forms for h in _later_words(term)):
                for m in re.finditer(re.escape(head), text[:600]):
                    i = starts.get(m.start())
                    if i and _modifier(tagged[i - 1][0], tagged[i - 1][1], question, verbs=True):
                        out["measure_other"] = 1.0
                        break
    out["measure_exact"] = exact / len(groups)
    return out


def label_extra(question: str, label: str) -> float:
    """The share of a table row label's words (Chinese words by jieba, English words) that the
    question does not say: "户籍人口" for a question of 常住人口, "人均地区生产总值" for one of 地区生产总值."""
    label = re.sub(r"[（(][^）)]*[）)]", "", label or "").strip()
    if not label:
        return 0.0
    low = question.lower()
    words = [w for w, t, _s in _tagged(label) if re.search(r"\w", w) and not t.startswith(("m", "x", "u", "p", "c"))]
    if not words:
        return 0.0
    return sum(w.lower() not in low for w in words) / len(words)


# the question's own content words: nouns, verbs, verbal nouns, abbreviations (jieba's tags), of
# two characters or more
CONTENT_TAGS = ("n", "v", "j", "l", "b")


@lru_cache(maxsize=1024)
def _content_words(question: str) -> tuple[str, ...]:
    return tuple(w for w, t, _s in _tagged(question) if len(w) >= 2 and CJK_RE.search(w)
                 and t.startswith(CONTENT_TAGS) and not t.startswith(("nr", "ns", "nt")))


def words_missing(question: str, text: str, names: frozenset[str] = frozenset()) -> float:
    """The share of the question's Chinese content words (jieba's, whatever the needs kept: a verb
    such as 招生 is one) that the text does not say; `names` (the companies and places asked, the
    words a report's title supplies) are left to the scope checks."""
    words = [w for w in _content_words(question) if w not in ("多少", "是否") and w not in names]
    return sum(w not in text for w in words) / len(words) if words else 0.0


FEATURES = ("unit_asked", "unit_stated", "unit_absent", "type_asked", "type_stated", "type_other",
            "date_for_value", "change_for_level", "level_for_change",
            "measure_exact", "measure_longer", "measure_other", "label_extra", "words_missing",
            "abbreviated")


def abbreviated_share(needs, text: str) -> float:
    """The share of the question's terms the text says only through a longer term their Chinese
    form abbreviates (医保目录 for "国家医保药品目录", vocab.abbreviation_in): a match less sure than
    the term said in full, which the fit weighs."""
    from .vocab import abbreviation_in

    items = [n for n in needs.items if any(CJK_RE.search(v) for v in n.variants)]
    if not items or not text:
        return 0.0
    low = text.lower()
    short = sum(1 for n in items if len(n.text) >= 3 and CJK_RE.search(n.text)
                and not any(v.lower() in low for v in n.variants if v) and abbreviation_in(n.text, text))
    return short / len(items)


def all_facts(needs, text: str, label: str = "") -> dict[str, float]:
    """Every fact of this module for a candidate `text` (with its table row `label`, if any)."""
    question = needs.extra.get("question", "")
    ask = needs.extra.get("asked") or asked(question, needs.intent, needs.lang)
    out = value_facts(ask, needs.intent, bool(needs.extra.get("change")), text)
    # a measure an English question names is read in a Chinese text through its Chinese renderings
    measures = [tuple(sorted(v for v in n.variants if CJK_RE.search(v))) if n.latin else n.text
                for n in needs.items if n.measure]
    out.update(measure_facts(measures, question, text))
    out["label_extra"] = label_extra(question, label)
    names = frozenset({n.text for n in needs.items if n.entity and not n.measure} | set(needs.extra.get("titled", ())))
    out["words_missing"] = words_missing(question, text + "\n" + label, names)
    out["abbreviated"] = abbreviated_share(needs, text + "\n" + label)
    return out


# -- the candidate's own clause, and the family of value asked and stated ----------------------
# A Chinese sentence strings clauses on ，；。 (and "其中" opens a part of the whole): the figure's
# own clause is what says what the figure measures; the rest of the sentence, or of the passage,
# may name the question's measure for another figure ("普通高中60所，在校生14.01万人").
CLAUSE_RE = re.compile(r"[，；。,;！？!?]|其中")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")


def own_clause(raw_head: str) -> str:
    """The clause of a first line (with its **bold** figures) that holds its first bold figure,
    markup removed; the whole line when nothing is bold."""
    m = BOLD_RE.search(raw_head)
    if not m:
        return MARKUP_RE.sub("", raw_head)
    starts = [0] + [c.end() for c in CLAUSE_RE.finditer(raw_head) if c.end() <= m.start()]
    end = next((c.start() for c in CLAUSE_RE.finditer(raw_head) if c.start() >= m.end()), len(raw_head))
    return MARKUP_RE.sub("", raw_head[starts[-1]:end])


MARKUP_RE = re.compile(r"\*\*|\[\d+\]")


@lru_cache(maxsize=1024)
def _clause_words(question: str) -> tuple[str, ...]:
    """The question's Chinese content words as words_missing takes them, and its nouns jieba tags
    as names too ("普通高中" comes out a place name): the scope names are left out by the caller;
    determiner words ("全国", "本市") name the scope, not the measure."""
    return tuple(w for w, t, _s in _tagged(question) if len(w) >= 2 and CJK_RE.search(w)
                 and t.startswith(CONTENT_TAGS) and not DETERMINER_RE.match(w) and w not in ("多少", "是否"))


def clause_facts(question: str, clause: str, passage: str, names: frozenset[str] = frozenset(),
                 forms: tuple[tuple[str, frozenset[str]], ...] = ()) -> dict[str, float]:
    """The share of the question's content words the candidate's own clause lacks, and the share
    it lacks while the cited passage says them elsewhere (the passage is on the asked measure, the
    figure is of another). `forms` are the question's needs (text, variants): a word is said when
    a variant of the need it belongs to is ("社零" by "社会消费品零售总额")."""
    def said(w: str, text: str) -> bool:
        return w in text or any(v in text for t, vs in forms if w in t or t in w
                                for v in vs if len(v) >= 2 and CJK_RE.search(v))

    _, nouns = _families()
    words = []
    for w in _clause_words(question):
        if w in names or any(w in n or n in w for n in names) or w in nouns:
            continue  # a scope name, or the kind of value ("人数", "幅度"), which family_facts weighs
        # "就业人数": the measure is 就业, the count of people the kind of value
        head = next((w[:-len(n)] for n in sorted(nouns, key=len, reverse=True) if len(n) >= 2 and w.endswith(n)
                     and len(w) - len(n) >= 2), w)
        words.append(head)
    if not words:
        return {"clause_missing": 0.0, "clause_elsewhere": 0.0}
    lacking = [w for w in words if not said(w, clause)]
    return {"clause_missing": len(lacking) / len(words),
            "clause_elsewhere": sum(said(w, passage) for w in lacking) / len(words)}


PART_END_RE = re.compile(r"[？?；;](?=.*[\u4e00-\u9fffA-Za-z])")


@lru_cache(maxsize=1024)
def first_part(question: str) -> str:
    """The first thing a question of several parts asks ("…总额多少？同比增长多少" -> "…总额多少",
    "销售额多少，跌了多少？" -> "销售额多少", as bot.question.sub_questions cuts it)."""
    from .question import sub_questions

    parts = sub_questions(question) if question else []
    head = parts[0] if parts else question
    return PART_END_RE.split(head, maxsplit=1)[0]


@lru_cache(maxsize=1)
def _families() -> tuple[dict[str, str], dict[str, str]]:
    from .vocabdata import rows

    units, nouns = {}, {}
    for r in rows("unit_families.tsv"):
        (units if r["where"] == "unit" else nouns)[r["word"]] = r["family"]
    return units, nouns


FAMILIES = ("money", "people", "count", "percent")
ASK_AFTER_RE = re.compile(r"(?:多少|几)(?:个)?[十百千]?万?亿?([\u4e00-\u9fff]{1,3}|%)?")
# the noun a question ends its measure on, before "(是)多少" or the question mark
NOUN_ASK_RE = re.compile(r"([\u4e00-\u9fff]{1,2})(?:是|为|有|达到?|约|共|一共)?(?:多少|几|为何|\?|？|$)")


def unit_family(unit: str) -> str:
    """money, people, count, percent or '' for a unit or measure word ("亿元", "万人", "款", "%")."""
    unit = (unit or "").strip()
    if not unit:
        return ""
    if any(unit == p or unit.endswith(p) for p in PERCENT) or "%" in unit:
        return "percent"
    if any(unit.endswith(c) for c in CURRENCY_AFTER) or unit in AMOUNT_WORDS and unit in CURRENCY_AFTER:
        return "money"
    units, _ = _families()
    for n in (3, 2, 1):
        if unit[-n:] in units:
            return units[unit[-n:]]
    if unit[-1:] in COUNT_WORDS:
        return "count"
    return ""


def family_asked(question: str) -> str:
    """The family of value a Chinese question asks: the unit after 多少/几 first, then a rate's
    grammar, then the noun it ends its measure on."""
    for m in ASK_AFTER_RE.finditer(question):
        word = m.group(1) or ""
        for n in range(len(word), 0, -1):
            fam = unit_family(word[:n])
            if fam:
                return fam
    if PERCENT_ASKED_RE.search(question):
        return "percent"
    _, nouns = _families()
    for m in NOUN_ASK_RE.finditer(question):
        word = m.group(1)
        for n in (2, 1):
            if word[-n:] in nouns:
                return nouns[word[-n:]]
    return ""


def figure_family(raw_head: str) -> str:
    """The family of the first bold figure of a first line ('' when it has none or a bare number)."""
    m = BOLD_RE.search(raw_head)
    if not m:
        return ""
    fm = next(iter(find_figures(m.group(1))), None)
    if fm is None:
        return ""
    f = parse_figure(fm.group())
    if f is None:
        return ""
    if "%" in fm.group():
        return "percent"
    if f.currency:
        return "money"
    fam = unit_family(f.unit)
    if fam:
        return fam
    # "出游人次48.9亿": the measure word before the figure
    before = raw_head[max(0, m.start() - 2):m.start()]
    return unit_family(before[-2:]) or unit_family(before[-1:])


def family_facts(question: str, raw_head: str, lang: str) -> dict[str, float]:
    """The family of value asked (Chinese questions) against the candidate figure's."""
    asked_f = family_asked(question) if lang != "en" else ""
    found = figure_family(raw_head) if asked_f else ""
    # (only the disagreement is a fact of its own: agreement is what type_stated and unit_stated
    # already say, and a second copy of it only splits their weight)
    return {"family_asked": float(bool(asked_f)),
            "family_other": float(bool(asked_f) and bool(found) and found != asked_f)}


CLAUSE_FEATURES = ("clause_missing", "clause_elsewhere", "family_asked", "family_other")
