"""Warning lists: reading list files, importing them (idempotent, in bulk) and looking items up.

A list file is plain lines (one item a line; blank lines and `#` comments ignored) or CSV with a
header naming the value column. Every line that cannot be an item of the list's kind is reported
with its line number and skipped; the rest are imported. Importing the same file twice adds
nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy import text as sql
from sqlmodel import Session

from app.blocklist.models import ENTRIES, IMPORTS, SOURCES, Kind
from app.catalog.official_domains import OfficialDomains
from app.db import transaction, utcnow
from app.text.links import link_parts, registrable_domain

__all__ = [
    "MAX_BAD_SHOWN",
    "BadItem",
    "BadLine",
    "Hit",
    "ImportResult",
    "ListFormatError",
    "SourceSummary",
    "import_items",
    "list_sources",
    "lookup",
    "lookup_stem",
    "normalize_item",
    "read_list",
    "remove",
    "stem",
]

MAX_BAD_SHOWN = 50  # bad lines kept in an import result (all are counted)
VALUE_COLUMNS = (
    "value",
    "domain",
    "url",
    "link",
    "phone",
    "account",
    "ten_mien",
    "tên miền",
    "số điện thoại",
    "số tài khoản",
    "so_dien_thoai",
    "so_tai_khoan",
)
_DEFANG = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("hxxp", "http"), ("[:]", ":"))
_HOST_RE = re.compile(
    r"^(?=.{4,253}$)([a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9\-]{2,59})$"
)
_SPACE_RE = re.compile(r"\s")
_ACCOUNT_SEPARATORS_RE = re.compile(r"[\s.\-]")


class BadItem(ValueError):
    """A line that is not an item of the list's kind (the message says why, in Vietnamese)."""


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    text: str
    reason: str


@dataclass(slots=True)
class ImportResult:
    source: str
    kind: Kind
    read: int = 0  # valid items in the file (duplicates inside it counted once)
    added: int = 0
    already: int = 0
    removed: int = 0
    bad_count: int = 0
    bad: list[BadLine] = field(default_factory=list)  # the first MAX_BAD_SHOWN
    official: list[str] = field(default_factory=list)  # official domains refused


@dataclass(frozen=True, slots=True)
class Hit:
    """A listed item found by a check: which list, and when that list was last imported."""

    source: str
    updated_at: dt.datetime
    value: str


@dataclass(frozen=True, slots=True)
class SourceSummary:
    name: str
    imported_at: dt.datetime
    counts: dict[str, int]
    last_added: int
    last_file: str


# --------------------------------------------------------------------------- items


def _undefang(text: str) -> str:
    low = text.strip().lower()
    for old, new in _DEFANG:
        low = low.replace(old, new)
    return low


def normalize_item(kind: Kind, text: str) -> str:
    """The lookup form of one listed item, or BadItem."""
    raw = text.strip().strip("\ufeff").strip()
    if not raw:
        raise BadItem("dòng trống")
    if len(raw) > 512:
        raise BadItem("quá dài")
    if kind is Kind.phone:
        return _phone(raw)
    if kind is Kind.account:
        digits = _ACCOUNT_SEPARATORS_RE.sub("", raw)
        if not digits.isdigit() or not 6 <= len(digits) <= 19:
            raise BadItem("số tài khoản phải gồm 6–19 chữ số")
        return digits
    low = _undefang(raw)
    if kind is Kind.domain and not low.startswith("www.") and _HOST_RE.match(low):
        return low  # a bare host, the common case in lists: no need to parse it as a link
    if _SPACE_RE.search(low):
        raise BadItem("có khoảng trắng")
    parts = link_parts(low.lstrip("*."))
    host_ok = parts.is_ip or _HOST_RE.match(parts.host) is not None
    if not host_ok:
        raise BadItem("không phải tên miền hợp lệ")
    return parts.host if kind is Kind.domain else parts.url_key


def _phone(raw: str) -> str:
    cleaned = re.sub(r"[\s.\-()]", "", raw)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not re.fullmatch(r"\+?\d{6,15}", cleaned):
        raise BadItem("không phải số điện thoại")
    try:
        number = phonenumbers.parse(cleaned, "VN")
    except phonenumbers.NumberParseException:
        raise BadItem("không phải số điện thoại") from None
    if not phonenumbers.is_possible_number(number):
        raise BadItem("không phải số điện thoại")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def stem(host: str) -> str | None:
    """The name a site chose, without its ending, hyphens and trailing digits; None when too short
    to say anything ("vietcombank-hotro247.top" -> "vietcombankhotro", "abc.top" -> None)."""
    if not host or host[-1].isdigit():  # an IP address
        return None
    domain = registrable_domain(host)
    label = domain.split(".", 1)[0].replace("-", "").replace("_", "").rstrip("0123456789")
    return label if len(label) >= 6 else None


