"""Request counts per key and minute, shared by the worker processes (the web chat's rate limits).

Revision ID: 0009_rate_counts
Revises: 0008_handoff
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_rate_counts"
down_revision: str | None = "0008_handoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counts",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("minute", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hits", sa.Integer(), nullable=False),
    )
    op.create_index("ix_rate_counts_minute", "rate_counts", ["minute"])


def downgrade() -> None:
    op.drop_index("ix_rate_counts_minute", table_name="rate_counts")
    op.drop_table("rate_counts")
