"""General vocabulary for matching a question's words to a report's: synonyms, abbreviations
and their full forms (营收 -> 营业收入, 规上 -> 规模以上, EPS -> earnings per share), English <-> Chinese
pairs, abbreviations a report defines itself ("以下简称…", '(the "Company")'), and a soft
character-n-gram match that does not depend on word segmentation.

Everything here is general business, statistics, finance and market-research language, never
the wording of one report. The tables are data; the functions are cached, as the answerer and
retrieval call them for every question.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from . import vocabdata

# The word lists are data: bot/data/vocab/synonyms.tsv (groups of interchangeable terms, the formal
# term first; "measure" groups name what a figure is, "term" groups what it is about) and
# zh_en.tsv (English <-> Chinese), each with the resource its entries come from. See vocabdata.py.

MAX_VARIANTS = 64  # a term with several known words could otherwise yield thousands of spellings
_MAX_ALTS = 8  # alternatives tried per known word inside a longer term (a lone word gets them all)
_MAX_EXPAND = 24
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)*")
_ALNUM = re.compile(r"[a-z0-9]")
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
# words that join the parts of a measure ("营收的增速", "growth of revenue") without naming anything
_GLUE = frozenset("的 之 及 和 与 总 of the and in & - / total".split())
_EN_STOP = frozenset("the a an of and or in on for to by at from with as is are was were be what which "
                     "how much many did does do its their".split())
_RATE_HEADS = ("率", "额")  # "覆盖率", "交易额": a short word ending so names a rate or an amount


_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """The form terms are compared in: NFKC (full-width letters and brackets to ASCII), case-folded,
    no spaces between Chinese characters (PDF line breaks), runs of spaces collapsed."""
    t = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", t):  # full NFKC is slow; most text needs only the above
        t = unicodedata.normalize("NFKC", t)
    t = t.casefold().replace("\u2019", "'")
    t = _SPACE_IN_CJK.sub("", t)
    return re.sub(r"\s+", " ", t).strip()


def _is_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer (plurals, -ed, -ing, final e): enough for 'revenues' to meet
    'revenue' and 'operating' to meet 'operated' in a soft match; not a linguistic tool."""
    w = word.casefold()
    for _ in range(3):
        new = _stem_once(w)
        if new == w:
            break
        w = new
    return w


def _stem_once(w: str) -> str:
    if len(w) <= 3:
        return w
    if w.endswith("'s"):
        return w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    if w.endswith("ing") and len(w) > 5:
        return w[:-3]
    if w.endswith("ed") and len(w) > 4:
        return w[:-2]
    if w.endswith("e") and len(w) > 4:
        return w[:-1]
    return w


def _plurals(key: str) -> list[str]:
    """Inflected spellings of an English key's last word, so 'net revenues' finds 'net revenue'."""
    if not key[-1:].isalpha() or not key.isascii() or key.upper() == key:
        return []
    if key.endswith("y") and not key.endswith(("ay", "ey", "oy")):
        return [key[:-1] + "ies"]
    if key.endswith("s"):
        return [key[:-1]] if not key.endswith("ss") else []
    return [key + "s", key + "es"] if key.endswith(("x", "ch", "sh")) else [key + "s"]


@dataclass(eq=False, frozen=True)
class _Lexicon:
    """Known words, each with the display forms that may stand for it (the formal term first)."""

    alts: dict[str, tuple[str, ...]]
    starts: dict[str, tuple[str, ...]]  # first character -> keys beginning with it, longest first

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, Iterable[str]]]) -> "_Lexicon":
        alts: dict[str, dict[str, str]] = {}
        norms: dict[str, str] = {}  # a group's forms recur once per word of the group
        for word, forms in pairs:
            key = normalise(word)
            if len(key) < 2:  # one character ("占", "省") is part of too many other words
                continue
            slot = alts.setdefault(key, {})
            for form in forms:
                norm = norms.get(form)
                if norm is None:
                    norm = norms[form] = normalise(form)
                slot.setdefault(norm, form)
        for key in list(alts):
            for inflected in _plurals(key):
                alts.setdefault(inflected, alts[key])
        starts: dict[str, list[str]] = {}
        for key in alts:
            starts.setdefault(key[0], []).append(key)
        return cls({k: tuple(v.values()) for k, v in alts.items()},
                   {c: tuple(sorted(ks, key=len, reverse=True)) for c, ks in starts.items()})

    def segments(self, norm: str) -> list[tuple[str, tuple[str, ...] | None]]:
        """`norm` cut into known words (with their forms) and the text between them, taking the
        longest known word at each position; an English key must stand as a whole word."""
        out: list[tuple[str, tuple[str, ...] | None]] = []
        gap: list[str] = []
        i = 0
        while i < len(norm):
            hit = None
            if not (_ALNUM.match(norm[i]) and i and _ALNUM.match(norm[i - 1])):
                for key in self.starts.get(norm[i], ()):
                    end = i + len(key)
                    if norm.startswith(key, i) and not (
                            _ALNUM.match(key[-1]) and end < len(norm) and _ALNUM.match(norm[end])):
                        hit = key
                        break
            if hit is None:
                gap.append(norm[i])
                i += 1
                continue
            if gap:
                out.append(("".join(gap), None))
                gap = []
            out.append((hit, self.alts[hit]))
            i += len(hit)
        if gap:
            out.append(("".join(gap), None))
        return out


