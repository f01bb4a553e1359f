"""Officer exports of tips: CSV (Excel-friendly), XLSX and JSON Lines, all streamed.

- CSV: UTF-8 with a BOM (so Excel shows Vietnamese), Vietnamese headers, one row per tip, lists
  joined with "; ", "—" for no value. A cell starting with = + - @ tab or CR gets an apostrophe in
  front, so Excel never runs it as a formula; lists of E.164 phones ("+84912345678") stay as they are.
- XLSX (openpyxl write-only: rows go to disk as they come): header row, frozen pane, column widths,
  real dates in Vietnam time. Text is written as text, never as a formula.
- JSON Lines: one object per tip, stable keys, ISO 8601 UTC times.

Reporter ids are pseudonymised with a keyed hash (HMAC-SHA256) unless `include_reporter`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.settings import Settings
from app.text.formatting import VN_TZ
from app.tips.models import TipRead

__all__ = [
    "COLUMNS",
    "EMPTY_MARK",
    "HEADERS",
    "MEDIA_TYPES",
    "ExportFormat",
    "ExportOptions",
    "PseudonymKeyMissing",
    "chunks",
    "csv_chunks",
    "jsonl_chunks",
    "neutralize",
    "pseudonym",
    "pseudonym_key",
    "tip_json",
    "unneutralize",
    "write_xlsx",
    "xlsx_chunks",
]

ExportFormat = Literal["csv", "xlsx", "jsonl"]
MEDIA_TYPES: dict[ExportFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
LIST_SEPARATOR = "; "
EMPTY_MARK = "—"  # CSV cells with no value
TURN_SEPARATOR = "\n"
# Only in development (CANHGIAC_ENV=development): anywhere else a public key would let anyone who
# knows a citizen's id recompute their pseudonym.
_DEVELOPMENT_PSEUDONYM_KEY = b"canhgiac-pseudonym-development"
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIST_RE = re.compile(r"\+\d{6,15}(?:; \+\d{6,15})*")
_CHUNK_ROWS = 500


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to export: with or without reporter identities, and tactic names for officers."""

    pseudonym_key: bytes
    include_reporter: bool = False
    tactic_names: Mapping[str, str] = field(default_factory=dict)


class PseudonymKeyMissing(ValueError):
    """Neither CANHGIAC_PSEUDONYM_KEY nor CANHGIAC_ADMIN_TOKEN is set outside development."""


def pseudonym_key(settings: Settings) -> bytes:
    """CANHGIAC_PSEUDONYM_KEY, else the admin token; a fixed key only in development.

    Raises `PseudonymKeyMissing` otherwise: an export never pseudonymises with a public key.
    """
    for secret in (settings.pseudonym_key, settings.admin_token):
        if secret is not None and secret.get_secret_value():
            return secret.get_secret_value().encode("utf-8")
    if settings.env.strip().lower() == "development":
        return _DEVELOPMENT_PSEUDONYM_KEY
    raise PseudonymKeyMissing("set CANHGIAC_PSEUDONYM_KEY (or CANHGIAC_ADMIN_TOKEN) to export tips")


def pseudonym(key: bytes, channel: str, reporter_id: str) -> str:
    """A stable, keyed stand-in for a reporter: the same citizen gets the same pseudonym."""
    digest = hmac.new(key, f"{channel}:{reporter_id}".encode(), hashlib.sha256).hexdigest()
    return f"u_{digest[:20]}"


def neutralize(cell: str) -> str:
    """Make a CSV cell safe to open in a spreadsheet (formula injection), reversibly.

    A leading apostrophe is added to cells starting with = + - @ tab CR, and to cells that already
    start with an apostrophe or are the empty-cell mark (so `unneutralize` gives back exactly what
    was stored). An empty value becomes the mark "—": no cell is blank, so none can be mistaken
    for a sign or a formula by tools that look at a cell's first character.
    """
    if not cell:
        return EMPTY_MARK
    if cell.startswith(_RISKY_START) and not _PHONE_LIST_RE.fullmatch(cell):
        return "'" + cell
    if cell.startswith("'") or cell == EMPTY_MARK:
        return "'" + cell
    return cell


def unneutralize(cell: str) -> str:
    """The stored value of a CSV cell written by `neutralize`."""
    if cell == EMPTY_MARK:
        return ""
    return cell[1:] if cell.startswith("'") else cell


# --------------------------------------------------------------------------- columns


def _reporter(tip: TipRead, options: ExportOptions) -> str:
    if tip.reporter_id is None:
        return ""
    if options.include_reporter:
        return tip.reporter_id
    return pseudonym(options.pseudonym_key, tip.channel, tip.reporter_id)


def _local(when: dt.datetime) -> dt.datetime:
    return when.astimezone(VN_TZ).replace(tzinfo=None)


def _account(number: str, bank: str | None, holder: str | None) -> str:
    details = ", ".join(d for d in (bank, holder) if d)
    return f"{number} ({details})" if details else number


def _accounts(tip: TipRead) -> str:
    return LIST_SEPARATOR.join(_account(a.number, a.bank, a.holder) for a in tip.accounts)


def _tactics(tip: TipRead, options: ExportOptions) -> str:
    return LIST_SEPARATOR.join(options.tactic_names.get(t, t) for t in tip.tactics)


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    value: Callable[[TipRead, ExportOptions], Any]  # str, int, float, bool, datetime or None


