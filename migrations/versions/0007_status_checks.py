"""Inbound events and outbound messages: their status is one of a fixed set (CHECK), like tips'.

Revision ID: 0007_status_checks
Revises: 0006_console
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_status_checks"
down_revision: str | None = "0006_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_events") as batch:
        batch.create_check_constraint("ck_inbound_events_status", "status IN ('pending', 'done', 'failed')")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.create_check_constraint("ck_outbound_messages_status", "status IN ('pending', 'sent', 'failed')")


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_constraint("ck_outbound_messages_status", type_="check")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_constraint("ck_inbound_events_status", type_="check")
