"""`canhgiac officers ...` (console accounts) and `canhgiac catalog suggestions`."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from app.console.models import Role
from app.settings import Settings

__all__ = ["officers_app", "suggestions"]

officers_app = typer.Typer(help="Officer accounts for the web console (/console/).", no_args_is_help=True)


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    from app.db import make_engine, upgrade

    upgrade(settings.database_url)
    return make_engine(settings.database_url)


@officers_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="sign-in name: lowercase letters, digits, . _ -")],
    role: Annotated[Role, typer.Option(help="viewer (reads), investigator (changes status) or admin")],
    province: Annotated[str | None, typer.Option(help="province id or alias the officer sees")] = None,
    all_provinces: Annotated[bool, typer.Option("--all-provinces", help="sees every province")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create an officer account (the password is stored as an argon2 hash only)."""
    from app.console.accounts import OfficerExists, add_officer
    from app.db import transaction
    from app.provinces import load_provinces

    if (province is None) == (not all_provinces):
        typer.echo("Chọn một trong hai: --province ID hoặc --all-provinces.", err=True)
        raise typer.Exit(2)
    settings = Settings()
    scope: str | None = None
    if province is not None:
        found = load_provinces(settings.provinces_path, settings.default_province).find(province)
        if found is None:
            typer.echo(f"Không có tỉnh {province!r} trong provinces.yaml.", err=True)
            raise typer.Exit(2)
        scope = found.id
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    db = _database(settings)
    try:
        with transaction(db) as session:
            add_officer(session, username=username, password=password, role=role, province=scope)
    except OfficerExists:
        typer.echo(f"Đã có cán bộ {username.strip().lower()}.", err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:
        typer.echo(f"Không tạo được tài khoản: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    typer.echo(f"Đã tạo tài khoản {username.strip().lower()} ({role.label}, {scope or 'mọi tỉnh'}).")


@officers_app.command("list")
def list_command() -> None:
    """Every officer account."""
    from app.console.accounts import list_officers
    from app.db import transaction

    settings = Settings()
    db = _database(settings)
    try:
        with transaction(db) as session:
            officers = list_officers(session)
            rows = [
                (o.username, Role(o.role).value, o.province or "*", "active" if o.active else "disabled")
                for o in officers
            ]
    finally:
        db.dispose()
    if not rows:
        typer.echo("Chưa có tài khoản nào.")
        return
    header = ("username", "role", "province", "state")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


@officers_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="the officer to disable")]) -> None:
    """Disable an account: it cannot sign in, and its open sessions end at once."""
    from app.console.accounts import disable_officer
    from app.db import transaction

    settings = Settings()
    db = _database(settings)
    try:
        with transaction(db) as session:
            done = disable_officer(session, username=username)
    finally:
        db.dispose()
    if not done:
        typer.echo(f"Không có cán bộ {username}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Đã khóa tài khoản {username.strip().lower()}.")


def suggestions() -> None:
    """New tactic variants officers marked in the console, as JSON Lines (newest first)."""
    from app.console.unmatched import iter_suggestions
    from app.db import transaction

    settings = Settings()
    db = _database(settings)
    try:
        with transaction(db) as session:
            for item in iter_suggestions(session):
                sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    finally:
        db.dispose()
