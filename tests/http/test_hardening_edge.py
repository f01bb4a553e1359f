"""Edge hardening: web chat identity and limits, bad input as 4xx, exposure of docs and metrics."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from channel_support import (
    OA_ID,
    ZALO_APP_ID,
    Bot,
    FakePlatform,
    fb_body,
    make_settings,
    running_bot,
    wait_until,
)
from sqlalchemy import text

from app.channels.web import router as web_router
from app.channels.web.router import SESSION_COOKIE
from app.channels.zalo.parse import parse as zalo_parse
from app.db import make_engine
from app.http.limits import SharedRateLimiter
from app.http.security import CSP, RateLimiter, Throttle

CONSENT_STEP = "Bạn kể ngắn gọn chuyện gì đã xảy ra"  # the first question after consenting
MARKER = "BIMAT-0912345678"


@asynccontextmanager
async def client_at(bot: Bot, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A second client reaching the same app from network address `host`, with its own cookies."""
    transport = httpx.ASGITransport(app=bot.app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        yield client


def said(response: httpx.Response) -> str:
    return "\n".join(r["text"] for r in response.json()["replies"])


# --- identity -------------------------------------------------------------------------------------


async def test_the_first_answer_sets_an_httponly_lax_session_cookie(bot: Bot):
    response = await bot.client.post("/api/chat", json={"user_id": "web-c1", "text": "xin chào"})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # loopback: plain http works for local use
    again = await bot.client.post("/api/chat", json={"user_id": "web-c1", "text": "xin chào"})
    assert "set-cookie" not in again.headers  # the session is kept, not renewed


async def test_the_cookie_is_secure_for_a_client_that_is_not_loopback(bot: Bot):
    async with client_at(bot, "203.0.113.7") as remote:
        response = await remote.post("/api/chat", json={"user_id": "web-c2", "text": "xin chào"})
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


async def test_a_user_id_from_another_client_never_reaches_the_conversation(bot: Bot):
    start = await bot.client.post("/api/chat", json={"user_id": "victim", "text": "Tôi muốn tố giác"})
    assert "tố giác" in said(start)
    # Another client (no cookie, or its own) sending the same user_id starts a conversation of its own.
    async with client_at(bot, "127.0.0.1") as intruder:
        other = await intruder.post("/api/chat", json={"user_id": "victim", "text": "Có"})
        assert other.status_code == 200
        assert CONSENT_STEP not in said(other)
    async with client_at(bot, "198.51.100.9") as intruder:
        other = await intruder.post("/api/chat", json={"user_id": "victim", "text": "Có"})
        assert CONSENT_STEP not in said(other)
    # The citizen's own report is still waiting for them, in their session.
    mine = await bot.client.post("/api/chat", json={"user_id": "victim", "text": "Có"})
    assert CONSENT_STEP in said(mine)


async def test_user_ids_within_one_session_are_separate_conversations(bot: Bot):
    # The shared conversation tools play many citizens; each user_id stays its own conversation.
    await bot.client.post("/api/chat", json={"user_id": "cit-a", "text": "Tôi muốn tố giác"})
    other = await bot.client.post("/api/chat", json={"user_id": "cit-b", "text": "Có"})
    assert CONSENT_STEP not in said(other)
    mine = await bot.client.post("/api/chat", json={"user_id": "cit-a", "text": "Có"})
    assert CONSENT_STEP in said(mine)


async def test_a_forged_cookie_value_is_replaced_by_a_fresh_session(bot: Bot):
    bot.client.cookies.set(SESSION_COOKIE, "../../etc", domain="bot.test")
    response = await bot.client.post("/api/chat", json={"user_id": "web-c3", "text": "xin chào"})
    assert response.status_code == 200
    assert re.match(SESSION_COOKIE + r"=[A-Za-z0-9_-]{32,64};", response.headers["set-cookie"])


# --- limits ---------------------------------------------------------------------------------------


@pytest.fixture
async def limited(migrated_url: str) -> AsyncIterator[Bot]:
    async with running_bot(make_settings(migrated_url, web_rate_per_minute=3), FakePlatform()) as bot:
        yield bot


async def test_a_client_over_the_rate_limit_gets_a_429_in_vietnamese(limited: Bot):
    for n in range(3):
        ok = await limited.client.post("/api/chat", json={"user_id": f"r{n}", "text": "xin chào"})
        assert ok.status_code == 200
    over = await limited.client.post("/api/chat", json={"user_id": "r9", "text": "xin chào"})
    assert over.status_code == 429
    assert over.json()["detail"] == "Bạn gửi quá nhiều tin nhắn. Vui lòng đợi một phút rồi thử lại."
    assert over.headers["retry-after"] == "60"
    # Another client address is not affected.
    async with client_at(limited, "192.0.2.44") as other:
        assert (await other.post("/api/chat", json={"user_id": "r0", "text": "xin chào"})).status_code == 200


async def test_the_rate_limit_also_follows_the_session_across_addresses(limited: Bot):
    first = await limited.client.post("/api/chat", json={"user_id": "s1", "text": "xin chào"})
    session = first.cookies[SESSION_COOKIE]
    statuses = []
    for n, host in enumerate(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]):
        async with client_at(limited, host) as client:
            client.cookies.set(SESSION_COOKIE, session, domain="bot.test")
            reply = await client.post("/api/chat", json={"user_id": f"s{n}", "text": "xin chào"})
            statuses.append(reply.status_code)
    assert statuses == [200, 200, 429, 429]  # 3 per minute for the session, whatever the address


