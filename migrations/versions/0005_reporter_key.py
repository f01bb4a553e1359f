"""Tips: who counts as one reporter (`reporter_key`) and the reporter's own contact.

Revision ID: 0005_reporter_key
Revises: 0004_blocklist
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_reporter_key"
down_revision: str | None = "0004_blocklist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("reporter_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reporter_contact", sa.String(32), nullable=True))
    op.create_index("ix_tips_reporter_key", "tips", ["reporter_key"])


def downgrade() -> None:
    op.drop_index("ix_tips_reporter_key", table_name="tips")
    with op.batch_alter_table("tips") as batch:
        batch.drop_column("reporter_contact")
        batch.drop_column("reporter_key")
