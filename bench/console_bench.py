"""Officer console: render time of the dashboard and of filtered tip lists with 100,000 tips.

Tips are bulk-inserted (fictional: a year of reports in two provinces, eight tactics, phones and
accounts drawn from pools so some repeat), then each page is requested through the real app (ASGI,
in process: routing, session check, queries, template) by a signed-in officer, warm, N times.
Printed: median and 95th percentile in ms per page and database; the target is < 300 ms.

Usage: python bench/console_bench.py [--tips 100000] [--runs 20] [--postgres-url URL]
(PostgreSQL: --postgres-url or CANHGIAC_TEST_POSTGRES_URL; a schema of its own, dropped afterwards.)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from app.console.accounts import add_officer  # noqa: E402
from app.console.models import Role  # noqa: E402
from app.db import make_engine, sqlalchemy_url, transaction, upgrade  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.text.formatting import VN_TZ  # noqa: E402
from app.tips.models import TIP_ACCOUNTS, TIP_LINKS, TIP_PHONES, TIP_TACTICS, TIPS  # noqa: E402

TACTICS = [
    "impersonate_authority",
    "otp_theft",
    "loan_app",
    "fake_shipper",
    "utility_bill",
    "scholarship_study",
    "romance_gift_scam",
    "job_task_scam",
]
STATUSES = ["moi", "moi", "moi", "dang_xac_minh", "da_chuyen", "da_dong"]
PASSWORD = "mật-khẩu-đo-1234"
HOT_PHONE = "+84912345678"


def populate(url: str, n: int) -> None:
    upgrade(url)
    db = make_engine(url)
    rng = random.Random(n)
    end = dt.datetime.now(dt.UTC)
    step = dt.timedelta(days=365) / n
    phones = [f"+8491{rng.randrange(10**7):07d}" for _ in range(n // 20)] + [HOT_PHONE]
    accounts = [f"04510{rng.randrange(10**8):08d}" for _ in range(n // 20)]
    domains = [f"vneid-{i}.top" for i in range(n // 100)]
    batch = 5000
    with db.begin() as connection:
        for base in range(0, n, batch):
            tips, tactics, tip_phones, tip_accounts, tip_links = [], [], [], [], []
            for i in range(base, min(n, base + batch)):
                tip_id = i + 1
                created = end - step * (n - i)
                province = "can-tho" if i % 4 else "tuyen-quang"
                tips.append(
                    {
                        "id": tip_id,
                        "ref_code": f"{'CT' if i % 4 else 'TQ'}-{created.astimezone(VN_TZ):%Y%m%d}-{i:06d}",
                        "created_at": created,
                        "updated_at": created,
                        "province": province,
                        "channel": "zalo",
                        "channel_id": "oa",
                        "reporter_id": f"user-{rng.randrange(n)}",
                        "reporter_name": "Nguyễn Văn An",
                        "score": 60.0,
                        "turns": [f"Có người gọi bảo tôi chuyển tiền vào tài khoản, lần {i}."],
                        "socials": [],
                        "pages": [],
                        "amount_vnd": rng.choice([None, 2_000_000, 45_000_000]),
                        "incident_when": "hôm qua",
                        "urgent": i % 7 == 0,
                        "status": rng.choice(STATUSES),
                        "officer_note": None,
                    }
                )
                tactics.append({"tip_id": tip_id, "position": 0, "tactic": rng.choice(TACTICS)})
                phone = HOT_PHONE if i % 500 == 0 else rng.choice(phones)
                tip_phones.append({"tip_id": tip_id, "position": 0, "phone": phone})
                if i % 2 == 0:
                    tip_accounts.append(
                        {
                            "tip_id": tip_id,
                            "position": 0,
                            "number": rng.choice(accounts),
                            "bank": "Vietcombank",
                        }
                    )
                if i % 3 == 0:
                    domain = rng.choice(domains)
                    tip_links.append(
                        {
                            "tip_id": tip_id,
                            "position": 0,
                            "url": f"https://{domain}/x",
                            "url_key": f"{domain}/x",
                            "domain": domain,
                        }
                    )
            connection.execute(TIPS.insert(), tips)
            connection.execute(TIP_TACTICS.insert(), tactics)
            connection.execute(TIP_PHONES.insert(), tip_phones)
            connection.execute(TIP_ACCOUNTS.insert(), tip_accounts)
            connection.execute(TIP_LINKS.insert(), tip_links)
        if db.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('tips', 'id'), (SELECT max(id) FROM tips))"
            )
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # What autovacuum would do after such a load (PostgreSQL's index-only scans need the
        # visibility map VACUUM sets).
        connection.exec_driver_sql("VACUUM ANALYZE" if db.dialect.name == "postgresql" else "ANALYZE")
    with transaction(db) as session:
        add_officer(session, username="ct", password=PASSWORD, role=Role.investigator, province="can-tho")
        add_officer(session, username="chief", password=PASSWORD, role=Role.admin, province=None)
    db.dispose()


async def measure(url: str, runs: int) -> dict[str, tuple[float, float, int]]:
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    app = create_app(settings)
    since = (dt.datetime.now(VN_TZ) - dt.timedelta(days=30)).date().isoformat()
    pages = {
        "dashboard (1 province)": ("ct", "/console/"),
        "dashboard (all provinces)": ("chief", "/console/"),
        "list: tactic + status + 30 days": ("ct", f"/console/tips?since={since}&tactic=otp_theft&status=moi"),
        "list: q = phone": ("ct", f"/console/tips?q={quote(HOT_PHONE)}"),
        "list: no filter, page 40": ("ct", "/console/tips?page=40"),
    }
    out: dict[str, tuple[float, float, int]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        clients: dict[str, httpx.AsyncClient] = {}
        for name in ("ct", "chief"):
            client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")
            login = await client.get("/console/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
            assert token
            done = await client.post(
                "/console/login", data={"username": name, "password": PASSWORD, "csrf_token": token.group(1)}
            )
            assert done.status_code == 303, done.text
            clients[name] = client
        for label, (who, path) in pages.items():
            client = clients[who]
            first = await client.get(path)
            assert first.status_code == 200, (path, first.status_code)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = await client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            times.sort()
            out[label] = (
                statistics.median(times),
                times[max(0, int(len(times) * 0.95) - 1)],
                len(first.content),
            )
        for client in clients.values():
            await client.aclose()
    return out


def report(name: str, results: dict[str, tuple[float, float, int]]) -> None:
    print(f"\n{name}")
    print(f"  {'page':34} {'median ms':>10} {'p95 ms':>8} {'KB':>6}  < 300 ms")
    for label, (median, p95, size) in results.items():
        print(f"  {label:34} {median:10.1f} {p95:8.1f} {size / 1024:6.1f}  {'yes' if p95 < 300 else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres-url", default=os.environ.get("CANHGIAC_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/console.db"
        started = time.perf_counter()
        populate(url, args.tips)
        print(f"SQLite: {args.tips:,} tips inserted in {time.perf_counter() - started:.0f} s")
        report(f"SQLite, {args.tips:,} tips", asyncio.run(measure(url, args.runs)))
    if not args.postgres_url:
        print("\nPostgreSQL: skipped (no --postgres-url nor CANHGIAC_TEST_POSTGRES_URL)")
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = sqlalchemy_url(args.postgres_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in args.postgres_url else "?"
    url = f"{args.postgres_url}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        started = time.perf_counter()
        populate(url, args.tips)
        print(f"\nPostgreSQL: {args.tips:,} tips inserted in {time.perf_counter() - started:.0f} s")
        report(f"PostgreSQL, {args.tips:,} tips", asyncio.run(measure(url, args.runs)))
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
