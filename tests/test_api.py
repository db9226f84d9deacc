"""The HTTP server (bot/serve/) over real HTTP: uvicorn on a free local port, talked to with
httpx, the official `openai` client and `gradio_client`. Expected figures are checked against
the report text the citations quote, and API answers against what `Assistant.ask` gives directly."""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from bot.serve.app import create_app
from bot.serve.config import ApiConfig, parse_rate
from bot.serve.ratelimit import RateLimiter
from bot.errors import BotError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest_api import LiveServer, sse_events  # noqa: E402

SIZE_Q = "2024年我国智算中心行业市场规模是多少？"
PORTAL = "https://portal.example.com"


def comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "seconds"}


# -- servers ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def open_server(shipped_index, assistant):
    """Defaults: no keys, no login, only the same origin; rate limit off so tests do not interfere."""
    app = create_app(shipped_index, assistant, ApiConfig(rate_limit="off"))
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def locked_server(shipped_index, assistant):
    """Keys, a chat login, a small rate limit and one allowed portal origin."""
    config = ApiConfig(api_keys=("key-plain", "key-rate", "key-openai", "key-length"), ui_users=(("ann", "s3cret"),),
                       allowed_origins=(PORTAL,), rate_limit="3/minute")
    with LiveServer(create_app(shipped_index, assistant, config)) as server:
        yield server


def ask(url: str, question: str, history=(), **kw) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/ask", json={"question": question, "history": list(history)}, timeout=60, **kw)


# -- REST -----------------------------------------------------------------------------------------
def test_rest_ask_returns_the_figure_with_its_citation(open_server, assistant):
    r = ask(open_server.url, SIZE_Q)
    assert r.status_code == 200, r.text
    data = r.json()
    assert "1014亿元" in data["figures"]
    assert "**1014亿元**" in data["answer"] and "[1]" in data["answer"]
    cited = [c for c in data["citations"] if "1014亿元" in c["quote"]]
    assert cited and cited[0]["report"] == "中国智算中心行业发展现状" and cited[0]["location"]
    # the same JSON as `bot ask --json`
    assert data == comparable(assistant.ask(SIZE_Q).to_json())


def test_rest_history_resolves_a_follow_up(open_server):
    r = ask(open_server.url, "增速呢？", [SIZE_Q])
    assert r.status_code == 200, r.text
    data = r.json()
    assert "15.4%" in data["figures"]
    assert data["standalone_question"] != "增速呢？"


def test_health_reports_the_index(open_server, assistant):
    r = httpx.get(f"{open_server.url}/api/v1/health")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "ok"
    assert data["chunks"] == len(assistant.index.chunks) > 0
    assert data["embedding"] == "e5"
    assert [rep["file"] for rep in data["reports"]] == ["中国智算中心行业发展现状.txt"]


def test_errors_are_json_a_developer_understands(open_server):
    r = httpx.post(f"{open_server.url}/api/v1/ask", json={"q": "x"})
    assert r.status_code == 422
    assert "question" in r.json()["error"]["message"] and r.json()["error"]["type"] == "invalid_request_error"

    r = httpx.post(f"{open_server.url}/api/v1/ask", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "error" in r.json()

    r = ask(open_server.url, "   ")  # BotError from Assistant.ask -> 400 with its message
    assert r.status_code == 400
    assert "question" in r.json()["error"]["message"].lower() or "问题" in r.json()["error"]["message"]

    r = httpx.get(f"{open_server.url}/api/v1/nothing-here")
    assert r.status_code == 404 and "/docs" in r.json()["error"]["message"]

    r = httpx.post(f"{open_server.url}/api/v1/ask", json={"question": "x", "history": ["q"] * 51})
    assert r.status_code == 422 and "history" in r.json()["error"]["message"]


def test_question_length_limit(open_server, shipped_index):
    limit = shipped_index.max_question_chars
    r = ask(open_server.url, "智" * (limit + 1))
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["type"] == "question_too_long"
    assert str(limit) in err["message"] and str(limit + 1) in err["message"]
    # a question right at the limit is answered (refused or not), not rejected
    assert ask(open_server.url, "市场规模" + "。" * (limit - 4)).status_code == 200


def test_openapi_docs(open_server):
    assert httpx.get(f"{open_server.url}/docs").status_code == 200
    paths = httpx.get(f"{open_server.url}/openapi.json").json()["paths"]
    assert {"/api/v1/ask", "/api/v1/health", "/v1/chat/completions", "/v1/models"} <= set(paths)


# -- OpenAI-compatible ----------------------------------------------------------------------------
def openai_client(url: str, key: str = "not-needed"):
    from openai import OpenAI

    return OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=60)


