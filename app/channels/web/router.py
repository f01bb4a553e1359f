"""The web chat: a small Vietnamese page to talk to the bot, and its JSON endpoint.

`POST /api/chat` answers synchronously through the same engine as the platforms (with a database
session of its own); there is no platform to deliver to, so no inbox or outbox is involved.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
import secrets
import uuid
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from app.channels.zalo.router import verification_meta
from app.contracts import IncomingMessage, Reply
from app.contracts.channel import clean_text
from app.db import transaction
from app.http.security import INVALID_REQUEST, Throttle, client_host, is_loopback
from app.http.state import AppState, ProvincesDep, SettingsDep, State
from app.http.webhooks import BodyTooLarge, read_body

__all__ = [
    "MAX_CHAT_BODY",
    "SESSION_COOKIE",
    "ChatReply",
    "ChatRequest",
    "ChatResponse",
    "conversation_key",
    "router",
]

log = logging.getLogger(__name__)

router = APIRouter(tags=["web chat"])

STATIC = Path(__file__).resolve().parent / "static"
MAX_CHAT_BODY = 64 * 1024
SESSION_COOKIE = "canhgiac_session"
SESSION_MAX_AGE = 30 * 24 * 3600
_SESSION_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
_DB_ERRORS = Throttle(60.0)

TOO_MANY = "Bạn gửi quá nhiều tin nhắn. Vui lòng đợi một phút rồi thử lại."
UNKNOWN_PROVINCE = "Tỉnh, thành phố này chưa có trong danh sách."
TOO_LARGE = "Tin nhắn quá dài. Vui lòng gửi ngắn hơn."
BAD_JSON = "Yêu cầu không đúng định dạng JSON."
UNAVAILABLE = (
    "Hệ thống đang tạm thời gián đoạn, bạn vui lòng thử lại sau ít phút. "
    "Nếu khẩn cấp, hãy gọi ngay 113 hoặc đường dây nóng của công an tỉnh, thành phố."
)
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class ChatRequest(BaseModel):
    user_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    text: Annotated[str, StringConstraints(max_length=10_000)]
    province: str | None = None


class QuickReplyOut(BaseModel):
    title: str
    payload: str


class ChatReply(BaseModel):
    text: str
    quick_replies: list[QuickReplyOut] = Field(default_factory=list)


class ChatResponse(BaseModel):
    replies: list[ChatReply]


def replies_response(replies: list[Reply]) -> Response:
    """The bot's replies as the web chat's JSON answer (UTF-8, Vietnamese unescaped)."""
    out = ChatResponse(
        replies=[
            ChatReply(
                text=r.text,
                quick_replies=[QuickReplyOut(title=q.title, payload=q.payload) for q in r.quick_replies],
            )
            for r in replies
        ]
    )
    return Response(json.dumps(out.model_dump(), ensure_ascii=False), media_type="application/json")


@cache
def _static(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _set_session_cookie(response: Response, session: str, address: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=SESSION_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=not is_loopback(address),  # plain http only for local use
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(request: Request, provinces: ProvincesDep, settings: SettingsDep) -> HTMLResponse:
    """The chat page, with the provinces to choose from (and the Zalo verification tag if set)."""
    options = "\n".join(
        f'<option value="{html.escape(p.id)}"{" selected" if p.id == provinces.default.id else ""}>'
        f"{html.escape(p.name)}</option>"
        for p in provinces.provinces
    )
    page = (
        _static("index.html")
        .decode()
        .replace("<!--ZALO_META-->", verification_meta(settings.zalo_site_verification))
        .replace("<!--PROVINCE_OPTIONS-->", options)
    )
    response = HTMLResponse(page, headers={"cache-control": "no-store"})
    # The session starts with the page, so the page's first messages (sent at once) share it.
    if _session(request) is None:
        _set_session_cookie(response, secrets.token_urlsafe(32), client_host(request))
    return response


@router.get("/static/{name}", include_in_schema=False)
async def static_file(name: str) -> Response:
    suffix = Path(name).suffix
    if name not in ("chat.js", "chat.css") or suffix not in _TYPES:
        return Response(status_code=404)
    return Response(
        _static(name), media_type=_TYPES[suffix], headers={"cache-control": "public, max-age=300"}
    )


def _answer(state: AppState, message: IncomingMessage) -> list[Reply]:
    province = state.provinces.get(message.channel_id)
    # Analysed before the transaction: on SQLite it holds the write lock every webhook waits on.
    prepared = state.responder.prepare(message)
    with transaction(state.db) as session:
        return state.responder.handle(message, province=province, session=session, prepared=prepared)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(raw: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no lone surrogates. Raises ValueError."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        # "\ud800" escapes decode to strings that cannot be stored or sent back: refuse them here.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError as exc:  # "[[[[…" nested tens of thousands deep
        raise ValueError("nested too deep") from exc
    return data


def _error(detail: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _session(request: Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE)
    return value if value is not None and _SESSION_RE.fullmatch(value) else None


def conversation_key(session: str, user_id: str) -> str:
    """The conversation's user id: the `user_id` sent, namespaced under the session cookie.

    The session itself is not stored (only a digest), and the same `user_id` from another session
    is another conversation.
    """
    digest = hashlib.sha256(session.encode()).hexdigest()[:20]
    return f"s{digest}:{user_id}"


def _log_unavailable(exc: Exception) -> None:
    log_now, suppressed = _DB_ERRORS.ready(type(exc).__name__)
    if log_now:
        more = f" ({suppressed} more since the last report)" if suppressed else ""
        log.error("web chat: database unavailable: %s%s", type(exc).__name__, more)


async def over_limit(state: AppState, address: str, session: str) -> bool:
    """Whether this client address, or this session, sent more than its share this minute (counted
    across every worker process)."""
    return not await state.web_limiter.allow("a:" + address, "s:" + session)


def start_session(session: str | None) -> tuple[str, bool]:
    """The request's session, or a new one (and whether it is new)."""
    if session is not None:
        return session, False
    return secrets.token_urlsafe(32), True


