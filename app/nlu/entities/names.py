"""Names as written: the holder of a bank account and the page, shop or channel of a scam.

Conservative on purpose: no name is better than a wrong one. A name is a run of capitalised
words right after a cue ("tên", "chủ tk", "ctk"; "fanpage", "shop", "nhóm Telegram"), or the
text of a quote after a page cue; it stops at the first lower-case word or punctuation. In a
message typed all in capitals only cued names count, and they stop at common words.
"""

from __future__ import annotations

import re
from typing import Final

from app.nlu.banks import BANKS
from app.nlu.entities.words import _alt, _fold, _wordset

_HOLDER_CUE_RE: Final = re.compile(
    r"(?<!\w)(?:"
    + _alt(
        "tên chủ tài khoản",
        "tên chủ tk",
        "tên tài khoản",
        "tên tk",
        "chủ tài khoản",
        "chủ tk",
        "ctk",
        "tên người nhận",
        "người nhận",
        "người thụ hưởng",
        "đứng tên",
        "mang tên",
        "tên",
    )
    + r")(?!\w)\s*(?:[:\-–]\s*|(?:là|la)\s+)?"
)
_PLATFORM: Final = _alt("facebook", "fb", "zalo", "telegram", "tele", "tiktok", "youtube", "instagram")
_PAGE_HEAD: Final = _alt("fanpage", "page", "trang", "shop", "cửa hàng", "nhóm", "group", "kênh", "channel")
_NAMED: Final = _alt("tên là", "có tên", "có tên là", "tên")
_PAGE_CUE_RE: Final = re.compile(
    r"(?<!\w)(?:(?:"
    + _PAGE_HEAD
    + r")(?:\s+(?:"
    + _PLATFORM
    + r"))?(?:\s+(?P<named>"
    + _NAMED
    + r"))?|(?:"
    + _PLATFORM
    + r")\s+(?P<named2>"
    + _NAMED
    + r"))(?!\w)\s*(?:[:\-–]\s*|(?:là|la)\s+)?"
)
# Cheap substring checks before the page regex runs (it tries an alternation at every position).
# The first words of every page cue. A set lookup of the message's words tells whether one is
# there (most messages have none); str.find then locates it, and the cue regex runs only there.
_PAGE_STARTS: Final = frozenset(
    v
    for w in (
        "fanpage", "page", "trang", "shop", "cửa", "nhóm", "group", "kênh", "channel",
        "facebook", "fb", "zalo", "telegram", "tele", "tiktok", "youtube", "instagram",
    )
    for v in (w, _fold(w))
)  # fmt: skip
_PAGE_TOKENS: Final = _PAGE_STARTS | {w + ":" for w in _PAGE_STARTS}
# Words before "zalo tên …" / "fb tên …" that make it a person's profile, not a page.
_PROFILE: Final = _wordset("acc account nick tk khoan nguoi ong ba anh chi em ban co chu")
_QUOTES: Final = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»"}
_QUOTE_RE: Final = re.compile("[\"'“‘«]")
_END_PUNCT: Final = ",.;:!?)]}\"'”’»…"
# Words that end a name in a message typed all in capitals ("NGUYEN VAN A CHO TOI").
_STOP: Final = _wordset(
    "cho nhe nha va voi de roi la o tai ngan hang nh stk so tk chuyen ck bank toi em anh chi minh "
    "ban bao nhan gui lua khong ko da se thi ma nhung nay do kia"
)
_BANK_TOKENS: Final = frozenset(
    w for b in BANKS for a in b.aliases for w in (*a.split(), *_fold(a).split())
) | _wordset("ngân hàng ngan hang nh bank")
_MAX_WORDS: Final = 7


def _name_at(
    text: str, i: int, end: int, *, shouted: bool, caps_only: bool = False, person: bool = False
) -> tuple[str, int] | None:
    """The capitalised words starting at ``i`` (before ``end``): (name as written, words). A
    person's name (``person``) is letters only; a page's may hold digits ("Meo24h", "24h")."""
    start = stop = -1
    words = 0
    pos = i
    while words < _MAX_WORDS:
        while pos < end and text[pos].isspace():
            pos += 1
        j = pos
        while j < end and not text[j].isspace():
            j += 1
        if j == pos:
            break
        token = text[pos:j]
        core = token.rstrip(_END_PUNCT)
        is_word = core[:1].isupper() and (core.isalpha() or (not person and core.isalnum()))
        is_number = words > 0 and core[:1].isdigit() and core.isalnum() and not person  # "24h"
        if not (is_word or is_number) or (is_word and caps_only and not core.isupper()):
            break
        if shouted and _fold(core.lower()) in _STOP and len(core) > 1:
            break
        if start < 0:
            start = pos
        stop = pos + len(core)
        words += 1
        pos = j
        if len(core) < len(token):  # "An," ends the name
            break
    if words == 0:
        return None
    return text[start:stop], words


