"""What the app factory builds once per process, and the typed dependency routes use to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import httpx
from fastapi import Depends, Request
from sqlalchemy import Engine as Database

from app.contracts.channel import Channel
from app.conversation.responder import Responder
from app.ops.metrics import Metrics
from app.provinces import Provinces
from app.settings import Settings

if TYPE_CHECKING:
    from app.db import SqliteCheckpointer
    from app.http.limits import SharedRateLimiter
    from app.inbox.service import InboxRecorder
    from app.runtime import Worker
    from app.runtime.pictures import Pictures

__all__ = [
    "AppState",
    "ChannelsDep",
    "DatabaseDep",
    "MetricsDep",
    "ProvincesDep",
    "ResponderDep",
    "SettingsDep",
    "State",
    "get_state",
    "state_of",
]


@dataclass
class AppState:
    """Everything the routes and the worker share; built and torn down by the app's lifespan."""

    settings: Settings
    db: Database
    responder: Responder  # the conversation
    provinces: Provinces
    http: httpx.AsyncClient  # the one client every platform call goes through
    channels: dict[str, Channel]
    inbox: InboxRecorder
    worker: Worker
    metrics: Metrics
    checkpointer: SqliteCheckpointer
    web_limiter: SharedRateLimiter  # per client address and per session, for the web chat
    pictures: Pictures  # fetching and reading the screenshots citizens send


def state_of(request: Request) -> AppState:
    """The app's state, for the webhook hot path (where dependency resolution is a measurable cost)."""
    state: AppState = request.app.state.canhgiac
    return state


async def get_state(request: Request) -> AppState:
    # async on purpose: FastAPI runs plain `def` dependencies in a thread pool, a hop per request.
    return state_of(request)


State = Annotated[AppState, Depends(get_state)]


# Narrow dependencies: a route names what it uses, not the whole container. All async: FastAPI runs
# plain `def` dependencies in a thread pool.
async def _settings(request: Request) -> Settings:
    return state_of(request).settings


async def _database(request: Request) -> Database:
    return state_of(request).db


async def _provinces(request: Request) -> Provinces:
    return state_of(request).provinces


async def _responder(request: Request) -> Responder:
    return state_of(request).responder


async def _metrics(request: Request) -> Metrics:
    return state_of(request).metrics


async def _channels(request: Request) -> dict[str, Channel]:
    return state_of(request).channels


SettingsDep = Annotated[Settings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
ProvincesDep = Annotated[Provinces, Depends(_provinces)]
ResponderDep = Annotated[Responder, Depends(_responder)]
MetricsDep = Annotated[Metrics, Depends(_metrics)]
ChannelsDep = Annotated[dict[str, Channel], Depends(_channels)]
