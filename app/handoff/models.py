"""Handoffs: a citizen's conversation handed to an officer, and what was said while it was."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import cast

import sqlalchemy as sa
from sqlalchemy import Table
from sqlmodel import Field, SQLModel

from app.db import ID_TYPE, UTCDateTime

__all__ = ["HANDOFFS", "HANDOFF_MESSAGES", "Handoff", "HandoffMessage", "HandoffState"]


class HandoffState(StrEnum):
    bot = "bot"  # the bot answers
    waiting = "waiting"  # in the console's queue; the bot still answers until an officer takes it
    officer = "officer"  # an officer has it: the bot is silent


class Handoff(SQLModel, table=True):
    """One citizen's conversation (one row per channel and user), and who answers it."""

    __tablename__ = "handoffs"
    __table_args__ = (
        sa.UniqueConstraint("channel", "user_id", name="uq_handoffs_channel_user_id"),
        sa.Index("ix_handoffs_state_province", "state", "province"),
        sa.CheckConstraint("state IN ('bot', 'waiting', 'officer')", name="ck_handoffs_state"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    channel: str = Field(max_length=16)
    channel_id: str = Field(max_length=128)
    user_id: str = Field(max_length=128)
    province: str = Field(max_length=64)
    state: str = Field(default=HandoffState.bot.value, max_length=16)
    urgent: bool = Field(default=False)
    reason: str = Field(default="", max_length=32)  # "asked", "urgent", "officer_replied"
    officer: str | None = Field(default=None, max_length=64)  # who has it ("zalo-oa", a username)
    requested_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    taken_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    officer_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)  # last officer message
    citizen_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)  # last citizen message
    # The bot owes the citizen one notice that it is answering again.
    resume_notice: bool = Field(default=False)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)


class HandoffMessage(SQLModel, table=True):
    """A message of a handed-off conversation, kept for the console's transcript."""

    __tablename__ = "handoff_messages"

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    handoff_id: int = Field(
        sa_column=sa.Column(
            ID_TYPE, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    author: str = Field(max_length=16)  # "citizen", "officer", "bot"
    text: str = Field(sa_type=sa.Text)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


HANDOFFS = cast(Table, Handoff.__table__)  # type: ignore[attr-defined]
HANDOFF_MESSAGES = cast(Table, HandoffMessage.__table__)  # type: ignore[attr-defined]
