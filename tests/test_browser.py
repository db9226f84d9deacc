"""The chat in a real browser: `python app.py` in a subprocess on a free port, driven by
Playwright with Debian's chromium (never `playwright install`).

Expected figures come from the golden set, labels and titles from the index and the UI's own
string table, so nothing checked here is written into the test. Saves the README screenshot
to tests/screenshots/chat.png.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.serve import chat as ui
from bot.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "shipped.jsonl"
SCREENSHOT = ROOT / "tests" / "screenshots" / "chat.png"
MAX_CHARS = 300  # BOT_MAX_QUESTION_CHARS for the served app, so the too-long case stays small
LAST_BOT = '[data-testid="bot"] >> nth=-1'


def golden(case_id: str) -> dict:
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["id"] == case_id:
            return case
    raise LookupError(case_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(shipped_index, tmp_path_factory):
    """The app as a user starts it: `python app.py`, with BOT_PORT and the test index."""
    port = free_port()
    feedback_file = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    env = {**os.environ, "BOT_INDEX_DIR": str(shipped_index.index_dir), "BOT_CORPUS_DIR": str(shipped_index.corpus_dir),
           "BOT_PORT": str(port), "BOT_HOST": "127.0.0.1", "BOT_FEEDBACK_FILE": str(feedback_file),
           "BOT_MAX_QUESTION_CHARS": str(MAX_CHARS), "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            lines.append(line)
            if "Chat running at" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(180) or proc.poll() is not None:
        proc.kill()
        pytest.fail("app.py did not start:\n" + "".join(lines[-30:]))
    url_line = next(line for line in lines if "Chat running at" in line)
    assert f"http://127.0.0.1:{port}/" in url_line  # it prints the URL it serves
    yield SimpleServer(f"http://127.0.0.1:{port}/", feedback_file, lines)
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


class SimpleServer:
    def __init__(self, url, feedback_file, log):
        self.url, self.feedback_file, self.log = url, feedback_file, log



@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 1100}, device_scale_factor=1)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.goto(server.url, wait_until="load")
    pg.wait_for_selector("#ra-input textarea", timeout=60_000)
    pg.wait_for_function("() => window.__raReady === true", timeout=30_000)
    yield pg
    context.close()
    assert not errors, errors


def bot_count(pg) -> int:
    return pg.locator('[data-testid="bot"]').count()


def ask(pg, question: str, timeout: float = 150_000):
    """Type a question, press Enter, wait until a new, finished answer is shown; return it."""
    before = bot_count(pg)
    pg.fill("#ra-input textarea", question)
    pg.press("#ra-input textarea", "Enter")
    thinking = [ui.STRINGS[lang]["thinking"] for lang in ui.STRINGS]
    pg.wait_for_function(
        """([n, thinking]) => { const b = document.querySelectorAll('[data-testid="bot"]');
             return b.length > n && !thinking.some(t => b[b.length - 1].innerText.includes(t)); }""",
        arg=[before, thinking], timeout=timeout)
    return pg.locator(LAST_BOT)


def bold_texts(message) -> list[str]:
    return [s.strip() for s in message.locator("strong").all_inner_texts()]


def test_chat_follow_up_chart_language_and_screenshot(page, shipped_index):
    pg = page
    settings = Settings().with_(corpus_dir=shipped_index.corpus_dir)
    # start screen: the reports the index holds, and the examples file's questions
    from bot.chain import Assistant  # only for the titles the index reports, no questions asked

    reports = Assistant(shipped_index).index.health()["reports"]
    start = pg.locator("#ra-chat").inner_text()
    assert all(r["title"] in start for r in reports)
    examples = ui.load_examples(settings)
    assert examples and all(q in start for q in examples)

    # a follow-up pair from the golden set: figures in bold, a citation, a collapsed sources section
    first, follow = golden("size-2024"), golden("fu-growth")
    message = ask(pg, first["question"])
    assert set(first["figures"]) <= set(bold_texts(message))
    assert re.search(r"\[1\]", message.inner_text())
    sources = message.locator("details.ra-sources")
    assert sources.count() == 1 and sources.get_attribute("open") is None
    assert not message.locator(".ra-quote").first.is_visible()
    message = ask(pg, follow["turns"][1])
    assert set(follow["figures"]) <= set(bold_texts(message))

    # the sources open on a click and quote the passage with its report and location
    message.locator("details.ra-sources summary").click()
    quote = message.locator(".ra-quote").first
    assert quote.is_visible() and any(f in quote.inner_text() for f in follow["figures"])
    assert any(r["title"] in message.locator(".ra-meta").first.inner_text() for r in reports)

    # the fact card button copies one sourced line
    message.locator("button.ra-fact").click()
    fact = pg.wait_for_function("() => window.__raLastFact").json_value()
    assert any(f in fact for f in follow["figures"]) and "——《" in fact

    # several comparable figures: a bar chart with one bar per figure, units and source
    shares = golden("shares-all")
    message = ask(pg, shares["question"])
    chart = message.locator(".ra-chart")
    assert chart.count() == 1
    assert chart.locator("rect.ra-bar").count() == len(shares["figures"])
    chart_text = chart.inner_text()
    assert all(f in chart_text for f in shares["figures"])
    assert ui.STRINGS["zh"]["unit"] in chart_text and ui.STRINGS["zh"]["source"] in chart_text
    pg.locator('[data-testid="bot"] >> nth=-2').locator("details.ra-sources summary").click()  # close it again
    pg.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOT))

    # English interface: chrome switches, the conversation stays
    pg.get_by_text("English", exact=True).click()
    pg.wait_for_function("(title) => document.body.innerText.includes(title)", arg=ui.STRINGS["en"]["title"])
    assert pg.locator("#ra-input textarea").get_attribute("placeholder") == ui.STRINGS["en"]["placeholder"]
    assert bot_count(pg) == 3
    message = ask(pg, golden("policy-national-count")["question"])
    assert message.locator(".ra-table table tbody tr").count() >= 1
    assert ui.STRINGS["en"]["sources"] in message.locator("details.ra-sources summary").inner_text()


def test_empty_too_long_and_html_questions(page):
    pg = page
    pg.fill("#ra-input textarea", "   ")
    pg.press("#ra-input textarea", "Enter")
    pg.wait_for_timeout(1500)
    assert bot_count(pg) == 0 and pg.locator('[data-testid="user"]').count() == 0

    message = ask(pg, "长" * (MAX_CHARS + 1))
    assert str(MAX_CHARS) in message.inner_text()  # the limit, from Assistant's BotError

    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>市场规模是多少？'
    message = ask(pg, evil)
    assert pg.evaluate("window.__pwned") is None
    assert "<script>" in pg.locator('[data-testid="user"] >> nth=-1').inner_text()  # shown as text
    assert message.locator("strong").count() >= 1  # and still answered

    pg.locator("#ra-new").click()  # a new conversation: empty chat, start screen again
    pg.wait_for_function("() => document.querySelectorAll('[data-testid=\"bot\"]').length === 0")
    assert ui.load_examples(Settings())[0] in pg.locator("#ra-chat").inner_text()


def test_thumbs_down_with_comment_is_stored(page, server):
    pg = page
    question = golden("size-2024")["question"]
    message = ask(pg, question)
    before = server.feedback_file.read_text(encoding="utf-8").count("\n") if server.feedback_file.exists() else 0
    pg.locator('#ra-chat button[aria-label="Dislike"]').last.click()
    comment = pg.locator("#ra-comment textarea")
    comment.wait_for(state="visible", timeout=10_000)
    comment.fill("引用位置不对")
    comment.press("Enter")
    deadline = time.time() + 10
    entries = []
    while time.time() < deadline:
        lines = server.feedback_file.read_text(encoding="utf-8").splitlines() if server.feedback_file.exists() else []
        entries = [json.loads(x) for x in lines[before:]]
        if any(e["comment"] for e in entries):
            break
        time.sleep(0.2)
    assert [e["vote"] for e in entries] == ["down", "down"]
    assert entries[-1]["question"] == question and entries[-1]["comment"] == "引用位置不对"
    assert entries[0]["id"] == entries[1]["id"] and entries[0]["citations"]
    out = subprocess.run([sys.executable, "-m", "bot.cli", "feedback", "--file", str(server.feedback_file)],
                         capture_output=True, text=True, cwd=ROOT)
    assert "引用位置不对" in out.stdout and "👎" in out.stdout
    assert message.is_visible()


def test_twenty_simultaneous_questions_all_get_answers(server):
    from gradio_client import Client

    question = golden("size-2024")
    client = Client(server.url, verbose=False)
    jobs = [client.submit(question["question"], [], api_name="/chat") for _ in range(20)]
    results = [job.result(timeout=180) for job in jobs]
    assert len(results) == 20
    for result in results:
        chat = result[1] if isinstance(result, (list, tuple)) else result
        text = json.dumps(chat, ensure_ascii=False)
        assert all(f"**{f}**" in text for f in question["figures"]), text[:500]
