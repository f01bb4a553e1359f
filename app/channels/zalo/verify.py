"""Zalo OA webhook authenticity.

`X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>`: a plain SHA-256
of the concatenation (not an HMAC), where `timestamp` is the body's own field and the key is the OA
Secret Key from the app's Webhook page (not the App Secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

__all__ = ["SIGNATURE_HEADER", "body_timestamp", "expected_mac", "signature_ok"]

SIGNATURE_HEADER = "x-zevent-signature"
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,20})"?')


def body_timestamp(raw: bytes) -> str | None:
    """The body's `timestamp` as the string that was signed (read even from a broken body)."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        value = data.get("timestamp")
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return None
    found = _TIMESTAMP.search(raw)
    return found.group(1).decode() if found else None


def expected_mac(raw: bytes, timestamp: str, *, app_id: str, oa_secret: str) -> str:
    return hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret.encode()).hexdigest()


def signature_ok(raw: bytes, header: str | None, *, app_id: str, oa_secret: str) -> bool:
    """Whether the header carries the MAC of this body, compared in constant time."""
    if not header:
        return False
    given = header.strip()
    if given[:4].lower() == "mac=":
        given = given[4:]
    timestamp = body_timestamp(raw)
    if timestamp is None:
        return False
    expected = expected_mac(raw, timestamp, app_id=app_id, oa_secret=oa_secret)
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("utf-8", errors="replace"))
