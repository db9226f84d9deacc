"""A citation seen in its report (bot/pages.py, bot/serve/page_routes.py, bot/serve/pagelinks.py):
the page PNG of a real PDF from the dev set (../shared/dev) with the cited words highlighted, the
passage of a text report among its neighbours, and what the routes refuse.

Expected words come from the answer's own citation and from the PDF's text layer (pdfplumber's
search), never written into the test; the highlight is checked by the colour of the pixels over
those words."""
from __future__ import annotations

import io
import re
import shutil
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot import pages
from bot.serve.app import create_app
from bot.serve.config import ApiConfig
from bot.serve.pagelinks import PageLinks
from bot.serve.uploads import report_id

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import SHIPPED_CORPUS, build_index  # noqa: E402
from test_library import make_pdf, make_scanned_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "dev" / "zh"
KEY = {"Authorization": "Bearer page-key"}


def dev_pdf() -> tuple[Path, dict]:
    """The dev set's PDF report and a golden case about it whose figure is in one table row."""
    import json

    golden = [json.loads(x) for x in (DEV / "golden.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    pdf = next(p for p in sorted((DEV / "reports").glob("*.pdf")))
    title_word = pdf.stem[:4]
    case = next(c for c in golden if c.get("question", "").startswith(title_word) and c.get("figures")
                and "%" in c["figures"][0])
    return pdf, case


needs_dev = pytest.mark.skipif(not (DEV / "reports").is_dir(), reason="../shared/dev is not beside the checkout")


def dev_pdf_library(root: Path):
    """The shipped report and the dev set's PDF indexed under `root`: (settings, the PDF's path
    in the corpus, its golden case); skipped without ../shared/dev."""
    if not (DEV / "reports").is_dir():
        pytest.skip("../shared/dev is not beside the checkout")
    shutil.copytree(SHIPPED_CORPUS, root / "corpus")
    pdf, case = dev_pdf()
    shutil.copy(pdf, root / "corpus" / pdf.name)
    return build_index(root / "corpus", root / "index"), root / "corpus" / pdf.name, case


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A corpus of the dev set's PDF and the shipped text report, indexed; a server that needs a key."""
    settings, pdf, case = dev_pdf_library(tmp_path_factory.mktemp("pages"))
    app = create_app(settings, config=ApiConfig(api_keys=("page-key",), rate_limit="off"), chat=False)
    with TestClient(app) as client:
        yield client, app.state.service, pdf.name, case


def png_image(data: bytes):
    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def yellow_share(image, box: tuple[float, float, float, float], dpi: int = pages.DPI) -> float:
    """The share of pixels over a box (PDF points) tinted by the highlight: red and green high, blue low."""
    s = dpi / 72
    region = image.crop(tuple(round(v * s) for v in box))
    data = region.tobytes()  # RGB, three bytes a pixel
    pixels = list(zip(data[0::3], data[1::3], data[2::3]))
    return sum(1 for r, g, b in pixels if r > 200 and g > 160 and b < 170) / max(1, len(pixels))


def word_boxes(pdf: Path, page: int, text: str) -> list[tuple[float, float, float, float]]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [(m["x0"], m["top"], m["x1"], m["bottom"]) for m in doc.pages[page - 1].search(re.escape(text))]


def page_size(pdf: Path, page: int) -> tuple[float, float]:
    """The page's size in pixels at the documented dpi, from its size in points."""
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        p = doc.pages[page - 1]
        return p.width * pages.DPI / 72, p.height * pages.DPI / 72


def same_size(image, size: tuple[float, float]) -> bool:
    return all(abs(got - want) <= 1 for got, want in zip(image.size, size))  # a pixel of rounding


# -- the page image --------------------------------------------------------------------------
@needs_dev
def test_the_cited_row_is_highlighted_on_its_page(library):
    client, svc, name, case = library
    answer = client.post("/api/v1/ask", json={"question": case["question"]}, headers=KEY).json()
    figure = case["figures"][0]
    cite = next(c for c in answer["citations"] if figure in c["quote"] and c["page"])
    url = f"/api/v1/reports/{report_id(name)}/pages/{cite['page']}.png"
    marked = client.get(url, params={"highlight": cite["quote"]}, headers=KEY)
    plain = client.get(url, headers=KEY)
    assert marked.status_code == 200 and marked.headers["content-type"] == "image/png"
    assert int(marked.headers["x-highlight-boxes"]) >= 2 and marked.headers["x-highlight-source"] == "text"
    image, before = png_image(marked.content), png_image(plain.content)
    pdf = svc.settings.corpus_dir / name
    assert image.size == before.size and same_size(image, page_size(pdf, cite["page"]))  # the page, at the dpi
    spots = word_boxes(pdf, cite["page"], figure)
    assert spots, f"{figure} is not on page {cite['page']}"
    # the cited figure is under the highlight, and it was not yellow before
    assert max(yellow_share(image, b) for b in spots) > 0.3
    assert all(yellow_share(before, b) < 0.05 for b in spots)
    # a figure of another row of the same page stays as it was
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        words = doc.pages[cite["page"] - 1].extract_words()
    marked_line = spots[0][1]
    other = next(w for w in words if re.fullmatch(r"[\d,]+\.\d\d", w["text"]) and abs(w["top"] - marked_line) > 30)
    assert yellow_share(image, (other["x0"], other["top"], other["x1"], other["bottom"])) < 0.05


@needs_dev
def test_a_cited_chunk_highlights_its_words_and_a_signed_link_needs_no_key(library):
    client, svc, name, _ = library
    index = svc.assistant.index
    row = next(c for c in index.chunks if c.file == name and c.kind == "row" and c.page)
    url = svc.page_links.page_url(name, row.page, chunk=row.id)
    got = client.get(url)  # no key: the chat's signed link is enough for this page
    assert got.status_code == 200 and int(got.headers["x-highlight-boxes"]) >= 1
    # the same link for another page, or with other words, is not signed
    assert client.get(url.replace(f"/pages/{row.page}.png", f"/pages/{row.page + 1}.png")).status_code == 401
    assert client.get(url + "&highlight=" + "营业").status_code == 401
    assert client.get(url.replace("sig=", "sig=0")).status_code == 401


@needs_dev
@pytest.mark.parametrize("path, params, status, says", [
    ("/api/v1/reports/000000000000/pages/1.png", {}, 404, "No report with the id"),
    ("/api/v1/reports/{pdf}/pages/0.png", {}, 404, "there is no page 0"),
    ("/api/v1/reports/{pdf}/pages/999.png", {}, 404, "there is no page 999"),
    ("/api/v1/reports/{pdf}/pages/1x.png", {}, 400, "page number"),
    ("/api/v1/reports/{txt}/pages/1.png", {}, 400, "not a PDF"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "../../etc/passwd"}, 400, "path"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "C:\\Windows"}, 400, "path"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "营业\x00收入"}, 400, "path"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "/etc/passwd"}, 400, "path"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "见 ~/.ssh/id_rsa"}, 400, "path"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "var/lib/bot/index"}, 400, "path"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"highlight": "营" * (pages.MAX_HIGHLIGHT + 1)}, 400, "too long"),
    ("/api/v1/reports/{pdf}/pages/1.png", {"chunk": "0123456789abcdef0123"}, 404, "no passage"),
    ("/api/v1/reports/{pdf}/passages/0123456789abcdef0123", {}, 404, "no passage"),
])
def test_the_routes_refuse_what_is_not_in_the_library(library, path, params, status, says):
    client, svc, name, _ = library
    txt = next(f for f, _ in svc.assistant.index.reports if f.endswith(".txt"))
    got = client.get(path.format(pdf=report_id(name), txt=report_id(txt)), params=params, headers=KEY)
    assert got.status_code == status, got.text
    assert says in got.json()["error"]["message"]


