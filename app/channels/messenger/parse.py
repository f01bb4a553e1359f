"""Messenger webhook payloads → `IncomingMessage`s.

Every `entry[]` and every `messaging[]` item is read (Meta batches them). Text messages, quick-reply
taps (`message.quick_reply.payload`) and button postbacks (`postback.payload`) are answered;
attachment-only messages too: an image's address goes in `media` (the picture is read), other
attachments get a request to describe them in words. An echo sent by another app than ours (the
Page inbox: an officer answering) is a change of control, and so is a `pass_thread_control` handover
giving the conversation back to our app. Echoes of our own messages (or any echo when our app id
is unknown), deliveries, reads, reactions and anything unknown are ignored. `standby[]` (another
app has the conversation) is ignored on purpose.
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


def _echo(item: dict[str, Any], page_id: str, app_id: str | None) -> IncomingMessage | None:
    """An echo of a message the page sent: from another app (the Page inbox), an officer answering."""
    message = item["message"]
    sender_app = _id(message.get("app_id"))
    if not app_id or sender_app == app_id:  # our own reply (or we cannot tell)
        return None
    psid = _id(_dict(item.get("recipient")).get("id"))
    page = _id(_dict(item.get("sender")).get("id")) or page_id
    if psid is None or not page:
        return None
    timestamp = item.get("timestamp")
    return IncomingMessage(
        channel="messenger",
        channel_id=page,
        user_id=psid,
        message_id="echo:" + (_id(message.get("mid")) or f"{psid}:{timestamp}"),
        text=clean_text(message.get("text"), limit=_MAX_TEXT),
        received_at=_time(timestamp),
        control="officer",
    )


def _handover(item: dict[str, Any], page_id: str, app_id: str | None) -> IncomingMessage | None:
    """A handover giving the conversation back to our app: the bot answers again."""
    passed = _dict(item.get("pass_thread_control"))
    owner = _id(passed.get("new_owner_app_id"))
    psid = _id(_dict(item.get("sender")).get("id"))
    if not app_id or owner != app_id or psid is None:
        return None
    page = _id(_dict(item.get("recipient")).get("id")) or page_id
    timestamp = item.get("timestamp")
    return IncomingMessage(
        channel="messenger",
        channel_id=page,
        user_id=psid,
        message_id=f"handover:{psid}:{timestamp}",
        received_at=_time(timestamp),
        control="bot",
    )


def _message(item: dict[str, Any], page_id: str, app_id: str | None = None) -> IncomingMessage | None:
    if isinstance(item.get("message"), dict) and item["message"].get("is_echo"):
        return _echo(item, page_id, app_id)
    if isinstance(item.get("pass_thread_control"), dict):
        return _handover(item, page_id, app_id)
    sender = _id(_dict(item.get("sender")).get("id"))
    if sender is None:
        return None
    page = _id(_dict(item.get("recipient")).get("id")) or page_id
    timestamp = item.get("timestamp")
    received = _time(timestamp)
    if isinstance(item.get("message"), dict):
        message = item["message"]
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


def parse(raw: bytes, *, app_id: str | None = None) -> list[IncomingMessage]:
    """The messages to answer in one webhook body (and changes of control, knowing our `app_id`).
    Raises `BadPayload` when it is not a JSON object."""
    data = json_object(raw)
    if data.get("object") != "page":
        return []
    out: list[IncomingMessage] = []
    for entry in _list(data.get("entry")):
        if not isinstance(entry, dict):
            continue
        page_id = _id(entry.get("id")) or ""
        items = [*_list(entry.get("messaging")), *_list(entry.get("messaging_handovers"))]
        found = (_message(item, page_id, app_id) for item in items if isinstance(item, dict))
        out.extend(message for message in found if message is not None)
    return out
