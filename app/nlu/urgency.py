"""Is the situation urgent? Money, an OTP or a password already went out, or the pressure is on now.

A small grammar over folded tokens rather than a list of phrases: a money verb ("chuyển", "nạp",
"cọc"...) counts as money gone when it is done ("đã", "rồi", "xong", "bị", or an amount after it
with nobody asking), not when it is negated ("chưa chuyển") or asked for ("bảo chuyển", "yêu cầu
nộp"). Ongoing pressure ("đang gọi", "giục", threats, deadlines, a missing relative) counts unless
the person says they refused or it is over ("cúp máy", "không chuyển"). The word classes live in
`intents/scam.yaml` under `urgency`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.text.normalize import fold

__all__ = ["Urgency", "UrgencyKind", "UrgencyRules", "assess", "is_urgent"]


class UrgencyRules(BaseModel):
    """Word classes of the urgency grammar (written with diacritics, matched folded)."""

    model_config = ConfigDict(extra="forbid")

    money_verbs: list[str] = Field(min_length=1)  # a transfer or payment
    loss_words: list[str] = Field(min_length=1)  # "mất", "bị rút": gone by definition
    credential_verbs: list[str] = Field(min_length=1)  # "đọc", "nhập", "cài"
    credential_objects: list[str] = Field(min_length=1)  # "mã", "otp", "mật khẩu", "app"
    done_markers: list[str] = Field(min_length=1)  # "đã", "rồi", "xong", "bị"
    after_done: list[str] = Field(min_length=1)  # "rồi", "xong" after the verb
    negations: list[str] = Field(min_length=1)  # "chưa", "không"
    requests: list[str] = Field(min_length=1)  # "bảo", "yêu cầu", "đòi": someone asks, nothing done yet
    pressing: list[str] = Field(min_length=1)  # pressure right now, even before any payment
    ongoing: list[str] = Field(min_length=1)  # threats: urgent unless nothing was paid or it was refused
    refusals: list[str] = Field(min_length=1)  # the person refused or it is over

    def folded(self) -> FoldedRules:
        return FoldedRules(self)


_CLASSES = ("money", "loss", "cred_verbs", "requests", "pressing", "ongoing", "refusals")


def _singles(words: Sequence[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words if " " not in w)


class FoldedRules:
    """The rules folded and indexed by first word: one pass over a message finds every phrase."""

    def __init__(self, rules: UrgencyRules) -> None:
        self.cred_objects = _singles(rules.credential_objects)
        self.done = _singles(rules.done_markers)
        self.after_done = _singles(rules.after_done)
        self.negations = _singles(rules.negations)
        self.by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        sources = {
            "money": rules.money_verbs,
            "loss": rules.loss_words,
            "cred_verbs": rules.credential_verbs,
            "requests": rules.requests,
            "pressing": rules.pressing,
            "ongoing": rules.ongoing,
            "refusals": rules.refusals,
        }
        for cls, words in sources.items():
            for word in words:
                phrase = tuple(fold(word).split())
                if phrase:
                    self.by_first.setdefault(phrase[0], []).append((cls, phrase))

    def scan(self, tokens: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Class -> (start, end) of each phrase of that class in the tokens."""
        hits: dict[str, list[tuple[int, int]]] = {cls: [] for cls in _CLASSES}
        get = self.by_first.get
        for i, tok in enumerate(tokens):
            candidates = get(tok)
            if candidates:
                for cls, phrase in candidates:
                    n = len(phrase)
                    if n == 1 or tuple(tokens[i : i + n]) == phrase:
                        hits[cls].append((i, i + n))
        return hits


_THEN = frozenset({"se"})  # "rồi mới", "xong thì", "rồi sau đó" still mean done


def _near_before(tokens: Sequence[str], i: int, words: frozenset[str], span: int) -> bool:
    return any(t in words for t in tokens[max(0, i - span) : i])


def _ends_before(spans: list[tuple[int, int]], i: int, span: int) -> bool:
    """Some phrase ends at or before token i and starts at most `span` tokens before it."""
    return any(i - span <= start and end <= i for start, end in spans)


