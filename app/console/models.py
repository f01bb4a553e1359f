"""The officer console's tables: officers, their sessions, tip status history, the audit log,
the messages the bot could not match, and the variants officers suggest for the catalogue."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

__all__ = [
    "AUDIT",
    "OFFICERS",
    "SESSIONS",
    "STATUS_CHANGES",
    "SUGGESTIONS",
    "AuditEntry",
    "Officer",
    "OfficerSession",
    "Role",
    "TipStatusChange",
    "VariantSuggestion",
]


class Role(StrEnum):
    """What an officer may do: read; also change a tip's status; also see the audit and reporters."""

    viewer = "viewer"
    investigator = "investigator"
    admin = "admin"

    @property
    def label(self) -> str:
        return {"viewer": "Xem", "investigator": "Điều tra viên", "admin": "Quản trị"}[self.value]


class Officer(SQLModel, table=True):
    """One officer's account. `province` NULL: every province."""

    __tablename__ = "console_officers"
    __table_args__ = (
        UniqueConstraint("username", name="uq_console_officers_username"),
        CheckConstraint("role IN ('viewer', 'investigator', 'admin')", name="ck_console_officers_role"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    username: str = Field(sa_column=Column(String(64), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    province: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    disabled_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


def _officer_fk(nullable: bool = False) -> Column[Any]:
    ondelete = "SET NULL" if nullable else "CASCADE"
    return Column(
        Integer, ForeignKey("console_officers.id", ondelete=ondelete), nullable=nullable, index=True
    )


class OfficerSession(SQLModel, table=True):
    """A signed-in browser: the SHA-256 of its cookie token, and its CSRF token."""

    __tablename__ = "console_sessions"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False))
    officer_id: int = Field(sa_column=_officer_fk())
    csrf_token: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class TipStatusChange(SQLModel, table=True):
    """One status change of a tip: who, when, from what to what, with their note."""

    __tablename__ = "tip_status_changes"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    tip_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    officer_id: int | None = Field(default=None, sa_column=_officer_fk(nullable=True))
    username: str = Field(sa_column=Column(String(64), nullable=False))
    from_status: str = Field(sa_column=Column(String(16), nullable=False))
    to_status: str = Field(sa_column=Column(String(16), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AuditEntry(SQLModel, table=True):
    """Who saw or changed what, and when. Append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "console_audit"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))
    officer_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    username: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    action: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    tip_ref: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class VariantSuggestion(SQLModel, table=True):
    """A group of unmatched messages an admin marked as a new variant of a tactic."""

    __tablename__ = "console_variant_suggestions"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    officer_id: int | None = Field(default=None, sa_column=_officer_fk(nullable=True))
    username: str = Field(sa_column=Column(String(64), nullable=False))
    tactic: str = Field(sa_column=Column(String(64), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    count: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    first_seen: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    keys: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


OFFICERS = _table(Officer)
SESSIONS = _table(OfficerSession)
STATUS_CHANGES = _table(TipStatusChange)
AUDIT = _table(AuditEntry)
SUGGESTIONS = _table(VariantSuggestion)
