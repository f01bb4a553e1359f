"""Running a real `canhgiac serve` in a subprocess for the tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def serving(database_url: str, log: Path, *args: str, **env: str) -> Iterator[str]:
    """`canhgiac serve` on a free loopback port; yields its base URL, stops it afterwards."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    # One test client plays every citizen: the per-client web chat limit is lifted unless a test sets it.
    environ.update(CANHGIAC_DATABASE_URL=database_url, CANHGIAC_WEB_RATE_PER_MINUTE="100000", **env)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=PROJECT_ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError("canhgiac serve exited:\n" + log.read_text()[-2000:])
                try:
                    if get(base + "/healthz", timeout=1)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError("canhgiac serve did not start:\n" + log.read_text()[-2000:])
            yield base
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
