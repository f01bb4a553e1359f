"""Every chat platform the bot serves, by slug: how to build its `Channel` and the routes it adds.

The app factory builds every registered channel and mounts its routes; the events of all of them
arrive at the one shared webhook (`POST /webhooks/{slug}`, `app.http.webhooks`). A new platform is
a folder (parse, verify, send) and one entry here.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import aiohttp
import httpx
from fastapi import APIRouter
from httpx_aiohttp import AiohttpTransport
from sqlalchemy import Engine as Database

from app.channels.messenger.channel import MessengerChannel
from app.channels.messenger.router import router as messenger_router
from app.channels.web.router import router as web_router
from app.channels.web.upload import router as web_upload_router
from app.channels.zalo.channel import ZaloChannel
from app.channels.zalo.router import router as zalo_router
from app.channels.zalo.tokens import TokenSeed
from app.contracts.channel import Channel
from app.provinces import Provinces
from app.settings import Settings

__all__ = [
    "REGISTRY",
    "ChannelContext",
    "ChannelEntry",
    "PlatformTransport",
    "build_channels",
    "channel_routers",
    "channel_tokens",
    "platform_client",
]

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# As many connections as sends in flight (`WorkerOptions.max_concurrent_sends`).
HTTP_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=64)


class PlatformTransport(AiohttpTransport):
    """httpx's interface over aiohttp's connection pool (httpx-aiohttp).

    httpcore's pool costs about twice the CPU per request (520 against 280 µs for a platform-sized
    send on loopback), and a sender process spends most of its time there. Callers see only httpx's
    exception tree: what httpx-aiohttp leaves unmapped (a malformed answer) is a protocol error.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as exc:
            # httpx-aiohttp calls every lost connection a connect timeout: name the two usual ones.
            cause = exc.__cause__
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ServerDisconnectedError):
                raise httpx.RemoteProtocolError(str(cause), request=request) from cause
            raise
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc


def platform_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The one HTTP client of a process for every platform call; `transport` replaces the network.

    Behind a proxy set in the environment (HTTPS_PROXY…), httpx's own transport: httpx honours
    those variables only when it builds the transport itself.
    """
    proxied = any(scheme != "no" for scheme in urllib.request.getproxies())
    if transport is None and not proxied:
        transport = PlatformTransport(limits=HTTP_LIMITS)
    return httpx.AsyncClient(
        transport=transport,
        timeout=HTTP_TIMEOUT,
        limits=HTTP_LIMITS,
        headers={"user-agent": "canhgiac-bot"},
        follow_redirects=False,
    )


@dataclass(frozen=True, slots=True)
class ChannelContext:
    """What a channel may need to build itself."""

    settings: Settings
    http: httpx.AsyncClient  # the one client every platform call goes through
    db: Database
    provinces: Provinces
    environ: Mapping[str, str]  # per-page / per-OA tokens named in provinces.yaml


@dataclass(frozen=True, slots=True)
class ChannelEntry:
    slug: str
    build: Callable[[ChannelContext], Channel]
    router: APIRouter | None = None  # routes beyond the shared webhook (handshakes, verification)


def channel_tokens(
    provinces: Provinces, environ: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, TokenSeed]]:
    """Per-page Messenger tokens and per-OA Zalo token pairs named in provinces.yaml.

    `tokens: {<page or OA id>: <ENV_NAME>}`; a Zalo OA's refresh token is read from `<ENV_NAME>_REFRESH`.
    """
    pages: dict[str, str] = {}
    oas: dict[str, TokenSeed] = {}
    for province in provinces.provinces:
        for channel_id, variable in province.tokens.items():
            value = environ.get(variable)
            if not value:
                log.warning("%s: token variable %s for %s is not set", province.id, variable, channel_id)
                continue
            is_oa = channel_id in province.zalo_oa_ids
            is_page = channel_id in province.messenger_page_ids
            if is_oa or not is_page:
                oas[channel_id] = TokenSeed(value, environ.get(f"{variable}_REFRESH") or None)
            if is_page or not is_oa:
                pages[channel_id] = value
    return pages, oas


def _messenger(context: ChannelContext) -> Channel:
    pages, _ = channel_tokens(context.provinces, context.environ)
    return MessengerChannel(context.settings, context.http, page_tokens=pages)


def _zalo(context: ChannelContext) -> Channel:
    _, oas = channel_tokens(context.provinces, context.environ)
    return ZaloChannel(context.settings, context.http, context.db, oa_seeds=oas)


REGISTRY: tuple[ChannelEntry, ...] = (
    ChannelEntry("messenger", _messenger, messenger_router),
    ChannelEntry("zalo", _zalo, zalo_router),
)


def build_channels(context: ChannelContext) -> dict[str, Channel]:
    """Every registered channel by slug; a channel missing its secrets is built switched off."""
    channels = {entry.slug: entry.build(context) for entry in REGISTRY}
    for slug, channel in channels.items():
        if channel.missing:
            log.warning("%s channel is off: missing %s", slug, ", ".join(channel.missing))
    return channels


def channel_routers() -> list[APIRouter]:
    """The channels' own routes, then the web chat (which answers in the request, not via a webhook)."""
    return [entry.router for entry in REGISTRY if entry.router is not None] + [web_router, web_upload_router]
