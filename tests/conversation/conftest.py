"""Fixtures for the conversation tests: citizens (a new one each time) talking to the shared engine."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from citizens import Citizen
from sqlalchemy import Engine as Database

from app.conversation.responder import Responder

_users = itertools.count(1)


@pytest.fixture
def citizen(bot_engine: Responder, db_engine: Database) -> Citizen:
    return Citizen(bot_engine, db_engine, user_id=f"nguoi-dan-{next(_users)}")


@pytest.fixture
def make_citizen(bot_engine: Responder, db_engine: Database) -> Callable[..., Citizen]:
    def make(user_id: str, channel: str = "web") -> Citizen:
        return Citizen(bot_engine, db_engine, user_id=user_id, channel=channel)

    return make
