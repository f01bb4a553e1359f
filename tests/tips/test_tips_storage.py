"""Tips in the database: reference codes, facts, lookups, filters, status, retention, data rights."""

from __future__ import annotations

import datetime as dt

import pytest
from citizens import add_tip
from sqlalchemy import Engine as Database
from sqlalchemy import func, select

from app.conversation_state.store import load_state, save_state
from app.conversation_state.store import purge_before as purge_states
from app.db import transaction
from app.tips.models import TIP_LINKS, TIP_PHONES, TIPS, TipStatus
from app.tips.service import (
    NewTip,
    TipFilter,
    TipNotFound,
    account_stats,
    create_tip,
    domain_stats,
    forget_user,
    get_tip,
    link_key_stats,
    list_tips,
    phone_stats,
    purge_before,
    set_status,
)

UTC = dt.UTC
DAY = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


def test_reference_codes_count_per_province_prefix_and_vietnam_day(db_engine: Database):
    assert [add_tip(db_engine, when=DAY) for _ in range(3)] == [
        "CT-20261123-0001",
        "CT-20261123-0002",
        "CT-20261123-0003",
    ]
    assert add_tip(db_engine, prefix="TQ", when=DAY, province="tuyen-quang") == "TQ-20261123-0001"
    # 23:59 in Vietnam is still the 23rd; 00:00 is the 24th, whatever the UTC date says
    assert add_tip(db_engine, when=dt.datetime(2026, 11, 23, 16, 59, tzinfo=UTC)) == "CT-20261123-0004"
    assert add_tip(db_engine, when=dt.datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == "CT-20261124-0001"


def test_a_taken_reference_code_is_skipped_not_reused(db_engine: Database):
    with transaction(db_engine) as session:  # a code written by hand, ahead of the counter
        session.execute(
            TIPS.insert().values(
                ref_code="CT-20261123-0001",
                created_at=DAY,
                updated_at=DAY,
                province="can-tho",
                channel="web",
                channel_id="",
                score=0.0,
                turns=[],
                socials=[],
                urgent=False,
                status="moi",
            )
        )
    assert add_tip(db_engine, when=DAY) == "CT-20261123-0002"


def test_a_tip_keeps_every_fact(db_engine: Database):
    new = NewTip(
        province="can-tho",
        channel="messenger",
        channel_id="104857600000001",
        reporter_id="6500000000000001",
        reporter_name="Trần Văn Bình",
        tactics=["impersonate_authority", "fake_vneid_app"],
        score=72.5,
        turns=["Họ gọi xưng công an", "số 0912 345 678, mất 45 triệu"],
        phones=["+84912345678", "+84987654321"],
        accounts=[("0451000123456", "Vietcombank"), ("190355678820", None)],
        urls=["https://vneid-capnhat.top/tai-app", "bit.ly/AbC123"],
        socials=["Telegram @fake_police_vn"],
        amount_vnd=45_000_000,
        incident_when="hôm qua",
        urgent=True,
    )
    with transaction(db_engine) as session:
        ref = create_tip(session, tip=new, ref_prefix="CT", now=DAY).ref_code
    with transaction(db_engine) as session:
        tip = get_tip(session, ref_code=ref.lower())
    assert tip is not None
    assert tip.created_at == DAY and tip.created_at.tzinfo is not None
    assert (tip.channel, tip.channel_id, tip.reporter_id, tip.reporter_name) == (
        "messenger",
        "104857600000001",
        "6500000000000001",
        "Trần Văn Bình",
    )
    assert tip.tactics == ["impersonate_authority", "fake_vneid_app"] and tip.score == 72.5
    assert tip.turns == list(new.turns) and tip.socials == ["Telegram @fake_police_vn"]
    assert tip.phones == ["+84912345678", "+84987654321"]
    assert [(a.number, a.bank) for a in tip.accounts] == [
        ("0451000123456", "Vietcombank"),
        ("190355678820", None),
    ]
    assert [(link.url, link.domain) for link in tip.links] == [
        ("https://vneid-capnhat.top/tai-app", "vneid-capnhat.top"),
        ("bit.ly/AbC123", "bit.ly"),
    ]
    assert tip.amount_vnd == 45_000_000 and tip.incident_when == "hôm qua" and tip.urgent
    assert tip.status == TipStatus.moi and tip.officer_note is None


def test_mention_counts_come_from_the_indexed_child_rows(db_engine: Database):
    add_tip(db_engine, when=DAY, phones=["+84912345678"], tactics=["impersonate_authority"])
    add_tip(db_engine, when=DAY + dt.timedelta(days=2), phones=["+84912345678"], tactics=["fake_vneid_app"])
    add_tip(
        db_engine, when=DAY + dt.timedelta(days=3), phones=["+84912345678"], tactics=["impersonate_authority"]
    )
    add_tip(
        db_engine, when=DAY, accounts=[("0451000123456", "Vietcombank")], urls=["http://a.scam-site.top/x"]
    )
    add_tip(db_engine, when=DAY, urls=["b.scam-site.top", "https://bit.ly/abc"])
    with transaction(db_engine) as session:
        phone = phone_stats(session, phone="+84912345678")
        assert phone.count == 3
        assert phone.last_at == DAY + dt.timedelta(days=3)
        assert phone.tactics == [("impersonate_authority", 2), ("fake_vneid_app", 1)]
        assert phone_stats(session, phone="+84900000000").count == 0
        assert phone_stats(session, phone="+84900000000").last_at is None
        assert account_stats(session, number="0451000123456").count == 1
        assert domain_stats(session, domain="scam-site.top").count == 2  # any subdomain
        assert link_key_stats(session, url_key="bit.ly/abc").count == 1
        assert link_key_stats(session, url_key="bit.ly/other").count == 0


def test_filters_use_vietnam_days_and_match_tactic_status_and_province(db_engine: Database):
    late_22 = dt.datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 23:30 on the 22nd in Vietnam
    early_23 = dt.datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # 00:30 on the 23rd
    a = add_tip(db_engine, when=late_22, tactics=["otp_theft"])
    b = add_tip(db_engine, when=early_23, tactics=["loan_app", "otp_theft"])
    c = add_tip(
        db_engine, prefix="TQ", province="tuyen-quang", when=DAY + dt.timedelta(days=1), tactics=["loan_app"]
    )
    with transaction(db_engine) as session:
        set_status(session, ref_code=b, status=TipStatus.dang_xac_minh)

    def refs(**filters: object) -> set[str]:
        with transaction(db_engine) as session:
            return {t.ref_code for t in list_tips(session, filters=TipFilter(**filters), limit=100)}  # type: ignore[arg-type]

    assert refs() == {a, b, c}
    assert refs(since=dt.date(2026, 11, 23)) == {b, c}
    assert refs(until=dt.date(2026, 11, 22)) == {a}
    assert refs(since=dt.date(2026, 11, 23), until=dt.date(2026, 11, 23)) == {b}
    assert refs(tactic="otp_theft") == {a, b}
    assert refs(tactic="loan_app", province="can-tho") == {b}
    assert refs(status=TipStatus.dang_xac_minh) == {b}
    assert refs(status=TipStatus.moi, province="tuyen-quang") == {c}
    assert refs(tactic="nothing_like_this") == set()


def test_set_status_records_the_note_and_the_update_time(db_engine: Database):
    ref = add_tip(db_engine, when=DAY)
    later = DAY + dt.timedelta(hours=5)
    with transaction(db_engine) as session:
        tip = set_status(
            session, ref_code=ref, status=TipStatus.da_chuyen, note="Chuyển Phòng An ninh mạng", now=later
        )
    assert tip.status == TipStatus.da_chuyen and tip.officer_note == "Chuyển Phòng An ninh mạng"
    assert tip.updated_at == later and tip.created_at == DAY
    with transaction(db_engine) as session, pytest.raises(TipNotFound):
        set_status(session, ref_code="CT-20990101-0001", status=TipStatus.da_dong)


def test_purge_deletes_old_tips_with_their_facts(db_engine: Database):
    now = DAY + dt.timedelta(days=400)
    add_tip(db_engine, when=DAY, phones=["+84911111111"], urls=["old.top"])
    keep = add_tip(db_engine, when=now - dt.timedelta(days=10), phones=["+84922222222"])
    with transaction(db_engine) as session:
        assert purge_before(session, before=now - dt.timedelta(days=365)) == 1
    with transaction(db_engine) as session:
        assert [t.ref_code for t in list_tips(session)] == [keep]
        assert session.execute(select(func.count()).select_from(TIP_PHONES)).scalar_one() == 1
        assert session.execute(select(func.count()).select_from(TIP_LINKS)).scalar_one() == 0


def test_forgetting_a_reporter_touches_only_their_tips(db_engine: Database):
    mine = add_tip(db_engine, when=DAY, reporter_id="u1", reporter_name="Lê Thị Mai", phones=["+84933333333"])
    other_channel = add_tip(db_engine, when=DAY, channel="zalo", reporter_id="u1")
    someone_else = add_tip(db_engine, when=DAY, reporter_id="u2")
    with transaction(db_engine) as session:
        assert forget_user(session, channel="web", user_id="u1") == [mine]
    with transaction(db_engine) as session:
        forgotten = get_tip(session, ref_code=mine)
        assert forgotten is not None and forgotten.reporter_id is None and forgotten.reporter_name is None
        assert forgotten.phones == ["+84933333333"]
        assert get_tip(session, ref_code=other_channel).reporter_id == "u1"  # type: ignore[union-attr]
        assert get_tip(session, ref_code=someone_else).reporter_id == "u2"  # type: ignore[union-attr]


def test_conversation_state_is_one_row_per_citizen_and_can_be_purged(db_engine: Database):
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="u1", flow="report", data={"step": "consent"}, now=DAY)
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="u1", flow="report", data={"step": "confirm"}, now=DAY)
        save_state(session, channel="web", user_id="u1", flow="report", data={"step": "x"}, now=DAY)
    with transaction(db_engine) as session:
        state = load_state(session, channel="zalo", user_id="u1")
        assert state is not None and state.data == {"step": "confirm"} and state.updated_at == DAY
        assert purge_states(session, before=DAY + dt.timedelta(seconds=1)) == 2
        assert load_state(session, channel="zalo", user_id="u1") is None


def test_a_link_with_an_overlong_host_is_still_filed(db_engine: Database):
    """A 300-character host label (no real host is that long) never makes the database refuse a tip."""
    url = "https://" + "a" * 300 + ".top/dang-nhap"
    ref = add_tip(db_engine, urls=[url], phones=["+84912345678"])
    with transaction(db_engine) as session:
        tip = get_tip(session, ref_code=ref)
    assert tip is not None and [link.url for link in tip.links] == [url]
    assert len(tip.links[0].domain) <= 253