_MEASURE = [g.forms for g in vocabdata.synonym_groups() if g.kind == "measure"]
_ALL_GROUPS = [g.forms for g in vocabdata.synonym_groups()]
_STATIC = _Lexicon.build((w, g) for g in _ALL_GROUPS for w in g)
_MEASURES = _Lexicon.build((w, g) for g in _MEASURE for w in g)


def _translation_pairs():
    for zh, en in vocabdata.translation_pairs():
        yield from ((w, en) for w in zh)
        yield from ((w, zh) for w in en)


_TRANSLATIONS = _Lexicon.build(_translation_pairs())


def _freeze(learned: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(learned.items())) if learned else ()


@lru_cache(maxsize=32)
def _lexicon(learned: tuple[tuple[str, str], ...]) -> _Lexicon:
    """The static vocabulary plus a report's own abbreviations (cached per report's mapping)."""
    if not learned:
        return _STATIC
    own = [(w, (full, abbr)) for abbr, full in learned for w in (full, abbr)]
    return _Lexicon.build(own + list(_STATIC.alts.items()))  # the report's own forms come first


def variants(term: str, learned: Mapping[str, str] | None = None) -> frozenset[str]:
    """The term, its synonyms, full forms and abbreviations, also for a term that contains known
    words ("规上文化企业营收" -> "规模以上文化企业营业收入", ...); at most MAX_VARIANTS forms.
    Latin forms may differ in case from a text: compare with `normalise`."""
    return _variants(term, _lexicon(_freeze(learned)))


