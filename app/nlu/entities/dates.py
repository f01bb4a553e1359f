"""Dates and times: never numbers of anything, and the day a citizen says something happened.

``_date_time_spans`` finds "03-12-2026", "03/12/2026", "20/11", "2026-12-03", "20.05.2025",
"19:05" and "19:05:12" so the digit extractors leave them alone (a bank notification's
timestamp is not a phone, an account or an amount).
"""

from __future__ import annotations

import re
from typing import Final

# One regex over the message, starting with a digit class so ``re`` skips to digits in C; the
# lookbehind sits after the first digit for the same reason. Values are checked in Python.
_DATE_TIME_RE: Final = re.compile(
    r"[0-9](?<![0-9.,/:\-][0-9])[0-9]{0,3}"
    r"(?:(?P<sep>[/.\-])(?P<b>[0-9]{1,2})(?:(?P=sep)(?P<c>[0-9]{2,4}))?"
    r"|:[0-5][0-9](?::[0-5][0-9])?)"
    r"(?![0-9]|[.,/:\-][0-9])"
)


def _is_date_or_time(m: re.Match[str]) -> bool:
    sep = m.group("sep")
    a = m.group()[: m.start("sep") - m.start()] if sep else m.group().split(":", 1)[0]
    if sep is None:  # hh:mm[:ss]
        return len(a) <= 2 and int(a) <= 24
    b, c = int(m.group("b")), m.group("c")
    if len(a) == 4:  # 2026-12-03, 2026/12/03
        return c is not None and len(c) <= 2 and 1 <= b <= 12 and 1 <= int(c) <= 31
    if len(a) > 2 or not (1 <= int(a) <= 31 and 1 <= b <= 12):
        return False
    if c is None:  # "20/11"; "2.5" and "1-2" are not dates
        return sep == "/"
    return len(c) in (2, 4)


def _date_time_spans(low: str) -> list[tuple[int, int]]:
    """Spans of the dates and clock times written with digits, in order."""
    return [m.span() for m in _DATE_TIME_RE.finditer(low) if _is_date_or_time(m)]
