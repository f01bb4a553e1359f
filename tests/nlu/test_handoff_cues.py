"""Asking for a person, as people type it; scam stories that name the police are not requests."""

from __future__ import annotations

import pytest

from app.nlu.handoff import asks_for_officer


@pytest.mark.parametrize(
    "text",
    [
        "cho tôi gặp cán bộ",
        "Cho toi gap can bo",
        "cho em gặp cb với ạ",
        "nói chuyện với người thật",
        "noi chuyen voi nguoi that",
        "gặp công an trực",
        "gap cong an truc",
        "tôi muốn chat với cán bộ",
        "chuyển cho cán bộ giúp tôi",
    ],
)
def test_requests(text: str):
    assert asks_for_officer(text)


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "có người giả danh công an gọi cho tôi bảo gặp công an",
        "kiểm tra số 0912345678",
        "tôi bị lừa chuyển tiền",
        "",
        "cho tôi gặp cán bộ " + "x" * 300,
        # Questions about the bot are answered as such.
        "bạn là người thật hay máy vậy",
        "ban la nguoi that hay may",
        "đây có phải người thật không",
        "ad là người thật à",
    ],
)
def test_not_requests(text: str):
    assert not asks_for_officer(text)
