"""Webhook acknowledgement throughput of `canhgiac serve`, against a bare FastAPI endpoint (the ceiling).

Everything runs on loopback:
- a fake platform API (Graph Send API + Zalo OA API + Zalo OAuth) in its own process, counting every
  reply it receives per recipient and text;
- the server under test, a real subprocess: the bare endpoint (reads the body, answers 200, nothing
  else) or `canhgiac serve` on SQLite / PostgreSQL with 1 and 2 workers;
- a load generator (HTTP/1.1 keep-alive, `--connections` in flight, closed loop) sending signed
  Messenger and Zalo webhooks, half each, one new user and message per webhook.

Per configuration it prints acknowledged webhooks/s and p50/p99 acknowledgement latency, then waits
for the replies and counts messages with a reply missing (lost) or a reply received twice
(duplicated), and how long the replies took to drain after the last acknowledgement.

Usage: python bench/webhooks_bench.py [--requests N] [--connections C] [--only sqlite-1,...]
PostgreSQL: CANHGIAC_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
skipped when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

FB_SECRET, FB_VERIFY, FB_TOKEN = "bench-fb-secret", "bench-verify", "bench-page-token"
Z_APP, Z_APP_SECRET, Z_OA_SECRET, Z_TOKEN = (
    "3206567425609033798",
    "bench-zalo-app-secret",
    "bench-oa-secret",
    "bench-zt",
)
PAGE_ID, OA_ID = "104857600000001", "579745863508352884"

TEXTS = [
    "có người gọi tự xưng công an nói tôi liên quan vụ án rửa tiền, bắt chuyển tiền vào tài khoản tạm giữ",
    "bi lua lam nhiem vu tren mang, nap tien roi ko rut dc, ho bao sai cu phap phai nap them",
    "shipper gọi bảo có đơn hàng cần thanh toán phí ship qua link lạ rồi đòi mã OTP",
    "nhân viên điện lực gọi báo nợ tiền điện, sẽ cắt điện nếu không chuyển khoản ngay",
    "có người nhắn làm quen qua facebook rồi nhờ nhận quà gửi từ nước ngoài, bắt đóng phí hải quan",
    "tin nhắn báo tài khoản ngân hàng bị khóa, bấm link để xác thực lại thông tin",
    "app vay tiền online duyệt nhanh nhưng bắt nộp phí bảo hiểm khoản vay trước khi giải ngân",
    "con tôi bị tai nạn, người lạ gọi bảo chuyển tiền gấp để mổ cấp cứu",
]


# --------------------------------------------------------------------------------------------------
# HTTP plumbing shared by the fake platform and the load generator (raw asyncio: the measuring tools
# must cost far less than what they measure).


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    body = await reader.readexactly(length) if length else b""
    return method, target, headers, body


def response_bytes(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    reason = {200: "OK", 404: "Not Found"}.get(status, "Status")
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# --------------------------------------------------------------------------------------------------
# The fake platform API (run as a subprocess: --fake-platform PORT)


def run_fake_platform(port: int) -> None:
    seen: Counter[tuple[str, str]] = Counter()  # (recipient, text digest) -> times received
    per_recipient: Counter[str] = Counter()
    counter = {"sends": 0, "refreshes": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                method, target, _headers, body = request
                path = target.split("?", 1)[0]
                if method == "GET" and path == "/stats":
                    out = {
                        "recipients": dict(per_recipient),
                        "duplicated": sorted({r for (r, _), n in seen.items() if n > 1}),
                        **counter,
                    }
                    writer.write(response_bytes(200, json.dumps(out).encode()))
                elif method == "POST" and path == "/reset":
                    seen.clear()
                    per_recipient.clear()
                    counter.update(sends=0, refreshes=0)
                    writer.write(response_bytes(200, b"{}"))
                elif path.endswith("/oa/access_token"):
                    counter["refreshes"] += 1
                    pair = {
                        "access_token": "bench-new-access",
                        "refresh_token": "bench-new-refresh",
                        "expires_in": "90000",
                    }
                    writer.write(response_bytes(200, json.dumps(pair).encode()))
                else:
                    data = json.loads(body or b"{}")
                    counter["sends"] += 1
                    text = (data.get("message") or {}).get("text", "")
                    recipient = data.get("recipient") or {}
                    rid = str(recipient.get("id") or recipient.get("user_id") or "")
                    seen[(rid, hashlib.blake2b(text.encode(), digest_size=8).hexdigest())] += 1
                    per_recipient[rid] += 1
                    if path.endswith("/me/messages"):
                        answer = {"recipient_id": rid, "message_id": f"m_{counter['sends']}"}
                    else:
                        answer = {
                            "error": 0,
                            "message": "Success",
                            "data": {"message_id": f"z{counter['sends']}"},
                        }
                    writer.write(response_bytes(200, json.dumps(answer).encode()))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    _install_uvloop()
    asyncio.run(main())


# --------------------------------------------------------------------------------------------------
# The ceiling: a bare FastAPI endpoint doing nothing (run as a subprocess: --bare PORT WORKERS)


def make_bare_app() -> Any:
    app = FastAPI()

    @app.post("/webhooks/messenger")
    @app.post("/webhooks/zalo")
    async def hook(request: Request) -> PlainTextResponse:
        await request.body()
        return PlainTextResponse("ok")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def run_bare(port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "webhooks_bench:make_bare_app",
        factory=True,
        app_dir=str(BENCH),
        host="127.0.0.1",
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
    )


# --------------------------------------------------------------------------------------------------
# Webhook bodies


def fb_webhook(i: int, text: str) -> tuple[bytes, dict[str, str], str]:
    psid = f"65{i:014d}"
    now = int(time.time() * 1000)
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": now,
                            "message": {"mid": f"m_bench_{i}_{uuid.uuid4().hex[:8]}", "text": text},
                        }
                    ],
                }
            ],
        },
        ensure_ascii=False,
    ).encode()
    signature = "sha256=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"x-hub-signature-256": signature}, psid


def zalo_webhook(i: int, text: str) -> tuple[bytes, dict[str, str], str]:
    user = f"24{i:016d}"
    ts = str(int(time.time() * 1000))
    body = json.dumps(
        {
            "app_id": Z_APP,
            "sender": {"id": user},
            "user_id_by_app": "552177279717587730",
            "recipient": {"id": OA_ID},
            "event_name": "user_send_text",
            "message": {"text": text, "msg_id": f"zbench{i}{uuid.uuid4().hex[:8]}"},
            "timestamp": ts,
        },
        ensure_ascii=False,
    ).encode()
    mac = hashlib.sha256(Z_APP.encode() + body + ts.encode() + Z_OA_SECRET.encode()).hexdigest()
    return body, {"x-zevent-signature": f"mac={mac}"}, user


@dataclass
class Shot:
    path: str
    request: bytes  # the full HTTP request, prepared before timing
    recipient: str
    text: str


def prepare(first: int, count: int) -> list[Shot]:
    shots = []
    for i in range(first, first + count):
        text = TEXTS[i % len(TEXTS)]
        if i % 2:
            path, (body, headers, recipient) = "/webhooks/zalo", zalo_webhook(i, text)
        else:
            path, (body, headers, recipient) = "/webhooks/messenger", fb_webhook(i, text)
        head = f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"content-length: {len(body)}\r\n\r\n"
        shots.append(Shot(path, head.encode() + body, recipient, text))
    return shots


# --------------------------------------------------------------------------------------------------
# The load generator


@dataclass
class LoadResult:
    acked: list[Shot]
    latencies: list[float]
    failures: Counter[int]
    seconds: float


async def load(port: int, shots: list[Shot], connections: int, time_limit: float) -> LoadResult:
    queue = list(reversed(shots))
    acked: list[Shot] = []
    latencies: list[float] = []
    failures: Counter[int] = Counter()
    deadline = time.monotonic() + time_limit

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue and time.monotonic() < deadline:
                shot = queue.pop()
                started = time.perf_counter()
                writer.write(shot.request)
                status_line = await reader.readline()
                length = 0
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b""):
                        break
                    if header[:15].lower() == b"content-length:":
                        length = int(header[15:])
                if length:
                    await reader.readexactly(length)
                status = int(status_line.split()[1])
                if status == 200:
                    latencies.append(time.perf_counter() - started)
                    acked.append(shot)
                else:
                    failures[status] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return LoadResult(acked, latencies, failures, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------------
# Servers under test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-1500:]}")
        with contextlib.suppress(OSError):
            if http_get(base + "/healthz", timeout=1)[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log.read_text()[-1500:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@dataclass
class Config:
    name: str
    kind: str  # "bare" | "sqlite" | "postgresql"
    workers: int


def postgres_url() -> str:
    return (
        os.environ.get("CANHGIAC_BENCH_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def postgres_schema(base: str) -> tuple[str, str] | None:
    """A fresh schema for one run, or None when PostgreSQL is unreachable."""
    try:
        import psycopg
    except ImportError:
        return None
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception:
        return None
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextlib.contextmanager
def server(config: Config, fake_port: int, work: Path) -> Any:
    port = free_port()
    log = work / f"{config.name}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    schema = None
    if config.kind == "bare":
        argv = [sys.executable, str(Path(__file__)), "--bare", str(port), str(config.workers)]
    else:
        if config.kind == "sqlite":
            url = f"sqlite:///{work}/{config.name}.db"
        else:
            made = postgres_schema(postgres_url())
            if made is None:
                yield None
                return
            schema, url = made
        fake = f"http://127.0.0.1:{fake_port}"
        env.update(
            CANHGIAC_DATABASE_URL=url,
            CANHGIAC_FB_APP_SECRET=FB_SECRET,
            CANHGIAC_FB_VERIFY_TOKEN=FB_VERIFY,
            CANHGIAC_FB_PAGE_TOKEN=FB_TOKEN,
            CANHGIAC_FB_API_BASE=f"{fake}/v25.0",
            CANHGIAC_ZALO_APP_ID=Z_APP,
            CANHGIAC_ZALO_APP_SECRET=Z_APP_SECRET,
            CANHGIAC_ZALO_OA_SECRET=Z_OA_SECRET,
            CANHGIAC_ZALO_ACCESS_TOKEN=Z_TOKEN,
            CANHGIAC_ZALO_REFRESH_TOKEN="bench-refresh",
            CANHGIAC_ZALO_API_BASE=fake,
            CANHGIAC_ZALO_OAUTH_BASE=fake,
            CANHGIAC_LOG_LEVEL="WARNING",
        )
        argv = [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(config.workers)]
    with log.open("w") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        yield port
    finally:
        stop(process)
        if schema is not None:
            with contextlib.suppress(Exception):
                drop_schema(postgres_url(), schema)


# --------------------------------------------------------------------------------------------------
# One configuration


@dataclass
class Row:
    name: str
    acked: int = 0
    rate: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    lost: int | None = None
    duplicated: int | None = None
    drain_s: float | None = None
    note: str = ""


def expected_pieces() -> dict[str, int]:
    """How many reply pieces each bench text gets (the engine is deterministic)."""
    sys.path.insert(0, str(ROOT))
    from app.contracts import IncomingMessage
    from app.conversation.responder import Responder
    from app.db import make_engine, transaction, upgrade
    from app.outbox.service import pieces
    from app.settings import Settings

    engine = Responder.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    province = engine.provinces.default
    out = {}
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{work}/expected.db"
        upgrade(url)
        db = make_engine(url)
        try:
            for n, text in enumerate(TEXTS):
                message = IncomingMessage("bench", "x", f"u{n}", f"m{n}", text)
                with transaction(db) as session:
                    out[text] = len(pieces(engine.handle(message, province=province, session=session)))
        finally:
            db.dispose()
    return out


def fake_stats(fake_port: int) -> dict[str, Any]:
    status, body = http_get(f"http://127.0.0.1:{fake_port}/stats", timeout=30)
    assert status == 200
    result: dict[str, Any] = json.loads(body)
    return result


def run_config(
    config: Config,
    *,
    fake_port: int,
    work: Path,
    requests: int,
    connections: int,
    warmup: int,
    first_id: int,
    expected: dict[str, int],
    time_limit: float,
    drain_limit: float,
) -> Row:
    row = Row(config.name)
    urllib.request.urlopen(
        urllib.request.Request(f"http://127.0.0.1:{fake_port}/reset", method="POST"), timeout=5
    )
    with server(config, fake_port, work) as port:
        if port is None:
            row.note = "skipped: PostgreSQL unreachable"
            return row
        warm = prepare(first_id, warmup)
        shots = prepare(first_id + warmup, requests)
        asyncio.run(load(port, warm, connections, time_limit))
        if config.kind != "bare":  # let the warm-up replies go out before measuring
            deadline = time.monotonic() + drain_limit
            while time.monotonic() < deadline and fake_stats(fake_port)["sends"] < warmup:
                time.sleep(0.1)
        result = asyncio.run(load(port, shots, connections, time_limit))
        finished = time.monotonic()
        row.acked = len(result.acked)
        row.rate = row.acked / result.seconds if result.seconds else 0.0
        if result.latencies:
            ordered = sorted(result.latencies)
            row.p50_ms = statistics.median(ordered) * 1000
            row.p99_ms = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        row.errors = sum(result.failures.values())
        if result.failures:
            row.note = "non-200: " + ", ".join(f"{k}x{v}" for k, v in sorted(result.failures.items()))
        if config.kind == "bare":
            return row
        acked = {shot.recipient: expected.get(shot.text, 1) for shot in result.acked}
        acked.update({shot.recipient: expected.get(shot.text, 1) for shot in warm})
        total = sum(acked.values())
        deadline = finished + drain_limit
        stats = fake_stats(fake_port)
        while time.monotonic() < deadline and stats["sends"] < total:
            time.sleep(0.1)
            stats = fake_stats(fake_port)
        drained = time.monotonic()
        time.sleep(1.0)  # anything arriving late would be a duplicate
        stats = fake_stats(fake_port)
        received = stats["recipients"]
        row.lost = sum(1 for rid, n in acked.items() if received.get(rid, 0) < n)
        row.duplicated = len(stats["duplicated"]) + sum(
            1 for rid, n in acked.items() if received.get(rid, 0) > n
        )
        row.drain_s = drained - finished if stats["sends"] >= total else None
        if row.drain_s is None:
            row.note = (row.note + "; " if row.note else "") + f"replies not all in after {drain_limit:.0f} s"
    return row


def _install_uvloop() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=6000, help="measured webhooks per configuration")
    parser.add_argument("--warmup", type=int, default=300, help="webhooks sent before measuring")
    parser.add_argument("--connections", type=int, default=32, help="webhooks in flight")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds of load per configuration, at most"
    )
    parser.add_argument("--drain-limit", type=float, default=120.0, help="seconds to wait for the replies")
    parser.add_argument("--only", default="", help="comma-separated configuration names")
    parser.add_argument("--fake-platform", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake_platform:
        run_fake_platform(args.fake_platform)
        return
    if args.bare:
        run_bare(*args.bare)
        return

    _install_uvloop()
    configs = [
        Config("ceiling-1", "bare", 1),
        Config("ceiling-2", "bare", 2),
        Config("sqlite-1", "sqlite", 1),
        Config("sqlite-2", "sqlite", 2),
        Config("postgresql-1", "postgresql", 1),
        Config("postgresql-2", "postgresql", 2),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        configs = [
            c for c in configs if c.name in wanted or (c.kind == "bare" and f"ceiling-{c.workers}" in wanted)
        ]
    expected = expected_pieces()
    fake_port = free_port()
    fake = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--fake-platform", str(fake_port)], cwd=ROOT
    )
    rows: list[Row] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if http_get(f"http://127.0.0.1:{fake_port}/stats", timeout=1)[0] == 200:
                    break
            time.sleep(0.1)
        print(
            f"{os.cpu_count()} CPUs; {args.requests} signed webhooks per configuration "
            f"(half Messenger, half Zalo), {args.connections} in flight, "
            f"after {args.warmup} warm-up webhooks",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="canhgiac-bench-") as tmp:
            for n, config in enumerate(configs):
                row = run_config(
                    config,
                    fake_port=fake_port,
                    work=Path(tmp),
                    requests=args.requests,
                    connections=args.connections,
                    warmup=args.warmup,
                    first_id=(n + 1) * 10_000_000,
                    expected=expected,
                    time_limit=args.time_limit,
                    drain_limit=args.drain_limit,
                )
                rows.append(row)
                print(f"  done {config.name}: {row.rate:,.0f}/s", flush=True)
    finally:
        stop(fake)
    report(rows)


def report(rows: list[Row]) -> None:
    ceilings = {
        row.name.split("-")[1]: row.rate for row in rows if row.name.startswith("ceiling") and row.rate
    }
    print()
    print(
        f"{'configuration':<14} {'acked/s':>9} {'% ceiling':>9} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'non-200':>7} {'lost':>5} {'dup':>5} {'drain s':>8}  note"
    )
    for row in rows:
        workers = row.name.rsplit("-", 1)[1]
        share = f"{100 * row.rate / ceilings[workers]:.0f}%" if workers in ceilings and row.rate else "-"
        lost = "-" if row.lost is None else str(row.lost)
        dup = "-" if row.duplicated is None else str(row.duplicated)
        drain = "-" if row.drain_s is None else f"{row.drain_s:.1f}"
        print(
            f"{row.name:<14} {row.rate:>9,.0f} {share:>9} {row.p50_ms:>7.1f} {row.p99_ms:>7.1f} "
            f"{row.errors:>7} {lost:>5} {dup:>5} {drain:>8}  {row.note}"
        )
    print()
    print(
        "Target: >= 1,000 acknowledged webhooks/s, p99 <= 50 ms, >= 40% of the ceiling, 0 lost, 0 duplicated."
    )


if __name__ == "__main__":
    main()
