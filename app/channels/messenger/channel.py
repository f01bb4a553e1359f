"""Messenger as a `Channel`: the app secret signs webhooks, page tokens send replies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import httpx

from app.channels.messenger import parse as parsing
from app.channels.messenger.client import MessengerClient
from app.channels.messenger.verify import SIGNATURE_HEADER, signature_ok
from app.contracts import IncomingMessage, Reply
from app.contracts.channel import Channel
from app.settings import Settings

__all__ = ["MessengerChannel"]


class MessengerChannel(Channel):
    name: ClassVar[str] = "messenger"
    ack_body: ClassVar[str] = "EVENT_RECEIVED"

    def __init__(
        self, settings: Settings, http: httpx.AsyncClient, *, page_tokens: Mapping[str, str]
    ) -> None:
        self._app_secret = settings.fb_app_secret.get_secret_value() if settings.fb_app_secret else ""
        self.verify_token = settings.fb_verify_token.get_secret_value() if settings.fb_verify_token else ""
        default_token = settings.fb_page_token.get_secret_value() if settings.fb_page_token else None
        self._has_token = bool(default_token or page_tokens)
        self._app_id = settings.fb_app_id
        self.client = MessengerClient(
            http, api_base=settings.fb_api_base, page_tokens=page_tokens, default_token=default_token
        )

    @property
    def missing(self) -> list[str]:
        names = []
        if not self._app_secret:
            names.append("CANHGIAC_FB_APP_SECRET")
        if not self.verify_token:
            names.append("CANHGIAC_FB_VERIFY_TOKEN")
        if not self._has_token:
            names.append("CANHGIAC_FB_PAGE_TOKEN (or per-page tokens in provinces.yaml)")
        return names

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        return bool(self._app_secret) and signature_ok(
            raw, headers.get(SIGNATURE_HEADER), app_secret=self._app_secret
        )

    def parse(self, raw: bytes) -> list[IncomingMessage]:
        return parsing.parse(raw, app_id=self._app_id)

    async def send(self, *, channel_id: str, user_id: str, reply: Reply) -> str | None:
        return await self.client.send(page_id=channel_id, user_id=user_id, reply=reply)
