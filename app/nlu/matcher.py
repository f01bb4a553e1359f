"""Fuzzy matching of a citizen's description against the scam catalogue.

Every pattern and keyword of every tactic is normalised once at load into folded word n-grams
(unigrams and bigrams). Each n-gram is weighted by how specific it is to a tactic (inverse tactic
frequency, keyword n-grams counted more), and an inverted index maps it to the tactics that use it.
A message is scored by looking up its own n-grams in that index, so the cost per message grows with
the message's length and the few tactics that share its words, not with the size of the catalogue.

Typos are absorbed by rapidfuzz: a word the catalogue does not know is mapped to its closest
catalogue word when they are near enough (cached, so each new spelling is searched once).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from app.catalog.models import Catalog
from app.text.normalize import normalize

__all__ = ["Candidate", "Match", "Matcher", "MatcherSettings"]

# Folded function words: they join phrases but say nothing about which scam it is.
STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "ad",
        "ah",
        "ak",
        "ai",
        "anh",
        "ay",
        "ba",
        "bi",
        "bao",
        "cac",
        "cai",
        "chi",
        "cho",
        "chu",
        "co",
        "con",
        "cua",
        "cung",
        "da",
        "dang",
        "day",
        "de",
        "den",
        "di",
        "do",
        "duoc",
        "em",
        "gi",
        "gio",
        "ha",
        "hay",
        "het",
        "hoac",
        "hoi",
        "khi",
        "kia",
        "khong",
        "la",
        "lai",
        "lam",
        "len",
        "luc",
        "ma",
        "may",
        "minh",
        "mot",
        "muon",
        "nao",
        "nay",
        "ne",
        "neu",
        "nen",
        "nha",
        "nhe",
        "nhieu",
        "nhung",
        "nua",
        "o",
        "oi",
        "qua",
        "ra",
        "rang",
        "rat",
        "roi",
        "sao",
        "se",
        "sang",
        "so",
        "sau",
        "ta",
        "tai",
        "thay",
        "the",
        "thi",
        "thoi",
        "toi",
        "tren",
        "trong",
        "tu",
        "va",
        "ve",
        "vi",
        "voi",
        "vua",
        "vao",
        "xong",
        "y",
    ]
)


@dataclass(frozen=True, slots=True)
class MatcherSettings:
    """Thresholds on the 0–100 score, calibrated by `bench/calibrate.py` on labelled messages."""

    half_saturation: float = 8.0  # raw weight at which the score is 50
    confident: float = 55.0  # at or above: say which tactic it is
    floor: float = 35.0  # below: no match
    ambiguity_margin: float = 6.0  # top two closer than this (both above the floor): ask which


@dataclass(frozen=True, slots=True)
class Candidate:
    tactic: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's verdict on one message."""

    tactic: str | None  # None below the floor
    score: float  # top score, 0–100
    candidates: tuple[Candidate, ...]  # up to three, best first, all above the floor
    confident: bool
    ambiguous: bool


def _ngrams(tokens: Sequence[str]) -> set[str]:
    grams = {t for t in tokens if t not in STOPWORDS and len(t) > 1}
    grams.update(
        f"{a} {b}" for a, b in itertools.pairwise(tokens) if a not in STOPWORDS or b not in STOPWORDS
    )
    return grams


