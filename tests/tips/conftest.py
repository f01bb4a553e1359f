"""Fixtures for the tips tests: one conversation engine per session, citizens talking to it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine as Database
from tips_support import Citizen

from app.conversation.responder import Responder
from app.settings import PROJECT_ROOT, Settings


@pytest.fixture(scope="session")
def bot_engine() -> Responder:
    """The real engine (catalogue, intents, provinces, official domains), built once."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        catalog_path=PROJECT_ROOT / "scam_catalog.yaml",
        intents_dir=PROJECT_ROOT / "intents",
        provinces_path=PROJECT_ROOT / "provinces.yaml",
        default_province="can-tho",
    )
    return Responder.from_settings(settings)


@pytest.fixture
def citizen(bot_engine: Responder, db_engine: Database) -> Citizen:
    return Citizen(bot_engine, db_engine, user_id="citizen-1")
