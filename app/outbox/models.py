"""Outbound messages: every reply piece, written before it is sent, retried until sent or failed."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import ID_TYPE, UTCDateTime

__all__ = ["OutboundMessage", "OutboxStatus"]


class OutboxStatus(StrEnum):
    pending = "pending"  # waiting for its (next) send
    sent = "sent"  # the platform took it
    failed = "failed"  # permanent error, or retries used up


class OutboundMessage(SQLModel, table=True):
    """One message to one person. (event_id, seq) is unique: an event's replies are written once."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "seq", name="uq_outbound_messages_event_id_seq"),
        sa.Index("ix_outbound_messages_status_next_attempt_at", "status", "next_attempt_at"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_outbound_messages_status"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    event_id: int = Field(
        sa_column=sa.Column(ID_TYPE, sa.ForeignKey("inbound_events.id", ondelete="CASCADE"), nullable=False)
    )
    seq: int
    channel: str = Field(max_length=16)
    channel_id: str = Field(max_length=128)
    user_id: str = Field(max_length=128)
    text: str = Field(sa_type=sa.Text)
    quick_replies: str = Field(default="[]", sa_type=sa.Text)  # JSON [{"title", "payload"}]
    status: str = Field(default=OutboxStatus.pending.value, max_length=16)
    attempts: int = Field(default=0)
    # When the next attempt may start. While a process is sending, it is pushed ahead: a lease that
    # another process (or the next start, after a crash) takes over once it has passed.
    next_attempt_at: dt.datetime = Field(sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    platform_message_id: str | None = Field(default=None, max_length=255)
    # Messenger message tag of an officer's reply sent past the 24-hour window ("HUMAN_AGENT").
    tag: str | None = Field(default=None, max_length=32)
