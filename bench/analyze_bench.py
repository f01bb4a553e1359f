"""Throughput of `canhgiac analyze` against the plain approach and the I/O floor, on one core.

Messages: the labelled dev set (tests/data/dev_messages.jsonl) expanded to >= 20,000 lines with
realistic variants (diacritics stripped, shouted, padded with chatter), so no two lines repeat.

- floor: read the JSON lines and write a JSON line per message, nothing else;
- ours:  the full `canhgiac analyze` path (normalise, match, intent, urgency, entities, JSON out);
- plain: `rapidfuzz.process.extractOne(text, every_pattern)` with its default scorer (WRatio),
         measured on a sample because it is slow, then reported per second.

Tactic accuracy of ours and plain on the labelled dev set is printed too.
Usage: python bench/analyze_bench.py [N]
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

from rapidfuzz import process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli import _analyze_stream  # noqa: E402
from app.nlu.analyzer import Analyzer  # noqa: E402
from app.settings import Settings  # noqa: E402

CHATTER = ["ad ơi", "giúp em với", "mn ơi", "ạ", "😭😭", "!!!", "cứuuu", "nhờ ad tư vấn", "thanks ad"]


def strip(text: str) -> str:
    d = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in d if not unicodedata.combining(c))


def corpus(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "tests/data/dev_messages.jsonl").open(encoding="utf-8")]
    rng = random.Random(7)
    lines: list[str] = []
    i = 0
    while len(lines) < n:
        row = rows[i % len(rows)]
        text = row["text"]
        k = i // len(rows)
        if k % 2:
            text = strip(text)
        if k % 3 == 1:
            text = text.upper()
        text = f"{rng.choice(CHATTER)} {text} {rng.choice(CHATTER)} #{i}"
        lines.append(json.dumps({"id": f"b{i}", "text": text}, ensure_ascii=False))
        i += 1
    return lines


def floor(lines: list[str]) -> float:
    start = time.perf_counter()
    out = io.StringIO()
    for line in lines:
        item = json.loads(line)
        out.write(json.dumps({"id": item["id"], "text": item["text"]}, ensure_ascii=False) + "\n")
    return time.perf_counter() - start


def ours(analyzer: Analyzer, lines: list[str]) -> float:
    source = io.StringIO("\n".join(lines) + "\n")
    start = time.perf_counter()
    _analyze_stream(analyzer, source, io.StringIO())
    return time.perf_counter() - start


def plain_choices(analyzer: Analyzer) -> tuple[list[str], list[str]]:
    choices, owners = [], []
    for tactic in analyzer.catalog.tactics:
        for pattern in tactic.patterns:
            choices.append(pattern)
            owners.append(tactic.id)
    return choices, owners


def plain(choices: list[str], lines: list[str]) -> float:
    start = time.perf_counter()
    for line in lines:
        item = json.loads(line)
        process.extractOne(item["text"], choices)
    return time.perf_counter() - start


def accuracy(analyzer: Analyzer, choices: list[str], owners: list[str]) -> tuple[float, float, int]:
    rows = [json.loads(line) for line in (ROOT / "tests/data/dev_messages.jsonl").open(encoding="utf-8")]
    labelled = [r for r in rows if r["tactic"]]
    ours_ok = sum(analyzer.analyze(r["text"]).tactic == r["tactic"] for r in labelled)
    plain_ok = 0
    for r in labelled:
        best = process.extractOne(r["text"], choices)
        plain_ok += best is not None and owners[best[2]] == r["tactic"]
    return ours_ok / len(labelled), plain_ok / len(labelled), len(labelled)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    settings = Settings()
    t0 = time.perf_counter()
    analyzer = Analyzer.from_files(settings.catalog_path, settings.intents_dir)
    load = time.perf_counter() - t0
    lines = corpus(n)
    choices, owners = plain_choices(analyzer)
    ours(analyzer, lines[:500])  # warm the caches the way a running service would be
    t_floor = min(floor(lines) for _ in range(3))
    t_ours = min(ours(analyzer, lines) for _ in range(3))
    sample = lines[:: max(1, n // 1000)]
    t_plain = plain(choices, sample)
    rate_floor, rate_ours, rate_plain = n / t_floor, n / t_ours, len(sample) / t_plain
    acc_ours, acc_plain, n_acc = accuracy(analyzer, choices, owners)
    print(
        f"catalogue: {len(analyzer.catalog.tactics)} tactics, {len(choices)} patterns; "
        f"load {load * 1000:.0f} ms"
    )
    print(f"messages: {n} (plain approach timed on {len(sample)})")
    print(f"{'approach':<8} {'msg/s':>10} {'us/msg':>8} {'tactic acc (dev, n=' + str(n_acc) + ')':>26}")
    print(f"{'floor':<8} {rate_floor:>10,.0f} {1e6 / rate_floor:>8.1f} {'-':>26}")
    print(f"{'ours':<8} {rate_ours:>10,.0f} {1e6 / rate_ours:>8.1f} {acc_ours:>26.3f}")
    print(f"{'plain':<8} {rate_plain:>10,.0f} {1e6 / rate_plain:>8.1f} {acc_plain:>26.3f}")
    print(f"ours / plain = {rate_ours / rate_plain:.1f}x   ours / floor = {rate_ours / rate_floor:.2f}")
    target = "meets" if rate_ours >= 20_000 and rate_ours >= 10 * rate_plain else "MISSES"
    print(f"target (>= 20,000 msg/s on one core and >= 10x plain): {target}")


if __name__ == "__main__":
    main()
