"""Understanding a citizen's answers inside a report: yes/no/skip/done, "chưa mất tiền", when it
happened, social accounts, a bank named without a number, and whether a message tells a story.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from app.contracts import Command
from app.nlu.analyzer import Analysis
from app.nlu.banks import BANKS
from app.nlu.entities import extract_entities
from app.nlu.entities.dates import find_incident_date
from app.text.normalize import fold, normalize

__all__ = [
    "Control",
    "bank_named",
    "find_own_phones",
    "find_socials",
    "find_when",
    "has_story",
    "is_bare_report_request",
    "is_nothing",
    "read_control",
    "resolve_date",
    "says_no_loss",
    "says_paid",
]

Control = Literal["yes", "no", "skip", "done", "continue", "cancel"]

_BUTTONS: dict[str, Control] = {
    "YES": "yes",
    "NO": "no",
    "SKIP": "skip",
    "DONE": "done",
    "CONTINUE": "continue",
    "CANCEL": "cancel",
}
_PARTICLES = frozenset(
    {"da", "a", "nhe", "nha", "roi", "di", "ad", "oi", "ban", "em", "anh", "chi", "ak", "ah", "thi"}
)
_YES_WORDS = frozenset(
    {
        "co",
        "dong",
        "y",
        "ok",
        "oke",
        "okay",
        "okie",
        "vang",
        "u",
        "uh",
        "um",
        "uhm",
        "yes",
        "dung",
        "gui",
        "luon",
    }
)
_YES_PHRASES = frozenset({"xac nhan", "chac chan", "dong y", "gui di", "co gui"})
_NO_WORDS = frozenset({"khong", "no", "thoi", "chua"})
_PHRASES: dict[str, Control] = {
    "bo qua": "skip",
    "skip": "skip",
    "qua cau khac": "skip",
    "cau khac": "skip",
    "xong": "done",
    "xong roi": "done",
    "het": "done",
    "du": "done",
    "vay thoi": "done",
    "the thoi": "done",
    "khong con gi": "done",
    "tiep tuc": "continue",
    "tiep": "continue",
    "lam tiep": "continue",
    "tiep tuc to giac": "continue",
    "huy": "cancel",
    "huy bo": "cancel",
    "huy to giac": "cancel",
    "thoi huy": "cancel",
    "khong gui nua": "cancel",
    "dung lai": "cancel",
}


def _words(text: str) -> tuple[str, ...]:
    return normalize(text).tokens


def read_control(text: str, command: Command | None = None) -> Control | None:
    """A control answer (yes/no/skip/done/continue/cancel): a report button or a short message."""
    command = command or Command.parse(text)
    if command is not None:
        return _BUTTONS.get(command.value) if command.kind == "REPORT" else None
    words = _words(text)
    if not words or len(words) > 6:
        return None
    core = [w for w in words if w not in _PARTICLES]
    phrase = " ".join(core)
    if phrase in _PHRASES:
        return _PHRASES[phrase]
    if not core:
        return "yes" if "da" in words else None  # "dạ", "dạ ạ"
    if any(w in _NO_WORDS for w in core) and all(w in _NO_WORDS | _YES_WORDS | {"muon"} for w in core):
        return "no"  # "không", "không gửi", "không đồng ý", "thôi", "chưa"
    if all(w in _YES_WORDS for w in core) or phrase in _YES_PHRASES:
        return "yes"
    return None


_NO_LOSS_RE = re.compile(
    r"(?<![a-z])(?P<pre>\w+\s+)?(?:chua|khong|may|kip)\s+(?:bi\s+|co\s+)?"
    r"(?:mat|chuyen|chuyen khoan|dong|nop|thiet hai|dung lai|mat dong nao)(?![a-z])"
)
_CONDITIONAL = frozenset({"neu", "bat", "bao", "phai", "ma", "de"})


_SPEAKER_PAID_RE = re.compile(
    r"(?<![a-z])(?<!bao )(?<!bat )(?<!keu )(?<!nho )(?<!cau )(?<!doi )(?<!huong dan )"
    r"(?:toi|em|e|minh|bac|tui|me toi|bo toi)\s+(?:da\s+|cung\s+)?"
    r"(?:chuyen|ck|nap|dong|nop|tra|coc|thanh toan)(?![a-z])"
)


def says_paid(text: str) -> bool:
    """ "Tiền phạt 25 triệu đó tôi chuyển vào…": the speaker tells of a payment they made."""
    return _SPEAKER_PAID_RE.search(normalize(text).folded) is not None


def says_no_loss(text: str) -> bool:
    """ "chưa mất tiền", "không bị mất", "may mà chưa chuyển" - not "nếu không chuyển thì ..." """
    folded = normalize(text).folded
    for m in _NO_LOSS_RE.finditer(folded):
        pre = (m.group("pre") or "").strip()
        if pre not in _CONDITIONAL:
            return True
    return False


_WHEN_RE = re.compile(
    r"(?<![\w/])(?:"
    r"(?:ngay\s+)?\d{1,2}\s*[/\-]\s*\d{1,2}(?:\s*[/\-]\s*\d{2,4})?"
    r"|ngay\s+\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?"
    r"|(?:sang|trua|chieu|toi|dem)\s+(?:nay|qua|hom qua|hom kia)"
    r"|hom\s+(?:nay|qua|kia)"
    r"|(?:tuan|thang)\s+(?:truoc|nay|roi)"
    r"|nam\s+ngoai"
    r"|\d{1,2}\s+(?:ngay|hom|tuan|thang)\s+(?:truoc|nay)"
    r"|luc\s+nay|vua\s+xong|moi\s+day"
    r")(?!\w)"
)


def find_when(text: str) -> str | None:
    """When it happened, as the citizen wrote it ("hôm qua", "20/11")."""
    nfc = unicodedata.normalize("NFC", text)
    folded = fold(nfc)
    m = _WHEN_RE.search(folded)
    if m is None:
        return None
    if len(folded) == len(nfc):
        return nfc[m.start() : m.end()].strip()[:128]
    return m.group().strip()[:128]


def resolve_date(text: str, today: dt.date) -> dt.date | None:
    """The calendar day the citizen's words name (never in the future)."""
    return find_incident_date(text, today)[0]


