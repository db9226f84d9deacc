"""OCR (bot.formats.ocr): scanned pages and image files answer like text-layer PDFs.

The slow tests make their inputs at test time from a real PDF in ../shared/dev/zh-wide: its pages
rasterised at 150 dpi into an image-only PDF, and one of its tables cropped into a PNG.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT

DEV = ROOT.parent / "shared" / "dev" / "zh-wide"
# a company's annual-report summary: key-data, quarterly and shareholder tables, with a text layer
SUMMARY_PDF = DEV / "reports" / "600080_20250425_P7ID.pdf"
SUMMARY_KEY = "-jh-"  # its cases in golden.jsonl (see the set's README)


def _need_dev():
    if not SUMMARY_PDF.is_file():
        pytest.skip(f"{DEV} is absent: it sits beside the checkout at ../shared/dev")


def rasterise(src: Path, dst: Path, dpi: int = 150) -> Path:
    """The PDF as a scanner would give it: every page a picture, no text layer."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(src))
    images = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    doc.close()
    images[0].save(dst, save_all=True, append_images=images[1:], resolution=dpi)
    return dst


# ----- fast: the measures and the bookkeeping -----

def test_garbage_text_layer_is_told_from_real_text():
    from bot.formats.ocr import garbage_text

    assert garbage_text("")
    assert garbage_text("3 12 2024")  # only a page number and figures: nothing to read
    assert garbage_text("¡¤ »ùÒò ÑÐ¾¿ ½øÕ¹ ¡¢ ×÷Îª")  # GBK bytes shown as Latin-1
    assert garbage_text("\ue000\ue001\ue002 \ue003\ue004")  # private-use glyphs
    assert not garbage_text("2024年营业收入585,461,786.23元")
    assert not garbage_text("Net sales rose 3% to $1,234 million")
    assert not garbage_text("Die Stellungnahme für Bayern über Grundstücke")  # accents in German text


def test_ocr_lines_become_words_at_their_share_of_the_line():
    from bot.formats.ocr import split_line

    words = split_line("营业收入 585,461,786.23 3.55%", 0.0, 10.0, 100.0, 20.0, 0.97)
    assert [w.text for w in words] == ["营业收入", "585,461,786.23", "3.55%"]
    assert words[0].x0 == 0.0 and words[-1].x1 == pytest.approx(100.0)
    assert words[0].x1 < words[1].x0 < words[1].x1 < words[2].x0
    assert all(w.conf == 0.97 and w.top == 10.0 for w in words)


def test_page_words_come_from_the_cache_ingest_wrote(tmp_path, monkeypatch):
    from bot.formats import ocr

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 not really read here")
    result = ocr.FileOcr(ocr.file_sha(scan), {2: [ocr.OcrWord("1,234", 10, 20, 40, 30, 0.5)]}, dirty=True)
    with ocr.cache_in(tmp_path / "index"):
        ocr.save(result)
    assert ocr.page_words(scan, 2, tmp_path / "index") == [
        {"text": "1,234", "x0": 10, "top": 20, "x1": 40, "bottom": 30, "conf": 0.5}]
    assert ocr.page_words(scan, 1, tmp_path / "index") == []
    monkeypatch.setenv("BOT_INDEX_DIR", str(tmp_path / "index"))  # the page view passes no folder
    assert [w["text"] for w in ocr.page_words(scan, 2)] == ["1,234"]
    scan.write_bytes(b"%PDF-1.4 another file")  # another content, another hash: nothing cached
    assert ocr.page_words(scan, 2, tmp_path / "index") == []


def test_a_low_confidence_figure_is_marked_in_the_citation_location():
    from bot.ingest import mark_ocr_figures, report_facts
    from bot.types import Chunk, Report

    report = Report("scan.pdf", "scan", ocr={"pages": [1, 2], "confidence": 0.93, "low": {2: ["8,123"]}})
    chunks = [Chunk("a", "scan.pdf", "scan", "paragraph", "收入8,123万元", "第2页，第1段", page=2),
              Chunk("b", "scan.pdf", "scan", "paragraph", "收入8,123万元", "第1页，第1段", page=1)]
    marked = mark_ocr_figures(report, chunks)
    assert marked[0].ocr_low == "8,123" and "OCR" in marked[0].location and "请核对" in marked[0].location
    assert marked[1] == chunks[1]  # the same figure read surely on another page is not marked
    facts = report_facts(report)
    assert facts["ocr_pages"] == [1, 2] and facts["ocr_confidence"] == 0.93


