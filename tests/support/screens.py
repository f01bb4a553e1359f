"""Synthetic chat screenshots drawn with Pillow (fictional people, numbers and links), and the rule
that OCR tests need Tesseract: skipped on a developer's machine without it, failed in CI."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from app.vision import available

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def need_tesseract() -> None:
    """Tesseract with `vie` and the DejaVu font, or: a skip locally, a failure in CI (CI=true)."""
    missing = [] if available() else ["tesseract-ocr with tesseract-ocr-vie"]
    if not FONT.exists():
        missing.append("fonts-dejavu-core")
    if not missing:
        return
    message = "OCR tests need " + " and ".join(missing) + " (.ci/run installs them)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def chat_screenshot(
    left: list[str],
    right: list[str] | None = None,
    *,
    dark: bool = False,
    size: int = 18,
    width: int = 480,
    title: str = "Người lạ",
    fmt: str = "PNG",
) -> bytes:
    """A phone chat: a title bar, the other party's bubbles on the left, the citizen's on the right."""
    font = ImageFont.truetype(str(FONT), size)
    bubbles = [(text, "left") for text in left] + [(text, "right") for text in right or []]
    background, bubble, ink = (
        ((18, 18, 18), (50, 50, 55), (235, 235, 235))
        if dark
        else (
            (235, 238, 242),
            (255, 255, 255),
            (20, 20, 20),
        )
    )
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    inner = int(width * 0.62)
    laid = [(_wrap(scratch, text, font, inner), side) for text, side in bubbles]
    line_h = int(size * 1.45)
    height = 70 + sum(len(lines) * line_h + 40 for lines, _ in laid) + 60
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 50), fill=(0, 104, 255))
    draw.text((16, 14), title, font=ImageFont.truetype(str(FONT), 20), fill=(255, 255, 255))
    y = 70
    for lines, side in laid:
        box_w = max(int(draw.textlength(line, font=font)) for line in lines) + 28
        box_h = len(lines) * line_h + 18
        x = 12 if side == "left" else width - 12 - box_w
        fill = bubble if side == "left" else (0, 132, 255)
        draw.rounded_rectangle((x, y, x + box_w, y + box_h), radius=12, fill=fill)
        for index, line in enumerate(lines):
            colour = ink if side == "left" else (255, 255, 255)
            draw.text((x + 14, y + 9 + index * line_h), line, font=font, fill=colour)
        y += box_h + 22
    out = io.BytesIO()
    image.save(out, fmt, quality=80) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


SCAM_LINES = [
    "Tôi là cán bộ công an, anh có liên quan đến vụ án rửa tiền.",
    "Anh chuyển 45.000.000đ vào tài khoản tạm giữ để xác minh, gọi ngay 0912 345 678.",
]
