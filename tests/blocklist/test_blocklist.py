"""Warning lists: reading files, idempotent imports, bad lines, lookups, the CLI and the migration."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine as Database
from sqlalchemy import inspect
from typer.testing import CliRunner

from app.blocklist import service as bl
from app.blocklist.models import Kind
from app.catalog.official_domains import OfficialDomains
from app.db import downgrade, make_engine, transaction, upgrade

WHEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # 30/11/2026 in Vietnam


@pytest.fixture(scope="module")
def official() -> OfficialDomains:
    return OfficialDomains.load()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (Kind.domain, "Vietcombank-HoTro.top", "vietcombank-hotro.top"),
        (Kind.domain, "https://www.bidv-online.xyz/login?x=1", "bidv-online.xyz"),
        (Kind.domain, "evil[.]top", "evil.top"),
        (Kind.domain, "hxxps://evil(.)top/a", "evil.top"),
        (Kind.domain, "*.evil.top", "evil.top"),
        (Kind.domain, "203.0.113.7", "203.0.113.7"),
        (Kind.url, "https://sites.google.com/view/hoan-tien/", "sites.google.com/view/hoan-tien"),
        (Kind.phone, "0912 345 678", "+84912345678"),
        (Kind.phone, "+375 29 123 4567", "+375291234567"),
        (Kind.phone, "00375291234567", "+375291234567"),
        (Kind.account, "0451 0001 23456", "0451000123456"),
        (Kind.account, "1903-1234-5678", "190312345678"),
    ],
)
def test_items_are_normalised_for_lookup(kind: Kind, text: str, value: str):
    assert bl.normalize_item(kind, text) == value


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Kind.domain, "not a domain"),
        (Kind.domain, "nodot"),
        (Kind.domain, "bad_tld.123"),
        (Kind.domain, "x" * 600 + ".top"),
        (Kind.phone, "12ab34"),
        (Kind.phone, "123"),
        (Kind.account, "12345"),
        (Kind.account, "abc1234567"),
    ],
)
def test_bad_items_are_refused_with_a_reason(kind: Kind, text: str):
    with pytest.raises(bl.BadItem) as refused:
        bl.normalize_item(kind, text)
    assert str(refused.value)


def test_plain_lines_skip_blanks_and_comments_and_keep_line_numbers(tmp_path: Path):
    path = _write(tmp_path, "list.txt", "\ufeff# Cảnh báo tháng 11\n\nevil.top\n  bidv-online.xyz  \n# end\n")
    assert list(bl.read_list(path)) == [(3, "evil.top"), (4, "bidv-online.xyz")]


def test_csv_uses_the_value_column_or_the_one_named(tmp_path: Path):
    path = _write(
        tmp_path,
        "list.csv",
        'stt,domain,ngay\n1,evil.top,2026-11-01\n2,"bidv-online.xyz",2026-11-02\n\n3,,2026-11-03\n',
    )
    assert list(bl.read_list(path)) == [(2, "evil.top"), (3, "bidv-online.xyz"), (5, "")]
    other = _write(tmp_path, "other.csv", "id;trang\n1;evil.top\n")
    assert list(bl.read_list(other, column="trang")) == [(2, "evil.top")]
    with pytest.raises(bl.ListFormatError, match="--column"):
        list(bl.read_list(other))
    with pytest.raises(bl.ListFormatError, match="không có cột"):
        list(bl.read_list(other, column="value"))


def test_import_is_idempotent_reports_bad_lines_and_refuses_official_domains(
    db_engine: Database, tmp_path: Path, official: OfficialDomains
):
    path = _write(
        tmp_path,
        "cuc-attt.txt",
        "vietcombank-hotro.top\nbad domain here\nvietcombank.com.vn\n"
        "bidv-online.xyz\nnodot\nVIETCOMBANK-HOTRO.TOP\n",
    )
    first = bl.import_items(
        db_engine, bl.read_list(path), source="Cục ATTT", kind=Kind.domain, official=official, now=WHEN
    )
    assert (first.read, first.added, first.already) == (2, 2, 0)
    assert first.bad_count == 2
    assert [(b.line, b.text) for b in first.bad] == [(2, "bad domain here"), (5, "nodot")]
    assert first.official == ["vietcombank.com.vn"]
    again = bl.import_items(
        db_engine,
        bl.read_list(path),
        source="Cục ATTT",
        kind=Kind.domain,
        official=official,
        now=WHEN,
        file_name=path.name,
    )
    assert (again.read, again.added, again.already) == (2, 0, 2)
    with transaction(db_engine) as session:
        [summary] = bl.list_sources(session)
        assert summary.name == "Cục ATTT"
        assert summary.counts == {"domain": 2}
        assert summary.imported_at == WHEN
        assert summary.last_file == "cuc-attt.txt"


def test_replace_removes_what_the_new_list_no_longer_holds(db_engine: Database):
    bl.import_items(db_engine, enumerate(["a-evil.top", "b-evil.top"], 1), source="S", kind=Kind.domain)
    result = bl.import_items(
        db_engine, enumerate(["b-evil.top", "c-evil.top"], 1), source="S", kind=Kind.domain, replace=True
    )
    assert (result.added, result.removed) == (1, 1)
    with transaction(db_engine) as session:
        assert bl.lookup(session, Kind.domain, ["a-evil.top"]) == []
        assert [h.value for h in bl.lookup(session, Kind.domain, ["c-evil.top"])] == ["c-evil.top"]


def test_lookup_names_each_list_once_with_its_date_and_remove_forgets_it(db_engine: Database):
    bl.import_items(db_engine, [(1, "0912345678")], source="Ngân hàng A", kind=Kind.phone, now=WHEN)
    later = WHEN + dt.timedelta(days=2)
    bl.import_items(db_engine, [(1, "+84 912 345 678")], source="Công an tỉnh", kind=Kind.phone, now=later)
    with transaction(db_engine) as session:
        hits = bl.lookup(session, Kind.phone, ["+84912345678"])
        assert [(h.source, h.updated_at) for h in hits] == [("Công an tỉnh", later), ("Ngân hàng A", WHEN)]
        assert bl.lookup(session, Kind.account, ["+84912345678"]) == []
        assert bl.remove(session, source="Ngân hàng A") == 1
        assert bl.remove(session, source="Ngân hàng A") is None
    with transaction(db_engine) as session:
        assert [h.source for h in bl.lookup(session, Kind.phone, ["+84912345678"])] == ["Công an tỉnh"]
        assert [s.name for s in bl.list_sources(session)] == ["Công an tỉnh"]


def test_stems_find_near_copies_of_listed_sites():
    assert bl.stem("vietcombank-hotro247.top") == "vietcombankhotro"
    assert bl.stem("a.vietcombank-hotro.xyz") == "vietcombankhotro"
    assert bl.stem("abc.top") is None  # too short to mean anything
    assert bl.stem("203.0.113.7") is None


def test_a_50000_line_list_imports_in_seconds_and_a_lookup_takes_under_a_millisecond(
    db_engine: Database, tmp_path: Path, official: OfficialDomains
):
    """Timed in this process's CPU time, so other jobs on the machine do not make it flaky (the
    database server's own work on PostgreSQL is not counted; `make bench-blocklist` gives wall times)."""
    lines = [f"nganhang-xacminh-{i:05d}.top" for i in range(49_990)] + ["bad line"] * 10
    path = _write(tmp_path, "big.txt", "\n".join(lines) + "\n")
    started, wall = time.process_time(), time.perf_counter()
    result = bl.import_items(
        db_engine, bl.read_list(path), source="Danh sách lớn", kind=Kind.domain, official=official
    )
    elapsed = time.process_time() - started
    assert (result.added, result.bad_count) == (49_990, 10)
    assert elapsed < 10, f"import took {elapsed:.1f} s of CPU"
    assert time.perf_counter() - wall < 60  # even on a busy machine
    again = bl.import_items(db_engine, bl.read_list(path), source="Danh sách lớn", kind=Kind.domain)
    assert again.added == 0 and again.already == 49_990
    cpu, walls = [], []
    with transaction(db_engine) as session:
        bl.lookup(session, Kind.domain, ["warm-up.top"])
        for i in range(0, 49_990, 997):
            t0, w0 = time.process_time(), time.perf_counter()
            hits = bl.lookup(
                session, Kind.domain, [f"x.nganhang-xacminh-{i:05d}.top", f"nganhang-xacminh-{i:05d}.top"]
            )
            cpu.append(time.process_time() - t0)
            walls.append(time.perf_counter() - w0)
            assert len(hits) == 1
    assert statistics.median(cpu) < 0.001, f"median lookup {statistics.median(cpu) * 1000:.2f} ms of CPU"
    assert statistics.median(walls) < 0.02  # an index lookup, not a scan, even on a busy machine


