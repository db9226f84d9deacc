"""Which line titles a report, checked against its file name.

A format's reader proposes a title: the largest type on a PDF's first page, a Word document's
Title or first level-1 heading, the first short line of a text. That guess is often a line that
does not title the document: a series name and editor on a cover, a section heading such as
"事件简介" or "Corporate", a company named in passing. A file name, on the other hand, is often
the document's title as the person who saved it wrote it ("医药健康行业研究：从…看行业风向.pdf").
So:

- a file name is *descriptive* when it has words of its own (at least `MIN_UNITS` Latin words
  or Chinese character pairs, not an id such as "600080_20250425_P7ID") and most of them occur
  in the document itself (then it names what is inside, not where the file came from);
- the proposed title *agrees* with a descriptive file name when most of its words are in the file
  name or most of the file name's words are in it (compared within one script: a Chinese cover
  title and an English file name cannot be compared, and the title stands);
- a title that does not agree gives way to the file name.

A title printed twice (a cover set twice over: "A B A B") is read once.
Nothing here names a document; the rules are about the shape of titles and file names.
"""
from __future__ import annotations

import re
from pathlib import PurePath

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
LATIN_WORD_RE = re.compile(r"[A-Za-z]{3,}")
CJK_RUN_RE = re.compile(rf"[{CJK}]{{2,}}")
# a leading bracketed tag names the publisher or series ("【某某证券】…"), not what the document is about
TAG_RE = re.compile(r"^\s*[【\[［][^】\]］]{1,24}[】\]］]\s*")
# the page count a download site appends ("…-15页", "…_8页")
PAGE_COUNT_RE = re.compile(r"[\s_\-－]*\d{1,4}\s*页\s*$")
# a calendar date in a file name ("2020-04-03", "2017_02_24"): when it was saved or published
FILE_DATE_RE = re.compile(r"(?<!\d)(?:19|20)\d\d[-_.](?:0?[1-9]|1[0-2])[-_.](?:0?[1-9]|[12]\d|3[01])(?!\d)")

MIN_UNITS = 3  # a descriptive file name has at least this many words of its own
IN_DOCUMENT = 0.6  # ... and at least this share of them occurs in the document
AGREE = 0.5  # a title agrees with a file name when this share of the words of either is in the other
MIN_TITLE_UNITS = 2  # a single word ("Corporate") is a section heading, not a document's title


def units(text: str) -> tuple[set[str], set[str]]:
    """The words of a text as two sets: Latin words (lower case, three letters or more) and
    pairs of adjacent Chinese characters (Chinese has no spaces; a pair is the smallest unit
    that still tells one name from another)."""
    latin = {w.lower() for w in LATIN_WORD_RE.findall(text)}
    pairs = {run[i:i + 2] for run in CJK_RUN_RE.findall(text) for i in range(len(run) - 1)}
    return latin, pairs


def file_title(file: str) -> str:
    """A file name written as a title: separators as spaces (a hyphen between digits stays:
    "2021-22"), the appended page count dropped."""
    stem = PurePath(file).stem
    text = PAGE_COUNT_RE.sub("", stem) or stem
    text = re.sub(r"_+", " ", text)
    text = re.sub(r"(?<!\d)-+|-+(?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip() or stem


def descriptive(file: str, document_text: str) -> bool:
    """Is the file name a title of the document: words of its own, most of which the document uses?"""
    name = TAG_RE.sub("", FILE_DATE_RE.sub(" ", file_title(file)))
    latin, pairs = units(name)
    own = len(latin) + len(pairs)
    if own < MIN_UNITS:
        return False
    doc_latin, doc_pairs = units(document_text)
    found = len(latin & doc_latin) + len(pairs & doc_pairs)
    return found >= IN_DOCUMENT * own


def agrees(title: str, file: str) -> bool:
    """Does a proposed title say what the (descriptive) file name says?"""
    t_latin, t_pairs = units(title)
    f_latin, f_pairs = units(TAG_RE.sub("", file_title(file)))
    compared = [(t, f) for t, f in ((t_pairs, f_pairs), (t_latin, f_latin)) if t and f]
    if not compared:
        return len(t_latin) + len(t_pairs) >= MIN_TITLE_UNITS  # nothing to compare it with
    t, f = compared[0]  # Chinese first: a Chinese title's Latin words are codes and acronyms
    if len(t_latin) + len(t_pairs) < MIN_TITLE_UNITS:
        return False
    shared = len(t & f)
    return shared >= AGREE * len(t) or shared >= AGREE * len(f)


def once(title: str) -> str:
    """A title whose lines repeat ("A B A B", a cover printed twice over) read once."""
    words = title.split()
    for size in range(1, len(words) // 2 + 1):
        if len(words) % size == 0 and words == words[:size] * (len(words) // size):
            return " ".join(words[:size])
    return title
