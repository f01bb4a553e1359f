"""Tips: facts through the round trip, export speed and memory, and the latency of a number check.

1. Round trip: 1,000 generated reports (fictional numbers, accounts, links, amounts; some typed
   without diacritics, some decomposed (NFD), some starting with a formula character) are filed
   through `Responder.handle` (report + "Có"), then exported as CSV, XLSX and JSON Lines and read back
   (csv module, openpyxl, json). Printed: how many generated facts the bot did not record
   (understanding), and how many stored tips differ in each export (must be 0).
2. Export: 20,000 and 100,000 tips (bulk-inserted) exported to CSV and XLSX, each in a fresh
   process; printed: seconds and the most resident memory (RSS, sampled every 1,000 tips) grew
   over its level before the export. Growth that does not rise with the number of tips means the
   export streams.
3. Check: looking a number up among 100,000 tips (index on tip_phones.phone), in ms, plus the query
   plan, and the whole engine answer to "số ... có phải lừa đảo không".

Usage: python bench/tips_bench.py [--database-url URL] [--reports 1000] [--sizes 20000,100000]
(default: SQLite files in a temporary directory).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from sqlalchemy import Engine as Database  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.contracts import IncomingMessage  # noqa: E402
from app.conversation.responder import Responder  # noqa: E402
from app.db import make_engine, transaction, upgrade  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.text.formatting import VN_TZ  # noqa: E402
from app.text.normalize import fold  # noqa: E402
from app.tips.export import (  # noqa: E402
    HEADERS,
    ExportOptions,
    chunks,
    csv_chunks,
    jsonl_chunks,
    tip_json,
    unneutralize,
    write_xlsx,
)
from app.tips.models import TIP_ACCOUNTS, TIP_LINKS, TIP_PHONES, TIP_TACTICS, TIPS, TipRead  # noqa: E402
from app.tips.service import iter_tips, phone_stats  # noqa: E402

MOBILE_PREFIXES = [
    "091",
    "094",
    "098",
    "097",
    "096",
    "086",
    "032",
    "035",
    "038",
    "070",
    "077",
    "081",
    "083",
    "088",
]
BANKS = [("Vietcombank", "Vietcombank"), ("Techcombank", "Techcombank"), ("BIDV", "BIDV"), ("ACB", "ACB")]
BANKS += [("Agribank", "Agribank"), ("VPBank", "VPBank"), ("Sacombank", "Sacombank"), ("MB Bank", "MB")]
AMOUNTS = [
    ("45 triệu", 45_000_000),
    ("1tr5", 1_500_000),
    ("3.500.000đ", 3_500_000),
    ("2 tỷ", 2_000_000_000),
    ("800k", 800_000),
    ("12 triệu", 12_000_000),
]
LURES = ["capnhat", "hotro", "xacminh", "nhanqua", "uudai", "dangky"]
TLDS = ["top", "xyz", "click", "online", "site", "vip"]
STORIES = [
    "Tôi muốn tố giác: số {phone} gọi tự xưng công an, bắt tôi chuyển {amount} vào stk {acct} {bank}, "
    "còn gửi link {url} để cài app. Tôi đã chuyển tiền rồi.",
    "Tố giác số {phone}: giả nhân viên ngân hàng, gửi link {url} bảo nâng hạn mức thẻ, tôi bị trừ {amount} "
    "sang tài khoản {acct} {bank}.",
    "Tôi bị lừa {amount} khi làm nhiệm vụ like video, họ liên hệ qua số {phone}, bắt nạp tiền vào stk "
    "{acct} {bank} và vào trang {url}. Tôi muốn tố giác.",
    "Báo công an giúp tôi: shipper số {phone} đòi phí giao hàng, gửi link {url}, tôi đã chuyển {amount} "
    "vào tk {acct} {bank}.",
]


def settings(url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        catalog_path=ROOT / "scam_catalog.yaml",
        intents_dir=ROOT / "intents",
        provinces_path=ROOT / "provinces.yaml",
    )


def fresh_sqlite(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / name}"


# --------------------------------------------------------------------------- 1. round trip


def generate(rng: random.Random, n: int) -> list[dict[str, Any]]:
    reports = []
    for i in range(n):
        local = rng.choice(MOBILE_PREFIXES)[1:] + f"{rng.randrange(10**7):07d}"
        acct = rng.choice(["0451", "1903", "1012", "2210"]) + f"{rng.randrange(10**9):09d}"
        bank_written, bank = rng.choice(BANKS)
        amount_text, amount = rng.choice(AMOUNTS)
        brand = rng.choice(["vneid", "vietcombank", "dichvucong", "evn", "shopee"])
        url = f"{brand}-{rng.choice(LURES)}{i}.{rng.choice(TLDS)}"
        body = rng.choice(STORIES).format(
            phone=f"0{local[:3]} {local[3:6]} {local[6:]}",
            amount=amount_text,
            acct=acct,
            bank=bank_written,
            url=url,
        )
        style = i % 5
        if style == 1:
            body = fold(body)  # typed without diacritics
        elif style == 2:
            body = unicodedata.normalize("NFD", body)  # a keyboard sending decomposed letters
        elif style == 3:
            body = rng.choice(["=", "+", "-", "@"]) + body  # a formula character in front
        reports.append(
            {
                "user": f"bench-{i}",
                "text": body,
                "phones": [f"+84{local}"],
                "accounts": [(acct, bank)],
                "urls": [url],
                "amount": amount,
            }
        )
    return reports


def file_reports(
    engine: Responder, db: Database, reports: list[dict[str, Any]]
) -> tuple[list[str | None], float]:
    province = engine.provinces.get("can-tho")
    refs: list[str | None] = []
    started = time.perf_counter()
    for n, report in enumerate(reports):
        ref = None
        for k, said in enumerate((report["text"], "Có")):
            message = IncomingMessage(
                channel="web", channel_id="can-tho", user_id=report["user"], message_id=f"{n}-{k}", text=said
            )
            with transaction(db) as session:
                replies = engine.handle(message, province=province, session=session)
            found = [r.text for r in replies if "Mã tố giác của bạn: " in r.text]
            if found:
                ref = found[0].split("Mã tố giác của bạn: ", 1)[1].split()[0]
        refs.append(ref)
    return refs, time.perf_counter() - started


def _csv_facts(row: dict[str, str]) -> dict[str, Any]:
    cell = {k: unneutralize(v) for k, v in row.items()}
    accounts = []
    for part in filter(None, cell["Số tài khoản"].split("; ")):
        number, _, bank = part.partition(" (")
        accounts.append((number, bank[:-1] if bank else None))
    return {
        "ref": cell["Mã tố giác"],
        "created": cell["Thời gian nhận (giờ VN)"],
        "phones": [p for p in cell["Số điện thoại"].split("; ") if p],
        "accounts": accounts,
        "urls": [u for u in cell["Đường link"].split("; ") if u],
        "amount": int(cell["Số tiền (VND)"]) if cell["Số tiền (VND)"] else None,
        "turns": cell["Nội dung tố giác"],
        "tactics": [t for t in cell["Mã thủ đoạn"].split("; ") if t],
        "province": cell["Tỉnh/thành"],
    }


def _db_facts(tip: TipRead, created_format: str | None = "%Y-%m-%d %H:%M:%S") -> dict[str, Any]:
    created = tip.created_at.astimezone(VN_TZ).replace(tzinfo=None, microsecond=0)
    return {
        "ref": tip.ref_code,
        "created": created.strftime(created_format) if created_format else created,
        "phones": list(tip.phones),
        "accounts": [(a.number, a.bank) for a in tip.accounts],
        "urls": [link.url for link in tip.links],
        "amount": tip.amount_vnd,
        "turns": "\n".join(tip.turns),
        "tactics": list(tip.tactics),
        "province": tip.province,
    }


def round_trip(workdir: Path, url: str | None, n: int) -> None:
    url = url or fresh_sqlite(workdir, "round_trip.db")
    upgrade(url)
    db = make_engine(url)
    engine = Responder.from_settings(settings(url))
    reports = generate(random.Random(20261123), n)
    refs, seconds = file_reports(engine, db, reports)
    tips = {t.ref_code: t for t in iter_tips(db)}
    filed = [r for r in refs if r]
    print(
        f"[round trip] {n} generated reports filed through the engine in {seconds:.1f} s; {len(filed)} stored"
    )

    understood = 0
    for report, ref in zip(reports, refs, strict=True):
        tip = tips.get(ref or "")
        if tip is None:
            understood += 1
            continue
        facts = (
            tip.phones == report["phones"],
            [(a.number, a.bank) for a in tip.accounts] == report["accounts"],
            [link.url for link in tip.links] == report["urls"],
            tip.amount_vnd == report["amount"],
            tip.turns == [unicodedata.normalize("NFC", report["text"])],
        )
        understood += not all(facts)
    print(f"[round trip] report -> database: {understood} of {n} reports with a fact recorded differently")

    options = ExportOptions(pseudonym_key=b"bench-key", include_reporter=True)
    stored = list(tips.values())
    expected = {t.ref_code: _db_facts(t) for t in stored}

    rows = list(
        csv.DictReader(io.StringIO(b"".join(csv_chunks(stored, options=options)).decode("utf-8-sig")))
    )
    csv_bad = sum(1 for row in rows if _csv_facts(row) != expected.get(unneutralize(row["Mã tố giác"])))
    csv_bad += abs(len(rows) - len(stored))

    buffer = io.BytesIO()
    write_xlsx(stored, options=options, target=buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).active
    xlsx_rows = sheet.iter_rows(values_only=True)
    header = next(xlsx_rows)
    assert tuple(header) == HEADERS
    xlsx_bad = 0
    count = 0
    for values in xlsx_rows:
        count += 1
        values = (*values, *(None,) * (len(header) - len(values)))  # trailing empty cells are not stored
        row = dict(zip(header, values, strict=True))
        tip = tips.get(str(row["Mã tố giác"]))
        want = _db_facts(tip, created_format=None) if tip else None
        got = {
            "ref": row["Mã tố giác"],
            "created": row["Thời gian nhận (giờ VN)"],
            "phones": [p for p in (row["Số điện thoại"] or "").split("; ") if p],
            "accounts": _csv_facts({h: str(v if v is not None else "") for h, v in row.items()})["accounts"],
            "urls": [u for u in (row["Đường link"] or "").split("; ") if u],
            "amount": row["Số tiền (VND)"],
            "turns": row["Nội dung tố giác"] or "",
            "tactics": [t for t in (row["Mã thủ đoạn"] or "").split("; ") if t],
            "province": row["Tỉnh/thành"],
        }
        xlsx_bad += got != want
    xlsx_bad += abs(count - len(stored))

    lines = b"".join(jsonl_chunks(stored, options=options)).decode("utf-8").splitlines()
    jsonl_bad = sum(
        1 for line, tip in zip(lines, stored, strict=True) if json.loads(line) != tip_json(tip, options)
    )
    jsonl_bad += abs(len(lines) - len(stored))
    print(f"[round trip] database -> export mismatches: csv {csv_bad}, xlsx {xlsx_bad}, jsonl {jsonl_bad}")
    db.dispose()


# --------------------------------------------------------------------------- 2. bulk data and exports


def bulk_insert(url: str, n: int, *, hot_phone: str, hot_every: int = 1000) -> None:
    """`n` tips with children, inserted in batches (what a year of reports could look like)."""
    upgrade(url)
    db = make_engine(url)
    rng = random.Random(n)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    turn = (
        "Có người gọi xưng công an phường, bảo tôi dính đường dây rửa tiền, yêu cầu chuyển tiền vào tài khoản"
    )
    batch = 5000
    with db.begin() as connection:
        for base in range(0, n, batch):
            tips, tactics, phones, accounts, links = [], [], [], [], []
            for i in range(base, min(n, base + batch)):
                tip_id = i + 1
                created = start + dt.timedelta(minutes=5 * i)
                tips.append(
                    {
                        "id": tip_id,
                        "ref_code": f"CT-{created.astimezone(VN_TZ):%Y%m%d}-{i:06d}",
                        "created_at": created,
                        "updated_at": created,
                        "province": "can-tho",
                        "channel": "zalo",
                        "channel_id": "579745863508352884",
                        "reporter_id": f"user-{rng.randrange(n)}",
                        "reporter_name": "Nguyễn Văn An",
                        "score": 61.5,
                        "turns": [f"{turn} {i}.", "số tiền 45 triệu, hôm qua"],
                        "socials": [],
                        "amount_vnd": 45_000_000,
                        "incident_when": "hôm qua",
                        "urgent": i % 3 == 0,
                        "status": "moi",
                        "officer_note": None,
                    }
                )
                tactics.append({"tip_id": tip_id, "position": 0, "tactic": "impersonate_authority"})
                phone = hot_phone if i % hot_every == 0 else f"+8491{rng.randrange(10**7):07d}"
                phones.append({"tip_id": tip_id, "position": 0, "phone": phone})
                accounts.append(
                    {"tip_id": tip_id, "position": 0, "number": f"0451{i:09d}", "bank": "Vietcombank"}
                )
                links.append(
                    {
                        "tip_id": tip_id,
                        "position": 0,
                        "url": f"vneid-{i}.top",
                        "url_key": f"vneid-{i}.top",
                        "domain": f"vneid-{i}.top",
                    }
                )
            connection.execute(TIPS.insert(), tips)
            connection.execute(TIP_TACTICS.insert(), tactics)
            connection.execute(TIP_PHONES.insert(), phones)
            connection.execute(TIP_ACCOUNTS.insert(), accounts)
            connection.execute(TIP_LINKS.insert(), links)
    if db.dialect.name == "postgresql":
        with db.begin() as connection:
            connection.execute(text("ANALYZE"))
    db.dispose()


def _rss_mb() -> float:
    """Resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def _export_child(url: str, fmt: str, target: str, out: Any) -> None:
    db = make_engine(url)
    options = ExportOptions(
        pseudonym_key=b"bench-key", tactic_names={"impersonate_authority": "Giả danh công an"}
    )
    next(iter(iter_tips(db, chunk=10)), None)  # warm up: connection, imports, first page
    baseline = _rss_mb()
    peak = baseline
    started = time.perf_counter()
    count = 0

    def counted() -> Any:
        nonlocal count, peak
        for tip in iter_tips(db):
            count += 1
            if count % 1000 == 0:  # sampled while rows are being written, for both formats
                peak = max(peak, _rss_mb())
            yield tip

    with open(target, "wb") as sink:
        for chunk in chunks(fmt, counted(), options=options):  # type: ignore[arg-type]
            sink.write(chunk)
    peak = max(peak, _rss_mb())
    out.put((count, time.perf_counter() - started, peak - baseline, Path(target).stat().st_size))
    db.dispose()


