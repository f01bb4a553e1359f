"""Rows written behind for a batch: held in the session and written in one statement at commit.

A batch of events answered in one transaction saves one row per citizen (the conversation state)
and, for those waiting for an officer, lines of their transcripts; one statement per row costs
about three times what one statement for all of them does on PostgreSQL. A store puts its rows
here instead (`put`: one row per key, the last wins; `add`: rows in the order added). They are
written in key order (two transactions lock rows in the same order) just before the session
commits, or earlier by `write_behind`, which a caller uses to see a refused value where it can
still answer for it. A rollback drops them. A store reads its own held row before the database,
so the transaction still sees what it wrote.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, SessionTransaction

__all__ = ["WriteBehind", "write_behind"]

V = TypeVar("V")
Key = tuple[Any, ...]  # (channel, user_id) for `put`; the order added for `add`

_STORES: list[WriteBehind[Any]] = []


class WriteBehind(Generic[V]):
    """One store's held rows, under `name` in `Session.info`; `write` stores them all at once."""

    def __init__(self, name: str, write: Callable[[Connection, Sequence[V]], None]) -> None:
        self._name = f"write_behind.{name}"
        self._write = write
        _STORES.append(self)

    def put(self, session: Session, key: Key, row: V) -> None:
        """Hold `row` (a copy: the caller may go on changing what it passed) for `key`."""
        session.info.setdefault(self._name, {})[key] = copy.deepcopy(row)

    def add(self, session: Session, row: V) -> None:
        """Hold one more row (a store that only appends: no key to read it back by)."""
        held = session.info.setdefault(self._name, {})
        held[(len(held),)] = copy.deepcopy(row)

    def get(self, session: Session, key: Key) -> V | None:
        """A copy of the row held for `key`, if any."""
        held: dict[Key, V] | None = session.info.get(self._name)
        if held and key in held:
            return copy.deepcopy(held[key])
        return None

    def discard(self, session: Session, key: Key) -> bool:
        """Before the key's row is deleted; whether a row was held."""
        held: dict[Key, V] = session.info.get(self._name) or {}
        return held.pop(key, None) is not None

    def write(self, session: Session) -> None:
        held: dict[Key, V] | None = session.info.pop(self._name, None)
        if held:
            self._write(session.connection(), [held[key] for key in sorted(held)])

    def drop(self, session: Session) -> None:
        session.info.pop(self._name, None)


def write_behind(session: Session) -> None:
    """Write every store's held rows now (a refused value raises here, not at commit)."""
    for store in _STORES:
        store.write(session)


# Only the outermost transaction: a savepoint (`begin_nested`) that commits or rolls back in the
# middle of a batch neither writes nor drops the rows the rest of the batch holds.
@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        write_behind(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        for store in _STORES:
            store.drop(session)
