"""The pieces under the webhooks: error classification, backoff, splitting, parsing, signatures."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random

import httpx
import pytest

from app.channels.messenger.client import message_body, raise_for_graph_error
from app.channels.messenger.parse import parse as parse_messenger
from app.channels.messenger.verify import handshake_challenge, signature_ok
from app.channels.zalo.client import raise_for_zalo_error
from app.channels.zalo.verify import signature_ok as zalo_signature_ok
from app.contracts import QuickReply, Reply
from app.contracts.channel import (
    BadPayload,
    ChannelAuthError,
    ChannelPermanentError,
    ChannelRateLimited,
    ChannelTemporaryError,
    ChannelWindowClosed,
    clean_text,
)
from app.db import GroupCommit
from app.outbox.service import pieces
from app.replies.composer import MAIN_ACTIONS
from app.runtime.delivery import backoff_delay, is_transient


def graph(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("code", "subcode", "status", "expected"),
    [
        (1200, None, 500, ChannelTemporaryError),
        (2, None, 500, ChannelTemporaryError),
        (4, None, 400, ChannelRateLimited),
        (613, None, 400, ChannelRateLimited),
        (190, None, 400, ChannelAuthError),
        (10, 2018278, 400, ChannelWindowClosed),
        (551, None, 400, ChannelWindowClosed),
        (100, None, 400, ChannelPermanentError),
        (200, 2018028, 403, ChannelPermanentError),
        (230, None, 403, ChannelPermanentError),
    ],
)
def test_graph_errors_are_classified_in_one_place(code, subcode, status, expected):
    error = {"code": code, "message": "x"} | ({"error_subcode": subcode} if subcode else {})
    with pytest.raises(expected) as raised:
        raise_for_graph_error(graph(status, {"error": error}))
    assert type(raised.value) is expected
    assert is_transient(raised.value) is issubclass(expected, ChannelTemporaryError)


def test_graph_http_errors_without_a_code():
    with pytest.raises(ChannelTemporaryError):
        raise_for_graph_error(httpx.Response(502, text="bad gateway"))
    with pytest.raises(ChannelRateLimited) as raised:
        raise_for_graph_error(httpx.Response(429, text="slow down", headers={"retry-after": "7"}))
    assert raised.value.retry_after == 7.0
    assert raise_for_graph_error(graph(200, {"recipient_id": "1", "message_id": "m"}))["message_id"] == "m"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (-216, ChannelAuthError),
        (-220, ChannelAuthError),
        (-32, ChannelRateLimited),
        (-100, ChannelTemporaryError),
        (-213, ChannelWindowClosed),
        (-217, ChannelWindowClosed),
        (-244, ChannelWindowClosed),
        (-201, ChannelPermanentError),
        (-124, ChannelPermanentError),
    ],
)
def test_zalo_errors_are_classified_in_one_place(code, expected):
    with pytest.raises(expected) as raised:
        raise_for_zalo_error(httpx.Response(200, json={"error": code, "message": "x"}))
    assert type(raised.value) is expected


def test_zalo_success_and_http_failures():
    assert raise_for_zalo_error(httpx.Response(200, json={"error": 0, "data": {"message_id": "z1"}}))["data"]
    with pytest.raises(ChannelTemporaryError):
        raise_for_zalo_error(httpx.Response(503, text="x"))
    with pytest.raises(ChannelTemporaryError):
        raise_for_zalo_error(httpx.Response(200, text="<html>proxy</html>"))
    with pytest.raises(ChannelRateLimited):
        raise_for_zalo_error(httpx.Response(429, text="x"))


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(7)
    for attempts in range(1, 12):
        ceiling = min(60.0, 2.0 * 2 ** (attempts - 1))
        delays = [backoff_delay(attempts, base=2.0, cap=60.0, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1, "jitter spreads retries out"


def test_unknown_errors_are_retried_but_bounded_elsewhere():
    assert is_transient(RuntimeError("bug"))
    assert not is_transient(ChannelPermanentError("no"))


def test_long_replies_are_cut_under_the_limit_with_quick_replies_on_the_last_piece():
    long = "\n".join(f"Dòng số {i}: " + "cẩn thận " * 20 for i in range(60))
    out = pieces([Reply(long, MAIN_ACTIONS), Reply("ngắn")])
    assert len(out) > 2
    assert all(len(p.text) < 2000 for p in out)
    assert [bool(p.quick_replies) for p in out[:-1]] == [False] * (len(out) - 2) + [True]
    assert out[-1].text == "ngắn"


def test_messenger_body_respects_the_platform_limits():
    quick = tuple(QuickReply(f"Lựa chọn rất dài số {i} để thử", f"P{i}") for i in range(20))
    body = message_body("6500000000000401", Reply("x" * 2500, quick))
    assert body["messaging_type"] == "RESPONSE"
    assert len(body["message"]["text"]) < 2000
    assert len(body["message"]["quick_replies"]) == 13
    assert all(len(q["title"]) <= 20 for q in body["message"]["quick_replies"])


def test_signatures_are_checked_over_the_raw_bytes():
    raw = b'{"object":"page","entry":[]}'
    good = "sha256=" + hmac.new(b"s", raw, hashlib.sha256).hexdigest()
    assert signature_ok(raw, good, app_secret="s")
    assert signature_ok(raw, good.upper().replace("SHA256=", "sha256="), app_secret="s")
    assert not signature_ok(raw + b" ", good, app_secret="s")
    assert not signature_ok(raw, None, app_secret="s")
    zraw = b'{"timestamp":"1700000000000","event_name":"user_send_text"}'
    mac = hashlib.sha256(b"app" + zraw + b"1700000000000" + b"oa").hexdigest()
    assert zalo_signature_ok(zraw, f"mac={mac}", app_id="app", oa_secret="oa")
    assert not zalo_signature_ok(zraw, f"mac={mac}", app_id="app", oa_secret="other")
    hmac_mac = hmac.new(b"oa", b"app" + zraw + b"1700000000000", hashlib.sha256).hexdigest()
    assert not zalo_signature_ok(zraw, f"mac={hmac_mac}", app_id="app", oa_secret="oa")


def test_handshake_needs_subscribe_and_our_token():
    assert handshake_challenge("subscribe", "t", "42", verify_token="t") == "42"
    assert handshake_challenge("subscribe", "x", "42", verify_token="t") is None
    assert handshake_challenge(None, "t", "42", verify_token="t") is None


def test_messenger_parse_reads_every_message_kind():
    raw = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "P",
                    "messaging": [
                        {
                            "sender": {"id": "U1"},
                            "recipient": {"id": "P"},
                            "timestamp": 1,
                            "message": {"mid": "a", "text": "hi"},
                        },
                        {
                            "sender": {"id": "U2"},
                            "recipient": {"id": "P"},
                            "message": {
                                "mid": "b",
                                "text": "Tố giác",
                                "quick_reply": {"payload": "ACTION:REPORT"},
                            },
                        },
                        {
                            "sender": {"id": "U3"},
                            "recipient": {"id": "P"},
                            "postback": {"title": "T", "payload": "ACTION:HELP"},
                        },
                        {
                            "sender": {"id": 123},
                            "recipient": {"id": "P"},
                            "message": {"mid": "c", "attachments": [{"type": "audio"}]},
                        },
                        {"sender": {"id": "U5"}, "message": {"mid": "d", "text": "x", "is_echo": True}},
                        {"recipient": {"id": "P"}, "message": {"mid": "e", "text": "no sender"}},
                    ],
                }
            ],
        }
    ).encode()
    messages = parse_messenger(raw)
    assert [(m.user_id, m.text, m.payload, m.attachments) for m in messages] == [
        ("U1", "hi", None, ()),
        ("U2", "Tố giác", "ACTION:REPORT", ()),
        ("U3", "T", "ACTION:HELP", ()),
        ("123", None, None, ("audio",)),
    ]
    assert all(m.channel == "messenger" and m.channel_id == "P" for m in messages)
    assert messages[2].message_id.startswith("postback:U3:")
    with pytest.raises(BadPayload):
        parse_messenger(b"[]")


def test_clean_text_removes_what_databases_and_encoders_refuse():
    assert clean_text("a\x00b\ud800c\r\nd\te") == "abc\nd\te"
    assert clean_text("Cu\u0309a") == "C\u1ee7a"  # composed (NFC), as the normaliser expects
    assert clean_text(5) is None
    assert clean_text("x" * 10, limit=3) == "xxx"


async def test_group_commit_batches_concurrent_callers_and_reports_errors_to_each():
    seen: list[int] = []

    def flush(items):
        seen.append(len(items))
        if "boom" in items:
            raise RuntimeError("flush failed")
        return [f"done:{item}" for item in items]

    commit: GroupCommit[str, str] = GroupCommit(flush)
    commit.start()
    results = await asyncio.gather(*(commit.submit(str(i)) for i in range(50)))
    assert results == [f"done:{i}" for i in range(50)]
    assert len(seen) < 50, "concurrent submissions share commits"
    outcome = await asyncio.gather(commit.submit("boom"), commit.submit("ok"), return_exceptions=True)
    assert any(isinstance(o, RuntimeError) for o in outcome)
    assert await commit.submit("after") == "done:after"
    await commit.stop()
