"""Reading screenshots: how close `read_image` gets to the true text, and how fast.

On ../shared/eval/screens (the labelled public screenshots; skipped when ../shared is missing) and on
synthetic chats drawn here with Pillow (light and dark, 14-22 px, JPEG), it prints per image and in
total: the character error rate of the bubbles' text, whether every phone and the amount come out
exactly as from the true text, whether the tactic is the same, and the seconds per image.
The two-pass (default) reading is compared with one pass.

Usage: python bench/ocr_bench.py [--one-pass]
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from app.nlu.analyzer import Analyzer  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.vision import available, read_image  # noqa: E402

SCREENS = ROOT.parent / "shared" / "eval" / "screens"

SYNTHETIC = [
    [
        "Tôi là cán bộ công an, anh có liên quan đến vụ án rửa tiền.",
        "Anh chuyển 45.000.000đ vào tài khoản tạm giữ để xác minh, gọi ngay 0912 345 678.",
    ],
    ["Chúc mừng quý khách trúng thưởng xe máy SH. Nộp phí nhận thưởng 3.500.000đ, liên hệ 0868 123 456."],
    ["Mẹ ơi con đang cấp cứu, cần gấp 30 triệu. Chuyển vào số 0901 234 567 giúp con."],
]


def _flat(text: str) -> str:
    return " ".join(text.split())


def cases() -> list[tuple[str, bytes, str]]:
    out: list[tuple[str, bytes, str]] = []
    if (SCREENS / "screens.jsonl").exists():
        for line in (SCREENS / "screens.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["file"], (SCREENS / row["file"]).read_bytes(), row["text"]))
    else:
        print(f"{SCREENS} not found: the public screenshots are skipped")
    from screens import FONT, chat_screenshot

    if FONT.exists():
        for index, lines in enumerate(SYNTHETIC):
            for dark, size, fmt in ((False, 14, "PNG"), (True, 18, "JPEG"), (False, 22, "PNG")):
                name = f"synthetic-{index + 1}-{'dark' if dark else 'light'}-{size}px.{fmt.lower()}"
                out.append((name, chat_screenshot(lines, dark=dark, size=size, fmt=fmt), "\n".join(lines)))
    return out


def main() -> None:
    if not available():
        sys.exit("Tesseract with the Vietnamese model is not installed (see README, Screenshots)")
    second_pass = "--one-pass" not in sys.argv
    settings = Settings()
    analyzer = Analyzer.from_files(settings.catalog_path, settings.intents_dir)
    rows = cases()
    errors = chars = phones_ok = amounts_ok = tactics_ok = 0
    seconds: list[float] = []
    print(f"{'image':34} {'CER':>6} {'phones':>7} {'amount':>7} {'tactic':>7} {'s':>6}")
    for name, data, truth in rows:
        started = time.perf_counter()
        reading = read_image(data, second_pass=second_pass)
        seconds.append(time.perf_counter() - started)
        distance = Levenshtein.distance(_flat(reading.text), _flat(truth))
        errors += distance
        chars += len(_flat(truth))
        got, want = analyzer.analyze(reading.text), analyzer.analyze(truth)
        phone = got.entities.phones == want.entities.phones
        amount = got.entities.amount_vnd == want.entities.amount_vnd
        tactic = got.tactic == want.tactic
        phones_ok, amounts_ok, tactics_ok = phones_ok + phone, amounts_ok + amount, tactics_ok + tactic
        cer = distance / max(1, len(_flat(truth)))
        print(
            f"{name:34} {cer:6.3f} {'ok' if phone else 'DIFF':>7} {'ok' if amount else 'DIFF':>7} "
            f"{'ok' if tactic else 'DIFF':>7} {seconds[-1]:6.2f}"
        )
    n = len(rows)
    ordered = sorted(seconds)
    p95 = ordered[min(n - 1, math.ceil(0.95 * n) - 1)]
    print(
        f"\n{n} images, {'two passes' if second_pass else 'one pass'}: CER {errors / max(1, chars):.4f} | "
        f"phones exact {phones_ok}/{n} | amount exact {amounts_ok}/{n} | same tactic {tactics_ok}/{n} | "
        f"seconds per image: mean {statistics.mean(seconds):.2f}, p95 {p95:.2f}"
    )


if __name__ == "__main__":
    main()
