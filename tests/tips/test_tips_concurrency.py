"""Two worker processes filing reports at the same moment never share a reference code."""

from __future__ import annotations

import multiprocessing

import pytest
from citizens import report_in_a_process
from sqlalchemy import Engine as Database

from app.db import transaction
from app.tips.service import TipFilter, list_tips

pytestmark = pytest.mark.slow

PER_WORKER = 12


def test_two_processes_never_collide_on_a_reference_code(database_url: str, db_engine: Database):
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    workers = [
        context.Process(target=report_in_a_process, args=(database_url, n, PER_WORKER, ready, go, results))
        for n in (1, 2)
    ]
    for process in workers:
        process.start()
    try:
        for _ in workers:
            ready.get(timeout=120)  # both engines built: start together
        go.set()
        refs = [ref for _ in workers for ref in results.get(timeout=300)[1]]
    finally:
        for process in workers:
            process.join(timeout=180)  # a loaded CI machine can be slow to tear a process down
            if process.is_alive():
                process.kill()
    assert [p.exitcode for p in workers] == [0, 0]
    assert None not in refs and len(refs) == 2 * PER_WORKER
    assert len(set(refs)) == len(refs)
    day = refs[0].split("-")[1]
    if all(ref.split("-")[1] == day for ref in refs):  # (a run across local midnight restarts at 0001)
        assert sorted(int(ref.rsplit("-", 1)[1]) for ref in refs) == list(range(1, 2 * PER_WORKER + 1))
    with transaction(db_engine) as session:
        stored = list_tips(session, filters=TipFilter(), limit=1000)
    assert sorted(t.ref_code for t in stored) == sorted(refs)
    assert {t.reporter_id for t in stored} == {f"w{w}-c{i}" for w in (1, 2) for i in range(PER_WORKER)}
