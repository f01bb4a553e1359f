"""Recording inbound messages exactly once, and announcing them to whoever answers them.

`record` inserts with ON CONFLICT DO NOTHING on (channel, message_id): a duplicate delivery, even one
racing on another worker, inserts nothing and gets no id, so nothing downstream ever sees it twice.
`complete` is a compare-and-set (pending → done): whichever process answers an event first wins, and
the loser rolls its answer back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Engine, Table, bindparam, select, update
from sqlmodel import Session

from app.contracts import IncomingMessage
from app.db import GroupCommit, as_utc, upsert_insert, utcnow, write_connection
from app.inbox.models import InboundEvent

__all__ = [
    "ArrivalListener",
    "InboxRecorder",
    "RecordedEvent",
    "complete",
    "load_pending",
    "note_failure",
    "record",
    "record_batches",
    "stale_pending_ids",
    "storage_key",
]

EVENTS = cast(Table, InboundEvent.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An inbound message with its durable id: the unit of work of the worker."""

    id: int
    message: IncomingMessage
    attempts: int = 0


def storage_key(value: str, limit: int) -> str:
    """An id that fits its column: ids longer than the column are replaced by their SHA-256."""
    return value if len(value) <= limit else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


CONTROL_PREFIX = "CONTROL:"


def _payload(message: IncomingMessage) -> str | None:
    """The payload to store: a change of control as `CONTROL:<value>`; a citizen's payload that
    looks like one is dropped (nobody but the platform's parser makes that marker)."""
    if message.control is not None:
        return CONTROL_PREFIX + message.control
    if message.payload is not None and message.payload.startswith(CONTROL_PREFIX):
        return None
    return message.payload


def _row(message: IncomingMessage, now: dt.datetime) -> dict[str, Any]:
    return {
        "channel": message.channel,
        "message_id": storage_key(message.message_id, 255),
        "channel_id": storage_key(message.channel_id, 128),
        "user_id": storage_key(message.user_id, 128),
        "text": message.text,
        "payload": _payload(message),
        "attachments": ",".join(message.attachments)[:255],
        "received_at": as_utc(message.received_at),
        "created_at": now,
        "status": "pending",
        "attempts": 0,
    }


@cache
def _insert_statement(dialect: str) -> Any:
    return (
        upsert_insert(EVENTS, dialect)
        .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        .returning(EVENTS.c.id, EVENTS.c.channel, EVENTS.c.message_id)
    )


def record(
    connection: Connection, messages: Sequence[IncomingMessage], *, now: dt.datetime | None = None
) -> list[int | None]:
    """Insert each message unless it is already recorded.

    Returns, for each message in order, its new event id, or None when it is a duplicate (recorded
    earlier, or earlier in this same list). The caller commits.
    """
    now = now or utcnow()
    first: dict[tuple[str, str], int] = {}  # key -> index of its first occurrence in `messages`
    rows: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        row = _row(message, now)
        key = (row["channel"], row["message_id"])
        if key not in first:
            first[key] = index
            rows.append(row)
    ids: dict[tuple[str, str], int] = {}
    if rows:
        # One statement, executed for many rows: SQLAlchemy sends them as multi-row INSERTs.
        stmt = _insert_statement(connection.dialect.name)
        for id_, channel, message_id in connection.execute(stmt, rows):
            ids[(channel, message_id)] = id_
    result: list[int | None] = []
    for index, message in enumerate(messages):
        key = (message.channel, storage_key(message.message_id, 255))
        result.append(ids.get(key) if first[key] == index else None)
    return result


def record_batches(
    db: Engine, batches: Sequence[Sequence[IncomingMessage]], *, wait: bool = True
) -> list[list[int | None]]:
    """`record` for many webhooks in one transaction (the group commit).

    With `wait=False` on SQLite, raises `WouldBlock` instead of waiting for another writer.
    """
    flat = [message for batch in batches for message in batch]
    with write_connection(db, wait=wait) as connection:
        ids = record(connection, flat)
        connection.commit()
    out: list[list[int | None]] = []
    position = 0
    for batch in batches:
        out.append(ids[position : position + len(batch)])
        position += len(batch)
    return out


_COLUMNS = (
    "channel",
    "message_id",
    "channel_id",
    "user_id",
    "text",
    "payload",
    "attachments",
    "received_at",
    "created_at",
    "status",
    "attempts",
)


class AsyncPostgresRecorder:
    """`record_batches` for PostgreSQL through psycopg's async connection, on the event loop.

    The same INSERT ... ON CONFLICT DO NOTHING RETURNING as `record`, written out because this is
    the one statement every webhook waits for: a thread would have to win the GIL back after each
    round trip while the loop is busy acknowledging.
    """

    def __init__(self, db: Engine) -> None:
        url = db.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection[Any] | None = None

    async def flush(self, batches: Sequence[Sequence[IncomingMessage]]) -> list[list[int | None]]:
        now = utcnow()
        first: dict[tuple[str, str], int] = {}
        flat = [message for batch in batches for message in batch]
        params: list[Any] = []
        for index, message in enumerate(flat):
            row = _row(message, now)
            key = (row["channel"], row["message_id"])
            if key not in first:
                first[key] = index
                params.extend(row[column] for column in _COLUMNS)
        values = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(first))
        sql = (
            f"INSERT INTO inbound_events ({', '.join(_COLUMNS)}) VALUES {values} "
            "ON CONFLICT (channel, message_id) DO NOTHING RETURNING id, channel, message_id"
        )
        connection = await self._connect()
        try:
            async with connection.transaction():
                cursor = await connection.execute(sql.encode(), params)
                ids = {(channel, message_id): id_ for id_, channel, message_id in await cursor.fetchall()}
        except BaseException:
            await self.close()  # a broken connection is replaced on the next batch
            raise
        out: list[list[int | None]] = []
        position = 0
        for batch in batches:
            row_ids: list[int | None] = []
            for message in batch:
                key = (message.channel, storage_key(message.message_id, 255))
                row_ids.append(ids.get(key) if first[key] == position else None)
                position += 1
            out.append(row_ids)
        return out

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = await psycopg.AsyncConnection.connect(self._conninfo, connect_timeout=5)
        return self._connection

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                await connection.close()


