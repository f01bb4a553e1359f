"""The web chat's rate limits, counted across every worker process.

Each process first counts in its own memory (`RateLimiter`): a client already over the limit there
is refused without touching the database (a flood costs no writes). Otherwise the request is counted
in the database, where every worker's requests add up. If the database cannot count (an outage),
the process's own count decides; such a request then meets the answering's 503 anyway.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db import write_connection
from app.http.security import RateLimiter
from app.ratelimits.service import count, purge_before

__all__ = ["SharedRateLimiter"]


class SharedRateLimiter:
    """At most `per_minute` requests per key in each minute of the clock, whichever worker took them
    (0 turns the limit off)."""

    def __init__(self, per_minute: int, db: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self.per_minute = per_minute
        self._db = db
        self._clock = clock  # the wall clock: the minutes must be the same in every process
        self._local = RateLimiter(per_minute, clock=clock)
        self._purged = -1

    async def allow(self, *keys: str) -> bool:
        """Count one request for each key (stopping at the first over the limit); False when over."""
        if self.per_minute <= 0:
            return True
        for key in keys:
            if not self._local.hit(key):
                return False
        minute = int(self._clock() // 60)
        try:
            counts = await asyncio.to_thread(self._count, keys, minute)
        except SQLAlchemyError:
            return True
        return all(hits <= self.per_minute for hits in counts)

    def _count(self, keys: Sequence[str], minute: int) -> list[int]:
        with write_connection(self._db) as connection:
            counts = count(connection, keys, minute=minute)
            if minute != self._purged:  # once a minute per process: earlier minutes are done with
                purge_before(connection, minute=minute - 1)
                self._purged = minute
            connection.commit()
        return counts
