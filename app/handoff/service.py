"""The handoff store: which conversations an officer answers, and the queue the console shows.

A conversation is `bot` (the bot answers), `waiting` (in the queue; the bot still answers) or
`officer` (an officer has it: the bot stays silent until release, or until `timeout` passes with no
officer message). Functions never commit: the caller's transaction does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache
from types import EllipsisType
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, insert, or_, select, update
from sqlmodel import Session

from app.db import ReadAhead, WriteBehind, as_utc, rowcount
from app.handoff.models import HANDOFF_MESSAGES, HANDOFFS, Handoff, HandoffMessage, HandoffState

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_TEXT",
    "citizen_wrote",
    "find",
    "forget_user",
    "get",
    "lookup",
    "mark_urgent",
    "note_message",
    "officer_spoke",
    "prefetch",
    "purge_before",
    "queue",
    "release",
    "request",
    "resume_if_due",
    "take",
    "transcript",
]

DEFAULT_TIMEOUT = dt.timedelta(minutes=60)
MAX_TEXT = 4000


# On every citizen's message (and on every urgent one): statements built once, executed without
# the ORM. `find` is a plain id lookup first, since most citizens never have a handoff.
_LOOKUP = select(HANDOFFS.c.id, HANDOFFS.c.state).where(
    HANDOFFS.c.channel == bindparam("channel"), HANDOFFS.c.user_id == bindparam("user_id")
)
_INSERT = insert(HANDOFFS).returning(HANDOFFS.c.id)
_INSERT_MESSAGE = insert(HANDOFF_MESSAGES)


def _write_messages(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    connection.execute(_INSERT_MESSAGE, list(rows))


# A batch's transcript lines go in one statement at commit (`app.db.write_behind`); whatever reads
# or deletes transcripts in the same transaction writes them first.
_MESSAGES: WriteBehind[dict[str, Any]] = WriteBehind("handoff_messages", _write_messages)


# Many conversations at once (a batch being answered).
@cache
def _lookup_many_statement(dialect: str) -> Any:
    return select(HANDOFFS.c.channel, HANDOFFS.c.user_id, HANDOFFS.c.id, HANDOFFS.c.state).where(
        ReadAhead.matching(HANDOFFS.c.channel, HANDOFFS.c.user_id, dialect)
    )


_READ_AHEAD: ReadAhead[tuple[int, str]] = ReadAhead("handoffs")  # (id, state)


def prefetch(session: Session, keys: Sequence[tuple[str, str]]) -> None:
    """Look up the handoffs of these conversations (channel, user_id) in one statement; each one's
    next `lookup` in this transaction is answered from here, once (every change to a handoff
    starts from a lookup of it). For citizens with one message in the batch."""
    if not keys:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    rows = connection.execute(_lookup_many_statement(dialect), ReadAhead.params(keys, dialect))
    found = {(row.channel, row.user_id): (int(row.id), str(row.state)) for row in rows}
    _READ_AHEAD.keep(session, keys, found)


def lookup(session: Session, *, channel: str, user_id: str) -> tuple[int, str] | None:
    """The conversation's handoff id and state, without loading the row."""
    read, found = _READ_AHEAD.take(session, (channel, user_id))
    if read:
        return found
    row = session.connection().execute(_LOOKUP, {"channel": channel, "user_id": user_id}).first()
    return None if row is None else (int(row.id), str(row.state))


def find(session: Session, *, channel: str, user_id: str) -> Handoff | None:
    found = lookup(session, channel=channel, user_id=user_id)
    return None if found is None else session.get(Handoff, found[0])


def mark_urgent(session: Session, handoff_id: int) -> None:
    session.connection().execute(update(HANDOFFS).where(HANDOFFS.c.id == handoff_id).values(urgent=True))


def get(session: Session, handoff_id: int) -> Handoff | None:
    return session.get(Handoff, handoff_id)


def _row(
    session: Session, *, channel: str, channel_id: str, user_id: str, province: str, now: dt.datetime
) -> Handoff:
    row = find(session, channel=channel, user_id=user_id)
    if row is None:
        row = Handoff(
            channel=channel[:16],
            channel_id=channel_id[:128],
            user_id=user_id[:128],
            province=province[:64],
            updated_at=now,
        )
        session.add(row)
    row.channel_id = channel_id[:128]
    return row


def request(
    session: Session,
    *,
    channel: str,
    channel_id: str,
    user_id: str,
    province: str,
    reason: str,
    urgent: bool,
    now: dt.datetime,
    row: Handoff | EllipsisType | None = ...,
) -> int:
    """The citizen asked for a person (or is in urgent trouble): the conversation joins the queue.
    Returns the handoff's id. `row`: the conversation's handoff if the caller just found it (None:
    it has none); looked up when not given."""
    if row is ...:
        row = find(session, channel=channel, user_id=user_id)
    if row is None:  # the usual case, one INSERT (urgent stories arrive in floods too)
        values = {
            "channel": channel[:16],
            "channel_id": channel_id[:128],
            "user_id": user_id[:128],
            "province": province[:64],
            "state": HandoffState.waiting.value,
            "urgent": urgent,
            "reason": reason[:32],
            "requested_at": now,
            "citizen_at": now,
            "resume_notice": False,
            "updated_at": now,
        }
        return int(session.connection().execute(_INSERT, values).scalar_one())
    row.channel_id = channel_id[:128]
    if row.state == HandoffState.bot.value:
        row.state = HandoffState.waiting.value
        row.requested_at = now
        row.reason = reason[:32]
        row.officer = None
        row.taken_at = None
        row.province = province[:64]
    row.urgent = bool(row.urgent or urgent)
    row.citizen_at = now
    row.resume_notice = False
    row.updated_at = now
    session.flush()
    assert row.id is not None
    return row.id


