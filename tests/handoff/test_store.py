"""The handoff store: the queue's order and scope, forgetting a citizen, retention."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from app.db import transaction
from app.handoff import service as store
from app.privacy.forget import forget_citizen
from app.privacy.retention import purge_data

NOW = dt.datetime(2026, 12, 3, 5, 0, tzinfo=dt.UTC)


def _ask(session, user: str, *, province: str = "can-tho", urgent: bool = False, at: dt.datetime = NOW):
    handoff_id = store.request(
        session,
        channel="zalo",
        channel_id="oa-1",
        user_id=user,
        province=province,
        reason="urgent" if urgent else "asked",
        urgent=urgent,
        now=at,
    )
    store.note_message(session, handoff_id, author="citizen", text=f"tin của {user}", now=at)
    row = store.get(session, handoff_id)
    assert row is not None
    return row


def test_queue_urgent_first_then_oldest_and_scoped(db_engine: Engine):
    with transaction(db_engine) as session:
        _ask(session, "u1", at=NOW - dt.timedelta(minutes=30))
        _ask(session, "u2", urgent=True, at=NOW - dt.timedelta(minutes=5))
        _ask(session, "u3", at=NOW - dt.timedelta(minutes=50))
        _ask(session, "u4", province="tuyen-quang")
    with transaction(db_engine) as session:
        assert [r.user_id for r in store.queue(session, provinces=["can-tho"])] == ["u2", "u3", "u1"]
        assert len(store.queue(session, provinces=None)) == 4


def test_forget_and_purge(db_engine: Engine):
    with transaction(db_engine) as session:
        _ask(session, "u1")
        old = _ask(session, "u2", at=NOW - dt.timedelta(days=40))
        store.release(session, old, now=NOW - dt.timedelta(days=40))
    with transaction(db_engine) as session:
        forget_citizen(session, channel="zalo", user_id="u1")
        assert store.find(session, channel="zalo", user_id="u1") is None
        purge_data(session, days=30, now=NOW)
        assert store.find(session, channel="zalo", user_id="u2") is None


def test_timeout_resumes_once(db_engine: Engine):
    with transaction(db_engine) as session:
        row = store.officer_spoke(
            session,
            channel="zalo",
            channel_id="oa-1",
            user_id="u5",
            province="can-tho",
            officer="platform",
            text="Cán bộ đây.",
            now=NOW,
        )
        store.resume_if_due(session, row, now=NOW + dt.timedelta(minutes=59), timeout=store.DEFAULT_TIMEOUT)
        assert row.state == "officer"
        store.resume_if_due(session, row, now=NOW + dt.timedelta(minutes=60), timeout=store.DEFAULT_TIMEOUT)
        assert row.state == "bot" and row.resume_notice
