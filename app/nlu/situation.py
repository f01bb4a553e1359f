"""Who asked whom, and what a message is about when it is not a scam.

The matcher says which scam a message looks like; this module says whether the situation is one at
all: a mother asking her child to pay the school, a citizen who typed their own OTP into their own
bank app, a forwarded police warning, an accident, a question about a reference code. It also reads
how the citizen speaks of themselves ("bác", "em"), so the bot answers in their own form of
address, and whether they ask for a verdict ("có nên nạp không?") or say someone is held right now.
The cue phrases live in `intents/situations/situations.yaml`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from app.text.normalize import Normalized, fold

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
    "thanks",  # thanks, even when it names the scam it avoided
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
    thanks_opening: list[str]
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
    refs: tuple[str, ...]  # reference codes named ("CT-20261118-0027")


_MONEY_WORDS = frozenset({"tien", "chuyen", "khoan", "nap", "dong", "coc", "tra"})


class SituationReader:
    """Built once from the cue file; `read` is pure."""

    PREFIX = "sit:"

    def __init__(self, cues: SituationCues) -> None:
        self._kin = frozenset(_fold_words(cues.family_vocatives)) | {"chong"}
        # Matched in the analyzer's one pass over the message, beside the intent cues.
        self.groups = {
            f"{self.PREFIX}{name}": values
            for name, values in cues.model_dump().items()
            if name != "family_vocatives"
        }

    def read(
        self,
        message: Normalized,
        found: dict[str, list[str]],
        *,
        has_amount: bool,
        names_something: bool,
        fraud_words: bool,
        help_asked: bool = False,
        names_link_or_phone: bool = False,
    ) -> Situation:
        """What `message` is about, from the cues `found` in the analyzer's pass and its entities."""
        cut = len(self.PREFIX)
        hits = {k[cut:]: v for k, v in found.items() if k.startswith(self.PREFIX)}
        # "có phải bị lừa không?" asks; it is no evidence of a stranger or a pretext.
        red = "red_flags" in hits or (fraud_words and "scam_questions" not in hits)
        refs = tuple(
            f"{m.group(1).upper()}-{m.group(2)}-{m.group(3)}" for m in REF_CODE_RE.finditer(message.nfc)
        )
        signals = _Signals(
            message.tokens, message.nfc, hits, red, refs, has_amount, names_something, names_link_or_phone
        )
        return Situation(
            topic=self._topic(signals, help_asked=help_asked),
            red_flags=red,
            asks_verdict="verdict_questions" in hits or "scam_questions" in hits,
            asks_scam="scam_questions" in hits,
            danger="danger" in hits,
            follow_up="follow_up" in hits,
            refs=refs,
        )

    def _topic(self, s: _Signals, *, help_asked: bool) -> Topic | None:
        """The first topic whose cues are there and whose guards hold; None for a case to judge."""
        hits, tokens = s.hits, s.tokens
        n = len(tokens)
        if s.refs and ("status_words" in hits or n <= 12):
            return "status"
        if "bot_question" in hits and n <= 20 and not help_asked:
            return "bot"
        if "privacy" in hits and not (s.has_amount or s.names_something):
            return "privacy"
        if "wait_question" in hits and n <= 10:
            return "wait"
        if "thanks_opening" in hits and _opens_with(tokens, hits["thanks_opening"]) and "?" not in s.nfc:
            return "thanks"
        money = s.has_amount or bool(_MONEY_WORDS.intersection(tokens))
        if "emergency" in hits and not money and "xung" not in tokens:
            return "emergency"
        if "procedure" in hits and "procedure_conditions" in hits and not (s.has_amount or s.names_something):
            return "procedure"
        # A forwarded warning or a news item names the tricks it warns about; nobody here is a victim.
        if len(hits.get("warning", ())) >= 2 and not _victim_speaks(tokens):
            return "warning"
        if s.red:
            return None
        if "family_purposes" in hits and self._family(tokens) and not s.names_link_or_phone:
            return "family"  # paying the school's account the family knows is no scam
        if s.names_something:  # a number, an account or a link to look at: not a private matter
            return None
        if "lost_documents" in hits and not money:
            return "lost_documents"
        if "vneid_official" in hits:
            return "vneid"
        if "self_initiated" in hits:
            return "self"
        return None

    def _family(self, tokens: tuple[str, ...]) -> bool:
        """Family talk: a relative called at the start or the end ("con ơi", "mẹ ck con", "nha anh")."""
        return any(t in self._kin for t in tokens[:3]) or any(t in self._kin for t in tokens[-3:])


@dataclass(frozen=True, slots=True)
class _Signals:
    tokens: tuple[str, ...]
    nfc: str
    hits: dict[str, list[str]]
    red: bool
    refs: tuple[str, ...]
    has_amount: bool
    names_something: bool
    names_link_or_phone: bool


