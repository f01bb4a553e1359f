"""The web chat: a small Vietnamese page to talk to the bot, and its JSON endpoint.

`POST /api/chat` answers synchronously through the same engine as the platforms (with a database
session of its own); there is no platform to deliver to, so no inbox or outbox is involved.
"""

from __future__ import annotations

import asyncio
import html
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, StringConstraints

from app.channels.base import clean_text
from app.channels.zalo.router import verification_meta
from app.conversation.messages import IncomingMessage
from app.db import session_scope
from app.replies.composer import Reply
from app.state import AppState, State

__all__ = ["ChatReply", "ChatRequest", "ChatResponse", "router"]

router = APIRouter(tags=["web chat"])

STATIC = Path(__file__).resolve().parent / "static"
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


@cache
def _static(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(state: State) -> HTMLResponse:
    """The chat page, with the provinces to choose from (and the Zalo verification tag if set)."""
    provinces = state.provinces
    options = "\n".join(
        f'<option value="{html.escape(p.id)}"{" selected" if p.id == provinces.default.id else ""}>'
        f"{html.escape(p.name)}</option>"
        for p in provinces.provinces
    )
    page = (
        _static("index.html")
        .decode()
        .replace("<!--ZALO_META-->", verification_meta(state.settings.zalo_site_verification))
        .replace("<!--PROVINCE_OPTIONS-->", options)
    )
    return HTMLResponse(page, headers={"cache-control": "no-store"})


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
    with session_scope(state.db) as session:
        return state.engine.handle(message, province=province, session=session)


@router.post("/api/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, state: State) -> Response:
    """One message from the web chat, answered at once."""
    # An id, a name or an alias ("soc-trang", "Hà Giang") routes to the merged province.
    province = state.provinces.find(body.province) if body.province else state.provinces.default
    if province is None:
        return JSONResponse({"detail": "Tỉnh, thành phố này chưa có trong danh sách."}, status_code=422)
    message = IncomingMessage(
        channel="web",
        channel_id=province.id,
        user_id=clean_text(body.user_id) or "web",
        message_id=uuid.uuid4().hex,
        text=clean_text(body.text),
    )
    replies = await asyncio.to_thread(_answer, state, message)
    state.metrics.webhooks.labels("web", "accepted").inc()
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
