"""Reading one screenshot: the one function (`read_image`) and the bounded pool that runs it.

Two passes: the `vie` model reads the whole page with automatic layout; then the `Vietnamese` script
model reads only the lines that hold a phone, an account or a link (cut out and stacked, as one
block). Measured on chat screenshots, the first reads prose best; where the two disagree on such a
token the first was often wrong, so it is reported as uncertain: the bot asks the citizen to confirm
it before it is checked or stored.
"""

from __future__ import annotations

import asyncio
import difflib
import os
import re
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image

from app.vision import tesseract
from app.vision.cleanup import clean, critical_tokens
from app.vision.layout import Bubble, bubbles, is_time
from app.vision.picture import decode, dhash, prepare
from app.vision.tesseract import Pass, TesseractMissing, Word

__all__ = ["MIN_CHARACTERS", "PoolBusy", "Reading", "ReadingPool", "Uncertain", "read_image"]

MIN_CHARACTERS = 12  # fewer letters and digits than this is not a message worth analysing
PRIMARY = Pass("vie", 3)
SECOND = Pass("Vietnamese", 6)
_MARGIN = 12  # pixels around each line cut out for the second pass
_ALNUM = re.compile(r"[^0-9a-zà-ỹđ]", re.IGNORECASE)


class PoolBusy(RuntimeError):
    """Too many pictures are waiting to be read; this one is not queued."""


@dataclass(frozen=True, slots=True)
class Uncertain:
    """A phone, account or link the two passes read differently: as kept, and the other reading."""

    read: str
    alternative: str | None


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # the bubbles, one a line; the citizen's own bubbles included
    confidence: float  # 0..1
    bubbles: tuple[Bubble, ...] = ()
    uncertain: tuple[Uncertain, ...] = ()
    digest: str = ""  # perceptual hash (dHash, hex)
    seconds: float = 0.0
    characters: int = 0  # letters and digits read

    @property
    def enough(self) -> bool:
        return self.characters >= MIN_CHARACTERS

    @property
    def other_party(self) -> str:
        """The bubbles of the other party alone, when the layout shows sides."""
        return "\n".join(b.text for b in self.bubbles if b.side == "left")


def _run_passes(image_path: str, passes: tuple[Pass, ...]) -> list[list[Word]]:
    """Run the passes as concurrent processes over one file."""
    binary = tesseract.binary()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    processes = [
        subprocess.Popen(
            [binary, image_path, "stdout", "-l", how.language, "--psm", str(how.psm), "tsv"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for how in passes
    ]
    out: list[list[Word]] = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=tesseract.TIMEOUT)
            if process.returncode != 0:
                raise RuntimeError(f"tesseract exited {process.returncode}: {stderr[-300:]!r}")
            out.append(tesseract.parse_tsv(stdout.decode("utf-8", errors="replace")))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return out


def _compare(primary: str, second: str) -> tuple[str, list[Uncertain]]:
    """The primary text, with punctuation the second pass kept restored, and what stays uncertain."""
    first_tokens, second_tokens = critical_tokens(primary), critical_tokens(second)
    uncertain: list[Uncertain] = []
    for key, token in first_tokens.items():
        if key in second_tokens:
            continue
        kind = key.partition(":")[0]
        others = [t for k, t in second_tokens.items() if k.startswith(kind) and k not in first_tokens]
        best = max(others, key=lambda t: difflib.SequenceMatcher(None, t, token).ratio(), default=None)
        if best is not None and difflib.SequenceMatcher(None, best, token).ratio() < 0.6:
            best = None
        if best is not None and _ALNUM.sub("", best.lower()) == _ALNUM.sub("", token.lower()):
            if len(best) > len(token):  # the same letters, a hyphen or dot the first pass dropped
                primary = primary.replace(token, best)
            continue
        uncertain.append(Uncertain(token, best))
    return primary, uncertain


def _critical_strip(page: Image.Image, words: list[Word]) -> Image.Image | None:
    """The lines holding a phone, account or link, cut out and stacked: all the second pass reads.

    A fraction of the page, so the check costs a fraction of a full pass.
    """
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.paragraph, word.line), []).append(word)
    keys = sorted(lines)
    chosen: set[tuple[int, int, int]] = set()
    for index, key in enumerate(keys):
        text = " ".join(w.text for w in lines[key])
        if critical_tokens(clean(text)):
            chosen.add(key)
        following = keys[index + 1] if index + 1 < len(keys) else None
        after = " ".join(w.text for w in lines[following]) if following is not None else ""
        if following is not None and following[:2] == key[:2] and not is_time(after):
            joined = text + " " + after  # a number wrapped onto the next line
            alone = {**critical_tokens(clean(text)), **critical_tokens(clean(joined[len(text) :]))}
            if set(critical_tokens(clean(joined))) - set(alone):
                chosen.update((key, following))
    boxes = []
    for key in chosen:
        line = lines[key]
        left = max(0, min(w.left for w in line) - _MARGIN)
        top = max(0, min(w.top for w in line) - _MARGIN)
        right = min(page.width, max(w.left + w.width for w in line) + _MARGIN)
        bottom = min(page.height, max(w.top + w.height for w in line) + _MARGIN)
        boxes.append((left, top, right, bottom))
    if not boxes:
        return None
    boxes.sort(key=lambda box: box[1])
    width = max(right - left for left, _, right, _ in boxes) + 2 * _MARGIN
    height = sum(b - t for _, t, _, b in boxes) + _MARGIN * (len(boxes) + 1)
    strip = Image.new("L", (width, height), 255)
    y = _MARGIN
    for box in boxes:
        strip.paste(page.crop(box), (_MARGIN, y))
        y += box[3] - box[1] + _MARGIN
    return strip


