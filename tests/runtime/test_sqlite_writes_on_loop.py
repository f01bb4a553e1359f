"""On SQLite, writes run on the event loop as soon as the write lock is free, not in a thread.

A thread holding the one write lock must win the GIL back from the busy loop after every SQLite call,
so it held the lock several times longer than the work needed and every writer queued behind it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pytest
from channel_support import Bot, fb_body, fb_headers, wait_until
from sqlalchemy import Engine

from app.db import GroupCommit, batching, make_engine, write_lock
from app.db.batching import when_unlocked
from app.runtime.answering import Answering


@pytest.fixture
def sqlite_file(tmp_path) -> Iterator[Engine]:
    db = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    yield db
    db.dispose()


@contextmanager
def _lock_held(db: Engine) -> Iterator[Callable[[], None]]:
    """Another writer (a thread of this process) holding the write lock until `release()` is called
    (or the block ends): the tests decide when it lets go, so no timing can race them."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock(db):
            taken.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(5)
    try:
        yield done.set
    finally:
        done.set()
        thread.join()


def _group_commit(db: Engine, threads: list[tuple[int, list[str]]]) -> GroupCommit[str, str]:
    def flush(items: Sequence[str], *, wait: bool = True) -> list[str]:
        with write_lock(db, wait=wait):
            threads.append((threading.get_ident(), list(items)))
            return [f"done:{item}" for item in items]

    return GroupCommit(flush, try_inline=lambda items: flush(items, wait=False))


async def test_a_commit_waits_for_the_lock_on_the_loop_and_takes_what_arrived_meanwhile(
    sqlite_file: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(batching, "INLINE_PATIENCE", 10.0)  # the holder lets go long before
    loop_thread = threading.get_ident()
    calls: list[tuple[int, list[str]]] = []
    commit = _group_commit(sqlite_file, calls)
    commit.start()
    with _lock_held(sqlite_file) as release:
        first = asyncio.create_task(commit.submit("a"))
        await asyncio.sleep(0.01)  # "a" is waiting for the lock
        later = [asyncio.create_task(commit.submit(x)) for x in ("b", "c")]
        await asyncio.sleep(0.01)
        assert not first.done()
        release()
        assert await asyncio.gather(first, *later) == ["done:a", "done:b", "done:c"]
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
    with _lock_held(sqlite_file) as release:
        submitted = asyncio.create_task(commit.submit("a"))
        await asyncio.sleep(0.1)  # past the patience: the batch now waits in a thread
        release()
        assert await submitted == "done:a"  # committed once the holder let go
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

    with _lock_held(sqlite_file):
        assert await when_unlocked(attempt) is None
        assert tries > 1, "tried again while waiting"
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
    # However slow the machine, a thread that briefly writes (the poller) must not push the batch to
    # a thread of its own: that is the fallback, not what is tested here.
    monkeypatch.setattr(batching, "INLINE_PATIENCE", 10.0)
    raw = fb_body("6500000000000301", "m_loop", "có người gọi xưng công an bắt chuyển tiền")
    assert (await bot.messenger(raw, fb_headers(raw))).status_code == 200
    assert await wait_until(lambda: bool(bot.platform.messenger_sends("6500000000000301")))
    assert seen, "answered through a batch transaction"
    on_loop = database_url.startswith("sqlite")
    assert all((ident == loop_thread) is on_loop for ident in seen)
