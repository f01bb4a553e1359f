"""Dates and times: never numbers of anything, and the day a citizen says something happened.

``find_incident_date(text, today)`` resolves "hôm qua", "thứ 7 tuần trước", "20/11", "đầu
tháng 10" and the like to a calendar date (rules below).

``_date_time_spans`` finds "03-12-2026", "03/12/2026", "20/11", "2026-12-03", "20.05.2025",
"19:05" and "19:05:12" so the digit extractors leave them alone (a bank notification's
timestamp is not a phone, an account or an amount).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
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


# --------------------------------------------------------------------------- incident dates
#
# ``find_incident_date`` reads the first expression of a day in a message and resolves it against
# ``today``. The rules:
# - "hôm nay", "sáng nay" → today; "hôm qua", "chiều qua", "tối hôm qua" → yesterday; "hôm kia",
#   "tối hôm kia" → 2 days ago; "3 ngày trước", "cách đây 3 hôm" → 3 days ago; "2 tuần trước" →
#   14 days ago; "tuần trước" / "tuần rồi" alone → 7 days ago (no weekday given: the same
#   weekday a week back);
# - "thứ 7 tuần trước", "chủ nhật tuần rồi" → that weekday in the previous calendar week (weeks
#   start on Monday); "thứ 6 tuần này" → that weekday this week (None if still to come); a
#   weekday on its own or with "vừa rồi", "vừa qua", "rồi", "trước", "hôm", "ngày" → the most
#   recent such weekday before today;
# - "20/11", "ngày 5 tháng 10" (no year) → the most recent past such date; "20/11/2026",
#   "20-11-2026", "20.11.2026", "5 tháng 10 năm 2026" → that date unless it is in the future;
# - "đầu tháng 10" → the 1st, "giữa tháng 10" → the 15th, "cuối tháng 10" → the last day (the
#   most recent past such month); "đầu / giữa / cuối tháng trước | tháng này" likewise;
# - a date in the future is never returned (the next expression is tried instead).
# Diacritics are optional. "toi qua", "dem qua", "sang qua" (ambiguous with "tôi qua" I went over,
# "đem qua" bring over, "sang qua" go over) count only when "hôm" follows the time of day or the
# time of day is written with its diacritics ("tối qua").

_FOLD_CACHE: dict[str, str] = {}


def _fold_char(c: str) -> str:
    f = _FOLD_CACHE.get(c)
    if f is None:
        if c in "đĐ":
            f = "d"
        else:
            base = unicodedata.normalize("NFD", c)[:1].lower()
            f = base if len(base) == 1 else c
        _FOLD_CACHE[c] = f
    return f


def _fold_same_length(text: str) -> str:
    """Lowercase without diacritics, one character per character (offsets map back)."""
    return "".join(_fold_char(c) for c in text)


_NUM_WORDS: Final[dict[str, int]] = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}  # fmt: skip
_WEEKDAY: Final[dict[str, int]] = {  # thứ N → date.weekday()
    "2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "bon": 2, "5": 3, "nam": 3,
    "6": 4, "sau": 4, "7": 5, "bay": 5,
}  # fmt: skip


def _tod(name: str) -> str:
    """An optional time of day before a day word: "sáng", "chiều", "tối"…"""
    return rf"(?:(?P<{name}>sang|trua|chieu|toi|dem|khuya)\s+)?"


_N: Final = r"(?:\d{1,2}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
# Words before "thứ 2" that make it an ordinal, not a weekday: "lần thứ 2", "người thứ 3".
_ORDINAL_BEFORE: Final = frozenset(
    ["lan", "nguoi", "cai", "con", "buoc", "dot", "ky", "vong", "hang", "so", "dua", "tap", "phan"]
)
_INCIDENT_RE: Final = re.compile(
    r"\b(?:"
    # weekdays first, so "thứ 7 tuần trước" is never read as "7 tuần trước"
    r"(?P<wpre>(?:hom|ngay|bua)\s+)?" + _tod("tod1") + r"(?:(?:hom|ngay|bua)\s+)?"
    r"(?:thu\s*(?P<wd>[2-7]|hai|ba|tu|bon|nam|sau|bay)|(?P<sun>chu\s*nhat))\b"
    r"(?:\s+(?:(?P<lastweek>tuan\s+(?:truoc|roi|qua|vua\s+roi))|(?P<thisweek>tuan\s+nay|nay)"
    r"|(?P<recent>vua\s+(?:roi|qua)|roi|truoc|qua)))?"
    # yesterday, today, the day before yesterday
    r"|" + _tod("tod2") + r"(?P<hom>(?:hom|bua)\s+)?(?P<rel>qua|nay|kia)"
    # N days / weeks ago
    r"|cach\s+day\s+(?P<n>" + _N + r")\s+(?P<unit>ngay|hom|tuan)(?:\s+(?:truoc|roi|qua))?"
    r"|(?<!thu )(?P<n2>" + _N + r")\s+(?P<unit2>ngay|hom|tuan)\s+(?:truoc|roi|qua|ve\s+truoc)"
    r"|(?P<week>tuan\s+(?:truoc|roi|qua))"
    # the start, middle or end of a month
    r"|(?P<part>dau|giua|cuoi)\s+thang\s+(?:(?P<pm>\d{1,2})(?:\s*(?:nam\s+|/\s*)(?P<py>\d{4}))?"
    r"|(?P<prel>truoc|roi|nay|vua\s+roi))"
    # dates in words and digits
    r"|(?:(?:ngay|mung|mong|hom)\s+)?(?P<d1>\d{1,2})\s+thang\s+(?P<m1>\d{1,2})"
    r"(?:\s+nam\s+(?P<y1>\d{4}))?"
    r"|(?:(?:ngay|mung|mong|hom)\s+)?(?<![\d/.\-])(?P<d2>\d{1,2})(?P<s2>[/.\-])(?P<m2>\d{1,2})"
    r"(?:(?P=s2)(?P<y2>\d{4}|\d{2}))?(?![\d/.\-]?\d)"
    r")\b"
)


def _num(word: str) -> int:
    return int(word) if word.isdigit() else _NUM_WORDS[word]


def _month_end(year: int, month: int) -> datetime.date:
    nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _past(year: int | None, month: int, day: int, today: datetime.date) -> datetime.date | None:
    """The date, or without a year the most recent one not after today."""
    if year is not None:
        return _safe_date(year, month, day)
    for y in (today.year, today.year - 1, today.year - 2, today.year - 3, today.year - 4):
        found = _safe_date(y, month, day)  # 29/2 looks back to the last leap year
        if found is not None and found <= today:
            return found
    return None


def _month_part(part: str, year: int, month: int) -> datetime.date:
    if part == "dau":
        return datetime.date(year, month, 1)
    if part == "giua":
        return datetime.date(year, month, 15)
    return _month_end(year, month)


def _resolve(m: re.Match[str], text: str, today: datetime.date) -> datetime.date | None:
    g = m.groupdict()
    tod = g["tod1"] or g["tod2"]
    if g["tod2"] in ("toi", "dem", "sang") and not g["hom"] and g["rel"] == "qua":
        written = text[m.start("tod2") : m.end("tod2")].lower()
        if written not in ("tối", "đêm", "sáng"):  # "tôi qua", "đem qua", "sang qua" (go over)
            return None
    if g["wd"] is not None or g["sun"] is not None:
        if not (g["wpre"] or tod or g["lastweek"] or g["thisweek"] or g["recent"]):
            before = m.string[max(0, m.start() - 12) : m.start()].split()
            if before and before[-1] in _ORDINAL_BEFORE:  # "lần thứ 2"
                return None
        target = 6 if g["sun"] is not None else _WEEKDAY[g["wd"]]
        monday = today - datetime.timedelta(days=today.weekday())
        if g["lastweek"]:
            return monday - datetime.timedelta(days=7 - target)
        if g["thisweek"]:
            return monday + datetime.timedelta(days=target)
        return today - datetime.timedelta(days=(today.weekday() - target) % 7 or 7)
    if g["rel"] is not None:
        if g["rel"] == "qua":
            if not (g["hom"] or tod):
                return None
            return today - datetime.timedelta(days=1)
        if g["rel"] == "nay":
            return today if (g["hom"] or tod) else None
        return today - datetime.timedelta(days=2) if g["hom"] else None  # "hôm kia"
    if g["n"] is not None or g["n2"] is not None:
        n = _num(g["n"] or g["n2"])
        week = (g["unit"] or g["unit2"]) == "tuan"
        return today - datetime.timedelta(days=n * (7 if week else 1))
    if g["week"] is not None:
        return today - datetime.timedelta(days=7)
    if g["part"] is not None:
        if g["pm"] is not None:
            month = int(g["pm"])
            if not 1 <= month <= 12:
                return None
            if g["py"] is not None:
                return _month_part(g["part"], int(g["py"]), month)
            year = today.year if _month_part(g["part"], today.year, month) <= today else today.year - 1
            return _month_part(g["part"], year, month)
        year, month = today.year, today.month
        if g["prel"] != "nay":
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return _month_part(g["part"], year, month)
    if g["d1"] is not None:
        y1 = g["y1"]
        return _past(int(y1) if y1 else None, int(g["m1"]), int(g["d1"]), today)
    if g["d2"] is not None:
        y2 = g["y2"]
        if y2 is None and g["s2"] != "/":  # "1.5", "2-3": not dates
            return None
        written_year = None if y2 is None else int(y2) + (2000 if len(y2) == 2 else 0)
        return _past(written_year, int(g["m2"]), int(g["d2"]), today)
    return None


def find_incident_date(text: str, today: datetime.date) -> tuple[datetime.date | None, str | None]:
    """The day the citizen says something happened, and their own words for it.

    The first expression of a day that resolves to a date not after ``today`` wins; see the
    rules above. Returns (None, None) when there is none.
    """
    folded = _fold_same_length(text)
    for m in _INCIDENT_RE.finditer(folded):
        found = _resolve(m, text, today)
        if found is not None and found <= today:
            return found, text[m.start() : m.end()].strip()
    return None, None
