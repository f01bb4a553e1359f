"""`canhgiac tips ...`: officer commands. Filled in by the tips work."""

from __future__ import annotations

import typer

tips_app = typer.Typer(help="Tips filed by citizens: list, export, status, retention.", no_args_is_help=True)
