"""Shared fixtures: databases (SQLite always; PostgreSQL when CANHGIAC_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import quote

import pytest
from channel_support import Bot, FakePlatform, make_settings, running_bot, shared_analyzer
from citizens import Citizen
from sqlalchemy import Engine

from app.conversation.responder import Responder
from app.db import make_engine, sqlalchemy_url, upgrade
from app.settings import PROJECT_ROOT, Settings

POSTGRES_ENV = "CANHGIAC_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's CANHGIAC_* settings or a .env file."""
    for key in list(os.environ):
        if key.startswith("CANHGIAC_") and key != POSTGRES_ENV:
            monkeypatch.delenv(key)
    monkeypatch.chdir(PROJECT_ROOT / "tests")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database of each kind; PostgreSQL gets a schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.db"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:12]}"
    plain = sqlalchemy_url(base).replace("postgresql+psycopg://", "postgresql://")
    # With the URL set, an unreachable server is a failure, not a skip.
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def bot_engine() -> Responder:
    """The real conversation (catalogue, intents, provinces, official domains), built once."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        catalog_path=PROJECT_ROOT / "scam_catalog.yaml",
        intents_dir=PROJECT_ROOT / "intents",
        provinces_path=PROJECT_ROOT / "provinces.yaml",
        default_province="can-tho",
    )
    return Responder.from_settings(settings, analyzer=shared_analyzer(settings))


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade(database_url)
    return database_url


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
async def bot(migrated_url: str, platform: FakePlatform) -> AsyncIterator[Bot]:
    async with running_bot(make_settings(migrated_url), platform) as running:
        yield running


@pytest.fixture
def citizen(bot_engine: Responder, db_engine: Engine) -> Citizen:
    """One citizen on the web chat, talking to the shared conversation on a fresh database."""
    return Citizen(bot_engine, db_engine, user_id="citizen-1")


@pytest.fixture
def make_citizen(bot_engine: Responder, db_engine: Engine) -> Callable[..., Citizen]:
    def make(user_id: str, channel: str = "web") -> Citizen:
        return Citizen(bot_engine, db_engine, user_id=user_id, channel=channel)

    return make