@lru_cache(maxsize=8192)
def _variants(term: str, lex: _Lexicon) -> frozenset[str]:
    norm = normalise(term)
    out = {norm: term}
    segs = lex.segments(norm)
    slots = [i for i, (_, alts) in enumerate(segs) if alts]
    if not slots:
        return frozenset(out.values())
    per_slot = max(_MAX_ALTS, MAX_VARIANTS // len(slots))
    choices = {i: [a for a in segs[i][1] if normalise(a) != segs[i][0]][:per_slot] for i in slots}

    def add(picks: dict[int, str]) -> bool:
        text = "".join(picks.get(i, piece) for i, (piece, _) in enumerate(segs))
        out.setdefault(normalise(text), text)
        return len(out) >= MAX_VARIANTS

    # every word in its formal term first: that is the spelling a report most likely uses
    if add({i: segs[i][1][0] for i in slots}):
        return frozenset(out.values())
    for level in range(1, len(slots) + 1):
        for chosen in itertools.combinations(slots, level):
            for picks in itertools.product(*(choices[i] for i in chosen)):
                if add(dict(zip(chosen, picks))):
                    return frozenset(out.values())
    return frozenset(out.values())


def is_abbreviation(short: str, full: str) -> bool:
    """Is `short` a Chinese abbreviation of `full`: shorter, beginning with its first character and
    keeping its characters in order (社零 for 社会消费品零售总额, 规上 for 规模以上, 营收 for 营业收入)?
    A word that drops the head of a term instead (收入 for 营业收入) is a broader word, not its
    abbreviation."""
    short, full = normalise(short), normalise(full)
    if not (_is_cjk(short) and _is_cjk(full)) or len(short) >= len(full) or short[:1] != full[:1]:
        return False
    j = 0
    for ch in short:
        j = full.find(ch, j)
        if j < 0:
            return False
        j += 1
    return True


# word classes that end a compound term (jieba's tags): conjunctions, particles, prepositions,
# pronouns, numerals and measure words, punctuation ("净资产和利润" is no abbreviation of 净利润)
_NOT_IN_TERM = ("c", "u", "p", "r", "m", "q", "x", "w")
MAX_ABBREVIATION_SPAN = 3  # a term at most three times as long as its abbreviation


@lru_cache(maxsize=65536)
def abbreviation_in(term: str, text: str) -> str:
    """The term of `text` that `term` abbreviates, or "": a Chinese word the dictionary does not
    know (社零总额, 医保目录) stands for a compound of the text whose words it takes in order from
    their beginnings (社会/消费品/零售/总额, 医保/药品/目录): its first character begins a word, each
    next one continues the previous or begins a later word (jieba's words and the words inside
    them), with no function word between. A known word (净利润) is a word of its own, not an
    abbreviation; and a term of fewer than three characters is too short to tell."""
    term = normalise(term)
    if len(term) < 3 or not _CJK_RUN.fullmatch(term) or term in text or _known_word(term):
        return ""
    for run in _CJK_RUN.finditer(text):
        if len(run.group()) <= len(term) or not _in_order(term, run.group()):
            continue  # (a cheap test first: most passages do not hold the characters in order)
        found = _abbreviated_span(term, run.group())
        if found:
            return found
    return ""


def _in_order(term: str, run: str) -> bool:
    """Does the run hold the term's characters in order, within the longest span allowed?"""
    start = run.find(term[0])
    while start >= 0:
        at, ok = start, True
        for ch in term[1:]:
            at = run.find(ch, at + 1)
            if at < 0 or at - start >= MAX_ABBREVIATION_SPAN * len(term):
                ok = False
                break
        if ok:
            return True
        start = run.find(term[0], start + 1)
    return False


@lru_cache(maxsize=4096)
def _run_words(run: str) -> tuple[tuple[tuple[int, int], ...], frozenset[int]]:
    """A run's words (jieba's, and the words inside them) as (start, end), and the positions of
    the characters of words that may not stand inside a term."""
    from .lexical import _jieba, pos_tag

    spans = tuple(sorted({(a, b) for _w, a, b in _jieba().tokenize(run, mode="search")}))
    closed, pos = set(), 0
    for word, flag in pos_tag(run):
        if flag.startswith(_NOT_IN_TERM):
            closed.update(range(pos, pos + len(word)))
        pos += len(word)
    return spans, frozenset(closed)


def _known_word(word: str) -> bool:
    from .lexical import _jieba

    return bool(_jieba().dt.FREQ.get(word))


def _abbreviated_span(term: str, run: str) -> str:
    spans, closed = _run_words(run)
    starts = {a for a, _b in spans}
    for first in (i for i in sorted(starts) if run[i] == term[0] and i not in closed):
        at, ok = first, True
        for ch in term[1:]:
            if at + 1 < len(run) and run[at + 1] == ch and at + 1 not in closed:
                at += 1  # continues the word
                continue
            nxt = next((i for i in sorted(starts) if i > at and run[i] == ch), None)
            if nxt is None or any(k in closed for k in range(at + 1, nxt + 1)):
                ok = False
                break
            at = nxt  # begins a later word
        if ok and at + 1 - first <= MAX_ABBREVIATION_SPAN * len(term):
            # the whole last word the abbreviation reaches into: 医保目录 -> 医保药品目录
            end = max((b for a, b in spans if a <= at < b), default=at + 1)
            return run[first:end]
    return ""


def spelled_out(text: str) -> str:
    """The text with each general abbreviation it uses written as its formal term ("合肥社零总额" ->
    "合肥社会消费品零售总额"): what a report prints, for the embedding side of retrieval, which does
    not know the short forms. Only abbreviations in the strict sense (`is_abbreviation`) are
    replaced; other synonyms and everything else stay as asked."""
    if not _is_cjk(text):
        return text
    for piece, alts in _STATIC.segments(normalise(text)):
        if alts and is_abbreviation(piece, alts[0]) and piece in text:
            text = text.replace(piece, alts[0])  # (the asker's other characters kept as written)
    return text


def known_terms(text: str, learned: Mapping[str, str] | None = None) -> list[str]:
    """The vocabulary's words found in `text`, longest first at each position ("前十大股东")."""
    return [seg for seg, forms in _lexicon(_freeze(learned)).segments(normalise(text)) if forms]


def expand(text: str, learned: Mapping[str, str] | None = None, translate: bool = False,
           depth: int = _MAX_ALTS) -> list[str]:
    """Phrases to add to a question for retrieval: the formal terms (and other forms) of the
    everyday words and abbreviations found in it, those the text lacks, formal terms first.
    With `translate`, also the other language's words for them (a Chinese report asked in English).
    `depth` caps how many of each word's forms are tried (1: its formal term only)."""
    norm = normalise(text)
    # an organisation's full name ("华润三九医药股份有限公司") is not added for its short name: the
    # report writes the short name it defined, and the full name's generic words (医药, 股份,
    # 有限公司) would pull in every other company's passage
    orgs = {normalise(full) for full in (learned or {}).values() if _is_org(full)}
    found = [tuple(a for a in alts if normalise(a) not in orgs or normalise(a) == seg)
             for seg, alts in _lexicon(_freeze(learned)).segments(norm) if alts]
    found += _change_asked(norm)
    if translate:
        found += [alts for _, alts in _TRANSLATIONS.segments(norm) if alts]
        found += [names for names in _names_in(norm)]
        found += _dictionary_in(norm)
    out: dict[str, str] = {}
    for depth in range(min(depth, _MAX_ALTS)):  # round-robin so every word found gets its formal term in
        for alts in found:
            if depth < len(alts):
                key = normalise(alts[depth])
                if key not in norm and len(key) > 1:
                    out.setdefault(key, alts[depth])
            if len(out) >= _MAX_EXPAND:
                return list(out.values())
    return list(out.values())


@lru_cache(maxsize=1)
def _change_ask() -> tuple[re.Pattern, dict[str, tuple[str, ...]]]:
    """'<verb of rising or falling>(了)多少/几' and the measure group each direction asks for: the
    growth measures (the role-"metric" group holding 增长) and the decline ones (holding 下降)."""
    # a one-character verb other than 涨/跌/降 is usually part of a word ("新增了多少款": newly added)
    verbs = {w: d for w, d in vocabdata.change_words().items() if len(w) > 1 or w in "涨跌降"}
    pattern = re.compile("(" + "|".join(sorted(map(re.escape, verbs), key=len, reverse=True)) + ")了?(?:多少|几)")
    groups = {}
    for direction, heads in (("rise", ("增长", "上涨")), ("fall", ("下降",))):
        forms = [f for g in vocabdata.synonym_groups() if g.kind == "measure" and g.lang == "zh"
                 and any(h in g.forms for h in heads) and (g.role == "metric" or "增长" not in g.forms)
                 for f in g.forms]
        groups[direction] = tuple(dict.fromkeys(forms))
    return pattern, {v: groups[d] for v, d in verbs.items()}


def _change_asked(norm: str) -> list[tuple[str, ...]]:
    """A question asking how much something rose or fell ("涨了多少") asks for a change: the
    forms of the growth (or decline) measure, formal term first."""
    pattern, groups = _change_ask()
    return list(dict.fromkeys(groups[m.group(1)] for m in pattern.finditer(norm)))


def cross_lingual(term: str, names: bool = True) -> frozenset[str]:
    """Translations of a term: Chinese words for an English one and English for a Chinese one.
    A compound with no entry of its own is put together from its parts' translations. With
    `names`, a proper name is transliterated too (Nanjing <-> 南京); a question that gives a
    company's Chinese name itself ("Jinhua Enterprise (金花股份)") needs no guess at it."""
    return _cross_lingual(term, names)


@lru_cache(maxsize=4096)
def _cross_lingual(term: str, names: bool = True) -> frozenset[str]:
    zh = _is_cjk(term)
    forms = [normalise(term)] + sorted(normalise(v) for v in variants(term))
    out: dict[str, str] = {}
    for form in forms:
        for t in _TRANSLATIONS.alts.get(form, ()):
            out.setdefault(normalise(t), t)
    if not out and names:
        for t in _names(term):
            out.setdefault(normalise(t), t)
    if not out:
        for t in _dictionary(term):
            out.setdefault(normalise(t), t)
    if not out:
        for t in _compose(normalise(term), zh):
            out.setdefault(normalise(t), t)
    if not out and zh:
        for t in _head(normalise(term)):
            out.setdefault(normalise(t), t)
    # a translated synonym may be a same-language acronym ("GDP"): keep the other language only
    return frozenset(t for t in out.values() if _is_cjk(t) != zh)


_MAX_NAME_SENSES = 3  # an English name CC-CEDICT gives more Chinese names than this is too vague


def _names(term: str) -> tuple[str, ...]:
    """A proper name's other-script forms (names.tsv, from CC-CEDICT): 南京 -> Nanjing, and an
    English name written capitalised ("Nanjing", "Bank of China") -> its Chinese names."""
    term = term.strip()
    if _is_cjk(term):
        return vocabdata.names().to_en.get(term, ())
    if not term[:1].isupper():
        return ()  # "power", "hope": a lower-case word is no name
    found = vocabdata.names().to_zh.get(term.casefold(), ())
    return found if len(found) <= _MAX_NAME_SENSES else ()


_NAME_RUN = re.compile(r"[A-Z][\w\u00C0-\u024F&'.-]*(?:\s+(?:of|and|the|for|&|[A-Z][\w\u00C0-\u024F&'.-]*))*")


def _dictionary(term: str) -> tuple[str, ...]:
    """A Chinese word's English glosses from the everyday dictionary (cedict_terms.tsv, from
    CC-CEDICT): 全球 -> global, 采购 -> purchase. Not the other way round: an English word glosses
    many Chinese words ("large", "major", "end"), and a wrong one counts against every passage."""
    if _is_cjk(term):
        return vocabdata.cedict_to_en().get(term.strip(), ())
    return ()


def _dictionary_in(norm: str, longest: int = 6) -> list[tuple[str, ...]]:
    """Glosses of the everyday words of a Chinese text, longest word first at each position."""
    terms = vocabdata.cedict_to_en()
    out = []
    for run in _CJK_RUN.findall(norm):
        i = 0
        while i < len(run):
            for j in range(min(len(run), i + longest), i + 1, -1):
                if run[i:j] in terms:
                    out.append(terms[run[i:j]][:2])
                    i = j
                    break
            else:
                i += 1
    return out


def _names_in(norm: str, longest: int = 8) -> list[tuple[str, ...]]:
    """English forms of the Chinese proper names in a text (雀巢 -> Nestlé), longest first at
    each position."""
    out = []
    for run in _CJK_RUN.findall(norm):
        i = 0
        while i < len(run):
            for j in range(min(len(run), i + longest), i + 1, -1):
                found = vocabdata.names().to_en.get(run[i:j])
                if found:
                    out.append(found)
                    i = j
                    break
            else:
                i += 1
    return out


def english_names(text: str) -> list[str]:
    """English forms of the Chinese proper names in a text, also without accents (雀巢 ->
    Nestlé, Nestle), as file names write them."""
    out: list[str] = []
    for forms in _names_in(normalise(text)):
        for f in forms:
            bare = "".join(c for c in unicodedata.normalize("NFKD", f) if not unicodedata.combining(c))
            out += [x for x in (f, bare) if x not in out]
    return out


def name_translations(text: str) -> list[str]:
    """Chinese names for the capitalised names of an English text ("Nanjing's GDP" -> 南京),
    longest run of words first, then its words."""
    out: list[str] = []
    for m in _NAME_RUN.finditer(text):
        words = re.sub(r"['’]s\b", "", m.group()).split()
        spans = [(i, j) for n in range(len(words), 0, -1) for i in range(len(words) - n + 1) for j in [i + n]]
        taken: set[int] = set()
        for i, j in spans:
            if taken & set(range(i, j)):
                continue
            found = _names(" ".join(words[i:j]).strip(".,"))
            if found:
                taken |= set(range(i, j))
                out += [f for f in found if f not in out]
    return out


def _head(norm: str) -> tuple[str, ...]:
    """A Chinese compound no entry or composition translates is translated by its head, the
    longest known word it ends with (净销售额 -> 销售额 -> sales): a Chinese compound puts its
    head last, and the head names the kind of thing, less exactly."""
    for i in range(1, len(norm) - 1):
        alts = _TRANSLATIONS.alts.get(norm[i:])
        if alts:
            return alts
    return ()


def _compose(norm: str, zh: bool, limit: int = 8) -> list[str]:
    """'hotel occupancy rate' -> '酒店出租率': modifier-head order holds in both languages;
    'X of Y' is turned round first. Every word must be known, else nothing."""
    if not zh:
        m = re.fullmatch(r"(.+?) of (?:the )?(.+)", norm)
        if m:
            norm = f"{m.group(2)} {m.group(1)}"
    parts: list[tuple[str, ...]] = []
    for piece, alts in _TRANSLATIONS.segments(norm):
        if alts:
            parts.append(alts[:2])
        elif any(w not in _GLUE for w in (piece.split() if not zh else [piece.strip()]) if w):
            return []
    if len(parts) < 2:
        return []
    joiner = " " if zh else ""
    return [joiner.join(p) for p in itertools.islice(itertools.product(*parts), limit)]


def same_meaning(a: str, b: str, learned: Mapping[str, str] | None = None) -> bool:
    """Whether two terms name the same thing: equal once normalised, synonyms, abbreviation and
    full form (also the report's own), or translations of each other."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return False
    if na == nb or (not _is_cjk(na) and not _is_cjk(nb) and _stems(na) == _stems(nb)):
        return True
    va = {normalise(v) for v in variants(a, learned)}
    vb = {normalise(v) for v in variants(b, learned)}
    if nb in va or na in vb:
        return True
    xa = {normalise(x) for x in cross_lingual(a)}
    xb = {normalise(x) for x in cross_lingual(b)}
    return bool(xa & vb or xb & va)


def _stems(norm: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _LATIN_WORD.findall(norm) if w not in _EN_STOP)


def is_measure(term: str) -> bool:
    """Whether the term names a measure (营收, 增速, 占比, revenue, margin, 营收增速) rather than
    a subject (文化企业, 药店) or a subject with its measure (文化企业营收: see `split_measure`)."""
    norm = normalise(term)
    if not norm:
        return False
    segs = _MEASURES.segments(norm)
    if any(alts for _, alts in segs) and all(alts or _glue(piece) for piece, alts in segs):
        return True
    return _is_cjk(norm) and len(norm) <= 4 and norm.endswith(_RATE_HEADS) and not _CJK_RE.sub("", norm)


def _glue(piece: str) -> bool:
    words = piece.split() if not _is_cjk(piece) else [piece.strip()]
    return all(not w or w in _GLUE or not _ALNUM.search(w) and not _CJK_RE.search(w) for w in words)


def split_measure(term: str) -> tuple[str, str]:
    """(subject, measure) of a term: '规上文化企业营收' -> ('规上文化企业', '营收'),
    'revenue of hotels' -> ('hotels', 'revenue'). Either part may be ''. Parts are normalised."""
    norm = normalise(term)
    if is_measure(norm):
        return "", norm
    m = re.fullmatch(r"(.+?) of (?:the )?(.+)", norm)
    if m and is_measure(m.group(1)):
        return m.group(2), m.group(1)
    for i in range(1, len(norm)):
        if norm[i] in "的之 ":
            continue
        if norm[i - 1] == " " or _is_cjk(norm[i]) or not _ALNUM.match(norm[i - 1]):
            if is_measure(norm[i:]):
                return norm[:i].rstrip(" 的之"), norm[i:].strip()
    return norm, ""


def char_ngrams(text: str, n: int = 2) -> set[str]:
    """The units a soft match counts: character n-grams of each run of Chinese characters (a
    run shorter than n counts as itself) and the stemmed Latin words and numbers."""
    return set(_units(text, n))


@lru_cache(maxsize=16384)
def _units(text: str, n: int = 2) -> frozenset[str]:
    return _compute_units(text, n)


@lru_cache(maxsize=512)  # passages are long and many: fewer of them cached than of terms
def _text_units(text: str) -> frozenset[str]:
    return _compute_units(text, 2)


def _compute_units(text: str, n: int) -> frozenset[str]:
    norm = normalise(text)
    out: set[str] = set()
    for run in _CJK_RUN.findall(norm):
        if len(run) <= n:
            out.add(run)
        elif n == 2:
            out.update(map(str.__add__, run[:-1], run[1:]))
        else:
            out.update(run[i:i + n] for i in range(len(run) - n + 1))
    out.update(stem(w) for w in set(_LATIN_WORD.findall(norm)) - _EN_STOP)
    return frozenset(out)


def ngram_overlap(term: str, text: str, learned: Mapping[str, str] | None = None, *,
                  synonyms: bool = True) -> float:
    """Share of the term's units (`char_ngrams`) found in the text, 0..1: a match that survives
    word segmentation ("营收" in "营收多少", "营业收入" in "营业收入为"). With `synonyms`, the best
    share over the term's `variants`, so "营收" also meets "营业收入为"."""
    have = _text_units(text)
    best = 0.0
    for form in (variants(term, learned) if synonyms else (term,)):
        units = _units(form)
        if units:
            best = max(best, len(units & have) / len(units))
            if best == 1.0:
                break
    return best


# --- terms a report defines itself -------------------------------------------------------------
_NAME_Q = r"[\"“「『‘']\s*([^\"“”「」『』‘’'\n()（）]{1,40}?)\s*[\"”」』’']"
_ZH_DEF = re.compile(r"[(（]\s*(?:以下|下文|后文|下)?\s*(?:简称|合称|统称|称)\s*(?:为|:|：)?\s*"
                     r"([^()（）\n]{1,60}?)\s*[)）]")
_NAME_QN = r"[\"“「『‘']\s*[^\"“”「」『』‘’'\n()（）]{1,40}?\s*[\"”」』’']"
_EN_DEF = re.compile(
    r"[(（]\s*(?:(?:hereinafter|hereafter)\s*,?\s*(?:(?:referred\s+to\s+as|called)\s+)?|collectively\s*,?\s*"
    r"|together\s*,?\s*|also\s+(?:known\s+as|called)\s+|each\s*,?\s*(?:a\s+|an\s+)?)?"
    r"((?:(?:the|a|an)\s+)?" + _NAME_QN + r"(?:\s*(?:,|or|and|或|、|，)\s*(?:(?:the|a|an)\s+)?" + _NAME_QN
    + r")*)\s*[)）]", re.I)
_EN_INLINE = re.compile(r",?\s*\b(?:hereinafter|hereafter)\s*,?\s*(?:referred\s+to\s+as|called)?\s*(?:the\s+)?"
                        + _NAME_Q, re.I)
_ACRONYM = re.compile(r"[(（]\s*([A-Z][A-Za-z0-9&]*[A-Z0-9&]s?)\s*[)）]")
_QUOTED_NAME = re.compile(_NAME_Q)
_ZH_BOUNDARY = re.compile(r"[，,。；;：:！？!?\n（）()“”\"「」『』、\s]")
_ORG_SUFFIX = re.compile(r"(公司|集团|银行|协会|学会|委员会|研究院|研究所|大学|学院|医院|中心|基金会|基金|事务所|"
                         r"联合会|商会|合伙企业|局|署|厅|办公室|政府)$")
# words that end the description before a name ("本公司控股子公司深圳某某有限公司")
_ZH_RELATIONS = ("子公司", "控股", "收购", "购买", "及其", "以及", "的", "与", "向", "对", "由", "是", "在", "将",
                 "拟", "及")
_ZH_PLACE = re.compile(r"(?:[\u4e00-\u9fff]{2,3}(?:省|市|自治区|特别行政区|区|县|州))+")
_ZH_LEAD = re.compile(r"^(?:\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|本|该|其)+")
_CORP_ABBR = frozenset("inc. corp. co. ltd. l.p. llc. n.v. s.a. plc. u.s. no. bros. l.l.c. s.p.a. ag.".split())
_EN_ORG_END = re.compile(r"\b(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.l\.c|l\.p|lp|llp|plc|"
                         r"group|holdings?|partners|partnership|bank|trust|fund|n\.v|s\.a|ag|gmbh|s\.p\.a)\.?$", re.I)
_CONNECTORS = frozenset("of and & de for the".split())
_PRONOUNS = frozenset("we us our it its they their this these you i".split())


def learn_definitions(text: str) -> dict[str, str]:
    """Abbreviations a report defines for itself, abbreviation -> full form:
    '规模以上工业（以下简称规上工业）', '某某股份有限公司（以下简称“公司”或“某某”）',
    'Foo Holdings, Inc. (the "Company")', 'restricted stock units (RSUs)', '..., hereinafter
    referred to as "X"'. Forms are as the text writes them, with line breaks between Chinese
    characters removed (PDF wrapping). The first definition of an abbreviation wins."""
    text = _SPACE_IN_CJK.sub("", unicodedata.normalize("NFC", text))
    found: list[tuple[int, int, list[str]]] = []
    for m in _ZH_DEF.finditer(text):
        body = m.group(1)
        names = _QUOTED_NAME.findall(body) or [n for n in re.split(r"[或、,，]", body)]
        found.append((m.start(), m.end(), names))
    for pattern in (_EN_DEF, _EN_INLINE):
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), _QUOTED_NAME.findall(m.group(0))))
    for m in _ACRONYM.finditer(text):
        found.append((m.start(), m.end(), [m.group(1)]))
    out: dict[str, str] = {}
    for start, _end, names in sorted(found, key=lambda f: f[0]):
        pre = text[max(0, start - 300):start]
        for name in names:
            abbr = name.strip().strip(",.;:，。；：").strip()
            if not abbr or abbr in out or abbr.casefold() in _PRONOUNS:
                continue
            full = _full_form(pre, abbr)
            if full and len(full) > len(abbr) and normalise(full) != normalise(abbr):
                out[abbr] = full
    return out