@needs_dev
@needs_dev
def test_a_unit_with_a_slash_is_words_to_mark_not_a_path(library):
    client, _svc, name, _case = library
    for words in ("价格为3,200元/吨", "speed in km/h", "3/4"):
        got = client.get(f"/api/v1/reports/{report_id(name)}/pages/1.png", params={"highlight": words}, headers=KEY)
        assert got.status_code == 200, (words, got.text)


def test_the_page_routes_need_the_api_key(library):
    client, _, name, _ = library
    url = f"/api/v1/reports/{report_id(name)}/pages/1.png"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403


@needs_dev
def test_a_text_reports_passage_is_shown_among_its_neighbours(library):
    client, svc, _, _ = library
    index = svc.assistant.index
    txt = next(f for f, _ in index.reports if f.endswith(".txt"))
    paragraphs = [c for c in index.chunks if c.file == txt and c.kind == "paragraph"]
    cited = paragraphs[2]
    got = client.get(f"/api/v1/reports/{report_id(txt)}/passages/{cited.id}", headers=KEY)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
    from bot.serve.answer_view import esc

    marked = re.findall(r"<mark>(.*?)</mark>", got.text, re.S)
    assert marked == [esc(cited.text)]
    assert esc(paragraphs[1].text) in got.text and esc(paragraphs[3].text) in got.text
    # a passage of another report is not this report's
    pdf_chunk = next(c for c in index.chunks if c.file != txt)
    assert client.get(f"/api/v1/reports/{report_id(txt)}/passages/{pdf_chunk.id}", headers=KEY).status_code == 404


