"""Fixtures for the channel tests (helpers live in channel_support.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from channel_support import Bot, FakePlatform, make_settings, running_bot

from app.db import upgrade


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