def test_openai_client_gets_a_cited_answer(open_server):
    client = openai_client(open_server.url)
    assert [m.id for m in client.models.list()] == ["bot"]
    resp = client.chat.completions.create(model="bot", messages=[{"role": "user", "content": SIZE_Q}])
    content = resp.choices[0].message.content
    assert "**1014亿元**" in content and "[1]" in content and "来源" in content
    assert resp.choices[0].finish_reason == "stop"
    citations = resp.model_extra["citations"]
    assert any("1014亿元" in c["quote"] for c in citations)
    assert "1014亿元" in resp.model_extra["figures"]


def test_openai_reply_carries_table_and_chart_as_data(open_server, assistant):
    client = openai_client(open_server.url)
    for question in ("国家级政策有几项？", "主导建设智算中心的主体占比分别是多少？"):
        direct = assistant.ask(question).to_json()
        resp = client.chat.completions.create(model="bot", messages=[{"role": "user", "content": question}])
        assert resp.choices[0].message.content == direct["answer"]
        assert resp.model_extra["table"] == direct["table"] and resp.model_extra["chart"] == direct["chart"]
    assert direct["chart"] is not None  # the three shares make a chart


def test_openai_streaming_gives_the_same_answer_and_citations(open_server):
    client = openai_client(open_server.url)
    plain = client.chat.completions.create(model="bot", messages=[{"role": "user", "content": SIZE_Q}])
    stream = client.chat.completions.create(model="bot", messages=[{"role": "user", "content": SIZE_Q}], stream=True)
    chunks = list(stream)
    assert len(chunks) > 3
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == plain.model_extra["citations"]


def test_openai_conversation_uses_earlier_user_messages_as_history(open_server):
    client = openai_client(open_server.url)
    resp = client.chat.completions.create(model="bot", messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": SIZE_Q},
        {"role": "assistant", "content": "……1014亿元……"},
        {"role": "user", "content": [{"type": "text", "text": "增速呢？"}]},
    ])
    assert "15.4%" in resp.model_extra["figures"]


def test_openai_errors_map_to_sdk_exceptions(open_server):
    import openai

    client = openai_client(open_server.url)
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="bot", messages=[{"role": "system", "content": "hi"}])
    assert "user" in str(err.value)


