"""Find cue phrases in a normalised message in one pass.

Cues are folded like messages. One-word cues are looked up in the message's words; longer cues are
indexed by their first two words, so a message only pays for the cues whose opening pair it
contains, and a cue matches on whole words only ("lua" never matches "luat").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from app.text.normalize import Normalized, normalize

__all__ = ["CueIndex"]


class CueIndex:
    """Named groups of cue phrases, matched together."""

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._words: dict[str, list[str]] = {}
        self._pairs: dict[str, list[tuple[str, str, int]]] = {}
        for group, phrases in groups.items():
            for phrase in phrases:
                tokens = normalize(phrase).tokens
                if len(tokens) == 1:
                    self._words.setdefault(tokens[0], []).append(group)
                elif tokens:
                    folded = " ".join(tokens)
                    key = f"{tokens[0]} {tokens[1]}"
                    self._pairs.setdefault(key, []).append((group, f" {folded} ", len(tokens)))
        self._word_keys = frozenset(self._words)
        self._pair_keys = frozenset(self._pairs)

    def find(self, message: Normalized) -> dict[str, list[str]]:
        """Group name -> the cues of that group found in the message (folded)."""
        tokens = message.tokens
        hits: dict[str, list[str]] = {}
        for word in self._word_keys.intersection(tokens):
            for group in self._words[word]:
                hits.setdefault(group, []).append(word)
        pairs = self._pair_keys.intersection([f"{a} {b}" for a, b in itertools.pairwise(tokens)])
        if pairs:
            padded = f" {message.folded} "
            for pair in pairs:
                for group, cue, size in self._pairs[pair]:
                    if size == 2 or cue in padded:
                        hits.setdefault(group, []).append(cue.strip())
        return hits
