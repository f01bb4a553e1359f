"""A report being written: what the conversation has gathered so far (stored as JSON)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.conversation.memo import CaseFacts
from app.nlu.analyzer import MAX_ANALYSED
from app.nlu.report_answers import (
    bank_named,
    find_own_phones,
    find_socials,
    find_when,
    resolve_date,
    says_no_loss,
    says_paid,
)
from app.replies.report import excerpt
from app.text.formatting import VN_TZ

__all__ = [
    "MAX_DRAFT_TURNS",
    "QUESTIONS",
    "AccountDraft",
    "Question",
    "ReportDraft",
    "Step",
    "merge_facts",
    "ranked_tactics",
]

MAX_DRAFT_TURNS = 20

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


def merge_facts(draft: ReportDraft, facts: CaseFacts, *, answering: Question | None = None) -> bool:
    """Add one turn's facts to the draft; each fact goes where it belongs, whatever was asked.

    A full draft (MAX_DRAFT_TURNS turns) takes nothing more: False, and the caller says so.
    """
    original = unicodedata.normalize("NFC", facts.text).strip()
    if not original:
        return True
    if len(draft.turns) >= MAX_DRAFT_TURNS:
        return False
    draft.turns.append(original)
    head = original[:MAX_ANALYSED]  # the whole turn is stored; its start is what is read
    own = find_own_phones(head)  # "số của tôi 09…": the reporter's contact, not the scammer's
    if own and draft.reporter_contact is None:
        draft.reporter_contact = own[0]
    mine = {*own, *([draft.reporter_contact] if draft.reporter_contact else [])}
    draft.phones = [p for p in draft.phones if p not in mine]
    for phone in facts.phones:
        if phone not in draft.phones and phone not in mine:
            draft.phones.append(phone)
    for account in facts.accounts:
        known = next((a for a in draft.accounts if a.number == account.number), None)
        if known is None:
            draft.accounts.append(
                AccountDraft(number=account.number, bank=account.bank, holder=account.holder)
            )
        else:
            known.bank = known.bank or account.bank
            known.holder = known.holder or account.holder
    unnamed = [a for a in draft.accounts if not a.bank]
    if not facts.accounts and len(unnamed) == 1:
        unnamed[0].bank = bank_named(head)  # "tài khoản đó là Techcombank"
    for url in facts.urls:
        if url not in draft.urls:
            draft.urls.append(url)
    for page in facts.pages:
        if page not in draft.pages:
            draft.pages.append(page)
    socials = find_socials(head)
    words = len(original.split())
    if (
        answering == "contacts"
        and not (facts.phones or facts.accounts or facts.urls or socials or facts.pages)
        and words <= 12
        and facts.amount_vnd is None
        and not facts.lost
    ):
        socials = [excerpt(original, 200)]  # "nick Lan Anh bán hàng": keep their words as the contact
    for social in socials:
        if social not in draft.socials:
            draft.socials.append(social)
    # One amount told as paid by the speaker counts as paid ("25 triệu đó tôi chuyển vào…").
    told_paid = facts.lost or (facts.amount_vnd is not None and says_paid(head))
    paid = facts.paid or ([facts.amount_vnd] if told_paid and facts.amount_vnd else [])
    for amount in paid:
        if amount not in draft.paid:
            draft.paid.append(amount)
    if facts.amount_vnd is not None:
        if draft.amount_vnd is None or not draft.paid:
            draft.amount_vnd = facts.amount_vnd
        draft.no_loss = False
    elif says_no_loss(head) and draft.amount_vnd is None:
        draft.no_loss = True
    if draft.paid:
        draft.amount_vnd = sum(draft.paid)  # the total lost across transfers
    when = find_when(head)
    if when and not draft.incident_when:
        draft.incident_when = when
        draft.incident_date = resolve_date(head, draft.started_at.astimezone(VN_TZ).date())
    if facts.story:
        for tactic, score in facts.candidates:
            draft.tactic_scores[tactic] = draft.tactic_scores.get(tactic, 0.0) + score
    if answering == "what" or facts.story:
        draft.story = True
    draft.urgent = draft.urgent or facts.urgent
    draft.lost = draft.lost or facts.lost
    return True
