"""Counting requests per key and minute in the database, so that every worker sees the same count.

One statement per key (an upsert that adds one and returns the total); old minutes are deleted by
whoever counts first in a new minute. Keys (client addresses, sessions) are stored as digests, never
as they are. The caller commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete

from app.db import rowcount, upsert_insert
from app.ratelimits.models import RATE_COUNTS

__all__ = ["count", "purge_before"]


@cache
def _count_statement(dialect: str) -> Any:
    insert = upsert_insert(RATE_COUNTS, dialect).values(
        key=bindparam("key"), minute=bindparam("minute"), hits=1
    )
    return insert.on_conflict_do_update(
        index_elements=[RATE_COUNTS.c.key, RATE_COUNTS.c.minute],
        set_={"hits": RATE_COUNTS.c.hits + 1},
    ).returning(RATE_COUNTS.c.hits)


def count(connection: Connection, keys: Sequence[str], *, minute: int) -> list[int]:
    """Add one request to each key in `minute`; each key's requests in that minute, this one included."""
    stmt = _count_statement(connection.dialect.name)
    return [
        int(connection.execute(stmt, {"key": _digest(key), "minute": minute}).scalar_one()) for key in keys
    ]


def _digest(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def purge_before(connection: Connection, *, minute: int) -> int:
    """Drop the counts of minutes before `minute`; how many rows went."""
    return rowcount(connection.execute(delete(RATE_COUNTS).where(RATE_COUNTS.c.minute < minute)))
