"""Never twice, never lost: duplicate storms, retries, permanent failures, restarts, two workers."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import httpx
import pytest
from channel_support import (
    FAST,
    SCAM_TEXT,
    Bot,
    FakePlatform,
    fb_body,
    graph_error,
    http_status,
    make_settings,
    running_bot,
    timeout,
    wait_until,
    zalo_body,
    zalo_error,
)
from citizens import FirstMessages
from sqlalchemy import select
from sqlmodel import Session

from app.contracts import IncomingMessage, Reply
from app.db import make_engine
from app.inbox.service import EVENTS, RecordedEvent, complete, record
from app.outbox.service import OUTBOX, enqueue, pieces


def outbox_rows(bot: Bot) -> list[Any]:
    with Session(bot.state.db) as session:
        return list(session.execute(select(OUTBOX).order_by(OUTBOX.c.id)))


def event_rows(bot: Bot) -> list[Any]:
    with Session(bot.state.db) as session:
        return list(session.execute(select(EVENTS).order_by(EVENTS.c.id)))


def expected_texts(bot: Bot, message: IncomingMessage) -> list[str]:
    province = bot.state.provinces.for_channel(message.channel, message.channel_id)
    replies = FirstMessages(bot.state.responder, bot.state.db).handle(message, province=province)
    return [piece.text for piece in pieces(replies)]


async def settle(seconds: float = 0.4) -> None:
    """Give the worker time to do anything it should not (a second reply, a retry)."""
    await asyncio.sleep(seconds)


# --- duplicates ---


async def test_messenger_duplicate_storm_gives_exactly_one_reply(bot: Bot):
    raw = fb_body("6500000000000101", "m_storm", SCAM_TEXT)
    responses = await asyncio.gather(*(bot.messenger(raw) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    expected = expected_texts(
        bot, IncomingMessage("messenger", "104857600000001", "6500000000000101", "m_storm", SCAM_TEXT)
    )
    assert await wait_until(lambda: len(bot.platform.messenger_sends("6500000000000101")) >= len(expected))
    await settle()
    sent = [c.body["message"]["text"] for c in bot.platform.messenger_sends("6500000000000101")]
    assert sent == expected
    assert len(event_rows(bot)) == 1


async def test_zalo_duplicate_storm_gives_exactly_one_reply(bot: Bot):
    raw = zalo_body("246845883529190101", "zmsg_storm", SCAM_TEXT)
    responses = await asyncio.gather(*(bot.zalo(raw) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    await wait_until(lambda: bot.platform.zalo_sends("246845883529190101"))
    await settle()
    sent = [c.body["message"]["text"] for c in bot.platform.zalo_sends("246845883529190101")]
    assert sent and len(sent) == len(set(sent)) == len(outbox_rows(bot))
    metrics = (await bot.client.get("/metrics")).text
    assert 'canhgiac_webhooks_total{channel="zalo",result="accepted"} 1.0' in metrics
    assert 'canhgiac_webhooks_total{channel="zalo",result="duplicate"} 19.0' in metrics


async def test_two_workers_on_one_database_answer_a_duplicate_once(migrated_url: str):
    """Two app instances (as two uvicorn workers) share the database and nothing in memory."""
    platform = FakePlatform()
    settings = make_settings(migrated_url)
    async with running_bot(settings, platform) as first, running_bot(settings, platform) as second:
        raw = fb_body("6500000000000102", "m_two_workers", SCAM_TEXT)
        zraw = zalo_body("246845883529190102", "zmsg_two_workers", SCAM_TEXT)
        calls = [first.messenger(raw), second.messenger(raw), first.zalo(zraw), second.zalo(zraw)] * 10
        responses = await asyncio.gather(*calls)
        assert {r.status_code for r in responses} == {200}
        assert await wait_until(
            lambda: platform.messenger_sends("6500000000000102") and platform.zalo_sends("246845883529190102")
        )
        await settle()
        for texts in (
            [c.body["message"]["text"] for c in platform.messenger_sends("6500000000000102")],
            [c.body["message"]["text"] for c in platform.zalo_sends("246845883529190102")],
        ):
            assert len(texts) == len(set(texts))
        assert len(platform.messenger_sends()) + len(platform.zalo_sends()) == len(outbox_rows(first))


# --- retries ---


@pytest.mark.parametrize(
    "failure",
    [
        graph_error(2, status=500),
        graph_error(1200),
        graph_error(613),
        graph_error(4, 2018022),
        http_status(503),
        http_status(429),
        timeout,
    ],
    ids=["graph-2", "graph-1200", "graph-613", "graph-4", "http-503", "http-429", "timeout"],
)
async def test_messenger_transient_failures_are_retried_until_sent(bot: Bot, failure):
    bot.platform.script("/me/messages", failure, failure)
    raw = fb_body("6500000000000111", "m_retry", "xin chào")
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: len(bot.platform.messenger_sends("6500000000000111")) == 3)
    assert await wait_until(lambda: outbox_rows(bot)[0].status == "sent")
    await settle()
    assert len(bot.platform.messenger_sends("6500000000000111")) == 3
    row = outbox_rows(bot)[0]
    assert (row.status, row.attempts) == ("sent", 3)
    metrics = (await bot.client.get("/metrics")).text
    assert 'canhgiac_replies_retried_total{channel="messenger"} 2.0' in metrics
    assert 'canhgiac_replies_sent_total{channel="messenger"} 1.0' in metrics


@pytest.mark.parametrize(
    "failure",
    [zalo_error(-32), zalo_error(-100), http_status(502), timeout],
    ids=["-32", "-100", "http-502", "timeout"],
)
async def test_zalo_transient_failures_are_retried_until_sent(bot: Bot, failure):
    bot.platform.script("/v3.0/oa/message/cs", failure)
    raw = zalo_body("246845883529190111", "zmsg_retry", "xin chào")
    assert (await bot.zalo(raw)).status_code == 200
    assert await wait_until(lambda: outbox_rows(bot) and outbox_rows(bot)[0].status == "sent")
    await settle()
    assert len(bot.platform.zalo_sends("246845883529190111")) == 2
    assert outbox_rows(bot)[0].attempts == 2


@pytest.mark.parametrize(
    "failure",
    [
        graph_error(100),
        graph_error(100, 2018001),
        graph_error(10, 2018278),
        graph_error(551),
        graph_error(190),
        graph_error(230),
    ],
    ids=["100", "100-2018001", "window", "551", "190-token", "230"],
)
async def test_messenger_permanent_failures_are_not_retried(bot: Bot, failure):
    bot.platform.script("/me/messages", failure, failure, failure)
    raw = fb_body("6500000000000121", "m_permanent", "xin chào")
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: outbox_rows(bot) and outbox_rows(bot)[0].status == "failed")
    await settle(0.6)  # several poll rounds and backoff periods
    assert len(bot.platform.messenger_sends("6500000000000121")) == 1
    row = outbox_rows(bot)[0]
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error
    assert "page-token" not in row.last_error


@pytest.mark.parametrize("code", [-213, -230, -201, -124])
async def test_zalo_permanent_and_window_failures_are_not_retried(bot: Bot, code: int):
    bot.platform.script("/v3.0/oa/message/cs", zalo_error(code), zalo_error(code))
    raw = zalo_body("246845883529190121", f"zmsg_perm_{code}", "xin chào")
    assert (await bot.zalo(raw)).status_code == 200
    assert await wait_until(lambda: outbox_rows(bot) and outbox_rows(bot)[0].status == "failed")
    await settle(0.6)
    assert len(bot.platform.zalo_sends("246845883529190121")) == 1
    assert bot.platform.refreshes() == []


async def test_retries_stop_at_the_bound(bot: Bot):
    bot.platform.default["/me/messages"] = http_status(500)
    raw = fb_body("6500000000000131", "m_bound", "xin chào")
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: outbox_rows(bot) and outbox_rows(bot)[0].status == "failed")
    await settle(0.6)
    assert len(bot.platform.messenger_sends("6500000000000131")) == FAST.max_attempts
    assert outbox_rows(bot)[0].attempts == FAST.max_attempts
    metrics = (await bot.client.get("/metrics")).text
    assert 'canhgiac_replies_failed_total{channel="messenger"} 1.0' in metrics


# --- restarts ---


async def test_events_acknowledged_before_a_crash_are_answered_at_the_next_start(migrated_url: str):
    platform = FakePlatform()
    settings = make_settings(migrated_url)
    crashed = dataclasses.replace(FAST, run_poller=False)
    async with running_bot(settings, platform, crashed) as before:
        before.state.inbox.remove_listener(before.state.worker.notify)  # dies after the ack
        assert (await before.messenger(fb_body("6500000000000141", "m_crash", SCAM_TEXT))).status_code == 200
        assert (
            await before.zalo(zalo_body("246845883529190141", "zmsg_crash", SCAM_TEXT))
        ).status_code == 200
        await settle(0.2)
    assert platform.calls == []
    async with running_bot(settings, platform) as after:
        assert await wait_until(
            lambda: platform.messenger_sends("6500000000000141") and platform.zalo_sends("246845883529190141")
        )
        await settle()
        rows = event_rows(after)
        assert [r.status for r in rows] == ["done", "done"]
        assert all(r.text is None for r in rows), "the message text is not kept once answered"
        assert len(platform.messenger_sends()) + len(platform.zalo_sends()) == len(outbox_rows(after))


async def test_replies_written_but_not_sent_before_a_crash_are_sent_after_their_lease(migrated_url: str):
    db = make_engine(migrated_url)
    now = dt.datetime.now(dt.UTC)
    message = IncomingMessage("messenger", "104857600000001", "6500000000000142", "m_leased", "xin chào")
    with Session(db) as session:
        [event_id] = record(session.connection(), [message])
        assert event_id is not None
        complete(session, [event_id])
        # Leased by a process that died a moment ago: its lease has run out.
        enqueue(
            session,
            [(RecordedEvent(event_id, message), [Reply("Xin chào lần nữa")])],
            now=now,
            lease_until=now,
        )
        session.commit()
    db.dispose()
    platform = FakePlatform()
    async with running_bot(make_settings(migrated_url), platform) as bot:
        assert await wait_until(lambda: platform.messenger_sends("6500000000000142"))
        await settle()
        assert [c.body["message"]["text"] for c in platform.messenger_sends()] == ["Xin chào lần nữa"]
        assert outbox_rows(bot)[0].status == "sent"


async def test_a_live_lease_is_not_taken_over(migrated_url: str):
    db = make_engine(migrated_url)
    now = dt.datetime.now(dt.UTC)
    message = IncomingMessage("zalo", "579745863508352884", "246845883529190143", "zmsg_leased", "xin chào")
    with Session(db) as session:
        [event_id] = record(session.connection(), [message])
        assert event_id is not None
        complete(session, [event_id])
        later = now + dt.timedelta(seconds=30)
        enqueue(
            session,
            [(RecordedEvent(event_id, message), [Reply("đang gửi ở nơi khác")])],
            now=now,
            lease_until=later,
        )
        session.commit()
    db.dispose()
    platform = FakePlatform()
    async with running_bot(make_settings(migrated_url), platform) as bot:
        await settle(0.5)
        assert platform.calls == []
        # Positive control: the poller is running all along, and takes the same piece over as soon
        # as its lease runs out.
        with Session(bot.state.db) as session:
            session.execute(OUTBOX.update().values(next_attempt_at=dt.datetime.now(dt.UTC)))
            session.commit()
        assert await wait_until(lambda: platform.zalo_sends("246845883529190143"))
        await settle()
        assert [c.body["message"]["text"] for c in platform.zalo_sends()] == ["đang gửi ở nơi khác"]
        assert outbox_rows(bot)[0].status == "sent"


# --- the Zalo token ---


def token_row(url: str) -> Any:
    from app.channels.zalo.tokens import TOKENS

    db = make_engine(url)
    try:
        with Session(db) as session:
            return session.execute(select(TOKENS)).first()
    finally:
        db.dispose()


async def test_zalo_token_is_refreshed_once_for_many_concurrent_sends_and_stored_before_use(
    migrated_url: str,
):
    platform = FakePlatform()
    used_after_stored: list[bool] = []

    def cs(request: httpx.Request) -> httpx.Response:
        token = request.headers["access_token"]
        if token != "zalo-new-access":
            return httpx.Response(200, json={"error": -216, "message": "Access token is invalid"})
        row = token_row(migrated_url)
        used_after_stored.append(
            row.access_token == "zalo-new-access" and row.refresh_token == "zalo-new-refresh"
        )
        return httpx.Response(200, json={"error": 0, "data": {"message_id": "z"}})

    platform.default["/v3.0/oa/message/cs"] = cs
    async with running_bot(make_settings(migrated_url), platform) as bot:
        users = [f"24684588352919{n:04d}" for n in range(12)]
        responses = await asyncio.gather(
            *(bot.zalo(zalo_body(u, f"zmsg_tok_{u}", "xin chào")) for u in users)
        )
        assert {r.status_code for r in responses} == {200}
        assert await wait_until(lambda: len(used_after_stored) >= len(users))
        await settle()
    refused = [c for c in platform.zalo_sends() if c.headers["access_token"] == "zalo-access-token-for-tests"]
    assert len(refused) > 1, "several sends were refused at once, so the refresh was contended"
    assert len(platform.refreshes()) == 1
    refresh = platform.refreshes()[0]
    assert refresh.headers["secret_key"] == "zalo-app-secret-for-tests"
    assert refresh.body == {
        "refresh_token": "zalo-refresh-token-for-tests",
        "app_id": "3206567425609033798",
        "grant_type": "refresh_token",
    }
    assert used_after_stored == [True] * len(users)
    assert (
        sorted(
            {
                c.body["recipient"]["user_id"]
                for c in platform.zalo_sends()
                if c.headers["access_token"] == "zalo-new-access"
            }
        )
        == users
    )
    row = token_row(migrated_url)
    expires_at = row.expires_at.replace(tzinfo=row.expires_at.tzinfo or dt.UTC)
    assert abs((expires_at - dt.datetime.now(dt.UTC)).total_seconds() - 90000) < 60


async def test_two_workers_refresh_the_zalo_token_once(migrated_url: str):
    """Two token stores (as in two processes: separate locks and caches) on one database."""
    from app.channels.zalo.tokens import DEFAULT_KEY, TokenSeed, ZaloTokenStore

    platform = FakePlatform()
    db = make_engine(migrated_url)
    async with httpx.AsyncClient(transport=platform.transport()) as http:

        def store() -> ZaloTokenStore:
            return ZaloTokenStore(
                db,
                http,
                oauth_base="https://oauth.zalo.test",
                app_id="3206567425609033798",
                app_secret="zalo-app-secret-for-tests",
                seeds={DEFAULT_KEY: TokenSeed("old-access", "old-refresh")},
            )

        first, second = store(), store()
        assert await first.access_token(DEFAULT_KEY) == "old-access"
        assert await second.access_token(DEFAULT_KEY) == "old-access"
        results = await asyncio.gather(
            *(s.refresh(DEFAULT_KEY, rejected="old-access") for s in (first, second, first, second))
        )
    db.dispose()
    assert results == ["zalo-new-access"] * 4
    assert len(platform.refreshes()) == 1


async def test_a_refreshed_pair_survives_a_restart_and_an_operator_pair_replaces_it(migrated_url: str):
    platform = FakePlatform()
    platform.script("/v3.0/oa/message/cs", zalo_error(-220))
    settings = make_settings(migrated_url)
    async with running_bot(settings, platform) as bot:
        assert (await bot.zalo(zalo_body("246845883529190151", "zmsg_r1", "xin chào"))).status_code == 200
        assert await wait_until(lambda: len(platform.zalo_sends()) == 2)
    async with running_bot(settings, platform) as bot:
        assert (await bot.zalo(zalo_body("246845883529190152", "zmsg_r2", "xin chào"))).status_code == 200
        assert await wait_until(lambda: len(platform.zalo_sends()) == 3)
    assert platform.zalo_sends()[-1].headers["access_token"] == "zalo-new-access"
    assert len(platform.refreshes()) == 1
    # The operator re-authorised the app and set a new pair: it wins over the stored one.
    renewed = make_settings(
        migrated_url, zalo_access_token="operator-access", zalo_refresh_token="operator-refresh"
    )
    async with running_bot(renewed, platform) as bot:
        assert (await bot.zalo(zalo_body("246845883529190153", "zmsg_r3", "xin chào"))).status_code == 200
        assert await wait_until(lambda: len(platform.zalo_sends()) == 4)
    assert platform.zalo_sends()[-1].headers["access_token"] == "operator-access"


async def test_a_token_about_to_expire_is_refreshed_before_sending(migrated_url: str):
    from app.channels.zalo.tokens import TOKENS

    platform = FakePlatform()
    settings = make_settings(migrated_url)
    async with running_bot(settings, platform) as bot:
        assert (await bot.zalo(zalo_body("246845883529190161", "zmsg_e1", "xin chào"))).status_code == 200
        assert await wait_until(lambda: len(platform.zalo_sends()) == 1)
    db = make_engine(migrated_url)
    with Session(db) as session:
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
        session.execute(TOKENS.update().values(expires_at=soon))
        session.commit()
    db.dispose()
    async with running_bot(settings, platform) as bot:
        assert (await bot.zalo(zalo_body("246845883529190162", "zmsg_e2", "xin chào"))).status_code == 200
        assert await wait_until(lambda: len(platform.zalo_sends()) == 2)
    assert len(platform.refreshes()) == 1
    assert platform.zalo_sends()[-1].headers["access_token"] == "zalo-new-access"


async def test_a_refused_refresh_fails_the_reply_without_looping(bot: Bot):
    bot.platform.script("/v3.0/oa/message/cs", zalo_error(-216))
    bot.platform.script(
        "/v4/oa/access_token",
        lambda r: httpx.Response(200, json={"error": -14014, "error_name": "Invalid refresh token"}),
    )
    assert (
        await bot.zalo(zalo_body("246845883529190171", "zmsg_bad_refresh", "xin chào"))
    ).status_code == 200
    assert await wait_until(lambda: outbox_rows(bot) and outbox_rows(bot)[0].status == "failed")
    await settle(0.5)
    assert len(bot.platform.refreshes()) == 1
    assert len(bot.platform.zalo_sends()) == 1


# --- bursts ---


async def test_a_burst_is_acknowledged_first_and_every_message_is_answered_once_after_it(migrated_url: str):
    platform = FakePlatform()
    async with running_bot(make_settings(migrated_url), platform) as bot:
        users = [f"65000000009{n:05d}" for n in range(30)]
        bodies = [fb_body(u, f"m_burst_{u}", "xin chào") for u in users]
        responses = await asyncio.gather(*(bot.messenger(b) for b in bodies))
        assert {r.status_code for r in responses} == {200}
        assert await wait_until(
            lambda: {c.body["recipient"]["id"] for c in platform.messenger_sends()} == set(users)
        )
        await settle()
        assert sorted(c.body["recipient"]["id"] for c in platform.messenger_sends()) == sorted(users)


async def test_a_value_the_database_refuses_gets_the_apology_not_silence(bot: Bot, monkeypatch):
    """A data error is permanent: no retries, the citizen is told to call the hotline."""
    from sqlalchemy.exc import DataError

    def refuse(*args, **kwargs):
        raise DataError("INSERT …", {}, Exception("value too long for type character varying(128)"))

    monkeypatch.setattr(bot.state.responder, "handle", refuse)
    raw = fb_body("6500000000000777", "m_data_error", "tôi bị lừa chuyển 5 triệu")
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000777"))
    text = bot.platform.messenger_sends("6500000000000777")[0].body["message"]["text"]
    assert text.startswith("Xin lỗi") and "069.367.2888" in text


async def test_a_value_refused_when_held_rows_are_written_gets_the_apology(bot: Bot, monkeypatch):
    """A batch's state rows are written at commit (`write_behind`): a value refused there still
    reaches the citizen as the apology, not as retries and silence."""
    from sqlalchemy.exc import DataError

    from app.conversation_state import store

    def refuse(*args, **kwargs):
        raise DataError("INSERT …", {}, Exception("value too long for type character varying(128)"))

    monkeypatch.setattr(store._WRITE_BEHIND, "_write", refuse)
    raw = fb_body("6500000000000778", "m_held_refused", "tôi bị lừa chuyển 5 triệu")
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000778"))
    await settle()
    texts = [c.body["message"]["text"] for c in bot.platform.messenger_sends("6500000000000778")]
    assert len(texts) == 1 and texts[0].startswith("Xin lỗi") and "069.367.2888" in texts[0]


# --- slow platforms ---


@dataclasses.dataclass
class SlowPlatform(FakePlatform):
    """Every send succeeds, after `delay` seconds (no errors: the platform is only slow)."""

    delay: float = 0.2

    def transport(self) -> httpx.AsyncBaseTransport:
        return _SlowTransport(self)


class _SlowTransport(httpx.AsyncBaseTransport):
    def __init__(self, platform: SlowPlatform) -> None:
        self._platform = platform

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        await asyncio.sleep(self._platform.delay)
        return self._platform.handle(request)


async def test_a_slow_platform_gets_every_reply_exactly_once(migrated_url: str):
    """Sends queue for a slot far longer than a lease lasts: each piece still goes out once."""
    platform = SlowPlatform(delay=0.2)
    # Two sends at a time of 0.2 s each: the last of 40 pieces waits ~4 s for its slot, while a
    # lease lasts 1.5 s (renewed right before sending, it covers the 0.2 s send many times over).
    slow = dataclasses.replace(FAST, lease_seconds=1.5, max_concurrent_sends=2)
    async with running_bot(make_settings(migrated_url), platform, slow) as bot:
        users = [f"65000000008{n:05d}" for n in range(40)]
        responses = await asyncio.gather(
            *(bot.messenger(fb_body(u, f"m_slow_{u}", SCAM_TEXT)) for u in users)
        )
        assert {r.status_code for r in responses} == {200}
        assert await wait_until(
            lambda: (
                len(event_rows(bot)) == len(users)
                and all(r.status == "done" for r in event_rows(bot))
                and all(r.status == "sent" for r in outbox_rows(bot))
            ),
            timeout=60,
        )
        await settle(1.0)  # a duplicate would be on its way by now
        rows = outbox_rows(bot)
        assert len(rows) >= len(users)
        sent = [c.body["message"]["text"] for c in platform.messenger_sends()]
        assert len(sent) == len(rows), f"{len(sent) - len(rows)} pieces were sent twice"
        for user in users:
            mine = [r.text for r in rows if r.user_id == user]
            assert [c.body["message"]["text"] for c in platform.messenger_sends(user)] == mine
