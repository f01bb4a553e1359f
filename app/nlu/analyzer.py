"""Understanding one citizen message: intent, scam tactic, report, urgency and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from app.catalog.loader import load_catalog
from app.catalog.models import Catalog
from app.nlu.cues import CueIndex
from app.nlu.entities import Entities, extract_entities
from app.nlu.intents import IntentId, IntentSpec, load_intents
from app.nlu.matcher import Match, Matcher, MatcherSettings
from app.nlu.situation import Situation, SituationCues, SituationReader, address_of
from app.nlu.urgency import Urgency, assess
from app.text.normalize import Normalized, normalize

__all__ = ["MAX_ANALYSED", "SITUATIONS_FILE", "Analysis", "Analyzer"]

# The same cap for every step that reads a message: the cost of a message is bounded whatever
# its length (platforms allow 20,000 characters).
MAX_ANALYSED = 2000

SITUATIONS_FILE = Path(__file__).resolve().parents[2] / "intents" / "situations" / "situations.yaml"

_FOREIGN_NUMBER_RE = re.compile(r"(?:\+|(?<!\d)00)\s?[1-9]\d")
_TOPIC_INTENTS: dict[str, IntentId] = {"emergency": "hotline", "thanks": "thanks"}
# Intents with a fixed answer, recognised from short messages.
_SMALL_TALK: tuple[IntentId, ...] = ("thanks", "hotline", "help", "greeting")
_SHORT = 16  # tokens; longer messages are descriptions, not small talk
_CHECK_SHORT = 14  # a message naming a number/link and little else asks to look it up


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the bot understood of one message."""

    message: Normalized
    intent: IntentId
    tactic: str | None
    match: Match
    is_report: bool
    urgent: bool
    entities: Entities
    cues: dict[str, list[str]]
    urgency: Urgency
    situation: Situation

    @property
    def address(self) -> str:
        """How the citizen speaks of themselves ("bác", "em"), "bạn" when unknown."""
        return address_of(self.message.nfc)

    @property
    def lost(self) -> bool:
        """Money, an OTP or a password already went out."""
        return self.urgency.kind == "lost" and self.situation.topic is None

    def to_json(self, id_: Any = None) -> dict[str, Any]:
        """The stable `canhgiac analyze` line for this message."""
        return {
            "id": id_,
            "intent": self.intent,
            "tactic": self.tactic,
            "score": self.match.score,
            "candidates": [{"tactic": c.tactic, "score": c.score} for c in self.match.candidates],
            "is_report": self.is_report,
            "urgent": self.urgent,
            "entities": {
                "phones": list(self.entities.phones),
                "bank_accounts": [a.number for a in self.entities.bank_accounts],
                "urls": [u.lower() for u in self.entities.urls],
                "amount_vnd": self.entities.amount_vnd,
            },
        }


