"""Reply latency of `canhgiac serve`, end to end: signed webhook sent → the platform receives the reply.

Everything runs on loopback, with the helpers of `webhooks_bench.py`:
- a fake platform API in its own process that records when each reply piece arrives, per recipient;
- the server under test, a real subprocess: `canhgiac serve` on SQLite with 1 worker and on PostgreSQL
  (a fresh schema) with 2 workers;
- an open-loop sender: signed Messenger and Zalo webhooks (half each, one new citizen per webhook) sent
  on a fixed schedule whatever the server's pace, at 200 and then 500 messages/s for `--seconds` each,
  then a burst of `--burst` webhooks sent as fast as the connections allow.

Per phase it prints reply latency p50/p99 (to the last piece of each reply), acknowledgements/s,
when the last reply arrived, lost (a reply still incomplete after `--drain-limit` seconds of waiting)
duplicated (a piece received twice) and the server's CPU milliseconds per message (all its processes, from the
phase's start until its replies are in).

Usage: python bench/latency_bench.py [--seconds S] [--burst N] [--only sqlite-1,postgresql-2]
       [--platform-ms MS]  (the fake platform answers each send after MS milliseconds, as a real one)
PostgreSQL: CANHGIAC_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
skipped when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import webhooks_bench as wb  # noqa: E402  (the shared loopback plumbing)

TARGET_P50_MS, TARGET_P99_MS, TARGET_BURST_S = 150.0, 1000.0, 15.0


# --------------------------------------------------------------------------------------------------
# The fake platform, recording arrival times (run as a subprocess: --latency-platform PORT)


def run_latency_platform(port: int, delay: float = 0.0) -> None:
    """`delay`: seconds the platform takes to answer each send (the real APIs answer in ~0.1–0.3 s)."""
    arrivals: defaultdict[str, list[float]] = defaultdict(list)  # recipient -> arrival times
    seen: Counter[tuple[str, str]] = Counter()  # (recipient, text digest) -> times received
    sends = {"n": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await wb.read_request(reader)
                if request is None:
                    break
                arrived = time.time()
                method, target, _headers, body = request
                path = target.split("?", 1)[0]
                if method == "GET" and path == "/stats":
                    out = {
                        "arrivals": arrivals,
                        "duplicated": sorted({r for (r, _), n in seen.items() if n > 1}),
                        "sends": sends["n"],
                    }
                    writer.write(wb.response_bytes(200, json.dumps(out).encode()))
                elif method == "GET" and path == "/count":
                    writer.write(wb.response_bytes(200, json.dumps({"sends": sends["n"]}).encode()))
                elif path.endswith("/oa/access_token"):
                    pair = {"access_token": "bench-a", "refresh_token": "bench-r", "expires_in": "90000"}
                    writer.write(wb.response_bytes(200, json.dumps(pair).encode()))
                else:
                    if delay:
                        await asyncio.sleep(delay)
                    data = json.loads(body or b"{}")
                    sends["n"] += 1
                    text = (data.get("message") or {}).get("text", "")
                    recipient = data.get("recipient") or {}
                    rid = str(recipient.get("id") or recipient.get("user_id") or "")
                    seen[(rid, hashlib.blake2b(text.encode(), digest_size=8).hexdigest())] += 1
                    arrivals[rid].append(arrived)
                    if path.endswith("/me/messages"):
                        answer: dict[str, Any] = {"recipient_id": rid, "message_id": f"m_{sends['n']}"}
                    else:
                        answer = {"error": 0, "message": "Success", "data": {"message_id": f"z{sends['n']}"}}
                    writer.write(wb.response_bytes(200, json.dumps(answer).encode()))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    wb._install_uvloop()
    asyncio.run(main())


def platform_get(port: int, path: str) -> dict[str, Any]:
    status, body = wb.http_get(f"http://127.0.0.1:{port}{path}", timeout=60)
    assert status == 200
    result: dict[str, Any] = json.loads(body)
    return result


# --------------------------------------------------------------------------------------------------
# The sender


@dataclass
class Sent:
    shots: list[wb.Shot] = field(default_factory=list)  # acknowledged with 200
    sent_at: dict[str, float] = field(default_factory=dict)  # recipient -> time the webhook left
    failures: Counter[int] = field(default_factory=Counter)
    first: float = 0.0
    last_ack: float = 0.0


class Sender:
    """Keep-alive connections to the server; a request goes out on an idle one, or a new one."""

    def __init__(self, port: int, max_connections: int = 512) -> None:
        self._port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def send(self, shot: wb.Shot, out: Sent) -> None:
        async with self._slots:
            status = 0
            for attempt in range(2):  # an idle connection the server closed meanwhile: again, on a new one
                if self._idle and attempt == 0:
                    reader, writer = self._idle.pop()
                else:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self._port)
                out.sent_at[shot.recipient] = time.time()
                writer.write(shot.request)
                status = await _read_status(reader)
                if status:
                    break
                writer.close()
            out.last_ack = time.time()
            if status:
                self._idle.append((reader, writer))
        if status == 200:
            out.shots.append(shot)
        else:
            out.failures[status] += 1

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _read_status(reader: asyncio.StreamReader) -> int:
    """The response's status (its body read and dropped), or 0 when the connection was closed."""
    try:
        status_line = await reader.readline()
        if not status_line:
            return 0
        length = 0
        while True:
            header = await reader.readline()
            if header in (b"\r\n", b""):
                break
            if header[:15].lower() == b"content-length:":
                length = int(header[15:])
        if length:
            await reader.readexactly(length)
        return int(status_line.split()[1])
    except (ConnectionError, asyncio.IncompleteReadError):
        return 0


