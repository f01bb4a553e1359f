"""Delivery: reply pieces from the outbox to the platforms, in each person's order, exactly once.

- Order: one task per event's pieces, chained after the previous task for the same person; pieces of
  different people go out concurrently, up to `max_concurrent_sends` platform calls at once.
- Exactly once: a piece is sent only by the holder of its lease. The lease taken when a piece is
  written or claimed only has to last until a send slot is free. Right when the slot is acquired,
  before sending, the holder checks it: with more than half its length left it covers the send;
  otherwise it is renewed with a compare-and-set on its token (`outbox.renew`), and a piece whose
  lease ran out while it waited and was claimed again (by this process's poller or another process)
  fails that check and is left to its new holder. Renewals and results of concurrent sends share
  one transaction each (group commits).
- The retry policy lives here: which errors are worth another attempt, and when.
A crash between a successful send and its "sent" mark can repeat that one piece after the lease
runs out: the platforms offer no idempotency key, so at-least-once is the honest guarantee there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial

from sqlalchemy import Engine as Database

from app.contracts.channel import Channel, ChannelError, ChannelNotConfigured, ChannelTemporaryError
from app.db import GroupCommit, as_utc, utcnow, write_connection
from app.ops.metrics import Metrics
from app.outbox.service import OutboxItem, SendResult, apply_results, claim_due, renew
from app.runtime.load import LoadGauge
from app.runtime.options import WorkerOptions

__all__ = ["Delivery", "backoff_delay", "is_transient"]

log = logging.getLogger(__name__)


def is_transient(error: BaseException) -> bool:
    """Whether a failed send may succeed later. Unknown errors count as transient (bounded retries)."""
    if isinstance(error, ChannelError):
        return isinstance(error, ChannelTemporaryError)
    return True


def backoff_delay(attempts: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before attempt `attempts + 1`: exponential, capped, with jitter in [50 %, 100 %]."""
    ceiling = min(cap, base * 2.0 ** max(0, attempts - 1))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


