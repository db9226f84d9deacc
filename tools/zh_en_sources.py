"""Mark each row of bot/data/vocab/zh_en.tsv whose Chinese form CC-CEDICT glosses with one of the
row's English forms as `cedict` (the source the test checks); others keep the standard named.

    python tools/zh_en_sources.py [--fill]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.vocabdata import DATA, cedict_attests  # noqa: E402


def main(fill: bool) -> int:
    path = DATA / "zh_en.tsv"
    out, header, n = [], False, 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip() or not header:
            header = header or not (line.startswith("#") or not line.strip())
            out.append(line)
            continue
        zh, en, source = line.split("\t")
        if cedict_attests(zh.split("|"), en.split("|")):
            source, n = "cedict", n + 1
        elif source == "cedict":
            print("not in CC-CEDICT:", zh, en)
            source = "?"
        out.append("\t".join((zh, en, source)))
    print(n, "rows attested by CC-CEDICT of", sum(1 for _ in out) - 1)
    if fill:
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main("--fill" in sys.argv))
