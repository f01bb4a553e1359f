"""The webhook path shared by every platform: size limit, signature, parse, record, acknowledge.

Nothing slow happens here: the events are committed (shared commit with concurrent webhooks), the
inbox announces them to the runtime, and the platform gets its 200. Matching and sending happen in
the background.
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from app.contracts.channel import BadPayload, Channel
from app.http.security import CSP, Throttle
from app.http.state import AppState, state_of
from app.ops.metrics import Metrics

__all__ = [
    "MAX_BODY",
    "BodyTooLarge",
    "answer_directly",
    "disabled_response",
    "read_body",
    "receive_webhook",
    "router",
]

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # 1 MiB: far above any real webhook, small enough to refuse floods
_WARN_EVERY = 60.0  # seconds between two "channel is off" warnings
_last_warned: dict[str, float] = {}
_RECORD_ERRORS = Throttle(_WARN_EVERY)

router = APIRouter(tags=["webhooks"])


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, refusing more than `limit` bytes without reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def disabled_response(channel: Channel, metrics: Metrics) -> Response:
    """503 for a switched-off channel, with the reason in the log (at most once a minute)."""
    now = time.monotonic()
    if now - _last_warned.get(channel.name, -_WARN_EVERY) >= _WARN_EVERY:
        _last_warned[channel.name] = now
        log.warning(
            "%s webhook refused: channel is off, missing %s", channel.name, ", ".join(channel.missing)
        )
    metrics.webhooks.labels(channel.name, "disabled").inc()
    return JSONResponse({"detail": f"{channel.name} is not configured"}, status_code=503)


async def receive(request: Request) -> Response:
    """Signed events of the channel registered as `slug`: 401/403 without a valid signature (as the
    platform expects), 200 once recorded, 404 for a channel that does not exist."""
    state = state_of(request)
    channel = state.channels.get(request.path_params["slug"])
    if channel is None:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return await receive_webhook(request, state, channel)


# A plain Starlette route: FastAPI's parameter machinery would cost a fifth of each acknowledgement
# (see bench/). Nothing here is for the API schema. Under load `answer_directly` takes these first.
router.add_route("/webhooks/{slug}", receive, methods=["POST"], include_in_schema=False)

_PREFIX = "/webhooks/"
_HEADERS = {"x-content-type-options": "nosniff", "content-security-policy": CSP}


async def answer_directly(app: Starlette, scope: Scope, receive: Receive, send: Send) -> bool:
    """Answer a webhook of a known channel without the app's middleware stack (error pages, body
    limits of forms, exception hooks: a third of an acknowledgement's cost, and a platform needs
    none of them); the security headers are added here. False: anything else, left to the app."""
    if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(_PREFIX):
        return False
    state: AppState | None = getattr(app.state, "canhgiac", None)
    channel = state.channels.get(scope["path"][len(_PREFIX) :]) if state is not None else None
    if state is None or channel is None:
        return False
    scope["app"] = app
    try:
        response = await receive_webhook(Request(scope, receive), state, channel)
    except ClientDisconnect:
        return True  # nobody to answer
    except Exception:
        log.exception("%s webhook failed", channel.name)
        response = JSONResponse({"detail": "internal error"}, status_code=500)
    response.headers.update(_HEADERS)
    await response(scope, receive, send)
    return True


async def receive_webhook(request: Request, state: AppState, channel: Channel) -> Response:
    """Authenticate, record and acknowledge one webhook call."""
    webhooks = state.metrics.webhooks
    if channel.missing:
        return disabled_response(channel, state.metrics)
    try:
        raw = await read_body(request)
    except BodyTooLarge:
        webhooks.labels(channel.name, "too_large").inc()
        return JSONResponse({"detail": "body too large"}, status_code=413)
    if not channel.verify(raw, request.headers):
        webhooks.labels(channel.name, "bad_signature").inc()
        state.metrics.signature_failures.labels(channel.name).inc()
        log.warning("%s webhook with a missing or wrong signature refused", channel.name)
        return JSONResponse({"detail": "invalid signature"}, status_code=channel.bad_signature_status)
    return await _record(state, channel, raw)


async def _record(state: AppState, channel: Channel, raw: bytes) -> Response:
    webhooks = state.metrics.webhooks
    try:
        messages = channel.parse(raw)
    except BadPayload as exc:
        webhooks.labels(channel.name, "bad_request").inc()
        return JSONResponse({"detail": str(exc)}, status_code=400)
    if not messages:
        webhooks.labels(channel.name, "ignored").inc()
        return PlainTextResponse(channel.ack_body)
    try:
        new, duplicates = await state.inbox.record(messages)
    except Exception as exc:  # database down: refuse, so the platform delivers again later
        log_now, suppressed = _RECORD_ERRORS.ready(channel.name)
        if log_now:  # once a minute per channel during an outage, not once per delivery
            more = f" ({suppressed} more since the last report)" if suppressed else ""
            log.error("%s webhook could not be recorded: %s%s", channel.name, type(exc).__name__, more)
        webhooks.labels(channel.name, "error").inc()
        return JSONResponse({"detail": "temporarily unavailable"}, status_code=503)
    if new:
        webhooks.labels(channel.name, "accepted").inc()
    if duplicates:
        webhooks.labels(channel.name, "duplicate").inc()
    return PlainTextResponse(channel.ack_body)