@needs_dev
def test_the_chat_shows_the_page_of_a_pdf_citation(library):
    """The chat's sources panel: an <img> of the cited page (a link the server signed) and the
    fact card's link to it; the image loads without a key."""
    from bot.serve.chat import ChatHandlers
    from bot.serve.pagelinks import SourceViews

    client, svc, name, case = library
    views = SourceViews(svc.page_links, lambda: svc.assistant.index)
    handlers = ChatHandlers(svc.assistant, svc.settings, views=views)
    *_, (_, chat, _, _) = handlers.respond(case["question"], [], [], {}, "zh")
    content = chat[-1]["content"]
    images = re.findall(r'<img class="ra-page" src="([^"]+)"', content)
    assert images and all(f"/api/v1/reports/{report_id(name)}/pages/" in src for src in images)
    assert 'class="ra-fact-link"' in content
    got = client.get(images[0].replace("&amp;", "&"))
    assert got.status_code == 200 and int(got.headers["x-highlight-boxes"]) >= 1


# -- finding the words (no server) -------------------------------------------------------------
def glyphs_of(lines: list[str], size: float = 10.0) -> list[pages.Glyph]:
    """A page of monospaced lines, one glyph per non-space character."""
    out = []
    for row, line in enumerate(lines):
        for col, ch in enumerate(line):
            if not ch.isspace():
                top = 100 + row * 2 * size
                out.append(pages.Glyph(ch, pages.Box(50 + col * size, top, 50 + (col + 1) * size, top + size)))
    return out


def test_chinese_is_matched_across_spaces_and_line_breaks():
    page = glyphs_of(["2024年我国智算中心行业市场规", "模达到了 1014 亿元，同比增长15.4%。"])
    boxes = pages.find_boxes(page, "市场规模达到了1014亿元")
    assert len(boxes) == 2  # one per line
    assert boxes[0].top < boxes[1].top and boxes[1].x0 == 50


def test_a_passage_with_semicolons_is_marked_on_every_line():
    page = glyphs_of(["销量达到了5791辆；加氢站", "数量超过了400座。"])
    boxes = pages.find_boxes(page, "销量达到了5791辆；加氢站数量超过了400座。")
    assert len(boxes) == 2 and boxes[1].top > boxes[0].top


