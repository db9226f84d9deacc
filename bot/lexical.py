"""Words for the lexical side: jieba tokens for Chinese, stemmed English words, and numbers.

BM25 itself is `bm25s` (sparse matrices, fast at 100k chunks); this module only decides what a
token is, so ingest and questions tokenise the same way.

A text is cut into runs: CJK runs go to jieba's search mode; the rest is English (lower-cased,
NLTK's stop words as bm25s ships them, Snowball's English stemmer through PyStemmer) or numbers.
A number is one token with its grouping commas dropped and its decimals kept ("8,779" -> "8779",
"27,616,611.72" -> "27616611.72", "2019年" -> "2019"), so a question may write a figure with or
without separators; signs, currency and "%" are not part of it.
"""
from __future__ import annotations

import io
import logging
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from functools import lru_cache

from .startup import may_patch

# Chinese stop words; English ones come from bm25s (see _stop_words)
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 为 对 也 都 就 而 并 其 该 这 那 之 于 以 把 被 从 到 向 由 中 上 下 个 年 月 日 "
    "吗 呢 吧 啊 呀 么 请问 请 什么 多少 几 哪 哪些 哪个 怎么 怎样 如何 是否 有没有 有 没有".split()
)
# runs of CJK ideographs (with the CJK extension A block) go to jieba; everything else is Latin
CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_TOKEN_RE = re.compile(
    r"(?P<acronym>\b(?:[a-z]\.){2,})"  # "u.s." -> "us"
    r"|(?P<number>(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\w)|\d+(?:\.\d+)?(?!\w))"
    r"|(?P<word>[a-z0-9]+(?:['’][a-z]+)*)"
)
# question words NLTK's list lacks (it has "how", not "many")
EN_QUESTION_WORDS = frozenset({"many", "much"})
PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
# jieba and its tag table load on first use; two requests arriving at once on a fresh server must
# not both load them (posseg's loader swaps a class attribute for a moment): the second waited for
# nothing and got wrong part-of-speech tags, which the caches of question analysis then kept
_INIT_LOCK = threading.RLock()


def _jieba():
    with _INIT_LOCK:
        return _load_jieba()


# jieba's whole dictionary is read into memory on first use, as jieba does, except in a one-off
# process (`bot ask`) that asked for `look_up_lazily`: it looks words up in an SQLite copy
_LAZY = False


def look_up_lazily() -> None:
    """Look jieba's words up one by one instead of reading its whole dictionary: for a process
    that tokenises a question or two and exits. Call it before the first tokenisation."""
    global _LAZY
    _LAZY = True


@lru_cache(maxsize=1)
def _load_jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # jieba caches its dictionary in $TMPDIR; make sure that exists and is writable
    jieba.dt.tmp_dir = os.environ.get("BOT_JIEBA_CACHE") or tempfile.gettempdir()
    path = _dictionary_db(jieba)  # made once per machine (by the first ingest, as a rule)
    if _LAZY and may_patch("jieba", jieba):
        freq = _Frequencies(path)
        jieba.dt.FREQ, jieba.dt.total = freq, freq.total
        jieba.dt.initialized = True
    else:
        jieba.initialize()
    # market-research words jieba's dictionary splits ("占比" -> "占"/"比"); general vocabulary only
    for word in ("占比", "同比增长", "市场规模", "增速", "增长率", "市场份额", "占有率", "营收"):
        jieba.add_word(word, tag="n")
    return jieba


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS  # bm25s loads anyway with the index

    return frozenset(STOPWORDS_EN_PLUS) | EN_QUESTION_WORDS


_local = threading.local()


def _stem_words(words: list[str]) -> list[str]:
    # one Snowball stemmer per thread: PyStemmer's objects are not safe to share between threads
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


def tokenize(text: str) -> list[str]:
    """BM25 tokens: jieba's search-mode words for CJK runs (whole words plus their sub-words),
    stemmed English words without stop words, and numbers, in text order."""
    text = unicodedata.normalize("NFKC", text).lower()  # full-width "２０１９" is "2019"
    out: list[str] = []
    pos = 0
    for m in CJK_RUN_RE.finditer(text):
        out += _latin_tokens(text[pos:m.start()])
        out += _cjk_tokens(m.group())
        pos = m.end()
    out += _latin_tokens(text[pos:])
    return out


def _cjk_tokens(run: str) -> list[str]:
    out = []
    for tok in _jieba().cut_for_search(run):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and not PUNCT_RE.match(tok):
            out.append(tok)
    return out


