"""Words for the lexical side: jieba tokens for Chinese, lower-cased words for Latin text.

BM25 itself is `bm25s` (sparse matrices, fast at 100k chunks); this module only decides what a
token is, so ingest and questions tokenise the same way.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
from functools import lru_cache

STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 为 对 也 都 就 而 并 其 该 这 那 之 于 以 把 被 从 到 向 由 中 上 下 个 年 月 日 "
    "吗 呢 吧 啊 呀 么 请问 请 什么 多少 几 哪 哪些 哪个 怎么 怎样 如何 是否 有没有 有 没有 "
    "the a an of in on at to for and or is are was were be by with from as that this what which "
    "how many much does do did it its".split()
)
PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba():
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
    import jieba.posseg as pseg

    _jieba()
    return [(w.word, w.flag) for w in pseg.lcut(text)]


def words(text: str) -> list[str]:
    """Precise-mode words (no overlapping sub-words), for splitting a phrase into its parts."""
    return [w for w in _jieba().lcut(text) if w.strip()]
