"""Reading screenshots: the text of the chat bubbles a citizen photographs or captures.

Pillow decodes and prepares the picture, Tesseract (a process, with its Vietnamese models) reads it,
known OCR confusions in links and numbers are repaired, and the layout says whose bubble is whose.
Pure like the language core: no database, no network, no platform.
"""

from app.vision.picture import ImageRefused, distance
from app.vision.reader import MIN_CHARACTERS, PoolBusy, Reading, ReadingPool, Uncertain, read_image
from app.vision.tesseract import TesseractMissing, available

__all__ = [
    "MIN_CHARACTERS",
    "ImageRefused",
    "PoolBusy",
    "Reading",
    "ReadingPool",
    "TesseractMissing",
    "Uncertain",
    "available",
    "distance",
    "read_image",
]