async def test_the_rate_limit_adds_up_the_requests_of_every_worker(migrated_url: str):
    # Two workers on one database (as `serve --workers 2`): a client alternating between them still
    # gets 3 a minute in all, not 3 from each.
    settings = make_settings(migrated_url, web_rate_per_minute=3)
    async with running_bot(settings, FakePlatform()) as one, running_bot(settings, FakePlatform()) as two:
        statuses = []
        for n in range(6):
            worker = (one, two)[n % 2]
            async with client_at(worker, "192.0.2.77") as client:
                reply = await client.post("/api/chat", json={"user_id": f"w{n}", "text": "xin chào"})
                statuses.append(reply.status_code)
        assert statuses == [200, 200, 200, 429, 429, 429]
    db = make_engine(migrated_url)
    with db.connect() as connection:
        keys = [row.key for row in connection.execute(text("SELECT key FROM rate_counts"))]
    db.dispose()
    assert keys and not any("192.0.2.77" in key for key in keys)  # addresses are kept as digests


async def test_old_minutes_of_the_shared_count_are_purged(migrated_url: str):
    now = [120.0]
    db = make_engine(migrated_url)
    limiter = SharedRateLimiter(2, db, clock=lambda: now[0])
    assert [await limiter.allow("a:x") for _ in range(3)] == [True, True, False]
    now[0] = 300.0  # three minutes later: a new count, and the old minutes are gone
    assert await limiter.allow("a:x")
    with db.connect() as connection:
        minutes = {row.minute for row in connection.execute(text("SELECT minute FROM rate_counts"))}
    assert minutes == {5}
    assert await SharedRateLimiter(0, db).allow("a:x")  # 0: no limit
    db.dispose()


def test_rate_limiter_counts_per_key_and_window():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [True, True, False]
    assert limiter.hit("b")
    now[0] = 61.0  # the next minute
    assert limiter.hit("a")
    assert RateLimiter(0).hit("anything")  # 0: no limit


