"""The scam catalogue as validated data: `scam_catalog.yaml` is parsed into these models on load."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.text.normalize import fold

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
WHY_MAX_CHARS = 130
STEP_MAX_CHARS = 90
STEPS = 3
EN_NAME_MAX_CHARS = 60
# An English keyword that fits more tactics than this tells them apart no better than "scam".
MAX_TACTICS_PER_EN_KEYWORD = 2
# District-level police were abolished in 2025: advice must point to commune/ward or provincial police.
# Matched on folded text; "công an quản lý" (police manage) is not a district.
_RETIRED_POLICE_RE = re.compile(r"\b(?:cong an (?:huyen|quan)|ca huyen)\b(?! ly\b)")
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TacticId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Source(BaseModel):
    """Who published the warning a tactic is based on, and when."""

    model_config = ConfigDict(extra="forbid")

    agency: Text
    date: Text
    title: str = ""


def retired_police_mentions(text: str) -> list[str]:
    """Mentions of district police ("công an huyện/quận", with or without diacritics) in `text`."""
    return [m.group(0) for m in _RETIRED_POLICE_RE.finditer(fold(text))]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _one_sentence(value: str) -> str:
    body = value.rstrip(".!? ")
    if not value.endswith((".", "!", "?")) or any(f"{p} " in body for p in ".!?"):
        raise ValueError("must be one sentence ending with a full stop")
    return value


def _straight_quotes(value: str) -> str:
    if any(q in value for q in _CURLY_QUOTES):
        raise ValueError('use straight quotes (") rather than curly ones')
    return value


# What the bot says first, in either language: one sentence and steps, in straight quotes.
Why = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=WHY_MAX_CHARS),
    AfterValidator(_one_sentence),
    AfterValidator(_straight_quotes),
]
Step = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=STEP_MAX_CHARS),
    AfterValidator(_straight_quotes),
]
Steps = Annotated[list[Step], Field(min_length=STEPS, max_length=STEPS)]


class TacticEnglish(BaseModel):
    """What the bot says to someone writing in English, and the words they use for this tactic."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=EN_NAME_MAX_CHARS)]
    why: Why
    steps: Steps
    keywords: list[Text] = Field(min_length=5)

    @field_validator("keywords")
    @classmethod
    def _keywords_lowercase_unique(cls, value: list[str]) -> list[str]:
        upper = [k for k in value if k != k.lower()]
        if upper:
            raise ValueError(f"English keywords must be lowercase, not: {upper[:3]}")
        dupes = sorted({k for k in value if value.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate English keywords: {dupes[:3]}")
        return value


class Tactic(BaseModel):
    """One scam tactic: how citizens describe it, its cues, and what to tell them."""

    model_config = ConfigDict(extra="forbid")

    id: TacticId
    name: Text
    why: Why
    steps: Steps
    en: TacticEnglish
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

    @model_validator(mode="after")
    def _no_district_police(self) -> Tactic:
        found = [
            f"{name}: {mention!r}"
            for name in type(self).model_fields
            for text in _strings(getattr(self, name))
            for mention in retired_police_mentions(text)
        ]
        if found:
            raise ValueError(
                f"district police no longer exist, say công an xã, phường or công an tỉnh: {found[:3]}"
            )
        return self

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


class ChangelogEntry(BaseModel):
    """What one catalogue version changed, for provinces deciding whether to deploy it."""

    model_config = ConfigDict(extra="forbid")

    version: Text
    date: dt.date
    changes: list[Text] = Field(min_length=1)


class Catalog(BaseModel):
    """The whole catalogue file."""

    model_config = ConfigDict(extra="forbid")

    version: Text
    matcher: MatcherThresholds | None = None
    tactics: list[Tactic] = Field(min_length=1)
    changelog: list[ChangelogEntry] = Field(default_factory=list)  # newest last

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

    @model_validator(mode="after")
    def _english_keywords_discriminate(self) -> Catalog:
        owners: dict[str, list[str]] = {}
        for tactic in self.tactics:
            for keyword in tactic.en.keywords:
                owners.setdefault(keyword, []).append(tactic.id)
        shared = {k: ids for k, ids in owners.items() if len(ids) > MAX_TACTICS_PER_EN_KEYWORD}
        if shared:
            raise ValueError(
                f"English keywords used by more than {MAX_TACTICS_PER_EN_KEYWORD} tactics: "
                + "; ".join(f"{k!r} in {ids}" for k, ids in sorted(shared.items())[:5])
            )
        return self

    def by_id(self) -> dict[str, Tactic]:
        return {t.id: t for t in self.tactics}
