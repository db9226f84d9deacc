"""OCR for what has no text layer: scanned pages, pictures of tables inside pages, image files.

The engine is RapidOCR (PP-OCR models run on onnxruntime; the `rapidocr` wheel ships its
models, so nothing is downloaded at run time). README "OCR" gives the comparison with
Tesseract that chose it. Each recognised line becomes words with their boxes in PDF points
(an image file counts as a page at `DPI`) and the engine's confidence, so the PDF reader puts
them through the same line, column and borderless-table reading as a text layer's words.

OCR runs once per file: results are cached by the file's sha256 under the index folder
(`<index>/ocr/<sha256>.json`, see `cache_in`), so a rebuild, a changed chunker and the page
view (`page_words`) reuse them.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

DPI = 150  # pages are rendered at this resolution; a pixel is 72/DPI points
ENGINE = "rapidocr-3/PP-OCRv6-small"  # in the cache: results of another engine are not reused
# A word the engine is less sure of than this is marked: a figure read from it is cited with
# "(OCR, 请核对)". Fitted by tools/fit_ocr_confidence.py (7 zh-wide/en-wide pages, 546 figures:
# the highest threshold marking at most 5% of the right ones); confidence separates right from
# wrong figures weakly (it marks 5 of 107 misread ones), so the mark is a hint, not a guarantee.
LOW_CONFIDENCE = 0.96
# An image inside a page that has text is read when it covers this share of the page (a picture
# of a table, a pasted screenshot); logos, stamps and icons are smaller.
LARGE_IMAGE = 1 / 6

_cache_dir: ContextVar[Path | None] = ContextVar("ocr_cache_dir", default=None)
_progress: ContextVar[object | None] = ContextVar("ocr_progress", default=None)


@dataclass
class OcrWord:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float

    def as_dict(self) -> dict:
        return {"text": self.text, "x0": round(self.x0, 2), "top": round(self.top, 2), "x1": round(self.x1, 2),
                "bottom": round(self.bottom, 2), "conf": round(self.conf, 4)}


@dataclass
class FileOcr:
    """What OCR read in one file: page number -> words (PDF points), and the seconds it took."""
    sha256: str
    pages: dict[int, list[OcrWord]] = field(default_factory=dict)
    seconds: float = 0.0
    dirty: bool = False


# ----- the cache -----

@contextmanager
def cache_in(index_dir: Path | None):
    """OCR results of files read inside this block are kept in (and taken from) index_dir/ocr."""
    token = _cache_dir.set(Path(index_dir) / "ocr" if index_dir else None)
    try:
        yield
    finally:
        _cache_dir.reset(token)


@contextmanager
def counting(callback):
    """callback(pages) is called each time OCR has read `pages` more pages (ingest's progress)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def file_sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _cache_path(folder: Path, sha: str) -> Path:
    return folder / f"{sha}.json"


def load(path: Path, folder: Path | None = None) -> FileOcr:
    sha = file_sha(path)
    result = FileOcr(sha)
    folder = folder or _cache_dir.get()
    if folder is None:
        return result
    try:
        data = json.loads(_cache_path(folder, sha).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return result
    if data.get("engine") != ENGINE or data.get("dpi") != DPI:
        return result
    result.pages = {int(n): [OcrWord(**w) for w in words] for n, words in data.get("pages", {}).items()}
    result.seconds = float(data.get("seconds", 0.0))
    return result


def save(result: FileOcr) -> None:
    folder = _cache_dir.get()
    if folder is None or not result.dirty:
        return
    folder.mkdir(parents=True, exist_ok=True)
    data = {"engine": ENGINE, "dpi": DPI, "seconds": round(result.seconds, 2),
            "pages": {str(n): [w.as_dict() for w in words] for n, words in sorted(result.pages.items())}}
    tmp = _cache_path(folder, result.sha256).with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(_cache_path(folder, result.sha256))  # a reader never sees half a file


def page_words(path: Path, page_number: int, index_dir: Path | None = None) -> list[dict]:
    """The OCR'd words of one page of a corpus file, in PDF points (top-left origin, as
    pdfplumber), each {text, x0, top, x1, bottom, conf}; [] when the page was not OCR'd.
    Read from the cache ingest wrote under index_dir (default: the folder `cache_in` set, else
    the configured index folder, BOT_INDEX_DIR); never OCRs in the caller's request."""
    if index_dir:
        folder = Path(index_dir) / "ocr"
    else:
        folder = _cache_dir.get()
        if folder is None:
            from ..settings import Settings

            folder = Settings().index_dir / "ocr"
    return [w.as_dict() for w in load(Path(path), folder).pages.get(page_number, [])]


# ----- the engine -----

_ENGINE = None


def engine():
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr import RapidOCR
        except ImportError as err:  # pragma: no cover - a broken install
            from ..errors import BotError
            raise BotError("OCR needs the rapidocr package.", hint="pip install -e . (see README, OCR)") from err
        threads = max(1, min(4, os.cpu_count() or 1))
        _ENGINE = RapidOCR(params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
    return _ENGINE


def read_image(image, scale: float = 72 / DPI, dx: float = 0.0, dy: float = 0.0) -> list[OcrWord]:
    """OCR a PIL image; word boxes in points: pixel * scale + (dx, dy)."""
    import numpy as np

    arr = np.asarray(image.convert("RGB"))[:, :, ::-1]  # the engine takes OpenCV's BGR
    out = engine()(np.ascontiguousarray(arr))
    boxes, txts, scores = getattr(out, "boxes", None), getattr(out, "txts", None), getattr(out, "scores", None)
    if boxes is None or txts is None:
        return []
    words: list[OcrWord] = []
    for box, text, score in zip(boxes, txts, scores):
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        x0, x1 = min(xs) * scale + dx, max(xs) * scale + dx
        top, bottom = min(ys) * scale + dy, max(ys) * scale + dy
        words += split_line(text, float(x0), float(top), float(x1), float(bottom), float(score))
    return words


def _width(text: str) -> float:
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text) or 1.0


def split_line(text: str, x0: float, top: float, x1: float, bottom: float, conf: float) -> list[OcrWord]:
    """The engine reads a line; a text layer has words. The line's space-separated parts become
    words, each placed by its share of the line's width (a CJK character as wide as two digits),
    so that figures standing in columns keep their x."""
    parts = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not parts:
        return []
    total = _width(text)
    per = (x1 - x0) / total
    out = []
    for word, start, end in parts:
        a = x0 + _width(text[:start]) * per if start else x0
        b = x0 + _width(text[:end]) * per
        out.append(OcrWord(word, a, top, b, bottom, conf))
    return out


def render_page(pdf_path: Path, page_index: int, pdf=None):
    """One page of a PDF as a PIL image at DPI (pypdfium2, which pdfplumber installs)."""
    import pypdfium2 as pdfium

    doc = pdf or pdfium.PdfDocument(str(pdf_path))
    try:
        return doc[page_index].render(scale=DPI / 72).to_pil()
    finally:
        if pdf is None:
            doc.close()


def tick(pages: int = 1) -> None:
    callback = _progress.get()
    if callback is not None:
        callback(pages)


class PdfOcr:
    """OCR of one PDF's pages and image regions, cached per file; use as a context manager."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._result: FileOcr | None = None  # loaded when a page first needs OCR
        self._doc = None
        self.read: list[int] = []  # pages OCR read (or found in the cache), in order

    @property
    def result(self) -> FileOcr:
        if self._result is None:
            self._result = load(self.path)
        return self._result

    def words(self, number: int) -> list[OcrWord]:
        return self.result.pages.get(number, [])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._doc is not None:
            self._doc.close()
        if self._result is not None:
            save(self._result)

    def _render(self, number: int):
        import pypdfium2 as pdfium

        if self._doc is None:
            self._doc = pdfium.PdfDocument(str(self.path))
        return render_page(self.path, number - 1, self._doc)

    def rules(self, number: int) -> list[tuple[float, float, float, float]]:
        """The ruling lines drawn in the page's picture (rendered again: cheap beside OCR)."""
        return image_rules(self._render(number))

    def page(self, number: int, regions: list[tuple[float, float, float, float]] | None = None) -> list[OcrWord]:
        """The words of page `number` (1-based): the whole page, or only inside `regions`
        (boxes in points: x0, top, x1, bottom)."""
        if number not in self.result.pages:
            started = time.perf_counter()
            image = self._render(number)
            if regions is None:
                words = read_image(image)
            else:
                words = []
                k = DPI / 72
                for x0, top, x1, bottom in regions:
                    crop = image.crop((int(x0 * k), int(top * k), int(x1 * k) + 1, int(bottom * k) + 1))
                    words += read_image(crop, dx=int(x0 * k) / k, dy=int(top * k) / k)
            self.result.pages[number] = words
            self.result.seconds += time.perf_counter() - started
            self.result.dirty = True
            tick()
        self.read.append(number)
        return self.result.pages[number]


def image_rules(image, scale: float = 72 / DPI) -> list[tuple[float, float, float, float]]:
    """The ruling lines of a picture of a page (a scanned table's borders), as thin boxes in points
    (x0, top, x1, bottom): dark runs at least 1/40 of the image long, found by opening the binarised
    image with a long flat kernel (OpenCV morphology, which rapidocr installs)."""
    import cv2
    import numpy as np

    gray = np.asarray(image.convert("L"))
    dark = (gray < 160).astype(np.uint8) * 255
    height, width = dark.shape
    out = []
    for kernel in ((max(width // 40, 10), 1), (1, max(height // 40, 10))):
        mask = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            x, y, w, h = cv2.boundingRect(c)
            if max(w, h) >= 3 * min(w, h):  # a line, not a filled block
                out.append((x * scale, y * scale, (x + w) * scale, (y + h) * scale))
    return out


def image_words(path: Path) -> tuple[list[OcrWord], tuple[float, float]]:
    """An image file's words in points (as if printed at its own dpi, else DPI) and its size."""
    from PIL import Image

    result = load(path)
    with Image.open(path) as img:
        dpi = img.info.get("dpi", (DPI, DPI))[0] or DPI
        dpi = dpi if 50 <= dpi <= 1200 else DPI
        scale = 72 / float(dpi)
        size = (img.width * scale, img.height * scale)
        if 1 not in result.pages:
            started = time.perf_counter()
            result.pages[1] = read_image(img, scale=scale)
            result.seconds += time.perf_counter() - started
            result.dirty = True
            tick()
    save(result)
    return result.pages[1], size


# ----- which pages need it -----

def garbage_text(text: str) -> bool:
    """A text layer that reads as nothing: no two letters or CJK characters in a row, or mostly
    characters no report prints as text — the replacement character, private-use code points
    (fonts without a Unicode map), controls, and Latin-1 accented letters standing for the bytes
    of another encoding (GBK read as Latin-1: "¡¤ »ùÒò")."""
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return True
    if not re.search(r"[A-Za-z\u3400-\u9fff]{2}", text):
        return True
    odd = sum(1 for ch in chars if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc", "Cn")
              or "\u0080" <= ch <= "\u00ff")
    return odd / len(chars) > 0.3


def summary(words_by_page: dict[int, list[OcrWord]]) -> tuple[list[int], float | None]:
    """The pages read by OCR and the mean confidence of their words."""
    confs = [w.conf for words in words_by_page.values() for w in words]
    return sorted(words_by_page), (round(sum(confs) / len(confs), 3) if confs else None)


def log(msg: str) -> None:
    print(msg, file=sys.stderr)
