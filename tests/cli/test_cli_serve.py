"""`canhgiac db upgrade|downgrade` and `canhgiac serve` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from serve_support import get, serving
from sqlalchemy import inspect

from app.db import make_engine
from app.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    env["CANHGIAC_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def tables(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_and_downgrade(database_url: str):
    assert cli(database_url, "db", "upgrade").returncode == 0
    assert {"inbound_events", "outbound_messages", "zalo_tokens"} <= tables(database_url)
    result = cli(database_url, "db", "downgrade", "base")
    assert result.returncode == 0, result.stderr
    assert not {"inbound_events", "outbound_messages", "zalo_tokens"} & tables(database_url)


def test_serve_migrates_then_serves_with_two_workers_sharing_metrics(database_url: str, tmp_path: Path):
    with serving(database_url, tmp_path / "server.log", "--workers", "2") as base:
        assert {"inbound_events", "outbound_messages", "zalo_tokens"} <= tables(database_url)
        status, body = get(base + "/readyz")
        assert status == 200, body
        import urllib.request

        for _ in range(12):
            request = urllib.request.Request(
                base + "/api/chat",
                data=json.dumps({"user_id": "cli-test", "text": "xin chào"}).encode(),
                headers={"content-type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
        # Whichever worker answers /metrics, it reports all of them.
        for _ in range(4):
            status, metrics = get(base + "/metrics")
            assert status == 200
            assert 'canhgiac_webhooks_total{channel="web",result="accepted"} 12.0' in metrics.decode()
        # Messenger is off without its secrets, and says so.
        status, _ = get(base + "/webhooks/messenger?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")
        assert status == 503
    assert "CANHGIAC_FB_APP_SECRET" in (tmp_path / "server.log").read_text()
