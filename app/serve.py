"""`canhgiac serve`: migrate the database, then run the app under uvicorn."""

from __future__ import annotations

import atexit
import copy
import logging
import os
import shutil
import tempfile
import threading
import time
import urllib.request
import webbrowser
from typing import Any

import uvicorn

from app.db import upgrade
from app.ops.metrics import MULTIPROC_ENV
from app.settings import Settings

__all__ = ["log_config", "serve"]

log = logging.getLogger(__name__)


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging plus ours. No access log: it would print query strings (Meta's verify token)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["app"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    config["loggers"]["httpx"] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    return config


def _open_when_ready(url: str, timeout: float = 30.0) -> None:
    """Open the web chat once the server answers; a machine without a browser is fine."""

    def wait_and_open() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            return
        try:
            if not webbrowser.open(url):
                log.info("no browser found: open %s yourself", url)
        except Exception:  # a broken browser setup must never take the server down
            log.info("could not open a browser: open %s yourself", url)

    threading.Thread(target=wait_and_open, name="open-browser", daemon=True).start()


def _metrics_dir() -> None:
    """Several workers share their metrics through files in a fresh directory of their own."""
    if os.environ.get(MULTIPROC_ENV):
        return
    path = tempfile.mkdtemp(prefix="canhgiac-metrics-")
    os.environ[MULTIPROC_ENV] = path
    atexit.register(shutil.rmtree, path, ignore_errors=True)


def serve(settings: Settings, *, host: str, port: int, workers: int = 1, open_browser: bool = False) -> None:
    upgrade(settings.database_url)
    if settings.delivery_process is None:  # each worker sends its replies from a process beside it
        os.environ["CANHGIAC_DELIVERY_PROCESS"] = "true"
    if workers > 1:
        _metrics_dir()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{shown}:{port}/"
    print(f"Cảnh Giác: trò chuyện thử tại {url}", flush=True)  # noqa: T201
    if open_browser:
        _open_when_ready(url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=log_config(settings.log_level),
        timeout_graceful_shutdown=15,
        # Past this many connections at once new ones get a 503 instead of queueing without bound;
        # idle keep-alive connections are closed after a few seconds (slow clients hold no slot).
        limit_concurrency=settings.limit_concurrency,
        timeout_keep_alive=settings.timeout_keep_alive,
        # X-Forwarded-For / -Proto from the reverse proxy only (client addresses for the limits).
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
