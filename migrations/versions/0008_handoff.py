"""Human handoff: conversations an officer answers (the console's queue), their transcript, and the
Messenger message tag of an officer's reply in the outbox.

Revision ID: 0008_handoff
Revises: 0007_status_checks
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_handoff"
down_revision: str | None = "0007_status_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("province", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("officer", sa.String(64), nullable=True),
        sa.Column("requested_at", TIME, nullable=True),
        sa.Column("taken_at", TIME, nullable=True),
        sa.Column("released_at", TIME, nullable=True),
        sa.Column("officer_at", TIME, nullable=True),
        sa.Column("citizen_at", TIME, nullable=True),
        sa.Column("resume_notice", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.UniqueConstraint("channel", "user_id", name="uq_handoffs_channel_user_id"),
        sa.CheckConstraint("state IN ('bot', 'waiting', 'officer')", name="ck_handoffs_state"),
    )
    op.create_index("ix_handoffs_state_province", "handoffs", ["state", "province"])
    op.create_table(
        "handoff_messages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", ID, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_index("ix_handoff_messages_handoff_id", "handoff_messages", ["handoff_id"])
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("tag", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("tag")
    op.drop_index("ix_handoff_messages_handoff_id", table_name="handoff_messages")
    op.drop_table("handoff_messages")
    op.drop_index("ix_handoffs_state_province", table_name="handoffs")
    op.drop_table("handoffs")
