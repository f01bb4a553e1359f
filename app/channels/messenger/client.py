"""The Graph Send API: one reply to one person, and the one place Graph errors become ours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from app.contracts import Reply
from app.contracts.channel import (
    ChannelAuthError,
    ChannelError,
    ChannelNotConfigured,
    ChannelPermanentError,
    ChannelRateLimited,
    ChannelTemporaryError,
    ChannelWindowClosed,
)

__all__ = ["MAX_QUICK_REPLIES", "MessengerClient", "message_body", "raise_for_graph_error"]

MAX_QUICK_REPLIES = 13
MAX_QUICK_TITLE = 20
MAX_TEXT = 1999  # Messenger wants fewer than 2,000 characters
MAX_PAYLOAD = 1000

_TEMPORARY_CODES = {1200, 2}  # temporary send failure; unexpected error
_RATE_CODES = {4, 17, 32, 613}  # application / user / page request limits
_WINDOW = {(10, 2018278), (10, 2018065), (10, 2018108), (200, 1545041)}  # outside the window, unavailable
_UNAVAILABLE_CODES = {551}  # this person isn't available right now


def _title(text: str) -> str:
    return text if len(text) <= MAX_QUICK_TITLE else text[: MAX_QUICK_TITLE - 1].rstrip() + "…"


def message_body(user_id: str, reply: Reply) -> dict[str, Any]:
    """The Send API body for one reply (text within the limit, at most 13 quick replies)."""
    message: dict[str, Any] = {"text": reply.text[:MAX_TEXT]}
    if reply.quick_replies:
        message["quick_replies"] = [
            {"content_type": "text", "title": _title(q.title), "payload": q.payload[:MAX_PAYLOAD]}
            for q in reply.quick_replies[:MAX_QUICK_REPLIES]
        ]
    if reply.tag:  # an officer's reply past the 24-hour window (HUMAN_AGENT, up to 7 days)
        return {
            "recipient": {"id": user_id},
            "messaging_type": "MESSAGE_TAG",
            "tag": reply.tag,
            "message": message,
        }
    return {"recipient": {"id": user_id}, "messaging_type": "RESPONSE", "message": message}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def raise_for_graph_error(response: httpx.Response) -> dict[str, Any]:
    """The JSON of a successful call; otherwise the matching `ChannelError`."""
    try:
        data = response.json()
    except ValueError:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if response.is_success and isinstance(data, dict) and not error:
        return data
    code = subcode = None
    message = f"HTTP {response.status_code}"
    if isinstance(error, dict):
        code = error.get("code") if isinstance(error.get("code"), int) else None
        subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
        message = f"Graph error {code}/{subcode}: {str(error.get('message', ''))[:200]}"
    label = f"{code}/{subcode}" if code is not None else str(response.status_code)
    if code in _TEMPORARY_CODES:
        raise ChannelTemporaryError(message, code=label)
    if code in _RATE_CODES or response.status_code == 429:
        raise ChannelRateLimited(message, code=label, retry_after=_retry_after(response))
    if code == 190:
        raise ChannelAuthError(message, code=label)
    if (code, subcode) in _WINDOW or code in _UNAVAILABLE_CODES:
        raise ChannelWindowClosed(message, code=label)
    if code is None and response.status_code >= 500:
        raise ChannelTemporaryError(message, code=label)
    raise ChannelPermanentError(message, code=label)  # 100 (bad parameter), 200/230 (permission), ...


class MessengerClient:
    """Sends replies with each page's token (one per page when the deployment serves several)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_base: str,
        page_tokens: Mapping[str, str],
        default_token: str | None,
    ) -> None:
        self._http = http
        self._url = api_base.rstrip("/") + "/me/messages"
        self._send_urls: dict[str, httpx.URL] = {}  # per page token, parsed once (a tenth of a send)
        self._handover_url = api_base.rstrip("/") + "/me/pass_thread_control"
        self._page_tokens = dict(page_tokens)
        self._default_token = default_token

    def token_for(self, page_id: str) -> str | None:
        return self._page_tokens.get(page_id) or self._default_token

    async def send(self, *, page_id: str, user_id: str, reply: Reply) -> str | None:
        token = self.token_for(page_id)
        if not token:
            raise ChannelNotConfigured(f"no page token for page {page_id}")
        try:
            url = self._send_urls.get(token)
            if url is None:
                url = self._send_urls[token] = httpx.URL(self._url, params={"access_token": token})
            response = await self._http.post(url, json=message_body(user_id, reply))
        except httpx.TimeoutException as exc:
            raise ChannelTemporaryError(f"Graph timed out: {type(exc).__name__}", code="timeout") from None
        except httpx.TransportError as exc:
            raise ChannelTemporaryError(f"Graph unreachable: {type(exc).__name__}", code="network") from None
        data = raise_for_graph_error(response)
        message_id = data.get("message_id")
        return str(message_id) if message_id is not None else None

    async def pass_thread_control(self, *, page_id: str, user_id: str, target_app_id: str) -> bool:
        """Hand the conversation to another app (the Page inbox) through the handover protocol.
        False when it failed (logged by the caller): the officers still see it in the console."""
        token = self.token_for(page_id)
        if not token:
            return False
        body = {"recipient": {"id": user_id}, "target_app_id": target_app_id}
        try:
            response = await self._http.post(self._handover_url, params={"access_token": token}, json=body)
            raise_for_graph_error(response)
        except (httpx.HTTPError, ChannelError):
            return False
        return True