def test_a_rows_repeated_value_marks_each_of_its_cells():
    page = glyphs_of(["收入   10.5   10.5   3.1", "成本   10.5   2.0    1.1"])
    boxes = pages.find_boxes(page, "收入 | 10.5 | 10.5 | 3.1")
    assert len(boxes) == 4 and len({b.x0 for b in boxes}) == 4  # both 10.5 cells, on the row's line
    assert {b.top for b in boxes} == {100}


def test_words_not_on_the_page_mark_nothing():
    page = glyphs_of(["营业收入 27,616"])
    assert pages.find_boxes(page, "净利润同比下降") == []
    assert pages.find_boxes(page, "") == []


def test_a_page_without_text_falls_back_on_ocr_words(tmp_path, monkeypatch):
    """A scanned page has no characters; the OCR module's words (when installed) are used."""
    import types

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_scanned_pdf())
    fake = types.ModuleType("bot.formats.ocr")
    fake.page_words = lambda path, n, index_dir=None: [{"text": "营业收入", "x0": 72, "top": 200, "x1": 140, "bottom": 214, "conf": 0.9},
                                       {"text": "11.63%", "x0": 160, "top": 200, "x1": 200, "bottom": 214, "conf": 0.8}]
    monkeypatch.setitem(sys.modules, "bot.formats.ocr", fake)
    image = pages.render_page(scan, 1, "营业收入 | 11.63%")
    assert image.source == "ocr" and len(image.boxes) == 2
    monkeypatch.delitem(sys.modules, "bot.formats.ocr")
    monkeypatch.setattr(pages, "ocr_glyphs", lambda path, n, index_dir=None: [])  # no OCR installed: the page, unmarked
    assert pages.render_page(scan, 1, "营业收入").boxes == ()


def test_a_generated_pdf_page_has_the_pages_size_and_the_cache_keeps_it(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf("2023年氢能重卡行业观察", "2023年我国氢能重卡销量达到了5791辆，同比增长142.3%。"))
    cache = pages.PageCache(entries=2)
    first = cache.page(pdf, 1, "销量达到了5791辆")
    assert same_size(png_image(first.png), page_size(pdf, 1)) and first.source == "text"
    assert cache.page(pdf, 1, "销量达到了5791辆") is first
    with pytest.raises(pages.PageError):
        pages.render_page(pdf, 2)


def test_signed_links_cover_exactly_what_they_name():
    links = PageLinks("secret")
    url = links.page_url("报告.pdf", 3, chunk="abc")
    sig = re.search(r"sig=(\w+)", url).group(1)
    rid = report_id("报告.pdf")
    assert links.valid(sig, "page", rid, 3, "abc", "")
    assert not links.valid(sig, "page", rid, 4, "abc", "")
    assert not PageLinks("other").valid(sig, "page", rid, 3, "abc", "")


# -- the library's OCR facts -------------------------------------------------------------------
@needs_dev
def test_the_library_lists_ocr_pages_and_confidence_when_ingest_recorded_them(library, monkeypatch):
    import dataclasses

    client, svc, name, _ = library
    listed = {r["file"]: r for r in client.get("/api/v1/reports", headers=KEY).json()["reports"]}
    manifest = svc.library._manifest()
    # the dev PDF has a text layer; its large pictures are read by OCR (bot.formats.ocr), and the
    # library lists what ingest recorded for them (the text files: nothing)
    recorded = manifest.files[name].get("ocr_pages")
    assert listed[name]["ocr_pages"] == (recorded or None)
    assert (listed[name]["ocr_confidence"] is None) == (not recorded)
    files = {**manifest.files, name: {**manifest.files[name], "ocr_pages": [2, 3], "ocr_confidence": 0.91}}
    monkeypatch.setattr(svc.library, "_manifest", lambda: dataclasses.replace(manifest, files=files))
    listed = {r["file"]: r for r in client.get("/api/v1/reports", headers=KEY).json()["reports"]}
    assert listed[name]["ocr_pages"] == [2, 3] and listed[name]["ocr_confidence"] == 0.91
    assert all(r["ocr_pages"] is None for f, r in listed.items() if f != name)
