"""A citizen talking to the conversation through real database sessions, and stored tips."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re

from sqlalchemy import Engine as Database

from app.contracts import ImageText, IncomingMessage, Reply
from app.conversation.responder import Responder
from app.db import transaction
from app.provinces import Province
from app.runtime.pictures import message_with_image
from app.tips.service import NewTip, create_tip

REF_RE = re.compile(r"\b[A-Z]{2,3}-\d{8}-\d{4,6}\b")
CAN_THO_HOTLINE = HOTLINE = "069.367.2888"  # Công an thành phố Cần Thơ, the default province
OFF_TOPIC = "chỉ trả lời được các câu hỏi về lừa đảo"

# A report complete in one message: what happened, contacts, amount (fictional number and account).
FULL_REPORT = (
    "Tôi muốn tố giác: số 0912 345 678 gọi tự xưng công an, bắt tôi chuyển 45 triệu vào stk "
    "0451000123456 Vietcombank, còn gửi link vneid-capnhat.top để cài app. Tôi đã chuyển tiền rồi."
)
_ids = itertools.count(1)


def cooperative_answer(said: str) -> str:
    """What a cooperative citizen answers (the contract smoke test's rule)."""
    low = said.lower()
    if "đồng ý" in low or "gửi" in low or "có muốn" in low or "xác nhận" in low:
        return "Có"
    return "bỏ qua" if "?" in said else "xong"


class Citizen:
    """One citizen on one channel; every message goes through `Responder.handle` with its own session."""

    def __init__(
        self,
        engine: Responder,
        db: Database,
        *,
        user_id: str,
        channel: str = "web",
        province: str = "can-tho",
        display_name: str | None = None,
        client_key: str | None = None,
    ) -> None:
        self.engine = engine
        self.client_key = client_key  # the web chat client's address, as the HTTP edge gives it
        self.db = db
        self.user_id = user_id
        self.channel = channel
        self.province = engine.provinces.get(province)
        self.display_name = display_name
        self.now = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
        self.transcript: list[str] = []

    def say(
        self,
        text: str | None = None,
        *,
        payload: str | None = None,
        after: dt.timedelta | None = None,
        attachments: tuple[str, ...] = (),
        image: ImageText | None = None,
    ) -> str:
        """Send one message (`after` moves the clock first); returns the bot's replies joined.
        `image`: what was read in a picture sent with it (as the runtime fills it in)."""
        replies = self.replies(text, payload=payload, after=after, attachments=attachments, image=image)
        return "\n".join(r.text for r in replies)

    def replies(
        self,
        text: str | None = None,
        *,
        payload: str | None = None,
        after: dt.timedelta | None = None,
        attachments: tuple[str, ...] = (),
        image: ImageText | None = None,
    ) -> list[Reply]:
        self.now += after if after is not None else dt.timedelta(seconds=20)
        now = self.now
        self.engine.clock = lambda: now  # the bot's clock follows this conversation's
        self.engine.reports.clock = lambda: now
        message = IncomingMessage(
            channel=self.channel,
            channel_id=self.province.id,
            user_id=self.user_id,
            message_id=f"m{next(_ids)}",
            text=text,
            payload=payload,
            attachments=attachments,
            received_at=self.now,
            display_name=self.display_name,
            client_key=self.client_key,
        )
        if image is not None:
            message = message_with_image(message, image)
        with transaction(self.db) as session:
            replies = self.engine.handle(message, province=self.province, session=session)
        self.transcript.append("\n".join(r.text for r in replies))
        return replies

    def report_cooperatively(self, first: str, *, max_turns: int = 10) -> str | None:
        """Drive a report the way the smoke test's citizen does; the reference code, if any."""
        return self.finish_report(self.say(first), max_turns=max_turns)

    def finish_report(self, said: str, *, max_turns: int = 10) -> str | None:
        """Answer the report flow cooperatively from the bot's last words `said` on; the code."""
        for _ in range(max_turns):
            found = REF_RE.search(said)
            if found:
                return found.group(0)
            said = self.say(cooperative_answer(said))
        return None


def add_tip(db: Database, *, prefix: str = "CT", when: dt.datetime | None = None, **facts: object) -> str:
    """Store one tip directly; its reference code."""
    values: dict[str, object] = {"province": "can-tho", "channel": "web", "reporter_id": "someone"}
    values.update(facts)
    with transaction(db) as session:
        tip = create_tip(session, tip=NewTip(**values), ref_prefix=prefix, now=when)  # type: ignore[arg-type]
    return tip.ref_code


def report_in_a_process(
    url: str, worker: int, count: int, ready: object, go: object, results: object
) -> None:
    """A separate worker process filing `count` reports through the engine (multiprocessing target)."""
    from app.db import make_engine
    from app.settings import PROJECT_ROOT, Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        catalog_path=PROJECT_ROOT / "scam_catalog.yaml",
        intents_dir=PROJECT_ROOT / "intents",
        provinces_path=PROJECT_ROOT / "provinces.yaml",
    )
    engine = Responder.from_settings(settings)
    db = make_engine(url)
    ready.put(worker)  # type: ignore[attr-defined]
    go.wait(60)  # type: ignore[attr-defined]
    refs: list[str | None] = []
    try:
        for i in range(count):
            citizen = Citizen(engine, db, user_id=f"w{worker}-c{i}", channel="zalo")
            citizen.say(FULL_REPORT)
            found = REF_RE.search(citizen.say("Có"))
            refs.append(found.group(0) if found else None)
    finally:
        db.dispose()
        results.put((worker, refs))  # type: ignore[attr-defined]


class FirstMessages:
    """Each message answered as someone's first: a new citizen (fresh user id) every time, in its own
    transaction, so nothing said before changes the answer."""

    def __init__(self, engine: Responder, db: Database) -> None:
        self.engine = engine
        self.db = db
        self.provinces = engine.provinces
        self.analyzer = engine.analyzer

    def handle(self, message: IncomingMessage, *, province: Province) -> list[Reply]:
        fresh = dataclasses.replace(message, user_id=f"{message.user_id}-{next(_ids)}")
        with transaction(self.db) as session:
            return self.engine.handle(fresh, province=province, session=session)

    def reply(self, text: str, *, province: Province) -> list[Reply]:
        message = IncomingMessage(
            channel="web", channel_id=province.id, user_id="first", message_id=f"f{next(_ids)}", text=text
        )
        return self.handle(message, province=province)
