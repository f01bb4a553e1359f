"""Worst-case cost of entity extraction: long messages of awkward content.

Every extractor must be linear in its input. This prints, for each awkward input of N
characters (default 20,000), the time of one ``extract_entities`` call and the time per
thousand characters; a quadratic or cubic step shows up as a figure that grows with N.

Usage: python bench/entities_worst_case.py [N ...]
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.nlu.entities import extract_entities  # noqa: E402
from app.nlu.entities.dates import find_incident_date  # noqa: E402

WORDS_TEXT = (
    "tôi bị lừa chuyển khoản stk tk sđt zalo ngân hàng vietcombank mất triệu tr k nghìn đã "
    "rồi bảo phải nạp đóng phí cọc hôm qua thứ 7 tuần trước ngày tháng chủ tk tên fanpage "
    "shop bit.ly/Ab1 x.top 0912 345 678 1tr5 20/11 19:05 cccd 001203004567 = ( ) \" ' . , : ;"
)
WORDS = WORDS_TEXT.split()


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def _random_words(n: int) -> str:
    rng = random.Random(1)
    out: list[str] = []
    size = 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def _random_digits(n: int) -> str:
    rng = random.Random(2)
    return "".join(rng.choice("0123456789 .,-") for _ in range(n))


INPUTS: dict[str, Callable[[int], str]] = {
    "digits and spaces": _repeat("9 "),
    "digits only": _repeat("9"),
    "dots": _repeat("."),
    "digits and dots": _repeat("1."),
    "repeated phone": _repeat("0912 345 678 "),
    "repeated amount": _repeat("chuyển 1tr5 rồi, "),
    "random words": _random_words,
    "random digit soup": _random_digits,
    "letters no space": _repeat("a"),
    "dotted letters": _repeat("a.b"),
    "spaces": _repeat(" "),
    "names and pages": _repeat("fanpage tên Tiệm Nhà Mèo stk 2100445566 ACB tên NGUYEN THI HOA, "),
    "paid series": _repeat("nạp lần đầu 20 triệu, bảo nạp tiếp 50 triệu mới cho rút, chuyển rồi. "),
    "dates and times": _repeat("03-12-2026 19:05:12 hôm qua thứ 7 tuần trước 20/11 "),
}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [20_000]
    extract_entities("khởi động 0912 345 678")  # import-time work out of the figures
    today = datetime.date(2026, 12, 3)
    print(f"{'input':<20} {'chars':>7} {'entities ms':>12} {'ms/1k chars':>12} {'dates ms':>9}")
    worst = 0.0
    for name, make in INPUTS.items():
        for n in sizes:
            text = make(n)
            start = time.perf_counter()
            extract_entities(text)
            ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            find_incident_date("x " * (n // 2) if name == "dates and times" else text, today)
            ms_dates = (time.perf_counter() - start) * 1000
            worst = max(worst, ms, ms_dates)
            print(f"{name:<20} {n:>7} {ms:>12.1f} {ms / n * 1000:>12.3f} {ms_dates:>9.1f}", flush=True)
    print(f"slowest call: {worst:.1f} ms (budget: 500 ms for 20,000 characters)")


if __name__ == "__main__":
    main()
