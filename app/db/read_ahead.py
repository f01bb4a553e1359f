"""Rows read ahead for a batch, kept in the session for the length of its transaction.

A store that can read many rows in one statement keeps them here; each is served once, to the next
read of its key (a later read goes to the database, and so sees what the transaction wrote since),
and a write to a key drops it first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

__all__ = ["ReadAhead"]

V = TypeVar("V")
Key = tuple[str, str]  # (channel, user_id)


class ReadAhead(Generic[V]):
    """One store's rows read ahead, under `name` in `Session.info`."""

    def __init__(self, name: str) -> None:
        self._name = f"read_ahead.{name}"

    @staticmethod
    def lists(keys: Sequence[Key]) -> dict[str, list[str]]:
        """The keys as two IN lists (`channels`, `users`): SQLite searches a (channel, user_id)
        index only this way, not with pairs. A pair not asked for is dropped by `keep`."""
        return {"channels": sorted({c for c, _ in keys}), "users": sorted({u for _, u in keys})}

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