class Analyzer:
    """Built once from the catalogue and intent files; `analyze` is pure and fast."""

    def __init__(
        self,
        catalog: Catalog,
        intents: dict[str, IntentSpec],
        settings: MatcherSettings | None = None,
        situations: SituationCues | None = None,
    ):
        self.catalog = catalog
        self.tactics = catalog.by_id()
        self.intents = intents
        self.matcher = Matcher(catalog, settings)
        groups: dict[str, list[str]] = {}
        for spec in intents.values():
            groups[spec.id] = spec.cues
            groups[f"{spec.id}:weak"] = spec.weak_cues
        scam = intents["scam"]
        groups["scam:negated"] = scam.fraud_negations
        self.situations = SituationReader(situations or SituationCues.load(SITUATIONS_FILE))
        groups.update(self.situations.groups)
        assert scam.urgency is not None  # load_intents guarantees it
        self.urgency = scam.urgency.folded()
        self.cues = CueIndex(groups)
        self._small_talk_examples: list[tuple[str, IntentId]] = [
            (normalize(example).folded, spec.id)
            for spec in intents.values()
            if spec.id in _SMALL_TALK
            for example in spec.examples
        ]
        known: set[str] = set()
        for spec in intents.values():
            for phrase in (*spec.examples, *spec.cues, *spec.weak_cues):
                known.update(normalize(phrase).tokens)
        self.matcher.add_known_words(known)

    @classmethod
    def from_files(
        cls, catalog_path: Path, intents_dir: Path, settings: MatcherSettings | None = None
    ) -> Analyzer:
        situations = SituationCues.load(intents_dir / "situations" / "situations.yaml")
        return cls(load_catalog(catalog_path), load_intents(intents_dir), settings, situations)

    def analyze(self, text: str) -> Analysis:
        """Understand one message: its first `MAX_ANALYSED` characters (the rest is kept by whoever
        stores the message, not read)."""
        message = normalize(text[:MAX_ANALYSED])
        cues = self.cues.find(message)
        entities = extract_entities(message.nfc)
        match = self.matcher.match(message.tokens)
        urgency = assess(message.tokens, self.urgency)
        pressing = urgency.kind is not None
        fraud = "scam" in cues and "scam:negated" not in cues
        situation = self.situations.read(
            message,
            cues,
            has_amount=entities.amount_vnd is not None,
            names_something=bool(entities.phones or entities.bank_accounts or entities.urls),
            fraud_words=fraud,
            help_asked="help" in cues,
            names_link_or_phone=bool(entities.phones or entities.urls),
        )
        if situation.topic is not None:
            # Not a scam being told (family money, one's own OTP, a forwarded warning, a question
            # about the bot or a reference code): no tactic, no alarm.
            intent: IntentId = _TOPIC_INTENTS.get(situation.topic, "other")
            return Analysis(message, intent, None, match, False, False, entities, cues, urgency, situation)
        intent = self._intent(message, cues, entities, match, pressing, situation.asks_verdict)
        tactic = match.tactic if intent in ("scam", "report") else None
        if intent == "check" and (match.confident or "scam" in cues or "scam:weak" in cues):
            tactic = match.tactic  # the lookup also describes a situation
        urgent = pressing and intent in ("scam", "report", "check")
        return Analysis(
            message, intent, tactic, match, intent == "report", urgent, entities, cues, urgency, situation
        )

    def _intent(
        self,
        message: Normalized,
        cues: dict[str, list[str]],
        entities: Entities,
        match: Match,
        pressing: bool,
        asks_verdict: bool = False,
    ) -> IntentId:
        n = len(message.tokens)
        if "report" in cues and "report:weak" not in cues:
            return "report"
        fraud = "scam" in cues and "scam:negated" not in cues  # "bị lừa", not "không bị lừa"
        # Money named or already gone is part of a situation too ("thanh toán trước 2.790.000đ").
        situation = fraud or "scam:weak" in cues or entities.amount_vnd is not None
        names_something = bool(entities.phones or entities.bank_accounts or entities.urls)
        if names_something and (
            "check" in cues
            or (not (match.tactic and situation) and ("check:weak" in cues or n <= _CHECK_SHORT))
        ):
            return "check"
        # A confident match with a link, a number, pressure or a "should I?" is never off-topic.
        how_to = "the nao" in message.folded  # "đặt mật khẩu thế nào cho an toàn": a question
        strong = match.confident and (names_something or asks_verdict or (pressing and not how_to))
        if "check" in cues and not names_something and _FOREIGN_NUMBER_RE.search(message.nfc):
            return "check"  # "kiểm tra giúp số +375 …": a number from abroad is still a number
        if match.tactic is not None and (situation or strong):
            return "scam"
        if n <= _SHORT or "hotline" in cues:
            for intent in _SMALL_TALK:
                if intent in cues and not (fraud and intent != "hotline"):
                    return intent
        # Someone wanted money or a number, account or link is involved: a scam we cannot name yet.
        # ("có người nhắn bảo tôi nạp tiền để nhận quà": money asked for, even with no amount named)
        involved = names_something or entities.amount_vnd is not None or "tien" in message.tokens
        if fraud or (situation and (pressing or ("scam:weak" in cues and involved))):
            return "scam"
        if n <= _SHORT // 2 and self._small_talk_examples:
            best = process.extractOne(
                message.folded,
                [e for e, _ in self._small_talk_examples],
                scorer=fuzz.ratio,
                score_cutoff=80,
            )
            if best is not None:
                return self._small_talk_examples[best[2]][1]
        return "other"
