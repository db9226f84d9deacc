"""RapidOCR against Tesseract on the same pages (README, OCR): text-layer PDF pages rendered at
150 dpi; for each engine, how many of the page's figures (numbers of two or more digits, as the
text layer writes them) it read exactly, and its wall and CPU seconds.

    python tools/compare_ocr_engines.py FILE.pdf:2 FILE.pdf:4 OTHER.pdf:1
Needs Debian's tesseract-ocr and tesseract-ocr-chi-sim for the Tesseract column.
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIG = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def figs(text: str) -> list[str]:
    return [f for f in FIG.findall(text) if len(f.replace(",", "").replace(".", "").replace("%", "")) >= 2]


def cpu() -> float:
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def share(truth: list[str], text: str) -> int:
    found = set(figs(text.replace(" ", "")) + figs(text))
    return sum(f in found for f in truth)


def main(specs: list[str]) -> None:
    import pdfplumber
    import pypdfium2 as pdfium
    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "error", "EngineConfig.onnxruntime.intra_op_num_threads": 2,
                              "EngineConfig.onnxruntime.inter_op_num_threads": 1})
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            path, _, page = spec.rpartition(":")
            n = int(page)
            doc = pdfium.PdfDocument(path)
            png = Path(tmp) / f"page-{len(rows)}.png"
            doc[n - 1].render(scale=150 / 72).to_pil().save(png)
            doc.close()
            with pdfplumber.open(path) as pdf:
                truth = figs(pdf.pages[n - 1].extract_text() or "")
            c0, t0 = cpu(), time.time()
            rapid = " ".join(engine(str(png)).txts or ())
            r_wall, r_cpu = time.time() - t0, cpu() - c0
            c0, t0 = cpu(), time.time()
            tess = subprocess.run(["tesseract", str(png), "-", "-l", "chi_sim+eng"], capture_output=True, text=True,
                                  env={**os.environ, "OMP_THREAD_LIMIT": "2"}).stdout
            t_wall, t_cpu = time.time() - t0, cpu() - c0
            rows.append((len(truth), share(truth, rapid), share(truth, tess)))
            print(f"{Path(path).name[:40]} p{n}: {len(truth)} figures; rapidocr {rows[-1][1]} in {r_wall:.1f} s "
                  f"({r_cpu:.1f} CPU s); tesseract {rows[-1][2]} in {t_wall:.1f} s ({t_cpu:.1f} CPU s)", flush=True)
    total = sum(r[0] for r in rows) or 1
    print(f"all: {total} figures; rapidocr {sum(r[1] for r in rows) / total:.1%}, "
          f"tesseract {sum(r[2] for r in rows) / total:.1%}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
