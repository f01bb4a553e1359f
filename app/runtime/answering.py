"""Answering: recorded inbox events → the conversation engine → the outbox.

Events are answered in small batches, each one transaction: the replies are written, leased to this
process, and handed to delivery as soon as their batch commits. An event is answered by whoever flips
it pending → done first (compare-and-set, in the same transaction as its replies and anything the
engine wrote); a loser rolls back and discards its answer.

The costly part of answering, analysing the text, happens before the transaction opens
(`Responder.prepare`): on SQLite the transaction holds the one write lock, which every
webhook's acknowledgement also needs, so there it runs on the event loop (see `when_unlocked`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy import Engine as Database
from sqlalchemy.exc import DataError, SQLAlchemyError
from sqlmodel import Session

from app.contracts import Reply
from app.conversation.responder import Prepared, Responder
from app.db import transaction, utcnow, write_behind
from app.db.batching import when_unlocked
from app.inbox.service import RecordedEvent, complete, note_failure
from app.outbox.service import OutboxItem, enqueue
from app.provinces import Province
from app.replies.composer import MAIN_ACTIONS, hotline_line
from app.runtime.options import WorkerOptions

__all__ = ["Answering", "apology"]

log = logging.getLogger(__name__)

Groups = list[list[OutboxItem]]


def apology(province: Province) -> list[Reply]:
    """What the citizen gets when answering failed: never silence, always the hotline."""
    text = (
        "Xin lỗi, hệ thống đang gặp sự cố nên chưa trả lời được tin nhắn của bạn. "
        "Bạn thử gửi lại sau ít phút nhé. Nếu cần gấp, hãy gọi đường dây nóng.\n\n" + hotline_line(province)
    )
    return [Reply(text, MAIN_ACTIONS)]


def _batch_failed(size: int) -> None:
    log.warning("answering a batch of %d events failed; answering them one by one", size, exc_info=True)


class Answering:
    """Turns events into leased reply pieces; `deliver` receives them batch by batch."""

    def __init__(
        self,
        *,
        db: Database,
        engine: Responder,
        options: WorkerOptions,
        deliver: Callable[[Groups], None],
        lease_until: Callable[[dt.datetime], dt.datetime],
    ) -> None:
        self._db = db
        self._engine = engine
        self.options = options
        self._deliver = deliver
        self._lease_until = lease_until
        self.batch_size = options.answer_batch_for(db.dialect.name)  # events per transaction

    async def answer(self, events: Sequence[RecordedEvent]) -> None:
        """Answer `events`, handing each batch's replies to delivery as it commits.

        On SQLite each batch's transaction runs on the event loop as soon as the write lock is free
        (`when_unlocked`: in a thread it would hold the lock several times longer), after its
        analysis in a thread. Elsewhere the whole of it runs in a thread.
        """
        if not events:
            return
        if self._db.dialect.name == "sqlite":
            await self._answer_on_loop(list(events))
            return
        loop = asyncio.get_running_loop()

        def handed(groups: Groups) -> None:
            if groups:
                loop.call_soon_threadsafe(self._deliver, groups)

        await asyncio.to_thread(self._answer_sync, list(events), handed)

    def _chunks(self, events: list[RecordedEvent]) -> list[list[RecordedEvent]]:
        size = self.batch_size
        return [events[start : start + size] for start in range(0, len(events), size)]

    def _answer_sync(self, events: list[RecordedEvent], handed: Callable[[Groups], None]) -> None:
        for chunk in self._chunks(events):
            handed(self._answer_chunk(chunk, self._prepare_all(chunk)))

    async def _answer_on_loop(self, events: list[RecordedEvent]) -> None:
        for chunk in self._chunks(events):
            # Analysis in a thread: a long message must not hold up the acknowledgements.
            prepared = await asyncio.to_thread(self._prepare_all, chunk)
            try:
                groups = await when_unlocked(partial(self._answer_batch, chunk, prepared, wait=False))
            except Exception:
                _batch_failed(len(chunk))
                groups = await asyncio.to_thread(self._answer_each, chunk, prepared)
            if groups is None:  # the lock stayed taken: wait for it in a thread
                groups = await asyncio.to_thread(self._answer_chunk, chunk, prepared)
            if groups:
                self._deliver(groups)

    def _province(self, event: RecordedEvent) -> Province:
        return self._engine.provinces.for_channel(event.message.channel, event.message.channel_id)

    def _prepare(self, event: RecordedEvent) -> Prepared | None:
        try:
            return self._engine.prepare(event.message)
        except Exception:  # answered without: the failure shows again inside, where it gets the apology
            return None

    def _prepare_all(self, events: Sequence[RecordedEvent]) -> dict[int, Prepared | None]:
        return {event.id: self._prepare(event) for event in events}  # outside any lock

    def _answer_chunk(self, events: Sequence[RecordedEvent], prepared: dict[int, Prepared | None]) -> Groups:
        """Answer events in one transaction; on any trouble, one transaction per event."""
        try:
            return self._answer_batch(events, prepared)
        except Exception:
            _batch_failed(len(events))
        return self._answer_each(events, prepared)

    def _answer_each(self, events: Sequence[RecordedEvent], prepared: dict[int, Prepared | None]) -> Groups:
        out: Groups = []
        for event in events:
            out.extend(self._answer_one(event, prepared.get(event.id)))
        return out

    def _handle(self, event: RecordedEvent, session: Session, prepared: Prepared | None) -> list[Reply]:
        return self._engine.handle(
            event.message, province=self._province(event), session=session, prepared=prepared
        )

    def _answer_batch(
        self, events: Sequence[RecordedEvent], prepared: dict[int, Prepared | None], *, wait: bool = True
    ) -> Groups:
        """`wait=False`: raise `WouldBlock` at once if another writer holds the SQLite lock."""
        while events:
            now = utcnow()
            with transaction(self._db, wait=wait) as session:
                self._engine.prefetch(session, [event.message for event in events])
                answered = [(event, self._handle(event, session, prepared[event.id])) for event in events]
                won = complete(session, [event.id for event in events], now=now)
                if len(won) != len(events):  # some were answered elsewhere: redo without them
                    session.rollback()
                    events = [event for event in events if event.id in won]
                    continue
                items = enqueue(session, answered, now=now, lease_until=self._lease_until(now))
                session.commit()
            return items
        return []

    def _answer_one(self, event: RecordedEvent, prepared: Prepared | None) -> Groups:
        now = utcnow()
        try:
            with transaction(self._db) as session:
                try:
                    replies = self._handle(event, session, prepared)
                    write_behind(session)  # a value refused at commit would miss the apology below
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
                items = enqueue(session, [(event, replies)], now=now, lease_until=self._lease_until(now))
                session.commit()
                return items
        except Exception as exc:  # database trouble: count the attempt, the poller comes back to it
            log.warning("event %d could not be answered: %s", event.id, type(exc).__name__)
            try:
                with transaction(self._db) as session:
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
