"""Bad input never gives a 500: a clear 4xx, or a polite reply where one makes sense."""

from __future__ import annotations

import json
import time

import pytest
from channel_support import (
    PAGE_ID,
    ZALO_APP_ID,
    Bot,
    FakePlatform,
    fb_body,
    fb_headers,
    make_settings,
    running_bot,
    wait_until,
    zalo_body,
    zalo_headers,
)

from app.contracts.channel import typed_options
from app.conversation.responder import ATTACHMENT_ONLY, EMPTY
from app.replies.composer import MAIN_ACTIONS

MIB = 1024 * 1024


@pytest.mark.parametrize(
    "raw", [b'{"object":"page","entry":[{', b"not json at all", b"[1, 2, 3]", b'"a string"', b"[" * 100_000]
)
async def test_malformed_messenger_json_with_a_valid_signature_is_400(bot: Bot, raw: bytes):
    response = await bot.messenger(raw, fb_headers(raw))
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("raw", [b'{"timestamp":"1700000000000","event_name":', b"[]"])
async def test_malformed_zalo_json_with_a_valid_mac_is_400(bot: Bot, raw: bytes):
    import hashlib

    mac = hashlib.sha256(
        ZALO_APP_ID.encode()
        + raw
        + (b"1700000000000" if b"timestamp" in raw else b"")
        + b"zalo-oa-secret-for-tests"
    ).hexdigest()
    response = await bot.zalo(raw, {"content-type": "application/json", "x-zevent-signature": f"mac={mac}"})
    assert response.status_code == (400 if b"timestamp" in raw else 401)


async def test_body_over_one_mebibyte_is_413_on_both_channels(bot: Bot):
    big = fb_body("6500000000000201", "m_big", "a" * (MIB + 10))
    assert (await bot.messenger(big)).status_code == 413
    zbig = zalo_body("246845883529190201", "zmsg_big", "a" * (MIB + 10))
    assert (await bot.zalo(zbig)).status_code == 413
    # Without a Content-Length (chunked), the limit still holds.

    async def chunks():
        for _ in range(17):
            yield b"x" * 65536

    response = await bot.client.post(
        "/webhooks/messenger",
        content=chunks(),
        headers={"content-type": "application/json", "x-hub-signature-256": "x"},
    )
    assert response.status_code == 413
    assert bot.platform.calls == []


async def test_unknown_event_types_are_acknowledged_and_ignored(bot: Bot):
    now = int(time.time() * 1000)
    instagram = json.dumps(
        {"object": "instagram", "entry": [{"id": "1", "time": now, "messaging": []}]}
    ).encode()
    reaction = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": "6500000000000202"},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": now,
                            "reaction": {"mid": "m_x", "action": "react", "emoji": "👍"},
                        },
                        "not an object",
                    ],
                },
                {"id": PAGE_ID, "changes": [{"field": "feed"}]},
            ],
        }
    ).encode()
    odd_shapes = json.dumps({"object": "page", "entry": {"not": "a list"}}).encode()
    for raw in (instagram, reaction, odd_shapes):
        assert (await bot.messenger(raw)).status_code == 200
    for event in (
        "user_reacted_message",
        "unfollow",
        "user_submit_info",
        "anonymous_send_text",
        "made_up_event",
    ):
        raw = zalo_body("246845883529190202", f"zmsg_{event}", "x", event=event)
        assert (await bot.zalo(raw)).status_code == 200
    no_event = json.dumps({"app_id": ZALO_APP_ID, "timestamp": "1700000000000"}).encode()
    assert (await bot.zalo(no_event)).status_code == 200
    await wait_until(lambda: False, timeout=0.3)
    assert bot.platform.calls == []


async def answer_to(bot: Bot, raw: bytes, user: str, channel: str = "messenger") -> list[str]:
    send = bot.messenger if channel == "messenger" else bot.zalo
    headers = fb_headers(raw) if channel == "messenger" else zalo_headers(raw)
    response = await send(raw, headers)
    assert response.status_code == 200
    sends = bot.platform.messenger_sends if channel == "messenger" else bot.platform.zalo_sends
    assert await wait_until(lambda: sends(user))
    return [c.body["message"]["text"] for c in sends(user)]


