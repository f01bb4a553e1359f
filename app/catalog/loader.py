"""Load and check `scam_catalog.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.catalog.models import Catalog

__all__ = ["CatalogError", "CatalogProblem", "check_catalog", "load_catalog"]


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One thing wrong with a catalogue file, located by tactic id and field."""

    tactic: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.tactic}.{self.field}" if self.tactic else self.field
        return f"{where}: {self.message}"


class CatalogError(Exception):
    """The catalogue file cannot be used; `problems` says why."""

    def __init__(self, problems: list[CatalogProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError([CatalogProblem(None, "file", f"{path} does not exist")]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError([CatalogProblem(None, "file", f"not valid YAML: {exc}")]) from None


def _problems(raw: Any, exc: ValidationError) -> list[CatalogProblem]:
    tactics = raw.get("tactics") if isinstance(raw, dict) else None
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        tactic: str | None = None
        if len(loc) >= 2 and loc[0] == "tactics" and isinstance(loc[1], int):
            index = loc[1]
            entry = tactics[index] if isinstance(tactics, list) and index < len(tactics) else None
            tactic = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else f"#{index + 1}"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or ("(tactic)" if tactic else "tactics")
        problems.append(CatalogProblem(tactic, field, err["msg"]))
    return problems


def check_catalog(path: Path) -> list[CatalogProblem]:
    """Every problem in the file at `path`; empty when it is valid."""
    try:
        load_catalog(path)
    except CatalogError as exc:
        return exc.problems
    return []


def load_catalog(path: Path) -> Catalog:
    """Parse and validate the catalogue, or raise CatalogError listing each problem."""
    raw = _read(path)
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(_problems(raw, exc)) from None