def test_reports_line_names_ocr_pages():
    from bot.cli import ocr_fact

    assert ocr_fact([1, 2, 3, 7], 0.961) == "OCR pages 1-3, 7 (confidence 0.96)"
    assert ocr_fact([], None) == ""


# ----- slow: real pages through OCR -----

def _ingest(corpus: Path, index: Path):
    import bot.ingest as ingest_module
    from bot.settings import Settings

    settings = Settings().with_(corpus_dir=corpus, index_dir=index)
    ingest_module.ingest(settings, progress=False, log=lambda msg: None)
    return settings


def _cases() -> list[dict]:
    cases = [json.loads(line) for line in (DEV / "golden.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if SUMMARY_KEY in str(c["id"]) and c.get("figures") and not c.get("turns")]


@pytest.mark.slow
def test_an_image_only_scan_answers_as_the_text_pdf_does(tmp_path):
    """The summary's pages rasterised at 150 dpi answer its figure and table questions as its
    text layer does, in at least 90% of the cases the text PDF answers, from the same page."""
    _need_dev()
    from bot.chain import Assistant
    from bot.evaluate import evaluate_case
    from bot.store import open_store

    (tmp_path / "text").mkdir()
    (tmp_path / "scan").mkdir()
    (tmp_path / "text" / SUMMARY_PDF.name).write_bytes(SUMMARY_PDF.read_bytes())
    rasterise(SUMMARY_PDF, tmp_path / "scan" / SUMMARY_PDF.name)
    text = Assistant(_ingest(tmp_path / "text", tmp_path / "text-index"))
    scan_settings = _ingest(tmp_path / "scan", tmp_path / "scan-index")
    scan = Assistant(scan_settings)

    facts = open_store(scan_settings).current().files[SUMMARY_PDF.name]
    assert facts["ocr_pages"] == list(range(1, 10)) and facts["ocr_confidence"] > 0.9
    assert list((tmp_path / "scan-index" / "ocr").glob("*.json")), "OCR results are cached in the index"

    agree, answered, lines = 0, 0, []
    for case in _cases():
        a, b = evaluate_case(text, case), evaluate_case(scan, case)
        if not a.passed:
            continue
        answered += 1
        pages_a = {c.page for c in a.answer.citations}
        pages_b = {c.page for c in b.answer.citations} if b.answer else set()
        same = b.passed and bool(pages_a & pages_b)
        agree += same
        lines.append(f"{'same' if same else 'DIFF'} {case['id']}: {b.answer.figures if b.answer else '-'} "
                     f"pages {sorted(p for p in pages_b if p)} / text {sorted(p for p in pages_a if p)}")
    print(f"\nscan agrees with the text PDF on {agree}/{answered} cases\n" + "\n".join(lines))
    assert answered >= 10, "the text PDF answers enough of its cases to compare"
    assert agree >= 0.9 * answered


@pytest.mark.slow
def test_a_photo_of_one_table_answers_a_cell_question(tmp_path):
    """One table cropped from a page at 150 dpi, blurred a little like a phone photo, as a PNG."""
    _need_dev()
    import pdfplumber
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    from bot.chain import Assistant

    page_number, cell = 6, "172,965,736.96"  # the quarterly-data table: Q3 revenue
    with pdfplumber.open(SUMMARY_PDF) as pdf:
        page = pdf.pages[page_number - 1]
        table = next(t for t in page.find_tables() if cell in json.dumps(t.extract(), ensure_ascii=False))
        x0, top, x1, bottom = table.bbox
    doc = pdfium.PdfDocument(str(SUMMARY_PDF))
    image = doc[page_number - 1].render(scale=150 / 72).to_pil().convert("RGB")
    doc.close()
    k = 150 / 72
    crop = image.crop((int(x0 * k) - 10, int(top * k) - 10, int(x1 * k) + 10, int(bottom * k) + 10))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    crop.filter(ImageFilter.GaussianBlur(0.6)).save(corpus / "季度数据截图.png")

    answer = Assistant(_ingest(corpus, tmp_path / "index")).ask("第三季度营业收入是多少？")
    assert not answer.refused
    assert cell in answer.figures
    assert any(c.file == "季度数据截图.png" for c in answer.citations)
