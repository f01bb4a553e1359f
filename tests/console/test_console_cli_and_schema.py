"""`canhgiac officers ...` and migration 0006 (console tables, renamed tip statuses)."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlmodel import SQLModel

import app.tables  # noqa: F401  (every table on the metadata)
from app.console.models import OFFICERS
from app.db import downgrade, make_engine, upgrade
from app.settings import PROJECT_ROOT

CONSOLE_TABLES = {
    "console_officers",
    "console_sessions",
    "tip_status_changes",
    "console_audit",
    "console_unmatched",
    "console_variant_suggestions",
}


def run(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    environ["CANHGIAC_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_officers_add_list_disable(database_url: str):
    secret = "mật-khẩu-dài-5678"
    added = run(
        database_url,
        "officers",
        "add",
        "Lan.CT",
        "--role",
        "investigator",
        "--province",
        "soc-trang",
        "--password-stdin",
        stdin=secret + "\n",
    )
    assert added.returncode == 0, added.stderr
    admin = run(
        database_url,
        "officers",
        "add",
        "chief",
        "--role",
        "admin",
        "--all-provinces",
        "--password-stdin",
        stdin=secret + "\n",
    )
    assert admin.returncode == 0, admin.stderr
    again = run(
        database_url,
        "officers",
        "add",
        "lan.ct",
        "--role",
        "viewer",
        "--all-provinces",
        "--password-stdin",
        stdin=secret + "\n",
    )
    assert again.returncode == 1 and "Đã có" in again.stderr
    both = run(
        database_url, "officers", "add", "x1", "--role", "viewer", "--password-stdin", stdin=secret + "\n"
    )
    assert both.returncode == 2
    short = run(
        database_url,
        "officers",
        "add",
        "x2",
        "--role",
        "viewer",
        "--all-provinces",
        "--password-stdin",
        stdin="ngắn\n",
    )
    assert short.returncode == 2 and "Traceback" not in short.stderr
    listed = run(database_url, "officers", "list").stdout
    assert (
        "lan.ct" in listed
        and "can-tho" in listed
        and "investigator" in listed
        and "chief" in listed
        and "*" in listed
    )
    assert secret not in listed
    assert run(database_url, "officers", "disable", "lan.ct").returncode == 0
    assert "disabled" in run(database_url, "officers", "list").stdout
    assert run(database_url, "officers", "disable", "nobody").returncode == 1
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            hashes = list(connection.execute(select(OFFICERS.c.password_hash)).scalars())
    finally:
        engine.dispose()
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") and secret not in h for h in hashes)


def test_0006_renames_statuses_creates_the_tables_and_goes_back(database_url: str):
    upgrade(database_url, "0005_reporter_key")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for n, status in enumerate(("moi", "dang_xu_ly", "da_chuyen", "dong")):
                connection.execute(
                    text(
                        "INSERT INTO tips (ref_code, created_at, updated_at, province, channel, channel_id,"
                        " score, turns, socials, urgent, status, pages) VALUES (:ref, :at, :at, 'can-tho',"
                        " 'web', '', 0, '[]', '[]', false, :status, '[]')"
                    ),
                    {"ref": f"CT-20261101-000{n}", "at": "2026-11-01 00:00:00", "status": status},
                )
        upgrade(database_url)
        with engine.connect() as connection:
            statuses = list(connection.execute(text("SELECT status FROM tips ORDER BY ref_code")).scalars())
        assert statuses == ["moi", "dang_xac_minh", "da_chuyen", "da_dong"]
        assert set(inspect(engine).get_table_names()) >= CONSOLE_TABLES
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, SQLModel.metadata)
        assert [d for d in diffs if any(t in repr(d) for t in CONSOLE_TABLES | {"'tips'"})] == []
        bad = None
        try:
            with engine.begin() as connection:
                connection.execute(text("UPDATE tips SET status = 'dong'"))
        except Exception as exc:
            bad = exc
        assert bad is not None  # the check constraint knows the new names only
        downgrade(database_url, "0005_reporter_key")
        with engine.connect() as connection:
            statuses = list(connection.execute(text("SELECT status FROM tips ORDER BY ref_code")).scalars())
        assert statuses == ["moi", "dang_xu_ly", "da_chuyen", "dong"]
        assert not CONSOLE_TABLES & set(inspect(engine).get_table_names())
        upgrade(database_url)
    finally:
        engine.dispose()
