"""Fixtures for the checks tests: a citizen asking the shared conversation about a number."""

from __future__ import annotations

import pytest
from citizens import Citizen
from sqlalchemy import Engine as Database

from app.conversation.responder import Responder


@pytest.fixture
def citizen(bot_engine: Responder, db_engine: Database) -> Citizen:
    return Citizen(bot_engine, db_engine, user_id="checks-citizen-1")
