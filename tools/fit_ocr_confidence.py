"""Fit bot.formats.ocr.LOW_CONFIDENCE: below which confidence an OCR'd figure should be checked.

Text-layer PDF pages are rasterised at the OCR resolution and read by OCR (results cached in
--cache, so reruns are fast); every OCR word holding a figure is right when that exact string is
among the figures of the page's text layer. The threshold chosen flags the most wrong figures
while flagging at most --budget of the right ones (a mark on every figure would be noise).

    python tools/fit_ocr_confidence.py --cache /tmp/ocr-fit FILE.pdf:2,4 OTHER.pdf:1
"""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

FIG = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def figures(text: str) -> set[str]:
    return {f for f in FIG.findall(text) if sum(c.isdigit() for c in f) >= 2}


def samples(spec: str, cache: Path) -> list[tuple[float, bool]]:
    import pdfplumber
    import pypdfium2 as pdfium

    from bot.formats import ocr

    path, _, pages = spec.rpartition(":")
    numbers = [int(n) for n in pages.split(",")]
    out = []
    with pdfplumber.open(path) as pdf:
        truth = {n: figures(pdf.pages[n - 1].extract_text() or "") for n in numbers}
    doc = pdfium.PdfDocument(path)
    images = [doc[n - 1].render(scale=ocr.DPI / 72).to_pil().convert("RGB") for n in numbers]
    doc.close()
    with tempfile.TemporaryDirectory() as tmp:
        for n, image in zip(numbers, images):
            png = Path(tmp) / f"{Path(path).stem[:40]}-{n}.png"
            image.save(png)  # the same pixels give the same file hash: the cache holds across runs
            with ocr.cache_in(cache):
                words, _ = ocr.image_words(png)
            for w in words:
                for f in figures(w.text):
                    out.append((w.conf, f in truth[n]))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pages", nargs="+", help="PDF:page,page,...")
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "ocr-fit")
    p.add_argument("--budget", type=float, default=0.05, help="share of right figures a mark may fall on")
    args = p.parse_args()
    data = [s for spec in args.pages for s in samples(spec, args.cache)]
    right = sorted(c for c, ok in data if ok)
    wrong = sorted(c for c, ok in data if not ok)
    print(f"{len(data)} figures read: {len(right)} right, {len(wrong)} not on the page's text layer")
    best = 0.0
    for t in sorted({round(c, 3) for c, _ in data} | {0.5}):
        flagged_right = sum(c < t for c in right) / max(len(right), 1)
        if flagged_right <= args.budget:
            best = t
    caught = sum(c < best for c in wrong)
    print(f"LOW_CONFIDENCE = {best:.3f}: marks {caught}/{len(wrong)} wrong figures and "
          f"{sum(c < best for c in right)}/{len(right)} right ones")


if __name__ == "__main__":
    main()
