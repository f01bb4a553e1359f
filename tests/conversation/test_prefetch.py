"""Reading a batch's conversation states and handoffs at once (`Responder.prefetch`): each citizen's
first read in the transaction comes from the batch read, later reads and anything after a write
come from the database, and a citizen with two messages in the batch is not read ahead."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, event

from app.contracts import IncomingMessage
from app.conversation.responder import Responder
from app.conversation_state.store import forget_user, load_state, prefetch_states, save_state
from app.db import transaction
from app.handoff import service as handoffs

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


class Statements:
    """Counts the statements a database runs (to see which reads were served ahead)."""

    def __init__(self, db: Engine) -> None:
        self.count = 0
        event.listen(db, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


def test_prefetched_states_serve_the_first_read_once_and_writes_drop_them(db_engine: Engine):
    with transaction(db_engine) as session:
        save_state(session, channel="zalo", user_id="a", flow="report", data={"step": "consent"}, now=NOW)
        save_state(session, channel="messenger", user_id="b", flow="memo", data={"x": 1}, now=NOW)
    statements = Statements(db_engine)
    with transaction(db_engine) as session:
        # "b" on Zalo is not "b" on Messenger: the pair, not each half, decides.
        prefetch_states(session, [("zalo", "a"), ("zalo", "b"), ("messenger", "c")])
        before = statements.count
        first = load_state(session, channel="zalo", user_id="a")
        assert first is not None and first.flow == "report" and first.data == {"step": "consent"}
        assert load_state(session, channel="zalo", user_id="b") is None
        assert statements.count == before  # both from the batch read
        again = load_state(session, channel="zalo", user_id="a")  # once only: now the database
        assert again is not None and again.data == {"step": "consent"}
        assert statements.count == before + 1
        save_state(session, channel="messenger", user_id="c", flow="memo", data={"y": 2}, now=NOW)
        fresh = load_state(session, channel="messenger", user_id="c")  # the write dropped it
        assert fresh is not None and fresh.data == {"y": 2}
    with transaction(db_engine) as session:
        prefetch_states(session, [("zalo", "a"), ("messenger", "b")])
        forget_user(session, channel="zalo", user_id="a")
        assert load_state(session, channel="zalo", user_id="a") is None
        found = load_state(session, channel="messenger", user_id="b")
        assert found is not None and found.data == {"x": 1}


def test_prefetched_handoffs_serve_the_first_lookup_once(db_engine: Engine):
    with transaction(db_engine) as session:
        asked = handoffs.request(
            session,
            channel="zalo",
            channel_id="oa-1",
            user_id="a",
            province="can-tho",
            reason="asked",
            urgent=False,
            now=NOW,
        )
    with transaction(db_engine) as session:
        handoffs.prefetch(session, [("zalo", "a"), ("zalo", "b")])
        assert handoffs.lookup(session, channel="zalo", user_id="a") == (asked, "waiting")
        assert handoffs.lookup(session, channel="zalo", user_id="b") is None
        handoffs.forget_user(session, channel="zalo", user_id="a")
        assert handoffs.lookup(session, channel="zalo", user_id="a") is None  # from the database


def _message(user: str, n: int, text: str) -> IncomingMessage:
    return IncomingMessage("zalo", "oa-1", user, f"m-{user}-{n}", text)


def test_a_batch_answers_as_one_by_one(bot_engine: Responder, db_engine: Engine):
    """Two messages of one citizen in a batch: the second sees what the first wrote (that citizen is
    not read ahead); the others' first reads come from the batch read."""
    texts = [
        ("u1", "tôi muốn tố giác số 0912345678 lừa đảo"),
        ("u2", "có người gọi tự xưng công an bảo tôi chuyển tiền vào tài khoản tạm giữ"),
        ("u1", "có"),
        ("u3", "xin chào"),
    ]
    messages = [_message(user, n, text) for n, (user, text) in enumerate(texts)]
    province = bot_engine.provinces.default
    alone = []
    for m in messages:  # one transaction each
        with transaction(db_engine) as session:
            alone.append(bot_engine.handle(m, province=province, session=session))
    statements = Statements(db_engine)
    twins = [_message(f"twin-{user}", n, text) for n, (user, text) in enumerate(texts)]
    with transaction(db_engine) as session:
        before = statements.count
        bot_engine.prefetch(session, twins)
        read_ahead = statements.count - before
        batched = [bot_engine.handle(m, province=province, session=session) for m in twins]
    assert read_ahead == 2  # states and handoffs of twin-u2 and twin-u3, one statement each
    assert [[r.text for r in replies] for replies in batched] == [
        [r.text for r in replies] for replies in alone
    ]