_UNITS = frozenset(
    {"trieu", "ty", "ti", "nghin", "ngan", "cu", "k", "d", "dong", "vnd", "usd", "chuc", "tram"}
)


def _is_amount(token: str) -> bool:
    """A money amount token ("5tr", "500k", "000d") or unit word; bare digit runs are ids, not money."""
    if token in _UNITS:
        return True
    if not token[:1].isdigit():
        return False
    tail = token.lstrip("0123456789")
    return bool(tail) and (tail[:2] in ("tr", "ty", "ti", "cu") or tail[0] in "kd" or tail.startswith("ng"))


def _done(
    tokens: Sequence[str],
    start: int,
    end: int,
    rules: FoldedRules,
    requests: list[tuple[int, int]],
    *,
    amount_counts: bool,
    refused: bool,
) -> bool:
    """Whether the action at tokens[start:end] happened (not negated, not merely asked for)."""
    if _near_before(tokens, start, rules.negations, 2):
        return False
    if _near_before(tokens, start, rules.done, 2):
        return True
    after = tokens[end : end + 5]
    for k, t in enumerate(after):
        if t in rules.after_done:
            # "chuyển cọc rồi sẽ nhận hàng": "rồi" as "then", not "already".
            then = end + k + 1 < len(tokens) and tokens[end + k + 1] in _THEN
            if not then:
                return not any(t in rules.negations for t in after[:2])
    if refused or not amount_counts or _ends_before(requests, start, 3):
        return False
    # "chuyển 5tr cho nó" with nobody asking: a statement of what happened.
    return any(_is_amount(t) for t in tokens[end : end + 6])


UrgencyKind = Literal["lost", "pressure"]


@dataclass(frozen=True, slots=True)
class Urgency:
    """How pressing a situation is: money or credentials gone ("lost"), pressure right now
    ("pressure"), or neither; and whether the person says they have not paid yet."""

    kind: UrgencyKind | None
    not_paid: bool


def is_urgent(tokens: Sequence[str], rules: FoldedRules) -> bool:
    """Money, an OTP or a password already went out, or the pressure is happening now."""
    return assess(tokens, rules).kind is not None


def assess(tokens: Sequence[str], rules: FoldedRules) -> Urgency:
    """The urgency of a message (see the module docstring for the grammar)."""
    hits = rules.scan(tokens)
    negations = rules.negations
    requests = hits["requests"]
    # "nếu không chuyển" is a condition, not a refusal; "chưa chuyển" means not paid yet.
    refused = any("neu" not in tokens[max(0, s - 2) : s] for s, _ in hits["refusals"])
    not_yet = any(_near_before(tokens, s, negations, 2) for s, _ in hits["money"])
    if any(not _near_before(tokens, s, negations, 2) for s, _ in hits["loss"]):
        return Urgency("lost", not_yet)
    for s, e in hits["money"]:
        if tokens[s] == "mat" and e - s == 1:
            # Folded "mất" is also "mặt" (face, "tiền mặt"): money lost only with an amount or a
            # done marker right there ("mất 15 triệu", "bị mất"), never by a later "hết"/"rồi".
            if _near_before(tokens, s, rules.done, 1) or any(t[:1].isdigit() for t in tokens[e : e + 2]):
                return Urgency("lost", False)
            continue
        if _done(tokens, s, e, rules, requests, amount_counts=True, refused=refused or not_yet):
            return Urgency("lost", False)
    for s, e in hits["cred_verbs"]:
        gave = e < len(tokens) and tokens[e] in rules.after_done  # "đọc rồi", "cài xong"
        object_named = any(t in rules.cred_objects for t in tokens[e : e + 4])
        if (gave or object_named) and _done(
            tokens, s, e, rules, requests, amount_counts=False, refused=refused
        ):
            return Urgency("lost", not_yet)
    not_paid = not_yet or refused
    if refused:
        return Urgency(None, not_paid)
    if any(not _near_before(tokens, s, negations, 1) for s, _ in hits["pressing"]):
        return Urgency("pressure", not_paid)
    ongoing = any(not _near_before(tokens, s, negations, 1) for s, _ in hits["ongoing"])
    return Urgency("pressure" if ongoing and not not_yet else None, not_paid)
