"""Messenger over HTTP: the handshake, signatures, every entry and item, and what the Graph API gets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from channel_support import (
    CAN_THO_HOTLINE,
    FB_TOKEN,
    FB_VERIFY,
    PAGE_ID,
    SCAM_TEXT,
    TUYEN_QUANG_HOTLINE,
    Bot,
    FakePlatform,
    fb_body,
    fb_headers,
    make_settings,
    running_bot,
    wait_until,
)

from app.settings import PROJECT_ROOT


async def test_handshake_echoes_the_challenge_as_plain_text(bot: Bot):
    response = await bot.client.get(
        "/webhooks/messenger",
        params={"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "not-ours", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
async def test_handshake_refuses_anything_else(bot: Bot, params: dict[str, str]):
    response = await bot.client.get("/webhooks/messenger", params=params)
    assert response.status_code == 403
    assert "1" not in response.text


async def test_signed_message_is_acknowledged_then_answered_through_the_send_api(bot: Bot):
    raw = fb_body("6500000000000001", "m_test_1", SCAM_TEXT)
    started = time.monotonic()
    response = await bot.messenger(raw)
    assert response.status_code == 200
    assert time.monotonic() - started < 1.0
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000001"))
    sends = bot.platform.messenger_sends("6500000000000001")
    first = sends[0]
    assert first.query["access_token"] == FB_TOKEN
    assert first.body["messaging_type"] == "RESPONSE"
    assert first.body["recipient"] == {"id": "6500000000000001"}
    texts = " ".join(call.body["message"]["text"] for call in sends)
    assert "Giả danh công an" in texts
    assert CAN_THO_HOTLINE in texts
    for call in sends:
        assert len(call.body["message"]["text"]) < 2000
        quick = call.body["message"].get("quick_replies", [])
        assert len(quick) <= 13
        for item in quick:
            assert item["content_type"] == "text"
            assert 0 < len(item["title"]) <= 20
            assert item["payload"]
    assert sends[-1].body["message"]["quick_replies"], "the last piece carries the main actions"


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/json"},
        {"content-type": "application/json", "x-hub-signature-256": "sha256=" + "0" * 64},
        {"content-type": "application/json", "x-hub-signature-256": "sha1=abc"},
        {"content-type": "application/json", "x-hub-signature-256": "sha256=ünïcode".encode("latin-1")},
    ],
)
async def test_unsigned_or_forged_posts_get_403_and_no_reply(bot: Bot, headers: dict[str, str | bytes]):
    raw = fb_body("6500000000000002", "m_forged", SCAM_TEXT)
    response = await bot.messenger(raw, headers)
    assert response.status_code == 403
    await bot.client.get("/healthz")
    assert not await wait_until(lambda: bot.platform.messenger_sends(), timeout=0.5)
    metrics = (await bot.client.get("/metrics")).text
    assert 'canhgiac_signature_failures_total{channel="messenger"} 1.0' in metrics


async def test_signature_made_with_another_secret_is_refused(bot: Bot):
    raw = fb_body("6500000000000003", "m_other_secret", SCAM_TEXT)
    response = await bot.messenger(raw, fb_headers(raw, secret="someone-else"))
    assert response.status_code == 403


async def test_every_entry_and_every_item_is_answered_and_echoes_receipts_are_not(bot: Bot):
    now = int(time.time() * 1000)

    def item(psid: str, **event: object) -> dict[str, object]:
        return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now, **event}

    payload = {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": now,
                "messaging": [
                    item("6500000000000011", message={"mid": "m_b1", "text": "xin chào"}),
                    item("6500000000000012", message={"mid": "m_b2", "text": SCAM_TEXT}),
                    item(PAGE_ID, message={"mid": "m_echo", "text": "our own reply", "is_echo": True}),
                    item("6500000000000013", delivery={"mids": ["m_b1"], "watermark": now}),
                    item("6500000000000014", read={"watermark": now}),
                ],
            },
            {
                "id": PAGE_ID,
                "time": now,
                "messaging": [
                    item(
                        "6500000000000015",
                        postback={"mid": "m_pb", "title": "Đường dây nóng", "payload": "ACTION:HOTLINE"},
                    )
                ],
            },
        ],
    }
    raw = json.dumps(payload, ensure_ascii=False).encode()
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(
        lambda: (
            {c.body["recipient"]["id"] for c in bot.platform.messenger_sends()}
            >= {
                "6500000000000011",
                "6500000000000012",
                "6500000000000015",
            }
        )
    )
    await wait_until(lambda: False, timeout=0.3)
    answered = {c.body["recipient"]["id"] for c in bot.platform.messenger_sends()}
    assert answered == {"6500000000000011", "6500000000000012", "6500000000000015"}
    hotline = bot.platform.messenger_sends("6500000000000015")
    assert CAN_THO_HOTLINE in hotline[0].body["message"]["text"]


async def test_quick_reply_payload_is_what_the_engine_reads(bot: Bot):
    raw = fb_body("6500000000000021", "m_qr", "Kiểm tra số/link", quick_reply={"payload": "ACTION:CHECK"})
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000021"))
    text = bot.platform.messenger_sends("6500000000000021")[0].body["message"]["text"]
    assert "số điện thoại" in text and "đường link" in text


async def test_get_started_postback_gets_the_welcome(bot: Bot):
    now = int(time.time() * 1000)
    raw = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": "6500000000000022"},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": now,
                            "postback": {"title": "Bắt đầu", "payload": "GET_STARTED"},
                        }
                    ],
                }
            ],
        }
    ).encode()
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000022"))
    assert "Xin chào" in bot.platform.messenger_sends("6500000000000022")[0].body["message"]["text"]


async def test_attachment_only_message_gets_a_polite_request_for_words(bot: Bot):
    raw = fb_body(
        "6500000000000023",
        "m_img",
        attachments=[{"type": "image", "payload": {"url": "https://scontent.example/fake.jpg"}}],
    )
    assert (await bot.messenger(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000023"))
    text = bot.platform.messenger_sends("6500000000000023")[0].body["message"]["text"]
    assert "mô tả lại bằng lời" in text


@pytest.fixture
def two_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A deployment serving both provinces, each with its own page and page token."""
    data = (PROJECT_ROOT / "provinces.yaml").read_text(encoding="utf-8")
    import yaml

    raw = yaml.safe_load(data)
    for province in raw["provinces"]:
        if province["id"] == "can-tho":
            province["messenger_page_ids"] = ["104857600000001"]
            province["tokens"] = {"104857600000001": "TEST_CT_PAGE_TOKEN"}
        else:
            province["messenger_page_ids"] = ["104857600000002"]
            province["tokens"] = {"104857600000002": "TEST_TQ_PAGE_TOKEN"}
    path = tmp_path / "provinces.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TEST_CT_PAGE_TOKEN", "token-of-the-can-tho-page")
    monkeypatch.setenv("TEST_TQ_PAGE_TOKEN", "token-of-the-tuyen-quang-page")
    return path


async def test_each_page_answers_for_its_province_with_its_own_token(migrated_url: str, two_pages: Path):
    platform = FakePlatform()
    settings = make_settings(migrated_url, provinces_path=two_pages, fb_page_token=None)
    async with running_bot(settings, platform) as bot:
        raw = fb_body("6500000000000031", "m_tq", SCAM_TEXT).replace(b"104857600000001", b"104857600000002")
        assert (await bot.messenger(raw)).status_code == 200
        assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000031"))
        sends = bot.platform.messenger_sends("6500000000000031")
        assert {c.query["access_token"] for c in sends} == {"token-of-the-tuyen-quang-page"}
        assert TUYEN_QUANG_HOTLINE in " ".join(c.body["message"]["text"] for c in sends)
