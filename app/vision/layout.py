"""From Tesseract's words to the chat's bubbles, and whose bubble each is.

Tesseract's paragraphs follow the bubbles of a chat screenshot. A bubble that starts near the left
edge is the other party's (the one a citizen forwards to ask about); one that starts right of the
first fifth and reaches the right edge is the citizen's own. The app's chrome is dropped: the title
bar at the top, the time under each bubble, the input bar at the bottom.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.vision.tesseract import Word

__all__ = ["Bubble", "bubbles", "is_time"]

_TIME = re.compile(r"^(?:hôm nay|hôm qua|today|yesterday)?\s*[\dOoIlUu]{1,2}\s*[:.,;]\s*[\dOo]{2}$", re.I)
_CHROME = re.compile(
    r"^(?:nhập tin nhắn|nhap tin nhan|nhắn tin|soạn tin nhắn|tin nhắn|aa|type a message|message|"
    r"đã xem|đã nhận|đã gửi|seen|delivered|sent)\W*$",
    re.IGNORECASE,
)


def is_time(text: str) -> bool:
    """A message time as read: "09:41", "9.42", "Hôm nay 09:41"."""
    return bool(_TIME.match(text.strip()))


@dataclass(frozen=True, slots=True)
class Bubble:
    text: str
    side: str  # "left" (the other party), "right" (the citizen) or "center"
    confidence: float  # mean word confidence, 0..1
    top: int
    characters: int


@dataclass(slots=True)
class _Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def right(self) -> int:
        return max(w.left + w.width for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.top + w.height for w in self.words)


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c))


def _chrome(line: _Line, height: int, first: bool, alone: bool) -> bool:
    text = line.text.strip()
    compact = re.sub(r"\s", "", text)
    if _TIME.match(text) or _CHROME.match(text):
        return True
    if len(compact) <= 2 and not compact.isdigit():  # icons read as letters: "Ö", "C)", "Ồ"
        return True
    # A time read badly ("U42", "9.42", "0941"), on a line of its own: inside a bubble's paragraph
    # the same shape is the wrapped end of a number ("678.").
    if alone and len(compact) <= 5 and sum(c.isdigit() for c in compact) >= 2:
        return True
    if line.top > height * 0.85:  # the input bar, however it was read ("mãp tin nhẳn")
        folded = _folded(text)
        if any(cue in folded for cue in ("tin nh", "nhap", "message", "aa")) and len(compact) < 20:
            return True
    # The title bar: the first line, at the very top, alone in its paragraph (a cropped bubble's
    # first line shares its paragraph with the rest of the bubble).
    return first and line.top < height * 0.08


def _side(left: int, right: int, width: int) -> str:
    start, end = left / max(1, width), right / max(1, width)
    return "left" if start < 0.2 else "right" if end > 0.8 and start > 0.25 else "center"


def _split_rows(lines: dict[tuple[int, int, int], _Line]) -> dict[tuple[int, ...], _Line]:
    """Tesseract sometimes runs one "line" across two bubbles at different heights or far apart:
    cut it where a word sits lower than the line height, or after a gap of several heights."""
    out: dict[tuple[int, ...], _Line] = {}
    for key, line in lines.items():
        words = sorted(line.words, key=lambda w: w.left)
        size = max(1, sorted(w.height for w in words)[len(words) // 2])
        piece = 0
        previous: Word | None = None
        for word in words:
            if previous is not None and (
                abs(word.top - previous.top) > size * 0.8
                or word.left - (previous.left + previous.width) > size * 4
            ):
                piece += 1
            out.setdefault((*key, piece), _Line([])).words.append(word)
            previous = word
    return out


def bubbles(words: list[Word], width: int, height: int) -> list[Bubble]:
    """The bubbles in reading order; chrome dropped."""
    found: dict[tuple[int, int, int], _Line] = {}
    for word in words:
        found.setdefault((word.block, word.paragraph, word.line), _Line([])).words.append(word)
    lines = _split_rows(found)
    ordered = sorted(lines.items(), key=lambda item: (item[1].top, item[1].left))
    sizes: dict[tuple[int, ...], int] = {}
    for key, _ in ordered:
        sizes[key[:2]] = sizes.get(key[:2], 0) + 1
    groups: dict[tuple[object, ...], list[_Line]] = {}
    for index, (key, line) in enumerate(ordered):
        alone = sizes[key[:2]] == 1
        if _chrome(line, height, index == 0 and len(ordered) > 1 and alone, alone):
            continue
        # A paragraph Tesseract ran across two bubbles is split where the side changes.
        groups.setdefault((*key[:2], _side(line.left, line.right, width)), []).append(line)
    out: list[Bubble] = []
    for group in groups.values():
        group_words = [w for line in group for w in line.words]
        side = _side(min(line.left for line in group), max(line.right for line in group), width)
        scored = [w for w in group_words if w.confidence >= 0]
        chars = sum(len(w.text) for w in scored)
        confidence = sum(w.confidence * len(w.text) for w in scored) / max(1, chars) / 100
        out.append(
            Bubble(
                " ".join(line.text for line in group),
                side,
                round(confidence, 3),
                min(line.top for line in group),
                sum(len(w.text) for w in group_words),
            )
        )
    out.sort(key=lambda b: b.top)
    return out
