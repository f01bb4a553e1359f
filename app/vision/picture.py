"""Decoding a picture safely, preparing it for Tesseract, and its perceptual hash.

Screenshots come from strangers: anything that is not an image, or that would decode to a huge
bitmap (a decompression bomb), is refused before a pixel is expanded.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

__all__ = ["MAX_PIXELS", "ImageRefused", "decode", "dhash", "distance", "prepare"]

MAX_PIXELS = 30_000_000  # a 4K screenshot is 8.3 MP; a phone photo up to ~50 MP is shrunk first
_UPSCALE_BELOW = 1000  # screenshots narrower than this have small text: Tesseract wants it 2× larger
_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF", "BMP"})


class ImageRefused(ValueError):
    """The bytes are not a picture we read (not an image, an odd format, or a decompression bomb)."""


def decode(data: bytes) -> Image.Image:
    """The first frame of an image as RGB; raises `ImageRefused`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _FORMATS:
                raise ImageRefused(f"format {image.format} is not read")
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS * 2:
                raise ImageRefused("image too large")
            if width * height > MAX_PIXELS:  # JPEG can shrink while decoding, cheaply
                image.draft("RGB", (width // 2, height // 2))
            image.load()
    except ImageRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(type(exc).__name__) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt files
        raise ImageRefused(type(exc).__name__) from None
    if image.width * image.height > MAX_PIXELS:
        raise ImageRefused("image too large")
    picture: Image.Image = ImageOps.exif_transpose(image) or image
    if picture.mode in ("RGBA", "LA", "P", "PA"):  # transparency over white, as a screen shows it
        rgba = picture.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, rgba)
    return picture.convert("RGB")


def prepare(image: Image.Image) -> Image.Image:
    """Grayscale, dark mode inverted (Tesseract reads dark text on light), small text upscaled 2×."""
    gray = image.convert("L")
    if ImageStat.Stat(gray).mean[0] < 110:
        gray = ImageOps.invert(gray)
    if gray.width < _UPSCALE_BELOW:
        gray = gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.LANCZOS)
    return gray


def dhash(image: Image.Image, size: int = 8) -> str:
    """64-bit difference hash as hex: the same screenshot resized or recompressed stays within a few bits."""
    small = image.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(size):
        for col in range(size):
            left = pixels[row * (size + 1) + col]
            right = pixels[row * (size + 1) + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:0{size * size // 4}x}"


def distance(a: str, b: str) -> int:
    """Bits that differ between two hashes of the same size (a large number when they cannot be compared)."""
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count() if len(a) == len(b) else 64
    except ValueError:
        return 64
