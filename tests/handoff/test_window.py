"""The reply windows, with the time passed in: Messenger 24 hours / 7 days (HUMAN_AGENT), Zalo 48 hours
free / 7 days billed."""

from __future__ import annotations

import datetime as dt

import pytest

from app.handoff.window import HUMAN_AGENT, reply_window

NOW = dt.datetime(2026, 12, 3, 5, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("age", "open_", "tag"),
    [
        (dt.timedelta(minutes=5), True, None),
        (dt.timedelta(hours=23, minutes=59), True, None),
        (dt.timedelta(hours=24), True, HUMAN_AGENT),
        (dt.timedelta(days=6, hours=23), True, HUMAN_AGENT),
        (dt.timedelta(days=7), False, None),
        (dt.timedelta(days=30), False, None),
    ],
)
def test_messenger(age: dt.timedelta, open_: bool, tag: str | None):
    window = reply_window("messenger", NOW - age, NOW)
    assert window.open is open_
    assert window.tag == tag


@pytest.mark.parametrize(
    ("age", "open_", "free"),
    [
        (dt.timedelta(hours=1), True, True),
        (dt.timedelta(hours=47), True, True),
        (dt.timedelta(hours=49), True, False),
        (dt.timedelta(days=7, minutes=1), False, False),
    ],
)
def test_zalo(age: dt.timedelta, open_: bool, free: bool):
    window = reply_window("zalo", NOW - age, NOW)
    assert window.open is open_
    assert window.tag is None
    assert ("miễn phí" in window.label) is free


def test_no_message_or_another_channel_is_closed():
    assert not reply_window("messenger", None, NOW).open
    assert not reply_window("web", NOW, NOW).open
    assert "7 ngày" in reply_window("messenger", NOW - dt.timedelta(days=8), NOW).refusal
