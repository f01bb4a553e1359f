"""What the app factory builds once per process, and the typed dependency routes use to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import httpx
from fastapi import Depends, Request
from sqlalchemy import Engine as Database

from app.conversation.engine import Engine
from app.ops.metrics import Metrics
from app.provinces import Provinces
from app.settings import Settings

if TYPE_CHECKING:
    from app.channels.base import Channel
    from app.inbox.service import InboxRecorder
    from app.ops.security import RateLimiter
    from app.runtime import Worker
    from app.storage import SqliteCheckpointer

__all__ = ["AppState", "State", "get_state", "state_of"]


@dataclass
class AppState:
    """Everything the routes and the worker share; built and torn down by the app's lifespan."""

    settings: Settings
    db: Database
    engine: Engine  # the conversation engine
    provinces: Provinces
    http: httpx.AsyncClient  # the one client every platform call goes through
    channels: dict[str, Channel]
    inbox: InboxRecorder
    worker: Worker
    metrics: Metrics
    checkpointer: SqliteCheckpointer
    web_limiter: RateLimiter  # per client address and per session, for POST /api/chat


def state_of(request: Request) -> AppState:
    """The app's state, for the webhook hot path (where dependency resolution is a measurable cost)."""
    state: AppState = request.app.state.canhgiac
    return state


async def get_state(request: Request) -> AppState:
    # async on purpose: FastAPI runs plain `def` dependencies in a thread pool, a hop per request.
    return state_of(request)


State = Annotated[AppState, Depends(get_state)]
