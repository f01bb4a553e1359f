"""Zalo has no quick replies: the options go as a line of things to type, or as `oa.query.show`
buttons when enabled, and a send whose buttons Zalo refuses is retried as text."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.channels.zalo.client import ZaloClient
from app.contracts import QuickReply
from app.contracts.channel import ChannelWindowClosed, typed_options
from app.replies.composer import MAIN_ACTIONS


class FakeTokens:
    """The one token the client needs (no database, no OAuth)."""

    def key_for(self, oa_id: str) -> str | None:
        return "default"

    async def access_token(self, key: str) -> str:
        return "token-1"

    async def refresh(self, key: str, *, rejected: str) -> str:  # pragma: no cover - not reached
        raise AssertionError("no refresh expected")


def client_with(answers: list[dict[str, Any]], *, buttons: bool) -> tuple[ZaloClient, list[dict[str, Any]]]:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=answers[min(len(bodies), len(answers)) - 1])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = ZaloClient(http, api_base="http://zalo.test", tokens=FakeTokens(), buttons=buttons)  # type: ignore[arg-type]
    return client, bodies


OK = {"error": 0, "data": {"message_id": "m-1"}}


async def test_options_are_listed_as_things_to_type_by_default():
    client, bodies = client_with([OK], buttons=False)
    await client.send_text(oa_id="oa", user_id="u", text="Xin chào", options=MAIN_ACTIONS)
    message = bodies[0]["message"]
    assert "attachment" not in message
    assert message["text"].startswith("Xin chào")
    assert message["text"].endswith(typed_options(MAIN_ACTIONS))
    assert all(option.title in message["text"] for option in MAIN_ACTIONS)


async def test_a_long_text_keeps_its_options_within_the_limit():
    client, bodies = client_with([OK], buttons=False)
    await client.send_text(oa_id="oa", user_id="u", text="a " * 1500, options=MAIN_ACTIONS)
    text = bodies[0]["message"]["text"]
    assert len(text) <= 2000 and text.endswith(typed_options(MAIN_ACTIONS))


async def test_no_options_no_line():
    client, bodies = client_with([OK], buttons=False)
    await client.send_text(oa_id="oa", user_id="u", text="Xin chào")
    assert bodies[0]["message"] == {"text": "Xin chào"}


async def test_buttons_when_enabled_carry_the_payloads():
    client, bodies = client_with([OK], buttons=True)
    options = (QuickReply("Có", "REPORT:YES"), QuickReply("Không", "REPORT:NO"))
    assert await client.send_text(oa_id="oa", user_id="u", text="Gửi tố giác?", options=options) == "m-1"
    buttons = bodies[0]["message"]["attachment"]["payload"]["buttons"]
    assert buttons == [
        {"type": "oa.query.show", "title": "Có", "payload": "REPORT:YES"},
        {"type": "oa.query.show", "title": "Không", "payload": "REPORT:NO"},
    ]


async def test_refused_buttons_fall_back_to_text_with_the_typed_options():
    client, bodies = client_with([{"error": -201, "message": "invalid attachment"}, OK], buttons=True)
    assert await client.send_text(oa_id="oa", user_id="u", text="Xin chào", options=MAIN_ACTIONS) == "m-1"
    assert len(bodies) == 2 and "attachment" in bodies[0]["message"]
    assert "attachment" not in bodies[1]["message"]
    assert bodies[1]["message"]["text"].endswith(typed_options(MAIN_ACTIONS))


async def test_a_closed_window_is_not_retried_as_text():
    client, bodies = client_with([{"error": -213, "message": "user not interacted"}, OK], buttons=True)
    with pytest.raises(ChannelWindowClosed):
        await client.send_text(oa_id="oa", user_id="u", text="Xin chào", options=MAIN_ACTIONS)
    assert len(bodies) == 1
