"""Retention: what the bot keeps, and for how long (`canhgiac data purge`).

One call, run by the operator (cron, a systemd timer), never in the hot path:

* tips created more than DAYS days ago go, with their facts (as `tips purge`);
* conversation states (report drafts, memos) untouched for DAYS days go;
* inbound events and outbound messages older than DAYS days go, once they are finished (an event
  still pending, or with a reply still waiting to be sent, stays);
* sooner, after HOURS hours, finished messages lose their text: a processed inbound event its text
  and payload, a delivered (or given-up) outbound message its text. The rows stay for the
  deduplication and the counts.

Functions never commit: the caller's session scope does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlmodel import Session

from app.console.unmatched import purge_unmatched
from app.conversation.state import purge_states
from app.inbox.service import EVENTS
from app.outbox.service import OUTBOX
from app.storage import utcnow
from app.tips.service import purge_older_than

__all__ = ["DEFAULT_CLEAR_TEXT_AFTER_HOURS", "Purged", "clear_message_texts", "purge_data"]

DEFAULT_CLEAR_TEXT_AFTER_HOURS = 24


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows each step removed or cleared."""

    tips: int = 0
    states: int = 0
    inbound: int = 0
    outbound: int = 0
    inbound_texts: int = 0
    outbound_texts: int = 0


def clear_message_texts(session: Session, *, before: dt.datetime) -> tuple[int, int]:
    """Clear the text of finished messages created before `before`: (inbound, outbound) cleared."""
    events = session.execute(
        update(EVENTS)
        .where(
            EVENTS.c.status != "pending",
            EVENTS.c.created_at < before,
            (EVENTS.c.text.is_not(None)) | (EVENTS.c.payload.is_not(None)),
        )
        .values(text=None, payload=None)
    )
    messages = session.execute(
        update(OUTBOX)
        .where(OUTBOX.c.status != "pending", OUTBOX.c.created_at < before, OUTBOX.c.text != "")
        .values(text="")
    )
    return int(events.rowcount or 0), int(messages.rowcount or 0)  # type: ignore[attr-defined]


def _purge_messages(session: Session, *, before: dt.datetime) -> tuple[int, int]:
    """Delete finished outbound messages, then finished inbound events with no reply left to send:
    (inbound, outbound) deleted."""
    result = session.execute(delete(OUTBOX).where(OUTBOX.c.status != "pending", OUTBOX.c.created_at < before))
    outbound = int(result.rowcount or 0)  # type: ignore[attr-defined]
    waiting = exists(
        select(OUTBOX.c.id).where(OUTBOX.c.event_id == EVENTS.c.id, OUTBOX.c.status == "pending")
    )
    old = select(EVENTS.c.id).where(EVENTS.c.status != "pending", EVENTS.c.created_at < before, ~waiting)
    ids = [i for (i,) in session.execute(old)]
    inbound = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # Their remaining (finished, recent) replies first: SQLite enforces ON DELETE CASCADE only
        # with foreign_keys=ON.
        result = session.execute(delete(OUTBOX).where(OUTBOX.c.event_id.in_(chunk)))
        outbound += int(result.rowcount or 0)  # type: ignore[attr-defined]
        result = session.execute(delete(EVENTS).where(EVENTS.c.id.in_(chunk)))
        inbound += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return inbound, outbound


def purge_data(
    session: Session,
    *,
    days: int,
    clear_text_after_hours: int = DEFAULT_CLEAR_TEXT_AFTER_HOURS,
    now: dt.datetime | None = None,
) -> Purged:
    """Apply the retention rules (see the module's docstring); the caller commits."""
    if days < 0 or clear_text_after_hours < 0:
        raise ValueError("days and hours must be >= 0")
    now = now or utcnow()
    before = now - dt.timedelta(days=days)
    tips = purge_older_than(session, days=days, now=now)
    purge_unmatched(session, days=days, now=now)  # the console's unmatched messages (citizens' words)
    states = purge_states(session, before=before)
    inbound, outbound = _purge_messages(session, before=before)
    inbound_texts, outbound_texts = clear_message_texts(
        session, before=now - dt.timedelta(hours=clear_text_after_hours)
    )
    return Purged(tips, states, inbound, outbound, inbound_texts, outbound_texts)
