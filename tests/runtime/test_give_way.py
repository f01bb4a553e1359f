"""Answering gives way to acknowledgements only in a flood, not under a steady stream."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Engine

from app.conversation.responder import Responder
from app.inbox.service import InboxRecorder
from app.ops.metrics import Metrics
from app.runtime import Worker, WorkerOptions


def _worker(db: Engine, waiting: list[int], options: WorkerOptions) -> Worker:
    inbox: Any = SimpleNamespace(take_most_waiting=lambda: waiting[0])
    return Worker(
        db=db,
        engine=cast(Responder, None),  # never answers here
        channels={},
        metrics=Metrics(),
        options=options,
        inbox=cast(InboxRecorder, inbox),
    )


async def test_a_flood_of_waiting_acknowledgements_holds_answering_back_for_a_while(db_engine: Engine):
    waiting = [40]  # more webhooks waiting for their commit at once than `acks_queueing`
    worker = _worker(db_engine, waiting, WorkerOptions(acks_queueing=32, ack_first=0.3))
    started = time.monotonic()
    assert await worker._make_way(started) is True  # gave way, then went on (a flood)
    assert time.monotonic() - started >= 0.3


async def test_a_steady_stream_is_answered_at_once(db_engine: Engine):
    # A few webhooks waiting now and then: a steady 500/s while an answering transaction holds the
    # write lock. With the default options this is no flood.
    waiting = [8]
    worker = _worker(db_engine, waiting, WorkerOptions())
    assert await worker._make_way(time.monotonic() - 5.0) is False  # no flood: answered right away
