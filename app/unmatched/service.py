"""Keeping what the bot did not understand, and forgetting it (on request, with age).

`keep_unmatched` is the conversation's hook (`Responder.on_understood`), set by the app factory.
Functions never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session

from app.contracts import IncomingMessage
from app.db import rowcount, utcnow
from app.nlu.analyzer import Analysis
from app.provinces import Province
from app.text.links import link_parts
from app.text.normalize import normalize
from app.unmatched.models import UNMATCHED, UnmatchedMessage

__all__ = [
    "MAX_TEXT",
    "MIN_TOKENS",
    "forget_user",
    "keep_unmatched",
    "purge_before",
    "record_unmatched",
    "worth_recording",
]

MAX_TEXT = 1000
MIN_TOKENS = 5  # shorter messages are small talk or a bare number, not a story


def worth_recording(*, intent: str, tactic: str | None, confident: bool, tokens: int) -> bool:
    """A story or a question the bot had no confident tactic for (small talk is not kept)."""
    if intent in ("greeting", "thanks", "hotline", "help"):
        return False
    if tokens < MIN_TOKENS:
        return False
    return tactic is None or not confident


def record_unmatched(
    session: Session,
    *,
    text: str,
    province: str,
    channel: str,
    user_id: str | None = None,
    intent: str,
    tactic: str | None,
    score: float,
    phones: Sequence[str] = (),
    accounts: Sequence[str] = (),
    urls: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> None:
    """Keep one unmatched message (its first 1,000 characters) with what it names."""
    cut = text[:MAX_TEXT]
    links = list(dict.fromkeys(link_parts(u).url_key[:512] for u in urls))[:10]
    session.add(
        UnmatchedMessage(
            created_at=now or utcnow(),
            province=province,
            channel=channel[:32],
            user_id=user_id[:128] if user_id else None,
            text=cut,
            folded=normalize(cut).folded,
            phones=list(dict.fromkeys(phones))[:10],
            accounts=list(dict.fromkeys(accounts))[:10],
            links=links,
            intent=intent[:16],
            tactic=tactic,
            score=float(score),
        )
    )


def keep_unmatched(
    message: IncomingMessage, analysis: Analysis, province: Province, session: Session
) -> None:
    """The conversation engine's hook: keep a message it had no confident tactic for."""
    match = analysis.match
    if not worth_recording(
        intent=analysis.intent,
        tactic=analysis.tactic,
        confident=match.confident,
        tokens=len(analysis.message.tokens),
    ):
        return
    entities = analysis.entities
    record_unmatched(
        session,
        text=analysis.message.nfc,
        province=province.id,
        channel=message.channel,
        user_id=message.user_id,
        intent=analysis.intent,
        tactic=analysis.tactic or match.tactic,
        score=match.score,
        phones=entities.phones,
        accounts=[a.number for a in entities.bank_accounts],
        urls=entities.urls,
    )


def forget_user(session: Session, *, channel: str, user_id: str) -> int:
    """Delete the citizen's unmatched messages; how many went."""
    return rowcount(
        session.execute(
            delete(UNMATCHED).where(UNMATCHED.c.channel == channel, UNMATCHED.c.user_id == user_id)
        )
    )


def purge_before(session: Session, *, before: dt.datetime) -> int:
    """Retention: delete unmatched messages kept before `before`; how many went."""
    return rowcount(session.execute(delete(UNMATCHED).where(UNMATCHED.c.created_at < before)))