def test_raw_sse_stream_ends_with_done(open_server):
    r = httpx.post(f"{open_server.url}/v1/chat/completions", timeout=60,
                   json={"model": "bot", "stream": True, "messages": [{"role": "user", "content": SIZE_Q}]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    assert events[-1] == "[DONE]"
    final = json.loads(events[-2])
    assert final["choices"][0]["finish_reason"] == "stop" and final["citations"]


# -- the chat and the widget -------------------------------------------------------------------------
def test_gradio_client_gets_an_answer_from_the_chat(open_server):
    from gradio_client import Client

    client = Client(open_server.url + "/", verbose=False)
    endpoint = _chat_endpoint(client)
    result = client.predict(SIZE_Q, api_name=endpoint)
    assert "1014亿元" in json.dumps(result, ensure_ascii=False)


def _chat_endpoint(client) -> str:
    names = list(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert "/chat" in names, names
    return "/chat"


def test_embed_page_and_widget(open_server):
    r = httpx.get(f"{open_server.url}/embed", follow_redirects=True)
    assert r.status_code == 200 and "<html" in r.text.lower()
    assert str(r.url).endswith("/embed/")
    assert r.headers["content-security-policy"] == "frame-ancestors 'self'"
    js = httpx.get(f"{open_server.url}/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert '"embed/"' in js.text and "iframe" in js.text


def test_foreign_origins_are_refused_by_default(open_server):
    evil = {"Origin": "https://evil.example"}
    r = ask(open_server.url, SIZE_Q, headers=evil)
    assert r.status_code == 403 and "BOT_ALLOWED_ORIGINS" in r.json()["error"]["message"]
    pre = httpx.options(f"{open_server.url}/api/v1/ask",
                        headers={**evil, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    # the server's own pages (e.g. the chat) may call it
    same = ask(open_server.url, SIZE_Q, headers={"Origin": open_server.url})
    assert same.status_code == 200
    page = httpx.get(f"{open_server.url}/")
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]


# -- keys, limits, allowed origins ------------------------------------------------------------------
def test_api_keys(locked_server):
    r = ask(locked_server.url, SIZE_Q)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in r.json()["error"]["message"]
    r = ask(locked_server.url, SIZE_Q, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403 and r.json()["error"]["type"] == "permission_error"
    r = ask(locked_server.url, SIZE_Q, headers={"Authorization": "Bearer key-plain"})
    assert r.status_code == 200 and "1014亿元" in r.json()["figures"]
    assert httpx.get(f"{locked_server.url}/api/v1/health").status_code == 200  # for load balancers
    # no key ever reaches the browser: not in the widget, the pages or their config
    for path in ("/widget.js", "/embed/", "/", "/embed/config", "/config"):
        page = httpx.get(f"{locked_server.url}{path}")
        assert "key-plain" not in page.text and "s3cret" not in page.text, path


def test_openai_client_with_keys(locked_server):
    import openai

    with pytest.raises(openai.PermissionDeniedError):
        openai_client(locked_server.url, "wrong").models.list()
    resp = openai_client(locked_server.url, "key-openai").chat.completions.create(
        model="bot", messages=[{"role": "user", "content": SIZE_Q}])
    assert "1014亿元" in resp.choices[0].message.content


def test_rate_limit_per_key(locked_server):
    headers = {"Authorization": "Bearer key-rate"}
    codes = [ask(locked_server.url, "国家级政策有几项？", headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = ask(locked_server.url, "国家级政策有几项？", headers=headers)
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 20  # 3/minute refills one request in 20 s
    assert r.json()["error"]["type"] == "rate_limit_error"
    # another key has its own bucket
    assert ask(locked_server.url, SIZE_Q, headers={"Authorization": "Bearer key-length"}).status_code == 200


def test_key_guessing_is_rate_limited(shipped_index, assistant):
    app = create_app(shipped_index, assistant, ApiConfig(api_keys=("right",), rate_limit="2/minute"), chat=False)
    with LiveServer(app) as server:
        codes = [ask(server.url, SIZE_Q, headers={"Authorization": f"Bearer guess{i}"}).status_code for i in range(3)]
        right = ask(server.url, SIZE_Q, headers={"Authorization": "Bearer right"})
    assert codes == [403, 403, 429]
    assert right.status_code == 200  # the holder of a real key is not locked out


def test_allowed_origin_gets_cors_and_may_frame(locked_server):
    pre = httpx.options(f"{locked_server.url}/api/v1/ask",
                        headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST",
                                 "Access-Control-Request-Headers": "authorization,content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == PORTAL
    r = httpx.get(f"{locked_server.url}/api/v1/health", headers={"Origin": PORTAL})
    assert r.headers["access-control-allow-origin"] == PORTAL
    assert r.headers["content-security-policy"] == f"frame-ancestors 'self' {PORTAL}"
    other = httpx.get(f"{locked_server.url}/api/v1/health", headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers


def test_chat_login(locked_server):
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(locked_server.url + "/", verbose=False)
    client = Client(locked_server.url + "/", auth=("ann", "s3cret"), verbose=False)
    result = client.predict(SIZE_Q, api_name=_chat_endpoint(client))
    assert "1014亿元" in json.dumps(result, ensure_ascii=False)


def test_chat_questions_are_rate_limited_per_ip(shipped_index, assistant):
    from gradio_client import Client

    with LiveServer(create_app(shipped_index, assistant, ApiConfig(rate_limit="2/minute"))) as server:
        client = Client(server.url + "/", verbose=False)
        endpoint = _chat_endpoint(client)
        for _ in range(2):
            assert "1014亿元" in json.dumps(client.predict(SIZE_Q, api_name=endpoint), ensure_ascii=False)
        with pytest.raises(Exception):
            client.predict(SIZE_Q, api_name=endpoint)
        r = httpx.post(f"{server.url}/gradio_api/queue/join", json={})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert ask(server.url, SIZE_Q).status_code == 200  # the API's bucket is separate


# -- timeout and a lost index store, with stand-in assistants ----------------------------------------
class SlowAssistant:
    def __init__(self, seconds: float):
        self.seconds = seconds

    def ask(self, question, history=()):
        time.sleep(self.seconds)
        raise AssertionError("should have timed out first")


class StoreDownAssistant:
    def ask(self, question, history=()):
        try:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        except httpx.ConnectError as err:
            raise BotError("Lost the Chroma server at http://127.0.0.1:1 (ConnectError).",
                           hint="Check that `chroma run` is up.") from err


def test_request_timeout_gives_504(shipped_index):
    app = create_app(shipped_index, SlowAssistant(3), ApiConfig(rate_limit="off", request_timeout=0.3), chat=False)
    with LiveServer(app) as server:
        started = time.monotonic()
        r = ask(server.url, SIZE_Q)
        assert time.monotonic() - started < 2.5
    assert r.status_code == 504
    assert r.json()["error"]["type"] == "timeout" and "BOT_REQUEST_TIMEOUT" in r.json()["error"]["message"]


def test_lost_store_gives_503(shipped_index):
    app = create_app(shipped_index, StoreDownAssistant(), ApiConfig(rate_limit="off"), chat=False)
    with LiveServer(app) as server:
        r = ask(server.url, SIZE_Q)
        c = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 503 and r.headers["retry-after"]
    assert "Chroma server" in r.json()["error"]["message"]
    assert c.status_code == 503


# -- pure parts -----------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, expected", [
    ("30/minute", (30, 60.0)), ("5/second", (5, 1.0)), ("100/hour", (100, 3600.0)), ("10/5min", (10, 300.0)),
    ("2/s", (2, 1.0)), ("1000/day", (1000, 86400.0)), ("off", None), ("0", None), (" 7/minutes ", (7, 60.0)),
])
def test_parse_rate(spec, expected):
    assert parse_rate(spec) == expected


@pytest.mark.parametrize("spec", ["30", "x/minute", "30/fortnight", "-1/minute", "30/"])
def test_parse_rate_rejects_with_the_value(spec):
    with pytest.raises(BotError) as err:
        parse_rate(spec)
    assert spec.strip() in str(err.value) and "30/minute" in str(err.value)


def test_token_bucket_refills():
    now = [0.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])  # 2 per 10 s: one token every 5 s
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    wait = limiter.take("a")
    assert wait == pytest.approx(5.0)
    assert limiter.take("b") == 0  # per client
    now[0] = 2.5
    assert limiter.take("a") == pytest.approx(2.5)
    now[0] = 5.0
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0


def test_token_bucket_is_safe_across_threads():
    limiter = RateLimiter(50, 3600.0)
    allowed = []

    def hit():
        for _ in range(20):
            allowed.append(limiter.take("same") == 0)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 50


def test_a_limited_client_stays_limited_while_the_table_is_trimmed():
    now = [0.0]
    limiter = RateLimiter(1, 10.0, clock=lambda: now[0], max_clients=2)  # one per 10 s
    assert limiter.take("a") == 0
    for other in ("b", "c", "d"):  # more clients than the table keeps
        assert limiter.take(other) == 0
    assert limiter.take("a") == pytest.approx(10.0)  # not forgotten while it owes a token
    now[0] = 10.0
    assert limiter.take("e") == 0  # every bucket has refilled: the table keeps only the ones that owe
    assert len(limiter._buckets) <= 2
    assert limiter.take("a") == 0 and limiter.take("a") == pytest.approx(10.0)


def test_config_from_env(monkeypatch):
    monkeypatch.setenv("BOT_API_KEYS", " k1 , k2,")
    monkeypatch.setenv("BOT_UI_USERS", "ann:pa:ss,bob:x")
    monkeypatch.setenv("BOT_ALLOWED_ORIGINS", "https://a.example/, http://b.example:8080")
    monkeypatch.setenv("BOT_RATE_LIMIT", "10/minute")
    monkeypatch.setenv("BOT_REQUEST_TIMEOUT", "12.5")
    c = ApiConfig.from_env()
    assert c.api_keys == ("k1", "k2")
    assert c.ui_users == (("ann", "pa:ss"), ("bob", "x"))
    assert c.allowed_origins == ("https://a.example", "http://b.example:8080")
    assert (c.rate_limit, c.request_timeout) == ("10/minute", 12.5)


@pytest.mark.parametrize("var, value, words", [
    ("BOT_UI_USERS", "ann", "user:password"), ("BOT_ALLOWED_ORIGINS", "portal.example.com", "not an origin"),
    ("BOT_REQUEST_TIMEOUT", "soon", "soon"), ("BOT_REQUEST_TIMEOUT", "0", "greater than 0"),
    ("BOT_RATE_LIMIT", "lots", "lots"),
])
def test_bad_config_is_a_clear_error(monkeypatch, var, value, words):
    monkeypatch.setenv(var, value)
    with pytest.raises(BotError) as err:
        ApiConfig.from_env()
    assert words in str(err.value)


# -- the widget in a real browser -------------------------------------------------------------------


class PortalPage:
    """A page of some other site, on its own origin, that carries the one-line widget tag."""

    def __init__(self, bot_url: str, port: int):
        import http.server

        html = (f'<!doctype html><html><head><meta charset="utf-8"><title>Portal</title></head><body>'
                f'<h1>Intranet portal</h1><script src="{bot_url}/widget.js" defer></script></body></html>').encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *args):
                pass

        self.url = f"http://localhost:{port}"  # localhost vs the bot's 127.0.0.1: another origin
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()



@pytest.fixture(scope="module")
def widget_setup(shipped_index, assistant):
    """The bot allowing one portal origin; that portal and a second, not allowed, one."""
    from conftest_api import free_port

    bot_port, allowed_port, other_port = free_port(), free_port(), free_port()
    bot_url = f"http://127.0.0.1:{bot_port}"
    allowed = PortalPage(bot_url, allowed_port)
    other = PortalPage(bot_url, other_port)
    app = create_app(shipped_index, assistant, ApiConfig(rate_limit="off", allowed_origins=(allowed.url,)))
    with LiveServer(app, port=bot_port) as server:
        yield server, allowed, other
    allowed.close()
    other.close()


def _open_widget(browser, portal: PortalPage):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.console_lines = []
    page.on("console", lambda msg: page.console_lines.append(msg.text))
    page.goto(portal.url, wait_until="load")
    button = page.locator("[data-report-assistant] button.btn")  # playwright pierces the open shadow root
    button.wait_for(timeout=30_000)
    assert page.locator("iframe").count() == 0  # the chat loads only when opened
    button.click()
    page.locator("iframe").wait_for(timeout=30_000)
    return context, page


@pytest.mark.browser
@pytest.mark.slow
def test_widget_on_an_allowed_portal_answers(browser, widget_setup):
    server, allowed, _ = widget_setup
    context, page = _open_widget(browser, allowed)
    try:
        frame = page.frame_locator("iframe")
        box = frame.locator("textarea").first
        box.wait_for(timeout=60_000)
        box.fill(SIZE_Q)
        box.press("Enter")
        frame.locator('[data-testid="bot"]', has_text="1014亿元").first.wait_for(timeout=60_000)
        assert server.url + "/embed/" == page.locator("iframe").get_attribute("src")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_widget_on_a_foreign_portal_is_blocked(browser, widget_setup):
    server, _, other = widget_setup
    context, page = _open_widget(browser, other)
    try:
        page.wait_for_timeout(3000)
        frame = next(f for f in page.frames if f != page.main_frame)
        # the browser refuses to render the chat inside a page of an origin not allowed
        assert frame.url.startswith("chrome-error://"), frame.url
        assert frame.locator("textarea").count() == 0
        assert any("frame-ancestors" in line and other.url not in line for line in page.console_lines), page.console_lines
    finally:
        context.close()
