"""Officer console: officers, sessions, tip status history, audit, unmatched messages, variant
suggestions; tip statuses renamed (dang_xu_ly -> dang_xac_minh, dong -> da_dong).

Revision ID: 0006_console
Revises: 0005_reporter_key
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

revision: str = "0006_console"
down_revision: str | None = "0005_reporter_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_CHECK = "status IN ('moi', 'dang_xac_minh', 'da_chuyen', 'da_dong')"
OLD_CHECK = "status IN ('moi', 'dang_xu_ly', 'da_chuyen', 'dong')"
RENAMES = (("dang_xu_ly", "dang_xac_minh"), ("dong", "da_dong"))


def _statuses(check: str, renames: Sequence[tuple[str, str]]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a constraint: the table is copied (batch mode) without it, then with it.
        with op.batch_alter_table("tips", recreate="always") as batch:
            batch.drop_constraint("ck_tips_status", type_="check")
        for old, new in renames:
            op.execute(sa.text("UPDATE tips SET status = :new WHERE status = :old").bindparams(old=old, new=new))
        with op.batch_alter_table("tips", recreate="always") as batch:
            batch.create_check_constraint("ck_tips_status", check)
        return
    op.drop_constraint("ck_tips_status", "tips", type_="check")
    for old, new in renames:
        op.execute(sa.text("UPDATE tips SET status = :new WHERE status = :old").bindparams(old=old, new=new))
    op.create_check_constraint("ck_tips_status", "tips", check)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _officer_fk(name: str, nullable: bool) -> sa.Column:
    return sa.Column(
        name,
        sa.Integer(),
        sa.ForeignKey("console_officers.id", ondelete="SET NULL" if nullable else "CASCADE"),
        nullable=nullable,
    )


def upgrade() -> None:
    _statuses(NEW_CHECK, RENAMES)
    op.create_index("ix_tips_province_status", "tips", ["province", "status", "urgent"])
    op.create_index("ix_tips_province_created_at", "tips", ["province", "created_at"])
    op.create_table(
        "console_officers",
        _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("province", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("username", name="uq_console_officers_username"),
        sa.CheckConstraint("role IN ('viewer', 'investigator', 'admin')", name="ck_console_officers_role"),
    )
    op.create_table(
        "console_sessions",
        _id(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _officer_fk("officer_id", False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),
    )
    op.create_index("ix_console_sessions_officer_id", "console_sessions", ["officer_id"])
    op.create_table(
        "tip_status_changes",
        _id(),
        sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        _officer_fk("officer_id", True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_tip_status_changes_tip_id", "tip_status_changes", ["tip_id"])
    op.create_index("ix_tip_status_changes_officer_id", "tip_status_changes", ["officer_id"])
    op.create_table(
        "console_audit",
        _id(),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("tip_ref", sa.String(32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"])
    op.create_index("ix_console_audit_username", "console_audit", ["username"])
    op.create_index("ix_console_audit_action", "console_audit", ["action"])
    op.create_table(
        "console_variant_suggestions",
        _id(),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _officer_fk("officer_id", True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("tactic", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
    )
    op.create_index(
        "ix_console_variant_suggestions_officer_id", "console_variant_suggestions", ["officer_id"]
    )
    op.create_table(
        "console_unmatched",
        _id(),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("province", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("intent", sa.String(16), nullable=False),
        sa.Column("tactic", sa.String(64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "suggestion_id",
            sa.Integer(),
            sa.ForeignKey("console_variant_suggestions.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.create_index("ix_console_unmatched_created_at", "console_unmatched", ["created_at"])
    op.create_index("ix_console_unmatched_province", "console_unmatched", ["province"])
    op.create_index("ix_console_unmatched_user_id", "console_unmatched", ["user_id"])
    op.create_index("ix_console_unmatched_suggestion_id", "console_unmatched", ["suggestion_id"])
    # The audit log is append-only: the database itself refuses to change or delete an entry.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER console_audit_no_{verb.lower()} BEFORE {verb} ON console_audit "
                "BEGIN SELECT RAISE(ABORT, 'console_audit is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION console_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'console_audit is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER console_audit_append_only BEFORE UPDATE OR DELETE ON console_audit "
            "FOR EACH ROW EXECUTE FUNCTION console_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS console_audit_append_only ON console_audit")
        op.execute("DROP FUNCTION IF EXISTS console_audit_append_only()")
    op.drop_table("console_unmatched")
    op.drop_table("console_variant_suggestions")
    op.drop_table("console_audit")
    op.drop_table("tip_status_changes")
    op.drop_table("console_sessions")
    op.drop_table("console_officers")
    op.drop_index("ix_tips_province_created_at", table_name="tips")
    op.drop_index("ix_tips_province_status", table_name="tips")
    _statuses(OLD_CHECK, [(new, old) for old, new in RENAMES])
