"""The FastAPI app factory: `uvicorn --factory app.main:create_app` (what `canhgiac serve` runs).

Everything is built in the lifespan, once per process: settings, the database engine, the
conversation engine, one shared HTTP client for every platform call, the channels, the inbox
recorder and the background worker. Tests pass their own settings, a fake platform transport and
faster worker timings.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

import httpx
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.types import Receive, Scope, Send

from app.channels.messenger.channel import MessengerChannel
from app.channels.registry import ChannelContext, build_channels, channel_routers, platform_client
from app.console.conversation_views import router as conversations_router
from app.console.views import router as console_router
from app.contracts import IncomingMessage
from app.contracts.channel import Channel
from app.conversation.responder import Responder
from app.db import SqliteCheckpointer, make_engine
from app.http.admin import router as tips_router
from app.http.limits import SharedRateLimiter
from app.http.ops import router as ops_router
from app.http.security import SecurityHeaders, validation_error_handler
from app.http.state import AppState
from app.http.webhooks import answer_directly
from app.http.webhooks import router as webhooks_router
from app.inbox.service import InboxRecorder
from app.nlu.analyzer import Analysis, Analyzer
from app.ops.metrics import Metrics
from app.runtime import Worker, WorkerOptions
from app.runtime.pictures import Pictures
from app.sender_main import sender_command
from app.settings import Settings
from app.unmatched.service import keep_unmatched

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _observer(metrics: Metrics) -> Callable[[Analysis, float], None]:
    def observe(analysis: Analysis, seconds: float) -> None:
        metrics.matcher_seconds.observe(seconds)
        if analysis.tactic:
            metrics.tactics_matched.labels(analysis.tactic).inc()

    return observe


def _handover(
    settings: Settings, channels: dict[str, Channel], loop: asyncio.AbstractEventLoop
) -> Callable[[IncomingMessage], None] | None:
    """With a handover target set, a Messenger citizen asking for a person is also passed to that
    app (the Page inbox). Called from the answering thread; the call runs on the event loop."""
    target = settings.fb_handover_target_app_id
    channel = channels.get("messenger")
    if not target or not isinstance(channel, MessengerChannel):
        return None
    client = channel.client
    pending: set[concurrent.futures.Future[bool]] = set()

    def passed(message: IncomingMessage) -> None:
        if message.channel != "messenger":
            return
        call = client.pass_thread_control(
            page_id=message.channel_id, user_id=message.user_id, target_app_id=target
        )
        future = asyncio.run_coroutine_threadsafe(call, loop)
        pending.add(future)
        future.add_done_callback(pending.discard)

    return passed


async def _build(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    options: WorkerOptions | None,
    analyzer: Analyzer | None,
) -> AppState:
    metrics = Metrics()
    engine = await asyncio.to_thread(partial(Responder.from_settings, settings, analyzer=analyzer))
    engine.on_analysis = _observer(metrics)
    engine.on_understood = keep_unmatched
    db = make_engine(settings.database_url)
    checkpointer = SqliteCheckpointer(db)
    http = platform_client(transport)
    channels = build_channels(ChannelContext(settings, http, db, engine.provinces, os.environ))
    engine.handoffs.on_request = _handover(settings, channels, asyncio.get_running_loop())
    inbox = InboxRecorder(db)
    pictures = Pictures(
        http=http,
        hosts=settings.media_hosts,
        max_bytes=settings.media_max_bytes,
        workers=settings.ocr_workers,
    )
    options = options or WorkerOptions()
    # A sender process builds its own network client: not with a transport given in-process.
    sender = sender_command(settings, options) if settings.delivery_process and transport is None else None
    worker = Worker(
        db=db,
        engine=engine,
        channels=channels,
        metrics=metrics,
        options=options,
        inbox=inbox,
        pictures=pictures,
        sender=sender,
    )
    return AppState(
        settings=settings,
        db=db,
        responder=engine,
        provinces=engine.provinces,
        http=http,
        channels=channels,
        inbox=inbox,
        worker=worker,
        metrics=metrics,
        checkpointer=checkpointer,
        web_limiter=SharedRateLimiter(settings.web_rate_per_minute, db),
        pictures=pictures,
    )


class _App(FastAPI):
    """The app, with the webhooks' short way in (`answer_directly`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not await answer_directly(self, scope, receive, send):
            await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    worker_options: WorkerOptions | None = None,
    analyzer: Analyzer | None = None,
) -> FastAPI:
    """The web service. `transport` replaces the network for platform calls (tests, benchmarks);
    `analyzer`, one built from the same settings' catalogue and intents, is shared instead of rebuilt."""
    # httpx logs each request URL at INFO, and Graph URLs carry the page token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    settings = settings or Settings()
    resolved = settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = await _build(resolved, transport, worker_options, analyzer)
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
            state.pictures.close()
            await state.http.aclose()
            await state.checkpointer.stop()
            state.db.dispose()

    # The interactive API docs describe every endpoint: only in development.
    docs = settings.env.strip().lower() == "development"
    app = _App(
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
    app.include_router(webhooks_router)
    for router in channel_routers():
        app.include_router(router)
    app.include_router(ops_router)
    app.include_router(tips_router)
    app.include_router(conversations_router)
    app.include_router(console_router)
    return app
