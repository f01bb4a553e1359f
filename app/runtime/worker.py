"""The background runtime of one process: answering, delivery, the load gauge and the poller.

Two ways work arrives:
- the fast path: the inbox announces each webhook's newly recorded events, so a reply usually
  leaves within milliseconds of the acknowledgement;
- the poller: every `poll_interval` it looks in the database for work nobody is doing: events left
  pending (by a crash, a failed attempt, or another worker that died) and reply pieces whose next
  attempt is due (retries, or leases of a dead process that ran out). At start it takes every
  pending event at once: that is how the bot resumes after being killed.

Exactly-once bookkeeping is in the database (see `answering` and `delivery`), so any number of
processes can run this.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Mapping, Sequence

from sqlalchemy import Engine as Database
from sqlmodel import Session

from app.contracts.channel import Channel
from app.conversation.responder import Responder
from app.db import utcnow
from app.inbox.service import InboxRecorder, RecordedEvent, load_pending, stale_pending_ids
from app.ops.metrics import Metrics
from app.runtime.answering import Answering
from app.runtime.delivery import Delivery
from app.runtime.load import LoadGauge
from app.runtime.options import WorkerOptions
from app.runtime.pictures import Pictures
from app.runtime.sender import SenderCommand, SenderProcess

__all__ = ["Worker"]

log = logging.getLogger(__name__)


class Worker:
    """Starts and stops the parts, and keeps references to their background tasks."""

    def __init__(
        self,
        *,
        db: Database,
        engine: Responder,
        channels: Mapping[str, Channel],
        metrics: Metrics,
        options: WorkerOptions | None = None,
        inbox: InboxRecorder | None = None,
        pictures: Pictures | None = None,
        sender: SenderCommand | None = None,
    ) -> None:
        """`sender`: send replies from that child process (see `app.runtime.sender`)."""
        self._db = db
        self.options = options or WorkerOptions()
        self._inbox = inbox
        self.load = LoadGauge(
            lease_seconds=self.options.lease_seconds,
            max_concurrent_sends=self.options.max_concurrent_sends,
            most=self.options.max_backlog,
            waiting_acks=inbox.take_most_waiting if inbox is not None else lambda: 0,
        )
        local = Delivery(db=db, channels=channels, metrics=metrics, options=self.options, gauge=self.load)
        self.delivery: Delivery | SenderProcess = (
            local
            if sender is None
            else SenderProcess(command=sender, local=local, gauge=self.load, metrics=metrics)
        )
        self.answering = Answering(
            db=db,
            engine=engine,
            options=self.options,
            deliver=self.delivery.submit,
            lease_until=self.delivery.lease_until,
        )
        self._pictures = pictures
        self._reading: set[asyncio.Task[None]] = set()  # pictures being fetched and read
        self._reading_ids: set[int] = set()  # their events: not the poller's until answered
        self._incoming: asyncio.Queue[tuple[float, RecordedEvent] | None] = asyncio.Queue()
        self._answerer: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._running = False
        self._stopping = asyncio.Event()

    # --- lifecycle ---

    async def start(self) -> None:
        self._running = True
        await self.delivery.start()
        self._answerer = asyncio.create_task(self._answer_loop(), name="worker-answer")
        if self.options.run_poller:
            self._poller = asyncio.create_task(self._poll_loop(), name="worker-poll")
        if self._inbox is not None:
            self._inbox.add_listener(self.notify)

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in hand and the sends in flight (up to `timeout`), then stop.

        Events still queued in memory stay pending in the database: the next start answers them.
        """
        if not self._running:
            return
        self._running = False
        if self._inbox is not None:
            self._inbox.remove_listener(self.notify)
        self._stopping.set()
        for task in tuple(self._reading):  # their events stay pending: answered after a restart
            task.cancel()
        if self._reading:
            await asyncio.gather(*self._reading, return_exceptions=True)
        if self._poller is not None:  # it stops between two rounds (never inside a database call)
            await _finish(self._poller, timeout)
            self._poller = None
        if self._answerer is not None:
            self._incoming.put_nowait(None)  # the answerer finishes its batch, then stops
            await _finish(self._answerer, timeout)
            self._answerer = None
        await self.delivery.stop(timeout)

    def notify(self, events: Sequence[RecordedEvent]) -> None:
        """Events just recorded by a webhook of this process (the fast path)."""
        self.load.note_webhook()
        if self._running:
            now = time.monotonic()
            for event in events:
                if event.message.media and self._pictures is not None:
                    self._reading_ids.add(event.id)
                    task = asyncio.create_task(self._read_then_answer(event), name="worker-picture")
                    self._reading.add(task)
                    task.add_done_callback(self._reading.discard)
                else:
                    self._incoming.put_nowait((now, event))

    async def _read_then_answer(self, event: RecordedEvent) -> None:
        """Fetch and read the event's pictures now (their links expire), then answer it like text.

        Outside any transaction, beside the answering loop: a slow download delays only its own event.
        """
        assert self._pictures is not None
        try:
            try:
                message = await self._pictures.attach(event.message)
            except Exception:  # answered without the picture: the citizen is asked to type it
                log.exception("reading the pictures of event %d failed", event.id)
                message = event.message
            # Answered here rather than queued: until it is answered the poller must not take the
            # stored event (which has no picture) and answer it first.
            await self.answering.answer([RecordedEvent(event.id, message, event.attempts)])
        except Exception:  # the poller finds the event again
            log.exception("answering event %d failed", event.id)
        finally:
            self._reading_ids.discard(event.id)

    @property
    def in_flight(self) -> int:
        return self.delivery.in_flight

    # --- the fast path ---

    async def _answer_loop(self) -> None:
        """Answer what arrives in small batches, as it arrives, each batch's replies sent at once."""
        pending: deque[tuple[float, RecordedEvent]] = deque()
        while True:
            if not pending:
                item = await self._incoming.get()
                if item is None:
                    return
                pending.append(item)
            while not self._incoming.empty():
                item = self._incoming.get_nowait()
                if item is None:
                    return  # stopping: what is not answered stays pending in the database
                pending.append(item)
            flood = await self._make_way(pending[0][0])
            batch = [pending.popleft()[1] for _ in range(min(self.answering.batch_size, len(pending)))]
            started = time.monotonic()
            try:
                await self.answering.answer(batch)
            except Exception:  # never let the loop die; the poller finds the events again
                log.exception("answering %d events failed", len(batch))
            if flood:  # answers overdue during a flood: they get a quarter of the time
                await asyncio.sleep(3 * (time.monotonic() - started))

    async def _make_way(self, oldest: float) -> bool:
        """Wait while answering must give way; True when a flood of webhooks is still going on."""
        while not self._stopping.is_set():
            # Back-pressure: no more replies leased to this process than it can send within their
            # lease (a slow platform); meanwhile the events wait, pending in the database.
            if not self.load.room:
                await asyncio.sleep(0.01)
                continue
            # Acknowledgements queueing up: the platforms time them, so they go first, briefly.
            if self.load.acks_waiting() < self.options.acks_queueing:
                return False
            if time.monotonic() - oldest >= self.options.ack_first:
                return True
            await asyncio.sleep(0.01)
        return False

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
        # Only what can be sent within the lease is answered or claimed here (see LoadGauge.room).
        limit = min(self.options.batch_size, self.load.room)
        if limit <= 0:
            return False
        before = utcnow() - dt.timedelta(seconds=stale_after)
        events = await asyncio.to_thread(self._stale_events, before, limit)
        events = [event for event in events if event.id not in self._reading_ids]
        if events:
            log.info("resuming %d pending events", len(events))
            await self.answering.answer(events)
        claimed = await self.delivery.claim_due(min(limit, self.load.room))
        return len(events) >= limit or claimed >= limit

    def _stale_events(self, before: dt.datetime, limit: int) -> list[RecordedEvent]:
        with Session(self._db) as session:
            ids = stale_pending_ids(session, before=before, limit=limit)
            return load_pending(session, ids) if ids else []


async def _finish(task: asyncio.Task[None], timeout: float) -> None:
    _, late = await asyncio.wait({task}, timeout=timeout)
    for pending in late:
        pending.cancel()
    await asyncio.gather(task, return_exceptions=True)
