"""The outbox: replies are written before they are sent, and kept until sent or given up.

Storage only; when and how often to try again is the delivery's policy (`app.runtime.delivery`).
Each reply piece is one row. A row is sent by whoever holds its lease (`next_attempt_at` pushed into
the future, its value doubling as the holder's token): `renew` is the compare-and-set a sender makes
right before sending, so a piece whose lease was taken over meanwhile is not sent twice. Marking a
result is a compare-and-set on status = 'pending', so a late or duplicate result never overwrites a
final one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlmodel import Session

from app.contracts import QuickReply, Reply
from app.db import utcnow
from app.inbox.service import RecordedEvent, storage_key
from app.outbox.models import OutboundMessage
from app.replies.composer import MAX_CHARS, split_text

__all__ = [
    "OUTBOX",
    "OutboxItem",
    "SendResult",
    "apply_results",
    "claim_due",
    "enqueue",
    "enqueue_after",
    "renew",
]

OUTBOX = cast(Table, OutboundMessage.__table__)  # type: ignore[attr-defined]

Outcome = Literal["sent", "retry", "hold", "failed"]


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One reply piece to deliver (a plain copy of its row, usable outside any session)."""

    id: int
    event_id: int
    seq: int
    channel: str
    channel_id: str
    user_id: str
    text: str
    quick_replies: tuple[QuickReply, ...]
    attempts: int
    lease: dt.datetime  # `next_attempt_at` as this holder set it: the token of its lease
    tag: str | None = None  # Messenger message tag (an officer's reply past 24 hours)

    @property
    def reply(self) -> Reply:
        return Reply(self.text, self.quick_replies, tag=self.tag)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What became of one attempt: sent, retry later, hold (behind an earlier piece), or failed.

    `lease`: for a hold, the holder's token; the row is rescheduled only if nobody took it over.
    """

    item_id: int
    outcome: Outcome
    attempts: int
    next_attempt_at: dt.datetime | None = None
    error: str | None = None
    platform_message_id: str | None = None
    lease: dt.datetime | None = None


def _quick_json(quick: Sequence[QuickReply]) -> str:
    return json.dumps([{"title": q.title, "payload": q.payload} for q in quick], ensure_ascii=False)


def _quick_from_json(raw: str) -> tuple[QuickReply, ...]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(QuickReply(str(q["title"]), str(q["payload"])) for q in items if isinstance(q, dict))


def _item(row: Any) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        event_id=row.event_id,
        seq=row.seq,
        channel=row.channel,
        channel_id=row.channel_id,
        user_id=row.user_id,
        text=row.text,
        quick_replies=_quick_from_json(row.quick_replies),
        attempts=row.attempts,
        lease=row.next_attempt_at,
        tag=row.tag,
    )


def pieces(replies: Sequence[Reply]) -> list[Reply]:
    """Replies cut to the platforms' length limit; quick replies stay on the last piece of each."""
    out: list[Reply] = []
    for reply in replies:
        parts = split_text(reply.text, MAX_CHARS) or []
        for index, part in enumerate(parts):
            out.append(Reply(part, reply.quick_replies if index == len(parts) - 1 else (), tag=reply.tag))
    return out


_ENQUEUE = OUTBOX.insert().returning(*OUTBOX.c)


def enqueue(
    session: Session,
    events: Sequence[tuple[RecordedEvent, Sequence[Reply]]],
    *,
    now: dt.datetime,
    lease_until: dt.datetime,
) -> list[list[OutboxItem]]:
    """Write the replies of each event (leased to the caller, who sends them next). Caller commits."""
    rows: list[dict[str, Any]] = []
    for event, replies in events:
        message = event.message
        for seq, piece in enumerate(pieces(replies)):
            rows.append(
                {
                    "event_id": event.id,
                    "seq": seq,
                    "channel": message.channel,
                    "channel_id": storage_key(message.channel_id, 128),
                    "user_id": storage_key(message.user_id, 128),
                    "text": piece.text,
                    "quick_replies": _quick_json(piece.quick_replies),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": lease_until,
                    "created_at": now,
                    "tag": piece.tag,
                }
            )
    by_event: dict[int, list[OutboxItem]] = {event.id: [] for event, _ in events}
    if rows:  # Core, not the ORM's bulk INSERT: this runs for every batch of answers
        for row in session.connection().execute(_ENQUEUE, rows):
            by_event[row.event_id].append(_item(row))
    return [sorted(by_event[event.id], key=lambda item: item.seq) for event, _ in events]


