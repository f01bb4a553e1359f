"""Channels: inbound events (durable dedupe), the outbox, the Zalo token pair.

Revision ID: 0001_channels
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_channels"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbound_events",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("channel_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("attachments", sa.String(255), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("processed_at", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("channel", "message_id", name="uq_inbound_events_channel_message_id"),
    )
    op.create_index("ix_inbound_events_status_created_at", "inbound_events", ["status", "created_at"])

    op.create_table(
        "outbound_messages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", ID, sa.ForeignKey("inbound_events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quick_replies", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        sa.Column("platform_message_id", sa.String(255), nullable=True),
        sa.UniqueConstraint("event_id", "seq", name="uq_outbound_messages_event_id_seq"),
    )
    op.create_index(
        "ix_outbound_messages_status_next_attempt_at", "outbound_messages", ["status", "next_attempt_at"]
    )

    op.create_table(
        "zalo_tokens",
        sa.Column("oa_key", sa.String(128), primary_key=True),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("expires_at", TIME, nullable=True),
        sa.Column("seed_fingerprint", sa.String(64), nullable=False),
        sa.Column("refreshing_until", TIME, nullable=True),
        sa.Column("updated_at", TIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("zalo_tokens")
    op.drop_index("ix_outbound_messages_status_next_attempt_at", table_name="outbound_messages")
    op.drop_table("outbound_messages")
    op.drop_index("ix_inbound_events_status_created_at", table_name="inbound_events")
    op.drop_table("inbound_events")
