"""Reply pieces written to the outbox as answering writes them, for the delivery tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session

from app.contracts import IncomingMessage, Reply
from app.inbox.service import RecordedEvent, complete, record
from app.outbox.service import OutboxItem, enqueue


def written(db: Engine, lease_until: dt.datetime, *, user_id: str, message_id: str) -> list[OutboxItem]:
    """One Messenger event answered with two pieces ("một", "hai"), leased until `lease_until`."""
    now = dt.datetime.now(dt.UTC)
    message = IncomingMessage("messenger", "104857600000001", user_id, message_id, "xin chào")
    with Session(db) as session:
        [event_id] = record(session.connection(), [message])
        assert event_id is not None
        complete(session, [event_id])
        [items] = enqueue(
            session,
            [(RecordedEvent(event_id, message), [Reply("một"), Reply("hai")])],
            now=now,
            lease_until=lease_until,
        )
        session.commit()
    return items