async def open_loop(sender: Sender, shots: list[wb.Shot], rate: float) -> Sent:
    """Each webhook leaves at its scheduled time, whether or not earlier ones were acknowledged."""
    out = Sent(first=time.time())
    start = time.perf_counter()
    tasks = []
    for i, shot in enumerate(shots):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(sender.send(shot, out)))
    await asyncio.gather(*tasks, return_exceptions=True)
    return out


async def burst(sender: Sender, shots: list[wb.Shot], connections: int) -> Sent:
    """All at once, through `connections` connections."""
    out = Sent(first=time.time())
    queue = list(reversed(shots))

    async def one() -> None:
        while queue:
            await sender.send(queue.pop(), out)

    await asyncio.gather(*(one() for _ in range(connections)))
    return out


# --------------------------------------------------------------------------------------------------
# One phase, one configuration


def server_cpu(port: int) -> float:
    """CPU seconds used so far by the server listening on `port` and its worker processes (Linux)."""
    proc = Path("/proc")
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    root = None
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
        if b"serve" in argv and str(port).encode() in argv:
            root = pid
    if root is None:
        return 0.0
    tree = {root}
    for _ in range(3):  # uvicorn's supervisor -> workers (-> their spawn helpers)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
    return sum(ticks[pid] for pid in tree) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    config: str
    name: str
    offered: int
    acked: int = 0
    acks_per_s: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    answered_s: float | None = None  # first webhook sent → last reply received
    lost: int = 0
    duplicated: int = 0
    cpu_ms: float | None = None  # the server's CPU time (all its processes) per message
    note: str = ""


def measure(
    phase: Phase,
    sent: Sent,
    expected: dict[str, int],
    platform_port: int,
    drain_limit: float,
    cpu: tuple[Callable[[], float], float] | None = None,
) -> Phase:
    """Wait for the phase's replies (up to `drain_limit`), then compute its figures. `cpu`: how to
    read the server's CPU seconds, and the reading when the phase started."""
    phase.acked = len(sent.shots)
    span = sent.last_ack - sent.first
    phase.acks_per_s = phase.acked / span if span > 0 else 0.0
    if sent.failures:
        phase.note = "non-200: " + ", ".join(f"{k}x{v}" for k, v in sorted(sent.failures.items()))
    wanted = {shot.recipient: expected.get(shot.text, 1) for shot in sent.shots}
    total = sum(wanted.values())
    deadline = time.monotonic() + drain_limit
    while time.monotonic() < deadline:
        stats = platform_get(platform_port, "/stats")
        if sum(min(len(stats["arrivals"].get(r, [])), n) for r, n in wanted.items()) >= total:
            break
        time.sleep(0.25)
    if cpu is not None:
        read, started = cpu
        phase.cpu_ms = (read() - started) / max(1, phase.offered) * 1000
    time.sleep(1.0)  # anything arriving late would be a duplicate
    stats = platform_get(platform_port, "/stats")
    arrivals: dict[str, list[float]] = stats["arrivals"]
    latencies = []
    last = 0.0
    for recipient, pieces in wanted.items():
        times = sorted(arrivals.get(recipient, []))
        if len(times) < pieces:
            phase.lost += 1
            continue
        if len(times) > pieces:
            phase.duplicated += 1
        latencies.append(times[pieces - 1] - sent.sent_at[recipient])
        last = max(last, times[pieces - 1])
    if phase.lost:
        note = f"{phase.lost} replies not in within the {drain_limit:.0f} s drain limit"
        phase.note = f"{phase.note}; {note}" if phase.note else note
    duplicated = set(stats["duplicated"]) & set(wanted)
    phase.duplicated = max(phase.duplicated, len(duplicated))
    if latencies:
        ordered = sorted(latencies)
        phase.p50_ms = statistics.median(ordered) * 1000
        phase.p99_ms = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        phase.answered_s = last - sent.first
    return phase


