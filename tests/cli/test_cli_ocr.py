"""`canhgiac ocr FILE...`: one JSON line per file, the stable interface the checks use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from screens import SCAM_LINES, chat_screenshot, need_tesseract

from app.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_each_file_gives_one_json_line_with_text_confidence_and_seconds(tmp_path: Path):
    need_tesseract()
    screen = tmp_path / "screen.png"
    screen.write_bytes(chat_screenshot(SCAM_LINES))
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải ảnh", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "app", "ocr", str(screen), str(junk), str(tmp_path / "missing.png")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == ["screen.png", "notes.txt", "missing.png"]
    first = lines[0]
    assert set(first) >= {"file", "text", "confidence", "seconds"}
    assert "0912 345 678" in first["text"] and "45.000.000" in first["text"]
    assert 0 < first["confidence"] <= 1 and first["seconds"] >= 0
    assert lines[1]["text"] == "" and "error" in lines[1]
    assert lines[2]["text"] == "" and "error" in lines[2]
