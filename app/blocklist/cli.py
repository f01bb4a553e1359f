"""`canhgiac blocklist ...`: import, list and remove the warning lists officers receive."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from app.blocklist.models import Kind
from app.settings import Settings

blocklist_app = typer.Typer(
    help="Warning lists (scam domains, links, phone numbers, accounts): import, list, remove.",
    no_args_is_help=True,
)

__all__ = ["blocklist_app"]


@blocklist_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="plain lines, or CSV with a value column", exists=False)],
    source: Annotated[str, typer.Option("--source", help='who published the list, e.g. "Cục ATTT"')],
    kind: Annotated[Kind, typer.Option("--kind", help="domain, url, phone or account")] = Kind.domain,
    column: Annotated[str | None, typer.Option(help="CSV column holding the values")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="also remove this source's items (of KIND) missing from FILE")
    ] = False,
) -> None:
    """Import a warning list; importing the same file again adds nothing."""
    from app.blocklist.service import ListFormatError, import_items, read_list
    from app.catalog.official_domains import OfficialDomains
    from app.tips.cli import _database

    if not file.is_file():
        typer.echo(f"Không có tệp {file}.", err=True)
        raise typer.Exit(2)
    started = time.perf_counter()
    settings = Settings()
    db = _database(settings)
    try:
        result = import_items(
            db,
            read_list(file, column=column),
            source=source,
            kind=kind,
            official=OfficialDomains.load(),
            replace=replace,
            file_name=file.name,
        )
    except (ListFormatError, ValueError) as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"Không đọc được tệp {file}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    for bad in result.bad:
        typer.echo(f"{file.name}:{bad.line}: bỏ qua ({bad.reason}): {bad.text}", err=True)
    if result.bad_count > len(result.bad):
        typer.echo(f"… và {result.bad_count - len(result.bad)} dòng lỗi khác.", err=True)
    for domain in result.official[:10]:
        typer.echo(f"bỏ qua tên miền chính thức: {domain}", err=True)
    seconds = time.perf_counter() - started
    typer.echo(
        f"{result.source} ({kind.value}): {result.read} mục hợp lệ, thêm mới {result.added}, "
        f"đã có {result.already}, xóa {result.removed}, dòng lỗi {result.bad_count}, "
        f"tên miền chính thức bỏ qua {len(result.official)} ({seconds:.1f} giây)."
    )


@blocklist_app.command("list")
def list_command() -> None:
    """The imported lists: items per kind and the latest import."""
    from app.blocklist.service import list_sources
    from app.db import transaction
    from app.text.formatting import VN_TZ
    from app.tips.cli import _database

    db = _database(Settings())
    try:
        with transaction(db) as session:
            sources = list_sources(session)
    finally:
        db.dispose()
    if not sources:
        typer.echo("Chưa có danh sách cảnh báo nào.")
        return
    for s in sources:
        counts = ", ".join(f"{k}: {n}" for k, n in sorted(s.counts.items())) or "trống"
        typer.echo(
            f"{s.name}\t{counts}\tcập nhật {s.imported_at.astimezone(VN_TZ):%d/%m/%Y %H:%M}"
            f"\tlần nhập cuối: {s.last_file or '-'} (+{s.last_added})"
        )


@blocklist_app.command("remove")
def remove_command(
    source: Annotated[str, typer.Argument(help="the list's name, as given at import")],
    kind: Annotated[Kind | None, typer.Option("--kind", help="only items of this kind")] = None,
    value: Annotated[str | None, typer.Option("--value", help="only this item (needs --kind)")] = None,
) -> None:
    """Remove a list, one kind of its items, or one item."""
    from app.blocklist.service import BadItem, remove
    from app.db import transaction
    from app.tips.cli import _database

    if value is not None and kind is None:
        typer.echo("--value cần --kind.", err=True)
        raise typer.Exit(2)
    db = _database(Settings())
    try:
        with transaction(db) as session:
            removed = remove(session, source=source, kind=kind, value=value)
    except BadItem as exc:
        typer.echo(f"{value}: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    if removed is None:
        typer.echo(f"Không có danh sách {source!r}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Đã xóa {removed} mục của {source}.")