ArrivalListener = Callable[[Sequence["RecordedEvent"]], None]


class InboxRecorder:
    """Records webhook messages durably; concurrent webhooks share one commit.

    Listeners hear of every recording once it is durable, with its new events (none for a call of
    duplicates only): the runtime answers them at once and counts the load, without the webhook
    edge knowing it exists.
    """

    def __init__(self, db: Engine, *, max_batch: int = 500) -> None:
        sqlite = db.dialect.name == "sqlite"
        self._postgres = AsyncPostgresRecorder(db) if db.dialect.name == "postgresql" else None
        self._commit: GroupCommit[Sequence[IncomingMessage], list[int | None]] = GroupCommit(
            lambda batches: record_batches(db, batches),
            max_batch=max_batch,
            try_inline=partial(record_batches, db, wait=False) if sqlite else None,
            async_flush=self._postgres.flush if self._postgres is not None else None,
        )
        self._listeners: list[ArrivalListener] = []
        self._waiting = 0  # webhooks waiting for their commit right now
        self._most_waiting = 0  # the most at once since `take_most_waiting` was last called

    def add_listener(self, listener: ArrivalListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: ArrivalListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def take_most_waiting(self) -> int:
        """The most webhooks that waited at once for their commit since the previous call: how far
        acknowledgements are queueing (the runtime's load gauge reads it)."""
        most, self._most_waiting = self._most_waiting, self._waiting
        return most

    def start(self) -> None:
        self._commit.start()

    async def stop(self) -> None:
        await self._commit.stop()
        if self._postgres is not None:
            await self._postgres.close()

    async def record(self, messages: Sequence[IncomingMessage]) -> tuple[list[RecordedEvent], int]:
        """The newly recorded events, and how many messages were duplicates. Durable on return."""
        self._waiting += 1
        self._most_waiting = max(self._most_waiting, self._waiting)
        try:
            ids = await self._commit.submit(messages)
        finally:
            self._waiting -= 1
        new = [
            RecordedEvent(id_, message) for id_, message in zip(ids, messages, strict=True) if id_ is not None
        ]
        for listener in tuple(self._listeners):
            listener(new)
        return new, len(messages) - len(new)


def _to_message(row: Any) -> IncomingMessage:
    payload: str | None = row.payload
    control = None
    if payload is not None and payload.startswith(CONTROL_PREFIX):
        control, payload = payload.removeprefix(CONTROL_PREFIX)[:16], None
    return IncomingMessage(
        channel=row.channel,
        channel_id=row.channel_id,
        user_id=row.user_id,
        message_id=row.message_id,
        text=row.text,
        payload=payload,
        attachments=tuple(a for a in row.attachments.split(",") if a),
        received_at=as_utc(row.received_at),
        control=control,
    )


def stale_pending_ids(session: Session, *, before: dt.datetime, limit: int) -> list[int]:
    """Pending events recorded before `before`: left behind by a crash or a failed attempt."""
    stmt = (
        select(EVENTS.c.id)
        .where(EVENTS.c.status == "pending", EVENTS.c.created_at <= before)
        .order_by(EVENTS.c.id)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def load_pending(session: Session, ids: Iterable[int]) -> list[RecordedEvent]:
    """The events among `ids` that are still pending, oldest first."""
    stmt = (
        select(EVENTS).where(EVENTS.c.id.in_(list(ids)), EVENTS.c.status == "pending").order_by(EVENTS.c.id)
    )
    return [RecordedEvent(row.id, _to_message(row), row.attempts) for row in session.execute(stmt)]


_COMPLETE = (
    update(EVENTS)
    .where(EVENTS.c.id.in_(bindparam("ids", expanding=True)), EVENTS.c.status == "pending")
    .values(status="done", processed_at=bindparam("now"), text=None, payload=None)
    .returning(EVENTS.c.id)
)


def complete(session: Session, ids: Sequence[int], *, now: dt.datetime | None = None) -> set[int]:
    """Mark pending events done (and forget their text); returns the ids this call changed.

    An id missing from the result was completed by someone else first: the caller must not write
    replies for it. The caller commits. (Core, not the ORM's bulk UPDATE: this runs for every
    batch of answers, and the ORM's bookkeeping cost more than the statement.)
    """
    if not ids:
        return set()
    result = session.connection().execute(_COMPLETE, {"ids": list(ids), "now": now or utcnow()})
    return set(result.scalars())


def note_failure(session: Session, event_id: int, *, error: str, max_attempts: int) -> None:
    """Count a failed processing attempt; after `max_attempts` the event is given up (failed)."""
    row = session.execute(select(EVENTS.c.attempts).where(EVENTS.c.id == event_id)).first()
    if row is None:
        return
    attempts = row.attempts + 1
    status = "failed" if attempts >= max_attempts else "pending"
    session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id, EVENTS.c.status == "pending")
        .values(attempts=attempts, status=status, last_error=error[:500])
    )
