"""Sending replies from a process of its own, so platform calls do not compete with answering.

The HTTP client costs about as much CPU per reply as acknowledging and answering the message
together; in a child process it runs on another core. The web process hands each event's leased
pieces to the child as one JSON line on its stdin; the child sends them with an ordinary `Delivery`
(same order per person, same lease checks, retries and results in the database) and writes one
line to its stdout when an event's pieces are through, with their outcomes, so the web process
keeps its load gauge (back-pressure) and its metrics.

A lease is the right to send a piece (its token travels with it), so handing pieces over changes
nothing in the database. If the child dies, the pieces it held are sent by the web process itself,
at once and with the same tokens, until a new child is up; new pieces go to the new child only once
those are through, so each person's order holds. A piece the child had sent but not yet recorded
can then go out twice: the at-least-once of a crash, as within one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from app.contracts import QuickReply
from app.ops.metrics import Metrics
from app.outbox.service import OutboxItem, SendResult
from app.runtime.delivery import Delivery
from app.runtime.load import LoadGauge

__all__ = ["SenderChild", "SenderCommand", "SenderProcess", "decode_group", "encode_group"]

log = logging.getLogger(__name__)

LINE_LIMIT = 1 << 22  # one event's pieces on one line: a few platform-sized texts at most


@dataclass(frozen=True, slots=True)
class SenderCommand:
    """How to start the child: its command line, its environment and the first line it reads."""

    argv: Sequence[str]
    hello: Mapping[str, Any]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


_FIELDS = tuple(f.name for f in fields(OutboxItem))


def encode_group(items: Sequence[OutboxItem]) -> bytes:
    """One event's pieces as one line (field by field: `dataclasses.asdict` costs 10x more)."""
    pieces = []
    for item in items:
        piece = {name: getattr(item, name) for name in _FIELDS}
        piece["lease"] = item.lease.isoformat()
        piece["quick_replies"] = [[quick.title, quick.payload] for quick in item.quick_replies]
        pieces.append(piece)
    return json.dumps(pieces, ensure_ascii=False).encode() + b"\n"


def decode_group(line: bytes) -> list[OutboxItem]:
    out = []
    for piece in json.loads(line):
        piece["lease"] = dt.datetime.fromisoformat(piece["lease"])
        piece["quick_replies"] = tuple(
            QuickReply(title, payload) for title, payload in piece["quick_replies"]
        )
        out.append(OutboxItem(**piece))
    return out