class Matcher:
    """Scores messages against every tactic of a catalogue; build once, call `match` per message."""

    # Chosen by a grid search of top-1 accuracy on the labelled dev set (bench/calibrate.py).
    KEYWORD_BOOST = 2.0
    BIGRAM_BOOST = 1.5
    COMMON_FRACTION = 1 / 3
    USE_DAMPING = 0.0
    SIZE_DAMPING = 0.0
    TYPO_CUTOFF = 90.0
    TYPO_MIN_LEN = 5
    CACHE_LIMIT = 200_000

    def __init__(self, catalog: Catalog, settings: MatcherSettings | None = None) -> None:
        if settings is None:
            thresholds = catalog.matcher
            settings = MatcherSettings(**thresholds.model_dump()) if thresholds else MatcherSettings()
        self.settings = settings
        self.tactic_ids: tuple[str, ...] = tuple(t.id for t in catalog.tactics)
        n = len(self.tactic_ids)
        # n-gram -> {tactic index: kind boost}, and how many of the tactic's phrases use it
        seen: dict[str, dict[int, float]] = {}
        uses: dict[tuple[str, int], int] = {}
        for ti, tactic in enumerate(catalog.tactics):
            for phrases, boost in (
                (tactic.patterns, 1.0),
                (tactic.keywords, self.KEYWORD_BOOST),
                ([tactic.name], 1.0),
            ):
                for phrase in phrases:
                    for gram in _ngrams(normalize(phrase).tokens):
                        kind = self.BIGRAM_BOOST if " " in gram else 1.0
                        per = seen.setdefault(gram, {})
                        per[ti] = max(per.get(ti, 0.0), boost * kind)
                        uses[gram, ti] = uses.get((gram, ti), 0) + 1
        size = [0] * n
        for per in seen.values():
            for ti in per:
                size[ti] += 1
        # Weight = kind boost x inverse tactic frequency x (1 + damped use count), divided by a damped
        # tactic vocabulary size so that tactics with long pattern lists do not win by volume.
        # An n-gram used by more than a third of the tactics says nothing about which one it is:
        # leaving it out keeps postings short (and measured no less accurate on the dev set).
        self.index: dict[str, tuple[tuple[int, float], ...]] = {}
        common = n * self.COMMON_FRACTION
        for gram, per in seen.items():
            if len(per) > common:
                continue
            idf = math.log((n + 1) / len(per))
            self.index[gram] = tuple(
                (
                    ti,
                    boost
                    * idf
                    * (1 + self.USE_DAMPING * math.log(uses[gram, ti]))
                    / size[ti] ** self.SIZE_DAMPING,
                )
                for ti, boost in per.items()
            )
        c = self.settings.confident
        self._confident_raw = self.settings.half_saturation * c / (100 - c) if c < 100 else math.inf
        self.vocabulary: tuple[str, ...] = tuple(sorted({g for g in seen if " " not in g}))
        self._known: set[str] = set(self.vocabulary) | STOPWORDS
        self._typos: dict[str, str | None] = {}

    def add_known_words(self, words: Iterable[str]) -> None:
        """Words that are spelled right even though no tactic uses them (never typo-corrected)."""
        self._known.update(words)

    def _correct(self, token: str) -> str | None:
        if token in self._typos:
            return self._typos[token]
        best = process.extractOne(
            token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=self.TYPO_CUTOFF, scorer_kwargs=None
        )
        fixed = best[0] if best is not None and Levenshtein.distance(token, best[0]) <= 1 else None
        if len(self._typos) < self.CACHE_LIMIT:
            self._typos[token] = fixed
        return fixed

    def _fix_typos(self, tokens: Sequence[str]) -> Sequence[str]:
        unknown = {
            t for t in set(tokens).difference(self._known) if len(t) >= self.TYPO_MIN_LEN and t.isalpha()
        }
        if not unknown:
            return tokens
        fixes = {t: r for t in unknown if (r := self._correct(t)) is not None}
        return [fixes.get(t, t) for t in tokens] if fixes else tokens

    def _sum(self, tokens: Sequence[str]) -> list[float]:
        # Stopwords, one-letter words and stopword pairs are not in the index: plain lookups miss them.
        grams = set(tokens)
        grams.update([f"{a} {b}" for a, b in itertools.pairwise(tokens)])
        scores = [0.0] * len(self.tactic_ids)
        for postings in filter(None, map(self.index.get, grams)):
            for ti, weight in postings:
                scores[ti] += weight
        return scores

    def raw_scores(self, tokens: Sequence[str]) -> list[float]:
        """Summed n-gram weight per tactic (catalogue order), typos corrected when it matters."""
        scores = self._sum(tokens)
        if max(scores, default=0.0) >= self._confident_raw:
            return scores  # already sure: spelling fixes would not change the answer's kind
        fixed = self._fix_typos(tokens)
        return scores if fixed is tokens else self._sum(fixed)

    def to_score(self, raw: float) -> float:
        """Map a raw weight onto 0–100 (monotonic, 50 at the half-saturation weight)."""
        return round(100.0 * raw / (raw + self.settings.half_saturation), 1) if raw > 0 else 0.0

    def match(self, tokens: Sequence[str]) -> Match:
        """Rank the tactics for one message's folded tokens."""
        s = self.settings
        raw = self.raw_scores(tokens)
        order = sorted(range(len(raw)), key=raw.__getitem__, reverse=True)[:3]
        scored = [Candidate(self.tactic_ids[i], self.to_score(raw[i])) for i in order]
        top = scored[0].score if scored else 0.0
        candidates = tuple(c for c in scored if c.score >= s.floor)
        if not candidates:
            return Match(None, top, (), confident=False, ambiguous=False)
        ambiguous = len(candidates) > 1 and candidates[0].score - candidates[1].score < s.ambiguity_margin
        return Match(
            candidates[0].tactic,
            top,
            candidates,
            confident=top >= s.confident and not ambiguous,
            ambiguous=ambiguous,
        )
