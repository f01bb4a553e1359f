"""The handoff queue in the console: take, reply and release with the CSRF token, province scoping,
roles, and the officer's reply reaching the fake platform with the right Messenger type or tag."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from channel_support import Bot, FakePlatform, fb_body, make_settings, running_bot, wait_until
from console_support import officer, signed_in
from handoff_support import finished, handoff_of
from sqlalchemy import update

from app.console.models import Role
from app.db import transaction
from app.handoff.models import HANDOFFS
from app.inbox.models import InboundEvent

PSID = "6500000000000301"


@pytest.fixture
async def queued(migrated_url: str, platform: FakePlatform) -> AsyncIterator[Bot]:
    async with running_bot(make_settings(migrated_url), platform) as running:
        await running.messenger(fb_body(PSID, "m_q_1", "cho tôi gặp cán bộ"))
        await finished(running, "messenger", "m_q_1")
        officer(running.state.db, "hung", Role.investigator, province="can-tho")
        officer(running.state.db, "lan", Role.investigator, province="tuyen-quang")
        officer(running.state.db, "xem", Role.viewer, province="can-tho")
        yield running


def _console(bot: Bot) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=bot.app), base_url="http://127.0.0.1")


def _id(bot: Bot) -> int:
    row = handoff_of(bot, "messenger", PSID)
    assert row is not None and row.id is not None
    return row.id


def _citizen_wrote(bot: Bot, ago: dt.timedelta) -> None:
    when = dt.datetime.now(dt.UTC) - ago
    with transaction(bot.state.db) as session:
        session.execute(update(InboundEvent).values(received_at=when))  # type: ignore[arg-type]
        session.execute(update(HANDOFFS).values(citizen_at=when))


async def test_take_reply_release_reach_the_citizen(queued: Bot):
    cid = _id(queued)
    async with _console(queued) as client:
        csrf = await signed_in(client, "hung")
        page = await client.get("/console/conversations")
        assert page.status_code == 200 and f"/console/conversations/{cid}" in page.text
        assert (await client.get("/console/conversations.json")).json()["waiting"] == 1
        detail = await client.get(f"/console/conversations/{cid}")
        assert detail.status_code == 200 and "cho tôi gặp cán bộ" in detail.text
        assert "tôi đã chuyển yêu cầu của bạn cho cán bộ" in detail.text  # the bot's answer, too
        assert (await client.post(f"/console/conversations/{cid}/take")).status_code == 403
        assert (
            await client.post(f"/console/conversations/{cid}/take", data={"csrf_token": csrf})
        ).status_code == 303
        assert handoff_of(queued, "messenger", PSID).state == "officer"  # type: ignore[union-attr]
        text = "Chào bạn, tôi là cán bộ Hùng, tôi đang xem tin nhắn của bạn."
        bad = await client.post(f"/console/conversations/{cid}/reply", data={"text": text})
        assert bad.status_code == 403
        sent = await client.post(
            f"/console/conversations/{cid}/reply", data={"text": text, "csrf_token": csrf}
        )
        assert sent.status_code == 303
        assert await wait_until(
            lambda: any(c.body["message"]["text"] == text for c in queued.platform.messenger_sends(PSID))
        )
        call = next(c for c in queued.platform.messenger_sends(PSID) if c.body["message"]["text"] == text)
        assert call.body["messaging_type"] == "RESPONSE" and "tag" not in call.body
        # While the officer has it, the citizen's next message gets no bot reply.
        before = len(queued.platform.messenger_sends(PSID))
        await queued.messenger(fb_body(PSID, "m_q_2", "dạ em cảm ơn"))
        await finished(queued, "messenger", "m_q_2")
        assert len(queued.platform.messenger_sends(PSID)) == before
        released = await client.post(f"/console/conversations/{cid}/release", data={"csrf_token": csrf})
        assert released.status_code == 303
    assert handoff_of(queued, "messenger", PSID).state == "bot"  # type: ignore[union-attr]
    await queued.messenger(fb_body(PSID, "m_q_3", "xin chào"))
    assert await wait_until(
        lambda: any(
            "Cán bộ đã kết thúc trao đổi" in c.body["message"]["text"]
            for c in queued.platform.messenger_sends(PSID)
        )
    )


async def test_past_24_hours_the_reply_carries_the_human_agent_tag(queued: Bot):
    cid = _id(queued)
    _citizen_wrote(queued, dt.timedelta(days=3))
    async with _console(queued) as client:
        csrf = await signed_in(client, "hung")
        text = "Cán bộ trả lời muộn, xin lỗi bạn."
        sent = await client.post(
            f"/console/conversations/{cid}/reply", data={"text": text, "csrf_token": csrf}
        )
        assert sent.status_code == 303
    assert await wait_until(
        lambda: any(c.body["message"]["text"] == text for c in queued.platform.messenger_sends(PSID))
    )
    call = next(c for c in queued.platform.messenger_sends(PSID) if c.body["message"]["text"] == text)
    assert call.body["messaging_type"] == "MESSAGE_TAG" and call.body["tag"] == "HUMAN_AGENT"


async def test_past_7_days_the_reply_is_refused(queued: Bot):
    cid = _id(queued)
    _citizen_wrote(queued, dt.timedelta(days=8))
    async with _console(queued) as client:
        csrf = await signed_in(client, "hung")
        refused = await client.post(
            f"/console/conversations/{cid}/reply", data={"text": "Chào bạn", "csrf_token": csrf}
        )
    assert refused.status_code == 409 and "7 ngày" in refused.text
    assert not any(c.body["message"]["text"] == "Chào bạn" for c in queued.platform.messenger_sends(PSID))


async def test_another_provinces_conversation_does_not_exist(queued: Bot):
    cid = _id(queued)
    async with _console(queued) as client:
        csrf = await signed_in(client, "lan")
        assert f"/console/conversations/{cid}" not in (await client.get("/console/conversations")).text
        assert (await client.get(f"/console/conversations/{cid}")).status_code == 404
        taken = await client.post(f"/console/conversations/{cid}/take", data={"csrf_token": csrf})
        assert taken.status_code == 404
    assert handoff_of(queued, "messenger", PSID).state == "waiting"  # type: ignore[union-attr]


async def test_a_reading_officer_cannot_take_or_answer(queued: Bot):
    cid = _id(queued)
    async with _console(queued) as client:
        csrf = await signed_in(client, "xem")
        assert (await client.get("/console/conversations")).status_code == 200
        taken = await client.post(f"/console/conversations/{cid}/take", data={"csrf_token": csrf})
        assert taken.status_code == 403
        answered = await client.post(
            f"/console/conversations/{cid}/reply", data={"text": "Chào", "csrf_token": csrf}
        )
        assert answered.status_code == 403


async def test_bad_ids_and_empty_replies_are_no_500(queued: Bot):
    cid = _id(queued)
    async with _console(queued) as client:
        csrf = await signed_in(client, "hung")
        assert (await client.get("/console/conversations/abc")).status_code < 500
        assert (await client.get("/console/conversations/99999999")).status_code == 404
        assert (await client.get("/console/conversations/" + "9" * 40)).status_code == 404
        assert (await client.get("/console/conversations/-1")).status_code == 404
        huge = await client.post("/console/conversations/" + "9" * 40 + "/take", data={"csrf_token": csrf})
        assert huge.status_code == 404
        empty = await client.post(
            f"/console/conversations/{cid}/reply", data={"text": " ", "csrf_token": csrf}
        )
        assert empty.status_code == 409
        canned = await client.post(
            f"/console/conversations/{cid}/reply", data={"canned": "0", "csrf_token": csrf}
        )
        assert canned.status_code == 303
        script = await client.get("/console/static/queue.js")
        assert script.status_code == 200 and "conversations.json" in script.text
