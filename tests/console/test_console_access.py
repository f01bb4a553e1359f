"""The console's sign-in, sessions, lockout, CSRF, roles, province scoping and audit."""

from __future__ import annotations

import json

import pytest
from console_support import PASSWORD, console_app, csrf_of, officer, sign_in, signed_in, tip
from sqlalchemy import Engine as Database
from sqlalchemy import select, text

from app.console.accounts import disable_officer
from app.console.models import AUDIT, OFFICERS, Role
from app.db import transaction


def audit_actions(db: Database) -> list[tuple[str, str, str | None]]:
    with db.connect() as connection:
        rows = connection.execute(
            select(AUDIT.c.username, AUDIT.c.action, AUDIT.c.tip_ref).order_by(AUDIT.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_sign_in_sets_an_httponly_samesite_cookie_and_pages_carry_the_csp(
    database_url: str, db_engine: Database
):
    officer(db_engine, "lan", Role.viewer)
    async with console_app(database_url) as app, app.client() as client:
        anonymous = await client.get("/console/tips")
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/console/login"
        page = await client.get("/console/login")
        assert 'name="username"' in page.text and 'name="password"' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        done = await sign_in(client, "lan")
        assert done.status_code == 303
        cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("canhgiac_console="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain HTTP on loopback
        home = await client.get("/console/")
        assert home.status_code == 200 and "Tổng quan" in home.text
        assert "default-src 'self'" in home.headers["content-security-policy"]
        assert "http://" not in home.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in home.text
        css = await client.get("/console/static/console.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

    async with console_app(database_url) as app, app.client("https://console.example.vn") as remote:
        done = await sign_in(remote, "lan")
        cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("canhgiac_console="))
        assert "Secure" in cookie and "HttpOnly" in cookie


async def test_passwords_are_stored_as_argon2_hashes_only(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    with db_engine.connect() as connection:
        stored = connection.execute(select(OFFICERS.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    database_url: str, db_engine: Database
):
    officer(db_engine, "lan", Role.viewer)
    officer(db_engine, "minh", Role.viewer)
    async with console_app(database_url) as app, app.client() as client:
        for _ in range(5):
            wrong = await sign_in(client, "lan", "sai-mat-khau-0000")
            assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
            assert "canhgiac_console=" not in wrong.headers.get("set-cookie", "")
        locked = await sign_in(client, "lan")
        assert locked.status_code == 401 and "tạm khóa" in locked.text
        assert (await client.get("/console/")).status_code == 303
        # Another officer is not affected.
        assert (await sign_in(client, "minh")).status_code == 303
    actions = [a for u, a, _ in audit_actions(db_engine) if u == "lan"]
    assert actions == ["login_failed"] * 5 + ["login_locked"]


async def test_post_without_or_with_a_wrong_csrf_token_is_403(database_url: str, db_engine: Database):
    officer(db_engine, "hung", Role.investigator)
    ref = tip(db_engine, phones=["+84912345678"])
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "hung")
        path = f"/console/tips/{ref}/status"
        assert (await client.post(path, data={"status": "da_chuyen"})).status_code == 403
        assert (
            await client.post(path, data={"status": "da_chuyen", "csrf_token": "x" + token})
        ).status_code == 403
        assert (await client.post("/console/logout", data={})).status_code == 403
        page = await client.get("/console/login")
        assert (
            await client.post("/console/login", data={"username": "hung", "password": PASSWORD})
        ).status_code == 403
        assert csrf_of(page.text)
        moved = await client.post(path, data={"status": "da_chuyen", "note": "", "csrf_token": token})
        assert moved.status_code == 303
        detail = await client.get(f"/console/tips/{ref}")
        assert 'id="status">Đã chuyển<' in detail.text


async def test_a_viewer_reads_but_cannot_change_a_status(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    ref = tip(db_engine, phones=["+84912345678"])
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "lan")
        detail = await client.get(f"/console/tips/{ref}")
        assert detail.status_code == 200 and 'name="status"' not in detail.text
        refused = await client.post(
            f"/console/tips/{ref}/status", data={"status": "da_dong", "csrf_token": token}
        )
        assert refused.status_code == 403
        assert 'id="status">Mới<' in (await client.get(f"/console/tips/{ref}")).text


async def test_another_provinces_tip_does_not_exist_for_a_scoped_officer(
    database_url: str, db_engine: Database
):
    officer(db_engine, "hung", Role.investigator, province="can-tho")
    officer(db_engine, "chief", Role.admin, province=None)
    mine = tip(db_engine, phones=["+84912345678"], tactics=["otp_theft"])
    theirs = tip(
        db_engine, prefix="TQ", province="tuyen-quang", phones=["+84912345678"], tactics=["otp_theft"]
    )
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "hung")
        listed = await client.get("/console/tips")
        assert mine in listed.text and theirs not in listed.text
        assert "(1)" in listed.text
        assert theirs not in (await client.get("/console/tips?q=0912345678")).text
        assert (await client.get(f"/console/tips/{theirs}")).status_code == 404
        moved = await client.post(
            f"/console/tips/{theirs}/status", data={"status": "da_dong", "csrf_token": token}
        )
        assert moved.status_code == 404
        detail = await client.get(f"/console/tips/{mine}")
        assert theirs not in detail.text  # not even among the tips sharing the phone
        for fmt in ("csv", "jsonl"):
            exported = await client.get(f"/console/tips.{fmt}")
            assert exported.status_code == 200 and mine in exported.text and theirs not in exported.text
        home = await client.get("/console/")
        assert 'id="total">1<' in home.text
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "chief")
        listed = await client.get("/console/tips")
        assert mine in listed.text and theirs in listed.text
        detail = await client.get(f"/console/tips/{mine}")
        assert theirs in detail.text  # shares the phone


async def test_the_audit_lists_logins_views_changes_and_exports_for_admins_only(
    database_url: str, db_engine: Database
):
    officer(db_engine, "hung", Role.investigator)
    officer(db_engine, "chief", Role.admin)
    ref = tip(db_engine, phones=["+84912345678"])
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "hung")
        await client.get(f"/console/tips/{ref}")
        await client.post(
            f"/console/tips/{ref}/status", data={"status": "dang_xac_minh", "csrf_token": token}
        )
        await client.get("/console/tips.jsonl?status=dang_xac_minh&q=0912345678")
        page = await client.get("/console/audit")
        assert page.status_code == 403 and "hung" not in page.text.split("<main>")[1]
    async with console_app(database_url) as app, app.client() as client:
        await sign_in(client, "chief", "sai-mat-khau-0000")
        await signed_in(client, "chief")
        page = await client.get("/console/audit")
        assert page.status_code == 200
        for action in ("login", "login_failed", "tip_view", "status_change", "export"):
            assert f'data-action="{action}"' in page.text
        only = await client.get("/console/audit?action=status_change")
        assert only.text.count('data-action="status_change"') == 1 and 'data-action="login"' not in only.text
    entries = audit_actions(db_engine)
    assert ("hung", "status_change", ref) in entries and ("hung", "tip_view", ref) in entries
    with db_engine.connect() as connection:
        detail = connection.execute(select(AUDIT.c.detail).where(AUDIT.c.action == "export")).scalar_one()
    assert detail["filters"] == {"status": "dang_xac_minh", "q": "0912345678"}
    assert detail["include_reporter"] is False


def test_the_audit_log_is_append_only(db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    with transaction(db_engine) as session:
        from app.console.accounts import audit

        audit(session, officer=None, username="lan", action="login_failed")
    for statement in ("UPDATE console_audit SET username = 'x'", "DELETE FROM console_audit"):
        with pytest.raises(Exception, match="append-only"), db_engine.begin() as connection:
            connection.execute(text(statement))
    assert len(audit_actions(db_engine)) == 1


async def test_a_disabled_officers_open_session_stops_working(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "lan")
        assert (await client.get("/console/tips")).status_code == 200
        with transaction(db_engine) as session:
            assert disable_officer(session, username="lan")
        assert (await client.get("/console/tips")).status_code == 303
        assert (await sign_in(client, "lan")).status_code == 401


async def test_logout_ends_the_session(database_url: str, db_engine: Database):
    officer(db_engine, "lan", Role.viewer)
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "lan")
        cookie = client.cookies.get("canhgiac_console")
        out = await client.post("/console/logout", data={"csrf_token": token})
        assert out.status_code == 303
        client.cookies.set("canhgiac_console", cookie or "", path="/console")
        assert (await client.get("/console/")).status_code == 303


async def test_reporter_identity_only_for_admins_and_its_export_is_recorded(
    database_url: str, db_engine: Database
):
    officer(db_engine, "hung", Role.investigator)
    officer(db_engine, "chief", Role.admin)
    ref = tip(db_engine, reporter_name="Nguyễn Thị Mẫu", phones=["+84912345678"])
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "hung")
        assert "Nguyễn Thị Mẫu" not in (await client.get(f"/console/tips/{ref}")).text
        assert (await client.get("/console/tips.jsonl?include_reporter=1")).status_code == 403
        plain = await client.get("/console/tips.jsonl")
        assert "Nguyễn Thị Mẫu" not in plain.text and "citizen-7" not in plain.text
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "chief")
        assert "Nguyễn Thị Mẫu" in (await client.get(f"/console/tips/{ref}")).text
        full = await client.get("/console/tips.jsonl?include_reporter=1")
        row = json.loads(full.text.splitlines()[0])
        assert row["reporter_name"] == "Nguyễn Thị Mẫu"
    with db_engine.connect() as connection:
        details = list(
            connection.execute(select(AUDIT.c.username, AUDIT.c.detail).where(AUDIT.c.action == "export"))
        )
    assert [(u, d["include_reporter"]) for u, d in details] == [("hung", False), ("chief", True)]
