"""Calibrate the matcher's thresholds on labelled messages and (with --write) store them in the catalogue.

The thresholds are read from data, not guessed:
- half_saturation: the raw weight mapped to score 50, set so that the median correct match scores ~67;
- floor: the score that maximises the share of scam, report and check messages whose tactic is right
  (the right tactic above the floor, or nothing when no known tactic applies);
- confident: the lowest score from which the top tactic is right at least 95% of the time;
- ambiguity_margin: below this gap between the top two, the top tactic is right less than 70% of the
  time, so asking the citizen beats guessing.

Usage: python bench/calibrate.py [LABELLED.jsonl] [--write]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.catalog.loader import load_catalog  # noqa: E402
from app.nlu.matcher import Matcher, MatcherSettings  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.text.normalize import normalize  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else ROOT / "tests/data/dev_messages.jsonl"
    settings = Settings()
    catalog = load_catalog(settings.catalog_path)
    matcher = Matcher(catalog, MatcherSettings())
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    samples = []  # (top raw, second raw, top tactic, label)
    # Small talk never reaches the tactic decision (the intent rules stop it first), so the floor is
    # calibrated on what does: scam, report and check messages, with and without a known tactic.
    rows = [r for r in rows if r["intent"] in ("scam", "report", "check")]
    for row in rows:
        raw = matcher.raw_scores(normalize(row["text"]).tokens)
        order = sorted(range(len(raw)), key=raw.__getitem__, reverse=True)
        samples.append((raw[order[0]], raw[order[1]], matcher.tactic_ids[order[0]], row["tactic"]))

    correct = [s[0] for s in samples if s[3] and s[2] == s[3]]
    half = round(statistics.median(correct) / 2, 2)

    def score(raw: float) -> float:
        return 100 * raw / (raw + half) if raw > 0 else 0.0

    scored = [(score(a), score(b), top, label) for a, b, top, label in samples]
    positives = [s for s in scored if s[3]]
    negatives = [s for s in scored if not s[3]]

    def objective(floor: float) -> float:
        # Share of messages whose tactic field is right: the top tactic above the floor, or nothing.
        hit = sum(s[0] >= floor and s[2] == s[3] for s in positives)
        quiet = sum(s[0] < floor for s in negatives)
        return (hit + quiet) / len(scored)

    floor = max((f / 2 for f in range(0, 200)), key=lambda f: (objective(f), -f))

    confident = 100.0
    for c in sorted({s[0] for s in scored if s[0] >= floor}, reverse=True):
        above = [s for s in scored if s[0] >= c]
        if sum(s[2] == s[3] for s in above) / len(above) < 0.95:
            break
        confident = c

    margin = 0.0
    above_floor = [s for s in scored if s[0] >= floor and s[3]]
    for g in (x / 2 for x in range(1, 41)):
        close = [s for s in above_floor if s[0] - s[1] < g]
        if close and sum(s[2] == s[3] for s in close) / len(close) < 0.7:
            margin = g
    thresholds = {
        "half_saturation": half,
        "confident": round(max(confident, floor), 1),
        "floor": round(floor, 1),
        "ambiguity_margin": margin,
    }
    top1 = sum(s[2] == s[3] for s in positives) / len(positives)
    print(f"{len(rows)} messages ({len(positives)} with a tactic), top-1 accuracy {top1:.3f}")
    print(f"floor objective {objective(floor):.3f}")
    block = "matcher:\n" + "".join(f"  {k}: {v}\n" for k, v in thresholds.items())
    print(block, end="")
    if "--write" in sys.argv:
        text = settings.catalog_path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^matcher:\n(?:  .*\n)*", "", text)
        text = re.sub(r"(?m)^tactics:", block.replace("\\", "\\\\") + "tactics:", text, count=1)
        settings.catalog_path.write_text(text, encoding="utf-8")
        load_catalog(settings.catalog_path)
        print(f"written to {settings.catalog_path}")


if __name__ == "__main__":
    main()
