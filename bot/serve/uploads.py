"""Upload checks before anything is written: name, type from the bytes, size, zip limits, safe XML.

Every XML part of an Office file is parsed as a stream by defusedxml with DTDs forbidden, so an
external entity or an entity-expansion bomb is refused here, before any reader opens the file.
"""
from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import zipfile

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from xml.etree.ElementTree import ParseError

from ..errors import BotError, UnreadableFile
from ..readers import NOT_REPORTS, decode_text

MAX_FILES_PER_UPLOAD = 20
# Office files are zip archives; these bound what opening one may unpack (zip bombs)
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_UNPACKED = 256 * 1024 * 1024  # bytes, all members together
MAX_ZIP_RATIO = 150  # unpacked / packed, for members big enough to matter
ZIP_RATIO_FROM = 8 * 1024 * 1024
MAX_NAME_BYTES = 180  # under every common filesystem's 255-byte limit, with room for " (n)"

# what a name's extension claims -> the family the content must belong to
CLAIMS = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx",
          ".txt": "text", ".md": "text", ".markdown": "text", ".csv": "text", ".tsv": "text",
          ".html": "text", ".htm": "text", ".png": "image", ".jpg": "image", ".jpeg": "image"}
FORMAT_LABELS = {".pdf": "PDF", ".docx": "Word", ".xlsx": "Excel", ".xlsm": "Excel", ".txt": "Text",
                 ".md": "Markdown", ".markdown": "Markdown", ".csv": "CSV", ".tsv": "TSV",
                 ".html": "HTML", ".htm": "HTML", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
FAMILY_NAMES = {"pdf": "a PDF", "docx": "a Word document", "xlsx": "an Excel workbook", "text": "text",
                "image": "a binary image (PNG or JPEG)"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# characters that draw as a slash or backslash without NFKC turning them into one
SLASH_LOOKALIKES = "\u2215\u2044\u29f8\u29f9\u2216\ufe68\u2571\u2572\u27cb\u27cd\u3033"
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
FORBIDDEN_CHARS = '<>:"|?*'
SUPPORTED = "PDF, Word (.docx), Excel (.xlsx), HTML, text, Markdown, CSV or a PNG/JPEG image (read by OCR)"


class UploadRejected(BotError):
    """An uploaded file that is refused before anything is written; `status` is the HTTP code."""

    def __init__(self, name: str, why: str, status: int = 400):
        self.name, self.why, self.status = name, why, status
        super().__init__(f"{name}: {why}")


# -- names -----------------------------------------------------------------------------------
def safe_name(raw: str) -> str:
    """The name an uploaded file is stored under, or UploadRejected for a hostile one.

    Names that try to reach another folder (slashes, backslashes, their look-alikes, absolute
    paths, '..') or carry control or invisible characters are refused; the rest is tidied:
    NFKC, Windows-forbidden characters replaced, reserved device names and names ingest would
    skip (leading '.', '_', examples.txt) given a suffix, and the length bounded."""
    shown = repr(raw)[1:-1][:80] or "(empty)"
    if not isinstance(raw, str) or not raw.strip():
        raise UploadRejected(shown, "the file has no name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in raw):
        raise UploadRejected(shown, "the file name holds control or invisible characters; rename the file")
    name = unicodedata.normalize("NFKC", raw)
    if "/" in name or "\\" in name or any(ch in SLASH_LOOKALIKES for ch in name) or name.strip() in (".", ".."):
        raise UploadRejected(shown, "the file name must be a plain name, without folders (no '/', '\\' or '..')")
    name = " ".join(name.split())
    name = "".join("_" if ch in FORBIDDEN_CHARS else ch for ch in name).strip(" .")
    while name.startswith((".", "_", "~$")):  # ingest skips such files as hidden or temporary
        name = name[2:] if name.startswith("~$") else name[1:]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ("." + ext.lower()) if ext else ""
    if len(ext) > 10 or not ext[1:].isalnum():
        stem, ext = name, ""
    stem = stem.strip(" .") or "report"
    if stem.upper().split(".")[0] in WINDOWS_RESERVED or (stem + ext).lower() in NOT_REPORTS:
        stem += "-report"
    while len((stem + ext).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") + ext


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`… when a report of that name (any case) exists."""
    lower = {t.lower() for t in taken}
    if name.lower() not in lower:
        return name
    stem, ext = os.path.splitext(name)
    n = 2
    while f"{stem} ({n}){ext}".lower() in lower:
        n += 1
    return f"{stem} ({n}){ext}"


def report_id(name: str) -> str:
    """A report's id: stable across re-indexing, derived from its file name."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


# -- content checks --------------------------------------------------------------------------
def check_upload(raw_name: str, data: bytes, max_mb: float) -> str:
    """The name to store these bytes under (its extension from the content), else UploadRejected."""
    name = safe_name(raw_name)
    limit = max_mb * 1_000_000
    if limit and len(data) > limit:
        raise UploadRejected(name, f"it is {len(data) / 1e6:.1f} MB, over the {max_mb:g} MB limit for one report "
                                   "(BOT_MAX_FILE_MB)", 413)
    family, default_ext = sniff(name, data)
    stem, ext = os.path.splitext(name)
    claimed = CLAIMS.get(ext)
    if claimed is not None and claimed != family:
        raise UploadRejected(name, f"it is named {ext} but its content is {FAMILY_NAMES[family]}; "
                                   "give the file its right extension", 415)
    return name if claimed is not None else stem + default_ext


def sniff(name: str, data: bytes) -> tuple[str, str]:
    """(family, default extension) of a report from its bytes, else UploadRejected (415)."""
    if not data.strip():
        raise UploadRejected(name, "the file is empty", 415)
    if data.startswith(b"%PDF-"):
        return "pdf", ".pdf"
    if data.startswith(OLE_MAGIC):
        raise UploadRejected(name, "this is a password-protected Office file or an old .doc/.xls/.ppt; save it "
                                   "as .docx or .xlsx without a password", 415)
    if data.startswith(b"PK\x03\x04"):
        return check_office(name, data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image", ".jpg"
    try:
        text = decode_text(data, name)
    except UnreadableFile as err:
        raise UploadRejected(name, f"{err.why}; supported are {SUPPORTED}", 415) from None
    head = text[:2048].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "text", ".html"
    return "text", ".txt"


def check_office(name: str, data: bytes) -> tuple[str, str]:
    """A .docx or .xlsx that is safe to open: bounded members and sizes, no encryption, no XML
    DOCTYPE/ENTITY declarations (Office never writes them; they are how XXE and billion-laughs
    attacks start), and the parts that make it a Word document or a workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise UploadRejected(name, f"it looks like a zip archive but is damaged ({err})", 415) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRejected(name, f"the archive holds {len(members)} parts (more than {MAX_ZIP_MEMBERS}); "
                                   "it is not a normal Office file", 415)
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_ZIP_UNPACKED:
        raise UploadRejected(name, f"it would unpack to {unpacked / 1e6:.0f} MB (the limit is "
                                   f"{MAX_ZIP_UNPACKED / 1e6:.0f} MB): refused as a possible zip bomb", 413)
    for m in members:
        if m.file_size > ZIP_RATIO_FROM and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1):
            raise UploadRejected(name, f"its part {m.filename} unpacks {m.file_size // max(m.compress_size, 1)} "
                                       "times larger than stored: refused as a possible zip bomb", 413)
        if m.flag_bits & 0x1:
            raise UploadRejected(name, "it is password-protected; save a copy without the password", 415)
    names = {m.filename for m in members}
    if "word/document.xml" in names:
        family, ext = "docx", ".docx"
    elif "xl/workbook.xml" in names:
        family, ext = "xlsx", ".xlsx"
    else:
        raise UploadRejected(name, f"it is a zip archive but not a Word or Excel file; supported are {SUPPORTED}", 415)
    for m in members:
        if m.filename.lower().endswith((".xml", ".rels")) and _declares_entities(archive, m):
            raise UploadRejected(name, f"its part {m.filename} declares a DOCTYPE or entities, which Office files "
                                       "never do; refused (it could read server files or exhaust memory)", 415)
    return family, ext


def _declares_entities(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Does this XML part have a DTD (entities, external references)? Parsed as a stream by
    defusedxml with DTDs forbidden, so neither an entity-expansion bomb nor an external entity is
    ever expanded or fetched; malformed XML is left for the reader to report."""
    try:
        with archive.open(member) as fh:  # reads at most the member's declared size
            for _event, element in iterparse(fh, events=("end",), forbid_dtd=True, forbid_entities=True,
                                             forbid_external=True):
                element.clear()  # a huge part is read in constant memory
    except DefusedXmlException:
        return True
    except ParseError:
        return False  # not well-formed: not an entity attack; the reader says what is wrong
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return True  # damaged or unsupported compression: do not hand it to a parser
    return False
