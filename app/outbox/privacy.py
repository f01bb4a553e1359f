"""What the outbox forgets: a delivered (or given-up) reply no longer needs its text.

A pending reply keeps its text: it has not been sent yet. Functions never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlmodel import Session

from app.db import rowcount
from app.inbox.service import EVENTS
from app.outbox.service import OUTBOX

__all__ = ["clear_texts_before", "forget_user", "has_pending_reply", "purge_before"]


def forget_user(session: Session, *, channel: str, user_id: str) -> int:
    """Clear the text of the citizen's finished replies; how many were cleared."""
    return rowcount(
        session.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.channel == channel,
                OUTBOX.c.user_id == user_id,
                OUTBOX.c.status != "pending",
                OUTBOX.c.text != "",
            )
            .values(text="")
        )
    )


def clear_texts_before(session: Session, *, before: dt.datetime) -> int:
    """Clear the text of finished replies created before `before`."""
    return rowcount(
        session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status != "pending", OUTBOX.c.created_at < before, OUTBOX.c.text != "")
            .values(text="")
        )
    )


def purge_before(session: Session, *, before: dt.datetime) -> int:
    """Delete finished replies created before `before`."""
    return rowcount(
        session.execute(delete(OUTBOX).where(OUTBOX.c.status != "pending", OUTBOX.c.created_at < before))
    )


def has_pending_reply() -> ColumnElement[bool]:
    """True for inbound events with a reply still waiting to be sent (they must stay)."""
    return exists(select(OUTBOX.c.id).where(OUTBOX.c.event_id == EVENTS.c.id, OUTBOX.c.status == "pending"))