def test_the_cli_imports_lists_and_removes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from app.cli import app

    monkeypatch.setenv("CANHGIAC_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    path = _write(tmp_path, "phones.csv", "value,note\n0912 345 678,x\nabc,y\n+375 29 123 4567,z\n")
    runner = CliRunner()
    done = runner.invoke(app, ["blocklist", "import", str(path), "--source", "Cục ATTT", "--kind", "phone"])
    assert done.exit_code == 0, done.output
    assert "thêm mới 2" in done.stdout
    assert "phones.csv:3: bỏ qua" in done.stderr
    again = runner.invoke(app, ["blocklist", "import", str(path), "--source", "Cục ATTT", "--kind", "phone"])
    assert "thêm mới 0" in again.stdout and "đã có 2" in again.stdout
    listed = runner.invoke(app, ["blocklist", "list"])
    assert "Cục ATTT" in listed.stdout and "phone: 2" in listed.stdout
    one = runner.invoke(app, ["blocklist", "remove", "Cục ATTT", "--kind", "phone", "--value", "0912345678"])
    assert one.exit_code == 0 and "Đã xóa 1" in one.stdout
    gone = runner.invoke(app, ["blocklist", "remove", "Không có"])
    assert gone.exit_code == 1
    missing = runner.invoke(app, ["blocklist", "import", str(tmp_path / "nope.txt"), "--source", "X"])
    assert missing.exit_code == 2
    nocol = _write(tmp_path, "two.csv", "a,b\n1,2\n")
    assert runner.invoke(app, ["blocklist", "import", str(nocol), "--source", "X"]).exit_code == 2


BLOCKLIST_TABLES = {"blocklist_sources", "blocklist_entries", "blocklist_imports"}


def test_the_migration_goes_up_and_down(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= BLOCKLIST_TABLES
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("blocklist_entries")}
        assert indexes["ix_blocklist_entries_kind_value"] == ["kind", "value"]
    finally:
        engine.dispose()
    from migrations_support import previous_revision

    downgrade(database_url, previous_revision())
    engine = make_engine(database_url)
    try:
        left = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert not (BLOCKLIST_TABLES & left) and "tips" in left
    upgrade(database_url)