def export_in_fresh_process(url: str, fmt: str, target: Path) -> tuple[int, float, float, int]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_export_child, args=(url, fmt, str(target), queue))
    process.start()
    result = queue.get(timeout=1800)
    process.join()
    return result  # type: ignore[no-any-return]


def exports(workdir: Path, url: str | None, sizes: list[int]) -> str:
    hot = "+84912345678"
    biggest = ""
    for size in sizes:
        db_url = url if url and size == sizes[-1] else fresh_sqlite(workdir, f"tips_{size}.db")
        if url and size != sizes[-1]:
            continue  # one shared PostgreSQL database: only the largest size
        started = time.perf_counter()
        bulk_insert(db_url, size, hot_phone=hot)
        print(f"[export] {size:,} tips inserted in {time.perf_counter() - started:.1f} s")
        for fmt in ("csv", "xlsx"):
            count, seconds, rss, nbytes = export_in_fresh_process(
                db_url, fmt, workdir / f"export_{size}.{fmt}"
            )
            print(
                f"[export] {fmt:4} {count:>7,} tips: {seconds:6.1f} s, {nbytes / 1e6:6.1f} MB file, "
                f"memory (RSS) +{rss:5.1f} MB at most during the export"
            )
        biggest = db_url
    return biggest


# --------------------------------------------------------------------------- 3. checks


