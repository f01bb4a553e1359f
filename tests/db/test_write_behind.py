"""Rows written behind (`app.db.write_behind`): a transaction's conversation states and transcript
lines reach the database in one statement each at commit, the transaction reads back what it wrote,
and a rollback or a deletion drops what was held."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError

from app.conversation_state.store import STATES, forget_user, load_state, save_state
from app.db import transaction, write_behind
from app.handoff import service as handoffs

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def _inserts(db: Engine, table: str) -> list[int]:
    """Each statement that inserts into `table`, as the number of rows it was given."""
    seen: list[int] = []
    start = f"INSERT INTO {table.upper()} "

    def _seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(start):
            seen.append(len(parameters) if executemany else 1)

    event.listen(db, "before_cursor_execute", _seen)
    return seen


def _stored(db: Engine) -> dict[str, dict]:
    with db.connect() as connection:
        return {row.user_id: row.data for row in connection.execute(select(STATES.c.user_id, STATES.c.data))}


def test_a_transactions_saves_are_one_statement_at_commit_and_read_back_before_it(db_engine: Engine):
    writes = _inserts(db_engine, "conversation_states")
    with transaction(db_engine) as session:
        data = {"step": 1, "facts": {"phones": ["0900000001"]}}
        for user in ("c", "a", "b"):
            save_state(session, channel="zalo", user_id=user, flow="memo", data=data, now=NOW)
        data["facts"]["phones"].append("0900000002")  # the caller changing its dict afterwards
        save_state(session, channel="zalo", user_id="a", flow="report", data={"step": 2}, now=NOW)
        assert writes == []  # nothing written yet
        held = load_state(session, channel="zalo", user_id="a")
        assert held is not None and (held.flow, held.data) == ("report", {"step": 2})
        held.data["step"] = 99  # a reader's change is not written unless saved
    assert writes == [3]  # one statement, three rows
    assert _stored(db_engine) == {
        "a": {"step": 2},
        "b": {"step": 1, "facts": {"phones": ["0900000001"]}},
        "c": {"step": 1, "facts": {"phones": ["0900000001"]}},
    }


def test_a_rollback_drops_held_rows_and_a_deletion_drops_its_own(db_engine: Engine):
    with pytest.raises(RuntimeError), transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="gone", flow="memo", data={}, now=NOW)
        raise RuntimeError("the batch failed")
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="kept", flow="memo", data={}, now=NOW)
        save_state(session, channel="zalo", user_id="forgot", flow="memo", data={}, now=NOW)
        assert forget_user(session, channel="zalo", user_id="forgot") == 1
        assert load_state(session, channel="zalo", user_id="forgot") is None
    assert set(_stored(db_engine)) == {"kept"}


def test_write_behind_writes_now_so_a_refused_value_shows_where_it_can_be_answered(db_engine: Engine):
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="now", flow="memo", data={"x": 1}, now=NOW)
        write_behind(session)
        with db_engine.connect() as other:  # not visible outside before commit, but written
            assert other.execute(select(func.count()).select_from(STATES)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(STATES)).scalar_one() == 1
    assert set(_stored(db_engine)) == {"now"}


def test_a_savepoint_that_fails_in_the_batch_keeps_the_rows_the_batch_holds(db_engine: Engine):
    """A tip whose reference code is taken retries inside a savepoint: the batch's states survive."""
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="before", flow="memo", data={}, now=NOW)
        session.connection().execute(
            STATES.insert().values(
                channel="zalo", user_id="taken", flow="memo", data={}, created_at=NOW, updated_at=NOW
            )
        )
        with pytest.raises(IntegrityError), session.begin_nested():
            session.connection().execute(
                STATES.insert().values(
                    channel="zalo", user_id="taken", flow="memo", data={}, created_at=NOW, updated_at=NOW
                )
            )
        with session.begin_nested():
            save_state(session, channel="zalo", user_id="inside", flow="memo", data={}, now=NOW)
        assert load_state(session, channel="zalo", user_id="before") is not None
    assert set(_stored(db_engine)) == {"before", "taken", "inside"}


def _handoff(session, user: str) -> int:  # type: ignore[no-untyped-def]
    return handoffs.request(
        session,
        channel="zalo",
        channel_id="oa-1",
        user_id=user,
        province="can-tho",
        reason="urgent",
        urgent=True,
        now=NOW,
    )


def test_transcript_lines_are_one_statement_in_order_and_read_or_deleted_as_written(db_engine: Engine):
    inserts = _inserts(db_engine, "handoff_messages")
    with transaction(db_engine) as session:
        first, second = _handoff(session, "a"), _handoff(session, "b")
        for n in range(3):
            handoffs.note_message(session, first, author="citizen", text=f"a{n}", now=NOW)
            handoffs.note_message(session, second, author="bot", text=f"b{n}", now=NOW)
        assert inserts == []
    assert inserts == [6]
    with transaction(db_engine) as session:
        assert [m.text for m in handoffs.transcript(session, first)] == ["a0", "a1", "a2"]
        handoffs.note_message(session, second, author="citizen", text="b3", now=NOW)
        assert [m.text for m in handoffs.transcript(session, second)] == ["b0", "b1", "b2", "b3"]
        handoffs.note_message(session, first, author="citizen", text="a3", now=NOW)
        # A deletion request in the same transaction takes the held line with the rest.
        assert handoffs.forget_user(session, channel="zalo", user_id="a") == 5
    with transaction(db_engine) as session:
        assert handoffs.transcript(session, first) == []
        assert len(handoffs.transcript(session, second)) == 4
