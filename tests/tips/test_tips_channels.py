"""The report conversation through the real app: Messenger and Zalo webhooks (fake platform APIs,
no network) and the web chat, then the tip in the database and in the admin export."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from citizens import CAN_THO_HOTLINE, FULL_REPORT, REF_RE, cooperative_answer
from sqlalchemy import Engine as Database
from sqlalchemy import select

from app.db import transaction
from app.outbox.service import OUTBOX
from app.settings import PROJECT_ROOT
from app.tips.service import get_tip

# The channel tests' helpers: signed webhook bodies, a recording fake platform, a running app.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "channels"))
support: Any = importlib.import_module("channel_support")


@pytest.fixture
async def bot(database_url: str, db_engine: Database) -> Any:
    platform = support.FakePlatform()
    settings = support.make_settings(database_url, admin_token="admin-token")
    async with support.running_bot(settings, platform) as running:
        yield running


def messenger_texts(bot: Any, psid: str) -> list[str]:
    return [c.body["message"]["text"] for c in bot.platform.messenger_sends(psid)]


def zalo_texts(bot: Any, user: str) -> list[str]:
    return [c.body["message"]["text"] for c in bot.platform.zalo_sends(user)]


async def converse(send: Any, texts: Any, first: str) -> str | None:
    """A cooperative citizen on a platform: answer each new batch of replies until a reference code."""
    seen = 0
    message = first
    for turn in range(10):
        await send(message, turn)
        assert await support.wait_until(lambda seen=seen: len(texts()) > seen), f"no reply to {message!r}"
        await support.wait_until(lambda: False, timeout=0.15)  # let the rest of this answer arrive
        new = texts()[seen:]
        seen = len(texts())
        said = "\n".join(new)
        found = REF_RE.search(said)
        if found:
            return found.group(0)
        message = cooperative_answer(said)
    return None


def stored(db: Database, ref: str) -> Any:
    with transaction(db) as session:
        tip = get_tip(session, ref_code=ref)
    assert tip is not None
    return tip


async def test_report_through_messenger(bot: Any, db_engine: Database):
    psid = "6500000000000077"

    async def send(text: str, turn: int) -> None:
        raw = support.fb_body(psid, f"m_tip_{turn}", text)
        assert (await bot.messenger(raw)).status_code == 200

    ref = await converse(send, lambda: messenger_texts(bot, psid), FULL_REPORT)
    assert ref is not None, messenger_texts(bot, psid)
    assert any(CAN_THO_HOTLINE in t for t in messenger_texts(bot, psid))
    tip = stored(db_engine, ref)
    assert (tip.channel, tip.channel_id, tip.reporter_id) == ("messenger", support.PAGE_ID, psid)
    assert tip.phones == ["+84912345678"] and tip.amount_vnd == 45_000_000

    # the citizen's data rights, through the same channel
    before = len(messenger_texts(bot, psid))
    assert (
        await bot.messenger(support.fb_body(psid, "m_tip_forget", "xóa dữ liệu của tôi"))
    ).status_code == 200
    assert await support.wait_until(lambda: len(messenger_texts(bot, psid)) > before)
    assert ref in messenger_texts(bot, psid)[-1]
    assert stored(db_engine, ref).reporter_id is None
    with transaction(db_engine) as session:
        texts = [
            row.text
            for row in session.execute(select(OUTBOX.c.text, OUTBOX.c.status).where(OUTBOX.c.user_id == psid))
            if row.status == "sent"
        ]
    assert texts.count("") >= len(texts) - 1  # the bot's old answers are gone (the last may be in flight)


async def test_report_with_quick_reply_payloads_on_messenger(bot: Any, db_engine: Database):
    psid = "6500000000000078"
    raw = support.fb_body(psid, "m_q1", "Tố giác")
    await bot.messenger(raw)
    assert await support.wait_until(lambda: len(messenger_texts(bot, psid)) >= 1)
    quick = bot.platform.messenger_sends(psid)[-1].body["message"].get("quick_replies", [])
    assert [q["payload"] for q in quick] == ["REPORT:YES", "REPORT:NO"]
    await bot.messenger(support.fb_body(psid, "m_q2", "Có", quick_reply={"payload": "REPORT:YES"}))
    assert await support.wait_until(lambda: len(messenger_texts(bot, psid)) >= 2)
    assert "chuyện gì đã xảy ra" in messenger_texts(bot, psid)[-1]


async def test_report_through_zalo(bot: Any, db_engine: Database):
    user = "4812000000000099"

    async def send(text: str, turn: int) -> None:
        assert (await bot.zalo(support.zalo_body(user, f"z_tip_{turn}", text))).status_code == 200

    ref = await converse(
        send, lambda: zalo_texts(bot, user), "tôi muốn tố giác số 0933444555 giả làm công an đòi tiền"
    )
    assert ref is not None, zalo_texts(bot, user)
    tip = stored(db_engine, ref)
    assert (tip.channel, tip.channel_id, tip.reporter_id) == ("zalo", support.OA_ID, user)
    assert tip.phones == ["+84933444555"]


async def test_report_through_the_web_chat_then_the_admin_export(bot: Any, db_engine: Database):
    async def chat(text: str) -> str:
        response = await bot.client.post(
            "/api/chat", json={"user_id": "web-1", "text": text, "province": "can-tho"}
        )
        assert response.status_code == 200
        return "\n".join(r["text"] for r in response.json()["replies"])

    said = await chat(FULL_REPORT)
    ref = None
    for _ in range(10):
        found = REF_RE.search(said)
        if found:
            ref = found.group(0)
            break
        said = await chat(cooperative_answer(said))
    assert ref is not None
    assert stored(db_engine, ref).channel == "web"

    check = await chat("số 0912345678 có phải lừa đảo không ad")
    assert "1 người đã tố giác" in check and "web-1" not in check

    export = await bot.client.get("/admin/tips.csv", headers={"authorization": "Bearer admin-token"})
    assert export.status_code == 200 and ref.encode() in export.content


@pytest.mark.slow
def test_report_through_the_terminal_chat(database_url: str, db_engine: Database):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    environ["CANHGIAC_DATABASE_URL"] = database_url
    typed = f"{FULL_REPORT}\nCó\n"
    out = subprocess.run(
        [sys.executable, "-m", "app", "chat", "--province", "can-tho"],
        input=typed.encode(),
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=environ,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr.decode()
    ref = REF_RE.search(out.stdout.decode())
    assert ref is not None
    tip = stored(db_engine, ref.group(0))
    assert (tip.channel, tip.reporter_id, tip.amount_vnd) == ("terminal", "terminal", 45_000_000)