async def answer(state: AppState, message: IncomingMessage, *, address: str, started: str | None) -> Response:
    """Answer in a worker thread; the replies as JSON, with the cookie of the session `started` by
    this request.

    A database outage is a 503 (logged once a minute), never a 500.
    """
    try:
        replies = await asyncio.to_thread(_answer, state, message)
    except SQLAlchemyError as exc:
        _log_unavailable(exc)
        state.metrics.webhooks.labels("web", "error").inc()
        return _error(UNAVAILABLE, 503, {"retry-after": "30"})
    state.metrics.webhooks.labels("web", "accepted").inc()
    response = replies_response(replies)
    if started is not None:
        _set_session_cookie(response, started, address)
    return response


@router.post(
    "/api/chat",
    response_model=ChatResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatRequest.model_json_schema()}},
        }
    },
)
async def chat(request: Request, state: State) -> Response:
    """One message from the web chat, answered at once.

    The conversation belongs to the session cookie (set on the first answer); the body's `user_id`
    only tells apart conversations within one session.
    """
    address = client_host(request)
    session, new_session = start_session(_session(request))
    if await over_limit(state, address, session):
        return _error(TOO_MANY, 429, {"retry-after": "60"})
    try:
        raw = await read_body(request, MAX_CHAT_BODY)
    except BodyTooLarge:
        return _error(TOO_LARGE, 413)
    try:
        data = _parse(raw)
    except ValueError:  # also UnicodeDecodeError / UnicodeEncodeError
        return _error(BAD_JSON, 400)
    try:
        body = ChatRequest.model_validate(data)
    except ValidationError as exc:
        fields = [{"loc": [str(p) for p in e["loc"]], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"detail": INVALID_REQUEST, "errors": fields}, status_code=422)
    # An id, a name or an alias ("soc-trang", "Hà Giang") routes to the merged province.
    province = state.provinces.find(body.province) if body.province else state.provinces.default
    if province is None:
        return _error(UNKNOWN_PROVINCE, 422)
    message = IncomingMessage(
        channel="web",
        channel_id=province.id,
        user_id=conversation_key(session, clean_text(body.user_id) or "web"),
        message_id=uuid.uuid4().hex,
        text=clean_text(body.text),
        client_key=address,  # anonymous reporters count once per address and day in checks
    )
    return await answer(state, message, address=address, started=session if new_session else None)
