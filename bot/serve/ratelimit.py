"""Rate limits per client (API key, else address) on the `limits` library, and their 429s.

One moving window per client: no client makes more than `count` requests in any `per_seconds`
(BOT_RATE_LIMIT, e.g. 60/minute). A refused request is told when the oldest request in its window
expires (Retry-After). In-process memory storage: with N replicas each enforces its own limit,
so a client may get up to N times the limit across the fleet.
"""
from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from .config import parse_rate
from .errors import ApiError, error_response


class RateLimiter:
    """`take(client)`: 0.0 when the request may go ahead (and counts it), else the seconds until
    it may. Thread-safe (the storage locks per key)."""

    def __init__(self, count: int, per_seconds: float):
        # limits counts whole seconds; a window under one second is one second
        self.item = RateLimitItemPerSecond(count, max(1, round(per_seconds)))
        self.storage = MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)

    def take(self, client: str) -> float:
        if self.strategy.hit(self.item, client):
            return 0.0
        reset, _remaining = self.strategy.get_window_stats(self.item, client)
        return max(reset - time.time(), 0.001)


def make_limiter(spec: str) -> RateLimiter | None:
    """The limiter for a BOT_RATE_LIMIT value, or None when it is off."""
    rate = parse_rate(spec)
    return RateLimiter(*rate) if rate else None


def retry_seconds(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def too_many(limiter: RateLimiter | None, client: str, spec: str) -> None:
    """Count a request of `client`; raise the 429 when it is over the limit."""
    if limiter is None:
        return
    wait = limiter.take(client)
    if wait > 0:
        retry = retry_seconds(wait)
        raise ApiError(429, f"Too many requests: the limit is {spec} per client. Retry after {retry} s.",
                       "rate_limit_error", {"Retry-After": retry})


def chat_refusal(wait: float, spec: str):
    """The 429 response for a chat question over the limit (sent from the middleware)."""
    retry = retry_seconds(wait)
    return error_response(429, f"Too many questions: the limit is {spec}. Retry after {retry} s.",
                          "rate_limit_error", {"Retry-After": retry})
