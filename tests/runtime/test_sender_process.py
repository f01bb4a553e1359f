"""Replies sent from a process of their own (`delivery_process`, on under `canhgiac serve`): the
child sends what the web process answered, the web process keeps the gauge and the metrics, takes
back what a dead child held, and stops the child when it stops."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from channel_support import (
    FAST,
    SCAM_TEXT,
    Bot,
    FakePlatform,
    fb_body,
    make_settings,
    on_loopback,
    shared_analyzer,
    wait_until,
    zalo_body,
)
from outbox_support import written
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from app.contracts import QuickReply, Reply
from app.main import create_app
from app.ops.metrics import Metrics
from app.outbox.service import OUTBOX, OutboxItem, SendResult, apply_results
from app.runtime import WorkerOptions
from app.runtime.delivery import Delivery
from app.runtime.load import LoadGauge
from app.runtime.sender import SenderProcess, decode_group, encode_group


@asynccontextmanager
async def bot_with_sender(database_url: str, platform: FakePlatform) -> AsyncIterator[Bot]:
    with on_loopback(platform) as base:
        settings = make_settings(
            database_url,
            delivery_process=True,
            fb_api_base=f"{base}/v25.0",
            zalo_api_base=base,
            zalo_oauth_base=base,
        )
        app = create_app(settings, worker_options=FAST, analyzer=shared_analyzer(settings))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
                yield Bot(app, client, platform)


def sender_of(bot: Bot) -> SenderProcess:
    delivery = bot.state.worker.delivery
    assert isinstance(delivery, SenderProcess)
    return delivery


def statuses(bot: Bot) -> list[str]:
    with bot.state.db.connect() as connection:
        return [
            row[0] for row in connection.execute(text("SELECT status FROM outbound_messages ORDER BY id"))
        ]


def metric(bot: Bot, line: str) -> bool:
    return line in bot.state.metrics.render()[0].decode()


def test_pieces_cross_the_pipe_unchanged():
    lease = dt.datetime(2026, 12, 3, 8, 30, 15, 123456, tzinfo=dt.UTC)
    items = [
        OutboxItem(
            1, 7, 0, "messenger", "104857600000001", "psid-1", "Cảnh báo: đừng chuyển tiền!\n\n", (), 0, lease
        ),
        OutboxItem(
            2,
            7,
            1,
            "zalo",
            "oa",
            "u-2",
            "Gọi 069.367.2888",
            (QuickReply("Tố giác", "REPORT"),),
            3,
            lease,
            "tag",
        ),
    ]
    line = encode_group(items)
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # one event, one line
    assert decode_group(line) == items


@pytest.mark.slow
async def test_replies_leave_from_the_sender_process(migrated_url: str, platform: FakePlatform):
    async with bot_with_sender(migrated_url, platform) as bot:
        sender = sender_of(bot)
        child = sender.pid
        assert child is not None and child != os.getpid()
        assert await wait_until(lambda: sender.ready, 30)  # until then, replies leave from here
        assert (await bot.messenger(fb_body("psid-a", "m-a", SCAM_TEXT))).status_code == 200
        assert (await bot.zalo(zalo_body("zalo-b", "z-b", SCAM_TEXT))).status_code == 200
        assert await wait_until(
            lambda: len(platform.messenger_sends("psid-a")) == 1 and len(platform.zalo_sends("zalo-b")) == 1,
            30,
        )
        assert "069.367.2888" in platform.messenger_sends("psid-a")[0].body["message"]["text"]
        # Recorded by the child; counted and released by the web process from its reports.
        assert await wait_until(lambda: statuses(bot) == ["sent", "sent"], 10)
        assert await wait_until(lambda: bot.state.worker.load.pieces_in_hand == 0 and sender.in_flight == 0)
        assert metric(bot, 'canhgiac_replies_sent_total{channel="messenger"} 1.0')
        assert metric(bot, 'canhgiac_replies_sent_total{channel="zalo"} 1.0')
    # Stopping the app stops its sender.
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


@pytest.mark.slow
async def test_a_dead_sender_hands_its_replies_back(migrated_url: str, platform: FakePlatform):
    def hang(request: httpx.Request) -> httpx.Response:
        time.sleep(2.0)  # the child is killed while it waits for this answer
        return httpx.Response(200, json={"recipient_id": "psid-c", "message_id": "never-seen"})

    platform.script("/me/messages", hang)
    async with bot_with_sender(migrated_url, platform) as bot:
        sender = sender_of(bot)
        first = sender.pid
        assert first is not None
        assert await wait_until(lambda: sender.ready, 30)
        assert (await bot.messenger(fb_body("psid-c", "m-c", SCAM_TEXT))).status_code == 200
        assert await wait_until(lambda: len(platform.messenger_sends("psid-c")) == 1, 30)
        os.kill(first, signal.SIGKILL)
        # The web process sends the piece itself, at once (the same lease), and records it.
        assert await wait_until(lambda: len(platform.messenger_sends("psid-c")) == 2, 10)
        assert await wait_until(lambda: statuses(bot) == ["sent"], 10)
        # A new child takes over, and sends what comes next.
        assert await wait_until(lambda: sender.pid not in (None, first) and sender.ready, 30)
        assert (await bot.messenger(fb_body("psid-d", "m-d", SCAM_TEXT))).status_code == 200
        assert await wait_until(lambda: len(platform.messenger_sends("psid-d")) == 1, 30)
        assert await wait_until(lambda: statuses(bot) == ["sent", "sent"], 10)
        assert len(platform.messenger_sends("psid-c")) == 2  # nothing more of the first


class RecordingChannel:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, *, channel_id: str, user_id: str, reply: Reply) -> str:
        self.sent.append(reply.text)
        return f"m{len(self.sent)}"


@pytest.mark.parametrize("recheck", [True, False])
async def test_pieces_taken_back_from_a_dead_sender_are_rechecked(db_engine: Engine, recheck: bool):
    """The child sent and recorded the first piece, then died before reporting it: taken back with
    `recheck`, only the second goes out (without it, the first would go out twice)."""
    fresh = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)  # no renewal needed by default
    items = written(db_engine, fresh, user_id="6500000000000902", message_id="m_back")
    with Session(db_engine) as session:
        apply_results(session, [SendResult(items[0].id, "sent", 1, platform_message_id="m0")])
        session.commit()
    channel = RecordingChannel()
    options = WorkerOptions(lease_seconds=60.0)
    gauge = LoadGauge(lease_seconds=60.0, max_concurrent_sends=8, most=256)
    delivery = Delivery(
        db=db_engine, channels={"messenger": channel}, metrics=Metrics(), options=options, gauge=gauge
    )
    await delivery.start()
    delivery.submit([items], recheck=recheck)
    await delivery.stop(5.0)
    assert channel.sent == (["hai"] if recheck else ["một", "hai"])
    with Session(db_engine) as session:
        rows = session.execute(select(OUTBOX.c.status).where(OUTBOX.c.event_id == items[0].event_id)).all()
    assert [row.status for row in rows] == ["sent", "sent"]