COLUMNS: tuple[Column, ...] = (
    Column("Mã tố giác", 18, lambda t, o: t.ref_code),
    Column("Thời gian nhận (giờ VN)", 18, lambda t, o: _local(t.created_at)),
    Column("Cập nhật (giờ VN)", 18, lambda t, o: _local(t.updated_at)),
    Column("Trạng thái", 12, lambda t, o: t.status.label),
    Column("Tỉnh/thành", 14, lambda t, o: t.province),
    Column("Kênh", 10, lambda t, o: t.channel),
    Column("Trang/OA", 16, lambda t, o: t.channel_id),
    Column("Người tố giác", 24, _reporter),
    Column("Tên người tố giác", 20, lambda t, o: (t.reporter_name or "") if o.include_reporter else ""),
    Column("SĐT người tố giác", 16, lambda t, o: (t.reporter_contact or "") if o.include_reporter else ""),
    Column("Thủ đoạn", 36, _tactics),
    Column("Mã thủ đoạn", 24, lambda t, o: LIST_SEPARATOR.join(t.tactics)),
    Column("Độ khớp", 9, lambda t, o: round(t.score, 1)),
    Column("Khẩn cấp", 9, lambda t, o: "Có" if t.urgent else "Không"),
    Column("Số tiền (VND)", 14, lambda t, o: t.amount_vnd),
    Column("Ngày xảy ra", 12, lambda t, o: t.incident_date),
    Column("Thời gian xảy ra (lời người báo)", 16, lambda t, o: t.incident_when or ""),
    Column("Số điện thoại", 18, lambda t, o: LIST_SEPARATOR.join(t.phones)),
    Column("Số tài khoản", 26, lambda t, o: _accounts(t)),
    Column("Đường link", 30, lambda t, o: LIST_SEPARATOR.join(link.url for link in t.links)),
    Column("Tài khoản mạng xã hội", 24, lambda t, o: LIST_SEPARATOR.join(t.socials)),
    Column("Trang, cửa hàng, nhóm", 24, lambda t, o: LIST_SEPARATOR.join(t.pages)),
    Column("Nội dung tố giác", 80, lambda t, o: TURN_SEPARATOR.join(t.turns)),
    Column("Ghi chú của cán bộ", 30, lambda t, o: t.officer_note or ""),
)
HEADERS = tuple(c.header for c in COLUMNS)


# --------------------------------------------------------------------------- CSV


def _csv_cell(value: Any) -> str:
    if value is None:
        return EMPTY_MARK
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return neutralize(str(value))


def csv_chunks(tips: Iterable[TipRead], *, options: ExportOptions) -> Iterator[bytes]:
    """The CSV export, a few hundred rows per chunk; the first chunk starts with the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for rows, tip in enumerate(tips, start=1):
        writer.writerow([_csv_cell(c.value(tip, options)) for c in COLUMNS])
        if rows % _CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- JSON Lines


def tip_json(tip: TipRead, options: ExportOptions) -> dict[str, Any]:
    """One JSON Lines record; keys and their order are part of the format."""
    return {
        "ref_code": tip.ref_code,
        "created_at": tip.created_at.astimezone(dt.UTC).isoformat(),
        "updated_at": tip.updated_at.astimezone(dt.UTC).isoformat(),
        "status": tip.status.value,
        "province": tip.province,
        "channel": tip.channel,
        "channel_id": tip.channel_id,
        "reporter": _reporter(tip, options) or None,
        "reporter_name": tip.reporter_name if options.include_reporter else None,
        "reporter_contact": tip.reporter_contact if options.include_reporter else None,
        "tactics": list(tip.tactics),
        "score": tip.score,
        "urgent": tip.urgent,
        "amount_vnd": tip.amount_vnd,
        "incident_when": tip.incident_when,
        "incident_date": tip.incident_date.isoformat() if tip.incident_date else None,
        "phones": list(tip.phones),
        "accounts": [{"number": a.number, "bank": a.bank, "holder": a.holder} for a in tip.accounts],
        "links": [{"url": link.url, "domain": link.domain} for link in tip.links],
        "socials": list(tip.socials),
        "pages": list(tip.pages),
        "turns": list(tip.turns),
        "officer_note": tip.officer_note,
    }


def jsonl_chunks(tips: Iterable[TipRead], *, options: ExportOptions) -> Iterator[bytes]:
    lines: list[str] = []
    for tip in tips:
        lines.append(json.dumps(tip_json(tip, options), ensure_ascii=False))
        if len(lines) >= _CHUNK_ROWS:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines.clear()
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- XLSX

_DATE_FORMAT = "dd/mm/yyyy hh:mm"


def write_xlsx(tips: Iterable[TipRead], *, options: ExportOptions, target: IO[bytes]) -> None:
    """Write the XLSX export to a binary file object (rows are spooled to disk, not kept)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tố giác")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"  # headers and the reference code stay in view
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for tip in tips:
        sheet.append([_xlsx_cell(sheet, c.value(tip, options)) for c in COLUMNS])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}1"
    workbook.save(target)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(microsecond=0))  # Excel keeps milliseconds at most
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        if not value:
            return None  # an empty cell costs nothing to write
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
        if value.startswith("="):
            # openpyxl would store it as a formula: store it as the text it is.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def xlsx_chunks(
    tips: Iterable[TipRead], *, options: ExportOptions, chunk_size: int = 1 << 16
) -> Iterator[bytes]:
    """The XLSX export as chunks (built in a temporary file: a ZIP is written once, at the end)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(tips, options=options, target=spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


def chunks(fmt: ExportFormat, tips: Iterable[TipRead], *, options: ExportOptions) -> Iterator[bytes]:
    """The export in format `fmt`."""
    if fmt == "csv":
        return csv_chunks(tips, options=options)
    if fmt == "xlsx":
        return xlsx_chunks(tips, options=options)
    return jsonl_chunks(tips, options=options)
