"""Find cue phrases in a normalised message in one pass.

Cues are folded like messages, then indexed by their first word: a message only pays for the cues
whose first word it contains, and a cue matches on whole words only ("lua" never matches "luat").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.text.normalize import Normalized, normalize

__all__ = ["CueIndex"]


class CueIndex:
    """Named groups of cue phrases, matched together."""

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for group, phrases in groups.items():
            for phrase in phrases:
                tokens = normalize(phrase).tokens
                if tokens:
                    self._by_first.setdefault(tokens[0], []).append((group, f" {' '.join(tokens)} "))
        self._firsts = frozenset(self._by_first)

    def find(self, message: Normalized) -> dict[str, list[str]]:
        """Group name -> the cues of that group found in the message (folded)."""
        padded = f" {message.folded} "
        hits: dict[str, list[str]] = {}
        for first in self._firsts.intersection(message.tokens):
            for group, cue in self._by_first[first]:
                if cue in padded:
                    hits.setdefault(group, []).append(cue.strip())
        return hits
