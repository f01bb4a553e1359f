"""Pictures through the channels: Zalo `user_send_image`, Messenger image attachments and the web
chat's upload, fetched from the fake CDN (the platform's MockTransport), read, and answered."""

from __future__ import annotations

import httpx
import pytest
from channel_support import Bot, fb_body, wait_until, zalo_body
from screens import SCAM_LINES, chat_screenshot, need_tesseract

ZALO_USER = "246845883529100001"
FB_USER = "6500000000000901"
CDN = "https://photo.cdn.test/s/"


def zalo_image(user: str, msg_id: str, url: str, caption: str | None = None) -> bytes:
    attachment = {"type": "image", "payload": {"thumbnail": url, "url": url}}
    return zalo_body(user, msg_id, caption, event="user_send_image", attachments=[attachment])


def fb_image(user: str, mid: str, url: str) -> bytes:
    return fb_body(user, mid, attachments=[{"type": "image", "payload": {"url": url}}])


async def zalo_reply(bot: Bot, user: str) -> str:
    assert await wait_until(lambda: bot.platform.zalo_sends(user), timeout=20)
    return str(bot.platform.zalo_sends(user)[0].body["message"]["text"])


async def fb_reply(bot: Bot, user: str) -> str:
    assert await wait_until(lambda: bot.platform.messenger_sends(user), timeout=20)
    return str(bot.platform.messenger_sends(user)[0].body["message"]["text"])


@pytest.mark.slow
async def test_a_zalo_screenshot_is_read_and_answered_like_typed_text(bot: Bot):
    need_tesseract()
    bot.platform.serve_file(CDN + "zalo-1.png", chat_screenshot(SCAM_LINES))
    response = await bot.zalo(zalo_image(ZALO_USER, "zimg_1", CDN + "zalo-1.png", caption="cái này là sao?"))
    assert response.status_code == 200
    text = await zalo_reply(bot, ZALO_USER)
    assert "Trong ảnh có" in text
    assert "0912 345 678" in text
    assert "45.000.000" in text
    assert "Giả danh công an" in text  # the tactic, as for the same words typed


@pytest.mark.slow
async def test_a_messenger_image_is_read_and_the_same_image_again_is_recognised(bot: Bot):
    need_tesseract()
    picture = chat_screenshot(SCAM_LINES)
    bot.platform.serve_file(CDN + "fb-1.png", picture)
    bot.platform.serve_file(CDN + "fb-2.jpg", picture, "image/jpeg")
    assert (await bot.messenger(fb_image(FB_USER, "m_pic_1", CDN + "fb-1.png"))).status_code == 200
    first = await fb_reply(bot, FB_USER)
    assert "Trong ảnh có" in first and "0912 345 678" in first
    assert (await bot.messenger(fb_image(FB_USER, "m_pic_2", CDN + "fb-2.jpg"))).status_code == 200
    assert await wait_until(lambda: len(bot.platform.messenger_sends(FB_USER)) >= 2, timeout=20)
    texts = [c.body["message"]["text"] for c in bot.platform.messenger_sends(FB_USER)]
    assert any("đã gửi trước đó" in t for t in texts[1:])


async def test_a_picture_on_a_host_not_allowed_is_never_fetched(bot: Bot):
    url = "https://evil.example/pic.png"
    bot.platform.serve_file(url, b"\x89PNG")
    assert (await bot.zalo(zalo_image(ZALO_USER + "2", "zimg_2", url))).status_code == 200
    text = await zalo_reply(bot, ZALO_USER + "2")
    assert "mô tả lại bằng lời" in text
    assert bot.platform.fetches("evil.example") == []


async def test_a_redirect_to_another_host_is_not_followed(bot: Bot):
    bot.platform.files[CDN + "moved.png"] = lambda request: httpx.Response(
        302, headers={"location": "https://evil.example/pic.png"}
    )
    assert (await bot.messenger(fb_image(FB_USER + "3", "m_pic_3", CDN + "moved.png"))).status_code == 200
    text = await fb_reply(bot, FB_USER + "3")
    assert "mô tả lại bằng lời" in text
    assert bot.platform.fetches("evil.example") == []


async def test_a_picture_over_the_limit_gets_a_polite_reply(bot: Bot):
    bot.platform.serve_file(CDN + "huge.png", b"\x89PNG" + b"\0" * (6 * 1024 * 1024))
    assert (await bot.zalo(zalo_image(ZALO_USER + "4", "zimg_4", CDN + "huge.png"))).status_code == 200
    text = await zalo_reply(bot, ZALO_USER + "4")
    assert "quá lớn" in text or "mô tả lại bằng lời" in text  # "quá lớn" once OCR is installed
    health = await bot.client.get("/healthz")
    assert health.status_code == 200


async def test_what_is_not_an_image_gets_a_polite_reply(bot: Bot):
    bot.platform.serve_file(CDN + "page.html", b"<html>hello</html>", "text/html")
    assert (await bot.messenger(fb_image(FB_USER + "5", "m_pic_5", CDN + "page.html"))).status_code == 200
    text = await fb_reply(bot, FB_USER + "5")
    assert "ảnh" in text


@pytest.mark.slow
async def test_the_web_chat_upload_answers_like_the_webhooks(bot: Bot):
    need_tesseract()
    files = {"file": ("screen.png", chat_screenshot(SCAM_LINES), "image/png")}
    response = await bot.client.post(
        "/api/chat/image", data={"user_id": "web-pic", "province": "can-tho"}, files=files
    )
    assert response.status_code == 200
    text = response.json()["replies"][0]["text"]
    assert "Trong ảnh có" in text and "0912 345 678" in text
    assert "Giả danh công an" in response.text


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"this is not a picture", "ảnh"), (b"\x89PNG" + b"\0" * (6 * 1024 * 1024), "quá lớn")],
)
async def test_the_web_chat_upload_refuses_politely(bot: Bot, content: bytes, expected: str):
    files = {"file": ("x.png", content, "image/png")}
    response = await bot.client.post(
        "/api/chat/image?user_id=web-bad&province=can-tho", data={"user_id": "web-bad"}, files=files
    )
    assert response.status_code == 200
    assert expected in response.json()["replies"][0]["text"]


async def test_the_web_chat_upload_without_a_file_is_a_clear_error(bot: Bot):
    response = await bot.client.post("/api/chat/image", data={"user_id": "web-bad"})
    assert response.status_code == 400
    response = await bot.client.post("/api/chat/image", content=b"garbage", headers={"content-type": "x/y"})
    assert response.status_code == 400


def test_the_parsers_keep_image_addresses_and_captions():
    from app.channels.messenger.parse import parse as parse_messenger
    from app.channels.zalo.parse import parse as parse_zalo

    [zalo] = parse_zalo(zalo_image(ZALO_USER, "zimg_p", CDN + "p.jpg", caption="xem giúp"))
    assert zalo.media == (CDN + "p.jpg",) and zalo.text == "xem giúp" and zalo.attachments == ("image",)
    raw = fb_body(
        FB_USER,
        "m_p",
        attachments=[
            {"type": "image", "payload": {"url": CDN + "a.jpg"}},
            {"type": "file", "payload": {"url": CDN + "b.pdf"}},
        ],
    )
    [fb] = parse_messenger(raw)
    assert fb.media == (CDN + "a.jpg",) and fb.attachments == ("image", "file")
