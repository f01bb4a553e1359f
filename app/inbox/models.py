"""Inbound events: every webhook message, recorded before it is acknowledged.

The unique key (channel, message_id) is the durable deduplication: a platform that delivers the same
message twice (retries, two workers, a storm) gets one row, hence one answer.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import ID_TYPE, UTCDateTime

__all__ = ["EventStatus", "InboundEvent"]


class EventStatus(StrEnum):
    pending = "pending"  # recorded, not answered yet
    done = "done"  # answered (its replies are in the outbox)
    failed = "failed"  # given up after repeated database failures


class InboundEvent(SQLModel, table=True):
    """One message from a platform, waiting for (or done with) the engine."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        sa.UniqueConstraint("channel", "message_id", name="uq_inbound_events_channel_message_id"),
        sa.Index("ix_inbound_events_status_created_at", "status", "created_at"),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name="ck_inbound_events_status"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    channel: str = Field(max_length=16)
    message_id: str = Field(max_length=255)
    channel_id: str = Field(max_length=128)  # Messenger page id / Zalo OA id
    user_id: str = Field(max_length=128)
    # The message itself, kept only until it is answered (cleared once done).
    text: str | None = Field(default=None, sa_type=sa.Text)
    payload: str | None = Field(default=None, sa_type=sa.Text)
    attachments: str = Field(default="", max_length=255)  # attachment types, comma-separated
    received_at: dt.datetime = Field(sa_type=UTCDateTime)
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=EventStatus.pending.value, max_length=16)
    attempts: int = Field(default=0)
    processed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
