"""Real files from the wild (../shared/formats-wild): one `bot ingest` over all of them.

What a user sees when they drop such a folder into corpus/: no traceback, the build committed,
and every file either indexed or named with the true reason it was skipped. The test prints the
tables found per file beside the hand count in files.tsv (issue 18's yardstick). It embeds with
LangChain's DeterministicFakeEmbedding: what is checked here is reading, ids and storing, not
retrieval, and the real embedder would add many minutes on two cores.
"""
from __future__ import annotations

import csv

import pytest

from conftest import ROOT

WILD = ROOT.parent / "shared" / "formats-wild"
# reasons a person can act on; an internal error ("a bug in the assistant") is never one of them
HONEST = ("password", "encrypted", "scanned", "no text", "empty", "not supported", "not a readable",
          "over the", "neither UTF-8 nor GBK")


def wild_rows() -> dict[str, dict]:
    with open(WILD / "files.tsv", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def hand_counts() -> dict[str, int]:
    with open(WILD / "files.tsv", encoding="utf-8") as fh:
        return {row["file"]: int(row["tables_by_hand"] or 0) for row in csv.DictReader(fh, delimiter="\t")}


@pytest.mark.slow
def test_every_wild_file_is_indexed_or_skipped_with_its_reason(tmp_path, monkeypatch, capsys):
    if not (WILD / "files.tsv").is_file():
        pytest.skip(f"{WILD} is absent: it sits beside the checkout at ../shared/formats-wild")
    from langchain_core.embeddings import DeterministicFakeEmbedding

    import bot.ingest as ingest_module
    from bot.settings import Settings
    from bot.store import open_store

    monkeypatch.setattr(ingest_module, "get_embedder", lambda spec: DeterministicFakeEmbedding(size=16))
    settings = Settings().with_(corpus_dir=WILD / "files", index_dir=tmp_path / "index", max_file_mb=0)
    result = ingest_module.ingest(settings, progress=False, log=lambda msg: None)
    manifest = open_store(settings).current()
    assert manifest is not None and manifest.build, "the build is committed"

    names = sorted(p.name for p in (WILD / "files").iterdir() if p.is_file())
    for name in names:
        assert (name in manifest.files) != (name in manifest.skipped), f"{name}: neither indexed nor named"
    for name, why in manifest.skipped.items():
        assert "bug in the assistant" not in why, f"{name}: {why}"
        assert any(word in why for word in HONEST), f"{name}: {why}"

    # the scans (files.tsv: scanned = yes) are read by OCR now, not skipped (issue 21)
    scanned = [n for n, row in wild_rows().items() if row["scanned"] == "yes"]
    for name in scanned:
        assert name in manifest.files, f"{name}: {manifest.skipped.get(name)}"
        assert manifest.files[name].get("ocr_pages"), f"{name}: no page read by OCR"

    hand = hand_counts()
    found = {n: manifest.files[n]["tables"] for n in manifest.files}
    with capsys.disabled():
        print(f"\nformats-wild: {len(manifest.files)} indexed, {len(manifest.skipped)} skipped, "
              f"{result.chunks} chunks; tables found / by hand:")
        for name in names:
            got = found.get(name, "-")
            ocr = manifest.files.get(name, {}).get("ocr_pages")
            print(f"  {got!s:>4} / {hand.get(name, '?')!s:<4} {name}"
                  + (f"  [OCR pages {ocr}]" if ocr else "")
                  + (f"  [skipped: {manifest.skipped[name][:80]}]" if name in manifest.skipped else ""))
        counted = [n for n in found if n in hand]
        print(f"  total {sum(found[n] for n in counted)} / {sum(hand[n] for n in counted)} "
              f"over the {len(counted)} indexed files with a hand count")
