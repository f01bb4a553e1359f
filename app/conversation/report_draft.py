"""A report being written: what the conversation has gathered so far (stored as JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["QUESTIONS", "AccountDraft", "Question", "ReportDraft", "Step", "ranked_tactics"]

Step = Literal["consent", "question", "confirm", "confirm_all"]
Question = Literal["what", "contacts", "amount"]
QUESTIONS: tuple[Question, ...] = ("what", "contacts", "amount")


class AccountDraft(BaseModel):
    number: str
    bank: str | None = None
    holder: str | None = None


class ReportDraft(BaseModel):
    """What the conversation has gathered so far (stored as JSON in the state row)."""

    step: Step = "consent"
    question: Question | None = None
    asked: list[Question] = Field(default_factory=list)
    turns: list[str] = Field(default_factory=list)
    story: bool = False
    phones: list[str] = Field(default_factory=list)
    accounts: list[AccountDraft] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    socials: list[str] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    amount_vnd: int | None = None
    paid: list[int] = Field(default_factory=list)  # distinct amounts paid, across turns
    no_loss: bool = False
    incident_when: str | None = None
    incident_date: dt.date | None = None
    urgent: bool = False
    lost: bool = False
    tactic_scores: dict[str, float] = Field(default_factory=dict)
    memo: dict[str, Any] = Field(default_factory=dict)  # the conversation's memo, kept with the draft
    channel_id: str = ""
    province: str = ""
    display_name: str | None = None
    reporter_contact: str | None = None  # the citizen's own number (E.164): not a reported phone
    started_at: dt.datetime
    paused: bool = False
    reminded_at: dt.datetime | None = None

    @property
    def has_contacts(self) -> bool:
        return bool(self.phones or self.accounts or self.urls or self.socials)

    @property
    def has_amount(self) -> bool:
        return self.amount_vnd is not None or self.no_loss

    @property
    def complete(self) -> bool:
        return self.story and self.has_contacts and self.has_amount

    def missing(self, question: Question) -> bool:
        if question == "what":
            return not self.story
        if question == "contacts":
            return not self.has_contacts
        return not self.has_amount

    def next_question(self) -> Question | None:
        for question in QUESTIONS:
            if question not in self.asked and self.missing(question):
                return question
        return None


def ranked_tactics(draft: ReportDraft) -> list[str]:
    """The tactics the conversation supports: the best, and a second only when nearly as strong."""
    ranked = sorted(draft.tactic_scores.items(), key=lambda kv: -kv[1])
    if not ranked:
        return []
    best = [ranked[0][0]]
    if len(ranked) > 1 and ranked[1][1] >= 0.9 * ranked[0][1]:
        best.append(ranked[1][0])
    return best
