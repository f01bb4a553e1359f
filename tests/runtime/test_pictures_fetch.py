"""Fetching pictures: the allow-list, the size bound, image types only, no redirect elsewhere."""

from __future__ import annotations

import httpx
import pytest

from app.contracts import ImageText, IncomingMessage
from app.runtime.pictures import UNCLEAR, MediaRefused, Pictures, message_with_image

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def pictures(handler, *, max_bytes: int = 1000) -> Pictures:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Pictures(http=client, hosts="fbcdn.net, zadn.vn,127.0.0.1", max_bytes=max_bytes, workers=1)


def test_only_listed_hosts_and_their_subdomains_are_allowed():
    p = pictures(lambda r: httpx.Response(200))
    assert p.allowed("https://scontent.xx.fbcdn.net/v/t1/1.jpg?oe=abc")
    assert p.allowed("https://photo-talk.zadn.vn/a.jpg")
    assert p.allowed("http://127.0.0.1:8123/a.png")
    for url in (
        "https://fbcdn.net.evil.example/a.jpg",
        "https://evilfbcdn.net/a.jpg",
        "ftp://fbcdn.net/a.jpg",
        "https://user:pw@fbcdn.net/a.jpg",
        "not a url",
        "",
    ):
        assert not p.allowed(url), url


async def test_too_large_not_an_image_and_redirects_elsewhere_are_refused():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/big.png":
            return httpx.Response(200, content=PNG * 20, headers={"content-type": "image/png"})
        if request.url.path == "/page":
            return httpx.Response(200, content=b"<html>", headers={"content-type": "text/html"})
        if request.url.path == "/away":
            return httpx.Response(302, headers={"location": "https://evil.example/x.png"})
        if request.url.path == "/here":
            return httpx.Response(302, headers={"location": "/ok.png"})
        if request.url.host == "evil.example":
            raise AssertionError("a host outside the list was fetched")
        return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})

    p = pictures(handler)
    base = "https://a.fbcdn.net"
    for path, status in (("/big.png", "too_large"), ("/page", "refused"), ("/away", "blocked")):
        with pytest.raises(MediaRefused) as refused:
            await p.fetch(base + path)
        assert refused.value.status == status
    assert await p.fetch(base + "/here") == PNG
    with pytest.raises(MediaRefused):
        await p.fetch("https://evil.example/x.png")


def test_unsure_numbers_are_left_out_of_the_text_the_engine_analyses():
    message = IncomingMessage("zalo", "oa", "u", "m1", text="xem giúp", attachments=("image",))
    image = ImageText("read", text="gọi 0912 345 678, STK 0451000123456", uncertain=("0451000123456",))
    out = message_with_image(message, image)
    assert out.text == f"xem giúp\ngọi 0912 345 678, STK {UNCLEAR}"
    assert out.image is not None and out.image.uncertain == image.uncertain
    assert out.image.own == "xem giúp"  # the caption is the citizen's own words
    little = message_with_image(message, ImageText("little", text="09:41"))
    assert little.text == "xem giúp"
