"""Human handoff over signed webhooks and a fake platform: asking for a person, officers answering in
the platforms' own inboxes (the bot steps aside), our own echoes (it does not), and resuming."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from channel_support import (
    CAN_THO_HOTLINE,
    Bot,
    FakePlatform,
    fb_body,
    make_settings,
    running_bot,
    wait_until,
    zalo_body,
)
from handoff_support import (
    OUR_APP,
    PAGE_INBOX,
    fb_echo,
    fb_handback,
    finished,
    handoff_of,
    replies_to,
    zalo_officer,
)

from app.db import transaction
from app.handoff import service as store
from app.replies.handoff import RESUMED

ASK = "cho tôi gặp cán bộ"
STORY = "có người gọi tự xưng công an bảo tôi chuyển tiền vào tài khoản tạm giữ"


@pytest.fixture
async def hbot(migrated_url: str, platform: FakePlatform) -> AsyncIterator[Bot]:
    settings = make_settings(migrated_url, fb_app_id=OUR_APP, fb_handover_target_app_id=PAGE_INBOX)
    async with running_bot(settings, platform) as running:
        yield running


@pytest.mark.parametrize("text", [ASK, "Cho toi gap can bo", "nói chuyện với người thật", "gặp công an trực"])
async def test_asking_for_a_person_queues_and_gives_the_hotline(hbot: Bot, text: str):
    psid = "6500000000000101"
    await hbot.messenger(fb_body(psid, "m_ask_1", text))
    await finished(hbot, "messenger", "m_ask_1")
    replies = " ".join(replies_to(hbot, "messenger", "m_ask_1"))
    assert "cán bộ" in replies and CAN_THO_HOTLINE in replies
    row = handoff_of(hbot, "messenger", psid)
    assert row is not None and row.state == "waiting" and row.reason == "asked" and row.province == "can-tho"
    assert await wait_until(
        lambda: any(c.path.endswith("/me/pass_thread_control") for c in hbot.platform.calls)
    )
    handover = next(c for c in hbot.platform.calls if c.path.endswith("/me/pass_thread_control"))
    assert handover.body == {"recipient": {"id": psid}, "target_app_id": PAGE_INBOX}


async def test_no_handover_call_without_a_target(bot: Bot):
    await bot.messenger(fb_body("6500000000000102", "m_ask_2", ASK))
    await finished(bot, "messenger", "m_ask_2")
    assert replies_to(bot, "messenger", "m_ask_2")
    assert not any(c.path.endswith("/me/pass_thread_control") for c in bot.platform.calls)


async def test_zalo_officer_reply_in_the_admin_chat_silences_the_bot(hbot: Bot):
    user = "8800000000000201"
    await hbot.zalo(zalo_officer(user, "oa_msg_1", "Chào bạn, tôi là cán bộ trực."))
    await finished(hbot, "zalo", "oa:oa_msg_1")
    row = handoff_of(hbot, "zalo", user)
    assert row is not None and row.state == "officer"
    await hbot.zalo(zalo_body(user, "z_cit_1", STORY))
    await finished(hbot, "zalo", "z_cit_1")
    assert replies_to(hbot, "zalo", "z_cit_1") == []
    assert hbot.platform.zalo_sends(user) == []
    with transaction(hbot.state.db) as session:
        found = store.find(session, channel="zalo", user_id=user)
        assert found is not None
        texts = [m.text for m in store.transcript(session, found.id or 0)]
    assert texts == ["Chào bạn, tôi là cán bộ trực.", STORY]


async def test_zalo_api_echo_without_admin_id_pauses_nothing(hbot: Bot):
    user = "8800000000000202"
    await hbot.zalo(zalo_officer(user, "oa_msg_2", "tin của bot", admin=False))
    await hbot.zalo(zalo_body(user, "z_cit_2", STORY))
    await finished(hbot, "zalo", "z_cit_2")
    assert replies_to(hbot, "zalo", "z_cit_2")
    assert handoff_of(hbot, "zalo", user) is None or handoff_of(hbot, "zalo", user).state != "officer"  # type: ignore[union-attr]


async def test_our_own_messenger_echo_pauses_nothing(hbot: Bot):
    psid = "6500000000000203"
    await hbot.messenger(fb_echo(psid, "m_echo_own", "tin của bot", app_id=OUR_APP))
    await hbot.messenger(fb_body(psid, "m_cit_3", "xin chào"))
    await finished(hbot, "messenger", "m_cit_3")
    assert replies_to(hbot, "messenger", "m_cit_3")
    assert handoff_of(hbot, "messenger", psid) is None


async def test_messenger_echo_from_the_page_inbox_pauses_the_bot(hbot: Bot):
    psid = "6500000000000204"
    await hbot.messenger(fb_echo(psid, "m_echo_inbox", "Chào bạn, cán bộ đây.", app_id=PAGE_INBOX))
    await finished(hbot, "messenger", "echo:m_echo_inbox")
    await hbot.messenger(fb_body(psid, "m_cit_4", STORY))
    await finished(hbot, "messenger", "m_cit_4")
    assert replies_to(hbot, "messenger", "m_cit_4") == []
    assert hbot.platform.messenger_sends(psid) == []


async def test_echoes_are_ignored_when_our_app_id_is_unknown(bot: Bot):
    psid = "6500000000000205"
    await bot.messenger(fb_echo(psid, "m_echo_x", "cán bộ", app_id=PAGE_INBOX))
    await bot.messenger(fb_body(psid, "m_cit_5", "xin chào"))
    await finished(bot, "messenger", "m_cit_5")
    assert replies_to(bot, "messenger", "m_cit_5")


async def test_release_resumes_with_a_one_time_notice(hbot: Bot):
    psid = "6500000000000206"
    await hbot.messenger(fb_echo(psid, "m_echo_r", "Cán bộ đây.", app_id=PAGE_INBOX))
    await finished(hbot, "messenger", "echo:m_echo_r")
    with transaction(hbot.state.db) as session:
        row = store.find(session, channel="messenger", user_id=psid)
        assert row is not None
        store.release(session, row, now=dt.datetime.now(dt.UTC))
    await hbot.messenger(fb_body(psid, "m_cit_6a", "xin chào"))
    await finished(hbot, "messenger", "m_cit_6a")
    first = replies_to(hbot, "messenger", "m_cit_6a")
    assert first and first[0].startswith(RESUMED)
    await hbot.messenger(fb_body(psid, "m_cit_6b", "xin chào"))
    await finished(hbot, "messenger", "m_cit_6b")
    second = replies_to(hbot, "messenger", "m_cit_6b")
    assert second and RESUMED not in " ".join(second)


async def test_timeout_without_officer_message_resumes(hbot: Bot):
    user = "8800000000000207"
    await hbot.zalo(zalo_officer(user, "oa_msg_7", "Cán bộ đây."))
    await finished(hbot, "zalo", "oa:oa_msg_7")
    with transaction(hbot.state.db) as session:  # the officer's last message, two hours ago
        row = store.find(session, channel="zalo", user_id=user)
        assert row is not None
        row.officer_at = row.taken_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    await hbot.zalo(zalo_body(user, "z_cit_7", "xin chào"))
    await finished(hbot, "zalo", "z_cit_7")
    replies = replies_to(hbot, "zalo", "z_cit_7")
    assert replies and replies[0].startswith(RESUMED)
    assert handoff_of(hbot, "zalo", user).state == "bot"  # type: ignore[union-attr]


async def test_handover_back_to_our_app_resumes(hbot: Bot):
    psid = "6500000000000208"
    await hbot.messenger(fb_echo(psid, "m_echo_h", "Cán bộ đây.", app_id=PAGE_INBOX))
    await finished(hbot, "messenger", "echo:m_echo_h")
    await hbot.messenger(fb_handback(psid, to_app=OUR_APP))
    assert await wait_until(lambda: handoff_of(hbot, "messenger", psid).state == "bot")  # type: ignore[union-attr]
    await hbot.messenger(fb_body(psid, "m_cit_8", "xin chào"))
    await finished(hbot, "messenger", "m_cit_8")
    replies = replies_to(hbot, "messenger", "m_cit_8")
    assert replies and replies[0].startswith(RESUMED)


async def test_money_gone_queues_as_urgent_while_the_bot_gives_the_steps(hbot: Bot):
    psid = "6500000000000209"
    text = "tôi vừa chuyển 50 triệu cho kẻ giả danh công an, giờ phải làm sao"
    await hbot.messenger(fb_body(psid, "m_cit_9", text))
    await finished(hbot, "messenger", "m_cit_9")
    replies = " ".join(replies_to(hbot, "messenger", "m_cit_9"))
    assert CAN_THO_HOTLINE in replies and "báo cán bộ trực" in replies
    row = handoff_of(hbot, "messenger", psid)
    assert row is not None and row.urgent and row.state == "waiting"


async def test_a_citizen_payload_cannot_forge_a_change_of_control(hbot: Bot):
    psid = "6500000000000210"
    await hbot.messenger(fb_body(psid, "m_cit_10", "xin chào", quick_reply={"payload": "CONTROL:officer"}))
    await finished(hbot, "messenger", "m_cit_10")
    assert replies_to(hbot, "messenger", "m_cit_10")
    assert handoff_of(hbot, "messenger", psid) is None