# "股票简称 | 华润三九 | 股票代码": the stock's short name, stated in a table of the report
_STOCK_NAME = re.compile(r"(?:股票|证券|A股|公司股票|公司的中文|中文)简称\s*[|｜:：]?\s*([\u4e00-\u9fffA-Za-z0-9*]{2,12})")
_ZH_COMPANY = re.compile(r"[\u4e00-\u9fff（）()]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团公司)")


def stock_names(text: str) -> dict[str, str]:
    """A report's stock (or Chinese) short name -> the company's full name found in the same
    text, whose characters hold the short name's in order (华润三九 -> 华润三九医药股份有限公司):
    "股票简称 | 华润三九", a row "股票简称：金花股份", "公司的中文简称 | 华锦股份"."""
    text = unicodedata.normalize("NFC", text)  # lines kept: a table's next row is no part of a name
    stated = [m.group(1) for m in _ZH_NAME_STATED.finditer(text)]  # "公司的中文名称 | 北方华锦…公司"
    out: dict[str, str] = {}
    for m in _STOCK_NAME.finditer(text):
        abbr = m.group(1)
        if abbr in out or abbr.startswith(("股票", "证券")):
            continue
        for name in stated + [_trim_name(n, abbr) for n in _ZH_COMPANY.findall(text)]:
            if name and len(name) > len(abbr) and _subsequence_start(name, abbr) is not None \
                    and not _ZH_RELATIONS_RE.search(name):
                out[abbr] = name
                break
    return out


