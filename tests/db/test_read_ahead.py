"""A batch's read-ahead finds its citizens' rows through the (channel, user_id) index on both
databases, even on a new table without statistics: PostgreSQL, given two IN lists, searched by
channel alone and read every row of the channel for each batch."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, insert

from app.conversation_state.store import STATES, _load_many_statement
from app.db import ReadAhead
from app.handoff.models import HANDOFFS
from app.handoff.service import _lookup_many_statement

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
KEYS = [("messenger", "6500000000010"), ("zalo", "6500000000011"), ("messenger", "6500000000012")]


def _handoffs(db: Engine, count: int) -> None:
    rows = [
        {
            "channel": ("messenger", "zalo")[n % 2],
            "channel_id": "page-1",
            "user_id": f"6500000{n:06d}",
            "province": "can-tho",
            "state": "waiting",
            "urgent": True,
            "reason": "urgent",
            "requested_at": NOW,
            "citizen_at": NOW,
            "resume_notice": False,
            "updated_at": NOW,
        }
        for n in range(count)
    ]
    with db.begin() as connection:
        connection.execute(insert(HANDOFFS), rows)


def _plan(db: Engine, statement: Any) -> str:
    """The database's plan for `statement` with KEYS bound (PostgreSQL: as run, with row counts)."""
    dialect = db.dialect.name
    bound = statement.params(**ReadAhead.params(KEYS, dialect))
    sql = str(bound.compile(dialect=db.dialect, compile_kwargs={"literal_binds": True}))
    sql = sql.replace(" FOR UPDATE", "")  # EXPLAIN ANALYZE would take the locks
    with db.connect() as connection:
        if dialect == "sqlite":
            return "\n".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        return json.dumps(connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").scalar_one())


def _rows_removed(node: Any) -> int:
    """Rows a PostgreSQL plan read and then threw away, over the whole tree."""
    if isinstance(node, list):
        return sum(_rows_removed(item) for item in node)
    if not isinstance(node, dict):
        return 0
    own = int(node.get("Rows Removed by Filter", 0)) + int(node.get("Rows Removed by Index Recheck", 0))
    return own + sum(_rows_removed(value) for value in node.values())


def _assert_searched_by_both(db: Engine, plan: str) -> None:
    if db.dialect.name == "sqlite":
        assert "(channel=? AND user_id=?)" in plan, plan
    else:
        assert _rows_removed(json.loads(plan)) == 0, plan


def test_handoffs_of_a_batch_are_looked_up_by_channel_and_user(db_engine: Engine):
    _handoffs(db_engine, 2000)
    _assert_searched_by_both(db_engine, _plan(db_engine, _lookup_many_statement(db_engine.dialect.name)))


def test_states_of_a_batch_are_looked_up_by_channel_and_user(db_engine: Engine):
    rows = [
        {
            "channel": ("messenger", "zalo")[n % 2],
            "user_id": f"6500000{n:06d}",
            "flow": "memo",
            "data": {},
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(2000)
    ]
    with db_engine.begin() as connection:
        connection.execute(insert(STATES), rows)
    _assert_searched_by_both(db_engine, _plan(db_engine, _load_many_statement(db_engine.dialect.name)))
