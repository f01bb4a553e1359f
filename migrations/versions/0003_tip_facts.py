"""Tip facts as told: the incident's calendar date, page/shop names, account holders' names.

Revision ID: 0003_tip_facts
Revises: 0002_tips
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_tip_facts"
down_revision: str | None = "0002_tips"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("incident_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("pages", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("tip_accounts") as batch:
        batch.add_column(sa.Column("holder", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tip_accounts") as batch:
        batch.drop_column("holder")
    with op.batch_alter_table("tips") as batch:
        batch.drop_column("pages")
        batch.drop_column("incident_date")
