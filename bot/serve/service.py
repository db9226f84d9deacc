"""The state every route shares: the Assistant, answer workers, limiter, key checks, index reload."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials

from ..errors import BotError
from ..settings import Settings
from .admin_auth import AdminAuth
from .config import ApiConfig, match_key
from .errors import ApiError, bot_error
from .library import Library
from .pagelinks import PageLinks
from .ratelimit import make_limiter, too_many
from .uploads import report_id

log = logging.getLogger("bot.api")
WORKERS = 4  # answers computed at once; more requests wait (and count towards the timeout)


class Service:
    """The shared assistant, the worker threads, the limiter and the key check."""

    def __init__(self, settings: Settings, assistant, config: ApiConfig):
        self.settings = settings
        self.assistant = assistant
        self.config = config
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="bot-answer")
        self.limiter = make_limiter(config.rate_limit)
        self.started = int(time.time())
        self._reload_lock = threading.Lock()
        self._checked = time.monotonic()
        self.library = Library(settings, on_commit=self.reload_now)
        self.admins = AdminAuth(config)
        self.page_links = PageLinks(config.session_secret)  # the chat's signed page and passage links

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
        found = match_key(credentials.credentials, self.config.api_keys)
        if found is None:
            raise ApiError(403, "Unknown API key. Check the key your portal sends against BOT_API_KEYS.",
                           "permission_error")
        return found

    def check_rate(self, client: str) -> None:
        too_many(self.limiter, client, self.config.rate_limit)

    def origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if not origin:
            return True  # not a browser, or a same-origin GET
        if origin.rstrip("/") in self.config.allowed_origins:
            return True
        return urlparse(origin).netloc == request.headers.get("host", "")

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
            raise bot_error(err) from err

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
