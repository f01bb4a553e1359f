"""Background processing: recorded events → the engine → the outbox → the platforms.

Two ways work arrives:
- the fast path: a webhook that recorded new events hands them over in memory (`notify`), so a
  reply usually leaves within milliseconds of the acknowledgement;
- the poller: every `poll_interval` it looks in the database for work nobody is doing: events left
  pending (by a crash, a failed attempt, or another worker that died) and reply pieces whose next
  attempt is due (retries, or leases of a dead process that ran out). At start it takes every
  pending event at once: that is how the bot resumes after being killed.

Exactly-once bookkeeping is in the database, so any number of processes can run this:
- an event is answered by whoever flips it pending → done first (compare-and-set, in the same
  transaction as its replies and anything the engine wrote); a loser rolls back;
- a reply piece is sent by whoever holds its lease (`next_attempt_at` in the future).
A crash between a successful send and its "sent" mark can repeat that one piece after the lease
runs out: the platforms offer no idempotency key, so at-least-once is the honest guarantee there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine as Database
from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlmodel import Session

from app.contracts import Reply
from app.contracts.channel import Channel, ChannelError, ChannelNotConfigured, ChannelTemporaryError
from app.conversation.responder import Responder
from app.db import GroupCommit, utcnow, write_lock
from app.inbox.service import RecordedEvent, complete, load_pending, note_failure, stale_pending_ids
from app.ops.metrics import Metrics
from app.outbox.service import (
    OutboxItem,
    SendResult,
    apply_results,
    backoff_delay,
    claim_due,
    enqueue,
    is_transient,
)
from app.provinces import Province
from app.replies.composer import MAIN_ACTIONS, hotline_line

__all__ = ["Worker", "WorkerOptions", "apology"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """Timing and bounds of the background work (tests shorten the delays)."""

    poll_interval: float = 1.0  # seconds between two looks for left-behind work
    stale_after: float = 10.0  # a pending event this old is nobody's fast path any more
    lease_seconds: float = 60.0  # how long one send attempt may hold its reply pieces
    max_attempts: int = 8  # sends of one piece before it is marked failed
    backoff_base: float = 2.0  # first retry after 1-2 s, then doubling...
    backoff_cap: float = 600.0  # ...up to 5-10 min
    max_concurrent_sends: int = 8  # platform calls in flight at once (per process)
    # Above this many webhooks a second, acknowledging comes first: replies go out one at a time
    # and events are answered in larger, less frequent batches until the burst is over.
    busy_rate: float = 100.0
    busy_concurrency: int = 4  # ...or this many webhook calls being handled at once
    busy_sends: int = 1
    burst_defer: float = 5.0  # ...but no event waits longer than this for its answer
    max_process_attempts: int = 5  # database failures while answering one event before it is failed
    batch_size: int = 200
    sqlite_batch: int = 16  # events per transaction on SQLite (the write lock is held meanwhile)
    run_poller: bool = True


def apology(province: Province) -> list[Reply]:
    """What the citizen gets when answering failed: never silence, always the hotline."""
    text = (
        "Xin lỗi, hệ thống đang gặp sự cố nên chưa trả lời được tin nhắn của bạn. "
        "Bạn thử gửi lại sau ít phút nhé. Nếu cần gấp, hãy gọi đường dây nóng.\n\n" + hotline_line(province)
    )
    return [Reply(text, MAIN_ACTIONS)]


class Worker:
    """Answers recorded events and delivers the replies, in this process."""

    def __init__(
        self,
        *,
        db: Database,
        engine: Responder,
        channels: Mapping[str, Channel],
        metrics: Metrics,
        options: WorkerOptions | None = None,
    ) -> None:
        self._db = db
        self._engine = engine
        self._channels = channels
        self._metrics = metrics
        self.options = options or WorkerOptions()
        self._incoming: asyncio.Queue[tuple[float, RecordedEvent] | None] = asyncio.Queue()
        self._send_slots = asyncio.Semaphore(self.options.max_concurrent_sends)
        self._busy_slots = asyncio.Semaphore(self.options.busy_sends)
        self._window_start = time.monotonic()
        self._window_count = 0
        self._rate = 0.0  # webhooks per second, measured over the last tenth of a second
        self._last_arrival = 0.0
        self._webhooks_open = 0  # webhook calls being handled right now
        self._results: GroupCommit[Sequence[SendResult], None] = GroupCommit(self._store_results)
        self._processor: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # sends in flight (strong references)
        self._tails: dict[tuple[str, str], asyncio.Task[None]] = {}  # last send per person: keeps order
        self._running = False
        self._stopping = asyncio.Event()

    # --- lifecycle ---

    async def start(self) -> None:
        self._running = True
        self._results.start()
        self._processor = asyncio.create_task(self._process_loop(), name="worker-process")
        if self.options.run_poller:
            self._poller = asyncio.create_task(self._poll_loop(), name="worker-poll")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in hand and the sends in flight (up to `timeout`), then stop.

        Events still queued in memory stay pending in the database: the next start answers them.
        """
        if not self._running:
            return
        self._running = False
        self._stopping.set()
        if self._poller is not None:  # it stops between two rounds (never inside a database call)
            _, late = await asyncio.wait({self._poller}, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        if self._processor is not None:
            self._incoming.put_nowait(None)  # the processor finishes its batch, then stops
            _, late = await asyncio.wait({self._processor}, timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(self._processor, return_exceptions=True)
            self._processor = None
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._results.stop()

    def notify(self, events: Sequence[RecordedEvent]) -> None:
        """Events just recorded by a webhook of this process (the fast path)."""
        if self._running:
            now = time.monotonic()
            for event in events:
                self._incoming.put_nowait((now, event))

    @contextlib.contextmanager
    def webhook(self) -> Iterator[None]:
        """Wrap the handling of an authenticated webhook call: the load acknowledgements must keep up with."""
        self._webhooks_open += 1
        self.note_webhook()
        try:
            yield
        finally:
            self._webhooks_open -= 1

    def note_webhook(self) -> None:
        now = time.monotonic()
        elapsed = now - self._window_start
        if elapsed >= 0.1:
            self._rate = self._window_count / elapsed
            self._window_start, self._window_count = now, 0
        self._window_count += 1
        self._last_arrival = now

    @property
    def under_pressure(self) -> bool:
        """A burst of webhooks is arriving: their acknowledgements get the CPU first."""
        if self._webhooks_open >= self.options.busy_concurrency:  # a burst shows at once as concurrency
            return True
        return self._rate >= self.options.busy_rate and time.monotonic() - self._last_arrival < 0.5

    @contextlib.asynccontextmanager
    async def _burst_gate(self) -> AsyncIterator[None]:
        """During a burst, one send at a time (`busy_sends`); otherwise no extra limit."""
        if not self.under_pressure:
            yield
            return
        async with self._busy_slots:
            yield

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    # --- answering events ---

    async def _process_loop(self) -> None:
        pending: deque[tuple[float, RecordedEvent]] = deque()
        stopping = False
        chunk = self.options.sqlite_batch if self._db.dialect.name == "sqlite" else self.options.batch_size
        while not (stopping and not pending):
            if not pending and not stopping:
                item = await self._incoming.get()
                if item is None:
                    return
                pending.append(item)
            while not self._incoming.empty():
                item = self._incoming.get_nowait()
                if item is None:
                    stopping = True  # finish the chunk in hand; the rest stays pending in the database
                    break
                pending.append(item)
            if stopping:
                return
            # While a burst is being acknowledged, its answers wait (up to `burst_defer` seconds):
            # the CPU and the database go to the acknowledgements the platforms time.
            if self.under_pressure and time.monotonic() - pending[0][0] < self.options.burst_defer:
                await asyncio.sleep(0.05)
                continue
            # Back-pressure: do not lease more replies than can be sent within their lease.
            if self.in_flight > 4 * self.options.max_concurrent_sends:
                await asyncio.sleep(0.01)
                continue
            batch = [pending.popleft()[1] for _ in range(min(chunk, len(pending)))]
            try:
                await self._process(batch)
            except Exception:  # never let the loop die; the poller finds the events again
                log.exception("processing %d events failed", len(batch))

    async def _process(self, events: Sequence[RecordedEvent]) -> None:
        groups = await asyncio.to_thread(self._process_sync, events)
        for items in groups:
            if items:
                self._spawn_send(items)

    def _province(self, event: RecordedEvent) -> Province:
        return self._engine.provinces.for_channel(event.message.channel, event.message.channel_id)

    def _answer(self, event: RecordedEvent, session: Session) -> list[Reply]:
        return self._engine.handle(event.message, province=self._province(event), session=session)

    def _process_sync(self, events: Sequence[RecordedEvent]) -> list[list[OutboxItem]]:
        # SQLite: short transactions, so that a webhook never waits long for the write lock.
        size = self.options.sqlite_batch if self._db.dialect.name == "sqlite" else max(1, len(events))
        out: list[list[OutboxItem]] = []
        for start in range(0, len(events), size):
            out.extend(self._process_chunk(events[start : start + size]))
        return out

    def _process_chunk(self, events: Sequence[RecordedEvent]) -> list[list[OutboxItem]]:
        """Answer events in one transaction; on any trouble, one transaction per event."""
        try:
            return self._process_batch(events)
        except Exception:
            log.warning(
                "answering a batch of %d events failed; answering them one by one", len(events), exc_info=True
            )
        out: list[list[OutboxItem]] = []
        for event in events:
            out.extend(self._process_one(event))
        return out

    def _lease(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(seconds=self.options.lease_seconds)

    def _process_batch(self, events: Sequence[RecordedEvent]) -> list[list[OutboxItem]]:
        while events:
            now = utcnow()
            with write_lock(self._db), Session(self._db, expire_on_commit=False) as session:
                answered = [(event, self._answer(event, session)) for event in events]
                won = complete(session, [event.id for event in events], now=now)
                if len(won) != len(events):  # some were answered elsewhere: redo without them
                    session.rollback()
                    events = [event for event in events if event.id in won]
                    continue
                items = enqueue(session, answered, now=now, lease_until=self._lease(now))
                session.commit()
            return items
        return []

    def _process_one(self, event: RecordedEvent) -> list[list[OutboxItem]]:
        now = utcnow()
        try:
            with write_lock(self._db), Session(self._db, expire_on_commit=False) as session:
                try:
                    replies = self._answer(event, session)
                except DataError:
                    # A value the database refuses (too long, out of range): trying again cannot
                    # help. The citizen gets the apology with the hotline instead of silence.
                    log.warning("the database refused a value while answering event %d", event.id)
                    session.rollback()
                    replies = apology(self._province(event))
                except SQLAlchemyError:
                    raise
                except Exception:  # a bug on some input: apologise with the hotline, do not stay silent
                    log.exception("the engine failed on event %d", event.id)
                    session.rollback()
                    replies = apology(self._province(event))
                if not complete(session, [event.id], now=now):
                    session.rollback()
                    return []
                items = enqueue(session, [(event, replies)], now=now, lease_until=self._lease(now))
                session.commit()
                return items
        except Exception as exc:  # database trouble: count the attempt, the poller comes back to it
            log.warning("event %d could not be answered: %s", event.id, type(exc).__name__)
            try:
                with write_lock(self._db), Session(self._db) as session:
                    note_failure(
                        session,
                        event.id,
                        error=type(exc).__name__,
                        max_attempts=self.options.max_process_attempts,
                    )
                    session.commit()
            except Exception:
                log.warning("could not count the failed attempt of event %d", event.id)
            return []

    # --- sending ---

    def _spawn_send(self, items: list[OutboxItem]) -> None:
        """Send one event's pieces in order, after anything still being sent to the same person."""
        key = (items[0].channel, items[0].user_id)
        previous = self._tails.get(key)
        task = asyncio.create_task(self._send_after(previous, items))
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(partial(self._forget, key))

    def _forget(self, key: tuple[str, str], task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]

    async def _send_after(self, previous: asyncio.Task[None] | None, items: list[OutboxItem]) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        results = await self._send_event(items)
        try:
            await self._results.submit(results)
        except Exception:
            # The pieces keep their lease; once it runs out the poller sends them again.
            log.error("could not store the outcome of %d reply pieces", len(results))

    async def _send_event(self, items: Sequence[OutboxItem]) -> list[SendResult]:
        results: list[SendResult] = []
        for index, item in enumerate(items):
            result = await self._send_one(item)
            results.append(result)
            if result.outcome == "retry":  # later pieces wait for this one, to keep the order
                results.extend(
                    SendResult(later.id, "hold", later.attempts, next_attempt_at=result.next_attempt_at)
                    for later in items[index + 1 :]
                )
                break
        return results

    async def _send_one(self, item: OutboxItem) -> SendResult:
        attempts = item.attempts + 1
        channel = self._channels.get(item.channel)
        try:
            if channel is None:
                raise ChannelNotConfigured(f"unknown channel {item.channel}")
            async with self._send_slots, self._burst_gate():
                platform_id = await channel.send(
                    channel_id=item.channel_id, user_id=item.user_id, reply=item.reply
                )
        except Exception as exc:
            if not isinstance(exc, ChannelError):
                log.exception("unexpected error sending reply %d", item.id)
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
            log.error(
                "%s reply %d failed for good after %d attempts: %s", item.channel, item.id, attempts, error
            )
            return SendResult(item.id, "failed", attempts, error=error)
        self._metrics.replies_sent.labels(item.channel).inc()
        return SendResult(item.id, "sent", attempts, platform_message_id=platform_id)

    def _store_results(self, batches: Sequence[Sequence[SendResult]]) -> list[None]:
        with write_lock(self._db), Session(self._db) as session:
            apply_results(session, [result for batch in batches for result in batch])
            session.commit()
        return [None] * len(batches)

    # --- the poller ---

    async def _poll_loop(self) -> None:
        stale_after = 0.0  # first pass: everything pending was left by the previous run
        while not self._stopping.is_set():
            try:
                busy = await self._poll_once(stale_after)
            except Exception:
                log.exception("looking for left-behind work failed")
                busy = False
            stale_after = self.options.stale_after
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.options.poll_interval)
            else:
                await asyncio.sleep(0)

    async def _poll_once(self, stale_after: float) -> bool:
        """Pick up left-behind events and due reply pieces; True when there may be more."""
        limit = self.options.batch_size
        before = utcnow() - dt.timedelta(seconds=stale_after)
        events = await asyncio.to_thread(self._stale_events, before, limit)
        if events:
            log.info("resuming %d pending events", len(events))
            await self._process(events)
        if self.in_flight > 2 * self.options.max_concurrent_sends:
            return bool(events)
        groups = await asyncio.to_thread(self._claim_due, limit)
        for items in groups:
            self._spawn_send(items)
        claimed = sum(len(items) for items in groups)
        return len(events) >= limit or claimed >= limit

    def _stale_events(self, before: dt.datetime, limit: int) -> list[RecordedEvent]:
        with Session(self._db) as session:
            ids = stale_pending_ids(session, before=before, limit=limit)
            return load_pending(session, ids) if ids else []

    def _claim_due(self, limit: int) -> list[list[OutboxItem]]:
        now = utcnow()
        with write_lock(self._db), Session(self._db) as session:
            groups = claim_due(session, now=now, lease_until=self._lease(now), limit=limit)
            session.commit()
        return groups
