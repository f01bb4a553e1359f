"""Helpers for the console tests: an app on loopback, officers, signing in through the form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from channel_support import shared_analyzer
from sqlalchemy import Engine as Database

from app.console.accounts import add_officer
from app.console.models import Role
from app.db import transaction
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from app.tips.service import NewTip, create_tip

PASSWORD = "mật-khẩu-thử-1234"  # fictional
DAY = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def settings_for(database_url: str, **values: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        catalog_path=PROJECT_ROOT / "scam_catalog.yaml",
        intents_dir=PROJECT_ROOT / "intents",
        provinces_path=PROJECT_ROOT / "provinces.yaml",
        **{"pseudonym_key": "console-test-key", **values},
    )


@asynccontextmanager
async def console_app(database_url: str, **values: object) -> AsyncIterator[ConsoleApp]:
    settings = settings_for(database_url, **values)
    app = create_app(settings, analyzer=shared_analyzer(settings))
    async with app.router.lifespan_context(app):
        yield ConsoleApp(app)


class ConsoleApp:
    def __init__(self, app: object) -> None:
        self.app = app

    def client(self, base_url: str = "http://127.0.0.1") -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=base_url)  # type: ignore[arg-type]


def officer(db: Database, username: str, role: Role, province: str | None = "can-tho") -> str:
    with transaction(db) as session:
        add_officer(session, username=username, password=PASSWORD, role=role, province=province)
    return username


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/console/login")
    assert page.status_code == 200
    return await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


async def signed_in(client: httpx.AsyncClient, username: str) -> str:
    """Sign in; the session's CSRF token."""
    done = await sign_in(client, username)
    assert done.status_code == 303, done.text
    home = await client.get("/console/")
    assert home.status_code == 200
    return csrf_of(home.text)


def tip(
    db: Database, *, prefix: str = "CT", province: str = "can-tho", when: dt.datetime = DAY, **facts: object
) -> str:
    values: dict[str, object] = {"province": province, "channel": "web", "reporter_id": "citizen-7"}
    values.update(facts)
    with transaction(db) as session:
        stored = create_tip(session, tip=NewTip(**values), ref_prefix=prefix, now=when)  # type: ignore[arg-type]
    return stored.ref_code
