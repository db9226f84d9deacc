"""The cited page in the chat, in Debian's chromium (Playwright): a question whose answer cites the
dev set's PDF, the sources panel opened, the page image loaded, and the highlight's colour over
the cited figure (read back from the image in the page's own canvas). The server asks API keys,
so the image shows because the chat's links are signed. Saves tests/screenshots/page-view.png."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.serve.app import create_app
from bot.serve.config import ApiConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest_api import LiveServer  # noqa: E402
from test_browser import ask, golden  # noqa: E402
from test_pages import dev_pdf_library, word_boxes  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOT = Path(__file__).resolve().parent / "screenshots" / "page-view.png"
ADMIN = ("editor", "page-s3cret")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings, pdf, case = dev_pdf_library(tmp_path_factory.mktemp("page-browser"))
    config = ApiConfig(api_keys=("portal-key",), admin_users=(ADMIN,), rate_limit="off")
    with LiveServer(create_app(settings, config=config)) as live:
        yield live, pdf, case


# yellow pixels of the image over a box given in fractions of the image's size
YELLOW_SHARE_JS = """(img, box) => {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const x = Math.round(box[0] * img.naturalWidth), y = Math.round(box[1] * img.naturalHeight);
  const w = Math.max(1, Math.round((box[2] - box[0]) * img.naturalWidth));
  const h = Math.max(1, Math.round((box[3] - box[1]) * img.naturalHeight));
  const d = ctx.getImageData(x, y, w, h).data;
  let yellow = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] > 160 && d[i + 2] < 170) yellow++;
  return yellow / (d.length / 4);
}"""


def test_the_sources_panel_shows_the_cited_page_with_the_highlight(browser, server):
    import pdfplumber

    live, pdf, case = server
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.goto(live.url + "/")
    pg.wait_for_selector("#ra-input textarea", timeout=60_000)
    answer = ask(pg, case["question"])
    figure = case["figures"][0]
    assert figure in answer.locator("strong").all_inner_texts()

    answer.locator("details.ra-sources summary").click()
    image = answer.locator("img.ra-page").first
    image.wait_for(state="visible", timeout=60_000)
    pg.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=60_000)
    src = image.get_attribute("src")
    assert "/pages/" in src and ".png" in src and "sig=" in src  # the route, with the chat's signature
    page = int(src.split("/pages/")[1].split(".png")[0])

    # the cited figure's place on the page, from the PDF's own text layer, as fractions of the page
    with pdfplumber.open(pdf) as doc:
        width, height = doc.pages[page - 1].width, doc.pages[page - 1].height
    spots = [(x0 / width, top / height, x1 / width, bottom / height)
             for x0, top, x1, bottom in word_boxes(pdf, page, figure)]
    assert spots, f"{figure} is not on page {page}"
    image.scroll_into_view_if_needed()
    shares = [image.evaluate(YELLOW_SHARE_JS, list(s)) for s in spots]
    assert max(shares) > 0.3, shares
    # the page's top margin is not highlighted
    assert image.evaluate(YELLOW_SHARE_JS, [0.0, 0.0, 1.0, 0.03]) < 0.01

    # the fact card's source line links to the same page
    link = answer.locator("a.ra-fact-link")
    assert link.count() == 1 and f"/pages/{page}.png" in link.get_attribute("href")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    pg.screenshot(path=str(SCREENSHOT))

    # a text report's citation: the passage marked among its neighbours, and a link to it
    shipped = golden("size-2024")
    answer = ask(pg, shipped["question"])
    answer.locator("details.ra-sources summary").click()
    marked = answer.locator(".ra-context mark").first
    marked.wait_for(state="visible")
    assert any(f in marked.inner_text() for f in shipped["figures"])
    assert answer.locator(".ra-context .ra-around").count() >= 1
    assert "/passages/" in answer.locator("a.ra-passage-link").first.get_attribute("href")
    context.close()
    assert not errors, errors


def test_the_library_page_shows_which_pages_were_read_by_ocr(browser, server):
    """The /admin table's OCR column: the pages and mean confidence ingest recorded, "—" when none.
    The listing is given OCR facts on the way (the PDF here has a text layer)."""
    import json

    from bot.serve.admin_page import ADMIN_STRINGS

    live, pdf, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    pg = context.new_page()

    def with_ocr(route):
        body = route.fetch().json()
        for r in body["reports"]:
            if r["file"] == pdf.name:
                r["ocr_pages"], r["ocr_confidence"] = [1, 2, 3, 5], 0.874
        route.fulfill(json=body)

    pg.route("**/api/v1/reports", with_ocr)
    pg.goto(f"{live.url}/admin")
    pg.fill("#lib-user", ADMIN[0])
    pg.fill("#lib-password", ADMIN[1])
    pg.click("#lib-login")
    pg.wait_for_function("() => window.__libReady === true")
    row = pg.locator(f'#lib-table tr[data-file="{pdf.name}"]')
    row.wait_for()
    headers = pg.locator("#lib-table thead th").all_inner_texts()
    column = headers.index(ADMIN_STRINGS["zh"]["col_ocr"])
    cell = row.locator("td").nth(column).inner_text()
    assert "1–3, 5" in cell and "87%" in cell
    others = pg.locator(f'#lib-table tbody tr:not([data-file="{pdf.name}"])')
    assert others.count() >= 1
    assert all(others.nth(i).locator("td").nth(column).inner_text() == "—" for i in range(others.count()))
    context.close()