_ZH_NAME_STATED = re.compile(r"(?:公司的中文名称|公司中文名称|中文名称|公司名称)\s*[|｜:：]\s*"
                             r"([\u4e00-\u9fff（）()]{4,40}?(?:股份有限公司|有限责任公司|有限公司|集团公司))")


def _trim_name(name: str, abbr: str) -> str:
    """A company name found in running text, from where the short name's first character is
    (or up to four characters before it, a place: 北方华锦… for 华锦股份), not from the words
    before it."""
    start = name.find(abbr[:1])
    if start < 0:
        return ""
    cut = max((name.rfind(r, 0, start) + len(r) for r in _ZH_RELATIONS if name.rfind(r, 0, start) >= 0), default=0)
    cut = max(cut, max((name.rfind(c, 0, start) + 1 for c in "，。；：、"), default=0))
    return name[cut:] if start - cut <= 4 else name[start:]


_ZH_RELATIONS_RE = re.compile("|".join(r for r in ("子公司", "收购", "购买", "及其", "以及", "的")))


def definitions_of(text: str) -> dict[str, str]:
    """The terms one report defines for itself (`learn_definitions`, and the stock short name
    it states); made at ingest and kept in the index's manifest with the file."""
    own = stock_names(text)
    for abbr, full in learn_definitions(text).items():
        own.setdefault(abbr, full)
    return {abbr: full for abbr, full in own.items()
            # a whole company name is no abbreviation; "…股份有限" is a line broken
            if not (_is_org(abbr) and len(abbr) >= 8 or full.startswith(abbr) and len(full) - len(abbr) <= 2)}


