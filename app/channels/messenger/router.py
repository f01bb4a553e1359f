"""Messenger's own route: the subscription handshake (the events arrive at the shared webhook)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response

from app.channels.messenger.channel import MessengerChannel
from app.channels.messenger.verify import handshake_challenge
from app.http.state import ChannelsDep, MetricsDep
from app.http.webhooks import disabled_response

__all__ = ["router"]

router = APIRouter(tags=["messenger"])


@router.get("/webhooks/messenger")
async def verify_subscription(
    channels: ChannelsDep,
    metrics: MetricsDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> Response:
    """Meta's handshake: echo `hub.challenge` when the verify token is ours, else 403."""
    channel = channels["messenger"]
    if channel.missing or not isinstance(channel, MessengerChannel):
        return disabled_response(channel, metrics)
    answer = handshake_challenge(mode, token, challenge, verify_token=channel.verify_token)
    if answer is None:
        return PlainTextResponse("forbidden", status_code=403)
    return PlainTextResponse(answer)
