"""Zalo OA webhook payloads → `IncomingMessage`s.

One webhook URL serves every OA that authorised the app, so each event is routed by OA id:
`user_*` events name the OA in `recipient.id`, `follow` in the top-level `oa_id`. Answered:
`user_send_text`, `user_send_image` (the picture is read: its address goes in `media`, the caption
stays the text), the other `user_send_*` (stickers, files...: a polite request to describe them in
words; a shared link is checked like a typed one) and `follow` (a welcome). An `oa_send_*` whose
`sender` carries an `admin_id` is an officer typing in the OA admin chat: a change of control (the
bot steps aside for that citizen). Ignored: the other `oa_send_*` (our own messages echoed back),
receipts, reactions and anything unknown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.contracts import IncomingMessage
from app.contracts.channel import clean_text, json_object

__all__ = ["parse"]

_MAX_TEXT = 20_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _id(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return clean_text(str(value)) or None
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _event_time(value: Any) -> dt.datetime | None:
    """The event's time; None when it has none. A timestamp that is not a sane time is very old."""
    if value is None:
        return None
    try:
        millis = int(value)
    except (TypeError, ValueError, OverflowError):
        return _EPOCH
    if isinstance(value, bool) or not 0 < millis < 10**14:
        return _EPOCH
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)


def _time(value: Any) -> dt.datetime:
    try:
        millis = int(value)
    except (TypeError, ValueError):
        return dt.datetime.now(dt.UTC)
    if not 0 < millis < 10**14:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)


def _user_message(data: dict[str, Any], event: str) -> IncomingMessage | None:
    user = _id(_dict(data.get("sender")).get("id"))
    oa_id = _id(_dict(data.get("recipient")).get("id"))
    message = _dict(data.get("message"))
    msg_id = _id(message.get("msg_id"))
    if user is None or oa_id is None or msg_id is None:
        return None
    text = clean_text(message.get("text"), limit=_MAX_TEXT)
    attachments: list[str] = []
    media: list[str] = []
    for attachment in _list(message.get("attachments")):
        if not isinstance(attachment, dict):
            continue
        kind = clean_text(attachment.get("type"), limit=32) or "file"
        url = clean_text(_dict(attachment.get("payload")).get("url"), limit=2000)
        if kind == "link" and url and not text:
            text = url  # a shared link is something to check, not an attachment to describe
        else:
            attachments.append(kind)
            if kind == "image" and url:  # a screenshot to read; the caption stays in `text`
                media.append(url)
    if event != "user_send_text" and not text and not attachments:
        attachments.append(event.removeprefix("user_send_") or "file")
    if text is None and not attachments:  # blank text is still answered (politely)
        return None
    return IncomingMessage(
        channel="zalo",
        channel_id=oa_id,
        user_id=user,
        message_id=msg_id,
        text=text,
        attachments=tuple(attachments),
        media=tuple(media),
        received_at=_time(data.get("timestamp")),
    )


def _officer_message(data: dict[str, Any]) -> IncomingMessage | None:
    """An officer's reply typed in the OA admin chat (API sends carry no `admin_id`)."""
    sender = _dict(data.get("sender"))
    if _id(sender.get("admin_id")) is None:
        return None
    oa_id = _id(sender.get("id")) or _id(data.get("oa_id"))
    user = _id(_dict(data.get("recipient")).get("id"))
    message = _dict(data.get("message"))
    msg_id = _id(message.get("msg_id"))
    if user is None or oa_id is None or msg_id is None:
        return None
    return IncomingMessage(
        channel="zalo",
        channel_id=oa_id,
        user_id=user,
        message_id=f"oa:{msg_id}",
        text=clean_text(message.get("text"), limit=_MAX_TEXT),
        received_at=_time(data.get("timestamp")),
        control="officer",
    )


def _follow(data: dict[str, Any]) -> IncomingMessage | None:
    oa_id = _id(data.get("oa_id"))
    follower = _id(_dict(data.get("follower")).get("id"))
    if oa_id is None or follower is None:
        return None
    timestamp = _id(data.get("timestamp")) or ""
    return IncomingMessage(
        channel="zalo",
        channel_id=oa_id,
        user_id=follower,
        message_id=f"follow:{follower}:{timestamp}",
        payload="ACTION:GREETING",
        received_at=_time(data.get("timestamp")),
    )


def parse(
    raw: bytes, *, max_age_seconds: float | None = None, now: dt.datetime | None = None
) -> list[IncomingMessage]:
    """The message to answer in one Zalo event, if any. Raises `BadPayload` for a non-object body.

    An event whose `timestamp` is more than `max_age_seconds` old (or not a time at all) is ignored:
    a replayed or very late delivery must not start a conversation.
    """
    data = json_object(raw)
    event = data.get("event_name")
    if not isinstance(event, str):
        return []
    if max_age_seconds is not None:
        sent = _event_time(data.get("timestamp"))
        current = now or dt.datetime.now(dt.UTC)
        if sent is not None and (current - sent).total_seconds() > max_age_seconds:
            return []
    if event == "follow":
        message = _follow(data)
    elif event.startswith("user_send_"):
        message = _user_message(data, event)
    elif event.startswith("oa_send_"):
        message = _officer_message(data)
    else:  # oa_send_* echoes, user_seen_message, reactions, unfollow, user_submit_info, ...
        message = None
    return [message] if message is not None else []
