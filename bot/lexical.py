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


@lru_cache(maxsize=1)
def _load_jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # jieba caches its dictionary in $TMPDIR; make sure that exists and is writable
    jieba.dt.tmp_dir = os.environ.get("BOT_JIEBA_CACHE") or tempfile.gettempdir()
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


class _TagTable(dict):
    """jieba.posseg's word -> tag table, looked up word by word in an SQLite copy of jieba's
    dictionary. jieba reads all 350,000 tags from dict.txt when `jieba.posseg` is imported,
    which is most of a cold `bot ask`'s second; a question needs the tags of a dozen words.
    Words added at run time (`jieba.add_word(..., tag=)`) live in the dict itself."""

    def __init__(self, path: str):
        super().__init__()
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def get(self, word, default=None):
        if dict.__contains__(self, word):
            return dict.__getitem__(self, word)
        with self._lock:
            row = self._db.execute("SELECT tag FROM tags WHERE word = ?", (word,)).fetchone()
        return row[0] if row else default


def _tag_db(jieba) -> str:
    source = jieba.dt.get_dict_file()
    name = getattr(source, "name", "dict")
    source.close()
    stat = os.stat(name) if os.path.exists(name) else None
    key = f"{stat.st_size}-{int(stat.st_mtime)}" if stat else jieba.__version__
    path = os.path.join(jieba.dt.tmp_dir or tempfile.gettempdir(), f"bot-jieba-tags-{key}.sqlite")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE tags (word TEXT PRIMARY KEY, tag TEXT) WITHOUT ROWID")
        with jieba.dt.get_dict_file() as fh:
            rows = (line.decode("utf-8").split() for line in fh)
            db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?)", ((r[0], r[2]) for r in rows if len(r) == 3))
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
    table = _TagTable(_tag_db(jieba))
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
