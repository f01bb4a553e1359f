"""Retention: what the bot keeps, and for how long (`canhgiac data purge`).

One call, run by the operator (cron, a systemd timer), never in the hot path:

* tips created more than DAYS days ago go, with their facts (as `tips purge`);
* conversation states (report drafts, memos) untouched for DAYS days go, and so do the messages
  the bot did not understand (kept for the console), and handoff transcripts;
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

from sqlmodel import Session

from app.conversation_state import store as conversation_state
from app.db import utcnow
from app.handoff import service as handoff
from app.inbox import privacy as inbox
from app.outbox import privacy as outbox
from app.tips import service as tips
from app.unmatched import service as unmatched

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
    return inbox.clear_texts_before(session, before=before), outbox.clear_texts_before(session, before=before)


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
    purged_tips = tips.purge_before(session, before=before)
    unmatched.purge_before(session, before=before)  # citizens' words kept for the console
    states = conversation_state.purge_before(session, before=before)
    handoff.purge_before(session, before=before)  # transcripts of handed-off conversations
    outbound = outbox.purge_before(session, before=before)
    inbound = inbox.purge_before(session, before=before, keep=outbox.has_pending_reply())
    inbound_texts, outbound_texts = clear_message_texts(
        session, before=now - dt.timedelta(hours=clear_text_after_hours)
    )
    return Purged(purged_tips, states, inbound, outbound, inbound_texts, outbound_texts)
