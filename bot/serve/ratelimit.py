"""Rate limits per client (API key, else address) on `pyrate-limiter`'s token bucket, and their 429s.

One token bucket per client: `count` requests at once, refilled at count/per_seconds
(BOT_RATE_LIMIT, e.g. 60/minute: a burst of 60, then one more each second). A refused request
is told when the next token arrives (Retry-After). The library's `TokenBucket` (GCRA, one
number per client) decides and computes the wait; this module keeps one bucket per client,
converts seconds to the library's milliseconds and forgets buckets that have refilled.
In-process memory: with N replicas each enforces its own limit, so a client may get up to N
times the limit across the fleet.
"""
from __future__ import annotations

import math
import threading
from typing import Callable

from pyrate_limiter import AbstractClock, Rate, RateItem, StateBucket, TokenBucket

from .config import parse_rate
from .errors import ApiError, error_response


class _SecondsClock(AbstractClock):
    """A clock in seconds (e.g. a test's) as the library's clock, which counts milliseconds."""

    def __init__(self, seconds: Callable[[], float]):
        self.seconds = seconds

    def now(self) -> int:
        return round(self.seconds() * 1000)


class RateLimiter:
    """`take(client)`: 0.0 when the request may go ahead (and spends a token), else the seconds
    until it may. `clock` (seconds) replaces the library's monotonic clock, for tests.
    Thread-safe: one lock around the bucket table and each decision."""

    def __init__(self, count: int, per_seconds: float, clock: Callable[[], float] | None = None,
                 max_clients: int = 50_000):
        # burst = count: a client at rest may send `count` at once, as the old hand-written bucket
        self.rate = Rate(count, max(1, round(per_seconds * 1000)), burst=count)
        self.algorithm = TokenBucket()  # stateless; shared by every client's bucket
        self.clock = _SecondsClock(clock) if clock is not None else None  # None: the library's default
        self.max_clients = max_clients
        self._buckets: dict[str, StateBucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = StateBucket([self.rate], algorithm=self.algorithm, clock=self.clock)
                self._buckets[client] = bucket
            # put_decision reads back the verdict the bucket recorded, so it runs under the lock
            decision = bucket.put_decision(RateItem(client, bucket.now()))
            if len(self._buckets) > self.max_clients:
                self._forget_full()
        if decision.allowed:
            return 0.0
        return max(decision.retry_after_ms or 0, 1) / 1000

    def _forget_full(self) -> None:
        # a bucket that owes nothing (has refilled) is the same as no bucket
        for client in [c for c, b in self._buckets.items() if b.count() == 0]:
            del self._buckets[client]


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
