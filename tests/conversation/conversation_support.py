"""Helpers for the conversation tests: one citizen talking to the engine through real database sessions."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from sqlalchemy import Engine as Database

from app.contracts import IncomingMessage, Reply
from app.conversation.responder import Responder
from app.db import transaction

REF_RE = re.compile(r"\b[A-Z]{2,3}-\d{8}-\d{4,6}\b")
HOTLINE = "069.367.2888"  # Công an thành phố Cần Thơ, the default province
OFF_TOPIC = "chỉ trả lời được các câu hỏi về lừa đảo"
_ids = itertools.count(1)


def cooperative_answer(said: str) -> str:
    """What a cooperative citizen answers to the report flow's questions."""
    low = said.lower()
    if "đồng ý" in low or "gửi tố giác?" in low or "xác nhận" in low:
        return "có"
    return "bỏ qua" if "?" in said else "xong"


class Citizen:
    """One citizen on one channel; every message goes through `Responder.handle` in its own session."""

    def __init__(self, engine: Responder, db: Database, *, user_id: str, channel: str = "web") -> None:
        self.engine = engine
        self.db = db
        self.user_id = user_id
        self.channel = channel
        self.province = engine.provinces.get("can-tho")
        self.now = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
        self.transcript: list[str] = []

    def replies(self, text: str | None = None, *, payload: str | None = None) -> list[Reply]:
        self.now += dt.timedelta(seconds=30)
        now = self.now
        self.engine.clock = lambda: now
        self.engine.reports.clock = lambda: now
        message = IncomingMessage(
            channel=self.channel,
            channel_id=self.province.id,
            user_id=self.user_id,
            message_id=f"conv-m{next(_ids)}",
            text=text,
            payload=payload,
            received_at=now,
        )
        with transaction(self.db) as session:
            out = self.engine.handle(message, province=self.province, session=session)
        self.transcript.append("\n".join(r.text for r in out))
        return out

    def say(self, text: str | None = None, *, payload: str | None = None) -> str:
        return "\n".join(r.text for r in self.replies(text, payload=payload))

    def report_cooperatively(self, said: str, *, max_turns: int = 8) -> str | None:
        """Answer the report flow cooperatively from `said` on; the reference code, if any."""
        for _ in range(max_turns):
            found = REF_RE.search(said)
            if found:
                return found.group(0)
            said = self.say(cooperative_answer(said))
        return None
