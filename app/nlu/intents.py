"""Intent definitions from `intents/*.yaml`: example phrases, cue phrases and fixed replies."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.nlu.urgency import UrgencyRules

__all__ = ["INTENTS", "IntentId", "IntentSpec", "load_intents"]

IntentId = Literal["greeting", "help", "hotline", "thanks", "report", "check", "scam", "other"]
INTENTS: tuple[IntentId, ...] = ("greeting", "help", "hotline", "thanks", "report", "check", "scam", "other")


class IntentSpec(BaseModel):
    """One intent file."""

    model_config = ConfigDict(extra="forbid")

    id: IntentId
    description: str
    examples: list[str] = Field(min_length=1)
    # Cues decide the intent on their own; weak cues only together with other evidence.
    cues: list[str] = Field(default_factory=list)
    weak_cues: list[str] = Field(default_factory=list)
    reply: str | None = None
    # Only the scam intent carries these: cues that cancel its fraud cues, and the urgency grammar.
    fraud_negations: list[str] = Field(default_factory=list)
    urgency: UrgencyRules | None = None


def load_intents(directory: Path) -> dict[str, IntentSpec]:
    """Every intent of the fixed set, from one YAML file each; raise when one is missing."""
    specs: dict[str, IntentSpec] = {}
    for path in sorted(directory.glob("*.yaml")):
        spec = IntentSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        if path.stem != spec.id:
            raise ValueError(f"{path.name} declares intent {spec.id!r}")
        specs[spec.id] = spec
    missing = [i for i in INTENTS if i not in specs]
    if missing:
        raise ValueError(f"intent files missing in {directory}: {missing}")
    if specs["scam"].urgency is None:
        raise ValueError("scam.yaml must define the urgency rules")
    return specs
