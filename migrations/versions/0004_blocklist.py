"""Warning lists: their sources, entries (indexed for the checks) and an import log.

Revision ID: 0004_blocklist
Revises: 0003_tip_facts
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_blocklist"
down_revision: str | None = "0003_tip_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _source_id() -> sa.Column:
    return sa.Column(
        "source_id", sa.Integer(), sa.ForeignKey("blocklist_sources.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "blocklist_sources",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("imported_at", TIME, nullable=False),
        sa.UniqueConstraint("name", name="uq_blocklist_sources_name"),
    )
    op.create_table(
        "blocklist_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _source_id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        sa.Column("stem", sa.String(253), nullable=True),
        sa.Column("added_at", TIME, nullable=False),
        sa.UniqueConstraint("source_id", "kind", "value", name="uq_blocklist_entries_source_kind_value"),
    )
    op.create_index("ix_blocklist_entries_kind_value", "blocklist_entries", ["kind", "value"])
    op.create_index("ix_blocklist_entries_stem", "blocklist_entries", ["stem"])
    op.create_table(
        "blocklist_imports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _source_id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(256), nullable=False),
        sa.Column("imported_at", TIME, nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("bad", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("blocklist_imports")
    op.drop_index("ix_blocklist_entries_stem", table_name="blocklist_entries")
    op.drop_index("ix_blocklist_entries_kind_value", table_name="blocklist_entries")
    op.drop_table("blocklist_entries")
    op.drop_table("blocklist_sources")
