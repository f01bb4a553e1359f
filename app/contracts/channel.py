"""The one small interface every chat platform implements, and the errors a platform call can raise.

A channel does three things: check that a webhook really comes from its platform (`verify`, over the
raw body, constant time), turn the raw payload into channel-neutral `IncomingMessage`s (`parse`), and
deliver one `Reply` to one person (`send`). Everything else (recording, deduplication, the engine,
the outbox, retries) is shared and never knows which platform it serves.

Error tree: each channel's client maps its platform's answers onto these classes in one place, and
the outbox decides from the class alone whether to retry.

    ChannelError                      anything that went wrong talking to a platform
    ├── ChannelNotConfigured          the channel's secrets are missing: it is switched off
    ├── ChannelAuthError              the token was refused (expired, revoked): refresh or operator action
    ├── ChannelTemporaryError         worth retrying later: 5xx, timeouts, Graph 1200/2, Zalo -32/-100
    │   └── ChannelRateLimited        the platform asked us to slow down (429, Graph 4/613)
    └── ChannelPermanentError         retrying cannot help: bad request, blocked, permissions
        └── ChannelWindowClosed       outside the platform's messaging window

`BadPayload` is not a platform error: the webhook body itself is unusable (answered with 400).
"""

from __future__ import annotations

import abc
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from app.contracts.messages import IncomingMessage, QuickReply, Reply

__all__ = [
    "BadPayload",
    "Channel",
    "ChannelAuthError",
    "ChannelError",
    "ChannelNotConfigured",
    "ChannelPermanentError",
    "ChannelRateLimited",
    "ChannelTemporaryError",
    "ChannelWindowClosed",
    "clean_text",
    "json_object",
    "typed_options",
]


class ChannelError(Exception):
    """Base class of every error raised while talking to a platform."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code  # the platform's own error code, for logs and metrics


class ChannelNotConfigured(ChannelError):
    """The channel lacks the secrets it needs; its webhook answers 503."""


class ChannelAuthError(ChannelError):
    """The platform refused our token (expired, revoked, wrong)."""


class ChannelTemporaryError(ChannelError):
    """A failure that may pass: the outbox retries it with backoff, up to a bound."""

    def __init__(self, message: str, *, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after  # seconds the platform asked us to wait, when it said


class ChannelRateLimited(ChannelTemporaryError):
    """The platform throttles us; retried later, never sooner than it asked."""


class ChannelPermanentError(ChannelError):
    """A failure that retrying cannot fix; the reply is marked failed at once."""


class ChannelWindowClosed(ChannelPermanentError):
    """The user is outside the platform's messaging window (or blocked the page / OA)."""


class BadPayload(ValueError):
    """The webhook body is not what the platform documents (malformed JSON, wrong shape)."""


class Channel(abc.ABC):
    """A chat platform: verify and parse its webhooks, send replies through its API.

    Besides the methods, a channel declares how its webhook is answered (the status for a bad
    signature, the acknowledgement body) and whether it shows quick replies as buttons; where it
    does not, the options are written into the text (`typed_options`).
    """

    name: ClassVar[str]
    bad_signature_status: ClassVar[int] = 403
    ack_body: ClassVar[str] = "ok"
    buttons: bool = True

    @property
    @abc.abstractmethod
    def missing(self) -> list[str]:
        """Names of the settings this channel still needs; empty when it is switched on."""

    @abc.abstractmethod
    def verify(self, raw: bytes, headers: Mapping[str, str]) -> bool:
        """Whether the signature header matches the raw body (compared in constant time)."""

    @abc.abstractmethod
    def parse(self, raw: bytes) -> list[IncomingMessage]:
        """Every message in the payload that deserves an answer; raises `BadPayload`."""

    @abc.abstractmethod
    async def send(self, *, channel_id: str, user_id: str, reply: Reply) -> str | None:
        """Deliver one reply; returns the platform's message id. Raises a `ChannelError`."""

    async def aclose(self) -> None:  # noqa: B027  (optional hook, nothing to do by default)
        """Release what the channel holds (the shared HTTP client is closed by the app)."""


def typed_options(options: Sequence[QuickReply]) -> str:
    """The buttons as a line of things to type, for a channel without buttons (typed labels work)."""
    return "👉 Nhắn: " + " · ".join(o.title for o in options)


# Control characters (NUL breaks PostgreSQL text) and lone surrogates (cannot be encoded as UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: object, *, limit: int | None = None) -> str | None:
    """A platform string made safe to store and analyse: no NUL, no lone surrogates, NFC.

    Newlines and tabs are kept (carriage returns go); `None` and non-strings give `None`.
    """
    if not isinstance(value, str):
        return None
    value = _UNSAFE.sub("", value)
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value[:limit] if limit is not None else value


def json_object(raw: bytes) -> dict[str, Any]:
    """The webhook body as a JSON object; raises `BadPayload` otherwise.

    Bytes that are not valid UTF-8 are replaced (U+FFFD), not refused: the signature already proved
    the platform sent them, and the citizen still deserves an answer.
    """
    try:
        data = json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise BadPayload(f"body is not JSON: {exc.msg}") from None
    except (ValueError, RecursionError):  # absurdly deep nesting
        raise BadPayload("body is not usable JSON") from None
    if not isinstance(data, dict):
        raise BadPayload("body is not a JSON object")
    return data
