"""Words for the lexical side: jieba tokens for Chinese, lower-cased words for Latin text.

BM25 itself is `bm25s` (sparse matrices, fast at 100k chunks); this module only decides what a
token is, so ingest and questions tokenise the same way.
"""
from __future__ import annotations

import io
import logging
import os
import re
import sqlite3
import tempfile
import threading
from functools import lru_cache

STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 为 对 也 都 就 而 并 其 该 这 那 之 于 以 把 被 从 到 向 由 中 上 下 个 年 月 日 "
    "吗 呢 吧 啊 呀 么 请问 请 什么 多少 几 哪 哪些 哪个 怎么 怎样 如何 是否 有没有 有 没有 "
    "the a an of in on at to for and or is are was were be by with from as that this what which "
    "how many much does do did it its".split()
)
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


def tokenize(text: str) -> list[str]:
    """Search-mode tokens (whole words plus their sub-words), lower-cased, no stopwords."""
    out = []
    for tok in _jieba().cut_for_search(text.lower()):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and not PUNCT_RE.match(tok):
            out.append(tok)
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
