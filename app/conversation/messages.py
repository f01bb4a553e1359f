"""The channel-neutral message every channel parses its payloads into."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["IncomingMessage"]


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
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    display_name: str | None = None
    # The client's network address (or a digest of it), for channels whose user ids are anonymous
    # (the web chat): tips from one address count as one reporter per day. Filled by the HTTP edge;
    # None when unknown.
    client_key: str | None = None
