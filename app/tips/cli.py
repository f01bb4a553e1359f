"""`canhgiac tips ...`: officer commands (export, list, set-status, purge)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from app.settings import Settings
from app.tips.models import TipRead, TipStatus

tips_app = typer.Typer(help="Tips filed by citizens: list, export, status, retention.", no_args_is_help=True)

__all__ = ["tips_app"]


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


def _database(settings: Settings) -> Engine:
    """The migrated database (a fresh file gets its tables first)."""
    from app.db import make_engine, upgrade

    upgrade(settings.database_url)
    return make_engine(settings.database_url)


def _province(settings: Settings, value: str | None) -> str | None:
    """The province id for an id or alias ("soc-trang" -> "can-tho"); unknown names pass unchanged
    (tips filed under a province no longer in provinces.yaml can still be filtered)."""
    if not value:
        return value
    from app.provinces import load_provinces

    found = load_provinces(settings.provinces_path, settings.default_province).find(value)
    return found.id if found is not None else value


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


SinceOpt = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="from this day (Vietnam time), YYYY-MM-DD")
]
UntilOpt = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="up to this day, inclusive, YYYY-MM-DD")
]
ProvinceOpt = Annotated[
    str | None, typer.Option(help="province id or alias, e.g. can-tho (soc-trang and hau-giang are Cần Thơ)")
]
TacticOpt = Annotated[str | None, typer.Option(help="tactic id, e.g. impersonate_authority")]
STATUS_HELP = "moi, dang_xac_minh, da_chuyen or da_dong (old names dang_xu_ly and dong also work)"


def _status(value: str | None) -> TipStatus | None:
    try:
        return TipStatus.parse(value) if value is not None else None
    except ValueError:
        raise typer.BadParameter(STATUS_HELP) from None


StatusOpt = Annotated[TipStatus | None, typer.Option(help=STATUS_HELP, parser=_status)]


@tips_app.command("export")
def export(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="csv (Excel), xlsx or jsonl")] = Format.csv,
    since: SinceOpt = None,
    until: UntilOpt = None,
    province: ProvinceOpt = None,
    tactic: TacticOpt = None,
    status: StatusOpt = None,
    include_reporter: Annotated[
        bool,
        typer.Option("--include-reporter", help="reporter ids and names as stored (default: pseudonyms)"),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
) -> None:
    """Export tips for officers (CSV opens in Excel with Vietnamese intact)."""
    from app.catalog.loader import load_catalog
    from app.tips.export import ExportOptions, PseudonymKeyMissing, chunks, pseudonym_key
    from app.tips.service import TipFilter, iter_tips

    if output is None and fmt is Format.xlsx and sys.stdout.isatty():
        typer.echo("Tệp Excel không in ra màn hình được: thêm -o ten-tep.xlsx", err=True)
        raise typer.Exit(2)
    settings = Settings()
    try:
        key = pseudonym_key(settings)
    except PseudonymKeyMissing:
        typer.echo(
            "Chưa có khóa ẩn danh: đặt CANHGIAC_PSEUDONYM_KEY (hoặc CANHGIAC_ADMIN_TOKEN) rồi xuất lại.",
            err=True,
        )
        raise typer.Exit(2) from None
    db = _database(settings)
    filters = TipFilter(
        since=_day(since),
        until=_day(until),
        province=_province(settings, province),
        tactic=tactic,
        status=status,
    )
    options = ExportOptions(
        pseudonym_key=key,
        include_reporter=include_reporter,
        tactic_names={t.id: t.name for t in load_catalog(settings.catalog_path).tactics},
    )
    counted = _Counted(iter_tips(db, filters=filters))
    try:
        if output is None:
            sink = sys.stdout.buffer
            for chunk in chunks(fmt.value, counted, options=options):
                sink.write(chunk)
            sink.flush()
        else:
            with output.open("wb") as target:
                for chunk in chunks(fmt.value, counted, options=options):
                    target.write(chunk)
            typer.echo(f"{counted.count} tố giác → {output}", err=True)
    except OSError as exc:  # a folder that does not exist, a full disk, a closed pipe
        typer.echo(f"Không ghi được tệp xuất: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()


class _Counted:
    """Counts the tips an export went through."""

    def __init__(self, tips: Iterable[TipRead]) -> None:
        self._tips = tips
        self.count = 0

    def __iter__(self) -> Iterator[TipRead]:
        for tip in self._tips:
            self.count += 1
            yield tip


@tips_app.command("list")
def list_command(
    since: SinceOpt = None,
    until: UntilOpt = None,
    province: ProvinceOpt = None,
    tactic: TacticOpt = None,
    status: StatusOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="how many, newest first")] = 20,
) -> None:
    """The newest tips, as a table."""
    from app.db import transaction
    from app.tips.service import TipFilter, list_tips

    settings = Settings()
    db = _database(settings)
    try:
        filters = TipFilter(
            since=_day(since),
            until=_day(until),
            province=_province(settings, province),
            tactic=tactic,
            status=status,
        )
        with transaction(db) as session:
            tips = list_tips(session, filters=filters, limit=limit)
    finally:
        db.dispose()
    if not tips:
        typer.echo("Chưa có tố giác nào.")
        return
    typer.echo(_table(tips))


def _table(tips: list[TipRead]) -> str:
    from app.text.formatting import VN_TZ, format_phone, format_vnd

    header = ("Mã tố giác", "Thời gian", "Trạng thái", "Tỉnh", "Thủ đoạn", "SĐT / TK / link", "Số tiền")
    rows = [header]
    for tip in tips:
        facts = (
            [format_phone(p) for p in tip.phones]
            + [a.number for a in tip.accounts]
            + [x.url for x in tip.links]
        )
        rows.append(
            (
                tip.ref_code,
                tip.created_at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M"),
                tip.status.label,
                tip.province,
                _cut(", ".join(tip.tactics) or "-", 28),
                _cut(", ".join(facts) or "-", 40),
                format_vnd(tip.amount_vnd) if tip.amount_vnd else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@tips_app.command("set-status")
def set_status_command(
    ref: Annotated[str, typer.Argument(help="reference code, e.g. CT-20261123-0042")],
    status: Annotated[TipStatus, typer.Argument(help=STATUS_HELP, parser=_status)],
    note: Annotated[str | None, typer.Option(help="officer note (replaces the previous one)")] = None,
) -> None:
    """Move a tip to a new status, with an optional note."""
    from app.db import transaction
    from app.tips.service import TipNotFound, set_status

    settings = Settings()
    db = _database(settings)
    try:
        with transaction(db) as session:
            tip = set_status(session, ref_code=ref, status=status, note=note)
    except TipNotFound:
        typer.echo(f"Không có tố giác mã {ref}.", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(f"{tip.ref_code}: {tip.status.label}" + (f" — {tip.officer_note}" if tip.officer_note else ""))


@tips_app.command("purge")
def purge(
    older_than: Annotated[int, typer.Option("--older-than", min=0, help="days to keep")],
) -> None:
    """Retention: delete tips and unfinished report drafts older than DAYS days."""
    from app.conversation_state.store import purge_before as purge_drafts
    from app.db import transaction, utcnow
    from app.tips.service import purge_before

    settings = Settings()
    db = _database(settings)
    try:
        with transaction(db) as session:
            before = utcnow() - dt.timedelta(days=older_than)
            tips = purge_before(session, before=before)
            drafts = purge_drafts(session, before=before)
    finally:
        db.dispose()
    typer.echo(f"Đã xóa {tips} tố giác và {drafts} tố giác đang soạn dở cũ hơn {older_than} ngày.")
