"""Who asked whom, and what a message is about when it is not a scam.

The matcher says which scam a message looks like; this module says whether the situation is one at
all: a mother asking her child to pay the school, a citizen who typed their own OTP into their own
bank app, a forwarded police warning, an accident, a question about a reference code. It also reads
how the citizen speaks of themselves ("bác", "em"), so the bot answers in their own form of
address, and whether they ask for a verdict ("có nên nạp không?") or say someone is held right now.
The cue phrases live in `intents/situations/situations.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from app.nlu.cues import CueIndex
from app.text.normalize import Normalized

__all__ = ["REF_CODE_RE", "Situation", "SituationCues", "SituationReader", "Topic", "address_of"]

Topic = Literal[
    "family",  # ordinary family money talk
    "self",  # something the citizen did themselves in an official app
    "warning",  # a forwarded warning or news item
    "emergency",  # an accident, a fire: 113 / 114 / 115
    "procedure",  # how to report in person, what to bring
    "lost_documents",  # a lost wallet, card or ID
    "vneid",  # the official VNeID app, identity level 2
    "bot",  # "are you a person?"
    "privacy",  # "will the scammer learn my name?"
    "status",  # the status of a reference code
    "wait",  # "how long will this take?"
]

REF_CODE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,3})\s*-\s*(\d{8})\s*-\s*(\d{4,6})(?![0-9])")


class SituationCues(BaseModel):
    """The cue lists of `situations.yaml` (written with diacritics, matched folded)."""

    model_config = ConfigDict(extra="forbid")

    red_flags: list[str]
    family_purposes: list[str]
    family_vocatives: list[str]
    self_initiated: list[str]
    warning: list[str]
    emergency: list[str]
    emergency_questions: list[str]
    procedure: list[str]
    procedure_conditions: list[str]
    lost_documents: list[str]
    vneid_official: list[str]
    bot_question: list[str]
    privacy: list[str]
    status_words: list[str]
    wait_question: list[str]
    verdict_questions: list[str]
    scam_questions: list[str]
    danger: list[str]
    follow_up: list[str]

    @classmethod
    def load(cls, path: Path) -> SituationCues:
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class Situation:
    """What a message is about beyond its scam tactic."""

    topic: Topic | None
    red_flags: bool
    asks_verdict: bool  # "có nên nạp không?": answered "Không."
    asks_scam: bool  # "có phải lừa không?": answered "Đúng vậy."
    danger: bool  # someone is held or threatened right now
    follow_up: bool  # "giờ phải làm gì?": a question about what was just described
    address: str  # how to address the citizen: "bác", "em", ... or "bạn"
    refs: tuple[str, ...]  # reference codes named ("CT-20261118-0027")


_VOCATIVE_END = frozenset({"oi", "a", "ah"})
_MONEY_WORDS = frozenset({"tien", "chuyen", "khoan", "nap", "dong", "coc", "tra"})


class SituationReader:
    """Built once from the cue file; `read` is pure."""

    def __init__(self, cues: SituationCues) -> None:
        groups = {name: values for name, values in cues.model_dump().items() if name != "family_vocatives"}
        self._index = CueIndex(groups)
        self._vocatives = frozenset(_fold_words(cues.family_vocatives))

    def read(
        self,
        message: Normalized,
        *,
        has_amount: bool,
        names_something: bool,
        fraud_words: bool,
        help_asked: bool = False,
    ) -> Situation:
        tokens = message.tokens
        hits = self._index.find(message)
        red = "red_flags" in hits or fraud_words
        refs = tuple(
            f"{m.group(1).upper()}-{m.group(2)}-{m.group(3)}" for m in REF_CODE_RE.finditer(message.nfc)
        )
        return Situation(
            topic=self._topic(tokens, hits, red, refs, has_amount, names_something, fraud_words, help_asked),
            red_flags=red,
            asks_verdict="verdict_questions" in hits or "scam_questions" in hits,
            asks_scam="scam_questions" in hits,
            danger="danger" in hits,
            follow_up="follow_up" in hits,
            address=address_of(message.nfc),
            refs=refs,
        )

    def _topic(
        self,
        tokens: tuple[str, ...],
        hits: dict[str, list[str]],
        red: bool,
        refs: tuple[str, ...],
        has_amount: bool,
        names_something: bool,
        fraud_words: bool,
        help_asked: bool,
    ) -> Topic | None:
        n = len(tokens)
        if refs and ("status_words" in hits or n <= 12):
            return "status"
        if "bot_question" in hits and n <= 20 and not help_asked:
            return "bot"
        if "privacy" in hits:
            return "privacy"
        if "wait_question" in hits and n <= 10:
            return "wait"
        money = has_amount or bool(_MONEY_WORDS.intersection(tokens))
        if "emergency" in hits and not money and "xung" not in tokens:
            return "emergency"
        if "procedure" in hits and not (has_amount or names_something) and "procedure_conditions" in hits:
            return "procedure"
        if red:
            # A forwarded warning names the tricks it warns about; the citizen is not the victim.
            if len(hits.get("warning", ())) >= 2 and not fraud_words:
                return "warning"
            return None
        if "warning" in hits and len(hits["warning"]) >= 2:
            return "warning"
        if "lost_documents" in hits:
            return "lost_documents"
        if "vneid_official" in hits and not names_something:
            return "vneid"
        if "self_initiated" in hits:
            return "self"
        if "family_purposes" in hits and self._family_vocative(tokens):
            return "family"
        return None

    def _family_vocative(self, tokens: tuple[str, ...]) -> bool:
        """The message opens by calling a relative ("con ơi", "ck ơi", "mẹ ơi ...")."""
        head = tokens[:4]
        for i, tok in enumerate(head[:-1]):
            if head[i + 1] in _VOCATIVE_END and (tok in self._vocatives or tok == "chong"):
                return True
        return False


def _fold_words(words: list[str]) -> list[str]:
    from app.text.normalize import fold

    return [fold(w) for w in words]


# --------------------------------------------------------------------------- form of address

# How a citizen may speak of themselves; "tôi", "mình", "tui" get the neutral "bạn".
_SELF_FORMS = {
    "bác": "bác",
    "cô": "cô",
    "chú": "chú",
    "anh": "anh",
    "chị": "chị",
    "em": "em",
    "e": "em",
    "cháu": "cháu",
    "tôi": "bạn",
    "mình": "bạn",
    "tui": "bạn",
    "tớ": "bạn",
    # Unaccented twins that cannot be another word in this position.
    "bac": "bác",
    "toi": "bạn",
    "minh": "bạn",
}
_KIN = (
    "bố|mẹ|ba|má|con|bà|ông|vợ|chồng|cháu|nhà|anh|chị|cô|chú|bác|bạn|bo|me|vo|chong|ck|vk|"
    "bà nội|bà ngoại|ông nội|ông ngoại|ba nội|ba ngoại|bà noi|ba noi|ong noi|ong ngoai|ba ngoai"
)
_VERBS = (
    "bị|bi|đã|da|vừa|vua|mới|moi|chưa|chua|không|khong|ko|k|có|co|đang|dang|nhận|nhan|muốn|muon|cần|"
    "can|lỡ|lo|định|dinh|được|đc|dc|thấy|thay|sợ|so|hỏi|hoi|quen|bán|ban|đặt|dat|mua|làm|lam|cài|"
    "cai|bấm|bam|gửi|gui|nạp|nap|xin|chuyển|chuyen|ck|đánh|danh|năm|nam|là|la|tên|ten|ở|o|thì|thi|"
    "cũng|cung|vẫn|van|nghe|nghĩ|nghi|sắp|sap|tính|tinh|đi|di|lên|len|về|ve|mất|mat|phải|phai"
)
_WORD = r"(bác|cô|chú|anh|chị|em|e|cháu|tôi|mình|tui|tớ|bac|toi|minh)"
_FORM_RES = (
    # "cho bác hỏi", "giúp em với"
    re.compile(rf"\b(?:cho|giúp|giup|giùm|hộ|ho)\s+{_WORD}\s+(?:hỏi|hoi|với|voi|biết|biet|xin)\b"),
    # "bố em", "bà nội em", "con bác"
    re.compile(rf"\b(?:{_KIN})\s+{_WORD}\b(?!\s+(?:ơi|oi|ạ|à|ấy|ay|ta|kia|nó|no|ý)\b)"),
    # a clause opening with the pronoun and a verb: "bác chưa chuyển", "e bi lua"
    re.compile(
        rf"(?:^|[.,;:!?\n(]|\b(?:ơi|oi|ạ|à|thì|thi|mà|ma|nên|nen|giờ|gio|nay|là|la|xong))\s*{_WORD}\s+(?:{_VERBS})\b"
    ),
)
_NOT_SELF_AFTER = re.compile(r"^\s*(?:ơi|oi|ạ|à|ấy|ay|ta|kia|sĩ|si|giáo|ruột|trai|gái|họ|ý)\b")


def address_of(text: str) -> str:
    """The citizen's own form of address, "bạn" when they use none or a neutral one."""
    low = text.lower()
    votes: dict[str, int] = {}
    for pattern in _FORM_RES:
        for m in pattern.finditer(low):
            if _NOT_SELF_AFTER.match(low, m.end(1)):
                continue
            form = _SELF_FORMS.get(m.group(1))
            if form:
                votes[form] = votes.get(form, 0) + 1
    if not votes:
        return "bạn"
    return max(votes.items(), key=lambda kv: kv[1])[0]
