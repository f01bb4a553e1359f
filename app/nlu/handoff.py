"""Asking for a person: "cho tôi gặp cán bộ", "nói chuyện với người thật", "gặp công an trực"
(and how people type it: no diacritics, "cb", "ng that"). Pure: the folded tokens only."""

from __future__ import annotations

import re

from app.text.normalize import normalize

__all__ = ["asks_for_officer"]

_MAX_CHARS = 200  # a long story that mentions "gặp công an" is not a request to talk to one
_PERSON = (
    r"(?:can bo|canbo|cb|cong an|ca|chien si|nguoi that|ng that|nguoi|nhan vien|nv|admin|ad|dieu tra vien)"
)
_ASK = (
    # "cho tôi gặp cán bộ", "muốn gặp công an trực", "gặp người thật"
    rf"\bgap (?:truc tiep )?(?:voi )?{_PERSON}\b",
    # "nói chuyện với người thật", "nc voi cb", "chat với cán bộ"
    rf"\b(?:noi chuyen|nc|chat|trao doi|lien he|nhan tin) (?:truc tiep )?(?:voi |vs |v )?{_PERSON}\b",
    # "chuyển cho cán bộ", "kết nối với công an"
    rf"\b(?:chuyen|ket noi) (?:cho |toi |sang |voi )?{_PERSON}\b",
    r"\bnguoi that\b",
    r"\b(?:can bo|cong an) truc\b",
)
_ASK_RE = re.compile("|".join(_ASK))
# "gặp công an" in a scam story: the other party pretended to be the police.
_STORY_RE = re.compile(r"\b(?:gia danh|gia mao|mao danh|xung la|tu xung|goi cho toi|goi dien)\b")
# "bạn là người thật hay máy?": a question about the bot (answered as such), not a request.
_ABOUT_BOT_RE = re.compile(
    r"\b(?:ban|em|ad|day|minh|bot|may) (?:co )?(?:la|phai la|phai) (?:nguoi|ng)\b"
    r"|\b(?:hay|hoac) (?:la )?(?:may|bot|robot|ai|tu dong)\b"
    r"|\bco phai (?:la )?(?:nguoi|ng) that\b"
)


def asks_for_officer(text: str) -> bool:
    """Whether the message asks to talk to a person (an officer) rather than the bot."""
    if not text or len(text) > _MAX_CHARS:
        return False
    folded = " ".join(normalize(text).tokens)
    if not folded or _STORY_RE.search(folded) or _ABOUT_BOT_RE.search(folded):
        return False
    return bool(_ASK_RE.search(folded))