# --------------------------------------------------------------------------- reading files


def read_list(path: Path, *, column: str | None = None) -> Iterator[tuple[int, str]]:
    """(line number, item text) for each item line of a list file: plain lines, or CSV with a header.

    CSV is recognised by a `.csv` name or a first line with a comma or semicolon; the value column
    is `column`, else the first header among VALUE_COLUMNS, else the only column.
    """
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    if path.suffix.lower() == ".csv" or "," in first or ";" in first or "\t" in first:
        yield from _read_csv(lines, column)
        return
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


class ListFormatError(ValueError):
    """The file cannot be read as a list (no value column)."""


def _read_csv(lines: list[str], column: str | None) -> Iterator[tuple[int, str]]:
    body = "\n".join(lines)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(body[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(body), dialect)
    header: list[str] | None = None
    index = 0
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            index = _value_column(header, column)
            continue
        if index >= len(row):
            yield number, ""
            continue
        yield number, row[index].strip()


def _value_column(header: list[str], column: str | None) -> int:
    if column is not None:
        if column.strip().lower() in header:
            return header.index(column.strip().lower())
        raise ListFormatError(f"không có cột {column!r}; các cột: {', '.join(header)}")
    for name in VALUE_COLUMNS:
        if name in header:
            return header.index(name)
    if len(header) == 1:
        return 0
    raise ListFormatError(f"không biết cột nào chứa giá trị (dùng --column); các cột: {', '.join(header)}")


# --------------------------------------------------------------------------- importing


def import_items(
    db: Engine,
    items: Iterable[tuple[int, str]],
    *,
    source: str,
    kind: Kind,
    official: OfficialDomains | None = None,
    replace: bool = False,
    file_name: str = "",
    now: dt.datetime | None = None,
) -> ImportResult:
    """Add the list's items under `source` (existing ones stay; with `replace`, the source's items
    of this kind missing from `items` are removed). One transaction, bulk inserts."""
    name = " ".join(source.split())
    if not name or len(name) > 128:
        raise ValueError("tên nguồn phải có 1–128 ký tự")
    when = now or utcnow()
    result = ImportResult(source=name, kind=kind)
    values: dict[str, str | None] = {}
    for number, text in items:
        try:
            value = normalize_item(kind, text)
        except BadItem as exc:
            result.bad_count += 1
            if len(result.bad) < MAX_BAD_SHOWN:
                result.bad.append(BadLine(number, text[:120], str(exc)))
            continue
        if kind in (Kind.domain, Kind.url) and official is not None:
            host = value.split("/", 1)[0].split("?", 1)[0]
            # a whole official site is never listed; one page on it (a shared host) may be
            if (kind is Kind.domain or host == value) and official.owner(host) is not None:
                result.official.append(value)
                continue
        if value not in values:
            host = value.split("/", 1)[0].split("?", 1)[0]
            values[value] = stem(host) if kind in (Kind.domain, Kind.url) else None
    result.read = len(values)
    with transaction(db) as session:
        source_id = _source_id(session, name, when)
        existing = set(
            session.execute(
                select(ENTRIES.c.value).where(ENTRIES.c.source_id == source_id, ENTRIES.c.kind == kind.value)
            ).scalars()
        )
        new = [
            {"source_id": source_id, "kind": kind.value, "value": v, "stem": s, "added_at": when}
            for v, s in values.items()
            if v not in existing
        ]
        _insert_entries(session, new)
        result.added = len(new)
        result.already = len(values) - len(new)
        if replace:
            gone = [v for v in existing if v not in values]
            for start in range(0, len(gone), 500):
                session.execute(
                    delete(ENTRIES).where(
                        ENTRIES.c.source_id == source_id,
                        ENTRIES.c.kind == kind.value,
                        ENTRIES.c.value.in_(gone[start : start + 500]),
                    )
                )
            result.removed = len(gone)
        session.execute(update(SOURCES).where(SOURCES.c.id == source_id).values(imported_at=when))
        if result.added > 1000 and db.dialect.name == "postgresql":
            # fresh statistics, or the planner may scan the table instead of using the index
            session.execute(sql("ANALYZE blocklist_entries"))
        session.execute(
            insert(IMPORTS).values(
                source_id=source_id,
                kind=kind.value,
                file_name=file_name[:256],
                imported_at=when,
                lines=result.read,
                added=result.added,
                removed=result.removed,
                bad=result.bad_count,
            )
        )
    return result


def _insert_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL (several times faster than batched INSERTs), executemany
    elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        columns = ("source_id", "kind", "value", "stem", "added_at")
        raw = connection.connection.driver_connection
        statement = f"COPY blocklist_entries ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
        return
    for start in range(0, len(rows), 5000):
        session.execute(insert(ENTRIES), rows[start : start + 5000])


def _source_id(session: Session, name: str, when: dt.datetime) -> int:
    found = session.execute(select(SOURCES.c.id).where(SOURCES.c.name == name)).scalar()
    if found is not None:
        return int(found)
    session.execute(insert(SOURCES).values(name=name, created_at=when, imported_at=when))
    return int(session.execute(select(SOURCES.c.id).where(SOURCES.c.name == name)).scalar_one())


# --------------------------------------------------------------------------- looking up


def lookup(session: Session, kind: Kind, values: Sequence[str]) -> list[Hit]:
    """Lists holding any of `values` (already in lookup form), newest list first. Index lookup."""
    if not values:
        return []
    rows = session.execute(
        select(SOURCES.c.name, SOURCES.c.imported_at, ENTRIES.c.value)
        .join(SOURCES, SOURCES.c.id == ENTRIES.c.source_id)
        .where(ENTRIES.c.kind == kind.value, ENTRIES.c.value.in_(list(values)))
    ).all()
    hits = [Hit(source=name, updated_at=at, value=value) for name, at, value in rows]
    return _one_per_source(hits)


def lookup_stem(session: Session, host: str) -> list[Hit]:
    """Listed domains or links whose stem equals this host's: near copies of a listed site."""
    key = stem(host)
    if key is None:
        return []
    rows = session.execute(
        select(SOURCES.c.name, SOURCES.c.imported_at, ENTRIES.c.value)
        .join(SOURCES, SOURCES.c.id == ENTRIES.c.source_id)
        .where(ENTRIES.c.stem == key)
        .limit(20)
    ).all()
    return _one_per_source([Hit(source=name, updated_at=at, value=value) for name, at, value in rows])


def _one_per_source(hits: list[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for hit in sorted(hits, key=lambda h: (h.updated_at, h.value), reverse=True):
        seen.setdefault(hit.source, hit)
    return list(seen.values())


# --------------------------------------------------------------------------- officers


def list_sources(session: Session) -> list[SourceSummary]:
    """Every list with its item counts per kind and its latest import."""
    counts: dict[int, dict[str, int]] = {}
    for source_id, kind, count in session.execute(
        select(ENTRIES.c.source_id, ENTRIES.c.kind, func.count()).group_by(
            ENTRIES.c.source_id, ENTRIES.c.kind
        )
    ).all():
        counts.setdefault(int(source_id), {})[str(kind)] = int(count)
    out = []
    for source_id, name, imported_at in session.execute(
        select(SOURCES.c.id, SOURCES.c.name, SOURCES.c.imported_at).order_by(SOURCES.c.name)
    ).all():
        last = session.execute(
            select(IMPORTS.c.added, IMPORTS.c.file_name)
            .where(IMPORTS.c.source_id == source_id)
            .order_by(IMPORTS.c.id.desc())
            .limit(1)
        ).first()
        out.append(
            SourceSummary(
                name=name,
                imported_at=imported_at,
                counts=counts.get(int(source_id), {}),
                last_added=int(last[0]) if last else 0,
                last_file=str(last[1]) if last else "",
            )
        )
    return out


def remove(
    session: Session, *, source: str, kind: Kind | None = None, value: str | None = None
) -> int | None:
    """Remove a whole list, one kind of it, or one item; None when there is no such list.

    Returns how many items were removed. A list left with no items is forgotten with its log.
    """
    source_id = session.execute(
        select(SOURCES.c.id).where(SOURCES.c.name == " ".join(source.split()))
    ).scalar()
    if source_id is None:
        return None
    query = delete(ENTRIES).where(ENTRIES.c.source_id == source_id)
    if kind is not None:
        query = query.where(ENTRIES.c.kind == kind.value)
        if value is not None:
            query = query.where(ENTRIES.c.value == normalize_item(kind, value))
    removed = int(session.execute(query).rowcount)  # type: ignore[attr-defined]
    left = session.execute(select(func.count()).where(ENTRIES.c.source_id == source_id)).scalar()
    if not left:
        session.execute(delete(IMPORTS).where(IMPORTS.c.source_id == source_id))
        session.execute(delete(SOURCES).where(SOURCES.c.id == source_id))
    return removed