def _holder_after(text: str, low: str, e: int, hi: int, shouted: bool) -> str | None:
    """The holder named after an account number: "ACB tên NGUYEN THI HOA", "- chủ tk LE VAN A"."""
    end = min(hi, e + 80, len(text))
    for ch in "\n!?;":
        k = low.find(ch, e, end)
        if k >= 0:
            end = k
    m = _HOLDER_CUE_RE.search(low, e, end)
    if m is not None and len(low[e : m.start()].split()) <= 4:
        found = _name_at(text, m.end(), end, shouted=shouted, person=True)
        return found[0] if found is not None and found[1] >= 2 else None
    if shouted:
        return None
    # no cue: a name in capitals right after the number, bank names aside ("ACB NGUYEN VAN AN")
    pos = e
    for _ in range(4):
        while pos < end and (text[pos].isspace() or text[pos] in ":,-–("):
            pos += 1
        j = pos
        while j < end and not text[j].isspace():
            j += 1
        if pos < j and text[pos:j].lower().strip(".,:;-–()") in _BANK_TOKENS:
            pos = j
            continue
        break
    found = _name_at(text, pos, end, shouted=shouted, caps_only=True, person=True)
    return found[0] if found is not None and found[1] >= 2 else None


def _holder_before(text: str, low: str, s: int, lo: int, shouted: bool) -> str | None:
    """The holder named just before an account number: "chủ tk LE VAN TUAN stk 0123…"."""
    begin = max(lo, s - 80)
    for ch in "\n!?;":
        k = low.rfind(ch, begin, s)
        if k >= 0:
            begin = k + 1
    best: str | None = None
    for m in _HOLDER_CUE_RE.finditer(low, begin, s):
        found = _name_at(text, m.end(), s, shouted=shouted, person=True)
        if found is not None and found[1] >= 2:
            name_end = m.end() + text[m.end() : s].find(found[0]) + len(found[0])
            if len(low[name_end:s].split()) <= 4:
                best = found[0]
    return best


def _profile_before(low: str, i: int) -> bool:
    before = low[max(0, i - 12) : i].split()
    return bool(before) and _fold(before[-1]) in _PROFILE


def _find_pages(text: str, low: str) -> list[str]:
    """Page, shop, group and channel names, as written, in order, without duplicates."""
    if text.islower() and _QUOTE_RE.search(text) is None:  # a name starts with a capital or a quote
        return []
    present = _PAGE_TOKENS.intersection(low.split())
    if not present:
        return []
    cues: list[re.Match[str]] = []
    for w in {w.rstrip(":") for w in present}:
        k = low.find(w)
        while k >= 0:
            if k == 0 or not low[k - 1].isalnum():
                m = _PAGE_CUE_RE.match(low, k)
                if m is not None:
                    cues.append(m)
            k = low.find(w, k + len(w))
    if not cues:
        return []
    cues.sort(key=lambda m: (m.start(), -m.end()))
    shouted = text.isupper()
    pages: dict[str, None] = {}
    done = 0
    for m in cues:
        if m.start() < done:  # "fb" inside "page fb tên"
            continue
        done = m.end()
        if m.group("named2") and _profile_before(low, m.start()):
            continue  # "acc zalo tên Minh Khang": a person's profile, not a page
        i = m.end()
        if i >= len(text):
            break
        close = _QUOTES.get(text[i])
        if close is not None:
            j = text.find(close, i + 1, i + 82)
            name = text[i + 1 : j].strip() if j > i else ""
            if name and "\n" not in name:
                pages[name] = None
            continue
        if shouted:
            continue
        found = _name_at(text, i, min(len(text), i + 100), shouted=False)
        named = m.group("named") or m.group("named2")
        if found is not None and (found[1] >= 2 or (named and len(found[0]) >= 3)):
            pages[found[0]] = None
    return list(pages)
