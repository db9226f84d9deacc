"""Word .docx -> Report: body paragraphs and tables in document order. Heading styles (and
outline levels, and short lines set all in bold) give headings; the Title style, or a first
level-1 heading, gives the title (the core properties' title goes to the report's scope);
a short paragraph (or a Caption-style one) right before a table is its caption.

Word files carry no page layout, so blocks have no page numbers. Headers, footers, footnotes,
text boxes and the table of contents are not report body text and are left out.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UnreadableFile
from ..parse import SOURCE_RE, rejoin_paragraphs
from ..types import Report
from .build import ReportBuilder, damaged_file

HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$")
TITLE_STYLES = {"title", "标题"}
CAPTION_STYLES = {"caption", "题注"}
TOC_STYLE = re.compile(r"^(toc|目录)\b|^toc heading$")


def read_docx(path: Path, name: str) -> Report:
    from docx.table import Table as DocxTable

    if path.stat().st_size == 0:
        raise UnreadableFile(name, "the file is empty")
    builder = ReportBuilder(name)
    with damaged_file(name, "Word .docx document", "open it in Word and save it again as .docx "
                                                   "(an old .doc must be saved as .docx)"):
        document = open_docx(path)
        title = (document.core_properties.title or "").strip()
        if title:  # the document's own title property, for its scope (bot.sections)
            builder.meta["title"] = title
        items = list(document.iter_inner_content())
        # a Word file converted from PDF keeps each printed line as a paragraph: joined again
        texts = rejoin_paragraphs([_body_line(item) for item in items])
        for item, text in zip(items, texts):
            if isinstance(item, DocxTable):
                builder.table([[cell_text(c) for c in row.cells] for row in item.rows])
            elif text is not None:
                add_paragraph(builder, item, text or None)
    return builder.build()


def open_docx(path: Path):
    """The document, repaired the way Word repairs it when a relationship points to a part the
    package lacks (a footnotes part left out by the tool that wrote the file): that relationship
    is dropped and the rest is read."""
    import docx

    try:
        return docx.Document(str(path))
    except KeyError as err:
        if "There is no item named" not in str(err):
            raise
    return docx.Document(_without_dangling_relationships(path))


def _without_dangling_relationships(path: Path):
    import io
    import posixpath
    import zipfile

    from defusedxml import ElementTree

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = set(src.namelist())
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith(".rels"):
                # "word/_rels/document.xml.rels" speaks for parts relative to "word/"
                base = posixpath.dirname(posixpath.dirname(item.filename))
                root = ElementTree.fromstring(data)
                for rel in list(root):
                    target = rel.get("Target", "")
                    if rel.get("TargetMode") == "External" or not target:
                        continue
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                    if part not in names:
                        root.remove(rel)
                data = _tostring(root)
            dst.writestr(item, data)
    out.seek(0)
    return out


def _tostring(root) -> bytes:
    import xml.etree.ElementTree as ET

    ET.register_namespace("", "http://schemas.openxmlformats.org/package/2006/relationships")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _body_line(item) -> str:
    """A paragraph's text when it may be a printed line of a longer paragraph; "" for what never
    is (a table, a heading, a caption, a line set in bold, one with a line break of its own)."""
    from docx.table import Table as DocxTable

    if isinstance(item, DocxTable):
        return ""
    style = _style_name(item)
    text = item.text
    if ("\n" in text or TOC_STYLE.match(style) or style in CAPTION_STYLES or heading_level(item, style)
            or _all_bold(item)):
        return ""
    return text


def add_paragraph(builder: ReportBuilder, paragraph, text: str | None = None) -> None:
    """One Word paragraph; `text`, when given, is its text joined with the printed lines after it."""
    style = _style_name(paragraph)
    if TOC_STYLE.match(style):
        return
    level = heading_level(paragraph, style)
    if level:
        builder.heading(paragraph.text, level=level)
        return
    # A soft line break often puts the "数据来源：…" note under the text in the same paragraph.
    lines = (paragraph.text if text is None else text).split("\n")
    body = [line for line in lines if not SOURCE_RE.match(line)]
    # a short line set all in bold is a heading in documents that use no heading styles
    builder.text("\n".join(body), caption=style in CAPTION_STYLES, guess_heading=_all_bold(paragraph))
    for note in (line for line in lines if SOURCE_RE.match(line)):
        builder.text(note)


def heading_level(paragraph, style: str) -> int | None:
    if style in TITLE_STYLES:
        return 1
    m = HEADING_STYLE.match(style)
    if m:
        return int(m.group(1))
    # Reports built on custom styles mark their headings with an outline level instead.
    for element in (paragraph._p, getattr(paragraph.style, "element", None)):
        level = _outline_level(element)
        if level is not None:
            return level
    return None


def _outline_level(element) -> int | None:
    from docx.oxml.ns import qn

    ppr = element.find(qn("w:pPr")) if element is not None else None
    lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if lvl is None:
        return None
    try:
        value = int(lvl.get(qn("w:val")))
    except (TypeError, ValueError):
        return None
    return value + 1 if value < 9 else None  # 9 means "body text"


def _all_bold(paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    return bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)


def _style_name(paragraph) -> str:
    style = paragraph.style
    return (style.name or "").strip().lower() if style is not None else ""


def cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)
