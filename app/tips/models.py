"""Tips filed by citizens: tables, the reference-code counter, and read models.

A tip's facts about the scammer (phones, accounts, links) live in child tables indexed for the
checks ("how many tips mention this number?"). The reporter's id and name are nullable: a citizen
may remove their link to the tips they filed, and the facts stay for the case.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

__all__ = [
    "REF_COUNTERS",
    "TIPS",
    "TIP_ACCOUNTS",
    "TIP_LINKS",
    "TIP_PHONES",
    "TIP_TACTICS",
    "AccountRead",
    "LinkRead",
    "MentionStats",
    "RefCounter",
    "Tip",
    "TipAccount",
    "TipLink",
    "TipPhone",
    "TipRead",
    "TipStatus",
    "TipTactic",
]


class TipStatus(StrEnum):
    """Where an officer is with a tip."""

    moi = "moi"  # new
    dang_xac_minh = "dang_xac_minh"  # being verified
    da_chuyen = "da_chuyen"  # passed on to the unit in charge
    da_dong = "da_dong"  # closed

    @classmethod
    def parse(cls, value: str) -> TipStatus:
        """A status by name; the names used before the console (dang_xu_ly, dong) still work.
        ValueError for anything else."""
        value = value.strip().lower()
        return _OLD_NAMES.get(value) or cls(value)

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_OLD_NAMES = {"dang_xu_ly": TipStatus.dang_xac_minh, "dong": TipStatus.da_dong}

_STATUS_LABELS = {
    TipStatus.moi: "Mới",
    TipStatus.dang_xac_minh: "Đang xác minh",
    TipStatus.da_chuyen: "Đã chuyển",
    TipStatus.da_dong: "Đã đóng",
}


class Tip(SQLModel, table=True):
    """One report from a citizen."""

    __tablename__ = "tips"
    __table_args__ = (
        UniqueConstraint("ref_code", name="uq_tips_ref_code"),
        CheckConstraint("status IN ('moi', 'dang_xac_minh', 'da_chuyen', 'da_dong')", name="ck_tips_status"),
        # The console's counts per status and of urgent open tips, within a province.
        Index("ix_tips_province_status", "province", "status", "urgent"),
        Index("ix_tips_province_created_at", "province", "created_at"),  # a province's period
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    ref_code: str = Field(sa_column=Column(String(32), nullable=False))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    province: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    channel: str = Field(sa_column=Column(String(32), nullable=False))
    channel_id: str = Field(default="", sa_column=Column(String(128), nullable=False))
    reporter_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True, index=True))
    reporter_name: str | None = Field(default=None, sa_column=Column(String(256), nullable=True))
    # Who counts as one reporter for the checks, when the channel's user id does not say it: the web
    # chat's sessions are anonymous, so its tips carry a digest of the client's network address and
    # the local day. NULL: the reporter is `channel:reporter_id`. Replaced by a random token when the
    # citizen asks to be forgotten (their tips still count as one person's).
    reporter_key: str | None = Field(default=None, sa_column=Column(String(64), nullable=True, index=True))
    # The reporter's own phone number, as they gave it ("số của tôi 09…"): never a reported phone.
    reporter_contact: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    score: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    turns: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    socials: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    amount_vnd: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    incident_when: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    # The calendar day the citizen's words resolve to ("hôm qua" on 3 Dec -> 2026-12-02).
    incident_date: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    pages: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )  # page, shop or group names the scammer used
    urgent: bool = Field(default=False)
    status: str = Field(default=TipStatus.moi.value, sa_column=Column(String(16), nullable=False, index=True))
    officer_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


def _tip_fk() -> Column[Any]:
    return Column(Integer, ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True)


class TipTactic(SQLModel, table=True):
    """A scam tactic a tip was matched to (first one is the best match)."""

    __tablename__ = "tip_tactics"

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(sa_column=_tip_fk())
    position: int = Field(default=0)
    tactic: str = Field(sa_column=Column(String(64), nullable=False, index=True))


class TipPhone(SQLModel, table=True):
    """A phone number named in a tip, E.164."""

    __tablename__ = "tip_phones"

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(sa_column=_tip_fk())
    position: int = Field(default=0)
    phone: str = Field(sa_column=Column(String(20), nullable=False, index=True))


class TipAccount(SQLModel, table=True):
    """A bank account (or e-wallet) named in a tip."""

    __tablename__ = "tip_accounts"

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(sa_column=_tip_fk())
    position: int = Field(default=0)
    number: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    bank: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    holder: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))


class TipLink(SQLModel, table=True):
    """A link named in a tip: the link as written, a lookup key, and its registrable domain."""

    __tablename__ = "tip_links"

    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(sa_column=_tip_fk())
    position: int = Field(default=0)
    url: str = Field(sa_column=Column(Text, nullable=False))
    url_key: str = Field(sa_column=Column(String(512), nullable=False, index=True))
    domain: str = Field(sa_column=Column(String(253), nullable=False, index=True))


class RefCounter(SQLModel, table=True):
    """The last reference-code sequence number used per prefix and local (UTC+7) day."""

    __tablename__ = "tip_ref_counters"

    prefix: str = Field(sa_column=Column(String(8), primary_key=True))
    day: str = Field(sa_column=Column(String(8), primary_key=True))  # YYYYMMDD
    value: int = Field(default=0, sa_column=Column(Integer, nullable=False))


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


# Core handles for queries (SQLModel does not type `__table__`).
TIPS = _table(Tip)
TIP_TACTICS = _table(TipTactic)
TIP_PHONES = _table(TipPhone)
TIP_ACCOUNTS = _table(TipAccount)
TIP_LINKS = _table(TipLink)
REF_COUNTERS = _table(RefCounter)


# --------------------------------------------------------------------------- read models


class AccountRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    bank: str | None = None
    holder: str | None = None


class LinkRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    domain: str


class TipRead(BaseModel):
    """A tip with its facts, as officers see it."""

    model_config = ConfigDict(frozen=True)

    id: int
    ref_code: str
    created_at: dt.datetime
    updated_at: dt.datetime
    province: str
    channel: str
    channel_id: str
    reporter_id: str | None
    reporter_name: str | None
    reporter_contact: str | None = None
    tactics: list[str]
    score: float
    turns: list[str]
    phones: list[str]
    accounts: list[AccountRead]
    links: list[LinkRead]
    socials: list[str]
    amount_vnd: int | None
    incident_when: str | None
    incident_date: dt.date | None = None
    pages: list[str] = []
    urgent: bool
    status: TipStatus
    officer_note: str | None


class MentionStats(BaseModel):
    """How often a phone, account or domain appears in tips: never who reported it."""

    model_config = ConfigDict(frozen=True)

    count: int  # tips
    last_at: dt.datetime | None
    tactics: list[tuple[str, int]]  # most frequent first
    # Distinct reporters (one person filing twenty tips is one), and how many of them filed a tip an
    # officer has taken up (status beyond "moi").
    reporters: int = 0
    verified: int = 0
