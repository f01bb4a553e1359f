"""Pictures citizens send: fetched from the platform's CDN when the event arrives, read off the event
loop, and turned into text the conversation answers like a typed message.

Only hosts in `CANHGIAC_MEDIA_HOSTS` are fetched (a redirect elsewhere is not followed), only image
content types, at most `CANHGIAC_MEDIA_MAX_BYTES`. Whatever goes wrong becomes a status on the
message (`ImageText.status`), which the conversation answers politely: never an exception.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import httpx

from app.contracts import ImageText, IncomingMessage
from app.vision import ImageRefused, PoolBusy, Reading, ReadingPool, TesseractMissing, available

__all__ = ["MediaRefused", "Pictures", "image_text", "message_with_image"]

log = logging.getLogger(__name__)

_MAX_PICTURES = 3  # per message; an album of twenty is not read twenty times
_MAX_REDIRECTS = 3
UNCLEAR = "(chưa rõ)"  # stands in the analysed text for a number or link the reading is unsure of


class MediaRefused(Exception):
    """The picture was not fetched or not kept; `status` says why (an `ImageText` status)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def image_text(reading: Reading) -> ImageText:
    """The reading as the conversation sees it."""
    return ImageText(
        status="read" if reading.enough else "little",
        text=reading.text,
        confidence=reading.confidence,
        uncertain=tuple(u.read for u in reading.uncertain),
        digest=reading.digest,
        own="\n".join(b.text for b in reading.bubbles if b.side == "right"),
    )


def message_with_image(message: IncomingMessage, image: ImageText) -> IncomingMessage:
    """`message` with the picture's text after its caption (unsure numbers and links left out:
    the citizen confirms them first), and the marker that it came from a picture."""
    text = message.text
    if image.read:
        read = image.text
        for token in image.uncertain:
            read = read.replace(token, UNCLEAR)
        text = "\n".join(part for part in (message.text or "", read) if part.strip())
        own = "\n".join(part for part in (message.text or "", image.own) if part.strip())
        image = dataclasses.replace(image, own=own)
    return dataclasses.replace(message, text=text, image=image, media=())


class Pictures:
    """Fetching and reading pictures for one process."""

    def __init__(self, *, http: httpx.AsyncClient, hosts: str, max_bytes: int, workers: int = 2) -> None:
        self._http = http
        self.hosts = tuple(h.strip().lower().lstrip(".") for h in hosts.split(",") if h.strip())
        self.max_bytes = max_bytes
        self.enabled = available()
        self._pool = ReadingPool(workers=workers, waiting=workers * 4) if self.enabled else None
        if not self.enabled:
            log.warning(
                "OCR is off: pictures get a request to type their content. To read screenshots, install "
                "Tesseract with its Vietnamese model (Debian: apt-get install tesseract-ocr "
                "tesseract-ocr-vie tesseract-ocr-script-viet) and restart."
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def allowed(self, url: str) -> bool:
        """Whether `url` is an http(s) address on one of the media hosts (or a subdomain of one)."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        host = (parsed.host or "").lower().rstrip(".")
        if parsed.scheme not in ("http", "https") or not host or parsed.userinfo:
            return False
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    async def fetch(self, url: str) -> bytes:
        """The picture's bytes. Raises `MediaRefused`."""
        for _ in range(_MAX_REDIRECTS + 1):
            if not self.allowed(url):
                log.info("picture on a host outside CANHGIAC_MEDIA_HOSTS not fetched")
                raise MediaRefused("blocked")
            try:
                async with self._http.stream("GET", url, follow_redirects=False) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = str(response.url.join(response.headers["location"]))
                        continue
                    if response.status_code != 200:
                        raise MediaRefused("failed")
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if not kind.startswith("image/"):
                        raise MediaRefused("refused")
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > self.max_bytes:
                        raise MediaRefused("too_large")
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise MediaRefused("too_large")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.HTTPError as exc:
                log.info("picture download failed: %s", type(exc).__name__)
                raise MediaRefused("failed") from None
        raise MediaRefused("blocked")

    async def read(self, data: bytes) -> ImageText:
        """What the picture says, as a status and text; never raises."""
        if self._pool is None:
            return ImageText("off")
        if len(data) > self.max_bytes:
            return ImageText("too_large")
        try:
            return image_text(await self._pool.read(data))
        except ImageRefused:
            return ImageText("refused")
        except (PoolBusy, TesseractMissing):
            return ImageText("failed")
        except Exception:  # a reading bug must not lose the message
            log.exception("reading a picture failed")
            return ImageText("failed")

    async def _one(self, url: str) -> ImageText:
        if self._pool is None:
            return ImageText("off")
        try:
            data = await self.fetch(url)
        except MediaRefused as refused:
            return ImageText(refused.status)
        return await self.read(data)

    async def attach(self, message: IncomingMessage) -> IncomingMessage:
        """`message` with its pictures read (the first few); unchanged when it has none."""
        if not message.media or message.image is not None:
            return message
        images = await asyncio.gather(*(self._one(url) for url in message.media[:_MAX_PICTURES]))
        read = [image for image in images if image.read]
        if not read:
            return message_with_image(message, images[0])
        if len(read) == 1:
            return message_with_image(message, read[0])
        merged = ImageText(
            "read",
            text="\n".join(image.text for image in read),
            confidence=min(image.confidence for image in read),
            uncertain=tuple(token for image in read for token in image.uncertain),
            digest=read[0].digest,
            own="\n".join(image.own for image in read if image.own),
        )
        return message_with_image(message, merged)
