"""The web chat in a real browser (headless Chromium driven by Playwright) against `canhgiac serve`.

Skipped without /usr/bin/chromium, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from serve_support import serving

pytestmark = pytest.mark.slow

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
SCAM = "có người gọi tự xưng công an bảo tôi chuyển tiền vào tài khoản tạm giữ"


@pytest.fixture
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser test (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


def test_a_citizen_describes_a_scam_and_sees_the_warning_with_the_hotline(
    chromium: str, database_url: str, tmp_path: Path
):
    from playwright.sync_api import expect, sync_playwright

    with serving(database_url, tmp_path / "server.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 420, "height": 900}, locale="vi-VN")
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/")
            expect(page.locator(".msg.bot").first).to_contain_text("Xin chào")

            page.fill("#text", SCAM)
            page.keyboard.press("Enter")
            warning = page.locator(".msg.bot", has_text="Dấu hiệu lừa đảo")
            expect(warning).to_be_visible(timeout=10_000)
            expect(warning).to_contain_text("069.367.2888")
            expect(page.locator(".msg.user").last).to_have_text(SCAM)
            page.screenshot(path=str(tmp_path / "web-chat-warning.png"), full_page=True)

            # A quick reply is a button that sends its payload and shows its title.
            page.locator(".quick button", has_text="Đường dây nóng").click()
            expect(page.locator(".msg.user").last).to_have_text("Đường dây nóng")
            expect(page.locator(".msg.bot").last).to_contain_text("069.367.2888")

            # Another province answers with its own hotline.
            page.select_option("#province", "tuyen-quang")
            expect(page.locator(".msg.bot").last).to_contain_text("Tuyên Quang")
            page.fill("#text", SCAM)
            page.click("#send")
            expect(page.locator(".msg.bot", has_text="069.2526.112").last).to_be_visible(timeout=10_000)
            page.screenshot(path=str(tmp_path / "web-chat-tuyen-quang.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
    shot = tmp_path / "web-chat-warning.png"
    assert shot.exists() and shot.stat().st_size > 10_000


def test_a_citizen_sends_a_screenshot_with_the_camera_button(
    chromium: str, database_url: str, tmp_path: Path
):
    from playwright.sync_api import expect, sync_playwright
    from screens import SCAM_LINES, chat_screenshot, need_tesseract

    need_tesseract()
    screen = tmp_path / "tin-nhan.png"
    screen.write_bytes(chat_screenshot(SCAM_LINES))
    with serving(database_url, tmp_path / "server.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 420, "height": 900}, locale="vi-VN")
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/")
            expect(page.locator(".msg.bot").first).to_contain_text("Xin chào")
            page.set_input_files("#picture", str(screen))
            expect(page.locator(".msg.user").last).to_contain_text("tin-nhan.png")
            answer = page.locator(".msg.bot", has_text="Trong ảnh có")
            expect(answer).to_be_visible(timeout=20_000)
            expect(answer).to_contain_text("0912 345 678")
            assert errors == []
        finally:
            browser.close()
