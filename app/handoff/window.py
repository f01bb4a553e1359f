"""How long an officer may still answer a citizen on each platform, from the citizen's last message.

Messenger: a standard reply (`messaging_type: RESPONSE`) within 24 hours, then the `HUMAN_AGENT`
tag up to 7 days, then nothing. Zalo: consultation messages (`/v3.0/oa/message/cs`) are free within
48 hours, billed up to 7 days, refused after. Pure: the time is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["HUMAN_AGENT", "ReplyWindow", "reply_window"]

HUMAN_AGENT = "HUMAN_AGENT"
_DAY = dt.timedelta(hours=24)
_ZALO_FREE = dt.timedelta(hours=48)
_LIMIT = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    """Whether an officer may answer now, how (a Messenger tag), and for how much longer."""

    open: bool
    tag: str | None = None
    remaining: dt.timedelta | None = None  # until the window (or its current part) closes
    label: str = ""  # for the console, in Vietnamese

    @property
    def refusal(self) -> str:
        return (
            "Đã quá 7 ngày kể từ tin nhắn cuối của người dân: nền tảng không cho gửi tin trả lời nữa. "
            "Hãy chờ người dân nhắn lại, hoặc liên hệ qua điện thoại."
        )


def _hours(value: dt.timedelta) -> str:
    hours = int(value.total_seconds() // 3600)
    return (
        f"{hours // 24} ngày {hours % 24} giờ"
        if hours >= 24
        else f"{hours} giờ {int(value.total_seconds() // 60) % 60} phút"
    )


def reply_window(channel: str, last_citizen_message: dt.datetime | None, now: dt.datetime) -> ReplyWindow:
    """The reply window of `channel` for a citizen whose last message was at `last_citizen_message`."""
    if last_citizen_message is None:
        return ReplyWindow(open=False, label="Người dân chưa nhắn tin")
    age = max(dt.timedelta(0), now - last_citizen_message)
    if age >= _LIMIT:
        return ReplyWindow(open=False, label="Đã quá 7 ngày: không gửi được")
    if channel == "messenger":
        if age < _DAY:
            left = _DAY - age
            return ReplyWindow(open=True, remaining=left, label=f"Còn {_hours(left)} (trả lời thường)")
        left = _LIMIT - age
        return ReplyWindow(
            open=True, tag=HUMAN_AGENT, remaining=left, label=f"Còn {_hours(left)} (HUMAN_AGENT)"
        )
    if channel == "zalo":
        if age < _ZALO_FREE:
            left = _ZALO_FREE - age
            return ReplyWindow(open=True, remaining=left, label=f"Còn {_hours(left)} miễn phí")
        left = _LIMIT - age
        return ReplyWindow(open=True, remaining=left, label=f"Còn {_hours(left)} (tính phí)")
    return ReplyWindow(open=False, label="Kênh này không gửi được tin trả lời")
