"""How many events one answering transaction takes: few on SQLite (the batch holds the one write
lock every acknowledgement needs), more on PostgreSQL (more events share the batch's statements)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.contracts import IncomingMessage
from app.conversation.responder import Responder
from app.inbox.service import RecordedEvent, record_batches
from app.outbox.service import OUTBOX, OutboxItem
from app.runtime import WorkerOptions
from app.runtime.answering import Answering


def test_each_dialect_has_its_batch_size():
    options = WorkerOptions(answer_batch=16, answer_batch_postgresql=48)
    assert options.answer_batch_for("sqlite") == 16
    assert options.answer_batch_for("postgresql") == 48
    assert WorkerOptions(answer_batch=0).answer_batch_for("sqlite") == 1


async def test_forty_events_take_three_transactions_on_sqlite_and_one_on_postgresql(
    db_engine: Engine, bot_engine: Responder, monkeypatch: pytest.MonkeyPatch
):
    messages = [
        IncomingMessage(
            channel="messenger",
            channel_id="page-1",
            user_id=f"650000000000{n:04d}",
            message_id=f"m-batch-{n}",
            text="có người gọi xưng công an bắt chuyển tiền",
            received_at=dt.datetime.now(dt.UTC),
        )
        for n in range(40)
    ]
    ids = record_batches(db_engine, [messages])[0]
    events = [RecordedEvent(i, m) for i, m in zip(ids, messages, strict=True) if i is not None]
    sizes: list[int] = []
    original = Answering._answer_batch

    def recording(self: Answering, batch: Sequence[RecordedEvent], *args: object, **kwargs: object) -> object:
        sizes.append(len(batch))
        return original(self, batch, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Answering, "_answer_batch", recording)
    delivered: list[list[OutboxItem]] = []
    answering = Answering(
        db=db_engine,
        engine=bot_engine,
        options=WorkerOptions(answer_batch=16, answer_batch_postgresql=48),
        deliver=delivered.extend,
        lease_until=lambda now: now + dt.timedelta(seconds=60),
    )
    await answering.answer(events)
    assert sizes == ([16, 16, 8] if db_engine.dialect.name == "sqlite" else [40])
    assert sorted(group[0].event_id for group in delivered) == sorted(ids)
    with Session(db_engine) as session:
        answered = session.execute(select(func.count(func.distinct(OUTBOX.c.event_id)))).scalar_one()
    assert answered == 40
