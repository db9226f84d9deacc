"""Readers for reports as people receive them: Word, PDF, Excel/CSV and HTML pages.

Each reader is `(path, name) -> Report` like `readers.read_text`, builds its blocks through
`build.ReportBuilder` (so source notes, captions and boilerplate follow the same rules in
every format) and raises `UnreadableFile` with what to do about a damaged, encrypted, empty or
scanned file (scans and image files are read by OCR, bot.formats.ocr). The parsing libraries are imported inside the readers: `bot ask` never loads them.
"""
from __future__ import annotations

from .html import read_html
from .pdf import read_image_file, read_pdf
from .sheets import read_csv, read_xlsx
from .word import read_docx

FORMAT_READERS = {
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".csv": read_csv,
    ".tsv": read_csv,
    # pictures of pages or tables, read by OCR (bot.formats.ocr)
    ".png": read_image_file,
    ".jpg": read_image_file,
    ".jpeg": read_image_file,
}