def enqueue_after(
    session: Session,
    *,
    event_id: int,
    channel: str,
    channel_id: str,
    user_id: str,
    replies: Sequence[Reply],
    now: dt.datetime,
) -> int:
    """Write messages nobody asked for in this event (an officer's reply), after the event's own
    replies (the next `seq`s), due now: delivery sends them on its next round. Caller commits."""
    last = session.execute(select(func.max(OUTBOX.c.seq)).where(OUTBOX.c.event_id == event_id)).scalar()
    start = -1 if last is None else int(last)
    rows = [
        {
            "event_id": event_id,
            "seq": start + 1 + index,
            "channel": channel,
            "channel_id": storage_key(channel_id, 128),
            "user_id": storage_key(user_id, 128),
            "text": piece.text,
            "quick_replies": _quick_json(piece.quick_replies),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "tag": piece.tag,
        }
        for index, piece in enumerate(pieces(replies))
    ]
    if rows:
        session.execute(OUTBOX.insert(), rows)
    return len(rows)


def claim_due(
    session: Session | Connection, *, now: dt.datetime, lease_until: dt.datetime, limit: int
) -> list[list[OutboxItem]]:
    """Lease pending rows whose time has come, grouped by event in send order. Caller commits.

    On PostgreSQL, SKIP LOCKED lets two workers claim different rows at the same moment; SQLite
    serialises writers, so the UPDATE alone is atomic.
    """
    due = (
        select(OUTBOX.c.id)
        .where(OUTBOX.c.status == "pending", OUTBOX.c.next_attempt_at <= now)
        .order_by(OUTBOX.c.event_id, OUTBOX.c.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(due.scalar_subquery()), OUTBOX.c.status == "pending")
        .values(next_attempt_at=lease_until)
        .returning(*OUTBOX.c)
    )
    groups: dict[int, list[OutboxItem]] = {}
    for row in session.execute(stmt):
        groups.setdefault(row.event_id, []).append(_item(row))
    return [sorted(items, key=lambda item: item.seq) for _, items in sorted(groups.items())]


def renew(
    session: Session | Connection, items: Sequence[OutboxItem], *, lease_until: dt.datetime
) -> list[OutboxItem | None]:
    """Extend the lease of each item still held under its token (compare-and-set). Caller commits.

    Returns, for each item, the item with its new lease token, or None when the row is no longer
    this holder's (taken over after its lease ran out, or already final): it must not be sent.
    """
    out: list[OutboxItem | None] = []
    for item in items:
        result = session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id == item.id, OUTBOX.c.status == "pending", OUTBOX.c.next_attempt_at == item.lease
            )
            .values(next_attempt_at=lease_until)
        )
        won = getattr(result, "rowcount", 0) == 1
        out.append(dataclasses.replace(item, lease=lease_until) if won else None)
    return out


def apply_results(
    session: Session | Connection, results: Sequence[SendResult], *, now: dt.datetime | None = None
) -> None:
    """Store the outcome of send attempts (only rows still pending change). Caller commits."""
    now = now or utcnow()
    pending = OUTBOX.c.status == "pending"
    sent = [
        {"b_id": r.item_id, "b_attempts": r.attempts, "b_pmid": (r.platform_message_id or "")[:255] or None}
        for r in results
        if r.outcome == "sent"
    ]
    if sent:
        session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("b_id"), pending)
            .values(
                status="sent",
                attempts=bindparam("b_attempts"),
                sent_at=now,
                platform_message_id=bindparam("b_pmid"),
                last_error=None,
            ),
            sent,
        )
    later = [
        {"b_id": r.item_id, "b_attempts": r.attempts, "b_next": r.next_attempt_at or now, "b_error": r.error}
        for r in results
        if r.outcome == "retry" or (r.outcome == "hold" and r.lease is None)
    ]
    if later:
        session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("b_id"), pending)
            .values(
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_error"),
            ),
            later,
        )
    held = [
        {"b_id": r.item_id, "b_lease": r.lease, "b_next": r.next_attempt_at or now}
        for r in results
        if r.outcome == "hold" and r.lease is not None
    ]
    if held:  # pieces never tried: rescheduled only while still this holder's
        session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id == bindparam("b_id"), pending, OUTBOX.c.next_attempt_at == bindparam("b_lease")
            )
            .values(next_attempt_at=bindparam("b_next"), last_error=None),
            held,
        )
    failed = [
        {"b_id": r.item_id, "b_attempts": r.attempts, "b_error": r.error}
        for r in results
        if r.outcome == "failed"
    ]
    if failed:
        session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("b_id"), pending)
            .values(status="failed", attempts=bindparam("b_attempts"), last_error=bindparam("b_error")),
            failed,
        )
