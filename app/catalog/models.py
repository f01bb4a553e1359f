"""The scam catalogue as validated data: `scam_catalog.yaml` is parsed into these models on load."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

REQUIRED_TACTIC_IDS: tuple[str, ...] = (
    "impersonate_authority",
    "online_kidnapping",
    "fake_vneid_app",
    "task_job_scam",
    "investment_scam",
    "romance_gift_scam",
    "account_takeover_borrow",
    "bank_phishing",
    "otp_theft",
    "fake_shipper",
    "utility_bill",
    "tax_refund",
    "insurance_refund",
    "loan_app",
    "family_emergency",
    "wrong_transfer",
    "scam_recovery",
    "travel_booking",
    "prize_giveaway",
    "telecom_sim",
    "credit_card",
    "online_shopping",
    "ecommerce_refund",
    "gambling",
    "overseas_job",
    "scholarship_study",
    "fake_charity",
    "sextortion",
    "account_rental",
)

MIN_PATTERNS = 12

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TacticId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Source(BaseModel):
    """Who published the warning a tactic is based on, and when."""

    model_config = ConfigDict(extra="forbid")

    agency: Text
    date: Text
    title: str = ""


class Tactic(BaseModel):
    """One scam tactic: how citizens describe it, its cues, and what to tell them."""

    model_config = ConfigDict(extra="forbid")

    id: TacticId
    name: Text
    summary: Text
    patterns: list[Text] = Field(min_length=MIN_PATTERNS)
    keywords: list[Text] = Field(min_length=3)
    red_flags: list[Text] = Field(min_length=1)
    advice: list[Text] = Field(min_length=2, max_length=5)
    urgent_advice: list[Text] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    updated: dt.date

    @field_validator("patterns")
    @classmethod
    def _patterns_are_phrases(cls, value: list[str]) -> list[str]:
        # A single folded syllable matches half the language; patterns must describe a situation.
        short = [p for p in value if len(p.split()) < 3]
        if short:
            raise ValueError(f"patterns must be phrases of 3+ words, not: {short[:3]}")
        dupes = {p for p in value if value.count(p) > 1}
        if dupes:
            raise ValueError(f"duplicate patterns: {sorted(dupes)[:3]}")
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords_are_multiword(cls, value: list[str]) -> list[str]:
        short = [k for k in value if len(k.split()) < 2 and len(k) < 6]
        if short:
            raise ValueError(f"keywords must be discriminative cues (2+ syllables), not: {short[:3]}")
        return value

    @field_validator("summary")
    @classmethod
    def _summary_is_short(cls, value: str) -> str:
        sentences = [s for s in value.replace("!", ".").replace("?", ".").split(".") if s.strip()]
        if len(sentences) > 2:
            raise ValueError("summary must be one or two sentences")
        return value


class MatcherThresholds(BaseModel):
    """Score thresholds for this catalogue, written by `bench/calibrate.py` from labelled messages."""

    model_config = ConfigDict(extra="forbid")

    half_saturation: float = Field(gt=0)
    confident: float = Field(ge=0, le=100)
    floor: float = Field(ge=0, le=100)
    ambiguity_margin: float = Field(ge=0, le=100)


class Catalog(BaseModel):
    """The whole catalogue file."""

    model_config = ConfigDict(extra="forbid")

    version: Text
    matcher: MatcherThresholds | None = None
    tactics: list[Tactic] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique_and_complete(self) -> Catalog:
        ids = [t.id for t in self.tactics]
        errors = []
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            errors.append(f"duplicate tactic ids: {dupes}")
        missing = [i for i in REQUIRED_TACTIC_IDS if i not in ids]
        if missing:
            errors.append(f"required tactic ids missing: {missing}")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def by_id(self) -> dict[str, Tactic]:
        return {t.id: t for t in self.tactics}
