"""Migrations: tips from an empty database and down again; every table in step with the models."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import app.tables  # noqa: F401  (every table on the metadata)
from app.db import downgrade, make_engine, upgrade

MINE = {
    "tips",
    "tip_tactics",
    "tip_phones",
    "tip_accounts",
    "tip_links",
    "tip_ref_counters",
    "conversation_states",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_down_to_channels_and_to_base(database_url: str):
    upgrade(database_url)
    assert _tables(database_url) >= MINE
    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        phone_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("tip_phones")}
        assert phone_indexes["ix_tip_phones_phone"] == ["phone"]
        assert {"ix_tip_accounts_number"} <= {i["name"] for i in inspector.get_indexes("tip_accounts")}
        assert {"ix_tip_links_domain", "ix_tip_links_url_key"} <= {
            i["name"] for i in inspector.get_indexes("tip_links")
        }
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("conversation_states")}
        assert ("channel", "user_id") in uniques
    finally:
        engine.dispose()

    downgrade(database_url, "0001_channels")
    left = _tables(database_url)
    assert not (MINE & left) and "inbound_events" in left
    downgrade(database_url, "base")
    assert _tables(database_url) == set()
    upgrade(database_url)  # and back up again
    assert _tables(database_url) >= MINE


def test_the_migration_matches_the_models(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()

    assert diffs == []  # every table, not only the tips tables


def test_inbox_and_outbox_statuses_are_checked_by_the_database(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        for table, name in (
            ("inbound_events", "ck_inbound_events_status"),
            ("outbound_messages", "ck_outbound_messages_status"),
        ):
            assert name in {c["name"] for c in inspector.get_check_constraints(table)}
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO inbound_events (channel, message_id, channel_id, user_id, attachments,"
                    " received_at, created_at, status, attempts)"
                    " VALUES ('web', 'm-1', 'can-tho', 'u-1', '', :now, :now, 'lost', 0)"
                ),
                {"now": dt.datetime(2026, 12, 3, tzinfo=dt.UTC)},
            )
    finally:
        engine.dispose()