def merge_definitions(per_file: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The reports' definitions merged: an abbreviation two reports define differently ("公司",
    "the Company") stands for neither and is left out."""
    merged: dict[str, str] = {}
    clash: set[str] = set()
    for _file, own in sorted(per_file.items()):
        for abbr, full in own.items():
            if merged.get(abbr, full) != full:
                clash.add(abbr)
            merged.setdefault(abbr, full)
    return {a: f for a, f in merged.items() if a not in clash}


def learn_from_reports(texts: Mapping[str, str]) -> dict[str, str]:
    """`definitions_of` every report (file -> its text), merged."""
    return merge_definitions({f: definitions_of(t) for f, t in texts.items()})


def _is_org(name: str) -> bool:
    """Does the name end as an organisation's does (有限公司, 集团, Inc., Limited)?"""
    name = name.strip().rstrip(".,")
    return bool(_ORG_SUFFIX.search(re.sub(r"[(（][^()（）]*[)）]$", "", name)) or _EN_ORG_END.search(name))


def _full_form(pre: str, abbr: str) -> str | None:
    tail = pre.rstrip()
    if _is_cjk(abbr) or (tail and _is_cjk(tail[-1])):
        return _zh_full(pre, abbr)
    return _en_full(pre, abbr)


def _subsequence_start(clause: str, abbr: str) -> int | None:
    """Latest start from which the abbreviation's characters occur in order (规上工业 in
    '全国规模以上工业' starts at 规)."""
    low, j = clause.casefold(), len(clause)
    for ch in reversed(abbr.casefold()):
        if ch.isspace():
            continue
        j = low.rfind(ch, 0, j)
        if j < 0:
            return None
    return j


