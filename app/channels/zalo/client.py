"""The Zalo OA customer-service message API, and the one place Zalo errors become ours.

Zalo answers HTTP 200 with `error` ≠ 0 when a send fails. The codes (chatwoot's and the verified
notes' classification): -32 and -100 are worth retrying; -216 / -220 mean the access token is
invalid or expired (refresh once, then resend once); the window codes mean the user cannot be
messaged now; everything else is permanent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from app.channels.zalo.tokens import ZaloTokenStore
from app.contracts import QuickReply
from app.contracts.channel import (
    ChannelAuthError,
    ChannelNotConfigured,
    ChannelPermanentError,
    ChannelRateLimited,
    ChannelTemporaryError,
    ChannelWindowClosed,
    typed_options,
)

__all__ = ["MAX_TEXT", "ZaloClient", "raise_for_zalo_error"]

MAX_TEXT = 2000
_AUTH_CODES = {-216, -220}
_RATE_CODES = {-32}
_TEMPORARY_CODES = {-100}
_WINDOW_CODES = {-213, -217, -227, -230, -232, -234, -244}


def _code(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def raise_for_zalo_error(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a successful call; otherwise the matching `ChannelError`."""
    status = response.status_code
    if status == 429:
        raise ChannelRateLimited("zalo HTTP 429", code="429")
    if status >= 500:
        raise ChannelTemporaryError(f"zalo HTTP {status}", code=str(status))
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if response.is_success:  # a 200 that is not Zalo's JSON: a proxy in the way, try again later
            raise ChannelTemporaryError("zalo answered without JSON", code="body")
        raise ChannelPermanentError(f"zalo HTTP {status}", code=str(status))
    code = _code(data.get("error", 0))
    if response.is_success and code == 0:
        return data
    message = f"zalo error {code}: {str(data.get('message', ''))[:200]}"
    label = str(code) if code is not None else str(status)
    if code in _AUTH_CODES:
        raise ChannelAuthError(message, code=label)
    if code in _RATE_CODES:
        raise ChannelRateLimited(message, code=label)
    if code in _TEMPORARY_CODES:
        raise ChannelTemporaryError(message, code=label)
    if code in _WINDOW_CODES:
        raise ChannelWindowClosed(message, code=label)
    raise ChannelPermanentError(message, code=label)


def _as_text(text: str, options: Sequence[QuickReply]) -> dict[str, Any]:
    if not options:
        return {"text": text[:MAX_TEXT]}
    line = typed_options(options)
    return {"text": f"{text[: MAX_TEXT - len(line) - 2]}\n\n{line}"}


def _with_buttons(text: str, options: Sequence[QuickReply]) -> dict[str, Any]:
    buttons = [{"type": "oa.query.show", "title": o.title, "payload": o.payload} for o in options[:5]]
    return {"text": text[:MAX_TEXT], "attachment": {"type": "template", "payload": {"buttons": buttons}}}


class ZaloClient:
    """Sends text replies as consultation (`cs`) messages with the OA's access token."""

    def __init__(
        self, http: httpx.AsyncClient, *, api_base: str, tokens: ZaloTokenStore, buttons: bool = False
    ) -> None:
        self._http = http
        self._url = httpx.URL(api_base.rstrip("/") + "/v3.0/oa/message/cs")  # parsed once, not per send
        self.tokens = tokens
        self.buttons = buttons

    async def send_text(
        self, *, oa_id: str, user_id: str, text: str, options: Sequence[QuickReply] = ()
    ) -> str | None:
        """Send a text; its quick replies as buttons when enabled, else as a line of typed options."""
        key = self.tokens.key_for(oa_id)
        if key is None:
            raise ChannelNotConfigured(f"no zalo access token for OA {oa_id}")
        message = _with_buttons(text, options) if self.buttons and options else _as_text(text, options)
        token = await self.tokens.access_token(key)
        try:
            return await self._send(token, user_id, message, text, options)
        except ChannelAuthError:
            # Refresh once (shared with every concurrent send), then resend once.
            token = await self.tokens.refresh(key, rejected=token)
            return await self._send(token, user_id, message, text, options)

    async def _send(
        self,
        token: str,
        user_id: str,
        message: dict[str, Any],
        text: str,
        options: Sequence[QuickReply],
    ) -> str | None:
        try:
            return await self._post(token, user_id, message)
        except ChannelWindowClosed:
            raise
        except ChannelPermanentError:
            if "attachment" not in message:
                raise
            # Buttons refused: the same answer as text, with the options to type.
            return await self._post(token, user_id, _as_text(text, options))

    async def _post(self, token: str, user_id: str, message: dict[str, Any]) -> str | None:
        body = {"recipient": {"user_id": user_id}, "message": message}
        try:
            response = await self._http.post(self._url, headers={"access_token": token}, json=body)
        except httpx.TimeoutException as exc:
            raise ChannelTemporaryError(f"zalo timed out: {type(exc).__name__}", code="timeout") from None
        except httpx.TransportError as exc:
            raise ChannelTemporaryError(f"zalo unreachable: {type(exc).__name__}", code="network") from None
        data = raise_for_zalo_error(response)
        message_id = (
            (data.get("data") or {}).get("message_id") if isinstance(data.get("data"), dict) else None
        )
        return str(message_id) if message_id is not None else None
