"""Per-citizen conversation state in the database: survives restarts, shared by every worker.

One row per (channel, user_id) while a multi-turn flow (a report draft) is open. Writes are one
atomic upsert, so two workers answering the same citizen never create two rows; on PostgreSQL the
row is locked while a message is being handled, so that citizen's messages are handled one at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Column, Connection, Integer, String, UniqueConstraint, bindparam, delete, select
from sqlmodel import Field, Session, SQLModel

from app.db import ReadAhead, UTCDateTime, WriteBehind, rowcount, upsert_insert, utcnow

__all__ = [
    "ConversationState",
    "StoredState",
    "clear_state",
    "forget_user",
    "load_state",
    "prefetch_states",
    "purge_before",
    "save_state",
]


class ConversationState(SQLModel, table=True):
    """The open flow of one citizen and its data (for a report: the draft)."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_conversation_states_channel_user_id"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    channel: str = Field(sa_column=Column(String(32), nullable=False))
    user_id: str = Field(sa_column=Column(String(128), nullable=False))
    flow: str = Field(sa_column=Column(String(32), nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )


STATES = ConversationState.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StoredState:
    flow: str
    data: dict[str, Any]
    updated_at: dt.datetime


# Both run for every message a citizen sends: built once per backend, executed with parameters.
_LOAD = select(STATES.c.flow, STATES.c.data, STATES.c.updated_at).where(
    STATES.c.channel == bindparam("channel"), STATES.c.user_id == bindparam("user_id")
)
_LOAD_LOCKED = _LOAD.with_for_update()


# Many citizens at once (a batch being answered), in a fixed order: two workers locking rows of
# overlapping batches take them in the same order.
@cache
def _load_many_statement(dialect: str) -> Any:
    stmt = (
        select(STATES.c.channel, STATES.c.user_id, STATES.c.flow, STATES.c.data, STATES.c.updated_at)
        .where(ReadAhead.matching(STATES.c.channel, STATES.c.user_id, dialect))
        .order_by(STATES.c.channel, STATES.c.user_id)
    )
    return stmt.with_for_update() if dialect == "postgresql" else stmt


_READ_AHEAD: ReadAhead[StoredState] = ReadAhead("conversation_states")


@cache
def _save_statement(dialect: str) -> Any:
    insert = upsert_insert(STATES, dialect)
    return insert.on_conflict_do_update(
        index_elements=[STATES.c.channel, STATES.c.user_id],
        set_={
            "flow": insert.excluded.flow,
            "data": insert.excluded.data,
            "updated_at": insert.excluded.updated_at,
        },
    )


def _write_states(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    connection.execute(_save_statement(connection.dialect.name), list(rows))


# A batch's saves go in one statement at commit (`app.db.write_behind`).
_WRITE_BEHIND: WriteBehind[dict[str, Any]] = WriteBehind("conversation_states", _write_states)


def prefetch_states(session: Session, keys: Sequence[tuple[str, str]]) -> None:
    """Load the states of these citizens (channel, user_id) in one statement, locked on PostgreSQL.
    Each one's next `load_state` in this transaction is answered from here, once; a write to it
    drops it. For citizens with one message in the batch: a second would need the first's writes."""
    if not keys:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    found = {
        (row.channel, row.user_id): StoredState(row.flow, dict(row.data or {}), row.updated_at)
        for row in connection.execute(_load_many_statement(dialect), ReadAhead.params(keys, dialect))
    }
    _READ_AHEAD.keep(session, keys, found)


def load_state(session: Session, *, channel: str, user_id: str) -> StoredState | None:
    """The citizen's open flow, locked for this transaction on PostgreSQL."""
    pending = _WRITE_BEHIND.get(session, (channel, user_id))
    if pending is not None:
        return StoredState(flow=pending["flow"], data=pending["data"], updated_at=pending["updated_at"])
    read, state = _READ_AHEAD.take(session, (channel, user_id))
    if read:
        return state
    connection = session.connection()
    stmt = _LOAD_LOCKED if connection.dialect.name == "postgresql" else _LOAD
    row = connection.execute(stmt, {"channel": channel, "user_id": user_id}).first()
    if row is None:
        return None
    return StoredState(flow=row.flow, data=dict(row.data or {}), updated_at=row.updated_at)


def save_state(
    session: Session,
    *,
    channel: str,
    user_id: str,
    flow: str,
    data: dict[str, Any],
    now: dt.datetime | None = None,
) -> None:
    """Create or replace the citizen's state: one upsert, written with the batch's others at commit."""
    _READ_AHEAD.drop(session, (channel, user_id))
    when = now or utcnow()
    row = {"channel": channel, "user_id": user_id, "flow": flow, "data": data}
    _WRITE_BEHIND.put(session, (channel, user_id), row | {"created_at": when, "updated_at": when})


def forget_user(session: Session, *, channel: str, user_id: str) -> int:
    """Drop the citizen's state; returns how many rows went (0 or 1)."""
    _READ_AHEAD.drop(session, (channel, user_id))
    held = _WRITE_BEHIND.discard(session, (channel, user_id))
    result = session.execute(delete(STATES).where(STATES.c.channel == channel, STATES.c.user_id == user_id))
    return max(rowcount(result), int(held))


def purge_before(session: Session, *, before: dt.datetime) -> int:
    """Drop states untouched since `before` (retention for abandoned drafts)."""
    _WRITE_BEHIND.write(session)
    result = session.execute(delete(STATES).where(STATES.c.updated_at < before))
    return rowcount(result)


# A flow that ends clears its state the same way a deletion request does.
clear_state = forget_user
