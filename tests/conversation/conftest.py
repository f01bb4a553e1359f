"""Fixtures for the conversation tests: one engine per session, citizens talking to it."""

from __future__ import annotations

import itertools

import pytest
from conversation_support import Citizen
from sqlalchemy import Engine as Database

from app.conversation.responder import Responder
from app.settings import PROJECT_ROOT, Settings

_users = itertools.count(1)


@pytest.fixture(scope="session")
def conv_engine() -> Responder:
    """The real engine (catalogue, intents, provinces), built once."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        catalog_path=PROJECT_ROOT / "scam_catalog.yaml",
        intents_dir=PROJECT_ROOT / "intents",
        provinces_path=PROJECT_ROOT / "provinces.yaml",
        default_province="can-tho",
    )
    return Responder.from_settings(settings)


@pytest.fixture
def citizen(conv_engine: Responder, db_engine: Database) -> Citizen:
    return Citizen(conv_engine, db_engine, user_id=f"nguoi-dan-{next(_users)}")


@pytest.fixture
def make_citizen(conv_engine: Responder, db_engine: Database):
    def make(user_id: str, channel: str = "web") -> Citizen:
        return Citizen(conv_engine, db_engine, user_id=user_id, channel=channel)

    return make
