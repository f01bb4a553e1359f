"""Column types and time helpers every table uses: one UTC strategy, one id type.

Every timestamp is timezone-aware UTC in Python. PostgreSQL stores the offset; SQLite stores none, so
`UTCDateTime` adds it back on the way out (and refuses naive values on the way in).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import DateTime, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["ID_TYPE", "UTCDateTime", "as_utc", "rowcount", "upsert_insert", "utcnow"]

# 64-bit ids on PostgreSQL; SQLite autoincrements only an INTEGER primary key.
ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """The same instant, timezone-aware in UTC (SQLite drops the zone on the way back)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def upsert_insert(table: Table, dialect_name: str) -> Any:
    """An INSERT for `table` that supports `.on_conflict_do_nothing()` on this backend."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database backend {dialect_name!r}")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores no offset: we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE touched (the result types do not all declare `rowcount`)."""
    return int(getattr(result, "rowcount", 0) or 0)
