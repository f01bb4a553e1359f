"""Messenger webhook routes: the subscription handshake (GET) and the events (POST)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from app.channels.messenger.channel import MessengerChannel
from app.channels.messenger.verify import handshake_challenge
from app.channels.receive import disabled_response, receive_webhook
from app.state import State, state_of

__all__ = ["router"]

router = APIRouter(tags=["messenger"])


@router.get("/webhooks/messenger")
async def verify_subscription(
    state: State,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> Response:
    """Meta's handshake: echo `hub.challenge` when the verify token is ours, else 403."""
    channel = state.channels["messenger"]
    if channel.missing or not isinstance(channel, MessengerChannel):
        return disabled_response(channel, state)
    answer = handshake_challenge(mode, token, challenge, verify_token=channel.verify_token)
    if answer is None:
        return PlainTextResponse("forbidden", status_code=403)
    return PlainTextResponse(answer)


@router.post("/webhooks/messenger")
async def receive(request: Request) -> Response:
    """Signed events: 403 without a valid `X-Hub-Signature-256`, 200 once recorded."""
    state = state_of(request)  # not a dependency: this route carries the load (see bench/)
    return await receive_webhook(
        request, state, state.channels["messenger"], bad_signature_status=403, ok_body="EVENT_RECEIVED"
    )
