"""Leases of reply pieces: only their current holder renews, sends or reschedules them."""

from __future__ import annotations

import datetime as dt

from outbox_support import written
from sqlalchemy import Engine, select
from sqlmodel import Session

from app.outbox.service import OUTBOX, OutboxItem, SendResult, apply_results, claim_due, renew


def _written(db: Engine, lease_until: dt.datetime) -> list[OutboxItem]:
    return written(db, lease_until, user_id="6500000000000901", message_id="m_lease")


def test_the_holder_renews_its_lease(db_engine: Engine):
    now = dt.datetime.now(dt.UTC)
    items = _written(db_engine, now + dt.timedelta(seconds=30))
    later = now + dt.timedelta(seconds=60)
    with Session(db_engine) as session:
        held = renew(session, items, lease_until=later)
        session.commit()
    assert [h is not None and h.id == i.id for h, i in zip(held, items, strict=True)] == [True, True]
    with Session(db_engine) as session:  # the new token is the holder's now: renewing again works
        assert all(renew(session, [h for h in held if h is not None], lease_until=later))


def test_a_piece_taken_over_is_not_renewed_by_its_old_holder(db_engine: Engine):
    now = dt.datetime.now(dt.UTC)
    stale = _written(db_engine, now - dt.timedelta(seconds=1))  # its holder waited past its lease
    with Session(db_engine) as session:
        [taken] = claim_due(session, now=now, lease_until=now + dt.timedelta(seconds=30), limit=10)
        session.commit()
    assert [item.id for item in taken] == [item.id for item in stale]
    with Session(db_engine) as session:
        assert renew(session, stale, lease_until=now + dt.timedelta(seconds=60)) == [None, None]
        assert all(renew(session, taken, lease_until=now + dt.timedelta(seconds=60)))
        session.commit()


def test_a_hold_from_an_old_holder_leaves_the_new_holders_lease(db_engine: Engine):
    now = dt.datetime.now(dt.UTC)
    stale = _written(db_engine, now - dt.timedelta(seconds=1))
    with Session(db_engine) as session:
        claim_due(session, now=now, lease_until=now + dt.timedelta(seconds=30), limit=10)
        session.commit()
    retry_at = now + dt.timedelta(seconds=5)
    with Session(db_engine) as session:
        apply_results(
            session, [SendResult(stale[1].id, "hold", 0, next_attempt_at=retry_at, lease=stale[1].lease)]
        )
        session.commit()
        row = session.execute(select(OUTBOX.c.next_attempt_at).where(OUTBOX.c.id == stale[1].id)).one()
    held_until = row.next_attempt_at.replace(tzinfo=row.next_attempt_at.tzinfo or dt.UTC)
    assert held_until > retry_at  # still the new holder's 30 s lease
