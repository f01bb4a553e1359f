"""Database engines, write transactions and migrations (SQLite by default, PostgreSQL via psycopg 3).

Engines are built by the app factory / CLI from settings, never at import time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from app.db.locks import write_lock
from app.settings import PROJECT_ROOT

__all__ = [
    "alembic_config",
    "downgrade",
    "make_engine",
    "sqlalchemy_url",
    "sqlite_pragmas",
    "transaction",
    "upgrade",
    "write_connection",
]


def sqlalchemy_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work during a write; NORMAL sync is durable across process crashes (the
    # failure we design for) and avoids an fsync per commit; busy_timeout queues concurrent writers.
    # Opening a connection while another process recovers or checkpoints the WAL can answer
    # "database is locked" at once, without the busy handler: such a connection tries again.
    for attempt in range(_CONNECT_TRIES):
        try:
            _apply_pragmas(dbapi_connection)
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == _CONNECT_TRIES - 1:
                raise
            time.sleep(min(0.02 * (attempt + 1), 0.25))


_CONNECT_TRIES = 80  # about 15 s in all, past the 10 s busy timeout


def _apply_pragmas(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=10000")
        # WAL is a property of the file: switching needs a lock another process may hold, so only
        # the first connection to a new database switches; the rest just read the mode.
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for `url` with the settings this service needs on each backend.

    `hide_parameters`: SQL errors and echo never carry the bound values (citizens' text, numbers).
    """
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
        )
        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
    )


@contextmanager
def transaction(db: Engine, *, wait: bool = True) -> Iterator[Session]:
    """A write transaction: commits on success, rolls back on error. Every writer uses this or,
    with Core statements only, `write_connection`.

    On SQLite it holds the write lock (`wait=False` raises `WouldBlock` instead of waiting) and
    begins IMMEDIATE, so the write lock of the file is taken at the start: a transaction that reads
    first and writes later can never fail with "database is locked" when it upgrades.
    """
    with write_lock(db, wait=wait), Session(db, expire_on_commit=False) as session:
        if db.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def write_connection(db: Engine, *, wait: bool = True) -> Iterator[Connection]:
    """`transaction` for Core statements only, without an ORM session: a one-row commit on the
    webhook's path costs half as much. The caller commits; leaving without commit rolls back."""
    with write_lock(db, wait=wait), db.connect() as connection:
        if db.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to `revision` ("base" for an empty database)."""
    command.downgrade(alembic_config(url), revision)
