"""How well a passage (a sentence, or a table cell with its row and column labels) answers a
question: soft signals on one scale, so that "no answer" can compete with the real candidates.

Signals, each in [0, 1]:
- coverage: the question's terms found in the passage, weighted by how telling each term is
  (IDF). A term matches through its report-words (synonyms, full forms, terms the reports
  define, translations) and, failing that, by character bigrams, so a segmentation artefact or
  a reworded phrase still counts in part. Terms a candidate's report names in its title,
  heading or caption are its scope: they neither help nor hurt that candidate's coverage.
- fit: does the passage hold a value of the asked kind (a figure for 多少, a date for 何时…)?
- date: does the figure refer to the asked year: said in the sentence, anchored by an earlier
  date of the passage, or inherited from the heading or the report title? Another year's figure
  scores low.
- plan: a target or forecast when the question asks for an actual figure scores lower.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import facts, periods, spans, vocab
from .figures import find_dates, find_figures
from .lexical import tokenize, words
from . import vocabdata
from .vocabdata import measure_words
from .question import EN_GLOSSARY, FRAMING, METRICS, SYNONYMS, Query, noun_phrases

CJK_RE = re.compile(r"[\u4e00-\u9fff]")
PERIOD_WORDS = frozenset("first second third fourth quarter quarters half q1 q2 q3 q4 h1 h2 季度 上半年 下半年".split())


def _length(count: str, unit: str) -> str:
    """A period named by its length ("the 13-week period", "first 39 weeks", "six months ended"),
    not any span of time ("greater than 12 months")."""
    n = f"(?:{count})"
    return (rf"\b{n}-{unit}\b|\b(?:first|the|last|latest|past) {n} {unit}\b|\b{n} {unit} "
            rf"(?:period |fiscal period )?(?:ended|ending|to)\b")


# the part of a year a figure covers
PERIODS = [
    ("q1", re.compile(r"第?一季度|\bQ1\b|first quarter|1[-—至~]3月", re.I)),
    ("q2", re.compile(r"第?二季度|\bQ2\b|second quarter|4[-—至~]6月", re.I)),
    ("q3", re.compile(r"第?三季度|\bQ3\b|third quarter|7[-—至~]9月", re.I)),
    ("q4", re.compile(r"第?四季度|\bQ4\b|fourth quarter|10[-—至~]12月", re.I)),
    ("h1", re.compile(r"上半年|\bH1\b|first half|1[-—至~]6月|\bJan(?:uary)?\.?\s*[-–—]\s*June?\b", re.I)),
    ("h2", re.compile(r"下半年|\bH2\b|second half|\bJul(?:y)?\.?\s*[-–—]\s*Dec(?:ember)?\b", re.I)),
    ("9m", re.compile(r"前三季度|first nine months|1[-—至~]9月|" + _length("39|40|thirty-nine|forty", "weeks?")
                      + "|" + _length("nine|9", "months?"), re.I)),
    # a period named by its length, as US and UK filings do: which quarter or half it is, the
    # calendar of the fiscal year says, so it fits a question about any quarter (or half)
    ("quarter", re.compile(_length("1[34]|thirteen|fourteen", "weeks?") + "|" + _length("three|3", "months?")
                           + r"|\bfiscal quarter|\bquarter ended", re.I)),
    ("half", re.compile(_length("2[67]|twenty-six|twenty-seven", "weeks?") + "|" + _length("six|6", "months?")
                        + r"|\bhalf[- ]year", re.I)),
    # (not a day: "as at 31 August 2021" is a balance date, not a month's figure)
    # a month after its year is one too ("2024年8月", as questions write it); a day ("2024年8月14日"),
    # a month's end ("12月末", a balance date) and a total up to a month ("截至2023年12月") are not
    ("month", re.compile(r"(?<![\d\-—至~])\d{1,2}月份|(?<![至止到\d])(?<![至止到]\s)(?:19|20)\d{2}年\d{1,2}月(?!份|末|底|初|\s*\d{1,2}\s*[日号])|1[-—至~]\d{1,2}月|(?<!\d\s)\b(January|February|March|April|May|June|July|August|September|"
                         r"October|November|December)\b(?!\s+\d{1,2},)", re.I)),
    ("full", re.compile(r"全年|年度|full[- ]year|for the (?:full )?year\b|fiscal (?:year )?\d{4}|"
                        + _length("5[23]|fifty-two|fifty-three", "weeks?") + "|" + _length("twelve|12", "months?"), re.I)),
]
PART_PERIODS = frozenset({"q1", "q2", "q3", "q4", "h1", "h2", "9m", "quarter", "half"})
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d|\.\d)")  # "2011.5万人次" is no year
FISCAL_RE = re.compile(r"\bFY\s?'?(\d{2})\b", re.I)


def label_years(text: str) -> set[str]:
    """The years a label names: "2019", "2019年", and fiscal-year forms ("FY19", "2021-22": both
    calendar years and the fiscal year's own, bot.periods)."""
    return set(YEAR_RE.findall(text)) | {f"20{y}" for y in FISCAL_RE.findall(text)} | periods.named_years(text) | \
        {str(_full_year(m.group(3))) for m in SLASH_DATE_RE.finditer(text)}  # "W/E 02/24/17"
SHARE_WORDS = frozenset({"占比", "比重", "份额", "比例", "share", "proportion", "percentage"})
SHARE_FIGURE_RE = re.compile(r"占[^。；;]{0,30}?\d[\d.]*\s*%|\d[\d.]*\s*(?:%|percent) of\b", re.I)
SHARE_RE = re.compile(r"占|比重|比例|份额|share|proportion|percentage of|as a percent", re.I)
# "占GDP的比例为7.2%": GDP is what the figure is a share of, not what it measures
DENOMINATOR_RE = re.compile(r"占([^，。；,;]{1,30}?)(?:的)?(?:比例|比重|份额|\s*\d)|as a (?:percentage|share|proportion) of ([\w\s]{1,30})"
                            r"|(?:%|percent) of ([\w\s]{1,30})", re.I)
PLAN_RE = re.compile(r"预计|预测|目标|力争|计划|规划|有望|将达|将超|展望|expect|forecast|target|outlook|guidance|plan(?:s|ned)?\b"
                     r"|project(?:ed|ion)", re.I)
REASON_RE = re.compile(r"因为|由于|得益于|受益于|主要是|原因|归因|带动|推动|拉动|导致|使得|随着|受.{1,40}(影响|推动|带动)|"
                       r"缘于|源于|分析|表示|认为|为了|以便|用于|in order to|so as to|to assess|to evaluate|useful|helps? to|allows?|"
                       r"due to|because|driven by|as a result|result(?:ed|s)? (?:from|in)|attributable to|owing to|"
                       r"reflect|primarily|mainly|offset by|caused", re.I)
DEFINE_RE = re.compile(r"是指|指的是|是|即|称为|定义为|refers? to|is defined|means|represents|consists? of|include|"
                       r"\b(?:is|are|was|were)\b|derived from|calculated|measured|in order to|we (?:perform|use|monitor)", re.I)
# a figure that states a change ("increased $1.5 million") rather than a level
CHANGE_RE = re.compile(r"increas|decreas|\bup\b|\bdown\b|rose|fell|grew|declin|higher|lower|增长|下降|增加|减少|上升|回落|提高|降低", re.I)
CHANGE_ASKED_RE = re.compile(r"chang|increas|decreas|grow|growth|declin|rise|fall|涨|跌|增|降|变化|变动|同比|环比", re.I)
NAME_RE = re.compile(r"[A-Z][\w&.,'-]*(?:\s+(?:[A-Z][\w&.,'-]*|of|and|&))*|[\u4e00-\u9fff]{2,}(?:公司|集团|部|局|委|署|办|厅|院|会|中心|协会|银行|机构)")
# a place: a Chinese name with an administrative suffix, or a capitalised English name after a
# preposition of place
PLACE_RE = re.compile(r"[\u4e00-\u9fff]{2,}?(?:省|市|县|区|州|盟|旗|国|镇|乡|村)|\b(?:in|at|from|near) (?:the )?[A-Z][\w-]+")
_COUNTED = measure_words("count", "tally")  # things counted (measure_words.tsv)
COUNT_RE = re.compile(rf"\d[\d,，.]*\s*(?:[万亿]\s*)?[{_COUNTED}]|(?<![\d.,$])\b\d[\d,]*\b(?![\d.,%])(?!\s*(?:年|月|日|million|billion|thousand|percent))")
LIST_RE = re.compile(r"、.+、|包括|分别|主要为|主要有|以及|such as|include|including|consist|comprise|[,，].+(and|和|及)", re.I)
# English words that frame a question rather than name its subject
EN_FRAMING = frozenset(
    "what which who whom whose when where why how many much was were is are be been being the a an of in on at "
    "to for and or by with from as that this these those there their its it did do does doing done has have had "
    "year years amount amounts value values figure figures number numbers report reported annual excerpt "
    "according table show shows shown provide provided information about give list name state stated "
    "change changes during between period respectively also any all than more less per "
    # words that say what kind of answer is wanted (the intent), and calendar words (the date fit)
    "cause caused causes reason reasons led lead drove drive explain explains explanation main primary "
    "definition defined meaning mean means respective respectively source sources "
    "company companies company's group firm entity ended fiscal "
    # words of comparison: the question asks a change (needs.extra["change"]), not a term
    "versus vs compared earlier "
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


@dataclass(frozen=True, eq=False)  # identity: hashing it for the match cache costs nothing
class Need:
    """One thing the question names, as the reports may say it."""
    text: str
    variants: frozenset[str]  # report words for it (lower-case for Latin)
    weight: float
    measure: bool  # what a figure measures (营收, growth), as opposed to its subject
    latin: bool
    entity: bool = False  # a name (company, place, person): another one's figure is no answer


@dataclass
class Needs:
    items: list[Need]
    years: list[str]
    intent: str
    lang: str
    wants_plan: bool
    quarter: str = ""  # "1".."4" when the question names a quarter
    extra: dict = field(default_factory=dict)


# -- building the needs of a question -------------------------------------------------------
def needs_of(q: Query, index) -> Needs:
    learned = getattr(index, "learned", None) or {}
    items: list[Need] = []
    if q.lang == "en":
        for word in _english_words(q.text):
            if _asking_word(word, q.text):
                continue  # "did X sell", "how big": how the asker words the measure, not a term
            stem = _stems(word)
            variants = set(stem) | {word.lower()} | _greek_plural(word)
            if re.fullmatch(r"[A-Z][A-Z&]+", word):
                # an abbreviation is said in full by reports (synonyms.tsv: "SG&A" = "selling,
                # general and administrative"); a common word's synonyms are looser ("debt")
                variants |= {v.lower() for v in vocab.variants(word) if v.isascii()}
            for zh in _translations(word, names=not CJK_RE.search(q.text)):
                variants.add(zh)
            if word.lower() in PERIOD_WORDS:
                continue  # "first quarter", "second half": the period fit reads them
            # a capitalised word is a name. One no report writes in Latin letters nor titles is a
            # name the corpus lacks ("…revenue in China" over English reports that never name
            # China) only where every report would write it so; over Chinese text it cannot be
            # checked ("Spring Festival") and is no name here
            capital = word[:1].isupper() and not q.text.startswith(word)
            named = capital and (_mentioned(index, word, stem) or _titles_name(index, word))
            if capital and not named:
                near = _one_letter_off(index, word)
                if near:
                    # a name one letter off a word the reports write ("Daswini" / "Daswani") is
                    # that name, misspelt by the asker
                    variants.add(near)
                named = bool(near) or _latin_only(index)
            items.append(Need(word, frozenset(variants), _weight(stem or [word.lower()], index),
                              vocab.is_measure(word), True, named))
        items = _without_source_words(q.text, items)
        items = _with_abbreviations(q.text, items, learned)
        items += _unknown_names(q.text, items, index)
        cjk_text = re.sub(r"[A-Za-z0-9'’.,()（）\s-]+", " ", q.text)
        # a name the reports define ("广东华旃电子有限公司（以下简称广东华旃）") is one need, however
        # the word segmenter would cut it
        own = {vocab.normalise(w) for w in (*learned, *learned.values())}
        for term in [k for k in vocab.known_terms(cjk_text, learned) if k in own and k in cjk_text]:
            items.append(Need(term, frozenset(_variants(term, learned)), _weight(tokenize(term), index), False, False, True))
            cjk_text = cjk_text.replace(term, " ")
        for t in noun_phrases(cjk_text):
            items.append(Need(t.text, frozenset(_variants(t.text, learned)), _weight(tokenize(t.text), index),
                              False, False, True))  # a Chinese name in an English question
        for t in q.terms:  # glossary phrases ("market size" -> 市场规模) the words above may split
            if periods_in(t.text):
                continue  # "first half" -> 上半年, "third quarter" -> 第三季度: the period fit reads it
            if not any(t.text in n.variants for n in items) and _glossary_phrase(q.text, t.text):
                # a term of several words ("imports and exports" -> 进出口, "resident population"
                # -> 常住人口) is one need: its words alone ("imports" -> 进口) are not what a
                # report of the other language says
                said_words = {w for en in _glossary_phrases(q.text, t.text) for w in re.findall(r"[a-z][a-z'\-]*", en)}
                inside = [n for n in items if n.latin and n.text.lower() in said_words and not n.entity]
                items = [n for n in items if n not in inside]
                weight = max((n.weight for n in inside), default=_weight(tokenize(t.text), index) * 0.5)
                # (what the rendering names decides whether it is a measure, as for a Chinese question)
                items.append(Need(t.text, frozenset(_variants(t.text, learned)), weight,
                                  t.text in METRICS or vocab.is_measure(t.text) or any(n.measure for n in inside), False))
    else:
        for t in q.terms:
            # a long phrase ("智算中心行业利润率") is matched word by word, so one unknown word
            # (利润率) is not hidden by the words it shares with the report
            whole = _variants(t.text, learned)
            pieces = [w for w in words(t.text) if len(w) >= 2 and w not in FRAMING]
            # …unless the phrase is a term of its own ("前十大股东" = "前10名股东"): a rendering that
            # shares no word with it
            if len(pieces) < 2 or any(not any(p in v for p in pieces) for v in whole if not v.isascii()):
                pieces = [t.text]
            for piece in dict.fromkeys(pieces):
                variants = _variants(piece, learned) | (whole if piece == t.text else set())
                toks = [w for w in tokenize(piece) if len(w) >= 2] or [piece]
                items.append(Need(piece, frozenset(variants), _weight(toks, index),
                                  piece in METRICS or vocab.is_measure(piece),
                                  bool(re.fullmatch(r"[A-Za-z0-9 .\-]+", piece)), t.is_entity))
    if q.lang == "zh":
        # a known term the word segmenter cut in two ("前十大股东" -> 十大 / 股东) is one need
        for term in vocab.known_terms(q.text, learned):
            inside = [n for n in items if n.text in term and n.text != term]
            if len(inside) >= 2 or (inside and len(term) > len(inside[0].text) + 1 and not vocab.is_measure(term)):
                items = [n for n in items if n not in inside]
                items.append(Need(term, frozenset(_variants(term, learned)), max(n.weight for n in inside),
                                  vocab.is_measure(term), False, any(n.entity for n in inside)))
                # the piece the segmenter cut across the term's end ("新能源|汽车产量" for
                # "新能源汽车产量") keeps only what follows the term ("产量")
                items = [_after(n, term, q.text, learned, index) for n in items]
        # everyday phrasings ("花了多少钱", "每股赚多少") name a measure no noun phrase carries
        # (a Chinese need's English renderings, there for English reports, carry no Chinese measure)
        known = {v for n in items for v in n.variants if n.latin or not v.isascii()}
        extra = [e for e in vocab.expand(q.text, learned) if e not in known and e not in q.text]
        said = "".join(n.text for n in items)
        # only an expansion of words no need carries yet (not "国内游客" -> "国内旅游人次" again)
        for head in [e for e in extra if vocab.is_measure(e) and not _bigrams(e) & _bigrams(said)][:1]:
            variants = frozenset(_variants(head, learned))
            if not variants & known:
                items.append(Need(head, variants, _weight([head], index), True, False))
    items = _one_name_in_two_scripts(q.text, items, q.lang)
    if spans.asked(q.text, q.intent) == "title":
        # "what is the title of chapter 1": the word that asks for a title is the asking frame,
        # which the part's heading line answers without saying it
        items = [n for n in items if not spans.pattern("ask-title").fullmatch(n.text)]
    if q.lang == "zh":
        items = _without_titles(q.text, items)
    # a split year asks the fiscal year it ends in ("2021-22": 2022), not its first calendar year
    days = days_in(q.text)
    # (the year of a day written in figures too: "the week ending 02/24/17" asks about 2017)
    years = sorted(periods.asked_years(q.text, {y for d in q.dates for y in YEAR_RE.findall(d)}
                                       | {str(d[0]) for d in numeric_days(q.text)}))
    quarter = _quarter(q.text)
    needs = Needs(items, years, q.intent, q.lang, bool(PLAN_RE.search(q.text)), quarter)
    needs.extra["periods"] = periods_in(q.text)
    # how the question wrote a fiscal year ("2021-22"): a refusal repeats the asker's words
    # ("FY19" too: the question never says "2019", which no passage need state either)
    needs.extra["year_forms"] = {f.year: q.text[f.start:f.end] for f in periods.fiscal_years(q.text)
                                 if f.first or f.year not in q.text[f.start:f.end]}
    needs.extra["days"] = days
    # (a Chinese question's Latin names are runs of capitalised words too: "Exactitude Consultancy 预测…")
    needs.extra["name_runs"] = name_runs(q.text, items, first=q.lang == "zh")
    needs.extra["name_acronyms"] = name_acronyms(q.text, items) if q.lang == "en" else []
    needs.extra["cjk_name"] = q.lang == "en" and bool(CJK_RE.search(q.text))
    needs.extra["change"] = bool(CHANGE_ASKED_RE.search(q.text))
    needs.extra["share"] = bool(SHARE_RE.search(q.text))
    asked_unit = ASKED_UNIT_RE.search(q.text)
    one_ask = len(re.findall(r"多少|几", q.text)) == 1  # a question of two parts asks two kinds
    needs.extra["unit"] = asked_unit.group(1) if asked_unit and one_ask else ""
    # the question's own text and the value it asks for, read by bot.facts' features
    needs.extra["question"] = q.text
    needs.extra["span"] = spans.asked(q.text, q.intent)  # a name, date, reason asked (bot.spans)
    needs.extra["asked"] = facts.asked(q.text, q.intent, q.lang) if one_ask or q.lang == "en" else {"type": "", "unit": ""}
    # terms that name some report's scope (its company, place, market): a passage of another
    # report lacks them for a reason, so they weigh more there
    titles = [t for _f, t in getattr(index, "reports", [])]
    needs.extra["titled"] = {n.text for n in items if any(match(n, t) >= 1.0 for t in titles)}
    return needs


# a name given in both scripts, one in brackets after the other: "信实工业（Reliance Industries）",
# "Wisdom Education（光正教育）"
_CJK_NAME = r"[\u4e00-\u9fff]{2,20}"
_LATIN_NAME = r"[A-Z][\w&.'’-]*(?:\s+(?:of|and|&|[A-Z][\w&.'’-]*))*"  # capitalised words
TWO_SCRIPTS_RE = re.compile(rf"({_CJK_NAME})\s*[（(]\s*({_LATIN_NAME})\s*[)）]|({_LATIN_NAME})\s*[（(]\s*({_CJK_NAME})\s*[)）]")


def _one_name_in_two_scripts(text: str, items: list[Need], lang: str) -> list[Need]:
    """A question that names a company in both scripts ("信实工业（Reliance Industries）", "North
    Huajin Chemical Industries' (华锦股份)") names one thing. The words of its Latin form are that
    name, not words to translate ("Industries" is no 行业 here): they match the Latin name or the
    Chinese form the question gives. In a Chinese question the Chinese form's own words (信实,
    工业) are no terms of their own either: the Latin words stand for the name."""
    out = items
    for m in TWO_SCRIPTS_RE.finditer(text):
        zh, en = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        latin = {re.sub(r"['’]s?$", "", w).lower() for w in re.findall(r"[A-Za-z][\w&'’-]*", en)}
        named = [n for n in out if n.latin and n.text.lower() in latin]
        if not named:
            continue
        if lang == "zh" and any(n.text in zh for n in out if not n.latin):
            out = [n for n in out if n.latin or n.text not in zh]
        out = [Need(n.text, frozenset(v for v in n.variants if not CJK_RE.search(v)) | {zh}, n.weight, n.measure,
                    n.latin, True) if n in named else n for n in out]
    return out


# a document's title in 书名号 (《全球金融稳定报告》): a title ending in a noun of a kind of document
# (report, bulletin, yearbook, plan, notice, rules …) names the document asked about; a film's or
# a book's title (《某某》票房) is the subject asked about and stays
TITLE_RE = re.compile(r"《([^《》]{1,60}?(?:报告|公报|年报|季报|月报|周报|快报|年鉴|白皮书|蓝皮书|规划|纲要|意见|通知|"
                      r"办法|条例|规定|计划|方案|指南|目录|纪要|说明书|招股书|决定|公告))》")


def _without_titles(text: str, items: list[Need]) -> list[Need]:
    """The needs without the words of a title the question quotes in 《》: they name the report
    asked about (its title and scope stand for it, as an English question's "according to the …
    report" does), not something its passage must say. Kept when nothing else would be left."""
    titles = TITLE_RE.findall(text)
    if not titles:
        return items
    outside = TITLE_RE.sub(" ", text)
    kept = [n for n in items if n.latin or n.text in outside or not any(n.text in t for t in titles)]
    return kept if kept else items


def _after(need: Need, term: str, question: str, learned, index) -> Need:
    """`need` without the head it shares with the end of `term`, where the question writes the
    term straight on into it; `need` itself otherwise."""
    text = need.text
    if need.latin or term in text or text in term:
        return need
    for k in range(min(len(term), len(text)) - 1, 0, -1):
        rest = text[k:]
        if term.endswith(text[:k]) and len(rest) >= 2 and term + rest in question:
            return Need(rest, frozenset(_variants(rest, learned)), _weight(tokenize(rest), index),
                        rest in METRICS or vocab.is_measure(rest), False, need.entity)
    return need


# a proper name of several capitalised words ("China Education Group"), not the question's first
# word; a possessive ends it
MULTI_NAME_RE = re.compile(r"(?<=\s)([A-Z][\w&.-]*(?:['’]s?)?(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w&.-]*(?:['’]s?)?)+)")


def _unknown_names(text: str, items: list, index) -> list[Need]:
    """A name of several words no report writes, though each of its words is in some report
    ("China Education Group" over a report of "Wisdom Education Group"): one need, which no
    passage holds, so no passage answers for that company."""
    out = []
    runs = [part for m in MULTI_NAME_RE.finditer(text) for part in re.split(r"['’]s?(?:\s+|$)", m.group(1))]
    for run in runs:
        tokens = run.split()
        while tokens and re.fullmatch(r"(?:Mr|Mrs|Ms|Dr|Messrs|Prof|Sir)\.?", tokens[0]):
            tokens.pop(0)  # an honorific is no part of the name a report writes ("Mr. Daswini")
        while tokens and (tokens[-1].lower() in EN_FRAMING or tokens[-1] in ("of", "and", "&")):
            tokens.pop()  # "… Round-Up of February": a month or a joining word ends no name
        name = " ".join(tokens)
        words = [n for n in items if n.latin and n.text.lower() in name.lower()]
        # (each of its words a name some report writes)
        if len(name.split()) < 2 or _mentioned(index, name, ()) or \
                not any(n.entity and _mentioned(index, n.text, ()) for n in words):
            continue
        if _titles_name(index, tokens[0]):
            continue  # "Reliance Industries" over a report titled "reliance …": its own company, named in full

        # (no variants: its words are in the reports one by one, the name as a whole in none)
        out.append(Need(name, frozenset(), max(n.weight for n in words), False, True, True))
    return out


# a run of capitalised words (a proper name of several words), possessive or punctuation ends it
NAME_RUN_RE = re.compile(r"[A-Z][\w&\u00C0-\u024F.-]*(?:\s+(?:&\s+)?[A-Z][\w&\u00C0-\u024F.-]*)+")


def name_runs(text: str, items: list[Need], first: bool = False) -> list[tuple[str, ...]]:
    """The question's names of several capitalised words, each as the texts of its needs, its
    first word first ("Reliance Industries" -> ("Reliance", "Industries", "Reliance Industries")).
    A name is known by its first word: when that word is the report's own scope (its title), the
    rest of the name ("Industries", "Consultancy") is the same company's full name, not a second
    thing the passage must say (see sections.scoped_needs)."""
    out = []
    for m in NAME_RUN_RE.finditer(text):
        if (m.start() == 0 and not first) or re.match(r"(?:What|Which|Who|How|When|Where|Why|In|Per|According)\b", m.group()):
            continue  # the question's first word is capitalised as any sentence's is (not in Chinese: `first`)
        words = [w for w in re.split(r"\s+", m.group()) if w != "&"]
        texts = []
        for w in words:
            low = re.sub(r"['’]s$", "", w).lower()
            texts += [n.text for n in items if n.latin and n.text.lower() == low and n.text not in texts]
        texts += [n.text for n in items if n.latin and " " in n.text and n.text in m.group() and n.text not in texts]
        if len(texts) >= 2 and texts[0].lower() == re.sub(r"['’]s$", "", words[0]).lower():
            out.append(tuple(texts))
    return out


def name_acronyms(text: str, items: list[Need]) -> list[tuple[tuple[str, ...], str]]:
    """The question's names of three or more capitalised words with their initials ("Global
    Financial Stability Report" -> "gfsr"): a report known by the acronym (its title or file name
    says "gfsr") is named by them in full."""
    out = []
    for m in NAME_RUN_RE.finditer(text):
        words = [w for w in re.split(r"\s+", m.group()) if w != "&"]
        if m.start() == 0 or len(words) < 3:
            continue
        texts = tuple(n.text for n in items if n.latin and n.text in words)
        if texts:
            out.append((texts, "".join(w[0] for w in words).lower()))
    return out


_LATIN_ONLY: dict[int, bool] = {}


def _latin_only(index) -> bool:
    """Is every report of the index written in Latin script (no Chinese text anywhere)? Only
    then does a name no report writes in Latin letters not occur in the corpus at all."""
    blob = getattr(index, "text_blob", None)
    if blob is None:
        return False
    key = id(blob)
    if key not in _LATIN_ONLY:
        _LATIN_ONLY.clear()
        _LATIN_ONLY[key] = not CJK_RE.search(blob)
    return _LATIN_ONLY[key]


# "…, per its 2021 annual report", "according to the MOHRSS 2023 statistical bulletin": the clause
# that names where the asker read it, up to the next comma or the question's end
SOURCE_RE = re.compile(r"\b(?:according to|per|as (?:reported|stated|shown|published) (?:in|by))\s+([^,?;]+)", re.I)


def _greek_plural(word: str) -> set[str]:
    """The other number of a Greek-form noun ("analysis" / "analyses", "basis" / "bases"), which
    the stemmer keeps apart."""
    low = word.lower()
    if len(low) > 5 and low.endswith("sis"):
        return {low[:-2] + "es"}
    if len(low) > 5 and low.endswith("ses"):
        return {low[:-2] + "is"}
    return set()


# the primary financial statements by their standard names (IAS 1; US GAAP): "on its balance
# sheet" says where in a filing, which a table's caption may not repeat ("(Unaudited)")
STATEMENT_RE = re.compile(r"\b(?:(?:condensed |consolidated )*(?:balance sheets?|income statements?|cash flow statements?|"
                          r"statements? of (?:financial position|operations|income|profit or loss|comprehensive income|"
                          r"cash flows|changes in (?:stockholders'|shareholders'|)\s*equity)))\b", re.I)


def _without_source_words(text: str, items: list[Need]) -> list[Need]:
    """The needs without the common words of a source clause ("earnings release", "integrated
    annual report", "statistical bulletin") or of a financial statement's name ("balance sheet"):
    they describe the document or its part, which its title, scope and captions stand for, not
    something a passage of it must say. Names in the clause stay (another publisher's report is
    not this one)."""
    clauses = [m.group(1) for m in SOURCE_RE.finditer(text)] + [m.group() for m in STATEMENT_RE.finditer(text)]
    said = {w.lower() for c in clauses for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", c)}
    return [n for n in items if n.entity or not n.latin or n.text.lower() not in said]


def _one_letter_off(index, word: str) -> str:
    """A word of the reports one substitution, insertion or deletion away from `word` (a name of
    five letters or more), or ""."""
    low = word.lower()
    vocabulary = getattr(index, "df", None)
    if len(low) < 5 or not vocabulary:
        return ""
    for token in vocabulary:
        if token[:1] == low[:1] and abs(len(token) - len(low)) <= 1 and token != low and _one_edit(token, low):
            return token
    return ""


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _titles_name(index, word: str) -> bool:
    """Is `word` a word of some report's title (the name a report is known by)?"""
    low = re.sub(r"['’]s$", "", word).lower()
    return any(low in re.findall(r"[a-z0-9\u00C0-\u024F&-]+", t.lower()) for _f, t in getattr(index, "reports", []))


def _glossary_phrase(question: str, zh: str) -> bool:
    """Is `zh` the glossary rendering of a phrase of several words in the question? (single
    words already carry their translations)"""
    return bool(_glossary_phrases(question, zh))


def _glossary_phrases(question: str, zh: str) -> list[str]:
    low = question.lower()
    return [en for en, z in EN_GLOSSARY.items() if z == zh and " " in en and re.search(rf"\b{re.escape(en)}\b", low)]


def _mentioned(index, word: str, stems) -> bool:
    mentions = getattr(index, "mentions", None)
    if mentions is None:
        return True
    return mentions(word) or any(mentions(s) for s in stems)


# an abbreviation: capital letters (and "&"), as synonyms.tsv and the reports' definitions write them
ABBREVIATION_RE = re.compile(r"[A-Z][A-Z&]+s?")


@lru_cache(maxsize=1)
def _general_abbreviations() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(abbreviation, its long forms of several words) of the English synonym groups
    (synonyms.tsv: "CAGR|compound annual growth rate", "ETR|effective tax rate")."""
    out = []
    for g in vocabdata.synonym_groups():
        if g.lang != "en":
            continue
        shorts = [f for f in g.forms if ABBREVIATION_RE.fullmatch(f)]
        longs = tuple(f for f in g.forms if " " in f.strip())
        out += [(a, longs) for a in shorts if longs]
    return tuple(out)


def _with_abbreviations(question: str, items: list[Need], learned) -> list[Need]:
    """A question that says two or more running words of an abbreviated term ("growth rate" of
    "compound annual growth rate") is answered by a report that writes the term's abbreviation
    ("growing at a CAGR of 16.0%"): those words' needs also match the abbreviation. The terms
    are the general glossary's and the ones the report defines itself ("... (CAGR)")."""
    said = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", question)]
    pairs = list(_general_abbreviations())
    pairs += [(a, (f,)) for a, f in (learned or {}).items()
              if ABBREVIATION_RE.fullmatch(a) and isinstance(f, str) and f.isascii() and " " in f.strip()]
    extra: dict[str, set[str]] = {}
    for abbr, longs in pairs:
        if abbr.lower() in said:
            continue  # the question writes the abbreviation itself
        for full in longs:
            run = _longest_run(said, [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", full)])
            for w in run if len(run) >= 2 else ():
                extra.setdefault(w, set()).add(abbr.lower())
    if not extra:
        return items
    return [replace(n, variants=n.variants | extra[n.text.lower()]) if n.latin and n.text.lower() in extra else n
            for n in items]


def _longest_run(said: list[str], term: list[str]) -> list[str]:
    """The longest run of words the question and the term share in the same order, running."""
    best: list[str] = []
    for i in range(len(said)):
        for j in range(len(term)):
            k = 0
            while i + k < len(said) and j + k < len(term) and said[i + k] == term[j + k]:
                k += 1
            if k > len(best):
                best = said[i:i + k]
    return best


def _asking_word(word: str, question: str) -> bool:
    """A word of the question's own wording rather than of its subject: a verb in its base form
    ("How much did X sell", "…lose", "…spend on", "does X include"; CC-CEDICT glosses it only as
    a verb, vocabdata.english_verbs), whose measure a report names with a noun (sales, loss,
    expenses), or the adjective of "how big / how large", which asks a size. A capitalised word
    inside the question is a name, never one of these; so is a word with a possessive
    ("Nestle's sales", where CC-CEDICT's "nestle" is a verb), even the question's first."""
    low = word.lower()
    if word[:1].isupper() and not question.startswith(word):
        return False
    if re.search(rf"\b{re.escape(word)}['’]s\b", question):
        return False
    if re.search(rf"\bhow {re.escape(low)}\b", question, re.I):
        return True
    return low in vocabdata.english_verbs() or (low.endswith("s") and low[:-1] in vocabdata.english_verbs()
                                                and not vocab.is_measure(word))


def _english_words(text: str) -> list[str]:
    out = []
    # "SG&A", "R&D": an abbreviation joined by "&" is one word
    # (accented letters belong to the word: "Nestlé", "Société")
    # (a model or product code of letters and digits is one word: "CLD800-B1", "B100")
    for w in re.findall(r"\b[A-Za-z]+\d+(?:-?[A-Za-z0-9]+)*\b|[A-Za-z](?:[A-Za-z'\-]*[A-Za-z])?(?:&[A-Za-z]+)+|"
                        r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\-]*[A-Za-z\u00C0-\u024F]|[A-Za-z]", text):
        low = w.replace("'s", "").replace("’s", "")
        if low.lower() in EN_FRAMING or len(low) < 2 or low.lower() in map(str.lower, out):
            continue
        if re.fullmatch(r"(?i)q[1-4]|h[12]|fy'?\d{2,4}", low):
            continue  # a period's code: the period and date fits read it
        out.append(low)
    return out


# British and American spellings of one word: "capitalisation" / "capitalization", "organised" /
# "organized" (the -ise/-isation forms of Oxford and British usage); the stemmer keeps them apart
BRITISH_RE = re.compile(r"(?<=[a-z]{3})is(ations?|e[sd]?|ing|ers?)\b", re.I)


@lru_cache(maxsize=8192)
def _stems(text: str) -> tuple[str, ...]:
    """Stemmed Latin words (and numbers) of a text, British -ise spellings read as -ize."""
    return tuple(t for t in tokenize(BRITISH_RE.sub(r"iz\1", text)) if re.search(r"[a-z0-9]", t))


def _translations(word: str, names: bool = True) -> set[str]:
    out = set(vocab.cross_lingual(word, names))
    if word in EN_GLOSSARY:
        out.add(EN_GLOSSARY[word])
    return {v for v in out if CJK_RE.search(v)}


PLACE_SUFFIX_RE = re.compile(r"(?<=..)(地区|区域|自治区|省|市|县)$")


def _variants(text: str, learned) -> set[str]:
    out = {text} | SYNONYMS.get(text, set()) | set(vocab.variants(text, learned))
    if CJK_RE.search(text):
        out |= set(vocab.cross_lingual(text))  # a Chinese question over an English report
    # "华东地区" is "华东", "广东省" is "广东": reports drop the administrative suffix once named
    out |= {PLACE_SUFFIX_RE.sub("", v) for v in list(out) if PLACE_SUFFIX_RE.search(v)}
    if re.search(r"[A-Za-z]", text):
        out |= {text.lower()}
    # "Nestlé" is written "Nestle" in a file name or an ASCII text: a name's letters without accents
    out |= {_bare(v) for v in list(out) if not v.isascii() and not CJK_RE.search(v) and _bare(v).isascii()}
    return out


def _bare(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _weight(tokens, index) -> float:
    tokens = [t.lower() for t in tokens if t] or ["?"]
    return max(index.idf(t) for t in tokens)


def _quarter(text: str) -> str:
    m = re.search(r"第?([一二三四1-4])季度|\bQ([1-4])\b|(first|second|third|fourth) quarter", text, re.I)
    if not m:
        return ""
    g = m.group(1) or m.group(2) or m.group(3).lower()
    return {"一": "1", "二": "2", "三": "3", "四": "4", "first": "1", "second": "2", "third": "3", "fourth": "4"}.get(g, g)


def quarter_of(label: str) -> str:
    return _quarter(label)


# -- matching -------------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def match(need: Need, text: str) -> float:
    """1.0 when the text says the need in some form; a partial score from shared bigrams
    (CJK) or word pieces (Latin) otherwise. Cached: a question's needs meet the same captions,
    labels and sentences many times."""
    if not text:
        return 0.0
    low = text.lower()
    for v in need.variants:
        if v and (v in text or (v.isascii() and _latin_in(v, low))):
            return 1.0
    if need.latin:
        return _latin_partial(need, low)
    best = 0.0
    for v in need.variants:
        if CJK_RE.search(v) and len(v) >= 2:
            best = max(best, _bigram_share(v, text))
    if best < 1.0 and abbreviated(need, text):
        return STRONG_PARTIAL  # less sure than the term said in full: a strong partial match
    return best * STRONG_PARTIAL if best >= 0.67 else best * 0.4


STRONG_PARTIAL = 0.8  # most of a term's character pairs said, or the term said as its abbreviation


def abbreviated(need: Need, text: str) -> bool:
    """Does the text say the need only through a longer term its Chinese form abbreviates (医保目录
    in "国家医保药品目录", vocab.abbreviation_in)?"""
    # (the question's own word: its variants are the vocabulary's known words, no abbreviations)
    return len(need.text) >= 3 and not need.latin and bool(vocab.abbreviation_in(need.text, text))


def _latin_in(variant: str, low: str) -> bool:
    if CJK_RE.search(variant):
        return variant in low
    if " " not in variant and not re.search(r"[a-z]", variant):
        return re.search(rf"(?<![\w]){re.escape(variant)}(?![\w])", low) is not None
    stems = _stems(variant)
    if not stems:
        return False
    have = _stem_set(low)
    return all(s in have for s in stems)


@lru_cache(maxsize=16384)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(_stems(text))


@lru_cache(maxsize=16384)
def _squash(low: str) -> str:
    return re.sub(r"[^a-z0-9]", "", low)


def _latin_partial(need: Need, low: str) -> float:
    squashed = _squash(low)
    word = re.sub(r"[^a-z0-9]", "", need.text.lower())
    if len(word) >= 4 and word in squashed:
        return 0.8  # "post retirement" / "postretirement"
    return 0.0


@lru_cache(maxsize=16384)
def _bigrams(text: str) -> frozenset[str]:
    han = "".join(CJK_RE.findall(text))
    return frozenset(han[i:i + 2] for i in range(len(han) - 1))


def _bigram_share(term: str, text: str) -> float:
    grams = _bigrams(term)
    if not grams:
        return 0.0
    have = _bigrams(text)
    return sum(g in have for g in grams) / len(grams)


def _only_as_denominator(need: Need, text: str) -> bool:
    spans = [m.span() for m in DENOMINATOR_RE.finditer(text)]
    if not spans:
        return False
    outside = text
    for a, b in reversed(spans):
        outside = outside[:a] + " " + outside[b:]
    return match(need, outside) < 1.0


def title_needs(needs: Needs, title: str) -> set[str]:
    """The needs a report's title already names: its scope (company, place, year, kind)."""
    return {n.text for n in needs.items if match(n, title) >= 1.0}


def coverage(needs: Needs, primary: str, context: str, scope: str, scoped: set[str],
             near: str = "", measures: bool = True) -> tuple[float, list[str]]:
    """Weighted share of the question's needs that the candidate holds, and the needs it lacks.
    `primary` is the sentence (or row label and column label), `near` the whole sentence a
    clause ending in "；" belongs to (its subject is often said once, at its start), `context` the rest of its passage,
    `measures`: a missing measure (revenue asked, deliveries stated) halves the share — not for
    table cells, whose measure is usually said in the prose around the table,
    `scope` its heading path, caption and report title. Needs in `scoped` are the report's own
    scope and are left out of the share."""
    total = got = 0.0
    missing = []
    unreadable = []  # needs that cannot be checked against this text (no rendering in its script)
    penalty = 1.0
    own = 0  # needs that are the report's own scope (its company, place, country)
    for n in needs.items:
        if n.text in scoped:
            own += 1
            continue
        cross = n.latin and CJK_RE.search(primary) and not any(CJK_RE.search(v) for v in n.variants)
        if cross and (not n.entity or needs.extra.get("cjk_name")):
            # an English word with no Chinese rendering says nothing about Chinese text (nor does
            # an English name when the question also gives its Chinese name: "Sanjiu (华润三九)")
            unreadable.append(n.text)
            continue
        # a measure must be said where the figure is (the sentence it belongs to), not elsewhere
        # in the passage ("占GDP的比例" two sentences on is not a GDP figure)
        far = 0.3 if n.measure and measures else 0.6  # (a table's measure is said in its prose)
        m = max(match(n, primary), 0.9 * match(n, near), 0.8 * match(n, scope), far * match(n, context))
        if m >= 1.0 and not needs.extra.get("share") and _only_as_denominator(n, primary):
            m = 0.4
        elif m < 1.0 and n.measure and n.variants & SHARE_WORDS and SHARE_FIGURE_RE.search(primary):
            m = 1.0  # "占社会消费品零售总额的1.3%" states a share without the word 比重
        elif m < 1.0 and facts.names_value_type(n.text, needs.extra.get("asked", {})) and \
                facts.states_type(primary, needs.extra["asked"]["type"]):
            # "what tariff rate …" answered by "tariffs on semiconductors (100 percent)": the word
            # only says which type of value is asked, which the figure's type answers
            m = 1.0
        weight = n.weight * (3.0 if n.text in needs.extra.get("titled", ()) else 1.0)
        total += weight
        got += weight * m
        if m < 0.5:
            missing.append(n.text)
            if n.entity or (measures and n.measure and needs.intent in ("value", "count")):
                penalty = 0.5  # another company's figure, or another measure, is not an answer
    if total == 0:
        if unreadable and not own:
            # nothing the question names has a rendering in the passage's language, nor is it the
            # report's scope ("What is the capital of France?" over a Chinese report): no sign at
            # all that the passage answers it
            return 0.0, unreadable
        return 0.5, missing  # every term is the report's own scope: the passage is as good as any
    return penalty * got / total, missing


# -- kind, date and plan --------------------------------------------------------------------
# the measure word a Chinese question asks its number in ("多少股", "几家", "多少万辆"): general
# counting words of Chinese, not a report's vocabulary
ASKED_UNIT_RE = re.compile(rf"(?:多少|几)(?:万|亿|千|百)?([{measure_words()}])")


def fit(needs: Needs, sentence: str) -> float:
    intent = needs.intent
    if intent == "count":
        return 1.0 if COUNT_RE.search(sentence) else (0.6 if find_figures(sentence) else 0.25)
    if intent == "list":
        return 1.0 if find_figures(sentence) or LIST_RE.search(sentence) else 0.6
    if intent == "value":
        figs = find_figures(sentence)
        if not figs:
            return 0.25
        if not needs.extra.get("change") and _states_change(sentence):
            return 0.6  # "what was X in 2018" asks the level; "X increased $1.5 million" gives a change
        unit = needs.extra.get("unit")
        # the word may come before the figure: "出游人次48.9亿"
        if unit and not any(unit in sentence[max(0, m.start() - 4):m.end()] for m in figs):
            return 0.8  # "多少股" asks a number of shares: "28%" of them answers less well
        return 1.0
    if intent == "when":
        return 1.0 if find_dates(sentence) else 0.25
    if intent == "who":
        return 1.0 if NAME_RE.search(sentence) else 0.4
    if intent == "where":
        return 1.0 if PLACE_RE.search(sentence) else 0.4
    if intent == "why":
        return 1.0 if REASON_RE.search(sentence) else 0.35
    if intent == "define":
        return 1.0 if DEFINE_RE.search(sentence) else 0.6
    return 1.0


def _states_change(sentence: str) -> bool:
    """Is every figure of the sentence a change ("increased $1.5 million", "同比增长15.4%")?"""
    figs = find_figures(sentence)
    return bool(figs) and all(CHANGE_RE.search(sentence[max(0, m.start() - 14):m.start()]) for m in figs)


def years_in(text: str) -> list[str]:
    return YEAR_RE.findall(" ".join(m.group() for m in find_dates(text))) + \
        [y for y in YEAR_RE.findall(text) if re.search(rf"{y}\s*(年|财年|年度|fiscal|FY)|(fiscal|FY|in|for|of|year)\s*{y}", text, re.I)]


def date_fit(needs: Needs, sentence: str, before: str, scope: str) -> float:
    """Does the sentence's figure refer to the asked year? `before` is the passage up to the
    sentence (whose last date anchors it), `scope` the heading path and report title."""
    if not needs.years:
        return 1.0
    asked = set(needs.years)
    here = label_years(sentence)
    if not here and periods.THIS_YEAR_RE.search(sentence):
        # "so far this year", "今年": the year of the report (its scope's one year, if it has one)
        own = set(YEAR_RE.findall(scope))
        here = own if len(own) == 1 else set()
    if here & asked:
        if needs.intent not in ("value", "count") or needs.lang == "en" or re.search(r"respectively|分别", sentence):
            return 1.0
        # "2020年到2024年…到2024年…达到了1014亿元": the year nearest before a figure is its year
        anchors = set()
        for m in find_figures(sentence):
            before = YEAR_RE.findall(sentence[:m.start()])
            if before:
                anchors.add(before[-1])
        return 1.0 if not anchors or anchors & asked else 0.3
    if here:
        return 0.15  # the sentence speaks of another year
    anchor = years_in(periods.one_year_each(before))  # ("In 2021-22, …" anchors the fiscal year 2022)
    if anchor:
        return 0.95 if anchor[-1] in asked else 0.2
    inherited = set(YEAR_RE.findall(scope))
    if inherited & asked:
        return 0.95  # "2023年…统计公报": every figure of the report is the year's unless it says otherwise
    if inherited:
        return 0.1  # the report (or its section) is about another year
    return 0.4  # nothing says which year the figure is for


_MONTH_NAMES = ("january february march april may june july august september october november december").split()
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
DAY_RES = (
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+((?:19|20)\d{{2}})\b", re.I),  # February 3, 2024
    re.compile(rf"\b(\d{{1,2}})\s+{_MONTH},?\s+((?:19|20)\d{{2}})\b", re.I),  # 31 August 2021
    re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),  # 2024年2月3日
)


# numeric dates: "02/24/17" and "2/24/2017" (month first, as US reports write them; day first
# when the first number cannot be a month), "24.02.2017" (day first), "2017-02-24" (ISO)
SLASH_DATE_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")
DOT_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?![\d.])")
ISO_DATE_RE = re.compile(r"(?<![\d-])((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?![\d-])")


def _full_year(year: str) -> int:
    """A two-digit year is of this century up to 69 and of the last one after ("17" -> 2017)."""
    y = int(year)
    return y if len(year) == 4 else (2000 + y if y < 70 else 1900 + y)


def numeric_days(text: str) -> set[tuple[int, int, int]]:
    """The calendar days a text names in figures, as (year, month, day). A slashed date both of
    whose first numbers could be a month is read both ways (a day that can be either)."""
    out = set()
    for m in SLASH_DATE_RE.finditer(text):
        a, b, year = int(m.group(1)), int(m.group(2)), _full_year(m.group(3))
        for month, day in ((a, b), (b, a)):
            if 1 <= month <= 12 and 1 <= day <= 31:
                out.add((year, month, day))
    for m in DOT_DATE_RE.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.add((int(m.group(3)), month, day))
    for m in ISO_DATE_RE.finditer(text):
        month, day = int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.add((int(m.group(1)), month, day))
    return out


def days_in(text: str) -> set[tuple[int, int, int]]:
    """The calendar days a text names, as (year, month, day): in words ("Fri, Feb 24, 2017",
    "31 August 2021", "2024年2月3日") or in figures (`numeric_days`)."""
    out = numeric_days(text)
    for k, rx in enumerate(DAY_RES):
        for m in rx.finditer(text):
            if k == 0:
                month, day, year = m.group(1), m.group(2), m.group(3)
            elif k == 1:
                day, month, year = m.group(1), m.group(2), m.group(3)
            else:
                year, month, day = m.group(1), m.group(2), m.group(3)
            if not month.isdigit():
                month = str(next(i for i, n in enumerate(_MONTH_NAMES, 1) if n.startswith(month.lower()[:3])))
            out.add((int(year), int(month), int(day)))
    return out


def day_fit(needs: Needs, label: str) -> float:
    """A column dated to another day than the one asked ("at February 3, 2024" against
    "November 2, 2024") is another balance; a label naming no day (or the asked one) fits."""
    asked = needs.extra.get("days") or set()
    said = days_in(label) if asked else set()
    return 0.3 if said and not said & asked else 1.0


def periods_in(text: str) -> set[str]:
    found = {name for name, rx in PERIODS if rx.search(text)}
    if found - {"9m"} and "9m" in found:
        found.discard("q3")  # "前三季度" is not the third quarter
    if found & PART_PERIODS:
        found.discard("full")  # "the first 39 weeks of fiscal 2024": the year names which fiscal year
    return found


def period_fit(needs: Needs, sentence: str, near: str = "", before: str = "", scope: str = "") -> float:
    """A quarter's or half-year's figure is no answer to a question about another part of the
    year, nor to one about the whole year. The period is the sentence's, else that of the
    sentence it belongs to, else the last one the passage named before it; a quarter named by its
    length ("the 13-week fiscal quarter") is the one the report's title or scope names, if any."""
    asked = needs.extra.get("periods", set())
    said = named_part(periods_in(sentence) or periods_in(near) or _last_period(before), scope)
    if not said or "full" in said and not asked - {"full"}:
        return 1.0
    if asked:
        return 1.0 if asked & said or _kind_of(asked) & said or _kind_of(said) & asked else 0.2
    # "2024年黄金消费量" against "2024年上半年…" (an English note dated to a quarter is usually an event)
    return 0.55 if needs.years and needs.lang == "zh" and needs.intent in ("value", "count") else 1.0


def named_part(said: set[str], scope: str) -> set[str]:
    """A quarter (or half) named only by its length ("Thirteen Weeks Ended November 2, 2024"),
    in a report whose title or scope names one quarter ("reports third quarter net income"):
    that quarter. Which quarter a length is only the report says."""
    out = set(said)
    for length, parts in (("quarter", ("q1", "q2", "q3", "q4")), ("half", ("h1", "h2"))):
        if length in out and not out & set(parts):
            named = periods_in(scope) & set(parts) if scope else set()
            if len(named) == 1:
                out = (out - {length}) | named
    return out


def _kind_of(periods: set[str]) -> set[str]:
    """The length a named period has: the third quarter is a quarter, the first half a half."""
    return ({"quarter"} if periods & {"q1", "q2", "q3", "q4"} else set()) | ({"half"} if periods & {"h1", "h2"} else set())


def _last_period(text: str) -> set[str]:
    last, where = set(), -1
    for name, rx in PERIODS:
        for m in rx.finditer(text):
            if m.start() > where:
                last, where = {name}, m.start()
    return last


def plan_fit(needs: Needs, sentence: str) -> float:
    if needs.wants_plan or not PLAN_RE.search(sentence):
        return 1.0
    return 0.6


def score(cov: float, kind: float, date: float, plan: float, rank: int, lang: str) -> float:
    prior = (0.12 if lang == "en" else 0.05) / (rank + 1)
    return cov * kind * date * plan + prior
