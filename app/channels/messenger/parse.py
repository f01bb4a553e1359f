"""Messenger webhook payloads → `IncomingMessage`s.

Every `entry[]` and every `messaging[]` item is read (Meta batches them). Text messages, quick-reply
taps (`message.quick_reply.payload`) and button postbacks (`postback.payload`) are answered;
attachment-only messages too: an image's address goes in `media` (the picture is read), other
attachments get a request to describe them in words. Echoes of our own messages,
deliveries, reads, reactions and anything unknown are ignored. `standby[]` (another app has the
conversation) is ignored on purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.contracts import IncomingMessage
from app.contracts.channel import clean_text, json_object

__all__ = ["GREETING_PAYLOADS", "parse"]

# Postback payloads a page typically sets on its "Get started" button: answered with the welcome.
GREETING_PAYLOADS = frozenset({"GET_STARTED", "GET_STARTED_PAYLOAD", "ACTION:GREETING"})
_MAX_TEXT = 20_000  # far above Messenger's own limit; the engine reads the first 2,000 characters


def _id(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = clean_text(str(value))
        return text or None
    return None


def _time(value: Any) -> dt.datetime:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e14:
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC)
    return dt.datetime.now(dt.UTC)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _message(item: dict[str, Any], page_id: str) -> IncomingMessage | None:
    sender = _id(_dict(item.get("sender")).get("id"))
    if sender is None:
        return None
    page = _id(_dict(item.get("recipient")).get("id")) or page_id
    timestamp = item.get("timestamp")
    received = _time(timestamp)
    if isinstance(item.get("message"), dict):
        message = item["message"]
        if message.get("is_echo"):  # our own reply, echoed back
            return None
        text = clean_text(message.get("text"), limit=_MAX_TEXT)
        payload = clean_text(_dict(message.get("quick_reply")).get("payload"), limit=1000)
        found = [a for a in _list(message.get("attachments")) if isinstance(a, dict)]
        attachments = tuple(clean_text(a.get("type"), limit=32) or "file" for a in found)
        media = tuple(
            url
            for a in found
            if a.get("type") == "image"
            and "sticker_id" not in _dict(a.get("payload"))  # a sticker (the thumbs-up) is no screenshot
            and (url := clean_text(_dict(a.get("payload")).get("url"), limit=2000))
        )
        if text is None and not payload and not attachments:  # blank text is still answered
            return None
        mid = _id(message.get("mid")) or f"nomid:{sender}:{timestamp}"
        return IncomingMessage(
            channel="messenger",
            channel_id=page,
            user_id=sender,
            message_id=mid,
            text=text,
            payload=payload,
            attachments=attachments,
            media=media,
            received_at=received,
        )
    if isinstance(item.get("postback"), dict):
        postback = item["postback"]
        payload = clean_text(postback.get("payload"), limit=1000)
        title = clean_text(postback.get("title"), limit=200)
        if payload in GREETING_PAYLOADS:
            payload, title = "ACTION:GREETING", None
        if not (payload or title):
            return None
        mid = _id(postback.get("mid")) or f"postback:{sender}:{timestamp}"
        return IncomingMessage(
            channel="messenger",
            channel_id=page,
            user_id=sender,
            message_id=mid,
            text=title,
            payload=payload,
            received_at=received,
        )
    return None  # delivery, read, reaction, referral, optin, message_edit, ...


def parse(raw: bytes) -> list[IncomingMessage]:
    """The messages to answer in one webhook body. Raises `BadPayload` when it is not a JSON object."""
    data = json_object(raw)
    if data.get("object") != "page":
        return []
    out: list[IncomingMessage] = []
    for entry in _list(data.get("entry")):
        if not isinstance(entry, dict):
            continue
        page_id = _id(entry.get("id")) or ""
        found = (_message(item, page_id) for item in _list(entry.get("messaging")) if isinstance(item, dict))
        out.extend(message for message in found if message is not None)
    return out
