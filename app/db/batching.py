"""Keeping commits off the webhook's path.

- `GroupCommit`: concurrent callers hand in items, one thread commits them together, each caller gets
  its own result. One commit for many webhooks is what keeps the acknowledgement fast.
- `SqliteCheckpointer`: SQLite folds its write-ahead log back into the database file every 1,000
  pages, inside whichever commit crosses the line: a webhook would wait ~100 ms for it. We switch that
  off and fold the log in the background instead, once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, event

from app.db.locks import WouldBlock

__all__ = ["GroupCommit", "SqliteCheckpointer", "when_unlocked"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# A commit on the loop that finds the SQLite write lock taken tries again this often, this long.
INLINE_RETRY = 0.002
INLINE_PATIENCE = 0.1


async def when_unlocked(attempt: Callable[[], R], *, meanwhile: Callable[[], None] | None = None) -> R | None:
    """`attempt()` on the event loop as soon as it stops raising `WouldBlock` (it takes the SQLite
    write lock without waiting), trying every `INLINE_RETRY` for `INLINE_PATIENCE`; None if the lock
    stayed taken (the caller then waits for it in a thread). `meanwhile` runs between two tries.

    Why not a thread at once: a thread holding the lock must win the GIL back from the busy loop
    after every SQLite call, so it holds the one write lock of every process several times longer
    than the work needs, and every writer queues behind it. At 500 webhooks/s on SQLite the lock was
    taken all the time (the sender's result commits held it 7–25 ms for a millisecond of work) and
    replies fell seconds behind with a core to spare (`make bench-latency`).
    """
    deadline = time.monotonic() + INLINE_PATIENCE
    while True:
        with contextlib.suppress(WouldBlock):
            return attempt()
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(INLINE_RETRY)
        if meanwhile is not None:
            meanwhile()


class GroupCommit(Generic[T, R]):
    """Batch concurrent submissions into one call of `flush(items) -> results`, off the callers' path.

    While one batch is being committed the next one fills up, so under load each commit carries many
    items and at rest a single item is committed at once (no waiting for a timer).
    """

    def __init__(
        self,
        flush: Callable[[Sequence[T]], Sequence[R]],
        *,
        max_batch: int = 500,
        try_inline: Callable[[Sequence[T]], Sequence[R]] | None = None,
        async_flush: Callable[[Sequence[T]], Awaitable[Sequence[R]]] | None = None,
    ) -> None:
        self._flush = flush
        # async_flush: used instead of `flush` when given (a driver that talks to the database
        # without blocking the loop).
        self._async_flush = async_flush
        self._max_batch = max_batch
        # try_inline: a variant of `flush` to call on the event loop itself, raising `WouldBlock`
        # rather than waiting. For a local SQLite file a commit takes a millisecond or two there
        # (see `when_unlocked`); while another writer holds the lock the batch keeps growing, and
        # only a lock taken past `INLINE_PATIENCE` sends it to a thread.
        self._try_inline = try_inline
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Finish what was submitted, then stop."""
        if self._task is None:
            return
        if not self._task.done():
            await self._queue.join()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def submit(self, item: T) -> R:
        """The result `flush` gave for this item; raises what `flush` raised for its batch."""
        if self._task is None or self._task.done():
            raise RuntimeError("GroupCommit is not running")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        return await future

    def _fill(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        while len(batch) < self._max_batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            self._fill(batch)
            try:
                results = None
                if self._async_flush is not None:
                    results = await self._async_flush([item for item, _ in batch])
                elif self._try_inline is not None:
                    results = await when_unlocked(
                        partial(_call, self._try_inline, batch), meanwhile=partial(self._fill, batch)
                    )
                if results is None:
                    results = await asyncio.to_thread(self._flush, [item for item, _ in batch])
            except Exception as exc:  # every caller of the batch gets the error; the loop goes on
                log.warning("group commit of %d items failed: %s", len(batch), type(exc).__name__)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
            finally:
                for _, future in batch:
                    if not future.done():  # cancelled mid-commit: do not leave a caller waiting
                        future.cancel()
                    self._queue.task_done()


def _call(flush: Callable[[Sequence[T]], Sequence[R]], batch: list[tuple[T, Any]]) -> Sequence[R]:
    return flush([item for item, _ in batch])  # the batch as it is now (it grows while it waits)


class SqliteCheckpointer:
    """Background WAL checkpoints for a SQLite engine (does nothing on other databases)."""

    def __init__(self, db: Engine, *, interval: float = 1.0) -> None:
        self._db = db
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.enabled = db.dialect.name == "sqlite"
        if self.enabled:
            # Before the pool opens any connection: no commit checkpoints on the request path.
            event.listen(db, "connect", _no_autocheckpoint)

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._run(), name="sqlite-checkpoint")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def checkpoint(self) -> None:
        # PASSIVE never waits for readers or writers: webhooks keep committing meanwhile.
        with self._db.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await asyncio.shield(asyncio.to_thread(self.checkpoint))
            except Exception as exc:  # a busy database: the next round catches up
                log.debug("wal checkpoint skipped: %s", type(exc).__name__)


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