class Delivery:
    """Sends leased reply pieces and records what became of them."""

    def __init__(
        self,
        *,
        db: Database,
        channels: Mapping[str, Channel],
        metrics: Metrics,
        options: WorkerOptions,
        gauge: LoadGauge,
        on_done: Callable[[Sequence[OutboxItem], Sequence[SendResult]], None] | None = None,
    ) -> None:
        # on_done: told when an event's pieces are through (sent, rescheduled or failed, and
        # recorded) or left to another holder, with what became of each attempted piece.
        self._db = db
        self._channels = channels
        self._metrics = metrics
        self.options = options
        self._gauge = gauge
        self._send_slots = asyncio.Semaphore(options.max_concurrent_sends)
        sqlite = db.dialect.name == "sqlite"
        self._renewals: GroupCommit[OutboxItem, OutboxItem | None] = GroupCommit(
            self._renew_sync, try_inline=partial(self._renew_sync, wait=False) if sqlite else None
        )
        self._results: GroupCommit[Sequence[SendResult], None] = GroupCommit(
            self._store_results, try_inline=partial(self._store_results, wait=False) if sqlite else None
        )
        self._tasks: set[asyncio.Task[None]] = set()  # sends in flight (strong references)
        self._tails: dict[tuple[str, str], asyncio.Task[None]] = {}  # last task per person: keeps order
        self._on_done = on_done

    def lease_until(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self.options.lease_seconds)

    async def start(self) -> None:
        self._renewals.start()
        self._results.start()

    async def stop(self, timeout: float) -> None:
        """Let the sends in flight finish (up to `timeout`); unsent pieces keep their lease."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._renewals.stop()
        await self._results.stop()

    @property
    def in_flight(self) -> int:
        """Events whose pieces are waiting or being sent."""
        return len(self._tasks)

    def submit(self, groups: Sequence[Sequence[OutboxItem]], *, recheck: bool = False) -> None:
        """Send each event's pieces (leased to this process) after the same person's earlier ones.

        `recheck`: renew every lease right before its send, however fresh (pieces taken back from a
        holder that died: it may have sent and recorded some, and the renewal then fails).
        """
        for items in groups:
            if items:
                self._spawn(list(items), recheck)

    async def claim(self, limit: int) -> list[list[OutboxItem]]:
        """Lease pieces whose time has come (retries, a dead holder's), grouped by event."""
        if limit <= 0:
            return []
        return await asyncio.to_thread(self._claim_sync, limit)

    async def claim_due(self, limit: int) -> int:
        """Lease pieces whose time has come and send them; how many."""
        groups = await self.claim(limit)
        self.submit(groups)
        return sum(len(items) for items in groups)

    def _claim_sync(self, limit: int) -> list[list[OutboxItem]]:
        now = utcnow()
        with write_connection(self._db) as connection:
            groups = claim_due(connection, now=now, lease_until=self.lease_until(now), limit=limit)
            connection.commit()
        return groups

    # --- one person's order ---

    def _spawn(self, items: list[OutboxItem], recheck: bool = False) -> None:
        key = (items[0].channel, items[0].user_id)
        previous = self._tails.get(key)
        task = asyncio.create_task(self._send_after(previous, items, recheck))
        self._tails[key] = task
        self._tasks.add(task)
        self._gauge.pieces_in_hand += len(items)
        task.add_done_callback(partial(self._forget, key, len(items)))

    def _forget(self, key: tuple[str, str], count: int, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._gauge.pieces_in_hand -= count
        if self._tails.get(key) is task:
            del self._tails[key]

    async def _send_after(
        self, previous: asyncio.Task[None] | None, items: list[OutboxItem], recheck: bool
    ) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        results = await self._send_event(items, recheck)
        if results:
            try:
                await self._results.submit(results)
            except Exception:
                # The pieces keep their lease; once it runs out the poller sends them again.
                log.error("could not store the outcome of %d reply pieces", len(results))
        if self._on_done is not None:
            self._on_done(items, results)

    async def _send_event(self, items: Sequence[OutboxItem], recheck: bool = False) -> list[SendResult]:
        results: list[SendResult] = []
        for index, item in enumerate(items):
            async with self._send_slots:
                held = item if not recheck and self._fresh(item) else await self._renew(item)
                if held is None:
                    if recheck:
                        # Taken back from a dead holder: this one it had sent; the rest may not be.
                        # (Taken over by anyone else they cannot be: their leases run out together.)
                        continue
                    # Taken over (or final) while it waited: its new holder sends it and those after it.
                    break
                result = await self._send_one(held)
            results.append(result)
            if result.outcome == "retry":  # later pieces wait for this one, to keep the order
                results.extend(
                    SendResult(
                        later.id,
                        "hold",
                        later.attempts,
                        next_attempt_at=result.next_attempt_at,
                        lease=later.lease,
                    )
                    for later in items[index + 1 :]
                )
                break
        return results

    def _fresh(self, item: OutboxItem) -> bool:
        """Whether the lease still has more than half its length to run: plenty for one send (the
        HTTP timeout is 10 s), and nobody can have taken it over. Only older leases are renewed."""
        left = (as_utc(item.lease) - utcnow()).total_seconds()
        return left > self.options.lease_seconds / 2

    async def _renew(self, item: OutboxItem) -> OutboxItem | None:
        try:
            return await self._renewals.submit(item)
        except Exception:
            log.warning("could not renew the lease of reply %d; its next holder sends it", item.id)
            return None

    async def _send_one(self, item: OutboxItem) -> SendResult:
        attempts = item.attempts + 1
        channel = self._channels.get(item.channel)
        try:
            if channel is None:
                raise ChannelNotConfigured(f"unknown channel {item.channel}")
            started = time.monotonic()
            try:
                platform_id = await channel.send(
                    channel_id=item.channel_id, user_id=item.user_id, reply=item.reply
                )
            finally:  # the pace the platform answers at: how much this process may lease
                self._gauge.note_send(time.monotonic() - started)
        except Exception as exc:
            return self._classify(item, attempts, exc)
        self._metrics.replies_sent.labels(item.channel).inc()
        return SendResult(item.id, "sent", attempts, platform_message_id=platform_id)

    def _classify(self, item: OutboxItem, attempts: int, exc: Exception) -> SendResult:
        """Retry later (with backoff, or when the platform says) or fail for good."""
        if not isinstance(exc, ChannelError):
            log.error("unexpected error sending reply %d", item.id, exc_info=exc)
            error = type(exc).__name__
        else:
            error = f"{type(exc).__name__}: {exc}"[:500]
        if is_transient(exc) and attempts < self.options.max_attempts:
            delay = backoff_delay(attempts, base=self.options.backoff_base, cap=self.options.backoff_cap)
            if isinstance(exc, ChannelTemporaryError) and exc.retry_after:
                delay = max(delay, min(exc.retry_after, self.options.backoff_cap))
            self._metrics.replies_retried.labels(item.channel).inc()
            log.warning(
                "%s reply %d, attempt %d failed (%s); next in %.1f s",
                item.channel,
                item.id,
                attempts,
                error,
                delay,
            )
            return SendResult(item.id, "retry", attempts, utcnow() + dt.timedelta(seconds=delay), error)
        self._metrics.replies_failed.labels(item.channel).inc()
        log.error("%s reply %d failed for good after %d attempts: %s", item.channel, item.id, attempts, error)
        return SendResult(item.id, "failed", attempts, error=error)

    # --- the database ---

    def _renew_sync(self, items: Sequence[OutboxItem], *, wait: bool = True) -> list[OutboxItem | None]:
        with write_connection(self._db, wait=wait) as connection:
            held = renew(connection, items, lease_until=self.lease_until(utcnow()))
            connection.commit()
        return held

    def _store_results(self, batches: Sequence[Sequence[SendResult]], *, wait: bool = True) -> list[None]:
        with write_connection(self._db, wait=wait) as connection:
            apply_results(connection, [result for batch in batches for result in batch])
            connection.commit()
        return [None] * len(batches)
