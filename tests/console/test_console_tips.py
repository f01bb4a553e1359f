"""The console's tips: list filters, search, pages, the detail, status history, exports, dashboard."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
from console_support import DAY, console_app, officer, settings_for, signed_in, tip
from sqlalchemy import Engine as Database

from app.catalog.loader import load_catalog
from app.console.accounts import PER_PAGE
from app.console.models import Role
from app.settings import PROJECT_ROOT
from app.tips.export import ExportOptions, chunks, pseudonym_key
from app.tips.service import TipFilter, iter_tips


async def test_filters_and_search_by_ref_phone_account_and_link(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    a = tip(db_engine, phones=["+84912345678"], tactics=["otp_theft"], when=DAY)
    b = tip(
        db_engine,
        accounts=[("0451000123456", "Vietcombank")],
        urls=["https://vneid-capnhat.top/cai-dat"],
        tactics=["impersonate_authority"],
        when=DAY + dt.timedelta(days=2),
    )
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "lan")

        async def found(query: str) -> set[str]:
            page = await client.get(f"/console/tips?{query}")
            assert page.status_code == 200
            return {ref for ref in (a, b) if ref in page.text}

        assert await found("") == {a, b}
        assert await found("q=0912 345 678") == {a}
        assert await found("q=%2B84912345678") == {a}
        assert await found("q=0451000123456") == {b}
        assert await found("q=vneid-capnhat.top") == {b}
        assert await found(f"q={b.lower()}") == {b}
        assert await found("q=0999999999") == set()
        assert await found("tactic=otp_theft") == {a}
        assert await found("since=2026-11-24") == {b}
        assert await found("until=2026-11-23") == {a}
        assert await found("since=&until=&tactic=&status=&q=") == {a, b}  # an empty form
        assert await found("status=moi") == {a, b}
        assert await found("status=da_dong") == set()
        assert await found("since=not-a-date") == {a, b}


async def test_the_list_is_paginated_newest_first(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    refs = [tip(db_engine, when=DAY + dt.timedelta(minutes=i)) for i in range(PER_PAGE + 3)]
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "lan")
        first = await client.get("/console/tips")
        assert refs[-1] in first.text and refs[2] not in first.text and "Trang 1/2" in first.text
        second = await client.get("/console/tips?page=2")
        assert refs[0] in second.text and refs[-1] not in second.text and "Trang 2/2" in second.text


async def test_the_detail_shows_the_facts_escaped_words_history_and_related_tips(
    database_url: str, db_engine: Database
):
    officer(db_engine, "hung", Role.investigator)
    ref = tip(
        db_engine,
        phones=["+84912345678"],
        accounts=[("0451000123456", "Vietcombank", "NGUYEN VAN B")],
        amount_vnd=45_000_000,
        turns=['<script>alert("x")</script> họ bảo tôi <b>chuyển tiền</b>'],
        tactics=["impersonate_authority"],
    )
    twin = tip(db_engine, accounts=[("0451000123456", None)])
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "hung")
        page = (await client.get(f"/console/tips/{ref}")).text
        assert "0912 345 678" in page and "0451000123456" in page and "45.000.000" in page
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page
        assert "&lt;b&gt;chuyển tiền&lt;/b&gt;" in page
        assert twin in page  # shares the account
        assert '<select name="status">' in page and '<textarea name="note"' in page
        for value in ("moi", "dang_xac_minh", "da_chuyen", "da_dong"):
            assert f'<option value="{value}"' in page
        await client.post(
            f"/console/tips/{ref}/status",
            data={"status": "dang_xac_minh", "note": "Đã gọi <ngân hàng>", "csrf_token": token},
        )
        await client.post(f"/console/tips/{ref}/status", data={"status": "da_dong", "csrf_token": token})
        page = (await client.get(f"/console/tips/{ref}")).text
        assert "Mới → Đang xác minh" in page and "Đang xác minh → Đã đóng" in page
        assert "Đã gọi &lt;ngân hàng&gt;" in page and page.count("<td>hung</td>") == 2
        bad = await client.post(f"/console/tips/{ref}/status", data={"status": "xong", "csrf_token": token})
        assert bad.status_code == 400


async def test_console_exports_have_the_cli_exports_content_with_the_lists_filters(
    database_url: str, db_engine: Database
):
    officer(db_engine, "hung", Role.investigator)
    a = tip(db_engine, phones=["+84912345678"], tactics=["otp_theft"], turns=["=1+1 tôi bị lừa"])
    b = tip(db_engine, phones=["+84987654321"], tactics=["loan_app"], when=DAY + dt.timedelta(days=1))
    tip(db_engine, prefix="TQ", province="tuyen-quang", phones=["+84912345678"])
    options = ExportOptions(
        pseudonym_key=pseudonym_key(settings_for(database_url)),
        tactic_names={t.id: t.name for t in load_catalog(PROJECT_ROOT / "scam_catalog.yaml").tactics},
    )
    expected = b"".join(
        chunks("jsonl", iter_tips(db_engine, filters=TipFilter(province="can-tho")), options=options)
    )
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "hung")
        everything = await client.get("/console/tips.jsonl")
        assert everything.content == expected
        one = await client.get("/console/tips.jsonl?q=0912345678")
        assert [json.loads(line)["ref_code"] for line in one.text.splitlines()] == [a]
        by_tactic = await client.get("/console/tips.csv?tactic=loan_app")
        rows = list(csv.reader(io.StringIO(by_tactic.content.decode("utf-8-sig"))))
        assert len(rows) == 2 and b in rows[1]
        book = await client.get("/console/tips.xlsx?since=2026-11-24")
        sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
        assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [b]


async def test_without_a_pseudonym_key_the_console_says_so_instead_of_exporting(
    database_url: str, db_engine: Database
):
    officer(db_engine, "hung", Role.investigator)
    tip(db_engine, phones=["+84912345678"])
    async with console_app(database_url, pseudonym_key=None) as app, app.client() as client:
        await signed_in(client, "hung")
        refused = await client.get("/console/tips.csv")
        assert refused.status_code == 503 and "CANHGIAC_PSEUDONYM_KEY" in refused.text
        assert "+84912345678" not in refused.text and "0912" not in refused.text


async def test_the_dashboard_counts_and_draws_the_officers_province(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    today = dt.datetime.now(dt.UTC)
    for i in range(3):
        tip(
            db_engine,
            phones=["+84912345678"],
            tactics=["otp_theft"],
            urgent=i == 0,
            when=today - dt.timedelta(days=i),
        )
    tip(db_engine, accounts=[("0451000123456", None)], urls=["http://vneid-capnhat.top/x"], when=today)
    tip(db_engine, prefix="TQ", province="tuyen-quang", phones=["+84999999999"], urgent=True, when=today)
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "lan")
        page = (await client.get("/console/")).text
    assert 'id="total">4<' in page and 'id="urgent">1<' in page
    assert "<svg" in page and page.count('class="bar"') >= 3
    assert "0912 345 678" in page and "0451000123456" in page and "vneid-capnhat.top" in page
    assert "0999 999 999" not in page
    row = page.split("0912 345 678</a></td>")[1]
    assert row.startswith("<td>3</td>")
