"""Tips (with their phones, accounts, links and tactics), reference-code counters, conversation state.

Revision ID: 0002_tips
Revises: 0001_channels
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_tips"
down_revision: str | None = "0001_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _tip_id() -> sa.Column:
    return sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "tips",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ref_code", sa.String(32), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("province", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(128), nullable=False),
        sa.Column("reporter_id", sa.String(128), nullable=True),
        sa.Column("reporter_name", sa.String(256), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("turns", sa.JSON(), nullable=False),
        sa.Column("socials", sa.JSON(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("incident_when", sa.String(128), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("officer_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("ref_code", name="uq_tips_ref_code"),
        sa.CheckConstraint("status IN ('moi', 'dang_xu_ly', 'da_chuyen', 'dong')", name="ck_tips_status"),
    )
    op.create_index("ix_tips_created_at", "tips", ["created_at"])
    op.create_index("ix_tips_province", "tips", ["province"])
    op.create_index("ix_tips_reporter_id", "tips", ["reporter_id"])
    op.create_index("ix_tips_status", "tips", ["status"])

    op.create_table(
        "tip_tactics",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _tip_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tactic", sa.String(64), nullable=False),
    )
    op.create_index("ix_tip_tactics_tip_id", "tip_tactics", ["tip_id"])
    op.create_index("ix_tip_tactics_tactic", "tip_tactics", ["tactic"])

    op.create_table(
        "tip_phones",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _tip_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
    )
    op.create_index("ix_tip_phones_tip_id", "tip_phones", ["tip_id"])
    op.create_index("ix_tip_phones_phone", "tip_phones", ["phone"])

    op.create_table(
        "tip_accounts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _tip_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("bank", sa.String(64), nullable=True),
    )
    op.create_index("ix_tip_accounts_tip_id", "tip_accounts", ["tip_id"])
    op.create_index("ix_tip_accounts_number", "tip_accounts", ["number"])

    op.create_table(
        "tip_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _tip_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(512), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
    )
    op.create_index("ix_tip_links_tip_id", "tip_links", ["tip_id"])
    op.create_index("ix_tip_links_url_key", "tip_links", ["url_key"])
    op.create_index("ix_tip_links_domain", "tip_links", ["domain"])

    op.create_table(
        "tip_ref_counters",
        sa.Column("prefix", sa.String(8), primary_key=True),
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )

    op.create_table(
        "conversation_states",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("flow", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.UniqueConstraint("channel", "user_id", name="uq_conversation_states_channel_user_id"),
    )
    op.create_index("ix_conversation_states_updated_at", "conversation_states", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_states_updated_at", table_name="conversation_states")
    op.drop_table("conversation_states")
    op.drop_table("tip_ref_counters")
    for table, columns in (
        ("tip_links", ("tip_id", "url_key", "domain")),
        ("tip_accounts", ("tip_id", "number")),
        ("tip_phones", ("tip_id", "phone")),
        ("tip_tactics", ("tip_id", "tactic")),
    ):
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
    for column in ("status", "reporter_id", "province", "created_at"):
        op.drop_index(f"ix_tips_{column}", table_name="tips")
    op.drop_table("tips")
