"""The library page and the chat's report selector in Debian's chromium (Playwright): an admin
signs in, drops a Word report and picks a PDF, watches both jobs finish, asks about the Word
report's figure in the chat, restricts the chat to the PDF, deletes the Word report and asks
again. Saves the README screenshot to tests/screenshots/library.png."""
from __future__ import annotations

import base64
import shutil
import sys
from pathlib import Path

import pytest

from bot.serve import chat as ui
from bot.serve.admin_page import ADMIN_STRINGS
from bot.serve.app import create_app
from bot.serve.config import ApiConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import SHIPPED_CORPUS, build_index  # noqa: E402
from conftest_api import LiveServer  # noqa: E402
from test_browser import ask  # noqa: E402
from test_library import FIGURE_RE, LOGISTICS, LOGISTICS_Q, LOGISTICS_TITLE, make_docx, make_pdf  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOT = Path(__file__).resolve().parent / "screenshots" / "library.png"
PDF_TITLE = "2023年氢能重卡行业观察"
PDF_TEXT = "2023年我国氢能重卡销量达到了5791辆，同比增长142.3%。加氢站数量超过了400座。"
USER, PASSWORD = "editor", "lib-s3cret"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("library-browser")
    shutil.copytree(SHIPPED_CORPUS, root / "corpus")
    settings = build_index(root / "corpus", root / "index")
    config = ApiConfig(admin_users=((USER, PASSWORD),), rate_limit="off")
    with LiveServer(create_app(settings, config=config)) as live:
        yield live


def wait_jobs_done(pg, n: int) -> None:
    pg.wait_for_function(
        """(n) => { const jobs = [...document.querySelectorAll('#lib-jobs .job')];
                    return jobs.length >= n && jobs.every(j => j.dataset.status === 'done' || j.dataset.status === 'failed'); }""",
        arg=n, timeout=300_000)


def test_admin_uploads_asks_within_and_deletes(browser, server, tmp_path):
    docx, pdf = tmp_path / "低空物流.docx", tmp_path / "氢能重卡.pdf"
    docx.write_bytes(make_docx(LOGISTICS_TITLE, LOGISTICS))
    pdf.write_bytes(make_pdf(PDF_TITLE, PDF_TEXT))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.on("dialog", lambda dialog: dialog.accept())

    pg.goto(f"{server.url}/admin")
    pg.fill("#lib-user", USER)
    pg.fill("#lib-password", "wrong")
    pg.click("#lib-login")
    assert pg.locator("#lib-login-error").is_visible()  # a wrong password gets a message, not the page
    pg.fill("#lib-user", USER)
    pg.fill("#lib-password", PASSWORD)
    pg.click("#lib-login")
    pg.wait_for_selector("#lib-drop")
    pg.wait_for_function("() => window.__libReady === true")

    # the Word report dropped on the page, the PDF through the file picker
    pg.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], name));
        document.querySelector('#lib-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
    }""", [docx.name, base64.b64encode(docx.read_bytes()).decode()])
    pg.set_input_files("#lib-input", str(pdf))
    wait_jobs_done(pg, 2)
    assert pg.locator('#lib-jobs .job[data-status="done"]').count() == 2
    for name in (docx.name, pdf.name):
        row = pg.locator(f'#lib-table tr[data-file="{name}"]')
        row.wait_for()
        assert row.get_attribute("data-status") == "indexed"
    assert pg.locator(f'#lib-table tr[data-file="{pdf.name}"] td').nth(4).inner_text() == "1"  # pages
    # the page in English too
    pg.click('.lang button[data-lang="en"]')
    assert pg.locator('th [data-t="col_chunks"]').inner_text() == ADMIN_STRINGS["en"]["col_chunks"]
    SCREENSHOT.parent.mkdir(exist_ok=True)
    pg.screenshot(path=str(SCREENSHOT), full_page=True)

    # the chat answers from the new Word report, with its citation
    chat = context.new_page()
    chat.on("pageerror", lambda err: errors.append(str(err)))
    chat.goto(server.url + "/")
    chat.wait_for_selector("#ra-input textarea", timeout=60_000)
    answer = ask(chat, LOGISTICS_Q)
    figure = FIGURE_RE.search(LOGISTICS).group(0)
    assert figure in answer.locator("strong").all_inner_texts()
    assert LOGISTICS_TITLE in answer.text_content()  # in the collapsed sources

    # restricted to the PDF, the same question is refused and says where it looked
    chat.click("#ra-reports input")
    chat.keyboard.type(PDF_TITLE[:6])
    chat.locator("#ra-reports [data-testid=\"dropdown-option\"]", has_text=PDF_TITLE).first.click()
    chat.keyboard.press("Escape")
    answer = ask(chat, LOGISTICS_Q)
    text = answer.text_content()
    assert figure not in text and PDF_TITLE in text and LOGISTICS_TITLE not in text

    # the Word report deleted on the library page: after the swap no answer comes from it
    pg.locator(f'#lib-table tr[data-file="{docx.name}"] button.delete').click()
    wait_jobs_done(pg, 3)
    pg.wait_for_function("(f) => !document.querySelector(`#lib-table tr[data-file=\"${f}\"]`)", arg=docx.name)
    chat.reload()
    chat.wait_for_selector("#ra-input textarea", timeout=60_000)
    answer = ask(chat, LOGISTICS_Q)
    text = answer.text_content()
    assert figure not in text and LOGISTICS_TITLE not in text
    context.close()
    assert not errors, errors
