"""The web chat page and POST /api/chat: the same engine, any province, clear answers to bad input."""

from __future__ import annotations

import re

import pytest
from channel_support import CAN_THO_HOTLINE, SCAM_TEXT, TUYEN_QUANG_HOTLINE, Bot

from app.conversation.responder import EMPTY


async def test_the_page_is_vietnamese_lists_the_provinces_and_loads_nothing_external(bot: Bot):
    page = await bot.client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert '<option value="can-tho" selected>Công an thành phố Cần Thơ</option>' in html
    assert '<option value="tuyen-quang">Công an tỉnh Tuyên Quang</option>' in html
    assert "Gửi" in html
    for asset in ("/static/chat.js", "/static/chat.css"):
        response = await bot.client.get(asset)
        assert response.status_code == 200
        assert "charset=utf-8" in response.headers["content-type"]
        assert not re.search(r"https?://", response.text), f"{asset} must not load anything from elsewhere"
    assert not re.search(r"(src|href)=\"https?://", html)
    assert (await bot.client.get("/static/../main.py")).status_code == 404
    assert (await bot.client.get("/static/index.html")).status_code == 404


@pytest.mark.parametrize(
    ("province", "hotline"), [("can-tho", CAN_THO_HOTLINE), ("tuyen-quang", TUYEN_QUANG_HOTLINE)]
)
async def test_a_scam_description_gets_the_warning_with_the_province_hotline(
    bot: Bot, province: str, hotline: str
):
    response = await bot.client.post(
        "/api/chat", json={"user_id": "web-1", "text": SCAM_TEXT, "province": province}
    )
    assert response.status_code == 200
    replies = response.json()["replies"]
    text = " ".join(r["text"] for r in replies)
    assert "Giả danh công an" in text
    assert hotline in text
    assert replies[-1]["quick_replies"]
    assert all(set(q) == {"title", "payload"} for q in replies[-1]["quick_replies"])


async def test_a_quick_reply_payload_is_understood(bot: Bot):
    response = await bot.client.post("/api/chat", json={"user_id": "web-2", "text": "ACTION:HOTLINE"})
    assert response.status_code == 200
    assert CAN_THO_HOTLINE in response.json()["replies"][0]["text"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user_id": "web-3", "text": "xin chào", "province": "ha-noi"}, 422),
        ({"user_id": "web-3", "text": "a" * 10_001}, 422),
        ({"user_id": "", "text": "xin chào"}, 422),
        ({"text": "xin chào"}, 422),
        ({"user_id": "web-3", "text": 5}, 422),
    ],
)
async def test_bad_requests_get_a_clear_422(bot: Bot, body: dict, status: int):
    response = await bot.client.post("/api/chat", json=body)
    assert response.status_code == status
    assert response.json()["detail"]


async def test_malformed_json_is_a_4xx_not_a_500(bot: Bot):
    response = await bot.client.post(
        "/api/chat", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("text", ["", "😀😀", "\u200b\u200b", "\u0000"])
async def test_empty_or_invisible_text_gets_a_polite_reply(bot: Bot, text: str):
    response = await bot.client.post("/api/chat", json={"user_id": "web-4", "text": text})
    assert response.status_code == 200
    assert response.json()["replies"][0]["text"] == EMPTY


@pytest.mark.parametrize(
    ("province", "hotline"),
    [
        ("soc-trang", CAN_THO_HOTLINE),
        ("hau-giang", CAN_THO_HOTLINE),
        ("Sóc Trăng", CAN_THO_HOTLINE),
        ("ha-giang", TUYEN_QUANG_HOTLINE),
        ("Ha Giang", TUYEN_QUANG_HOTLINE),
    ],
)
async def test_a_merged_province_routes_to_the_province_it_joined(bot: Bot, province: str, hotline: str):
    response = await bot.client.post(
        "/api/chat", json={"user_id": "web-merged", "text": SCAM_TEXT, "province": province}
    )
    assert response.status_code == 200
    text = " ".join(r["text"] for r in response.json()["replies"])
    assert hotline in text
    other = TUYEN_QUANG_HOTLINE if hotline == CAN_THO_HOTLINE else CAN_THO_HOTLINE
    assert other not in text
