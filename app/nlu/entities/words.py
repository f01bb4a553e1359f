"""Phrase tables and word windows shared by the extractors.

Cue words ("stk", "chuyển", "tổng cộng") are found by splitting a few words next to a number
and looking phrases up in word tries that hold both the written and the folded spelling.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from typing import Final, Generic, TypeVar

# --------------------------------------------------------------------------- phrase tables


def _fold(s: str) -> str:
    """Drop diacritics and map đ to d (import time only: it is slow)."""
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _variants(phrase: str) -> tuple[str, ...]:
    """The phrase as written and folded; a leading "=" keeps only the written form, for words
    whose folded spelling is a different common word ("mã" code vs "mà" but)."""
    if phrase.startswith("="):
        return (" ".join(phrase[1:].split()),)
    written = " ".join(phrase.split())
    return (written, _fold(written))


def _alt(*phrases: str) -> str:
    """Regex alternation of the phrases' variants, longest first, flexible spaces."""
    forms = sorted({f for p in phrases for f in _variants(p)}, key=lambda f: (-len(f), f))
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)


def _wordset(words: str, sep: str | None = None) -> frozenset[str]:
    """A word list written as one string (long lists stay readable and diffable)."""
    return frozenset(words.split(sep))


_V = TypeVar("_V")
# Stripped from both ends of a word before lookup ("stk:", "(vcb)", "MB.").
_PUNCT: Final = ".,:;!?()[]{}\"'“”‘’<>*=#~-–—/\\|…"
_CLAUSE_BREAKS: Final = ".!?;…"  # a word ending in one of these ends a clause
_SEPS: Final = " .,-\u00a0"  # what joins the digit groups of one number


def _words_before(chunk: str, n: int) -> list[str]:
    """The last ``n`` words of ``chunk`` within its last clause, punctuation stripped."""
    toks = chunk.split()[-n:]
    for k in range(len(toks) - 2, -1, -1):  # "xong. stk 123": the clause starts after "xong."
        if toks[k][-1] in _CLAUSE_BREAKS:
            toks = toks[k + 1 :]
            break
    return [t.strip(_PUNCT) for t in toks]


def _words_after(chunk: str, n: int) -> list[str]:
    """The first ``n`` words of ``chunk`` up to the end of its clause, punctuation stripped."""
    toks = chunk.split(None, n)[:n]
    for k, t in enumerate(toks):
        if t[-1] in _CLAUSE_BREAKS or t[0] in _CLAUSE_BREAKS:
            toks = toks[: k + 1] if t[0] not in _CLAUSE_BREAKS else toks[:k]
            break
    return [t.strip(_PUNCT) for t in toks]


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """Whether [a, b) overlaps one of ``spans`` (sorted, disjoint): a bisection, not a scan."""
    k = bisect_left(spans, (b,))
    return k > 0 and spans[k - 1][1] > a


def _merge_spans(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of two lists of spans, sorted and disjoint (overlapping ones joined)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(a + b):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


class _Node(Generic[_V]):
    __slots__ = ("kids", "value")

    def __init__(self) -> None:
        self.value: _V | None = None
        self.kids: dict[str, _Node[_V]] = {}


class _PhraseTable(Generic[_V]):
    """Multi-word phrases in word tries (one read backwards, one forwards), so scanning the
    words next to a number costs a dict lookup per word and never builds strings."""

    __slots__ = ("fwd", "rev")

    def __init__(self, entries: Iterable[tuple[str, _V]]) -> None:
        self.fwd: dict[str, _Node[_V]] = {}
        self.rev: dict[str, _Node[_V]] = {}
        for phrase, value in entries:
            for form in _variants(phrase):
                words = form.split(" ")
                self._add(self.fwd, words, value)
                self._add(self.rev, words[::-1], value)

    @staticmethod
    def _add(root: dict[str, _Node[_V]], words: list[str], value: _V) -> None:
        kids = root
        node: _Node[_V] | None = None
        for w in words:
            node = kids.get(w)
            if node is None:
                node = kids[w] = _Node()
            kids = node.kids
        if node is not None and node.value is None:  # earlier entries win on a clash
            node.value = value

    def back(self, words: list[str], limit: int) -> list[tuple[int, _V]]:
        """Longest phrases ending at most ``limit`` words before the end: (words after, value)."""
        found: list[tuple[int, _V]] = []
        rev = self.rev
        last = len(words) - 1
        k = last
        while k >= 0 and last - k <= limit:
            node = rev.get(words[k])
            best: _V | None = None
            size = 1
            j = k
            while node is not None:
                if node.value is not None:
                    best, size = node.value, k - j + 1
                j -= 1
                node = node.kids.get(words[j]) if j >= 0 and node.kids else None
            if best is None:
                k -= 1
            else:
                found.append((last - k, best))
                k -= size
        return found

    def forward(self, words: list[str], limit: int) -> list[tuple[int, _V]]:
        """Longest phrases starting at most ``limit`` words in: (words before, value)."""
        found: list[tuple[int, _V]] = []
        fwd = self.fwd
        n = len(words)
        k = 0
        while k < n and k <= limit:
            node = fwd.get(words[k])
            best: _V | None = None
            size = 1
            j = k
            while node is not None:
                if node.value is not None:
                    best, size = node.value, j - k + 1
                j += 1
                node = node.kids.get(words[j]) if j < n and node.kids else None
            if best is None:
                k += 1
            else:
                found.append((k, best))
                k += size
        return found