class SenderProcess:
    """The web process's side: hands leased pieces to the child, and sends them itself while no
    child runs. Used by the worker exactly like a `Delivery`."""

    def __init__(
        self, *, command: SenderCommand, local: Delivery, gauge: LoadGauge, metrics: Metrics
    ) -> None:
        self._command = command
        self._local = local  # sends while no child runs
        self._gauge = gauge
        self._metrics = metrics
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._restart: asyncio.Task[None] | None = None
        self._outstanding: dict[int, list[OutboxItem]] = {}  # with the child, by their first piece's id
        self._ready = False  # the child said it is ready: until then, replies are sent from here
        self._crashes = 0
        self._stopping = False
        self.lease_until = local.lease_until

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def ready(self) -> bool:
        """Whether new pieces go to the child (it runs, said it is ready, and nothing taken back
        from a previous one is still being sent from here)."""
        process = self._process
        return (
            self._ready
            and process is not None
            and process.returncode is None
            and process.stdin is not None
            and not process.stdin.is_closing()
            and not self._local.in_flight
        )

    @property
    def in_flight(self) -> int:
        return len(self._outstanding) + self._local.in_flight

    async def start(self) -> None:
        await self._local.start()
        await self._spawn()

    async def _spawn(self) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=dict(self._command.env),
                limit=LINE_LIMIT,
                # Out of the terminal's process group: Ctrl+C is for this process, which stops the
                # child by closing its stdin once its own sends are handed over (a signal could
                # land while the child still imports).
                start_new_session=True,
            )
        except OSError:
            log.exception("could not start the sender process; replies are sent from this one")
            self._schedule_restart()
            return
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(self._command.hello).encode() + b"\n")
        self._process, self._ready = process, False
        self._watcher = asyncio.create_task(self._watch(process, process.stdout), name="sender-watch")

    def submit(self, groups: Sequence[Sequence[OutboxItem]]) -> None:
        for items in groups:
            if items and not self._hand_over(items):
                self._local.submit([items])

    def _hand_over(self, items: Sequence[OutboxItem]) -> bool:
        """Give one event's pieces to the child; False when they must be sent from here (while
        pieces a dead child left are still sent from here, new ones for the same people follow)."""
        process = self._process
        if not self.ready or process is None or process.stdin is None:
            return False
        try:
            process.stdin.write(encode_group(items))
        except (OSError, RuntimeError):
            return False
        self._outstanding[items[0].id] = list(items)
        self._gauge.pieces_in_hand += len(items)
        return True

    async def claim_due(self, limit: int) -> int:
        """Lease pieces whose time has come and send them (through the child); how many."""
        groups = await self._local.claim(limit)
        self.submit(groups)
        return sum(len(items) for items in groups)

    async def _watch(self, process: asyncio.subprocess.Process, out: asyncio.StreamReader) -> None:
        """Read the child's reports until it exits; then take back what it held."""
        while line := await out.readline():
            try:
                report = json.loads(line)
                if report.get("ready"):
                    self._ready = True
                    continue
                self._finished(report)
            except (ValueError, KeyError, TypeError):
                log.error("the sender process wrote something unexpected: %.80r", line)
        await process.wait()
        if self._process is process:
            self._process, self._ready = None, False
        if self._stopping:
            return  # what it did not finish keeps its lease: the next start sends it
        log.error(
            "the sender process exited (code %s); its replies are sent from this one", process.returncode
        )
        held = list(self._outstanding.values())
        self._outstanding.clear()
        self._gauge.pieces_in_hand -= sum(len(items) for items in held)
        self._local.submit(held, recheck=True)
        self._crashes += 1
        self._schedule_restart()

    def _finished(self, report: dict[str, Any]) -> None:
        items = self._outstanding.pop(int(report["done"]), None)
        if items is None:
            return
        self._crashes = 0
        self._gauge.pieces_in_hand -= len(items)
        if report.get("pace"):
            self._gauge.send_seconds = float(report["pace"])
        channel = items[0].channel
        self._metrics.replies_sent.labels(channel).inc(int(report.get("sent", 0)))
        self._metrics.replies_retried.labels(channel).inc(int(report.get("retry", 0)))
        self._metrics.replies_failed.labels(channel).inc(int(report.get("failed", 0)))

    def _schedule_restart(self) -> None:
        if self._stopping:
            return
        delay = min(30.0, 0.5 * 2.0 ** min(self._crashes, 6))
        self._restart = asyncio.create_task(self._restart_after(delay), name="sender-restart")

    async def _restart_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        if not self._stopping:
            await self._spawn()

    async def stop(self, timeout: float) -> None:
        """Let the child finish what it holds (up to `timeout`), then stop it and local sends."""
        self._stopping = True
        if self._restart is not None:
            self._restart.cancel()
            await asyncio.gather(self._restart, return_exceptions=True)
        started = time.monotonic()
        process = self._process
        if process is not None and process.stdin is not None:
            process.stdin.close()  # end of input: the child finishes its sends and exits
        if self._watcher is not None:
            _, late = await asyncio.wait({self._watcher}, timeout=timeout)
            if late and process is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await asyncio.gather(self._watcher, return_exceptions=True)
        await self._local.stop(max(0.0, timeout - (time.monotonic() - started)))


class SenderChild:
    """The child's side: pieces arrive on `reader`, one event per line; a line goes out through
    `write` when each event's pieces are through."""

    def __init__(self, write: Callable[[bytes], object], pace: Callable[[], float]) -> None:
        self._write = write
        self._pace = pace  # how long a send takes now (the web process's gauge follows it)

    def done(self, items: Sequence[OutboxItem], results: Sequence[SendResult]) -> None:
        report: dict[str, Any] = {"done": items[0].id, "pace": round(self._pace(), 4)}
        report.update(Counter(result.outcome for result in results))
        self._write(json.dumps(report).encode() + b"\n")

    async def run(self, reader: asyncio.StreamReader, delivery: Delivery, *, timeout: float) -> None:
        """Say it is ready, send what arrives until the input ends, then finish what is in hand
        (up to `timeout`)."""
        await delivery.start()
        self._write(b'{"ready": true}\n')
        try:
            while line := await reader.readline():
                try:
                    items = decode_group(line)
                except (ValueError, KeyError, TypeError):
                    log.error("the sender process received something unexpected: %.80r", line)
                    continue
                delivery.submit([items])
        finally:
            await delivery.stop(timeout)
