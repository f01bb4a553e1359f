"""The channel registry: every platform by slug, one shared webhook route, declared capabilities."""

from __future__ import annotations

from channel_support import Bot

from app.channels.registry import REGISTRY
from app.contracts.channel import Channel


def test_every_registered_channel_is_built_and_answers_at_its_slug(bot: Bot):
    channels = bot.state.channels
    assert [entry.slug for entry in REGISTRY] == list(channels) == ["messenger", "zalo"]
    assert all(isinstance(channel, Channel) and channel.name == slug for slug, channel in channels.items())
    # What each platform expects back is declared by the channel, not by a route of its own.
    assert (channels["messenger"].bad_signature_status, channels["messenger"].ack_body) == (
        403,
        "EVENT_RECEIVED",
    )
    assert (channels["zalo"].bad_signature_status, channels["zalo"].ack_body) == (401, "ok")
    assert channels["messenger"].buttons and not channels["zalo"].buttons  # Zalo: typed options


async def test_an_unknown_channel_slug_is_404_not_500(bot: Bot):
    response = await bot.client.post("/webhooks/telegram", content=b"{}")
    assert response.status_code == 404
    assert not bot.platform.calls