def run_config(
    config: wb.Config,
    *,
    index: int,
    platform_port: int,
    work: Path,
    args: argparse.Namespace,
    expected: dict[str, int],
) -> list[Phase]:
    phases: list[Phase] = []
    with wb.server(config, platform_port, work) as port:
        if port is None:
            return [Phase(config.name, "-", 0, note="skipped: PostgreSQL unreachable")]
        first = 10_000_000 * (index + 1)  # citizens never shared between configurations
        sender = Sender(port)

        async def run(kind: str, shots: list[wb.Shot], rate: float) -> Sent:
            if kind == "burst":
                return await burst(sender, shots, args.connections)
            return await open_loop(sender, shots, rate)

        loop = asyncio.new_event_loop()
        try:
            warm = wb.prepare(first, args.warmup)
            sent = loop.run_until_complete(run("open", warm, 100.0))
            loop.run_until_complete(sender.close())
            measure(Phase(config.name, "warm-up", len(warm)), sent, expected, platform_port, args.drain_limit)
            first += args.warmup

            def cpu() -> float:
                return server_cpu(port)

            for rate in (200, 500):
                count = int(rate * args.seconds)
                shots = wb.prepare(first, count)
                first += count
                started = cpu()
                sent = loop.run_until_complete(run("open", shots, rate))
                loop.run_until_complete(sender.close())  # the server closes idle ones during the drain
                name = f"{rate}/s x {args.seconds:.0f} s"
                phase = Phase(config.name, name, count)
                phases.append(measure(phase, sent, expected, platform_port, args.drain_limit, (cpu, started)))
                print(f"  {config.name} {name}: done", flush=True)
            shots = wb.prepare(first, args.burst)
            started = cpu()
            sent = loop.run_until_complete(run("burst", shots, 0))
            phase = Phase(config.name, f"burst {args.burst}", args.burst)
            phases.append(measure(phase, sent, expected, platform_port, args.drain_limit, (cpu, started)))
            print(f"  {config.name} {phase.name}: done", flush=True)
            loop.run_until_complete(sender.close())
        finally:
            loop.close()
    return phases


def report(phases: list[Phase]) -> None:
    print()
    print(
        f"{'configuration':<14} {'phase':<14} {'sent':>6} {'acked':>6} {'acks/s':>7} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'all in s':>8} {'lost':>5} {'dup':>5} {'cpu ms':>7}  note"
    )

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    for p in phases:
        answered = "-" if p.answered_s is None else f"{p.answered_s:.1f}"
        cpu = "-" if p.cpu_ms is None else f"{p.cpu_ms:.2f}"
        print(
            f"{p.config:<14} {p.name:<14} {p.offered:>6} {p.acked:>6} {p.acks_per_s:>7.0f} {ms(p.p50_ms):>8} "
            f"{ms(p.p99_ms):>8} {answered:>8} {p.lost:>5} {p.duplicated:>5} {cpu:>7}  {p.note}"
        )
    print()
    print(
        f"Targets: p50 <= {TARGET_P50_MS:.0f} ms and p99 <= {TARGET_P99_MS:.0f} ms at 200 and 500 msg/s; "
        f"the burst answered within {TARGET_BURST_S:.0f} s; 0 lost, 0 duplicated."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of each sustained rate")
    parser.add_argument("--burst", type=int, default=3000, help="webhooks in the burst")
    parser.add_argument("--warmup", type=int, default=200, help="webhooks sent (at 100/s) before measuring")
    parser.add_argument("--connections", type=int, default=64, help="connections carrying the burst")
    parser.add_argument(
        "--drain-limit", type=float, default=60.0, help="seconds to wait for a phase's replies"
    )
    parser.add_argument("--only", default="", help="comma-separated configuration names")
    parser.add_argument(
        "--platform-ms", type=float, default=0.0, help="milliseconds the fake platform takes per send"
    )
    parser.add_argument("--latency-platform", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency_platform:
        run_latency_platform(args.latency_platform, args.platform_ms / 1000)
        return
    wb._install_uvloop()
    configs = [wb.Config("sqlite-1", "sqlite", 1), wb.Config("postgresql-2", "postgresql", 2)]
    if args.only:
        configs = [c for c in configs if c.name in set(args.only.split(","))]
    expected = wb.expected_pieces()
    platform_port = wb.free_port()
    platform = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__)),
            "--latency-platform",
            str(platform_port),
            "--platform-ms",
            str(args.platform_ms),
        ],
        cwd=wb.ROOT,
    )
    phases: list[Phase] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if wb.http_get(f"http://127.0.0.1:{platform_port}/count", timeout=1)[0] == 200:
                    break
            time.sleep(0.1)
        with tempfile.TemporaryDirectory(prefix="canhgiac-latency-") as tmp:
            for index, config in enumerate(configs):
                phases.extend(
                    run_config(
                        config,
                        index=index,
                        platform_port=platform_port,
                        work=Path(tmp),
                        args=args,
                        expected=expected,
                    )
                )
    finally:
        wb.stop(platform)
    report(phases)


if __name__ == "__main__":
    main()