_SOCIAL_RE = re.compile(
    r"(?<!\w)(?P<app>facebook|fb|face|zalo|zl|telegram|tele|tiktok|instagram|ig|messenger|viber|whatsapp)"
    r"(?:\s+(?:tên|ten|nick|id|acc|là|la))?\s*[:\-]?\s*"
    r"(?P<name>@[\w.]{3,32}|(?:[A-ZĐ][^\W\d_]*)(?:\s+[A-ZĐ][^\W\d_]*){0,4})",
    re.IGNORECASE,
)


def find_socials(text: str) -> list[str]:
    """Social accounts named with their app: "Telegram @abc", "Facebook Nguyễn Văn B"."""
    out: list[str] = []
    for m in _SOCIAL_RE.finditer(unicodedata.normalize("NFC", text)):
        name = m.group("name").strip()
        if not name.startswith("@") and not name[:1].isupper():
            continue  # "zalo mình" is not an account name
        out.append(f"{m.group('app').capitalize()} {name}")
    return out


# The reporter's own number: "số của tôi 09…", "sđt của tôi …", "sdt cua em", "số em là …",
# "tôi là Lan, số điện thoại …", "liên hệ tôi qua số …" (on folded text: no diacritics, lowercase).
_ME = r"(?:toi|em|minh|tui|tao)(?!\s*(?:gai|trai|ho|re|dau|be)\b)"
_PHONE_WORD = r"(?:so dien thoai|so dt|sdt|dien thoai|dt|so)"
_NUMBER = r"(?P<num>(?:\+|00)?\d[\d .\-]{7,15}\d)"
_OWN_PHONE_RE = re.compile(
    r"(?<![a-z])(?:"
    rf"{_PHONE_WORD}\s+(?:cua\s+)?{_ME}"  # số của tôi, sđt em
    rf"|(?:lien he|goi lai|goi)\s+(?:cho\s+|lai\s+)?{_ME}\s+(?:qua\s+|theo\s+|o\s+)?{_PHONE_WORD}"
    rf"|{_ME}\s+la\s+[^,.;:\d]{{1,40}}[,;]?\s*{_PHONE_WORD}"  # tôi là Lan, số điện thoại
    r")\s*(?:la|:|-)?\s*" + _NUMBER
)


def find_own_phones(text: str) -> list[str]:
    """The reporter's own phone numbers (E.164) given in `text`: contact details, not the scammer's."""
    out: list[str] = []
    for m in _OWN_PHONE_RE.finditer(fold(text)):
        for phone in extract_entities(m.group("num")).phones:
            if phone not in out:
                out.append(phone)
    return out


# Words of a bare wish to report ("tôi muốn tố giác số này"): no story in them.
def _bank_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for bank in BANKS:
        if bank.weak:
            continue
        for alias in bank.aliases:
            folded = " ".join(fold(alias).split())
            patterns.append((re.compile(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])"), bank.canonical))
    return sorted(patterns, key=lambda p: -len(p[0].pattern))


_BANK_PATTERNS = _bank_patterns()


def bank_named(text: str) -> str | None:
    """The bank a message names without an account number ("tài khoản đó là Techcombank")."""
    folded = " ".join(fold(text).split())
    for pattern, name in _BANK_PATTERNS:
        if pattern.search(folded):
            return name
    return None


_REPORT_WORDS = (
    frozenset({"toi", "em", "minh", "muon", "can", "xin", "to", "giac", "cao", "trinh", "bao", "cong", "an"})
    | {"so", "dien", "thoai", "tai", "khoan", "stk", "link", "nay", "voi", "giup", "ad", "admin", "a", "oi"}
    | {"cho", "ve", "vu", "viec", "lam", "don", "di", "nhe", "nha", "nhu", "vua", "ke", "tren", "noi"}
)


def is_bare_report_request(analysis: Analysis) -> bool:
    """ "tôi muốn tố giác": a wish to report with nothing to store yet."""
    e = analysis.entities
    if e.phones or e.bank_accounts or e.urls or e.amount_vnd is not None:
        return False
    return not has_story(analysis)


def has_story(analysis: Analysis) -> bool:
    """The message tells what happened (a tactic, fraud words, or enough words of its own)."""
    if analysis.match.tactic is not None or "scam" in analysis.cues:
        return True
    words = [t for t in analysis.message.tokens if t.isalpha() and t not in _REPORT_WORDS]
    return len(words) >= 6


_NOTHING = frozenset(
    {
        "khong co",
        "khong biet",
        "khong nho",
        "chua biet",
        "khong ro",
        "ko co",
        "khong",
        "khong co gi",
        "khong mat",
        "chua mat",
        "khong mat tien",
        "chua mat tien",
        "khong mat gi",
        "chua",
    }
)


def is_nothing(text: str) -> bool:
    """ "không có", "không biết", "chưa mất": nothing to add."""
    return " ".join(_words(text)) in _NOTHING
