"""On SQLite, writes run on the event loop as soon as the write lock is free, not in a thread.

A thread holding the one write lock must win the GIL back from the busy loop after every SQLite call,
so it held the lock several times longer than the work needed and every writer queued behind it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import Engine

from app.db import GroupCommit, batching, make_engine, write_lock
from app.db.batching import when_unlocked
from app.runtime.answering import Answering
from tests.support.channel_support import Bot, fb_body, fb_headers, wait_until


@pytest.fixture
def sqlite_file(tmp_path) -> Iterator[Engine]:
    db = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    yield db
    db.dispose()


def _hold_lock(db: Engine, seconds: float) -> threading.Thread:
    """Another writer (a thread of this process) holding the write lock for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        with write_lock(db):
            taken.set()
            threading.Event().wait(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(5)
    return thread


def _group_commit(db: Engine, threads: list[tuple[int, list[str]]]) -> GroupCommit[str, str]:
    def flush(items: Sequence[str], *, wait: bool = True) -> list[str]:
        with write_lock(db, wait=wait):
            threads.append((threading.get_ident(), list(items)))
            return [f"done:{item}" for item in items]

    return GroupCommit(flush, try_inline=lambda items: flush(items, wait=False))


async def test_a_commit_waits_for_the_lock_on_the_loop_and_takes_what_arrived_meanwhile(sqlite_file: Engine):
    loop_thread = threading.get_ident()
    calls: list[tuple[int, list[str]]] = []
    commit = _group_commit(sqlite_file, calls)
    commit.start()
    holder = _hold_lock(sqlite_file, 0.05)  # released well within INLINE_PATIENCE
    first = asyncio.create_task(commit.submit("a"))
    await asyncio.sleep(0.01)  # the lock is still taken: "a" is waiting for it
    later = [asyncio.create_task(commit.submit(x)) for x in ("b", "c")]
    assert await asyncio.gather(first, *later) == ["done:a", "done:b", "done:c"]
    holder.join()
    await commit.stop()
    assert calls == [(loop_thread, ["a", "b", "c"])], "one commit, on the loop, once the lock was free"


async def test_a_lock_taken_past_the_patience_sends_the_commit_to_a_thread(
    sqlite_file: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(batching, "INLINE_PATIENCE", 0.02)
    loop_thread = threading.get_ident()
    calls: list[tuple[int, list[str]]] = []
    commit = _group_commit(sqlite_file, calls)
    commit.start()
    holder = _hold_lock(sqlite_file, 0.2)
    assert await commit.submit("a") == "done:a"  # committed once the holder let go
    holder.join()
    await commit.stop()
    assert len(calls) == 1 and calls[0][0] != loop_thread and calls[0][1] == ["a"]


async def test_when_unlocked_gives_up_after_its_patience(
    sqlite_file: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(batching, "INLINE_PATIENCE", 0.02)
    tries = 0

    def attempt() -> str:
        nonlocal tries
        tries += 1
        with write_lock(sqlite_file, wait=False):
            return "written"

    holder = _hold_lock(sqlite_file, 0.2)
    assert await when_unlocked(attempt) is None
    assert tries > 1, "tried again while waiting"
    holder.join()
    assert await when_unlocked(attempt) == "written"


async def test_answering_runs_its_transaction_on_the_loop_on_sqlite_only(
    bot: Bot, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    loop_thread = threading.get_ident()
    seen: list[int] = []
    original = Answering._answer_batch

    def recording(self: Answering, *args: object, **kwargs: object) -> object:
        seen.append(threading.get_ident())
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Answering, "_answer_batch", recording)
    raw = fb_body("6500000000000301", "m_loop", "có người gọi xưng công an bắt chuyển tiền")
    assert (await bot.messenger(raw, fb_headers(raw))).status_code == 200
    assert await wait_until(lambda: bool(bot.platform.messenger_sends("6500000000000301")))
    assert seen, "answered through a batch transaction"
    on_loop = database_url.startswith("sqlite")
    assert all((ident == loop_thread) is on_loop for ident in seen)