async def test_ten_thousand_characters_get_an_answer_within_the_limits(bot: Bot):
    text = ("Tôi bị lừa chuyển tiền vào tài khoản tạm giữ, họ xưng là công an. " * 200)[:10_000]
    texts = await answer_to(bot, fb_body("6500000000000203", "m_long", text), "6500000000000203")
    assert texts and all(len(t) < 2000 for t in texts)
    ztexts = await answer_to(
        bot, zalo_body("246845883529190203", "zmsg_long", text), "246845883529190203", "zalo"
    )
    assert ztexts and all(len(t) <= 2000 for t in ztexts)


@pytest.mark.parametrize(
    "text",
    ["😀😀😀🙏", "\u200b\u200c\u200d\ufeff", "   \n\t ", "\u0000\u0000", "\ud800 lone surrogate"],
    ids=["emoji", "zero-width", "blank", "nul", "surrogate"],
)
async def test_odd_text_gets_a_polite_reply(bot: Bot, text: str):
    raw = json.dumps(json.loads(fb_body("6500000000000204", "m_odd", "x")) | {}).encode()
    payload = json.loads(raw)
    payload["entry"][0]["messaging"][0]["message"]["text"] = text
    raw = json.dumps(payload).encode()  # ASCII with \u escapes, as Meta sends them
    texts = await answer_to(bot, raw, "6500000000000204")
    assert texts
    if text != "\ud800 lone surrogate":
        assert texts[0] == EMPTY


async def test_invalid_utf8_with_a_valid_signature_gets_a_polite_reply(bot: Bot):
    raw = fb_body("6500000000000205", "m_bad_utf8", "PLACEHOLDER").replace(b"PLACEHOLDER", b"\xff\xfe\xc3(")
    texts = await answer_to(bot, raw, "6500000000000205")
    assert texts[0] == EMPTY
    zraw = zalo_body("246845883529190205", "zmsg_bad_utf8", "PLACEHOLDER").replace(
        b"PLACEHOLDER", b"\xff\xfe"
    )
    ztexts = await answer_to(bot, zraw, "246845883529190205", "zalo")
    assert ztexts[0].startswith(EMPTY)  # then the options to type: Zalo shows no buttons
    assert ztexts[0].endswith(typed_options(MAIN_ACTIONS))


async def test_attachment_only_gets_the_attachment_reply(bot: Bot):
    raw = fb_body(
        "6500000000000206", "m_file", attachments=[{"type": "file", "payload": {"url": "https://x.test/f"}}]
    )
    assert (await answer_to(bot, raw, "6500000000000206"))[0] == ATTACHMENT_ONLY


async def test_a_channel_without_its_secrets_answers_503_and_says_why(
    migrated_url: str, caplog: pytest.LogCaptureFixture
):
    settings = make_settings(migrated_url, fb_app_secret=None, zalo_oa_secret=None)
    async with running_bot(settings, FakePlatform()) as bot:
        raw = fb_body("6500000000000207", "m_off", "xin chào")
        assert (await bot.messenger(raw)).status_code == 503
        handshake = await bot.client.get(
            "/webhooks/messenger",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": "verify-token-for-tests",
                "hub.challenge": "5",
            },
        )
        assert handshake.status_code == 503
        assert (await bot.zalo(zalo_body("246845883529190207", "zmsg_off", "xin chào"))).status_code == 503
        ready = (await bot.client.get("/readyz")).json()
        assert ready["channels"] == {"messenger": False, "zalo": False}
        assert (await bot.client.get("/healthz")).status_code == 200
    logged = caplog.text
    assert "CANHGIAC_FB_APP_SECRET" in logged
    assert "CANHGIAC_ZALO_OA_SECRET" in logged


async def test_no_secrets_at_all_still_serves_the_web_chat(migrated_url: str):
    from app.settings import Settings

    async with running_bot(Settings(database_url=migrated_url), FakePlatform()) as bot:
        assert (
            await bot.messenger(fb_body("1", "m", "x"), {"content-type": "application/json"})
        ).status_code == 503
        assert (
            await bot.zalo(zalo_body("1", "z", "x"), {"content-type": "application/json"})
        ).status_code == 503
        chat = await bot.client.post(
            "/api/chat", json={"user_id": "u1", "text": "xin chào", "province": "can-tho"}
        )
        assert chat.status_code == 200
