"""Messenger webhook authenticity: the subscription handshake and the payload signature."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "handshake_challenge", "signature_ok"]

SIGNATURE_HEADER = "x-hub-signature-256"


def signature_ok(raw: bytes, header: str | None, *, app_secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`, compared in constant time."""
    if not header:
        return False
    algorithm, _, given = header.strip().partition("=")
    if algorithm.lower() != "sha256" or not given:
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("utf-8", errors="replace"))


def handshake_challenge(
    mode: str | None, token: str | None, challenge: str | None, *, verify_token: str
) -> str | None:
    """The challenge to echo when Meta subscribes the webhook with our verify token; None otherwise."""
    if mode != "subscribe" or token is None or challenge is None:
        return None
    if not hmac.compare_digest(token.encode("utf-8", errors="replace"), verify_token.encode()):
        return None
    return challenge