def _zh_full(pre: str, abbr: str) -> str | None:
    pre = pre.rstrip(" \"“”'")
    tail = ""
    bracket = re.search(r"[(（][^()（）]{1,8}[)）]$", pre)  # a name's own brackets: 企业（有限合伙）
    if bracket:
        tail, pre = pre[bracket.start():], pre[:bracket.start()]
    clause = _ZH_BOUNDARY.split(pre[-60:])[-1]
    start = _subsequence_start(clause, abbr)
    trivial = start is None or len(clause) - start <= len(abbr)
    if _ORG_SUFFIX.search(clause) and (trivial or _ORG_SUFFIX.search(abbr)):
        # a descriptive abbreviation ("贸易公司", "公司") stands for the whole name, which runs back
        # to the word introducing it ("…控股子公司深圳某某医药贸易有限公司"); a trade name ("华润三九")
        # starts where the name does
        region = clause if start is None else clause[:start]
        cuts = [region.rfind(r) + len(r) for r in _ZH_RELATIONS if r in region]
        if cuts or trivial:
            start = _name_start(clause, max(cuts, default=0))
    elif trivial:
        return None
    if start and _ORG_SUFFIX.search(clause):
        # a trade-name abbreviation drops the place the name begins with ("合肥", "中国", "广东省深圳市")
        cut = max((clause.rfind(r, 0, start) + len(r) for r in _ZH_RELATIONS if clause.rfind(r, 0, start) >= 0),
                  default=0)
        cut = _name_start(clause, cut)
        if cut < start and (start - cut <= 4 or _ZH_PLACE.fullmatch(clause[cut:start])):
            start = cut
    full = clause[start:] + tail
    return full if len(abbr) < len(full) <= 40 else None