def read_image(data: bytes, *, second_pass: bool = True) -> Reading:
    """Read the chat text in a screenshot. Raises `ImageRefused` (not a picture we read) and
    `TesseractMissing`."""
    started = time.perf_counter()
    if not tesseract.available():
        raise TesseractMissing("tesseract with the Vietnamese model (vie) is not installed")
    image = decode(data)
    digest = dhash(image)
    prepared = prepare(image)
    second_pass = second_pass and SECOND.language in tesseract.languages()
    with tempfile.TemporaryDirectory(prefix="canhgiac-ocr-") as folder:
        path = os.path.join(folder, "page.png")
        prepared.save(path, "PNG", compress_level=1)
        [words] = _run_passes(path, (PRIMARY,))
        strip = _critical_strip(prepared, words) if second_pass else None
        if strip is not None:
            strip_path = os.path.join(folder, "strip.png")
            strip.save(strip_path, "PNG", compress_level=1)
            [second_words] = _run_passes(strip_path, (SECOND,))
    found = bubbles(words, prepared.width, prepared.height)
    kept = [b for b in found if b.text.strip()]
    text = clean("\n".join(b.text for b in kept))
    uncertain: list[Uncertain] = []
    if strip is not None:
        # One line of text: a number wrapped over two lines reads whole, as in the bubbles' text.
        text, uncertain = _compare(text, clean(" ".join(w.text for w in second_words)))
    characters = sum(c.isalnum() for c in text)
    confidence = sum(b.confidence * b.characters for b in kept) / max(1, sum(b.characters for b in kept))
    return Reading(
        text=text,
        confidence=round(confidence, 3),
        bubbles=tuple(kept),
        uncertain=tuple(uncertain),
        digest=digest,
        seconds=round(time.perf_counter() - started, 3),
        characters=characters,
    )


@dataclass
class ReadingPool:
    """Reads pictures off the event loop: at most `workers` at once, at most `waiting` queued."""

    workers: int = 2
    waiting: int = 16
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _slots: threading.BoundedSemaphore | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="ocr")
        self._slots = threading.BoundedSemaphore(max(1, self.workers) + max(0, self.waiting))

    async def read(self, data: bytes) -> Reading:
        """`read_image` in the pool. Raises `PoolBusy`, `ImageRefused` and `TesseractMissing`."""
        assert self._executor is not None and self._slots is not None
        if not self._slots.acquire(blocking=False):
            raise PoolBusy("too many pictures waiting to be read")
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, read_image, data)
        finally:
            self._slots.release()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
