"""Exports read back: CSV (csv module), XLSX (openpyxl), JSON Lines; and the `canhgiac tips` commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import openpyxl
import pytest
from citizens import add_tip
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine as Database

from app.settings import PROJECT_ROOT
from app.text.formatting import VN_TZ
from app.tips.export import (
    EMPTY_MARK,
    HEADERS,
    ExportOptions,
    csv_chunks,
    jsonl_chunks,
    neutralize,
    pseudonym,
    unneutralize,
    write_xlsx,
)
from app.tips.models import TipRead
from app.tips.service import TipFilter, iter_tips

DAY = dt.datetime(2026, 11, 23, 3, 4, 5, tzinfo=dt.UTC)
KEY = b"test-pseudonym-key"
# Text a scammer (or a prankster) could make a citizen paste: each would be a formula in Excel.
INJECTIONS = [
    '=HYPERLINK("http://x","bấm vào")',
    "+84 gọi tôi bảo =1+1",
    "-5tr bị trừ",
    "@SUM(1;2)",
    "\tTab đầu dòng",
    "\rCR đầu dòng",
    "'đã có dấu nháy",
    EMPTY_MARK,
]
VIETNAMESE = "Tôi bị lừa: họ xưng cán bộ Công an phường Ninh Kiều, đòi chuyển tiền vào tài khoản tạm giữ ạ"


@pytest.fixture
def tips(db_engine: Database) -> list[TipRead]:
    add_tip(
        db_engine,
        when=DAY,
        reporter_id="6500000000000001",
        reporter_name="Võ Thị Lan",
        tactics=["impersonate_authority", "otp_theft"],
        score=81.25,
        turns=[VIETNAMESE, *INJECTIONS],
        phones=["+84912345678", "+84987654321"],
        accounts=[("0451000123456", "Vietcombank"), ("190355678820", None)],
        urls=["vneid-capnhat.top", "https://bit.ly/AbC"],
        socials=["=Telegram @x"],
        amount_vnd=45_000_000,
        incident_when="hôm qua",
        urgent=True,
    )
    add_tip(db_engine, when=DAY + dt.timedelta(hours=1), reporter_id=None, turns=["-"], amount_vnd=None)
    return list(iter_tips(db_engine))


def options(**overrides: object) -> ExportOptions:
    values: dict[str, object] = {
        "pseudonym_key": KEY,
        "tactic_names": {"impersonate_authority": "Giả danh công an"},
    }
    values.update(overrides)
    return ExportOptions(**values)  # type: ignore[arg-type]


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == HEADERS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def risky(cell: str) -> bool:
    """The contract smoke test's rule: nothing a spreadsheet could take for a formula or a sign."""
    if cell[:1] in ("=", "@", "\t", "\r"):
        return True
    return cell[:1] in "+-" and not re.fullmatch(r"[+\-]?[\d\s.;,+]+", cell)


def test_csv_round_trip_keeps_vietnamese_and_neutralises_formulas(tips: list[TipRead]):
    rows = read_csv(b"".join(csv_chunks(tips, options=options())))
    assert len(rows) == 2
    assert not [cell for row in rows for cell in row.values() if risky(cell)]
    first, second = rows
    assert first["Mã tố giác"] == tips[0].ref_code
    assert first["Thời gian nhận (giờ VN)"] == "2026-11-23 10:04:05"
    assert first["Trạng thái"] == "Mới"
    assert first["Số điện thoại"] == "+84912345678; +84987654321"  # phones stay readable
    assert first["Số tài khoản"] == "0451000123456 (Vietcombank); 190355678820"
    assert first["Đường link"] == "vneid-capnhat.top; https://bit.ly/AbC"
    assert first["Số tiền (VND)"] == "45000000"
    assert first["Thủ đoạn"] == "Giả danh công an; otp_theft"
    assert first["Mã thủ đoạn"] == "impersonate_authority; otp_theft"
    assert first["Khẩn cấp"] == "Có"
    assert first["Tài khoản mạng xã hội"] == "'=Telegram @x"
    assert unneutralize(first["Nội dung tố giác"]).split("\n")[0] == VIETNAMESE
    # every turn survives exactly once the apostrophe is taken off
    assert unneutralize(first["Nội dung tố giác"]) == "\n".join([VIETNAMESE, *INJECTIONS])
    assert first["Người tố giác"] == pseudonym(KEY, "web", "6500000000000001")
    assert first["Tên người tố giác"] == EMPTY_MARK and "Võ Thị Lan" not in str(rows)
    assert second["Nội dung tố giác"] == "'-" and unneutralize(second["Nội dung tố giác"]) == "-"
    assert second["Số tiền (VND)"] == EMPTY_MARK and second["Người tố giác"] == EMPTY_MARK


