"""The `canhgiac` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from app.blocklist.cli import blocklist_app
from app.console.cli import officers_app, suggestions
from app.settings import Settings
from app.tips.cli import tips_app

app = typer.Typer(help="Cảnh Giác: trợ lý phòng chống lừa đảo.", no_args_is_help=True, add_completion=False)
catalog_app = typer.Typer(help="The scam catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(tips_app, name="tips")
app.add_typer(blocklist_app, name="blocklist")
app.add_typer(officers_app, name="officers")
catalog_app.command("suggestions")(suggestions)
data_app = typer.Typer(help="Retention of stored data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _analyze_stream(analyzer: Any, source: TextIO, sink: TextIO) -> tuple[int, int]:
    """One output line per non-empty input line, same order; a bad line gets an error line."""
    done = bad = 0
    out: list[str] = []
    for line in source:
        if not line.strip():
            continue
        id_: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
            id_ = item.get("id")
            text = item.get("text")
            if not isinstance(text, str):
                raise ValueError('"text" must be a string')
            result = analyzer.analyze(text).to_json(id_)
        except ValueError as exc:  # JSONDecodeError is a ValueError
            result = {"id": id_, "error": str(exc)}
            bad += 1
        out.append(json.dumps(result, ensure_ascii=False))
        done += 1
        if len(out) >= 512:
            sink.write("\n".join(out) + "\n")
            out.clear()
    if out:
        sink.write("\n".join(out) + "\n")
    sink.flush()
    return done, bad


@app.command()
def analyze(
    file: Annotated[
        Path | None, typer.Argument(help="JSON Lines with `text` (and `id`); stdin when omitted")
    ] = None,
) -> None:
    """Analyse messages: one JSON line out per JSON line in."""
    from app.nlu.analyzer import Analyzer

    settings = Settings()
    analyzer = Analyzer.from_files(settings.catalog_path, settings.intents_dir)
    if file is None:
        _analyze_stream(analyzer, sys.stdin, sys.stdout)
        return
    with file.open(encoding="utf-8", errors="replace") as source:
        _analyze_stream(analyzer, source, sys.stdout)


@app.command()
def ocr(
    files: Annotated[list[Path], typer.Argument(help="screenshots (PNG, JPEG, WebP, GIF, BMP)")],
) -> None:
    """Read screenshots: one JSON line per file, {"file", "text", "confidence", "seconds"}."""
    import time

    from app.vision import ImageRefused, available, read_image

    if not available():
        typer.echo(
            "OCR is off: Tesseract with its Vietnamese model is not installed "
            "(Debian: apt-get install tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet).",
            err=True,
        )
        raise typer.Exit(2)
    for file in files:
        started = time.perf_counter()
        line: dict[str, Any] = {"file": str(file), "text": "", "confidence": 0.0}
        try:
            reading = read_image(file.read_bytes())
            line.update(text=reading.text, confidence=reading.confidence)
            if reading.uncertain:
                line["uncertain"] = [u.read for u in reading.uncertain]
        except (OSError, ImageRefused) as exc:
            line["error"] = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # one unreadable file must not stop the others
            line["error"] = f"{type(exc).__name__}: {exc}"
        line["seconds"] = round(time.perf_counter() - started, 3)
        typer.echo(json.dumps(line, ensure_ascii=False))


@catalog_app.command("check")
def catalog_check(
    path: Annotated[Path | None, typer.Argument(help="catalogue file (default: the configured one)")] = None,
) -> None:
    """Validate the scam catalogue; print each problem with its tactic id and field."""
    from app.catalog.loader import check_catalog, load_catalog

    target = path or Settings().catalog_path
    problems = check_catalog(target)
    if problems:
        for problem in problems:
            print(f"{target}: {problem}", file=sys.stderr)
        raise typer.Exit(1)
    catalog = load_catalog(target)
    patterns = sum(len(t.patterns) for t in catalog.tactics)
    print(f"{target}: OK, {len(catalog.tactics)} tactics, {patterns} patterns")


@catalog_app.command("diff")
def catalog_diff(
    old: Annotated[Path, typer.Argument(help="the catalogue deployed now")],
    new: Annotated[Path, typer.Argument(help="the update to review")],
    patterns: Annotated[bool, typer.Option("--patterns", help="also list every pattern and keyword")] = False,
) -> None:
    """What an update adds, removes and changes, tactic by tactic, with its changelog."""
    from app.catalog.diff import diff_catalogs
    from app.catalog.loader import CatalogError, load_catalog

    loaded = []
    for path in (old, new):
        try:
            loaded.append(load_catalog(path))
        except CatalogError as exc:
            for problem in exc.problems:
                print(f"{path}: {problem}", file=sys.stderr)
            raise typer.Exit(1) from None
    print("\n".join(diff_catalogs(loaded[0], loaded[1]).lines(show_patterns=patterns)))


@app.command()
def chat(
    province: Annotated[
        str | None, typer.Option(help="province id or alias from provinces.yaml (soc-trang: Cần Thơ)")
    ] = None,
) -> None:
    """Talk to the bot in the terminal (the same engine and database the channels use)."""
    import uuid

    from app.contracts import IncomingMessage
    from app.conversation.responder import Responder
    from app.db import make_engine, transaction, upgrade

    settings = Settings()
    engine = Responder.from_settings(settings)
    if province is not None and not engine.provinces.has(province):
        print(f"unknown province {province!r}", file=sys.stderr)
        raise typer.Exit(2)
    where = engine.provinces.get(province)
    upgrade(settings.database_url)  # reports filed here are real tips: they need the tables
    db = make_engine(settings.database_url)
    print(f"Cảnh Giác — {where.name}. Gõ tin nhắn, Ctrl-D để thoát.")
    try:
        for line in _lines(sys.stdin):
            message = IncomingMessage(
                channel="terminal",
                channel_id=where.id,
                user_id="terminal",
                message_id=uuid.uuid4().hex,
                text=line,
            )
            with transaction(db) as session:
                replies = engine.handle(message, province=where, session=session)
            for reply in replies:
                print(reply.text)
                if reply.quick_replies:
                    print("[" + " | ".join(q.title for q in reply.quick_replies) + "]")
                print()
    finally:
        db.dispose()


def _lines(source: TextIO) -> Any:
    """Non-empty lines typed at a prompt (or piped in), until end of input."""
    interactive = source.isatty()
    while True:
        try:
            line = input("> ") if interactive else source.readline()
        except (EOFError, KeyboardInterrupt):
            return
        if not interactive and not line:
            return
        if line.strip():
            yield line.strip()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="uvicorn worker processes")] = 1,
    open_browser: Annotated[bool, typer.Option("--open", help="open the web chat in a browser")] = False,
) -> None:
    """Apply the migrations, then serve the webhooks and the web chat."""
    from app.serve import serve as run

    run(Settings(), host=host, port=port, workers=workers, open_browser=open_browser)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply the migrations up to REVISION (the latest by default)."""
    from app.db import upgrade

    upgrade(Settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help='target revision ("base": empty)')]) -> None:
    """Revert the migrations down to REVISION."""
    from app.db import downgrade

    downgrade(Settings().database_url, revision)


@data_app.command("purge")
def data_purge(
    older_than: Annotated[int, typer.Option("--older-than", min=0, help="days to keep")],
    clear_text_after_hours: Annotated[
        int, typer.Option("--clear-text-after-hours", min=0, help="hours to keep finished messages' text")
    ] = 24,
) -> None:
    """Retention: delete tips, conversations and messages older than DAYS days; clear the text of
    finished messages older than HOURS hours."""
    from app.db import make_engine, transaction, upgrade
    from app.privacy.retention import purge_data

    settings = Settings()
    upgrade(settings.database_url)
    db = make_engine(settings.database_url)
    try:
        with transaction(db) as session:
            done = purge_data(session, days=older_than, clear_text_after_hours=clear_text_after_hours)
    finally:
        db.dispose()
    typer.echo(
        f"Đã xóa {done.tips} tố giác, {done.states} cuộc trò chuyện, {done.inbound} tin nhắn đến và "
        f"{done.outbound} tin nhắn đi cũ hơn {older_than} ngày; đã xóa nội dung {done.inbound_texts} "
        f"tin nhắn đến và {done.outbound_texts} tin nhắn đi đã xử lý xong."
    )


def main() -> None:
    app()