def checks(url: str) -> None:
    db = make_engine(url)
    engine = Responder.from_settings(settings(url))
    with transaction(db) as session:
        total = session.execute(text("SELECT count(*) FROM tips")).scalar_one()
        if db.dialect.name == "sqlite":
            plan = session.execute(
                text("EXPLAIN QUERY PLAN SELECT tip_id FROM tip_phones WHERE phone = :p"),
                {"p": "+84912345678"},
            ).all()
            plan_text = "; ".join(str(row[-1]) for row in plan)
        else:
            plan = session.execute(
                text("EXPLAIN SELECT tip_id FROM tip_phones WHERE phone = :p"), {"p": "+84912345678"}
            ).all()
            plan_text = "; ".join(str(row[0]).strip() for row in plan)
        times = []
        for i in range(300):
            phone = "+84912345678" if i % 2 == 0 else f"+8490{i:07d}"
            started = time.perf_counter()
            stats = phone_stats(session, phone=phone)
            times.append((time.perf_counter() - started) * 1000)
            if i == 0:
                hot = stats
    print(f"[check] query plan: {plan_text}")
    print(
        f"[check] number lookup among {total:,} tips: median {statistics.median(times):.2f} ms, "
        f"p95 {sorted(times)[int(len(times) * 0.95)]:.2f} ms (the reported number has {hot.count} tips)"
    )
    province = engine.provinces.get("can-tho")
    answer_times = []
    for i in range(100):
        message = IncomingMessage(
            channel="web",
            channel_id="can-tho",
            user_id=f"asker-{i}",
            message_id=str(i),
            text="số 0912345678 có phải lừa đảo không ad",
        )
        started = time.perf_counter()
        with transaction(db) as session:
            replies = engine.handle(message, province=province, session=session)
        answer_times.append((time.perf_counter() - started) * 1000)
    assert "tố giác" in replies[0].text
    print(f"[check] whole engine answer to a number check: median {statistics.median(answer_times):.2f} ms")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL (an empty database); default SQLite"
    )
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--sizes", default="20000,100000")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="tips-bench-") as tmp:
        workdir = Path(tmp)
        round_trip(workdir, args.database_url, args.reports)
        if args.database_url:  # the round trip's tips are in the way of the bulk ids
            with make_engine(args.database_url).begin() as connection:
                connection.execute(text("DELETE FROM tips"))
        biggest = exports(workdir, args.database_url, sizes)
        checks(biggest)


if __name__ == "__main__":
    main()
