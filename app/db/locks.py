"""One writer at a time on a SQLite file.

SQLite has one writer at a time, and a writer that finds the database busy sleeps and retries in
growing steps (up to 100 ms each). Our write transactions queue on a lock instead (a thread lock,
plus `flock` on a file beside the database for the other worker processes), so a webhook waits only
as long as the write before it. PostgreSQL needs none.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover  (not on Windows: SQLite's own locking still applies)
    fcntl = None  # type: ignore[assignment]

__all__ = ["WouldBlock", "write_lock"]


class _SqliteWriteLock:
    """One writer at a time on one SQLite file: threads of this process, then other processes."""

    def __init__(self, path: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = path
        self._fd: int | None = None

    @contextmanager
    def hold(self, *, wait: bool = True) -> Iterator[None]:
        if not self._thread_lock.acquire(blocking=wait):
            raise WouldBlock
        try:
            fd = self._file()
            if fd is None or fcntl is None:
                yield
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WouldBlock from None
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _file(self) -> int | None:
        if self._fd is None and self._path is not None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self._path = None  # read-only directory: SQLite's own locking still applies
        return self._fd


_write_locks: dict[str, _SqliteWriteLock] = {}
_write_locks_guard = threading.Lock()


class WouldBlock(Exception):
    """`write_lock(db, wait=False)` found the lock taken."""


@contextmanager
def write_lock(db: Engine, *, wait: bool = True) -> Iterator[None]:
    """Hold while running a write transaction (SQLite only; a no-op elsewhere).

    With `wait=False`, raises `WouldBlock` at once instead of waiting for another writer.
    """
    if db.dialect.name != "sqlite":
        yield
        return
    database = db.url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    key = database if not in_memory else f"memory:{id(db)}"
    with _write_locks_guard:
        lock = _write_locks.get(key)
        if lock is None:
            path = None if in_memory else os.path.abspath(database) + ".writelock"
            lock = _write_locks[key] = _SqliteWriteLock(path)
    with lock.hold(wait=wait):
        yield
