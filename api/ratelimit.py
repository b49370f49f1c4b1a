"""An optional per-client token bucket for ``/v1/*`` (``SLANT_RATE_LIMIT="60/minute"``).

Each client (``REMOTE_ADDR``; put Slant behind a proxy that sets it, or behind
nothing) gets a bucket of ``N`` tokens refilled at ``N`` per period, so bursts of up
to ``N`` requests pass and the sustained rate is ``N`` per period. A request without a
token gets 429 ``rate_limited`` with ``Retry-After``. Buckets live in each worker
process: with ``W`` gunicorn workers a client can get up to ``W`` times the limit.
"""

from __future__ import annotations

import math
import re
import threading
import time

from flask import Flask, current_app, request

from .errors import ApiError, ConfigError

__all__ = ["TokenBuckets", "parse_rate", "init_app"]

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)
#: Forget full buckets once this many clients are tracked.
MAX_CLIENTS = 10_000


def parse_rate(value: str) -> tuple[int, float]:
    """``"60/minute"`` -> ``(60, 60.0)``: requests and period in seconds."""
    match = _RATE.match(str(value))
    if not match or int(match.group(1)) < 1:
        raise ConfigError(f"RATE_LIMIT must look like '60/minute' (N/second|minute|hour|day), "
                          f"not {value!r}", field="RATE_LIMIT")
    return int(match.group(1)), _PERIODS[match.group(2).lower()]


class TokenBuckets:
    """Token buckets keyed by client; thread-safe.

    Parameters
    ----------
    capacity : int
        Tokens in a full bucket (the burst size).
    period : float
        Seconds to refill ``capacity`` tokens.
    clock : callable
        Monotonic time in seconds (tests pass a fake one).
    """

    def __init__(self, capacity: int, period: float, clock=time.monotonic) -> None:
        self.capacity = capacity
        self.period = period
        self.clock = clock
        self._rate = capacity / period
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token for ``client``; 0.0 if granted, else the seconds until one is free."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self._rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > MAX_CLIENTS:
                    self._forget_full(now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self._rate

    def _forget_full(self, now: float) -> None:
        for client, (tokens, then) in list(self._buckets.items()):
            if tokens + (now - then) * self._rate >= self.capacity:
                del self._buckets[client]


def _limit() -> None:
    if not request.path.startswith("/v1/") or request.method == "OPTIONS":
        return
    wait = current_app.extensions["slant.rate_limit"].take(request.remote_addr or "unknown")
    if wait:
        raise ApiError("rate_limited",
                       f"too many requests; the limit is {current_app.config['RATE_LIMIT']} "
                       "per client", headers={"Retry-After": str(math.ceil(wait))})


def init_app(app: Flask) -> None:
    """Install the limiter when ``RATE_LIMIT`` is set."""
    if not app.config.get("RATE_LIMIT"):
        return
    app.extensions["slant.rate_limit"] = TokenBuckets(*parse_rate(app.config["RATE_LIMIT"]))
    app.before_request(_limit)
