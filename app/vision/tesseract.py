"""Tesseract as a process: one pass over a prepared picture, its words with boxes (TSV output).

A process, not a binding: Tesseract's own threads are held to one (OMP_THREAD_LIMIT) so that the
bounded pool, not Tesseract, decides how many cores reading takes.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

from PIL import Image

__all__ = [
    "TIMEOUT",
    "Pass",
    "TesseractMissing",
    "Word",
    "available",
    "binary",
    "languages",
    "parse_tsv",
    "run",
]

TIMEOUT = 20.0  # seconds; a screenshot takes well under one


class TesseractMissing(RuntimeError):
    """Tesseract or its Vietnamese model is not installed."""


@dataclass(frozen=True, slots=True)
class Pass:
    """How one pass reads: the traineddata and the page segmentation mode."""

    language: str
    psm: int


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    confidence: float  # 0..100
    left: int
    top: int
    width: int
    height: int
    block: int
    paragraph: int
    line: int


@functools.cache
def languages() -> frozenset[str]:
    """The traineddata Tesseract has; empty when Tesseract itself is missing."""
    binary = shutil.which("tesseract")
    if binary is None:
        return frozenset()
    try:
        out = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def binary() -> str:
    """The tesseract executable; raises `TesseractMissing`."""
    found = shutil.which("tesseract")
    if found is None:
        raise TesseractMissing("tesseract is not installed")
    return found


def available() -> bool:
    """Whether screenshots can be read here: Tesseract with the `vie` model."""
    return "vie" in languages()


def run(image: Image.Image, how: Pass) -> list[Word]:
    """The words Tesseract reads in `image` (already prepared). Raises `TesseractMissing`."""
    binary = shutil.which("tesseract")
    if binary is None or how.language not in languages():
        raise TesseractMissing(f"tesseract with the {how.language!r} model is not installed")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        [binary, "stdin", "stdout", "-l", how.language, "--psm", str(how.psm), "tsv"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=TIMEOUT,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tesseract exited {done.returncode}: {done.stderr[-300:]!r}")
    return parse_tsv(done.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> list[Word]:
    """Word rows (level 5) of Tesseract's TSV output."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            block, par, line = int(cells[2]), int(cells[3]), int(cells[4])
            left, top, width, height = (int(c) for c in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        words.append(Word(cells[11].strip(), confidence, left, top, width, height, block, par, line))
    return words
