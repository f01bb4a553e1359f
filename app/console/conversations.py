"""The handoff queue in the officer console: conversations waiting for an officer or with one.

Officers see their province's conversations (admins and national accounts: every one); reading
officers see the queue, investigators and admins take, answer and release. An officer's reply goes
through the outbox like the bot's, attached to the citizen's last message, within the platform's
reply window (`app.handoff.window`). Every action is audited. Functions never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, func, or_, select
from sqlmodel import Session

from app.console.accounts import Viewer, audit
from app.contracts import Reply
from app.db import as_utc
from app.handoff import service as store
from app.handoff.models import Handoff, HandoffMessage, HandoffState
from app.handoff.window import ReplyWindow, reply_window
from app.inbox.models import InboundEvent
from app.inbox.service import CONTROL_PREFIX
from app.nlu.analyzer import Analyzer
from app.outbox.service import OUTBOX, enqueue_after
from app.tips.models import Tip

INBOUND = cast(Table, InboundEvent.__table__)  # type: ignore[attr-defined]
TIPS = cast(Table, Tip.__table__)  # type: ignore[attr-defined]

__all__ = [
    "CANNED",
    "Conversation",
    "NotAllowed",
    "conversation_for",
    "queue_for",
    "queue_summary",
    "release",
    "reply",
    "take",
]

# Canned answers for the common cases (the officer can edit before sending).
CANNED: tuple[tuple[str, str], ...] = (
    (
        "Đã nhận",
        "Chào bạn, tôi là cán bộ công an. Tôi đã đọc tin nhắn của bạn và đang xem xét, "
        "bạn chờ tôi ít phút nhé.",
    ),
    (
        "Đã chuyển tiền",
        "Bạn gọi ngay tổng đài ngân hàng để yêu cầu khóa tài khoản và tra soát giao dịch, giữ lại "
        "biên lai, tin nhắn, số tài khoản đã chuyển. Sau đó bạn đến công an xã, phường gần nhất "
        "để trình báo.",
    ),
    (
        "Không chuyển tiền",
        "Bạn không chuyển tiền, không đọc mã OTP cho bất kỳ ai. Công an không làm việc qua điện thoại "
        "hay gọi video và không bao giờ yêu cầu chuyển tiền.",
    ),
    (
        "Mời lên trụ sở",
        "Bạn mang theo căn cước và các bằng chứng (tin nhắn, biên lai) đến công an xã, phường nơi "
        "bạn ở để được hướng dẫn làm đơn trình báo.",
    ),
)


class NotAllowed(Exception):
    """The officer may not do this (a message in Vietnamese for the page)."""


@dataclass(slots=True)
class Conversation:
    """One queued conversation, as the console shows it."""

    row: Handoff
    window: ReplyWindow
    waiting: dt.timedelta | None
    last_citizen: dt.datetime | None
    transcript: list[HandoffMessage] = field(default_factory=list)
    tactic: str | None = None
    entities: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)


def _scope(viewer: Viewer) -> list[str] | None:
    return None if viewer.province is None else [viewer.province]


def last_citizen_message(session: Session, row: Handoff) -> dt.datetime | None:
    """When the citizen last wrote (their own messages, not officers' echoes)."""
    found = session.execute(
        select(func.max(INBOUND.c.received_at)).where(
            INBOUND.c.channel == row.channel,
            INBOUND.c.user_id == row.user_id,
            or_(INBOUND.c.payload.is_(None), ~INBOUND.c.payload.startswith(CONTROL_PREFIX)),
        )
    ).scalar()
    times = [as_utc(t) for t in (found, row.citizen_at) if t is not None]
    return max(times) if times else None


def _view(session: Session, row: Handoff, now: dt.datetime) -> Conversation:
    last = last_citizen_message(session, row)
    since = row.requested_at or row.taken_at
    return Conversation(
        row=row,
        window=reply_window(row.channel, last, now),
        waiting=now - as_utc(since)
        if since is not None and row.state == HandoffState.waiting.value
        else None,
        last_citizen=last,
    )


def queue_for(session: Session, *, viewer: Viewer, now: dt.datetime) -> list[Conversation]:
    return [_view(session, row, now) for row in store.queue(session, provinces=_scope(viewer))]


def queue_summary(session: Session, *, viewer: Viewer) -> dict[str, Any]:
    """What the open console polls: how many wait (urgent ones too), and their ids."""
    rows = store.queue(session, provinces=_scope(viewer))
    waiting = [row for row in rows if row.state == HandoffState.waiting.value]
    return {
        "waiting": len(waiting),
        "urgent": sum(1 for row in waiting if row.urgent),
        "ids": [row.id for row in waiting],
    }


def _row(session: Session, viewer: Viewer, handoff_id: int) -> Handoff | None:
    if not 0 < handoff_id < 2**62:  # no such id (and none the database would refuse to compare)
        return None
    row = store.get(session, handoff_id)
    if row is None or not viewer.sees(row.province):
        return None
    return row


def _earlier(session: Session, row: Handoff, *, limit: int = 5) -> list[HandoffMessage]:
    """The bot's last answers before the conversation joined the queue (while their text is kept)."""
    if row.requested_at is None:
        return []
    query = (
        select(OUTBOX.c.text, OUTBOX.c.created_at)
        .where(
            OUTBOX.c.channel == row.channel,
            OUTBOX.c.user_id == row.user_id,
            OUTBOX.c.created_at < row.requested_at,
            OUTBOX.c.text != "",
        )
        .order_by(OUTBOX.c.created_at.desc(), OUTBOX.c.id.desc())
        .limit(limit)
    )
    rows = list(session.execute(query))
    return [
        HandoffMessage(handoff_id=row.id or 0, author="bot", text=text, created_at=at)
        for text, at in reversed(rows)
    ]


def conversation_for(
    session: Session, *, viewer: Viewer, handoff_id: int, analyzer: Analyzer, now: dt.datetime
) -> Conversation | None:
    """One conversation with its transcript, what it names, its tactic and the citizen's tips."""
    row = _row(session, viewer, handoff_id)
    if row is None:
        return None
    view = _view(session, row, now)
    view.transcript = [*_earlier(session, row), *store.transcript(session, row.id or 0)]
    words = "\n".join(m.text for m in view.transcript if m.author == "citizen")[-2000:]
    if words.strip():
        analysis = analyzer.analyze(words)
        view.tactic = analysis.tactic or analysis.match.tactic
        found = analysis.entities
        accounts = [f"{a.number} ({a.bank})" if a.bank else a.number for a in found.bank_accounts]
        view.entities = [*found.phones, *accounts, *found.urls][:20]
    tips = select(TIPS.c.ref_code).where(TIPS.c.channel == row.channel, TIPS.c.reporter_id == row.user_id)
    view.tips = list(session.scalars(tips.limit(20)))
    return view


def _changer(viewer: Viewer) -> None:
    if not viewer.can_change:
        raise NotAllowed("Tài khoản chỉ được xem, không được trả lời người dân.")


def take(session: Session, *, viewer: Viewer, handoff_id: int, now: dt.datetime) -> Handoff | None:
    _changer(viewer)
    row = _row(session, viewer, handoff_id)
    if row is None:
        return None
    store.take(session, row, officer=viewer.username, now=now)
    audit(session, officer=viewer, action="handoff_take", detail={"handoff": row.id}, now=now)
    return row


def release(session: Session, *, viewer: Viewer, handoff_id: int, now: dt.datetime) -> Handoff | None:
    _changer(viewer)
    row = _row(session, viewer, handoff_id)
    if row is None:
        return None
    store.release(session, row, now=now)
    audit(session, officer=viewer, action="handoff_release", detail={"handoff": row.id}, now=now)
    return row


def reply(
    session: Session, *, viewer: Viewer, handoff_id: int, text: str, now: dt.datetime
) -> Handoff | None:
    """Queue the officer's reply for delivery; raises `NotAllowed` outside the reply window."""
    _changer(viewer)
    row = _row(session, viewer, handoff_id)
    if row is None:
        return None
    text = text.strip()
    if not text:
        raise NotAllowed("Tin trả lời trống.")
    window = reply_window(row.channel, last_citizen_message(session, row), now)
    if not window.open:
        raise NotAllowed(window.refusal)
    event_id = session.execute(
        select(func.max(INBOUND.c.id)).where(
            INBOUND.c.channel == row.channel, INBOUND.c.user_id == row.user_id
        )
    ).scalar()
    if event_id is None:
        raise NotAllowed("Không tìm thấy tin nhắn nào của người dân để trả lời.")
    enqueue_after(
        session,
        event_id=int(event_id),
        channel=row.channel,
        channel_id=row.channel_id,
        user_id=row.user_id,
        replies=[Reply(text[: store.MAX_TEXT], tag=window.tag)],
        now=now,
    )
    store.officer_spoke(
        session,
        channel=row.channel,
        channel_id=row.channel_id,
        user_id=row.user_id,
        province=row.province,
        officer=viewer.username,
        text=text,
        now=now,
    )
    audit(
        session,
        officer=viewer,
        action="handoff_reply",
        detail={"handoff": row.id, "tag": window.tag or "RESPONSE", "chars": len(text)},
        now=now,
    )
    return row
