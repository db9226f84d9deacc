"""Corpus files -> `Report`. One reader per format, all yielding the same structure.

A reader raises `UnreadableFile` with the reason a person can act on (empty, binary, not
text, unsupported type); ingest then keeps what the index held for that file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .errors import UnreadableFile
from .formats import FORMAT_READERS
from .parse import parse_text
from .types import Report

# Files in corpus/ that are not reports: the start screen's example questions, notes to users.
NOT_REPORTS = {"examples.txt", "readme.md", "readme.txt"}


def decode_text(data: bytes, name: str) -> str:
    if not data.strip():
        raise UnreadableFile(name, "the file is empty")
    if b"\x00" in data[:4096]:
        raise UnreadableFile(name, "this is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Chinese reports saved by older Windows tools are often GBK; accept them as they are.
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile(name, "the text is neither UTF-8 nor GBK (mixed or broken encoding); "
                                   "save it as UTF-8") from None
    # gb18030 decodes almost any bytes; text that really is GBK uses characters of GB2312's
    # common set, while another encoding read as GBK turns into rare ones. Judged on the
    # non-ASCII characters only, so a GBK file that is mostly figures still counts as GBK.
    wide = [ch for ch in text if ord(ch) > 127]
    if wide and sum(_in_gb2312(ch) for ch in wide) < len(wide) * 0.9:
        raise UnreadableFile(name, "the text is neither UTF-8 nor GBK (another encoding?); save it as UTF-8")
    return text


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def read_text(path: Path, name: str) -> Report:
    return parse_text(decode_text(path.read_bytes(), name), name)


Reader = Callable[[Path, str], Report]
READERS: dict[str, Reader] = {".txt": read_text, ".md": read_text, ".markdown": read_text, **FORMAT_READERS}


def is_candidate(path: Path) -> bool:
    """A file ingest should look at (reports and files it must complain about)."""
    return path.is_file() and not path.name.startswith((".", "_", "~$")) and path.name.lower() not in NOT_REPORTS


def read_report(path: Path, name: str) -> Report:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(READERS))
        raise UnreadableFile(name, f"'{path.suffix or 'no extension'}' files are not supported (supported: {supported})")
    report = reader(path, name)
    if not any(True for b in report.blocks if not getattr(b, "boilerplate", False)):
        raise UnreadableFile(name, "no text could be extracted from it")
    return report
