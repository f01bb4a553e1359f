"""Warning lists: wall time to import 50,000 domains (first and again) and to look one up.

usage: blocklist_bench.py [DATABASE_URL]   (default: a fresh SQLite file in a temporary folder)
For PostgreSQL, give a URL whose search_path points at an empty schema.
"""

from __future__ import annotations

import pathlib
import statistics
import sys
import tempfile
import time

from app.blocklist import service as bl
from app.blocklist.models import Kind
from app.catalog.official_domains import OfficialDomains
from app.db import make_engine, transaction, upgrade

N = 50_000


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade(url)
    db = make_engine(url)
    path = pathlib.Path(tempfile.mkdtemp()) / "list.txt"
    path.write_text("\n".join(f"hotro-nganhang{i:05d}-xacminh.top" for i in range(N)) + "\n")
    official = OfficialDomains.load()
    started = time.perf_counter()
    first = bl.import_items(db, bl.read_list(path), source="Bench", kind=Kind.domain, official=official)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    bl.import_items(db, bl.read_list(path), source="Bench", kind=Kind.domain, official=official)
    again_s = time.perf_counter() - started
    timings = []
    with transaction(db) as session:
        bl.lookup(session, Kind.domain, ["warm-up.top"])
        for i in range(0, N, 101):
            host = f"hotro-nganhang{i:05d}-xacminh.top"
            t0 = time.perf_counter()
            bl.lookup(session, Kind.domain, [f"a.{host}", host])
            timings.append(time.perf_counter() - t0)
    dialect = db.dialect.name
    db.dispose()
    timings.sort()
    print(f"{dialect}: imported {first.added} in {first_s:.2f} s, again in {again_s:.2f} s")
    print(
        f"lookup median {statistics.median(timings) * 1000:.3f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)] * 1000:.3f} ms ({len(timings)} lookups)"
    )


if __name__ == "__main__":
    main()