_FIRST_PERSON = frozenset({"toi", "em", "e", "minh", "tui", "me", "bo", "con"})
_VICTIM_VERBS = frozenset({"bi", "vua", "da", "lo", "nhan", "dang"})


def _victim_speaks(tokens: tuple[str, ...]) -> bool:
    """ "tôi bị", "em vừa", "mẹ tôi đã": the citizen tells their own case, not a warning."""
    return any(tok in _FIRST_PERSON and nxt in _VICTIM_VERBS for tok, nxt in itertools.pairwise(tokens))


def _opens_with(tokens: tuple[str, ...], cues: list[str]) -> bool:
    head = " ".join(tokens[:3])
    return any(head.startswith(cue) for cue in cues)


def _fold_words(words: list[str]) -> list[str]:
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
    # Unaccented twins that cannot be another word in these positions.
    "bac": "bác",
    "toi": "bạn",
    "minh": "bạn",
}
# "cho bác hỏi", "giúp em với"
_ASK_BEFORE = frozenset(["cho", "giúp", "giup", "giùm", "gium", "hộ"])
_ASK_AFTER = frozenset(["hỏi", "hoi", "với", "voi", "biết", "biet", "xin"])
# "bố em", "bà nội em", "con bác": a relative of the speaker
_KIN = frozenset(
    [
        "bố",
        "mẹ",
        "ba",
        "má",
        "con",
        "bà",
        "ông",
        "vợ",
        "chồng",
        "cháu",
        "nhà",
        "bạn",
        "bo",
        "me",
        "vo",
        "chong",
        "ck",
        "vk",
        "nội",
        "ngoại",
        "noi",
        "ngoai",
    ]
)
# A clause that opens with the pronoun and a verb: "bác chưa chuyển", "e bi lua"
_CLAUSE_START = frozenset(
    [
        ".",
        ",",
        ";",
        ":",
        "!",
        "?",
        "(",
        "\n",
        "ơi",
        "oi",
        "ạ",
        "à",
        "thì",
        "thi",
        "mà",
        "nên",
        "nen",
        "giờ",
        "gio",
        "nay",
        "là",
        "la",
        "xong",
        "qua",
        "rồi",
        "roi",
        "đó",
        "do",
        "sau",
        "vậy",
        "vay",
    ]
)
_VERBS = frozenset(
    [
        "bị",
        "bi",
        "đã",
        "da",
        "vừa",
        "vua",
        "mới",
        "moi",
        "chưa",
        "chua",
        "không",
        "khong",
        "ko",
        "k",
        "có",
        "co",
        "đang",
        "dang",
        "nhận",
        "nhan",
        "muốn",
        "muon",
        "cần",
        "can",
        "lỡ",
        "lo",
        "định",
        "dinh",
        "được",
        "đc",
        "dc",
        "thấy",
        "thay",
        "sợ",
        "so",
        "hỏi",
        "hoi",
        "quen",
        "bán",
        "ban",
        "đặt",
        "dat",
        "mua",
        "làm",
        "lam",
        "cài",
        "cai",
        "bấm",
        "bam",
        "gửi",
        "gui",
        "nạp",
        "nap",
        "xin",
        "chuyển",
        "chuyen",
        "ck",
        "đánh",
        "danh",
        "năm",
        "nam",
        "là",
        "la",
        "tên",
        "ten",
        "ở",
        "o",
        "thì",
        "thi",
        "cũng",
        "cung",
        "vẫn",
        "van",
        "nghe",
        "nghĩ",
        "nghi",
        "sắp",
        "sap",
        "tính",
        "tinh",
        "đi",
        "di",
        "lên",
        "len",
        "về",
        "ve",
        "mất",
        "mat",
        "phải",
        "phai",
    ]
)
# Words after which the pronoun is someone else ("anh ấy", "bác sĩ", "cô giáo") or a vocative.
_NOT_SELF_NEXT = frozenset(
    ["ơi", "oi", "ạ", "à", "ấy", "ay", "ta", "kia", "sĩ", "si", "giáo", "ruột", "trai", "gái", "họ", "ý"]
)
_TOKEN_RE = re.compile(r"\w+|[.,;:!?(\n]")


def address_of(text: str) -> str:
    """The citizen's own form of address, "bạn" when they use none or a neutral one."""
    tokens = _TOKEN_RE.findall(text.lower())
    votes: dict[str, int] = {}
    last = len(tokens) - 1
    for i, tok in enumerate(tokens):
        form = _SELF_FORMS.get(tok)
        if form is None:
            continue
        nxt = tokens[i + 1] if i < last else ""
        if nxt in _NOT_SELF_NEXT:
            continue
        prv = tokens[i - 1] if i else "."
        if (
            (prv in _ASK_BEFORE and nxt in _ASK_AFTER)
            or prv in _KIN
            or (prv in _CLAUSE_START and nxt in _VERBS)
        ):
            votes[form] = votes.get(form, 0) + 1
    if not votes:
        return "bạn"
    return max(votes.items(), key=lambda kv: kv[1])[0]
