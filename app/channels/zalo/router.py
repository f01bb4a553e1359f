"""Zalo OA routes: the webhook, and the domain-verification file when configured."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.channels.receive import receive_webhook
from app.state import State, state_of

__all__ = ["router", "verification_meta"]

router = APIRouter(tags=["zalo"])


def verification_meta(content: str | None) -> str:
    """The `<meta>` Zalo looks for on the home page while verifying the domain ('' when not set)."""
    if not content:
        return ""
    return f'<meta name="zalo-platform-site-verification" content="{html.escape(content, quote=True)}" />'


@router.post("/webhooks/zalo")
async def receive(request: Request) -> Response:
    """Signed OA events: 401 without a valid `X-ZEvent-Signature`, 200 once recorded."""
    state = state_of(request)  # not a dependency: this route carries the load (see bench/)
    return await receive_webhook(request, state, state.channels["zalo"], bad_signature_status=401)


@router.get("/zalo_verifier{code}.html", include_in_schema=False)
async def verifier_file(code: str, state: State) -> Response:
    """The verifier file Zalo offers as an alternative to the meta tag."""
    expected = state.settings.zalo_site_verification
    if not expected or code != expected:
        return PlainTextResponse("not found", status_code=404)
    meta = verification_meta(expected)
    return HTMLResponse(
        f"<!DOCTYPE html><html><head>{meta}</head><body>zalo-platform-site-verification</body></html>"
    )
