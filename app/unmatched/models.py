"""Messages the bot could not match to a tactic (or matched without confidence): the raw material
in which officers see a new scam wave forming (`app.console.unmatched` groups them)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, String, Table, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

__all__ = ["UNMATCHED", "UnmatchedMessage"]


class UnmatchedMessage(SQLModel, table=True):
    """A citizen's message the bot could not match to a tactic, or matched without confidence."""

    __tablename__ = "console_unmatched"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    province: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    channel: str = Field(sa_column=Column(String(32), nullable=False))
    # Whose words these are, so that "xóa dữ liệu của tôi" removes them too.
    user_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True, index=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    folded: str = Field(sa_column=Column(Text, nullable=False))
    phones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    accounts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    intent: str = Field(sa_column=Column(String(16), nullable=False))
    tactic: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    score: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    suggestion_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("console_variant_suggestions.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
    )


UNMATCHED = cast(Table, UnmatchedMessage.__table__)  # type: ignore[attr-defined]
