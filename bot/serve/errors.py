"""API errors: the OpenAI-shaped JSON `{"error": {"message", "type"}}` and its handlers.

Status codes: 400 (BotError from the assistant), 401/403 (key), 404, 413 (question too long),
422 (malformed request), 429 (+ Retry-After), 503 (Chroma server unreachable, + Retry-After) and
504 (timeout).
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BotError

log = logging.getLogger("bot.serve")


class ApiError(Exception):
    def __init__(self, status: int, message: str, type_: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.headers = status, message, type_, headers or {}


def error_response(status: int, message: str, type_: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": type_}}, status_code=status, headers=headers)


def is_store_outage(err: BaseException) -> bool:
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


def bot_error(err: BotError) -> ApiError:
    if is_store_outage(err):
        return ApiError(503, str(err), "service_unavailable", {"Retry-After": "5"})
    return ApiError(400, str(err), "invalid_request_error")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError):
        return error_response(err.status, err.message, err.type, err.headers)

    @app.exception_handler(BotError)
    async def from_bot_error(request: Request, err: BotError):
        api = bot_error(err)
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