@pytest.mark.parametrize("cell", [*INJECTIONS, "", "bình thường", "+84912345678", "'", "''x", "—x"])
def test_neutralize_is_reversible(cell: str):
    assert unneutralize(neutralize(cell)) == cell
    assert not risky(neutralize(cell))


def test_csv_with_reporters_included(tips: list[TipRead]):
    rows = read_csv(b"".join(csv_chunks(tips, options=options(include_reporter=True))))
    assert rows[0]["Người tố giác"] == "6500000000000001"
    assert rows[0]["Tên người tố giác"] == "Võ Thị Lan"


def test_pseudonyms_are_stable_and_keyed():
    assert pseudonym(KEY, "web", "u1") == pseudonym(KEY, "web", "u1")
    assert pseudonym(KEY, "web", "u1") != pseudonym(b"another-key", "web", "u1")
    assert pseudonym(KEY, "web", "u1") != pseudonym(KEY, "zalo", "u1")
    assert "u1" not in pseudonym(KEY, "web", "u1")


def test_xlsx_reads_back_with_header_frozen_pane_widths_and_real_dates(tips: list[TipRead]):
    buffer = io.BytesIO()
    write_xlsx(tips, options=options(), target=buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.active
    assert sheet.freeze_panes == "B2"
    content_letter = get_column_letter(HEADERS.index("Nội dung tố giác") + 1)
    assert sheet.column_dimensions["A"].width >= 15 and sheet.column_dimensions[content_letter].width >= 60
    header = [c.value for c in sheet[1]]
    assert tuple(header) == HEADERS and sheet["A1"].font.bold
    values = [c.value for c in sheet[2]]
    row = dict(zip(header, values, strict=True))
    assert row["Mã tố giác"] == tips[0].ref_code
    assert row["Thời gian nhận (giờ VN)"] == dt.datetime(2026, 11, 23, 10, 4, 5)  # a date, not text
    assert sheet.cell(row=2, column=2).is_date
    assert row["Số tiền (VND)"] == 45_000_000
    assert row["Số điện thoại"] == "+84912345678; +84987654321"
    content = sheet.cell(row=2, column=HEADERS.index("Nội dung tố giác") + 1)
    assert content.data_type == "s" and content.value.split("\n")[0] == VIETNAMESE
    social = sheet.cell(row=2, column=HEADERS.index("Tài khoản mạng xã hội") + 1)
    assert social.value == "=Telegram @x" and social.data_type == "s"  # text, never a formula
    assert sheet.max_row == 3


def test_jsonl_has_stable_keys_and_exact_facts(tips: list[TipRead]):
    lines = b"".join(jsonl_chunks(tips, options=options())).decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [list(r) for r in records] == [list(records[0])] * 2
    assert list(records[0]) == [
        "ref_code",
        "created_at",
        "updated_at",
        "status",
        "province",
        "channel",
        "channel_id",
        "reporter",
        "reporter_name",
        "reporter_contact",  # the reporter's own number (only with include_reporter)
        "tactics",
        "score",
        "urgent",
        "amount_vnd",
        "incident_when",
        "incident_date",
        "phones",
        "accounts",
        "links",
        "socials",
        "pages",
        "turns",
        "officer_note",
    ]
    first = records[0]
    assert first["turns"] == [VIETNAMESE, *INJECTIONS]
    assert first["accounts"] == [
        {"number": "0451000123456", "bank": "Vietcombank", "holder": None},
        {"number": "190355678820", "bank": None, "holder": None},
    ]
    assert dt.datetime.fromisoformat(first["created_at"]) == DAY
    assert first["reporter"] == pseudonym(KEY, "web", "6500000000000001") and first["reporter_name"] is None
    assert "Tôi bị lừa" in lines[0]  # UTF-8, not \\u escapes


def test_exports_stream_without_reading_every_tip_first(tips: list[TipRead]):
    consumed = 0

    def source() -> Iterator[TipRead]:
        nonlocal consumed
        for _ in range(2000):
            consumed += 1
            yield tips[0]

    stream = csv_chunks(source(), options=options())
    next(stream)  # the header comes before any tip is read
    assert consumed == 0
    next(stream)
    assert consumed <= 600  # one chunk's worth, not all 2,000


def test_iter_tips_pages_through_every_matching_tip(db_engine: Database):
    refs = [add_tip(db_engine, when=DAY + dt.timedelta(minutes=i)) for i in range(7)]
    assert [t.ref_code for t in iter_tips(db_engine, chunk=3)] == refs
    local_day = (DAY + dt.timedelta(minutes=3)).astimezone(VN_TZ).date()
    assert len(list(iter_tips(db_engine, filters=TipFilter(since=local_day), chunk=2))) == 7


def run_cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CANHGIAC_")}
    environ.update({"CANHGIAC_DATABASE_URL": database_url, "CANHGIAC_PSEUDONYM_KEY": "k0", **env})
    return subprocess.run(
        [sys.executable, "-m", "app", "tips", *args],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=environ,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_tips_commands(database_url: str, db_engine: Database, tmp_path):
    ref = add_tip(
        db_engine,
        turns=["=cmd|' /C calc'!A0 họ bảo tải ứng dụng"],
        phones=["+84912345678"],
        tactics=["impersonate_authority"],
        amount_vnd=3_000_000,
        reporter_id="psid-1",
    )
    out = run_cli(database_url, "export", "--format", "csv")
    assert out.returncode == 0, out.stderr.decode()
    rows = read_csv(out.stdout)
    assert rows[0]["Mã tố giác"] == ref and rows[0]["Nội dung tố giác"].startswith("'=cmd")
    assert rows[0]["Người tố giác"].startswith("u_")

    # No key at all outside development: refused, never pseudonymised with a public key.
    refused = run_cli(database_url, "export", CANHGIAC_PSEUDONYM_KEY="")
    assert refused.returncode == 2 and "CANHGIAC_PSEUDONYM_KEY" in refused.stderr.decode()
    assert refused.stdout == b""
    development = run_cli(database_url, "export", CANHGIAC_PSEUDONYM_KEY="", CANHGIAC_ENV="development")
    assert development.returncode == 0 and read_csv(development.stdout)[0]["Người tố giác"].startswith("u_")
    keyed = run_cli(database_url, "export", "--format", "csv", CANHGIAC_PSEUDONYM_KEY="k1")
    assert read_csv(keyed.stdout)[0]["Người tố giác"] == pseudonym(b"k1", "web", "psid-1")
    raw = run_cli(database_url, "export", "--format", "jsonl", "--include-reporter")
    assert json.loads(raw.stdout)["reporter"] == "psid-1"

    xlsx = run_cli(database_url, "export", "--format", "xlsx")  # binary on stdout
    assert xlsx.returncode == 0 and openpyxl.load_workbook(io.BytesIO(xlsx.stdout)).active["A2"].value == ref
    target = tmp_path / "tips.jsonl"
    saved = run_cli(
        database_url, "export", "--format", "jsonl", "--tactic", "impersonate_authority", "-o", str(target)
    )
    assert saved.returncode == 0 and json.loads(target.read_text(encoding="utf-8"))["ref_code"] == ref
    empty = run_cli(database_url, "export", "--format", "jsonl", "--since", "2099-01-01")
    assert empty.returncode == 0 and empty.stdout == b""
    nowhere = run_cli(database_url, "export", "-o", str(tmp_path / "no-such-folder" / "tips.csv"))
    assert nowhere.returncode == 1 and "Không ghi được" in nowhere.stderr.decode()
    bad = run_cli(database_url, "export", "--since", "23/11/2026")
    assert bad.returncode != 0 and b"Traceback" not in bad.stderr

    listed = run_cli(database_url, "list")
    assert listed.returncode == 0 and ref in listed.stdout.decode()
    moved = run_cli(database_url, "set-status", ref, "dang_xac_minh", "--note", "Đã liên hệ ngân hàng")
    assert moved.returncode == 0 and "Đang xác minh" in moved.stdout.decode()
    assert ref in run_cli(database_url, "list", "--status", "dang_xac_minh").stdout.decode()
    # The names used before the console are still understood.
    assert ref in run_cli(database_url, "list", "--status", "dang_xu_ly").stdout.decode()
    closed = run_cli(database_url, "set-status", ref, "dong")
    assert closed.returncode == 0 and "Đã đóng" in closed.stdout.decode()
    bad_status = run_cli(database_url, "set-status", ref, "xong")
    assert bad_status.returncode != 0 and b"Traceback" not in bad_status.stderr
    missing = run_cli(database_url, "set-status", "CT-20990101-0001", "da_dong")
    assert missing.returncode == 1 and "Không có tố giác" in missing.stderr.decode()
    kept = run_cli(database_url, "purge", "--older-than", "30")
    assert kept.returncode == 0 and ref in run_cli(database_url, "list").stdout.decode()
    purged = run_cli(database_url, "purge", "--older-than", "0")
    assert purged.returncode == 0 and "Đã xóa 1 tố giác" in purged.stdout.decode()


@pytest.mark.slow
def test_export_on_a_fresh_database_creates_the_tables(tmp_path):
    out = run_cli(f"sqlite:///{tmp_path}/fresh.db", "export", "--format", "csv")
    assert out.returncode == 0, out.stderr.decode()
    assert read_csv(out.stdout) == []
