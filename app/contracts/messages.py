"""The messages every layer passes around: what a citizen sent, what the bot answers, which button.

These are the bottom of the dependency graph: channels parse into `IncomingMessage`, the conversation
answers with `Reply`s, the outbox stores them and the channels send them. Nothing here knows a
platform, the database or the language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

__all__ = ["COMMAND_KINDS", "Command", "ImageText", "IncomingMessage", "QuickReply", "Reply"]

# ACTION:REPORT (main menu), TACTIC:<id> (one tactic), REPORT:YES (report flow), MORE:<id> (details).
COMMAND_KINDS: Final = frozenset({"ACTION", "TACTIC", "REPORT", "MORE"})


@dataclass(frozen=True, slots=True)
class Command:
    """A button's payload, parsed once: `kind` is one of `COMMAND_KINDS`, `value` what follows."""

    kind: str
    value: str

    @classmethod
    def parse(cls, raw: str | None) -> Command | None:
        """`"ACTION:REPORT"` → Command("ACTION", "REPORT"); anything else → None."""
        raw = (raw or "").strip()
        if not raw.isascii() or len(raw) > 80:
            return None
        kind, colon, value = raw.partition(":")
        return cls(kind, value) if colon and kind in COMMAND_KINDS else None

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True, slots=True)
class ImageText:
    """What was read in a picture the citizen sent; set before the conversation sees the message.

    `status`: "read" (the text is in the message), "little" (too little readable text), "refused"
    (not a picture we read), "too_large", "blocked" (a host we do not fetch from), "off" (OCR is not
    installed) or "failed" (download or reading failed).
    """

    status: str
    text: str = ""  # as read (the message's text also carries it, after the caption)
    confidence: float = 0.0
    uncertain: tuple[str, ...] = ()  # phones, accounts or links the reading is unsure of
    digest: str = ""  # perceptual hash: the same picture sent again is recognised
    # The citizen's own words: their bubbles in the picture (right side) and the caption. Whether
    # money already went out is read from these, not from what the other party demands.
    own: str = ""

    @property
    def read(self) -> bool:
        return self.status == "read"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One message from a citizen, whatever channel it came through."""

    channel: str  # "messenger", "zalo", "web", "terminal"
    channel_id: str  # Messenger page id, Zalo OA id, or the web chat's province id
    user_id: str  # PSID, Zalo user id, web chat session id
    message_id: str  # platform message id (mid / msg_id): the deduplication key
    text: str | None = None
    payload: str | None = None  # quick reply / postback / button payload
    attachments: tuple[str, ...] = field(default=())  # attachment types: "image", "sticker", ...
    # Addresses of the pictures to read (platform CDN links), fetched when the event arrives; kept in
    # memory only (they expire): an event resumed from the database is answered without them.
    media: tuple[str, ...] = field(default=(), compare=False)
    # What was read in the picture, once read: the marker that the text came from an image.
    image: ImageText | None = field(default=None, compare=False)
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    display_name: str | None = None
    # The client's network address (or a digest of it), for channels whose user ids are anonymous
    # (the web chat): tips from one address count as one reporter per day. Filled by the HTTP edge;
    # None when unknown.
    client_key: str | None = None
    # Not the citizen's words but a change of who answers them: "officer" (an officer answered the
    # citizen in the platform's own inbox: the bot steps aside) or "bot" (the platform gave the
    # conversation back). None for every citizen message. Stored with the event as `CONTROL:<value>`.
    control: str | None = None
    # The button this message is: its payload, or a payload typed as text ("ACTION:REPORT").
    command: Command | None = field(init=False, default=None, compare=False)

    def __post_init__(self) -> None:
        if self.control is not None:
            return
        object.__setattr__(self, "command", Command.parse(self.payload) or Command.parse(self.text))


@dataclass(frozen=True, slots=True)
class QuickReply:
    """A button the citizen can tap instead of typing; `payload` comes back as their message."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One outgoing message."""

    text: str
    quick_replies: tuple[QuickReply, ...] = field(default=())
    # Messenger message tag for a message sent past the 24-hour window (an officer's "HUMAN_AGENT").
    tag: str | None = None
