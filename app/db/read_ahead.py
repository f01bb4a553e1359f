"""Rows read ahead for a batch, kept in the session for the length of its transaction.

A store that can read many rows in one statement keeps them here; each is served once, to the next
read of its key (a later read goes to the database, and so sees what the transaction wrote since),
and a write to a key drops it first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, tuple_
from sqlalchemy.orm import Session

__all__ = ["ReadAhead"]

V = TypeVar("V")
Key = tuple[str, str]  # (channel, user_id)


class ReadAhead(Generic[V]):
    """One store's rows read ahead, under `name` in `Session.info`."""

    def __init__(self, name: str) -> None:
        self._name = f"read_ahead.{name}"

    @staticmethod
    def matching(
        channel: ColumnElement[str], user_id: ColumnElement[str], dialect: str
    ) -> ColumnElement[bool]:
        """The condition for keys bound by `params` on a (channel, user_id) index, per dialect.

        SQLite searches such an index only with two IN lists (a pair not asked for is dropped by
        `keep`). PostgreSQL takes the pairs: with two lists, on a table without statistics yet (a
        new deployment's first minutes) it searched by channel alone and read every row of the
        channel, ~400 rows per batch in `make bench-latency`.
        """
        if dialect == "sqlite":
            return and_(
                channel.in_(bindparam("channels", expanding=True)),
                user_id.in_(bindparam("users", expanding=True)),
            )
        return tuple_(channel, user_id).in_(bindparam("keys", expanding=True))

    @staticmethod
    def params(keys: Sequence[Key], dialect: str) -> dict[str, list[Any]]:
        """`keys` bound for the condition `matching` builds on the same dialect."""
        if dialect == "sqlite":
            return {"channels": sorted({c for c, _ in keys}), "users": sorted({u for _, u in keys})}
        return {"keys": sorted(set(keys))}

    def keep(self, session: Session, keys: Sequence[Key], found: Mapping[Key, V]) -> None:
        """What one statement read for `keys` (a key absent from `found` has no row)."""
        session.info[self._name] = {key: found.get(key) for key in keys}

    def take(self, session: Session, key: Key) -> tuple[bool, V | None]:
        """(True, the row or None) the first time `key` is read; (False, None) otherwise."""
        kept: dict[Key, V | None] | None = session.info.get(self._name)
        if kept and key in kept:
            return True, kept.pop(key)
        return False, None

    def drop(self, session: Session, key: Key) -> None:
        """Before a write to `key`."""
        kept: dict[Key, V | None] | None = session.info.get(self._name)
        if kept:
            kept.pop(key, None)
