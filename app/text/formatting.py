"""How numbers and times read to citizens and officers: phones in national form, amounts in đồng,
times in Vietnam's zone."""

from __future__ import annotations

import datetime as dt

__all__ = ["VN_TZ", "format_phone", "format_vnd"]

# Vietnam has one time zone and no daylight saving time.
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def format_phone(e164: str) -> str:
    """+84912345678 -> "0912 345 678" (how citizens read numbers)."""
    if not e164.startswith("+84"):
        return e164
    national = "0" + e164[3:]
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national


def format_vnd(amount: int) -> str:
    """45000000 -> "45.000.000 đ"."""
    return f"{amount:,}".replace(",", ".") + " đ"
