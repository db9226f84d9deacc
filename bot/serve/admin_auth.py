"""Admin credentials: admin keys and /admin sign-ins in a signed, timed cookie.

BOT_ADMIN_KEYS for the API; BOT_ADMIN_USERS sign in to the page, kept in a cookie signed with
itsdangerous.
"""
from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlparse

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials
from itsdangerous import BadData, URLSafeTimedSerializer

from .config import ApiConfig, match_key, match_user
from .errors import ApiError

ADMIN_COOKIE = "bot_admin"
ADMIN_SESSION_SECONDS = 12 * 3600


class AdminAuth:
    """Sign-in, sign-out and the admin check.

    The cookie holds `{"u": user, "n": nonce}` signed with BOT_SESSION_SECRET (a random secret per
    start when unset, so sign-ins then end with a restart, as sessions in memory did) and is good
    for ADMIN_SESSION_SECONDS. Signing out forgets the nonce here, so a copy of the cookie is
    refused by this process from then on."""

    def __init__(self, config: ApiConfig):
        self.config = config
        secret = config.session_secret or secrets.token_urlsafe(32)
        self.serializer = URLSafeTimedSerializer(secret, salt="bot-admin-session")
        self._signed_out: dict[str, float] = {}  # nonce -> when its cookie would have expired anyway
        self._lock = threading.Lock()

    def sign_in(self, user: str, password: str) -> str | None:
        """The cookie value for a right BOT_ADMIN_USERS pair, else None."""
        if not match_user(user, password, self.config.admin_users):
            return None
        return self.serializer.dumps({"u": user, "n": secrets.token_urlsafe(16)})

    def user(self, request: Request) -> str | None:
        """The admin signed in to the page with this request's cookie, if any."""
        token = request.cookies.get(ADMIN_COOKIE, "")
        if not token:
            return None
        try:
            data = self.serializer.loads(token, max_age=ADMIN_SESSION_SECONDS)
        except BadData:  # a bad signature, an expired one, or not a token at all
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        with self._lock:
            if data.get("n") in self._signed_out:
                return None
        # a user removed from BOT_ADMIN_USERS (and the server restarted) is signed out
        if not any(name == data["u"] for name, _ in self.config.admin_users):
            return None
        return data["u"]

    def sign_out(self, request: Request) -> None:
        try:
            data = self.serializer.loads(request.cookies.get(ADMIN_COOKIE, ""), max_age=ADMIN_SESSION_SECONDS)
        except BadData:
            return
        now = time.time()
        with self._lock:
            self._signed_out = {n: t for n, t in self._signed_out.items() if t > now}
            self._signed_out[str(data.get("n"))] = now + ADMIN_SESSION_SECONDS

    def is_admin_key(self, credentials: HTTPAuthorizationCredentials | None) -> bool:
        given = credentials.credentials if credentials else ""
        return bool(given) and match_key(given, self.config.admin_keys) is not None

    def check(self, request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
        """Who is changing the library (for the audit log), or the ApiError that says why not."""
        if not self.config.admin_enabled:
            raise ApiError(403, "Library administration is off on this server: set BOT_ADMIN_KEYS (for the API) or "
                                "BOT_ADMIN_USERS (for the /admin page) and restart it.", "admin_disabled")
        if credentials is not None and credentials.credentials:
            found = match_key(credentials.credentials, self.config.admin_keys)
            if found is None:
                raise ApiError(403, "This key may not change the report library; admin keys are set with "
                                    "BOT_ADMIN_KEYS on the server (ordinary API keys never can).", "permission_error")
            return f"admin-key#{found}"
        user = self.user(request)
        if user is not None:
            origin = request.headers.get("origin")
            if request.method != "GET" and origin and urlparse(origin).netloc != request.headers.get("host", ""):
                raise ApiError(403, "Library changes from another site's page are not allowed.", "origin_not_allowed")
            return f"user:{user}"
        raise ApiError(401, "Changing the report library needs an admin: send 'Authorization: Bearer <admin key>' "
                            "(BOT_ADMIN_KEYS), or sign in at /admin (BOT_ADMIN_USERS).", "authentication_error",
                       {"WWW-Authenticate": "Bearer"})
