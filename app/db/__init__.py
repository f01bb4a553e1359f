"""The database: engines, one write-transaction helper, column types, SQLite locking, migrations.

Engines are built by the app factory / CLI from settings, never at import time.
"""

from app.db.batching import GroupCommit, SqliteCheckpointer
from app.db.engine import (
    alembic_config,
    downgrade,
    make_engine,
    sqlalchemy_url,
    sqlite_pragmas,
    transaction,
    upgrade,
    write_connection,
)
from app.db.locks import WouldBlock, write_lock
from app.db.read_ahead import ReadAhead
from app.db.types import ID_TYPE, UTCDateTime, as_utc, rowcount, upsert_insert, utcnow
from app.db.write_behind import WriteBehind, write_behind

__all__ = [
    "ID_TYPE",
    "GroupCommit",
    "ReadAhead",
    "SqliteCheckpointer",
    "UTCDateTime",
    "WouldBlock",
    "WriteBehind",
    "alembic_config",
    "as_utc",
    "downgrade",
    "make_engine",
    "rowcount",
    "sqlalchemy_url",
    "sqlite_pragmas",
    "transaction",
    "upgrade",
    "upsert_insert",
    "utcnow",
    "write_behind",
    "write_connection",
    "write_lock",
]