async def test_a_body_over_64_kb_is_413_by_length_and_by_content(bot: Bot):
    big = json.dumps({"user_id": "big", "text": "a" * (70 * 1024)}).encode()
    response = await bot.client.post("/api/chat", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == "Tin nhắn quá dài. Vui lòng gửi ngắn hơn."

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the body itself is measured
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = await bot.client.post(
        "/api/chat", content=chunked(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"user_id": "u", "text": NaN}',
        b'{"user_id": "u", "text": "x", "province": Infinity}',
        b'{"user_id": "u", "text": "\xff\xfe bad utf-8"}',
        b'{"user_id": "u", "text": "lone \\ud800 surrogate"}',
        b"\xef\xbb\xbf\x00",
        b"[" * 60_000,
    ],
)
async def test_invalid_json_unicode_or_nan_is_a_400(bot: Bot, raw: bytes):
    response = await bot.client.post("/api/chat", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Yêu cầu không đúng định dạng JSON."


@pytest.mark.parametrize(
    "body",
    [
        {"user_id": MARKER * 20, "text": "x"},
        {"user_id": "u", "text": [MARKER]},
        [MARKER],
    ],
)
async def test_a_422_never_echoes_the_input(bot: Bot, body: Any, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    response = await bot.client.post("/api/chat", json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == "Yêu cầu không hợp lệ."
    assert MARKER not in response.text
    assert MARKER not in caplog.text


async def test_framework_validation_errors_are_422_without_the_input(
    migrated_url: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    settings = make_settings(migrated_url, admin_token="admin-edge")
    async with running_bot(settings, FakePlatform()) as bot:
        response = await bot.client.get(
            "/admin/tips.csv", params={"status": MARKER}, headers={"authorization": "Bearer admin-edge"}
        )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Yêu cầu không hợp lệ."
    assert body["errors"][0]["loc"] == ["query", "status"]
    assert MARKER not in response.text
    assert MARKER not in caplog.text


@pytest.mark.parametrize(
    "params",
    [{"since": "0001-01-01"}, {"until": "9999-12-31"}, {"since": "1999-12-31"}, {"until": "2101-01-01"}],
)
async def test_export_dates_out_of_range_are_422_before_the_stream(migrated_url: str, params: dict[str, str]):
    settings = make_settings(migrated_url, admin_token="admin-edge")
    async with running_bot(settings, FakePlatform()) as bot:
        for fmt in ("csv", "xlsx", "jsonl"):
            response = await bot.client.get(
                f"/admin/tips.{fmt}", params=params, headers={"authorization": "Bearer admin-edge"}
            )
            assert response.status_code == 422, (fmt, params)
        ok = await bot.client.get(
            "/admin/tips.csv",
            params={"since": "2026-01-01", "until": "2026-12-31"},
            headers={"authorization": "Bearer admin-edge"},
        )
        assert ok.status_code == 200


async def test_a_database_outage_is_a_503_in_vietnamese_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(web_router, "_DB_ERRORS", Throttle(60.0))
    caplog.set_level(logging.INFO)
    settings = make_settings(f"sqlite:///{tmp_path}/missing-dir/none.db")
    async with running_bot(settings, FakePlatform()) as bot:
        for _ in range(3):
            response = await bot.client.post("/api/chat", json={"user_id": "u", "text": MARKER})
            assert response.status_code == 503
            assert "Hệ thống đang tạm thời gián đoạn" in response.json()["detail"]
            assert "113" in response.json()["detail"]
    logged = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(logged) == 1
    assert MARKER not in caplog.text


def test_throttle_reports_once_per_interval_and_counts_the_rest():
    now = [0.0]
    throttle = Throttle(60.0, clock=lambda: now[0])
    assert throttle.ready("db") == (True, 0)
    assert throttle.ready("db") == (False, 0)
    assert throttle.ready("db") == (False, 0)
    now[0] = 61.0
    assert throttle.ready("db") == (True, 2)


def test_sql_parameters_never_reach_error_messages(tmp_path: Path):
    db = make_engine(f"sqlite:///{tmp_path}/p.db")
    try:
        with db.begin() as connection:
            connection.execute(text("CREATE TABLE t (v TEXT NOT NULL UNIQUE)"))
            connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": MARKER})
        with pytest.raises(Exception) as failure, db.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": MARKER})
        assert MARKER not in str(failure.value)
        assert "hidden" in str(failure.value)
    finally:
        db.dispose()


# --- Zalo -----------------------------------------------------------------------------------------


def _zalo_text(msg_id: str, user: str, timestamp: str, **message: Any) -> bytes:
    return json.dumps(
        {
            "app_id": ZALO_APP_ID,
            "event_name": "user_send_text",
            "timestamp": timestamp,
            "sender": {"id": user},
            "recipient": {"id": OA_ID},
            "message": {"msg_id": msg_id, "text": "xin chào", **message},
        }
    ).encode()


def _now_ms() -> str:
    return str(int(time.time() * 1000))


@pytest.mark.parametrize("attachments", [1, "x", {"type": "image"}, True])
async def test_zalo_attachments_of_the_wrong_type_are_ignored_not_a_500(bot: Bot, attachments: Any):
    user = f"77{abs(hash(repr(attachments))) % 10**10:010d}"
    raw = _zalo_text(f"att-{user}", user, _now_ms(), attachments=attachments)
    assert (await bot.zalo(raw)).status_code == 200
    # The text itself is still answered; the malformed attachments are dropped.
    assert await wait_until(lambda: bot.platform.zalo_sends(user))


async def test_a_stale_zalo_event_is_acknowledged_and_ignored(bot: Bot):
    old = "978307200000"  # 2001-01-01
    raw = _zalo_text("stale-1", "7700000000001", old)
    assert (await bot.zalo(raw)).status_code == 200  # 200, or Zalo would deliver it again
    assert not await wait_until(lambda: bot.platform.zalo_sends("7700000000001"), timeout=0.5)
    metrics = (await bot.client.get("/metrics")).text
    assert 'canhgiac_webhooks_total{channel="zalo",result="ignored"} 1.0' in metrics


def test_zalo_event_age_is_measured_from_its_timestamp():
    now = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
    ms = int(now.timestamp() * 1000)
    fresh = _zalo_text("a", "1", str(ms - 3_500_000))
    stale = _zalo_text("b", "1", str(ms - 3_700_000))
    assert len(zalo_parse(fresh, max_age_seconds=3600, now=now)) == 1
    assert zalo_parse(stale, max_age_seconds=3600, now=now) == []
    assert zalo_parse(_zalo_text("c", "1", "0"), max_age_seconds=3600, now=now) == []
    assert zalo_parse(_zalo_text("d", "1", "soon"), max_age_seconds=3600, now=now) == []
    assert len(zalo_parse(stale)) == 1  # without a maximum age (unit use), every event parses


# --- exposure -------------------------------------------------------------------------------------


async def test_api_docs_are_off_outside_development(bot: Bot, migrated_url: str):
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert (await bot.client.get(path)).status_code == 404
    async with running_bot(make_settings(migrated_url, env="development"), FakePlatform()) as dev:
        schema = await dev.client.get("/openapi.json")
        assert schema.status_code == 200
        assert "/api/chat" in schema.json()["paths"]
        assert (await dev.client.get("/docs")).status_code == 200


async def test_metrics_without_a_token_are_for_loopback_only(bot: Bot):
    assert (await bot.client.get("/metrics")).status_code == 200
    async with client_at(bot, "203.0.113.8") as remote:
        refused = await remote.get("/metrics")
    assert refused.status_code == 403


async def test_metrics_with_a_token_need_it_from_everyone(migrated_url: str):
    settings = make_settings(migrated_url, metrics_token="scrape-edge")
    async with running_bot(settings, FakePlatform()) as bot:
        assert (await bot.client.get("/metrics")).status_code == 403  # loopback too
        wrong = await bot.client.get("/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 403
        async with client_at(bot, "203.0.113.9") as remote:
            ok = await remote.get("/metrics", headers={"authorization": "Bearer scrape-edge"})
        assert ok.status_code == 200
        assert "canhgiac_webhooks_total" in ok.text


async def test_every_response_carries_the_security_headers(bot: Bot):
    responses = [
        await bot.client.get("/"),
        await bot.client.get("/static/chat.js"),
        await bot.client.post("/api/chat", json={"user_id": "h", "text": "xin chào"}),
        await bot.client.post("/api/chat", content=b"{", headers={"content-type": "application/json"}),
        await bot.client.get("/healthz"),
        await bot.client.get("/no-such-page"),
        # Webhooks take a short way past the middleware stack: they get the headers all the same.
        await bot.messenger(fb_body("h-psid", "h-mid", "xin chào")),
        await bot.messenger(b"{}", headers={"x-hub-signature-256": "sha256=00"}),
        await bot.client.post("/webhooks/no-such-channel", content=b"{}"),
    ]
    assert [r.status_code for r in responses[-3:]] == [200, 403, 404]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == CSP


async def test_the_page_has_no_inline_script_or_style_the_csp_would_block(bot: Bot):
    page = (await bot.client.get("/")).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers


def test_serve_passes_the_connection_limits_to_uvicorn(monkeypatch: pytest.MonkeyPatch):
    from app import serve as serving
    from app.settings import Settings

    seen: dict[str, Any] = {}
    monkeypatch.setattr(serving, "upgrade", lambda url: None)
    monkeypatch.setattr(serving.uvicorn, "run", lambda *a, **kw: seen.update(kw))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        limit_concurrency=77,
        timeout_keep_alive=3,
        forwarded_allow_ips="10.0.0.2",
    )
    serving.serve(settings, host="127.0.0.1", port=8123)
    assert seen["limit_concurrency"] == 77
    assert seen["timeout_keep_alive"] == 3
    assert seen["forwarded_allow_ips"] == "10.0.0.2"
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.limit_concurrency > 0 and defaults.timeout_keep_alive > 0
    assert defaults.web_rate_per_minute == 30
    assert defaults.zalo_max_event_age_seconds == 3600


async def test_the_page_starts_the_session_its_messages_use(bot: Bot):
    page = await bot.client.get("/")
    assert SESSION_COOKIE + "=" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"]
    chat = await bot.client.post("/api/chat", json={"user_id": "page", "text": "xin chào"})
    assert chat.status_code == 200
    assert "set-cookie" not in chat.headers  # the page's session is used, not a new one


async def test_webhooks_during_a_database_outage_are_503_and_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    from app.http import webhooks as receive

    monkeypatch.setattr(receive, "_RECORD_ERRORS", Throttle(60.0))
    caplog.set_level(logging.INFO)
    settings = make_settings(f"sqlite:///{tmp_path}/missing-dir/none.db")
    async with running_bot(settings, FakePlatform()) as bot:
        for n in range(3):
            raw = _zalo_text(f"outage-{n}", "7700000000002", _now_ms())
            assert (await bot.zalo(raw)).status_code == 503
    logged = [r for r in caplog.records if "could not be recorded" in r.getMessage()]
    assert len(logged) == 1