def _latin_tokens(run: str) -> list[str]:
    if not run or run.isspace():
        return []
    out: list[str] = []
    to_stem: list[int] = []  # where the plain words sit in `out`
    for m in LATIN_TOKEN_RE.finditer(run):
        if m.group("number"):
            out.append(m.group("number").replace(",", ""))
        elif m.group("acronym"):
            out.append(m.group("acronym").replace(".", ""))
        else:
            word = m.group("word").replace("’", "'")
            if word in _stop_words():
                continue
            # alphanumeric codes ("k01111", "5g") stay as written: a stemmer would cut their ends
            if not any(ch.isdigit() for ch in word):
                to_stem.append(len(out))
            out.append(word)
    if to_stem:
        for i, stem in zip(to_stem, _stem_words([out[i] for i in to_stem])):
            out[i] = stem
    return out


def pos_tag(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech) pairs, for telling places, organisations and nouns apart."""
    return [(w.word, w.flag) for w in _posseg().lcut(text)]


class _Lookup(dict):
    """A table of jieba's dictionary looked up key by key in an SQLite copy of it, each answer
    kept. jieba reads the whole dictionary (350,000 words, their prefixes and tags) before its
    first cut, which is most of a cold `bot ask`'s second; a question needs a few hundred keys.
    Entries set at run time (`jieba.add_word`) live in the dict itself."""

    _SQL = ""

    def __init__(self, path: str):
        super().__init__()
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._absent: set[str] = set()

    def _value(self, key):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if key in self._absent or not isinstance(key, str):
            return None
        with self._lock:
            row = self._db.execute(self._SQL, (key,)).fetchone()
        if row is None:
            self._absent.add(key)
            return None
        dict.__setitem__(self, key, row[0])
        return row[0]

    def get(self, key, default=None):
        value = self._value(key)
        return default if value is None else value

    def __contains__(self, key):
        return self._value(key) is not None

    def __getitem__(self, key):
        value = self._value(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        self._absent.discard(key)
        dict.__setitem__(self, key, value)


class _Frequencies(_Lookup):
    """jieba's word -> frequency table (`Tokenizer.FREQ`: every word, and every prefix of a word
    at 0), with the total jieba divides by."""

    _SQL = "SELECT freq FROM freq WHERE word = ?"

    def __init__(self, path: str):
        super().__init__(path)
        self.total = self._db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()[0]


class _TagTable(_Lookup):
    """jieba.posseg's word -> part-of-speech table (read from dict.txt when `jieba.posseg` is
    imported, otherwise)."""

    _SQL = "SELECT tag FROM tags WHERE word = ?"


# bumped when the tables below change, so an older copy is not read
_DB_VERSION = 2


def _dictionary_db(jieba) -> str:
    """The SQLite copy of jieba's dictionary (frequencies with jieba's own prefix entries, and
    tags), made once per dictionary file in jieba's cache directory."""
    source = jieba.dt.get_dict_file()
    name = getattr(source, "name", "dict")
    source.close()
    stat = os.stat(name) if os.path.exists(name) else None
    key = f"{stat.st_size}-{int(stat.st_mtime)}" if stat else jieba.__version__
    path = os.path.join(jieba.dt.tmp_dir or tempfile.gettempdir(), f"bot-jieba-v{_DB_VERSION}-{key}.sqlite")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE tags (word TEXT PRIMARY KEY, tag TEXT) WITHOUT ROWID")
        db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER)")
        with jieba.dt.get_dict_file() as fh:
            rows = (line.decode("utf-8").split() for line in fh)
            db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?)", ((r[0], r[2]) for r in rows if len(r) == 3))
        # jieba's own reading of the file, so the copy holds exactly what `initialize` would
        freq, total = jieba.Tokenizer.gen_pfdict(jieba.dt.get_dict_file())
        db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
        db.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
        db.commit()
        db.close()
        os.replace(tmp, path)  # another process may build it at the same time: either copy is whole
    return path


def _posseg():
    with _INIT_LOCK:
        return _load_posseg()


@lru_cache(maxsize=1)
def _load_posseg():
    jieba = _jieba()
    if not may_patch("jieba", jieba):
        import jieba.posseg as pseg

        return pseg
    table = _TagTable(_dictionary_db(jieba))
    real = jieba.Tokenizer.get_dict_file
    jieba.Tokenizer.get_dict_file = lambda self: io.BytesIO(b"")  # skip posseg's full tag load at import
    try:
        import jieba.posseg as pseg
    finally:
        jieba.Tokenizer.get_dict_file = real
    table.update(pseg.dt.word_tag_tab)  # anything it did load (nothing, or tags added by add_word)
    pseg.dt.word_tag_tab = table
    return pseg


def words(text: str) -> list[str]:
    """Precise-mode words (no overlapping sub-words), for splitting a phrase into its parts."""
    return [w for w in _jieba().lcut(text) if w.strip()]
