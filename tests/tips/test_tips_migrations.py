"""Migration 0002_tips: from an empty database, down again, and in step with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
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

    def table_of(diff: object) -> str | None:
        item = diff[-1] if isinstance(diff, list) else diff
        for part in item if isinstance(item, tuple) else (item,):
            name = getattr(getattr(part, "table", None), "name", None) or getattr(part, "name", None)
            if isinstance(name, str) and name in MINE:
                return name
            if isinstance(part, str) and part in MINE:
                return part
        return None

    mine = [d for d in diffs if table_of(d) is not None]
    assert mine == []