def _name_start(clause: str, start: int) -> int:
    lead = _ZH_LEAD.match(clause[start:])
    return start + (len(lead.group(0)) if lead else 0)


def _en_full(pre: str, abbr: str) -> str | None:
    window = re.split(r"[;:\n()\[\]（）]", pre[-250:])[-1]
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", window)]
    cut = 0
    for k, (_, tok) in enumerate(tokens[:-1]):
        if tok.endswith(".") and tok.casefold() not in _CORP_ABBR and not re.fullmatch(r"(?:[A-Za-z]\.)+", tok):
            cut = k + 1
    tokens = tokens[cut:][-15:]
    if not tokens:
        return None
    parts = [(k, re.sub(r"[^\w&']", "", p).casefold())
             for k, (_, tok) in enumerate(tokens) for p in tok.split("-") if p]
    first = _match_back(parts, abbr)
    if first is None and _EN_ORG_END.search(window.rstrip(" ,")):
        first = _proper_name_start(tokens)  # 'Golar LNG Limited (the "Company")
    if first is None:
        return None
    full = window[tokens[first][0]:].strip().rstrip(",").strip()
    return full if len(full) > len(abbr) and len(full.split()) <= 12 else None


def _match_back(parts: list[tuple[int, str]], abbr: str) -> int | None:
    """Index of the token where the abbreviation's words (or an acronym's letters, as initials)
    begin, matched from the end of the text before it."""
    units: list[tuple[str, str]] = []
    for w in reversed(abbr.split()):
        if sum(c.isupper() for c in w) >= 2:
            letters = w[:-1] if w.endswith("s") and w[:-1].isupper() else w
            units += [("letter", c) for c in reversed(letters.casefold()) if c.isalnum()]
        else:
            units.append(("word", stem(re.sub(r"[^\w&']", "", w))))
    p, first = len(parts), None
    for kind, value in units:
        q = p - 1
        while q >= 0:
            word = parts[q][1]
            if word and (stem(word) == value if kind == "word" else word[0] == value and word not in _EN_STOP):
                break
            q -= 1
        if q < 0:
            return None
        p, first = q, q
    if first is None or len(parts) - first > len(units) + 3:  # too much skipped: not this phrase
        return None
    return parts[first][0]


def _proper_name_start(tokens: list[tuple[int, str]]) -> int | None:
    """Start of the capitalised name that ends the text: 'Golar LNG Limited (the "Company")'."""
    k = len(tokens) - 1
    while k >= 0:
        tok = tokens[k][1].strip(",")
        if not (tok[:1].isupper() or tok.casefold() in _CONNECTORS or tok.casefold() in _CORP_ABBR):
            break
        k -= 1
    start = k + 1
    while start < len(tokens) and tokens[start][1].casefold() in _CONNECTORS:
        start += 1
    if start >= len(tokens) or tokens[start][1].casefold() in _PRONOUNS:
        return None
    return start
