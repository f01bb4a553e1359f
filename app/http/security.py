"""Edge hardening shared by the routes: security headers, rate limits, quiet error logging.

- `SecurityHeaders` (pure ASGI, so streamed exports are untouched) adds `X-Content-Type-Options:
  nosniff` and a strict `Content-Security-Policy` to every response (the interactive docs, on only
  in development, load their scripts from a CDN and are left without the CSP).
- `RateLimiter` counts requests per key in fixed one-minute windows, in the process's memory (the
  first gate of `limits.SharedRateLimiter`, which adds up the counts of every worker).
- `Throttle` lets a repeated error be logged once per interval instead of once per request.
- `validation_error_handler` answers 422 without echoing the input (citizens' text never goes back
  out in an error, nor into the logs).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSP",
    "INVALID_REQUEST",
    "RateLimiter",
    "SecurityHeaders",
    "Throttle",
    "client_host",
    "is_loopback",
    "validation_error_handler",
]

CSP = "default-src 'self'; frame-ancestors 'none'"
INVALID_REQUEST = "Yêu cầu không hợp lệ."
_DOCS_PATHS = ("/docs", "/redoc")


def is_loopback(host: str | None) -> bool:
    """Whether `host` (a client address) is this machine. Unknown or unparsable addresses are not."""
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def client_host(request: Request) -> str:
    """The client's network address (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        with_csp = not path.startswith(_DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-content-type-options", b"content-security-policy")
                ]
                headers.append((b"x-content-type-options", b"nosniff"))
                if with_csp:
                    headers.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimiter:
    """At most `per_minute` hits per key in each one-minute window (0 turns the limit off)."""

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._window = -1
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one request for `key`; False when it is over the limit."""
        if self.per_minute <= 0:
            return True
        window = int(self._clock() // 60)
        with self._lock:
            if window != self._window:
                self._window = window
                self._counts = {}
            count = self._counts.get(key, 0) + 1
            if count == 1 and len(self._counts) >= self._max_keys:
                return False  # a flood of distinct keys: refuse newcomers until the next window
            self._counts[key] = count
            return count <= self.per_minute


class Throttle:
    """`ready(key)` is True at most once per `interval` seconds for each key."""

    def __init__(self, interval: float = 60.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._lock = threading.Lock()

    def ready(self, key: str) -> tuple[bool, int]:
        """Whether to log now, and how many occurrences were suppressed since the last log."""
        now = self._clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return False, 0
            self._last[key] = now
            return True, self._suppressed.pop(key, 0)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 naming the offending fields and the kind of problem, never the values sent."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    fields = [
        {"loc": [str(part) for part in error.get("loc", ())], "type": str(error.get("type", ""))}
        for error in errors
    ]
    return JSONResponse({"detail": INVALID_REQUEST, "errors": fields}, status_code=422)
