"""Hardening of the data: checks count people not tips, a daily limit per reporter, the reporter's
own contact kept apart, honest turn limits, and retention (`canhgiac data purge`)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from citizens import FULL_REPORT, REF_RE, Citizen, add_tip
from sqlalchemy import Engine as Database
from sqlalchemy import Table, select
from sqlmodel import Session

from app.conversation.report_flow import MAX_DRAFT_TURNS
from app.conversation.responder import Responder
from app.conversation_state.store import load_state, save_state
from app.db import transaction
from app.inbox.service import EVENTS
from app.outbox.service import OUTBOX
from app.privacy.retention import Purged, purge_data
from app.settings import PROJECT_ROOT, Settings
from app.tips.export import ExportOptions, tip_json
from app.tips.models import TIPS, TipRead, TipStatus
from app.tips.service import get_tip, list_tips, phone_stats, set_status

DAY = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
SCAM_PHONE = "+84912345678"  # fictional, the number in FULL_REPORT


def _tip(db: Database, ref: str) -> TipRead:
    with transaction(db) as session:
        tip = get_tip(session, ref_code=ref)
    assert tip is not None
    return tip


def _all_tips(db: Database) -> list[TipRead]:
    with transaction(db) as session:
        return list_tips(session, limit=1000)


# --------------------------------------------------------------------------- checks count people


def test_a_check_counts_distinct_reporters_and_those_an_officer_took_up(
    bot_engine: Responder, db_engine: Database
):
    for i in range(3):  # one person, three tips
        add_tip(
            db_engine, when=DAY, channel="zalo", reporter_id="z-flooder", phones=[SCAM_PHONE], turns=[f"{i}"]
        )
    add_tip(db_engine, when=DAY, channel="zalo", reporter_id="z-other", phones=[SCAM_PHONE])
    taken_up = add_tip(db_engine, when=DAY, channel="messenger", reporter_id="z-other", phones=[SCAM_PHONE])
    with transaction(db_engine) as session:
        set_status(session, ref_code=taken_up, status=TipStatus.dang_xac_minh)
        stats = phone_stats(session, phone=SCAM_PHONE)
    assert (stats.count, stats.reporters, stats.verified) == (5, 3, 1)

    said = Citizen(bot_engine, db_engine, user_id="asker").say("kiểm tra số 0912 345 678")
    assert "3 người đã tố giác số này, 1 đã được cán bộ xác minh" in said
    assert "5 tố giác" not in said and "5 người" not in said  # the tip count is never shown


def test_web_tips_from_one_client_count_as_one_reporter(bot_engine: Responder, db_engine: Database):
    for i in range(20):  # twenty anonymous sessions, one address
        add_tip(
            db_engine,
            when=DAY,
            channel="web",
            reporter_id=f"s{i}",
            reporter_key="web-client:abc",
            phones=[SCAM_PHONE],
        )
    with transaction(db_engine) as session:
        assert phone_stats(session, phone=SCAM_PHONE).reporters == 1
    said = Citizen(bot_engine, db_engine, user_id="asker").say("số 0912345678 có lừa đảo không")
    assert "1 người đã tố giác số này" in said


def test_twenty_spam_reports_from_one_client_never_count_as_more_than_five(
    bot_engine: Responder, db_engine: Database
):
    refs: list[str] = []
    refused = 0
    for i in range(20):  # a new web session each time, from one network address
        spammer = Citizen(bot_engine, db_engine, user_id=f"web-session-{i}", client_key="203.0.113.7")
        said = spammer.say(FULL_REPORT)
        if "không được lưu thành tố giác mới" in said:  # told, not silently dropped
            assert "069.367.2888" in said
            refused += 1
            continue
        found = REF_RE.search(spammer.say("Có"))
        assert found is not None
        refs.append(found.group(0))
    assert len(refs) == 5 and refused == 15  # CANHGIAC_TIPS_PER_REPORTER_PER_DAY's default
    assert len(_all_tips(db_engine)) == 5
    with transaction(db_engine) as session:
        keys = set(session.execute(select(TIPS.c.reporter_key)).scalars())
    assert len(keys) == 1 and "203.0.113.7" not in str(keys)  # one digest, never the address

    check = Citizen(bot_engine, db_engine, user_id="asker").say("kiểm tra số 0912 345 678")
    assert "1 người đã tố giác số này" in check


def test_the_daily_limit_follows_the_user_id_and_resets_the_next_day(
    bot_engine: Responder, db_engine: Database, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(bot_engine.reports, "tips_per_day", 2)
    citizen = Citizen(bot_engine, db_engine, user_id="zalo-1", channel="zalo")
    assert citizen.report_cooperatively(FULL_REPORT) is not None
    assert citizen.report_cooperatively(FULL_REPORT) is not None
    said = citizen.say(FULL_REPORT)  # the third: told at once, nothing opened
    assert "Hôm nay bạn đã gửi 2 tố giác" in said and "Đường dây nóng" in said
    assert "Bạn có đồng ý không?" not in said
    assert len(_all_tips(db_engine)) == 2
    citizen.now += dt.timedelta(days=1)
    assert citizen.report_cooperatively(FULL_REPORT) is not None


def test_a_draft_finished_past_the_limit_is_not_stored_and_the_citizen_is_told(
    bot_engine: Responder, db_engine: Database, monkeypatch: pytest.MonkeyPatch
):
    citizen = Citizen(bot_engine, db_engine, user_id="zalo-2", channel="zalo")
    said = citizen.say(FULL_REPORT)
    assert "Gửi" in said or "đồng ý" in said
    add_tip(db_engine, when=citizen.now, channel="zalo", reporter_id="zalo-2")  # filed meanwhile
    monkeypatch.setattr(bot_engine.reports, "tips_per_day", 1)
    said = citizen.say("Có")
    assert REF_RE.search(said) is None
    assert "không được lưu thành tố giác mới" in said and "069.367.2888" in said
    assert len(_all_tips(db_engine)) == 1


def test_the_limit_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CANHGIAC_TIPS_PER_REPORTER_PER_DAY", "3")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.tips_per_reporter_per_day == 3
    assert Settings(_env_file=None, tips_per_reporter_per_day=7).tips_per_reporter_per_day == 7  # type: ignore[call-arg]


def test_engine_from_settings_passes_the_limit(bot_engine: Responder):
    assert bot_engine.reports.tips_per_day == Settings(_env_file=None).tips_per_reporter_per_day == 5  # type: ignore[call-arg]


# --------------------------------------------------------------------------- the reporter's contact


@pytest.mark.parametrize(
    "contact",
    [
        "sđt của tôi 0987 654 321",
        "số của tôi 0987.654.321",
        "sdt cua em 0987654321",
        "số em là 0987 654 321",
        "Tôi là Trần Thị Mai, số điện thoại 0987654321",
    ],
)
def test_the_reporters_own_number_is_their_contact_not_a_reported_phone(
    bot_engine: Responder, db_engine: Database, contact: str
):
    citizen = Citizen(bot_engine, db_engine, user_id="web-contact")
    said = citizen.say(f"{FULL_REPORT} {contact}")
    assert "Số liên hệ của bạn (để cán bộ gọi lại): 0987 654 321" in said
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None
    tip = _tip(db_engine, ref.group(0))
    assert tip.phones == [SCAM_PHONE]
    assert tip.reporter_contact == "+84987654321"
    with transaction(db_engine) as session:
        assert phone_stats(session, phone="+84987654321").count == 0


def test_a_contact_given_in_an_answer_is_kept_apart_too(bot_engine: Responder, db_engine: Database):
    citizen = Citizen(bot_engine, db_engine, user_id="web-contact-2")
    citizen.say("Tôi muốn tố giác")
    citizen.say("Có")
    citizen.say("Có người gọi tự xưng công an bắt tôi cài app, số của họ là 0912 345 678")
    said = citizen.say("số của mình 0987 654 321, họ còn dùng zalo Nguyễn Văn Tèo")
    for _ in range(4):
        ref = REF_RE.search(said)
        if ref:
            break
        said = citizen.say("Có" if "Gửi" in said else "xong")
    assert ref is not None
    tip = _tip(db_engine, ref.group(0))
    assert tip.phones == [SCAM_PHONE] and tip.reporter_contact == "+84987654321"


def test_deleting_my_data_removes_my_contact_and_keeps_me_counted_once(
    bot_engine: Responder, db_engine: Database
):
    citizen = Citizen(bot_engine, db_engine, user_id="web-forget", client_key="198.51.100.4")
    citizen.say(f"{FULL_REPORT} Số của tôi 0987 654 321.")
    first = REF_RE.search(citizen.say("Có"))
    citizen.say(FULL_REPORT)
    second = REF_RE.search(citizen.say("Có"))
    assert first and second
    said = citizen.say("xóa dữ liệu của tôi")
    assert "Đã xóa dữ liệu của bạn" in said and "kể cả số liên hệ của bạn: đã xóa" in said
    tip = _tip(db_engine, first.group(0))
    assert tip.reporter_contact is None and tip.reporter_id is None
    assert not any("0987 654 321" in turn for turn in tip.turns)
    assert any("0912 345 678" in turn for turn in tip.turns)  # the scammer's number stays
    assert tip.phones == [SCAM_PHONE]
    with transaction(db_engine) as session:
        assert phone_stats(session, phone=SCAM_PHONE).reporters == 1
    other = _tip(db_engine, second.group(0))
    assert other.reporter_id is None


# --------------------------------------------------------------------------- turn limit


def test_a_full_draft_says_what_is_kept_at_every_step(bot_engine: Responder, db_engine: Database):
    citizen = Citizen(bot_engine, db_engine, user_id="talkative", channel="zalo")
    citizen.say("Tôi muốn tố giác")
    for i in range(MAX_DRAFT_TURNS):
        said = citizen.say(f"Kể thêm đoạn {i + 1}: người đó nhắn tin dọa tôi rất nhiều lần.")
        assert "Tôi đã ghi thêm thông tin của bạn" in said
    said = citizen.say("Kể thêm: họ còn gửi ảnh giấy triệu tập giả.")
    assert f"Tố giác đã có {MAX_DRAFT_TURNS} đoạn, tôi không ghi thêm được tin nhắn này" in said
    assert "Bạn có đồng ý không?" in said
    said = citizen.say("Có")  # a question
    said = citizen.say("Số của họ là 0912 345 678")
    assert "không ghi thêm được tin nhắn này" in said
    for _ in range(4):
        if "Gửi" in said:
            break
        said = citizen.say("bỏ qua")
    said = citizen.say("Họ tên người gọi là Lê Văn Tám")
    assert "không ghi thêm được tin nhắn này" in said and 'Bạn chọn "Có"' in said
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None
    tip = _tip(db_engine, ref.group(0))
    assert len(tip.turns) == MAX_DRAFT_TURNS and tip.phones == []  # nothing past the limit is kept


# --------------------------------------------------------------------------- retention

NOW = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def _event(
    session: Session, key: str, *, age: dt.timedelta, status: str, text: str | None = "xin chào"
) -> int:
    when = NOW - age
    row = {
        "channel": "zalo",
        "message_id": key,
        "channel_id": "oa-1",
        "user_id": "zalo-user-1",
        "text": text,
        "payload": "ACTION:CHECK" if text else None,
        "attachments": "",
        "received_at": when,
        "created_at": when,
        "status": status,
        "attempts": 0,
        "processed_at": when if status != "pending" else None,
    }
    return int(session.execute(EVENTS.insert().values(**row).returning(EVENTS.c.id)).scalar_one())


def _reply(session: Session, event_id: int, seq: int, *, age: dt.timedelta, status: str) -> int:
    when = NOW - age
    row = {
        "event_id": event_id,
        "seq": seq,
        "channel": "zalo",
        "channel_id": "oa-1",
        "user_id": "zalo-user-1",
        "text": "Bạn đừng chuyển tiền cho người lạ.",
        "quick_replies": "[]",
        "status": status,
        "attempts": 1,
        "next_attempt_at": when,
        "created_at": when,
        "sent_at": when if status == "sent" else None,
    }
    return int(session.execute(OUTBOX.insert().values(**row).returning(OUTBOX.c.id)).scalar_one())


def _texts(session: Session, table: Table) -> dict[int, str | None]:
    return {row.id: row.text for row in session.execute(select(table.c.id, table.c.text))}


def test_data_purge_deletes_old_rows_of_every_table(db_engine: Database):
    old, recent = dt.timedelta(days=40), dt.timedelta(days=1)
    old_tip = add_tip(db_engine, when=NOW - old, phones=[SCAM_PHONE])
    new_tip = add_tip(db_engine, when=NOW - recent, phones=[SCAM_PHONE])
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="old", flow="report", data={}, now=NOW - old)
        save_state(session, channel="zalo", user_id="new", flow="report", data={}, now=NOW - recent)
        done_old = _event(session, "e1", age=old, status="done", text=None)
        _reply(session, done_old, 0, age=old, status="sent")
        waiting_old = _event(session, "e2", age=old, status="done", text=None)  # a reply still to send
        waiting_reply = _reply(session, waiting_old, 0, age=old, status="pending")
        failed_old = _event(session, "e3", age=old, status="failed")
        pending_old = _event(session, "e4", age=old, status="pending")
        done_new = _event(session, "e5", age=recent, status="done", text=None)
        sent_new = _reply(session, done_new, 0, age=recent, status="sent")
    with transaction(db_engine) as session:
        done = purge_data(session, days=30, now=NOW)
    assert (done.tips, done.states, done.inbound, done.outbound) == (1, 1, 2, 1)
    with transaction(db_engine) as session:
        assert get_tip(session, ref_code=old_tip) is None and get_tip(session, ref_code=new_tip) is not None
        assert load_state(session, channel="zalo", user_id="old") is None
        assert load_state(session, channel="zalo", user_id="new") is not None
        events = set(session.execute(select(EVENTS.c.id)).scalars())
        assert events == {waiting_old, pending_old, done_new}
        assert done_old not in events and failed_old not in events
        assert set(session.execute(select(OUTBOX.c.id)).scalars()) == {waiting_reply, sent_new}
        assert phone_stats(session, phone=SCAM_PHONE).count == 1


def test_finished_messages_lose_their_text_after_the_given_hours(db_engine: Database):
    long_ago, lately = dt.timedelta(hours=30), dt.timedelta(hours=2)
    with transaction(db_engine) as session:
        failed = _event(session, "f1", age=long_ago, status="failed")
        pending = _event(session, "f2", age=long_ago, status="pending")
        fresh = _event(session, "f3", age=lately, status="done")
        sent = _reply(session, failed, 0, age=long_ago, status="sent")
        given_up = _reply(session, failed, 1, age=long_ago, status="failed")
        queued = _reply(session, pending, 0, age=long_ago, status="pending")
        just_sent = _reply(session, fresh, 0, age=lately, status="sent")
    with transaction(db_engine) as session:
        done = purge_data(session, days=30, clear_text_after_hours=24, now=NOW)
    assert (done.inbound_texts, done.outbound_texts) == (1, 2)
    assert (done.inbound, done.outbound, done.tips) == (0, 0, 0)
    with transaction(db_engine) as session:
        events = _texts(session, EVENTS)
        assert events[failed] is None and events[pending] == "xin chào" and events[fresh] == "xin chào"
        payloads = dict(session.execute(select(EVENTS.c.id, EVENTS.c.payload)).all())
        assert payloads[failed] is None and payloads[pending] == "ACTION:CHECK"
        replies = _texts(session, OUTBOX)
        assert replies[sent] == "" and replies[given_up] == ""
        assert replies[queued] and replies[just_sent]
    with transaction(db_engine) as session:  # run again: nothing more to do
        again = purge_data(session, days=30, clear_text_after_hours=24, now=NOW)
    assert again == Purged()
    with pytest.raises(ValueError), transaction(db_engine) as session:
        purge_data(session, days=-1, now=NOW)


@pytest.mark.slow
def test_the_data_purge_command(database_url: str, db_engine: Database):
    ref = add_tip(db_engine, when=dt.datetime.now(dt.UTC) - dt.timedelta(days=3), phones=[SCAM_PHONE])
    with transaction(db_engine) as session:
        two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        _event(session, "c1", age=NOW - two_days_ago, status="done")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    environ["CANHGIAC_DATABASE_URL"] = database_url

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "data", "purge", *args],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=environ,
            timeout=120,
            check=False,
        )

    kept = run("--older-than", "30")
    assert kept.returncode == 0, kept.stderr
    assert "Đã xóa 0 tố giác" in kept.stdout and "đã xóa nội dung 1 tin nhắn đến" in kept.stdout
    with transaction(db_engine) as session:
        assert get_tip(session, ref_code=ref) is not None
    purged = run("--older-than", "2", "--clear-text-after-hours", "0")
    assert (
        purged.returncode == 0 and "Đã xóa 1 tố giác" in purged.stdout and "1 tin nhắn đến" in purged.stdout
    )
    with transaction(db_engine) as session:
        assert get_tip(session, ref_code=ref) is None
    bad = run("--older-than", "-1")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_exports_show_the_reporters_contact_only_with_their_identity(db_engine: Database):
    ref = add_tip(db_engine, when=DAY, phones=[SCAM_PHONE], reporter_contact="+84987654321")
    tip = _tip(db_engine, ref)
    hidden = tip_json(tip, ExportOptions(pseudonym_key=b"k"))
    shown = tip_json(tip, ExportOptions(pseudonym_key=b"k", include_reporter=True))
    assert hidden["reporter_contact"] is None and "+84987654321" not in str(hidden)
    assert shown["reporter_contact"] == "+84987654321" and shown["phones"] == [SCAM_PHONE]
