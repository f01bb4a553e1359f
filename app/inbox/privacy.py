"""What the inbox forgets: a citizen's texts on request, everyone's texts and rows with age.

A pending event keeps its text (it has not been answered yet). Functions never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, delete, select, update
from sqlmodel import Session

from app.db import rowcount
from app.inbox.service import EVENTS

__all__ = ["clear_texts_before", "forget_user", "purge_before"]


def forget_user(session: Session, *, channel: str, user_id: str) -> int:
    """Clear the text of the citizen's answered messages; how many were cleared."""
    return rowcount(
        session.execute(
            update(EVENTS)
            .where(
                EVENTS.c.channel == channel,
                EVENTS.c.user_id == user_id,
                EVENTS.c.status != "pending",
                EVENTS.c.text.is_not(None),
            )
            .values(text=None, payload=None)
        )
    )


def clear_texts_before(session: Session, *, before: dt.datetime) -> int:
    """Clear the text and payload of answered messages received before `before`."""
    return rowcount(
        session.execute(
            update(EVENTS)
            .where(
                EVENTS.c.status != "pending",
                EVENTS.c.created_at < before,
                (EVENTS.c.text.is_not(None)) | (EVENTS.c.payload.is_not(None)),
            )
            .values(text=None, payload=None)
        )
    )


def purge_before(session: Session, *, before: dt.datetime, keep: ColumnElement[bool] | None = None) -> int:
    """Delete answered events received before `before` (their replies go with them, ON DELETE
    CASCADE), except those `keep` selects (the outbox's: events with a reply still to send)."""
    old = select(EVENTS.c.id).where(EVENTS.c.status != "pending", EVENTS.c.created_at < before)
    if keep is not None:
        old = old.where(~keep)
    ids = [i for (i,) in session.execute(old)]
    deleted = 0
    for start in range(0, len(ids), 500):
        deleted += rowcount(session.execute(delete(EVENTS).where(EVENTS.c.id.in_(ids[start : start + 500]))))
    return deleted
