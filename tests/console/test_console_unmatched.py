"""Unmatched messages: kept by the engine's hook, grouped, marked as variants, exported."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter

from channel_support import shared_analyzer
from console_support import console_app, csrf_of, officer, settings_for, signed_in
from sqlalchemy import Engine as Database
from sqlalchemy import func, select
from unmatched_data import CAMPAIGNS, UNRELATED

from app.console.models import AUDIT, SUGGESTIONS, Role
from app.console.unmatched import Item, group_messages
from app.contracts import IncomingMessage
from app.conversation.responder import Responder
from app.db import transaction
from app.settings import PROJECT_ROOT
from app.text.normalize import normalize
from app.unmatched.models import UNMATCHED
from app.unmatched.service import keep_unmatched, record_unmatched

START = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)


def _items() -> tuple[list[Item], dict[int, str]]:
    items: list[Item] = []
    labels: dict[int, str] = {}
    texts = [(name, text) for name, group in CAMPAIGNS.items() for text in group]
    texts += [(f"unrelated-{i}", text) for i, text in enumerate(UNRELATED)]
    # Interleaved in time, as a wave arrives among everything else.
    order = sorted(range(len(texts)), key=lambda i: (i * 7919) % len(texts))
    for n, index in enumerate(order, start=1):
        label, text = texts[index]
        items.append(Item(n, START + dt.timedelta(minutes=n), text, normalize(text).folded))
        labels[n] = label
    return items, labels


def test_three_campaigns_and_unrelated_messages_group_with_high_purity():
    items, labels = _items()
    groups = group_messages(items)
    assert sum(g.count for g in groups) == len(items) == 50
    purity = sum(Counter(labels[i] for i in g.ids).most_common(1)[0][1] for g in groups) / len(items)
    assert purity >= 0.9
    for campaign in CAMPAIGNS:
        biggest = max(Counter(labels[i] for i in g.ids)[campaign] for g in groups)
        assert biggest >= 8, campaign  # each wave shows up as one group
    assert [g.count for g in groups[:3]] >= [8, 8, 8]
    first = groups[0]
    assert first.first_seen == min(x.at for x in items if x.id in first.ids)
    assert first.last_seen == max(x.at for x in items if x.id in first.ids)
    assert 1 <= len(first.examples) <= 3


def test_messages_naming_the_same_phone_account_or_link_group_together():
    at = START
    items = [
        Item(1, at, "gọi cho tôi", "goi cho toi mot viec khac hoan toan", phones=["+84912345678"]),
        Item(2, at, "x", "anh oi tra loi tin nhan nay nhe ban", phones=["+84912345678"]),
        Item(3, at, "y", "chuyen vao day ngay hom nay", accounts=["0451000123456"]),
        Item(4, at, "z", "so tai khoan nay cua ai vay", accounts=["0451000123456"]),
        Item(5, at, "w", "vao trang nay dang ky", links=["vneid-capnhat.top/a"]),
        Item(6, at, "v", "mo link cap nhat dinh danh", links=["vneid-capnhat.top/b"]),
        Item(7, at, "u", "xem video nay hay lam", links=["facebook.com/a"]),
        Item(8, at, "t", "trang ca nhan cua toi day", links=["facebook.com/b"]),
    ]
    groups = {tuple(g.ids) for g in group_messages(items)}
    assert {(1, 2), (3, 4), (5, 6), (7,), (8,)} <= groups


def _engine() -> Responder:
    settings = settings_for("sqlite://")
    engine = Responder.from_settings(settings, analyzer=shared_analyzer(settings))
    engine.on_understood = keep_unmatched
    return engine


def test_the_engine_keeps_what_it_could_not_match_and_not_small_talk_or_known_scams(db_engine: Database):
    engine = _engine()
    province = engine.provinces.get("can-tho")
    texts = [
        "hàng xóm mở nhạc karaoke quá to tới khuya không ngủ được",
        "xin chào",
        "có người gọi tự xưng công an bảo tôi chuyển tiền vào tài khoản tạm giữ",
    ]
    for n, text in enumerate(texts):
        message = IncomingMessage(
            channel="web", channel_id="can-tho", user_id=f"u{n}", message_id=f"m{n}", text=text
        )
        with transaction(db_engine) as session:
            engine.handle(message, province=province, session=session)
    with db_engine.connect() as connection:
        rows = connection.execute(select(UNMATCHED.c.text, UNMATCHED.c.province, UNMATCHED.c.intent)).all()
    assert [(r.text, r.province) for r in rows] == [(texts[0], "can-tho")]


def test_a_deletion_request_removes_the_citizens_unmatched_messages_too(db_engine: Database):
    engine = _engine()
    province = engine.provinces.get("can-tho")
    said = [
        ("u-mine", "hàng xóm mở nhạc karaoke quá to tới khuya không ngủ được"),
        ("u-other", "con mèo nhà tôi đi lạc từ sáng hôm qua tới giờ chưa về"),
        ("u-mine", "xóa dữ liệu của tôi"),
    ]
    for n, (user, text) in enumerate(said):
        message = IncomingMessage(
            channel="web", channel_id="can-tho", user_id=user, message_id=f"d{n}", text=text
        )
        with transaction(db_engine) as session:
            engine.handle(message, province=province, session=session)
    with db_engine.connect() as connection:
        left = connection.execute(select(UNMATCHED.c.user_id, UNMATCHED.c.text)).all()
    assert [(r.user_id, r.text) for r in left] == [said[1]]


async def test_admins_mark_a_group_as_a_variant_and_the_catalogue_exports_it(
    database_url: str, db_engine: Database
):
    officer(db_engine, "chief", Role.admin)
    officer(db_engine, "lan", Role.viewer)
    officer(db_engine, "tq", Role.viewer, province="tuyen-quang")
    wave = CAMPAIGNS["parcel"][:4]
    with transaction(db_engine) as session:
        for n, text in enumerate(wave):
            record_unmatched(
                session,
                text=text,
                province="can-tho",
                channel="zalo",
                intent="scam",
                tactic=None,
                score=20.0,
                phones=["+84912345678"] if n < 2 else [],
                now=START + dt.timedelta(hours=n),
            )
        record_unmatched(
            session,
            text="<b>nước</b> sinh hoạt bị đục mấy ngày nay",
            province="can-tho",
            channel="web",
            intent="other",
            tactic=None,
            score=0.0,
            now=START,
        )
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "tq")
        assert "bưu phẩm" not in (await client.get("/console/unmatched")).text  # another province's
    async with console_app(database_url) as app, app.client() as client:
        token = await signed_in(client, "lan")
        page = (await client.get("/console/unmatched")).text
        assert "4 tin" in page and "&lt;b&gt;nước&lt;/b&gt;" in page and "+84912345678" in page
        assert "/variant" not in page
        with db_engine.connect() as connection:
            key = connection.execute(select(func.min(UNMATCHED.c.id))).scalar_one()
        refused = await client.post(
            f"/console/unmatched/{key}/variant", data={"tactic": "fake_shipper", "csrf_token": token}
        )
        assert refused.status_code == 403
    async with console_app(database_url) as app, app.client() as client:
        await signed_in(client, "chief")
        page = (await client.get("/console/unmatched")).text
        assert f'/console/unmatched/{key}/variant"' in page
        token = csrf_of(page)
        assert (
            await client.post(f"/console/unmatched/{key}/variant", data={"tactic": "fake_shipper"})
        ).status_code == 403
        assert (
            await client.post(
                f"/console/unmatched/{key}/variant", data={"tactic": "no_such", "csrf_token": token}
            )
        ).status_code == 400
        done = await client.post(
            f"/console/unmatched/{key}/variant",
            data={"tactic": "fake_shipper", "note": "phí hải quan", "csrf_token": token},
        )
        assert done.status_code == 303
        page = (await client.get("/console/unmatched")).text
        assert "4 tin" not in page and "Đã đánh dấu gần đây" in page
    with db_engine.connect() as connection:
        stored = connection.execute(select(SUGGESTIONS)).mappings().one()
        assert stored["username"] == "chief" and stored["tactic"] == "fake_shipper" and stored["count"] == 4
        assert connection.execute(select(AUDIT.c.action).where(AUDIT.c.action == "variant_marked")).first()

    environ = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    environ["CANHGIAC_DATABASE_URL"] = database_url
    out = subprocess.run(
        [sys.executable, "-m", "app", "catalog", "suggestions"],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr.decode()
    lines = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(lines) == 1
    assert (
        lines[0]["tactic"] == "fake_shipper" and lines[0]["marked_by"] == "chief" and lines[0]["count"] == 4
    )
    assert lines[0]["examples"] == wave and lines[0]["note"] == "phí hải quan"
    assert "+84912345678" in lines[0]["shared"]


def test_data_purge_deletes_old_unmatched_messages(db_engine: Database):
    from app.privacy.retention import purge_data

    now = dt.datetime.now(dt.UTC)
    with transaction(db_engine) as session:
        for age in (40, 1):
            record_unmatched(
                session,
                text=f"tin nhắn cũ {age} ngày",
                province="can-tho",
                channel="web",
                intent="other",
                tactic=None,
                score=0.0,
                now=now - dt.timedelta(days=age),
            )
    with transaction(db_engine) as session:
        purge_data(session, days=30, now=now)
    with db_engine.connect() as connection:
        assert list(connection.execute(select(UNMATCHED.c.text)).scalars()) == ["tin nhắn cũ 1 ngày"]
