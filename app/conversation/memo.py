"""What the bot remembers of a conversation for half an hour: the last case told, the choices it
offered, and how the citizen speaks of themselves.

"tố giác" right after a description carries that description's facts into the report; "2" after a
numbered choice picks the second; "giờ phải làm gì?" is answered about the case just told. The memo
is stored in the conversation state row (`app.conversation_state.store`), alone or beside a report draft,
so it survives restarts and works across workers; "xóa dữ liệu của tôi" and retention remove it
with the row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.contracts import IncomingMessage
from app.conversation_state.store import save_state
from app.nlu.analyzer import Analysis
from app.vision import distance

__all__ = [
    "IMAGE_MARK",
    "MAX_MEMO_TEXT",
    "MEMO_FLOW",
    "MEMO_TTL",
    "AccountFact",
    "CaseFacts",
    "Memo",
    "from_picture",
    "save_memo",
]

MEMO_FLOW = "memo"
MEMO_TTL = dt.timedelta(minutes=30)
IMAGE_MARK = "[Ảnh chụp màn hình]"  # heads a text read from a picture, wherever it is stored
MAX_PICTURES = 10  # hashes of the last pictures a citizen sent, to recognise one sent again
MAX_MEMO_TEXT = 20_000  # the whole message (platforms allow 20,000 characters); only its start is analysed


class AccountFact(BaseModel):
    number: str
    bank: str | None = None
    holder: str | None = None


class CaseFacts(BaseModel):
    """The facts of one analysed message, as a report needs them (so it is never analysed twice)."""

    text: str
    tactic: str | None = None
    candidates: list[tuple[str, float]] = Field(default_factory=list)
    story: bool = False
    urgent: bool = False
    lost: bool = False
    danger: bool = False
    phones: list[str] = Field(default_factory=list)
    accounts: list[AccountFact] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    amount_vnd: int | None = None
    paid: list[int] = Field(default_factory=list)

    @classmethod
    def of(cls, text: str, analysis: Analysis, *, story: bool, picture: bool = False) -> CaseFacts:
        """`picture`: the text was read from a screenshot; it is stored with that mark (evidence)."""
        e = analysis.entities
        text = f"{IMAGE_MARK}\n{text}" if picture and text else text
        candidates = [(c.tactic, c.score) for c in analysis.match.candidates]
        return cls(
            text=text[:MAX_MEMO_TEXT],
            tactic=analysis.tactic or analysis.match.tactic,
            candidates=candidates,
            story=story,
            urgent=analysis.urgent,
            lost=analysis.lost,
            danger=analysis.situation.danger,
            phones=list(e.phones),
            accounts=[AccountFact(number=a.number, bank=a.bank, holder=a.holder) for a in e.bank_accounts],
            urls=list(e.urls),
            pages=list(e.pages),
            amount_vnd=e.amount_vnd,
            paid=list(e.paid),
        )


class Memo(BaseModel):
    """The conversation's short memory."""

    address: str = "bạn"
    last: CaseFacts | None = None
    last_at: dt.datetime | None = None
    choices: list[str] = Field(default_factory=list)  # tactic ids, in the order they were numbered
    pictures: list[str] = Field(default_factory=list)  # perceptual hashes of recent pictures, newest last
    # Set while this message opens a report: the draft then carries the memo (not stored apart).
    reporting: bool = Field(default=False, exclude=True)

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> Memo:
        try:
            return cls.model_validate(data or {})
        except ValueError:  # a memo from an incompatible version: start afresh
            return cls()

    def fresh_case(self, now: dt.datetime) -> CaseFacts | None:
        """The last case told, if it was told within the memo's lifetime."""
        if self.last is None or self.last_at is None or now - self.last_at > MEMO_TTL:
            return None
        return self.last

    def remember(self, facts: CaseFacts, now: dt.datetime) -> None:
        self.last = facts
        self.last_at = now

    def saw(self, digest: str, *, near: int = 6) -> bool:
        """Whether a picture this close was sent before (then or now, it is remembered)."""
        seen = any(distance(digest, earlier) <= near for earlier in self.pictures)
        self.pictures = [*(d for d in self.pictures if d != digest), digest][-MAX_PICTURES:]
        return seen

    def hear(self, form: str) -> None:
        """Keep the citizen's own form of address once they have used one."""
        if form != "bạn":
            self.address = form


def from_picture(message: IncomingMessage) -> bool:
    """Whether the message's text was read from a picture."""
    return message.image is not None and message.image.read


def save_memo(session: Session, *, channel: str, user_id: str, memo: Memo, now: dt.datetime) -> None:
    """Store the memo as the citizen's conversation state (no report open)."""
    data = memo.model_dump(mode="json")
    save_state(session, channel=channel, user_id=user_id, flow=MEMO_FLOW, data=data, now=now)
