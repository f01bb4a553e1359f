"""The console in a real browser (headless Chromium driven by Playwright) against `canhgiac serve`.

Officers are created with the CLI; tips are stored directly. Skipped without /usr/bin/chromium,
except in CI (CI=true), where it must run. With CONSOLE_SCREENSHOTS=<folder> the dashboard, the list
and a tip are saved there as PNG (the README's pictures: CONSOLE_SCREENSHOTS=docs).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest
from console_support import PASSWORD, tip
from sqlalchemy import select
from test_console_cli_and_schema import run

from app.console.models import OFFICERS
from app.db import make_engine, upgrade
from app.settings import PROJECT_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "channels"))
from serve_support import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser test (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


def _add(database_url: str, name: str, *flags: str) -> None:
    done = run(database_url, "officers", "add", name, *flags, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr


def test_officers_work_in_the_console_through_a_browser(chromium: str, database_url: str, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    upgrade(database_url)
    _add(database_url, "dieutra.ct", "--role", "investigator", "--province", "can-tho")
    _add(database_url, "xem.ct", "--role", "viewer", "--province", "can-tho")
    _add(database_url, "quantri", "--role", "admin", "--all-provinces")
    _add(database_url, "khoa.ct", "--role", "viewer", "--province", "can-tho")
    db = make_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        mine = tip(
            db,
            phones=["+84912345678"],
            accounts=[("0451000123456", "Vietcombank", "NGUYEN VAN B")],
            urls=["https://vneid-capnhat.top/cai-dat"],
            amount_vnd=45_000_000,
            tactics=["impersonate_authority"],
            turns=["Có người xưng công an gọi bảo tôi chuyển 45 triệu <script>alert(1)</script>"],
            urgent=True,
            when=now - dt.timedelta(hours=3),
        )
        tip(db, phones=["+84987654321"], tactics=["otp_theft"], when=now - dt.timedelta(days=2))
        theirs = tip(
            db, prefix="TQ", province="tuyen-quang", phones=["+84911111111"], tactics=["loan_app"], when=now
        )
        with db.connect() as connection:
            hashes = list(connection.execute(select(OFFICERS.c.password_hash)).scalars())
        assert hashes and all(h.startswith("$argon2") and PASSWORD not in h for h in hashes)
    finally:
        db.dispose()

    shots = Path(os.environ["CONSOLE_SCREENSHOTS"]) if os.environ.get("CONSOLE_SCREENSHOTS") else tmp_path
    if not shots.is_absolute():
        shots = PROJECT_ROOT / shots
    shots.mkdir(parents=True, exist_ok=True)
    with (
        serving(database_url, tmp_path / "server.log", CANHGIAC_PSEUDONYM_KEY="browser-test-key") as base,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="vi-VN")
            page = context.new_page()
            elsewhere: list[str] = []
            errors: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # The refusals this test provokes (401, 403, 404) are logged as failed loads: not errors.
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )

            # Unauthenticated: to the sign-in form.
            page.goto(base + "/console/tips")
            assert page.url == base + "/console/login"

            def sign_in(who: str, password: str = PASSWORD) -> None:
                page.goto(base + "/console/login")
                page.fill('input[name="username"]', who)
                page.fill('input[name="password"]', password)
                page.click('button[type="submit"]')

            sign_in("dieutra.ct")
            expect(page.locator("h1")).to_contain_text("Tổng quan")
            response = page.goto(base + "/console/")
            assert (
                response is not None and "default-src 'self'" in response.headers["content-security-policy"]
            )
            expect(page.locator("svg.chart rect.bar").first).to_be_visible()
            expect(page.locator("#total")).to_have_text("2")
            expect(page.locator("#urgent")).to_have_text("1")
            cookie = next(c for c in context.cookies() if c["name"] == "canhgiac_console")
            assert cookie["httpOnly"] and cookie["sameSite"] in ("Lax", "Strict")
            page.screenshot(path=str(shots / "console-dashboard.png"), full_page=True)

            # The list: this province's tips only; q finds a tip by its phone.
            page.click("text=Tố giác >> nth=0")
            expect(page.locator("table.tips")).to_contain_text(mine)
            assert theirs not in page.content()
            page.fill('input[name="q"]', "0912 345 678")
            page.click("text=Lọc")
            expect(page.locator("table.tips tbody tr")).to_have_count(1)
            expect(page.locator("table.tips")).to_contain_text(mine)
            page.goto(base + "/console/tips")
            page.screenshot(path=str(shots / "console-tips.png"), full_page=True)

            # The detail: facts, escaped words; a status change through the form.
            page.click(f"a.ref:text('{mine}')")
            expect(page.locator("#phones")).to_contain_text("0912 345 678")
            expect(page.locator("#accounts")).to_contain_text("0451000123456")
            expect(page.locator("#amount")).to_contain_text("45.000.000")
            expect(page.locator("blockquote.turn")).to_contain_text("<script>alert(1)</script>")
            page.select_option('select[name="status"]', "dang_xac_minh")
            page.fill('textarea[name="note"]', "Đã liên hệ ngân hàng phong tỏa")
            page.click("text=Lưu trạng thái")
            expect(page.locator("#status")).to_have_text("Đang xác minh")
            expect(page.locator("table.compact")).to_contain_text("Đã liên hệ ngân hàng phong tỏa")
            page.screenshot(path=str(shots / "console-tip.png"), full_page=True)

            exported = context.request.get(base + "/console/tips.jsonl")
            rows = [json.loads(line) for line in exported.text().splitlines()]
            assert {r["ref_code"]: r["status"] for r in rows}[mine] == "dang_xac_minh"
            assert theirs not in exported.text()

            # Another province's tip by URL; POSTs without or with a wrong CSRF token.
            missing = page.goto(base + f"/console/tips/{theirs}")
            assert missing is not None and missing.status == 404
            status_url = base + f"/console/tips/{mine}/status"
            assert context.request.post(status_url, form={"status": "da_dong"}).status == 403
            assert (
                context.request.post(status_url, form={"status": "da_dong", "csrf_token": "sai"}).status
                == 403
            )
            audit = page.goto(base + "/console/audit")
            assert audit is not None and audit.status == 403

            # A viewer reads but cannot change a status.
            viewer = browser.new_context()
            vpage = viewer.new_page()
            vpage.goto(base + "/console/login")
            vpage.fill('input[name="username"]', "xem.ct")
            vpage.fill('input[name="password"]', PASSWORD)
            vpage.click('button[type="submit"]')
            vpage.goto(base + f"/console/tips/{mine}")
            assert vpage.locator('select[name="status"]').count() == 0
            token = vpage.locator('input[name="csrf_token"]').first.get_attribute("value")
            refused = viewer.request.post(status_url, form={"status": "da_dong", "csrf_token": token or ""})
            assert refused.status == 403
            viewer.close()

            # The admin sees the login and the status change in the audit.
            page.click("text=Đăng xuất")
            assert page.url == base + "/console/login"
            sign_in("quantri")
            page.goto(base + "/console/audit")
            expect(page.locator('tr[data-action="login"]').first).to_be_visible()
            expect(page.locator('tr[data-action="status_change"]')).to_contain_text("dieutra.ct")
            expect(page.locator('tr[data-action="status_change"]')).to_contain_text(mine)

            # Five wrong passwords lock the account, even for the right one afterwards.
            page.click("text=Đăng xuất")
            for _ in range(5):
                sign_in("xem.ct", "mat-khau-sai-000")
                expect(page.locator(".error")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
            sign_in("xem.ct")
            expect(page.locator(".error")).to_contain_text("tạm khóa")

            # A disabled officer's open session stops working at once.
            sign_in("khoa.ct")
            expect(page.locator("h1")).to_contain_text("Tổng quan")
            assert run(database_url, "officers", "disable", "khoa.ct").returncode == 0
            page.goto(base + "/console/tips")
            assert page.url == base + "/console/login"

            assert elsewhere == []
            assert errors == []
        finally:
            browser.close()
    assert (shots / "console-dashboard.png").stat().st_size > 10_000
