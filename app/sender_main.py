"""The sender process beside each web process (`python -m app.sender_main`, started by the worker
when `delivery_process` is on, as under `canhgiac serve`): see `app.runtime.sender`.

Its first input line carries the web process's settings and worker options, so both processes
work from the same configuration whatever its source; it builds the channels and sends what the
web process hands it. Its stdout carries the reports only: anything else printed goes to stderr.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import logging
import os
import sys
from typing import Any

from pydantic import SecretStr

from app.channels.registry import ChannelContext, build_channels, platform_client
from app.db import make_engine
from app.ops.metrics import MULTIPROC_ENV, Metrics
from app.provinces import load_provinces
from app.runtime import WorkerOptions
from app.runtime.delivery import Delivery
from app.runtime.load import LoadGauge
from app.runtime.sender import LINE_LIMIT, SenderChild, SenderCommand
from app.settings import PROJECT_ROOT, Settings

__all__ = ["sender_command"]

log = logging.getLogger("app.sender")


def sender_command(settings: Settings, options: WorkerOptions) -> SenderCommand:
    """How a web process starts its sender: this module, given the same settings and options."""
    values: dict[str, Any] = settings.model_dump(mode="json")
    for name in type(settings).model_fields:  # the child needs the secrets themselves
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            values[name] = value.get_secret_value()
    hello = {"settings": values, "options": dataclasses.asdict(options)}
    # Its metrics reach /metrics through its reports: it must not also write the shared files.
    env = {key: value for key, value in os.environ.items() if key != MULTIPROC_ENV}
    # The same code as this process, whatever the working directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT_ROOT), env.get("PYTHONPATH"))))
    return SenderCommand(argv=(sys.executable, "-m", "app.sender_main"), hello=hello, env=env)


async def _run(out: int) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    first = await reader.readline()
    if not first:
        return  # the web process went away before saying anything
    hello = json.loads(first)
    settings = Settings(_env_file=None, **hello["settings"])
    options = WorkerOptions(**hello["options"])
    logging.basicConfig(
        level=settings.log_level.upper(), stream=sys.stderr, format="%(levelname)s:     [sender] %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("app.channels.registry").setLevel(logging.ERROR)  # the web process said it
    db = make_engine(settings.database_url)
    http = platform_client()
    provinces = load_provinces(settings.provinces_path, settings.default_province)
    channels = build_channels(ChannelContext(settings, http, db, provinces, os.environ))
    gauge = LoadGauge(
        lease_seconds=options.lease_seconds,
        max_concurrent_sends=options.max_concurrent_sends,
        most=options.max_backlog,
    )
    child = SenderChild(lambda data: os.write(out, data), pace=lambda: gauge.send_seconds)
    delivery = Delivery(
        db=db, channels=channels, metrics=Metrics(), options=options, gauge=gauge, on_done=child.done
    )
    gc.freeze()  # what is built lives as long as the process (see app.main)
    try:
        await child.run(reader, delivery, timeout=10.0)
    finally:
        for channel in channels.values():
            await channel.aclose()
        await http.aclose()
        db.dispose()


def main() -> None:
    out = os.dup(1)  # the reports' own descriptor; stray prints land on stderr instead
    os.dup2(2, 1)
    try:
        import uvloop  # installed with uvicorn[standard], as the web process uses it
    except ImportError:  # pragma: no cover
        asyncio.run(_run(out))
    else:
        uvloop.run(_run(out))


if __name__ == "__main__":
    main()
