"""Known OCR confusions in the parts that matter most: links and numbers.

Tesseract reads Vietnamese prose well; it slips on the tokens a check depends on: `https;//`, a `†`
for a `t`, an `O` inside a digit run, a comma before a domain ending, spaces around a domain's dot.
Only tokens that look like a link or a number are touched; prose is left as read.
"""

from __future__ import annotations

import re

__all__ = ["clean", "critical_tokens"]

_TLDS = (
    "com|net|org|vn|info|top|vip|xyz|online|site|shop|store|club|link|cc|me|io|co|app|live|pro|"
    "biz|asia|icu|tk|ml|ga|cf|gq|ly|gl|tv|us|uk|cn|fun|win|bet|click|world|life|today|work"
)
_SCHEME = re.compile(r"\b(h[tf]{1,2}ps?)\s*[;:.,!|]?\s*[/\\|l]\s*[/\\|l]\s*(?=[\w-])", re.IGNORECASE)
_SCHEME_FIX = re.compile(r"\b(?:htps|hftps|httsp)(?=://)", re.IGNORECASE)
_TLD_COMMA = re.compile(rf"(?<=[a-z0-9])\s?[,;]\s?(?=(?:{_TLDS})\b)", re.IGNORECASE)
_TLD_SPACE = re.compile(rf"(?<=[a-z0-9-])\s+\.\s*(?=(?:{_TLDS})\b)|(?<=[a-z0-9-])\.\s+(?=(?:{_TLDS})\b)")
_DASHES = re.compile(r"(?<=[a-z0-9])[\u2010-\u2015](?=[a-z0-9])", re.IGNORECASE)  # dashes read for "-"
_DIGIT_O = re.compile(r"(?<=\d)[Oo](?=\d)|(?<=\d\d)[Oo]\b|\b[Oo](?=\d{2})")
_DIGIT_L = re.compile(r"(?<=\d)[lI|](?=\d)")
_DIGIT_SPACED = re.compile(r"(?<=\d)[,](?=\d{3}\b)")  # "45,000,000" is read for "45.000.000"

_LINK = re.compile(rf"(?:https?://)?(?:[a-z0-9][a-z0-9_-]*\.)+(?:{_TLDS})\b(?:/[^\s,;)\]]*)?", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.])\+?\d[\d .-]{6,}\d(?!\d)")
_AMOUNT = re.compile(r"^[1-9]\d{0,2}(?:[.,]\d{3})+$")


def clean(text: str) -> str:
    """`text` with the known confusions in links and numbers repaired."""
    text = text.replace("†", "t").replace("ﬁ", "fi").replace("ﬂ", "fl")
    text = _SCHEME.sub(lambda m: m.group(1).lower() + "://", text)
    text = _SCHEME_FIX.sub("https", text)
    text = _TLD_COMMA.sub(".", text)
    text = _TLD_SPACE.sub(".", text)
    text = _DASHES.sub("-", text)
    text = _DIGIT_O.sub("0", text)
    text = _DIGIT_L.sub("1", text)
    return text


def critical_tokens(text: str) -> dict[str, str]:
    """The phones, accounts and links in `text` as comparable keys → the token as written.

    Numbers are keyed by their digits (amounts, written with thousands dots, are not included);
    links by their lowercased form without the scheme or a trailing slash.
    """
    out: dict[str, str] = {}
    for match in _LINK.finditer(text):
        token = match.group(0).rstrip(".")
        key = re.sub(r"^https?://", "", token.lower()).rstrip("/")
        out.setdefault("link:" + key, token)
    for match in _NUMBER.finditer(text):
        token = match.group(0).strip()
        digits = re.sub(r"\D", "", token)
        if len(digits) < 9 or len(digits) > 19 or (_AMOUNT.match(token) and not token.startswith("0")):
            continue
        out.setdefault("number:" + digits, token)
    return out
