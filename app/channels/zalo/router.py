"""Zalo's own route: the domain-verification file when configured (events arrive at the shared
webhook)."""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.http.state import SettingsDep

__all__ = ["router", "verification_meta"]

router = APIRouter(tags=["zalo"])


def verification_meta(content: str | None) -> str:
    """The `<meta>` Zalo looks for on the home page while verifying the domain ('' when not set)."""
    if not content:
        return ""
    return f'<meta name="zalo-platform-site-verification" content="{html.escape(content, quote=True)}" />'


@router.get("/zalo_verifier{code}.html", include_in_schema=False)
async def verifier_file(code: str, settings: SettingsDep) -> Response:
    """The verifier file Zalo offers as an alternative to the meta tag."""
    expected = settings.zalo_site_verification
    if not expected or code != expected:
        return PlainTextResponse("not found", status_code=404)
    meta = verification_meta(expected)
    return HTMLResponse(
        f"<!DOCTYPE html><html><head>{meta}</head><body>zalo-platform-site-verification</body></html>"
    )
