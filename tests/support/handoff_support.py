"""Helpers for the handoff tests: officer echoes and handovers as the platforms send them, and
waiting for an event to be finished (answered, or deliberately left unanswered)."""

from __future__ import annotations

import json
import time
from typing import Any

from channel_support import OA_ID, PAGE_ID, ZALO_APP_ID, Bot, wait_until
from sqlalchemy import select

from app.db import transaction
from app.handoff import service as store
from app.handoff.models import Handoff
from app.inbox.models import InboundEvent
from app.outbox.models import OutboundMessage

OUR_APP = "1111222233334444"  # fictional
PAGE_INBOX = "263902037430900"  # Meta's Page inbox app id


def fb_entry(item: dict[str, Any], *, field: str = "messaging") -> bytes:
    now = int(time.time() * 1000)
    item.setdefault("timestamp", now)
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": now, field: [item]}]}).encode()


def fb_echo(psid: str, mid: str, text: str, *, app_id: str) -> bytes:
    return fb_entry(
        {
            "sender": {"id": PAGE_ID},
            "recipient": {"id": psid},
            "message": {"is_echo": True, "app_id": int(app_id), "mid": mid, "text": text},
        }
    )


def fb_handback(psid: str, *, to_app: str) -> bytes:
    return fb_entry(
        {
            "sender": {"id": psid},
            "recipient": {"id": PAGE_ID},
            "pass_thread_control": {"new_owner_app_id": to_app, "previous_owner_app_id": PAGE_INBOX},
        },
        field="messaging_handovers",
    )


def zalo_officer(user: str, msg_id: str, text: str, *, admin: bool = True) -> bytes:
    sender: dict[str, Any] = {"id": OA_ID}
    if admin:
        sender["admin_id"] = "8800000000000001"  # fictional
    return json.dumps(
        {
            "app_id": ZALO_APP_ID,
            "oa_id": OA_ID,
            "sender": sender,
            "recipient": {"id": user},
            "event_name": "oa_send_text",
            "message": {"msg_id": msg_id, "text": text},
            "timestamp": str(int(time.time() * 1000)),
        },
        ensure_ascii=False,
    ).encode()


def event_done(bot: Bot, channel: str, message_id: str) -> bool:
    with transaction(bot.state.db) as session:
        status = session.execute(
            select(InboundEvent.status).where(  # type: ignore[call-overload]
                InboundEvent.channel == channel, InboundEvent.message_id == message_id
            )
        ).scalar()
    return status == "done"


async def finished(bot: Bot, channel: str, message_id: str) -> None:
    assert await wait_until(lambda: event_done(bot, channel, message_id)), message_id


def replies_to(bot: Bot, channel: str, message_id: str) -> list[str]:
    """The replies written for one event (in the outbox, written with the event's completion)."""
    with transaction(bot.state.db) as session:
        event_id = session.execute(
            select(InboundEvent.id).where(  # type: ignore[call-overload]
                InboundEvent.channel == channel, InboundEvent.message_id == message_id
            )
        ).scalar()
        rows = session.execute(
            select(OutboundMessage.text).where(OutboundMessage.event_id == event_id)  # type: ignore[call-overload]
        )
        return [row[0] for row in rows]


def handoff_of(bot: Bot, channel: str, user_id: str) -> Handoff | None:
    with transaction(bot.state.db) as session:
        row = store.find(session, channel=channel, user_id=user_id)
        if row is not None:
            session.expunge(row)
        return row
