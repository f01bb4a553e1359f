"""Citizens' data rights: "xóa dữ liệu của tôi" removes what the bot keeps about the person.

Removed: the open conversation (a report draft), the stored text of their past messages and of the
bot's delivered answers, and the link between them and the tips they filed (reporter id and name).
Kept: the facts about the scammer in those tips (numbers, accounts, links, what happened), which
belong to the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session

from app.conversation.state import clear_state
from app.inbox.service import EVENTS
from app.outbox.service import OUTBOX
from app.text.normalize import normalize
from app.tips.service import forget_reporter

__all__ = ["Forgotten", "forget_citizen", "is_forget_request"]

_DELETE = ("xoa", "huy bo")
_DATA = ("du lieu", "dl", "data", "thong tin", "tt", "lich su", "tin nhan", "ho so")
# The citizen's own data, or a request made in the first person.
_MINE = (
    "cua toi",
    "cua minh",
    "cua em",
    "cua tui",
    "cua tao",
    "cua t",
    "ca nhan",
    "muon xoa",
    "xin xoa",
    "can xoa",
    "hay xoa",
    "giup xoa",
    "yeu cau xoa",
    "vui long xoa",
    "lam sao xoa",
    "lam sao de xoa",
)
# Other things people delete: "xóa dữ liệu điện thoại", "xóa thông tin thẻ" are not requests to us.
_OTHER = ("dien thoai", "ngan hang", "tai khoan", "the", "facebook", "zalo", "may", "app", "ung dung", "no")
_SHORT = 6  # "xóa dữ liệu" alone is a request; in a long message it may be part of a story


def is_forget_request(text: str) -> bool:
    """ "xóa dữ liệu của tôi", "xoa du lieu cua toi", "xoá thông tin của mình", "xóa dl của t"."""
    tokens = normalize(text).tokens
    if not tokens or len(tokens) > 12:
        return False
    joined = f" {' '.join(tokens)} "

    def has(phrases: tuple[str, ...]) -> bool:
        return any(f" {p} " in joined for p in phrases)

    if not (has(_DELETE) and has(_DATA)) or has(_OTHER):
        return False
    return len(tokens) <= _SHORT or has(_MINE)


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What a data-rights request removed."""

    draft: bool  # an open report draft
    messages: int  # stored texts of the citizen's messages and of the bot's answers
    tips: list[str]  # reference codes the citizen is no longer linked to


def forget_citizen(session: Session, *, channel: str, user_id: str) -> Forgotten:
    """Remove the citizen's conversation and their link to their tips; the caller commits."""
    draft = clear_state(session, channel=channel, user_id=user_id) > 0
    mine_in = (EVENTS.c.channel == channel, EVENTS.c.user_id == user_id, EVENTS.c.status != "pending")
    inbound = session.execute(
        update(EVENTS).where(*mine_in, EVENTS.c.text.is_not(None)).values(text=None, payload=None)
    )
    # Answers still waiting to be delivered keep their text (the last one confirms this deletion).
    mine_out = (OUTBOX.c.channel == channel, OUTBOX.c.user_id == user_id, OUTBOX.c.status != "pending")
    outbound = session.execute(update(OUTBOX).where(*mine_out, OUTBOX.c.text != "").values(text=""))
    messages = int(inbound.rowcount or 0) + int(outbound.rowcount or 0)  # type: ignore[attr-defined]
    tips = forget_reporter(session, channel=channel, reporter_id=user_id)
    return Forgotten(draft=draft, messages=messages, tips=tips)
