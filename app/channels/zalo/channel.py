"""Zalo OA as a `Channel`: the OA secret signs webhooks, OA access tokens send replies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import httpx
from sqlalchemy import Engine

from app.channels.zalo import parse as parsing
from app.channels.zalo.client import ZaloClient
from app.channels.zalo.tokens import DEFAULT_KEY, TokenSeed, ZaloTokenStore
from app.channels.zalo.verify import SIGNATURE_HEADER, signature_ok
from app.contracts import IncomingMessage, Reply
from app.contracts.channel import Channel
from app.settings import Settings

__all__ = ["ZaloChannel"]


class ZaloChannel(Channel):
    name: ClassVar[str] = "zalo"
    bad_signature_status: ClassVar[int] = 401

    def __init__(
        self, settings: Settings, http: httpx.AsyncClient, db: Engine, *, oa_seeds: Mapping[str, TokenSeed]
    ) -> None:
        self._app_id = settings.zalo_app_id or ""
        self._max_age = float(settings.zalo_max_event_age_seconds)
        self._oa_secret = settings.zalo_oa_secret.get_secret_value() if settings.zalo_oa_secret else ""
        seeds = dict(oa_seeds)
        if settings.zalo_access_token:
            refresh = settings.zalo_refresh_token.get_secret_value() if settings.zalo_refresh_token else None
            seeds[DEFAULT_KEY] = TokenSeed(settings.zalo_access_token.get_secret_value(), refresh)
        self.tokens = ZaloTokenStore(
            db,
            http,
            oauth_base=settings.zalo_oauth_base,
            app_id=settings.zalo_app_id,
            app_secret=settings.zalo_app_secret.get_secret_value() if settings.zalo_app_secret else None,
            seeds=seeds,
        )
        self.buttons = settings.zalo_buttons  # otherwise the options are typed at the end of the text
        self.client = ZaloClient(
            http, api_base=settings.zalo_api_base, tokens=self.tokens, buttons=settings.zalo_buttons
        )

    @property
    def missing(self) -> list[str]:
        names = []
        if not self._app_id:
            names.append("CANHGIAC_ZALO_APP_ID")
        if not self._oa_secret:
            names.append("CANHGIAC_ZALO_OA_SECRET")
        if not self.tokens.has_tokens:
            names.append("CANHGIAC_ZALO_ACCESS_TOKEN (or per-OA tokens in provinces.yaml)")
        return names

    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        if not (self._app_id and self._oa_secret):
            return False
        return signature_ok(
            raw, headers.get(SIGNATURE_HEADER), app_id=self._app_id, oa_secret=self._oa_secret
        )

    def parse(self, raw: bytes) -> list[IncomingMessage]:
        return parsing.parse(raw, max_age_seconds=self._max_age)

    async def send(self, *, channel_id: str, user_id: str, reply: Reply) -> str | None:
        return await self.client.send_text(
            oa_id=channel_id, user_id=user_id, text=reply.text, options=reply.quick_replies
        )
