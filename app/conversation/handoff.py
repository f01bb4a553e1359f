"""Handing a conversation to an officer, as the conversation sees it.

Before the bot answers a message, `Handoffs.gate` decides: a change of control from the platform
(an officer answered in the platform's inbox, or the platform gave the conversation back) is
recorded and answered by nobody; a message to a conversation an officer has is kept for the console
and not answered; a request for a person joins the queue and gets the hotline; a conversation back
with the bot after an officer had it gets a one-time notice. Urgent stories join the queue too
(`after_analysis`), while the bot still gives the immediate steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from app.contracts import IncomingMessage, Reply
from app.handoff import service as store
from app.handoff.models import Handoff, HandoffState
from app.nlu.analyzer import Analysis
from app.nlu.handoff import asks_for_officer
from app.provinces import Province
from app.replies.handoff import RESUMED, officer_by_phone, officer_coming

__all__ = ["HANDOFF_CHANNELS", "Gate", "Handoffs"]

# Channels where an officer can answer in the conversation (the bot pushes messages there).
HANDOFF_CHANNELS = frozenset({"messenger", "zalo"})
PLATFORM_OFFICER = "platform"  # who has a conversation an officer answered in the platform's inbox


@dataclass(frozen=True, slots=True)
class Gate:
    """What happens to a message before the bot answers it."""

    answer: str | None = None  # answer with this text instead of the bot's own answer
    silent: bool = False  # answer nothing (an officer has the conversation, or a change of control)
    notice: str | None = None  # say this first (the bot is back after an officer)
    waiting: bool = False  # the conversation waits for an officer: the bot's answers go in its transcript
    # What the gate found, so the rules after it need not look again: `looked`, and then the
    # conversation's handoff (id, state) as the gate left it, or None when it has none.
    looked: bool = False
    handoff: tuple[int, str] | None = None


class Handoffs:
    """The handoff rules; `on_request` (set by the app factory) is told of each new request."""

    def __init__(self, *, timeout: dt.timedelta = store.DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        # Called (inside the transaction) when a conversation joins the queue: the app factory
        # passes the Messenger thread to the Page inbox from here, once the transaction is done.
        self.on_request: Callable[[IncomingMessage], None] | None = None

    def prefetch(self, session: Session, messages: Sequence[IncomingMessage]) -> None:
        """Look up the handoffs of these messages' conversations at once (see `store.prefetch`)."""
        keys = [(m.channel, m.user_id) for m in messages if m.channel in HANDOFF_CHANNELS]
        store.prefetch(session, keys)

    def gate(
        self, message: IncomingMessage, *, province: Province, session: Session, now: dt.datetime
    ) -> Gate:
        text = (message.text or "").strip()
        if message.channel not in HANDOFF_CHANNELS:
            return Gate(answer=officer_by_phone(province)) if asks_for_officer(text) else Gate()
        if message.control is not None:
            self._control(message, province=province, session=session, now=now)
            return Gate(silent=True)
        row = store.find(session, channel=message.channel, user_id=message.user_id)
        if row is not None:
            store.resume_if_due(session, row, now=now, timeout=self.timeout)
            if row.state != HandoffState.bot.value:
                store.citizen_wrote(session, row, text=_words(message), now=now)
            if row.state == HandoffState.officer.value:
                return Gate(silent=True)
        if asks_for_officer(text):
            was_waiting = row is not None and row.state == HandoffState.waiting.value
            handoff_id = _join_queue(message, province, session, now, reason="asked", urgent=False, row=row)
            if not was_waiting:
                store.note_message(session, handoff_id, author="citizen", text=_words(message), now=now)
                if self.on_request is not None:
                    self.on_request(message)
            joined = (handoff_id, HandoffState.waiting.value)
            return Gate(answer=officer_coming(province), waiting=True, looked=True, handoff=joined)
        found = None if row is None or row.id is None else (row.id, row.state)
        if row is not None and row.resume_notice:
            row.resume_notice = False
            return Gate(notice=RESUMED, looked=True, handoff=found)
        waiting = found is not None and found[1] == HandoffState.waiting.value
        return Gate(waiting=waiting, looked=True, handoff=found)

    def after_analysis(
        self,
        message: IncomingMessage,
        analysis: Analysis,
        *,
        province: Province,
        session: Session,
        now: dt.datetime,
        gate: Gate | None = None,
    ) -> int | None:
        """An urgent story (money or an OTP gone, pressure now) joins the queue, marked urgent.
        The handoff's id when it joined just now (the bot says an officer was told). `gate`: what
        the gate found before, if it looked."""
        if message.channel not in HANDOFF_CHANNELS or not (analysis.lost or analysis.urgent):
            return None
        if gate is not None and gate.looked:
            found = gate.handoff
        else:
            found = store.lookup(session, channel=message.channel, user_id=message.user_id)
        if found is not None and found[1] != HandoffState.bot.value:
            store.mark_urgent(session, found[0])
            return None
        row = None if found is None else store.get(session, found[0])
        handoff_id = _join_queue(message, province, session, now, reason="urgent", urgent=True, row=row)
        store.note_message(session, handoff_id, author="citizen", text=_words(message), now=now)
        return handoff_id

    def note_replies(
        self,
        message: IncomingMessage,
        replies: list[Reply],
        *,
        session: Session,
        now: dt.datetime,
        waiting: int | None = None,
    ) -> None:
        """The bot's answers in a conversation waiting for an officer, for the console's transcript.
        `waiting`: the id of the handoff known to be waiting (saves looking it up)."""
        if message.channel not in HANDOFF_CHANNELS or not replies or message.control is not None:
            return
        if waiting is not None:
            found: tuple[int, str] | None = (waiting, HandoffState.waiting.value)
        else:
            found = store.lookup(session, channel=message.channel, user_id=message.user_id)
        if found is not None and found[1] == HandoffState.waiting.value:
            text = "\n\n".join(reply.text for reply in replies)
            store.note_message(session, found[0], author="bot", text=text, now=now)

    def _control(
        self, message: IncomingMessage, *, province: Province, session: Session, now: dt.datetime
    ) -> None:
        if message.control == "officer":
            store.officer_spoke(
                session,
                channel=message.channel,
                channel_id=message.channel_id,
                user_id=message.user_id,
                province=province.id,
                officer=PLATFORM_OFFICER,
                text=message.text,
                now=now,
            )
        elif message.control == "bot":
            row = store.find(session, channel=message.channel, user_id=message.user_id)
            if row is not None and row.state != HandoffState.bot.value:
                store.release(session, row, now=now)


def _join_queue(
    message: IncomingMessage,
    province: Province,
    session: Session,
    now: dt.datetime,
    *,
    reason: str,
    urgent: bool,
    row: Handoff | None,
) -> int:
    """The citizen's conversation joins the officers' queue; its handoff id. `row`: the
    conversation's handoff as just found (None: it has none)."""
    return store.request(
        session,
        row=row,
        channel=message.channel,
        channel_id=message.channel_id,
        user_id=message.user_id,
        province=province.id,
        reason=reason,
        urgent=urgent,
        now=now,
    )


def _words(message: IncomingMessage) -> str:
    """The citizen's message for the transcript."""
    text = (message.text or "").strip()
    if text:
        return text
    return "[" + ", ".join(message.attachments or ("tin nhắn trống",)) + "]"
