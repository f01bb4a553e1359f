"""The FastAPI app factory: `uvicorn --factory app.main:create_app` (what `canhgiac serve` runs).

Everything is built in the lifespan, once per process: settings, the database engine, the
conversation engine, one shared HTTP client for every platform call, the channels, the inbox
recorder and the background worker. Tests pass their own settings, a fake platform transport and
faster worker timings.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from app.channels.base import Channel
from app.channels.messenger.channel import MessengerChannel
from app.channels.messenger.router import router as messenger_router
from app.channels.web.router import router as web_router
from app.channels.zalo.channel import ZaloChannel
from app.channels.zalo.router import router as zalo_router
from app.channels.zalo.tokens import TokenSeed
from app.console.unmatched import keep_unmatched
from app.console.views import router as console_router
from app.conversation.engine import Engine
from app.db import make_engine
from app.inbox.service import InboxRecorder
from app.nlu.analyzer import Analysis
from app.ops.metrics import Metrics
from app.ops.router import router as ops_router
from app.ops.security import RateLimiter, SecurityHeaders, validation_error_handler
from app.provinces import Provinces
from app.settings import Settings
from app.state import AppState
from app.storage import SqliteCheckpointer
from app.tips.views import router as tips_router
from app.worker import Worker, WorkerOptions

__all__ = ["channel_tokens", "create_app"]

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Few connections: httpx's per-request cost grows with the number of requests in flight.
HTTP_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=16)


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


def _observer(metrics: Metrics) -> Callable[[Analysis, float], None]:
    def observe(analysis: Analysis, seconds: float) -> None:
        metrics.matcher_seconds.observe(seconds)
        if analysis.tactic:
            metrics.tactics_matched.labels(analysis.tactic).inc()

    return observe


async def _build(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, options: WorkerOptions | None
) -> AppState:
    metrics = Metrics()
    engine = await asyncio.to_thread(Engine.from_settings, settings)
    engine.on_analysis = _observer(metrics)
    engine.on_understood = keep_unmatched
    db = make_engine(settings.database_url)
    checkpointer = SqliteCheckpointer(db)
    http = httpx.AsyncClient(
        transport=transport,
        timeout=HTTP_TIMEOUT,
        limits=HTTP_LIMITS,
        headers={"user-agent": "canhgiac-bot"},
        follow_redirects=False,
    )
    pages, oas = channel_tokens(engine.provinces, os.environ)
    channels: dict[str, Channel] = {
        "messenger": MessengerChannel(settings, http, page_tokens=pages),
        "zalo": ZaloChannel(settings, http, db, oa_seeds=oas),
    }
    for name, channel in channels.items():
        if channel.missing:
            log.warning("%s channel is off: missing %s", name, ", ".join(channel.missing))
    inbox = InboxRecorder(db)
    worker = Worker(db=db, engine=engine, channels=channels, metrics=metrics, options=options)
    return AppState(
        settings=settings,
        db=db,
        engine=engine,
        provinces=engine.provinces,
        http=http,
        channels=channels,
        inbox=inbox,
        worker=worker,
        metrics=metrics,
        checkpointer=checkpointer,
        web_limiter=RateLimiter(settings.web_rate_per_minute),
    )


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    worker_options: WorkerOptions | None = None,
) -> FastAPI:
    """The web service. `transport` replaces the network for platform calls (tests, benchmarks)."""
    # httpx logs each request URL at INFO, and Graph URLs carry the page token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    settings = settings or Settings()
    resolved = settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = await _build(resolved, transport, worker_options)
        state.checkpointer.start()
        state.inbox.start()
        await state.worker.start()
        app.state.canhgiac = state
        # Everything built so far lives as long as the process: keep it out of garbage collection,
        # whose full passes over the catalogue and analyser otherwise stall the loop ~100 ms a second
        # under load. Unfrozen at shutdown, so apps built and stopped in one process (tests) are freed.
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await state.inbox.stop()
            await state.worker.stop()
            for channel in state.channels.values():
                await channel.aclose()
            await state.http.aclose()
            await state.checkpointer.stop()
            state.db.dispose()

    # The interactive API docs describe every endpoint: only in development.
    docs = settings.env.strip().lower() == "development"
    app = FastAPI(
        title="Cảnh Giác",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_middleware(SecurityHeaders)
    # Webhooks first: routes are matched in order, and they carry the load.
    app.include_router(messenger_router)
    app.include_router(zalo_router)
    app.include_router(web_router)
    app.include_router(ops_router)
    app.include_router(tips_router)
    app.include_router(console_router)
    return app
