"""Who may call a route: the guard, rate, reader and admin dependencies.

Route dependencies: `guard` (origin, API key, body size), `rate` (guard plus the per-client
limit), `reader` (guard, or an admin) and `admin`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import ApiError
from .service import Service

MAX_BODY = 1_000_000  # bytes; questions are capped far below this by max_question_chars


@dataclass(frozen=True)
class Access:
    bearer: HTTPBearer
    guard: Callable[..., str]
    rate: Callable[..., str]
    reader: Callable[..., str]
    admin: Callable[..., str]


def make_access(svc: Service) -> Access:
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

    def admin(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        try:
            return svc.admins.check(request, credentials)
        except ApiError:
            svc.check_rate(svc.client_id(request, None) + ":bad-admin")  # slows down guessing
            raise

    def reader(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        """Listing is open to whoever may ask (an ordinary key: a portal needs the ids) and to admins."""
        if svc.admins.user(request) or svc.admins.is_admin_key(credentials):
            return "admin"
        return guard(request, credentials)

    return Access(bearer=bearer, guard=guard, rate=rate, reader=reader, admin=admin)
