"""Spreadsheets -> tables: .xlsx (one table per visible, non-empty sheet) and .csv / .tsv.

Cells are the strings a person sees: Excel values are rendered with their number format
(0.154 shown as "15.4%" stays "15.4%"), CSV cells are taken as written.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..errors import UnreadableFile
from ..parse import title_from_file
from ..types import Report
from .build import ReportBuilder, damaged_file
from .numfmt import render

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DEFAULT_SHEET = re.compile(r"^(sheet|工作表)\s*\d*$", re.I)


def read_xlsx(path: Path, name: str) -> Report:
    import openpyxl

    if path.stat().st_size == 0:
        raise UnreadableFile(name, "the file is empty")
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    # An encrypted Office file is an OLE container holding the encrypted package; its directory
    # names the stream "EncryptionInfo" (MS-OFFCRYPTO), which is what Excel asks a password for.
    if head.startswith(OLE_MAGIC) and "EncryptionInfo".encode("utf-16-le") in head:
        raise UnreadableFile(name, "the workbook is password-protected; open it in Excel, remove the "
                                   "password (File > Info > Protect Workbook) and save it again")
    builder = ReportBuilder(name)
    builder.title = title_from_file(name)
    with damaged_file(name, "Excel .xlsx workbook", "open it in Excel and save it again as .xlsx "
                                                    "(an old .xls must be saved as .xlsx)"):
        # data_only: the values Excel last calculated, not the formulas
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
            for ws in sheets:
                grid = [[render(cell.value, getattr(cell, "number_format", None)) for cell in row]
                        for row in ws.iter_rows()]
                if any(any(row) for row in grid):
                    builder.table(grid, default_caption=sheet_caption(ws.title, name, len(sheets)),
                                  single_column_is_text=False)
        finally:
            book.close()  # a read-only workbook keeps its file open until closed
    if not builder.blocks:
        raise UnreadableFile(name, "every sheet in the workbook is empty")
    return builder.build()


def sheet_caption(sheet: str, file: str, sheets: int) -> str:
    if not DEFAULT_SHEET.match(sheet):
        return sheet
    # "Sheet1" says nothing to a reader; the file name does
    return title_from_file(file) if sheets == 1 else f"{title_from_file(file)}（{sheet}）"


def read_csv(path: Path, name: str) -> Report:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFile(name, "the file is empty")
    if b"\x00" in data[:4096]:
        raise UnreadableFile(name, "this is a binary file, not CSV text (an Excel workbook renamed to .csv?); "
                                   "save it as CSV or .xlsx")
    text = decode_csv(data, name)
    rows = list(csv.reader(io.StringIO(text, newline=""), sniff_dialect(text, path.suffix.lower())))
    builder = ReportBuilder(name)
    builder.title = title_from_file(name)
    builder.table(rows, default_caption=title_from_file(name), single_column_is_text=False)
    return builder.build()


def decode_csv(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Chinese Windows saves CSV as GBK; gb18030 is its superset
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile(name, "the CSV is neither UTF-8 nor GBK text; save it as \"CSV UTF-8\"") from None


def sniff_dialect(text: str, suffix: str) -> type[csv.Dialect] | csv.Dialect:
    if suffix == ".tsv":
        return csv.excel_tab
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:  # one column, or too irregular to tell: the usual comma
        return csv.excel
