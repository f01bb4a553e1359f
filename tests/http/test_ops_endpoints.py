"""Liveness, readiness and the Prometheus metrics."""

from __future__ import annotations

from pathlib import Path

from channel_support import SCAM_TEXT, Bot, FakePlatform, fb_body, make_settings, running_bot, wait_until


async def test_healthz_and_readyz(bot: Bot):
    assert (await bot.client.get("/healthz")).json() == {"status": "ok"}
    ready = await bot.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"] == {"database": True, "catalogue": True}
    assert body["tactics"] >= 20
    assert body["channels"] == {"messenger": True, "zalo": True}


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path):
    settings = make_settings(f"sqlite:///{tmp_path}/missing-dir/none.db")
    async with running_bot(settings, FakePlatform()) as bot:
        assert (await bot.client.get("/healthz")).status_code == 200
        ready = await bot.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] is False
        # A webhook that cannot be recorded is refused, so the platform delivers it again later.
        assert (await bot.messenger(fb_body("6500000000000301", "m_nodb", "xin chào"))).status_code == 503


async def test_metrics_count_webhooks_replies_matches_and_tactics(bot: Bot):
    assert (await bot.messenger(fb_body("6500000000000302", "m_metrics", SCAM_TEXT))).status_code == 200
    assert await wait_until(lambda: bot.platform.messenger_sends("6500000000000302"))
    await wait_until(lambda: False, timeout=0.2)
    response = await bot.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'canhgiac_webhooks_total{channel="messenger",result="accepted"} 1.0' in text
    sent = len(bot.platform.messenger_sends("6500000000000302"))
    assert f'canhgiac_replies_sent_total{{channel="messenger"}} {float(sent)}' in text
    assert 'canhgiac_tactics_matched_total{tactic="impersonate_authority"} 1.0' in text
    assert "canhgiac_matcher_seconds_count 1.0" in text