def officer_spoke(
    session: Session,
    *,
    channel: str,
    channel_id: str,
    user_id: str,
    province: str,
    officer: str,
    text: str | None,
    now: dt.datetime,
) -> Handoff:
    """An officer answered the citizen (in the console or in the platform's own inbox): bot paused."""
    row = _row(session, channel=channel, channel_id=channel_id, user_id=user_id, province=province, now=now)
    if row.state != HandoffState.officer.value:
        row.state = HandoffState.officer.value
        row.taken_at = now
        row.officer = officer[:64]
        row.requested_at = row.requested_at or now
        if not row.reason:
            row.reason = "officer_replied"
    row.officer_at = now
    row.resume_notice = False
    row.updated_at = now
    session.flush()
    if text:
        assert row.id is not None
        note_message(session, row.id, author="officer", text=text, now=now)
    return row


def take(session: Session, row: Handoff, *, officer: str, now: dt.datetime) -> None:
    row.state = HandoffState.officer.value
    row.officer = officer[:64]
    row.taken_at = now
    row.officer_at = now
    row.resume_notice = False
    row.updated_at = now
    session.flush()


def release(session: Session, row: Handoff, *, now: dt.datetime) -> None:
    """Back to the bot; it tells the citizen once, on their next message, if an officer had it."""
    row.resume_notice = row.state == HandoffState.officer.value
    row.state = HandoffState.bot.value
    row.released_at = now
    row.urgent = False
    row.updated_at = now
    session.flush()


def resume_if_due(session: Session, row: Handoff, *, now: dt.datetime, timeout: dt.timedelta) -> None:
    """An officer's conversation with no officer message for `timeout` goes back to the bot."""
    if row.state != HandoffState.officer.value:
        return
    last = row.officer_at or row.taken_at
    if last is None or as_utc(last) + timeout <= now:
        release(session, row, now=now)


def note_message(session: Session, handoff_id: int, *, author: str, text: str, now: dt.datetime) -> None:
    """Add a message to the conversation's transcript."""
    _MESSAGES.add(
        session, {"handoff_id": handoff_id, "author": author, "text": text[:MAX_TEXT], "created_at": now}
    )


def citizen_wrote(session: Session, row: Handoff, *, text: str, now: dt.datetime) -> None:
    """A citizen's message to a conversation that is with an officer or waiting for one."""
    row.citizen_at = now
    row.updated_at = now
    session.flush()
    assert row.id is not None
    note_message(session, row.id, author="citizen", text=text, now=now)


def queue(session: Session, *, provinces: Iterable[str] | None, limit: int = 100) -> list[Handoff]:
    """Conversations waiting or with an officer, urgent first, then the longest waiting."""
    query = select(Handoff).where(
        HANDOFFS.c.state.in_([HandoffState.waiting.value, HandoffState.officer.value])
    )
    if provinces is not None:
        query = query.where(HANDOFFS.c.province.in_(list(provinces)))
    query = query.order_by(
        case((HANDOFFS.c.urgent.is_(True), 0), else_=1),
        case((HANDOFFS.c.state == HandoffState.waiting.value, 0), else_=1),
        HANDOFFS.c.requested_at,
        HANDOFFS.c.id,
    ).limit(limit)
    return list(session.scalars(query))


def transcript(session: Session, handoff_id: int, *, limit: int = 200) -> Sequence[HandoffMessage]:
    _MESSAGES.write(session)
    query = (
        select(HandoffMessage)
        .where(HANDOFF_MESSAGES.c.handoff_id == handoff_id)
        .order_by(HANDOFF_MESSAGES.c.created_at.desc(), HANDOFF_MESSAGES.c.id.desc())
        .limit(limit)
    )
    return list(reversed(list(session.scalars(query))))


def forget_user(session: Session, *, channel: str, user_id: str) -> int:
    """Drop the citizen's handoff and its transcript; returns how many rows went."""
    _MESSAGES.write(session)
    _READ_AHEAD.drop(session, (channel, user_id))
    ids = select(HANDOFFS.c.id).where(HANDOFFS.c.channel == channel, HANDOFFS.c.user_id == user_id)
    messages = rowcount(
        session.execute(delete(HANDOFF_MESSAGES).where(HANDOFF_MESSAGES.c.handoff_id.in_(ids)))
    )
    rows = rowcount(
        session.execute(delete(HANDOFFS).where(HANDOFFS.c.channel == channel, HANDOFFS.c.user_id == user_id))
    )
    return messages + rows


def purge_before(session: Session, *, before: dt.datetime) -> int:
    """Drop transcripts older than `before`, and handoffs back with the bot untouched since then."""
    _MESSAGES.write(session)
    old = select(HANDOFFS.c.id).where(
        HANDOFFS.c.state == HandoffState.bot.value, HANDOFFS.c.updated_at < before
    )
    messages = rowcount(
        session.execute(
            delete(HANDOFF_MESSAGES).where(
                or_(HANDOFF_MESSAGES.c.created_at < before, HANDOFF_MESSAGES.c.handoff_id.in_(old))
            )
        )
    )
    rows = rowcount(
        session.execute(
            delete(HANDOFFS).where(HANDOFFS.c.state == HandoffState.bot.value, HANDOFFS.c.updated_at < before)
        )
    )
    return messages + rows
