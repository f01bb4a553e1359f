"""The admin export endpoints: token checks (404 / 401 / 200), filters, formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import openpyxl
from citizens import add_tip
from sqlalchemy import Engine as Database

from app.main import create_app
from app.settings import Settings

TOKEN = "admin-token-for-tests"
DAY = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


@asynccontextmanager
async def admin_client(database_url: str, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(_env_file=None, database_url=database_url, **settings))  # type: ignore[call-arg]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
            yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_without_a_configured_token_the_endpoints_do_not_exist(database_url: str, db_engine: Database):
    async with admin_client(database_url) as client:
        for path in ("/admin/tips.csv", "/admin/tips.xlsx", "/admin/tips.jsonl"):
            assert (await client.get(path, headers=bearer("anything"))).status_code == 404


async def test_a_missing_or_wrong_token_is_refused(database_url: str, db_engine: Database):
    add_tip(db_engine, when=DAY, phones=["+84912345678"])
    async with admin_client(database_url, admin_token=TOKEN) as client:
        for headers in (
            {},
            bearer("wrong"),
            bearer(TOKEN + "x"),
            {"authorization": TOKEN},
            {"authorization": "Basic x"},
        ):
            response = await client.get("/admin/tips.csv", headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"
            assert b"+84912345678" not in response.content


async def test_each_format_with_the_token(database_url: str, db_engine: Database):
    ref = add_tip(
        db_engine, when=DAY, phones=["+84912345678"], turns=["=1+1 Tôi bị lừa"], tactics=["otp_theft"]
    )
    other = add_tip(db_engine, when=DAY, prefix="TQ", province="tuyen-quang", tactics=["loan_app"])
    async with admin_client(database_url, admin_token=TOKEN) as client:
        response = await client.get("/admin/tips.csv", headers=bearer(TOKEN))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert {r[0] for r in rows[1:]} == {ref, other}
        assert "'=1+1 Tôi bị lừa" in [c for r in rows for c in r]

        jsonl = await client.get("/admin/tips.jsonl?province=tuyen-quang", headers=bearer(TOKEN))
        assert jsonl.status_code == 200
        assert [json.loads(line)["ref_code"] for line in jsonl.text.splitlines()] == [other]

        xlsx = await client.get("/admin/tips.xlsx?tactic=otp_theft&status=moi", headers=bearer(TOKEN))
        assert xlsx.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet["A2"].value == ref and sheet.max_row == 2

        none = await client.get("/admin/tips.jsonl?since=2099-01-01", headers=bearer(TOKEN))
        assert none.status_code == 200 and none.content == b""


async def test_bad_filters_are_a_client_error(database_url: str, db_engine: Database):
    async with admin_client(database_url, admin_token=TOKEN) as client:
        for query in ("since=23-11-2026", "status=open", "until=yesterday"):
            response = await client.get(f"/admin/tips.csv?{query}", headers=bearer(TOKEN))
            assert response.status_code == 422, query


async def test_reporters_are_pseudonymised_unless_asked(database_url: str, db_engine: Database):
    add_tip(db_engine, when=DAY, reporter_id="psid-42")
    async with admin_client(database_url, admin_token=TOKEN, pseudonym_key="k") as client:
        hidden = (await client.get("/admin/tips.jsonl", headers=bearer(TOKEN))).json()
        shown = (await client.get("/admin/tips.jsonl?include_reporter=true", headers=bearer(TOKEN))).json()
    assert hidden["reporter"].startswith("u_") and "psid-42" not in json.dumps(hidden)
    assert shown["reporter"] == "psid-42"
