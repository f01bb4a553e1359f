"""Citizens' data rights: "xóa dữ liệu của tôi" removes what the bot keeps about the person.

Removed: the open conversation (a report draft), the stored text of their past messages and of the
bot's delivered answers, their messages the bot did not understand (kept for officers), their
handoff to an officer and its transcript, and the link between them and the tips they filed
(reporter id and name).
Kept: the facts about the scammer in those tips (numbers, accounts, links, what happened), which
belong to the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.conversation_state import store as conversation_state
from app.handoff import service as handoff
from app.inbox import privacy as inbox
from app.outbox import privacy as outbox
from app.tips import service as tips
from app.unmatched import service as unmatched

__all__ = ["Forgotten", "forget_citizen"]


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What a data-rights request removed."""

    draft: bool  # an open report draft
    messages: int  # stored texts of the citizen's messages and of the bot's answers
    tips: list[str]  # reference codes the citizen is no longer linked to


def forget_citizen(session: Session, *, channel: str, user_id: str) -> Forgotten:
    """Remove the citizen's conversation and their link to their tips; the caller commits."""
    draft = conversation_state.forget_user(session, channel=channel, user_id=user_id) > 0
    # Answers still waiting to be delivered keep their text (the last one confirms this deletion).
    messages = (
        inbox.forget_user(session, channel=channel, user_id=user_id)
        + outbox.forget_user(session, channel=channel, user_id=user_id)
        + unmatched.forget_user(session, channel=channel, user_id=user_id)
        + handoff.forget_user(session, channel=channel, user_id=user_id)
    )
    tips_ = tips.forget_user(session, channel=channel, user_id=user_id)
    return Forgotten(draft=draft, messages=messages, tips=tips_)
