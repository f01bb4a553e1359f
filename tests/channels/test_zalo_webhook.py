"""Zalo OA over HTTP: the MAC, the events answered and ignored, routing by OA, domain verification."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from channel_support import (
    CAN_THO_HOTLINE,
    OA_ID,
    SCAM_TEXT,
    TUYEN_QUANG_HOTLINE,
    ZALO_APP_ID,
    ZALO_TOKEN,
    Bot,
    FakePlatform,
    make_settings,
    running_bot,
    wait_until,
    zalo_body,
    zalo_headers,
    zalo_signature,
)

from app.settings import PROJECT_ROOT


async def test_signed_text_is_acknowledged_then_answered_through_the_cs_api(bot: Bot):
    raw = zalo_body("246845883529197922", "96d3cdf3af150460909", SCAM_TEXT)
    started = time.monotonic()
    response = await bot.zalo(raw)
    assert response.status_code == 200
    assert time.monotonic() - started < 1.0
    assert await wait_until(lambda: bot.platform.zalo_sends("246845883529197922"))
    sends = bot.platform.zalo_sends("246845883529197922")
    assert all(call.headers["access_token"] == ZALO_TOKEN for call in sends)
    assert all("authorization" not in call.headers for call in sends)
    assert set(sends[0].body) == {"recipient", "message"}
    texts = " ".join(call.body["message"]["text"] for call in sends)
    assert CAN_THO_HOTLINE in texts
    assert all(len(call.body["message"]["text"]) <= 2000 for call in sends)


@pytest.mark.parametrize(
    "signature",
    [None, "mac=" + "0" * 64, "not-a-mac", "mac="],
)
async def test_missing_or_wrong_mac_gets_401_and_no_reply(bot: Bot, signature: str | None):
    raw = zalo_body("246845883529197923", "zmsg_forged", SCAM_TEXT)
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-zevent-signature"] = signature
    response = await bot.zalo(raw, headers)
    assert response.status_code == 401
    assert not await wait_until(lambda: bot.platform.zalo_sends(), timeout=0.4)


async def test_mac_is_plain_sha256_with_the_oa_secret_not_hmac_nor_the_app_secret(bot: Bot):
    raw = zalo_body("246845883529197924", "zmsg_app_secret", SCAM_TEXT)
    # Signed with the App Secret instead of the OA Secret Key: refused.
    assert (await bot.zalo(raw, zalo_headers(raw, secret="zalo-app-secret-for-tests"))).status_code == 401
    # A MAC over a re-serialised body (keys reordered) does not match the raw body that was sent.
    reordered = json.dumps(dict(reversed(list(json.loads(raw).items()))), ensure_ascii=False).encode()
    headers = {"content-type": "application/json", "x-zevent-signature": zalo_signature(reordered)}
    assert (await bot.zalo(raw, headers)).status_code == 401
    # The header without its "mac=" prefix is accepted (some relays strip it).
    bare = {"content-type": "application/json", "x-zevent-signature": zalo_signature(raw)[4:]}
    assert (await bot.zalo(raw, bare)).status_code == 200


async def test_echo_of_our_own_message_and_receipts_are_ignored(bot: Bot):
    echo = zalo_body(OA_ID, "zmsg_echo", "tin nhắn của OA", event="oa_send_text")
    echo = echo.replace(
        b'"recipient": {"id": "579745863508352884"}', b'"recipient": {"id": "246845883529197925"}'
    )
    seen = json.dumps(
        {
            "app_id": ZALO_APP_ID,
            "sender": {"id": "246845883529197925"},
            "recipient": {"id": OA_ID},
            "event_name": "user_seen_message",
            "message": {"msg_ids": ["z1"]},
            "timestamp": str(int(time.time() * 1000)),
        }
    ).encode()
    for raw in (echo, seen):
        assert (await bot.zalo(raw)).status_code == 200
    assert not await wait_until(lambda: bot.platform.zalo_sends(), timeout=0.5)
    metrics = (await bot.client.get("/metrics")).text
    assert 'canhgiac_webhooks_total{channel="zalo",result="ignored"} 2.0' in metrics


async def test_follow_gets_a_welcome(bot: Bot):
    raw = json.dumps(
        {
            "app_id": ZALO_APP_ID,
            "oa_id": OA_ID,
            "user_id_by_app": "1923626015168953374",
            "event_name": "follow",
            # Recent: events older than CANHGIAC_ZALO_MAX_EVENT_AGE_SECONDS are ignored.
            "timestamp": str(int(time.time() * 1000)),
            "source": "oa_profile",
            "follower": {"id": "8381381219617247797"},
        }
    ).encode()
    assert (await bot.zalo(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.zalo_sends("8381381219617247797"))
    text = bot.platform.zalo_sends("8381381219617247797")[0].body["message"]["text"]
    assert "Xin chào" in text
    # The same follow delivered again is not welcomed twice.
    assert (await bot.zalo(raw)).status_code == 200
    await wait_until(lambda: False, timeout=0.3)
    assert len(bot.platform.zalo_sends("8381381219617247797")) == 1


@pytest.mark.parametrize(
    ("event", "attachment"),
    [
        (
            "user_send_image",
            {
                "type": "image",
                "payload": {"thumbnail": "https://x.test/t.jpg", "url": "https://x.test/i.jpg"},
            },
        ),
        ("user_send_sticker", {"type": "sticker", "payload": {"id": "1", "url": "https://x.test/s.png"}}),
        ("user_send_audio", {"type": "audio", "payload": {"url": "https://x.test/a.amr"}}),
    ],
)
async def test_other_user_messages_get_a_polite_request_for_words(bot: Bot, event: str, attachment: dict):
    raw = zalo_body("246845883529197926", f"zmsg_{event}", None, event=event, attachments=[attachment])
    assert (await bot.zalo(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.zalo_sends("246845883529197926"))
    assert "mô tả lại bằng lời" in bot.platform.zalo_sends("246845883529197926")[0].body["message"]["text"]


async def test_shared_link_is_checked_like_a_typed_one(bot: Bot):
    attachment = {
        "type": "link",
        "payload": {"url": "http://vneid-capnhat.top/dang-nhap", "description": "VNeID"},
    }
    raw = zalo_body("246845883529197927", "zmsg_link", None, event="user_send_link", attachments=[attachment])
    assert (await bot.zalo(raw)).status_code == 200
    assert await wait_until(lambda: bot.platform.zalo_sends("246845883529197927"))
    text = bot.platform.zalo_sends("246845883529197927")[0].body["message"]["text"]
    assert "mô tả lại bằng lời" not in text


@pytest.fixture
def two_oas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    raw = yaml.safe_load((PROJECT_ROOT / "provinces.yaml").read_text(encoding="utf-8"))
    for province in raw["provinces"]:
        if province["id"] == "tuyen-quang":
            province["zalo_oa_ids"] = ["579745863508352885"]
            province["tokens"] = {"579745863508352885": "TEST_TQ_OA_TOKEN"}
        else:
            province["zalo_oa_ids"] = [OA_ID]
    path = tmp_path / "provinces.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TEST_TQ_OA_TOKEN", "access-token-of-the-tuyen-quang-oa")
    return path


async def test_each_oa_answers_for_its_province_with_its_own_token(migrated_url: str, two_oas: Path):
    async with running_bot(make_settings(migrated_url, provinces_path=two_oas), FakePlatform()) as bot:
        tq = zalo_body("246845883529197931", "zmsg_tq", SCAM_TEXT, oa_id="579745863508352885")
        ct = zalo_body("246845883529197932", "zmsg_ct", SCAM_TEXT)
        assert (await bot.zalo(tq)).status_code == 200
        assert (await bot.zalo(ct)).status_code == 200
        assert await wait_until(
            lambda: (
                bot.platform.zalo_sends("246845883529197931")
                and bot.platform.zalo_sends("246845883529197932")
            )
        )
        tq_sends = bot.platform.zalo_sends("246845883529197931")
        ct_sends = bot.platform.zalo_sends("246845883529197932")
        assert {c.headers["access_token"] for c in tq_sends} == {"access-token-of-the-tuyen-quang-oa"}
        assert {c.headers["access_token"] for c in ct_sends} == {ZALO_TOKEN}
        assert TUYEN_QUANG_HOTLINE in " ".join(c.body["message"]["text"] for c in tq_sends)
        assert CAN_THO_HOTLINE in " ".join(c.body["message"]["text"] for c in ct_sends)


async def test_domain_verification_meta_tag_and_file(migrated_url: str):
    settings = make_settings(migrated_url, zalo_site_verification="AbC123xyz")
    async with running_bot(settings, FakePlatform()) as bot:
        page = await bot.client.get("/")
        assert '<meta name="zalo-platform-site-verification" content="AbC123xyz" />' in page.text
        file = await bot.client.get("/zalo_verifierAbC123xyz.html")
        assert file.status_code == 200
        assert 'content="AbC123xyz"' in file.text
        assert (await bot.client.get("/zalo_verifierOther.html")).status_code == 404


async def test_no_verification_tag_unless_configured(bot: Bot):
    page = await bot.client.get("/")
    assert "zalo-platform-site-verification" not in page.text
    assert (await bot.client.get("/zalo_verifier.html")).status_code == 404
