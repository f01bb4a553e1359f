"""CPU per message of the two parts of the server that are ours, in-process, on SQLite:

- acknowledging: a signed Messenger webhook through the whole ASGI app (route, signature, parse,
  the inbox commit), one at a time and 16 at once (sharing commits), the runtime stopped;
- answering: recorded events through the runtime's answering (analysis, the conversation's reads
  and writes, the inbox and outbox), in batches of 16 and one by one.

Sending a reply is httpx's cost, not measured here (`latency_bench.py` shows the whole).

Usage: python bench/parts_bench.py [--messages N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import webhooks_bench as wb  # noqa: E402  (signed webhooks and the sample texts)


async def _asgi_post(app: Any, body: bytes, headers: dict[str, str]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/messenger",
        "raw_path": b"/webhooks/messenger",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        + [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # the app never asks twice for a complete body
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def acknowledging(count: int, work: Path) -> dict[int, float]:
    """CPU ms per webhook at concurrency 1 and 16."""
    from app.db import upgrade
    from app.main import create_app

    url = f"sqlite:///{work}/ack.db"
    upgrade(url)
    os.environ.update(
        CANHGIAC_DATABASE_URL=url,
        CANHGIAC_FB_APP_SECRET=wb.FB_SECRET,
        CANHGIAC_FB_VERIFY_TOKEN=wb.FB_VERIFY,
        CANHGIAC_FB_PAGE_TOKEN=wb.FB_TOKEN,
        CANHGIAC_LOG_LEVEL="WARNING",
    )
    app = create_app()
    out: dict[int, float] = {}
    async with app.router.lifespan_context(app):
        await app.state.canhgiac.worker.stop()  # acknowledging only
        shots = [wb.fb_webhook(i, wb.TEXTS[i % len(wb.TEXTS)]) for i in range(200 + 2 * count)]
        for body, headers, _ in shots[:200]:  # warm-up
            await _asgi_post(app, body, headers)
        for concurrency, part in ((1, shots[200 : 200 + count]), (16, shots[200 + count :])):
            slots = asyncio.Semaphore(concurrency)

            async def one(body: bytes, headers: dict[str, str], slots: asyncio.Semaphore = slots) -> None:
                async with slots:
                    assert await _asgi_post(app, body, headers) == 200

            started = time.process_time()
            await asyncio.gather(*(one(body, headers) for body, headers, _ in part))
            out[concurrency] = (time.process_time() - started) / count * 1000
    return out


def answering(count: int, work: Path) -> dict[int, float]:
    """CPU ms per event answered in batches of 16 and one by one."""
    from app.contracts import IncomingMessage
    from app.conversation.responder import Responder
    from app.db import make_engine, upgrade
    from app.inbox.service import RecordedEvent, record_batches
    from app.runtime.answering import Answering
    from app.runtime.options import WorkerOptions
    from app.settings import Settings

    url = f"sqlite:///{work}/answer.db"
    upgrade(url)
    db = make_engine(url)
    responder = Responder.from_settings(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    out: dict[int, float] = {}
    first = 0
    for batch in (16, 1):
        messages = [
            IncomingMessage(
                channel=("messenger", "zalo")[i % 2],
                channel_id="page-1",
                user_id=f"citizen-{i}",
                message_id=f"m-{i}",
                text=wb.TEXTS[i % len(wb.TEXTS)],
                received_at=dt.datetime.now(dt.UTC),
            )
            for i in range(first, first + count + 32)
        ]
        first += count + 32
        ids = record_batches(db, [messages])[0]
        events = [RecordedEvent(i, m) for i, m in zip(ids, messages, strict=True) if i is not None]
        options = WorkerOptions(answer_batch=batch)
        runner = Answering(
            db=db,
            engine=responder,
            options=options,
            deliver=lambda groups: None,
            lease_until=lambda now: now + dt.timedelta(seconds=60),
        )
        runner._answer_sync(events[:32], lambda groups: None)  # warm-up
        started = time.process_time()
        runner._answer_sync(events[32:], lambda groups: None)
        out[batch] = (time.process_time() - started) / (len(events) - 32) * 1000
    db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=3000, help="messages measured per line")
    args = parser.parse_args()
    wb._install_uvloop()
    with tempfile.TemporaryDirectory(prefix="canhgiac-parts-") as tmp:
        work = Path(tmp)
        answer = answering(args.messages, work)
        ack = asyncio.run(acknowledging(args.messages, work))
    print(f"{'part':<40} {'CPU ms/message':>15}")
    print(f"{'acknowledging, one at a time':<40} {ack[1]:>15.3f}")
    print(f"{'acknowledging, 16 at once':<40} {ack[16]:>15.3f}")
    print(f"{'answering, batches of 16':<40} {answer[16]:>15.3f}")
    print(f"{'answering, one by one':<40} {answer[1]:>15.3f}")


if __name__ == "__main__":
    main()
