"""Server settings and keys: the BOT_* access variables (`ApiConfig`) and key matching.

| variable | default | meaning |
|---|---|---|
| BOT_API_KEYS | (empty) | comma-separated keys; when set, /api/v1/ask and /v1/* need `Authorization: Bearer <key>` |
| BOT_UI_USERS | (empty) | `user:pass,...`: the chat at / and /embed asks for a login |
| BOT_ALLOWED_ORIGINS | (empty) | comma-separated origins (`https://portal.example.com`) that may frame /embed and call the API from a browser; the server's own origin always may |
| BOT_RATE_LIMIT | 60/minute | requests per client (API key, else IP) to the API and to the chat: a token bucket of that many, refilled evenly over that length; `off` disables |
| BOT_REQUEST_TIMEOUT | 30 | seconds an answer may take before the API replies 504 |
| BOT_ADMIN_USERS | (empty) | `user:pass,...`: who may sign in to the library page at /admin |
| BOT_ADMIN_KEYS | (empty) | comma-separated keys that may upload and delete reports through the API |
| BOT_SESSION_SECRET | (random per start) | signs the /admin session cookie and the chat's page and passage links; set the same value on every replica so a sign-in and an answer's page images hold across them and across restarts |

Admin credentials are separate from the ordinary ones: a key in BOT_API_KEYS or a chat login
never reaches an admin route (401 without a credential, 403 with a non-admin one).
"""
from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from urllib.parse import urlparse

from ..errors import BotError

RELOAD_CHECK_SECONDS = 30.0  # how often to look for a newly committed index build
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


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
    session_secret: str = field(default="", repr=False)

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
            session_secret=os.environ.get("BOT_SESSION_SECRET", "").strip(),
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


def match_key(given: str, keys: tuple[str, ...]) -> int | None:
    """The index of `given` among `keys`, or None; every key is compared in constant time, so the
    time taken does not tell how close a guess was."""
    raw = given.encode()
    found = None
    for i, key in enumerate(keys):
        if hmac.compare_digest(raw, key.encode()):
            found = i
    return found


def match_user(user: str, password: str, users: tuple[tuple[str, str], ...]) -> bool:
    """Is this a configured user:password pair? Every pair is compared, so the time taken does not
    tell which user exists."""
    ok = False
    for name, secret in users:
        ok |= hmac.compare_digest(name.encode(), user.encode()) & hmac.compare_digest(secret.encode(), password.encode())
    return ok
