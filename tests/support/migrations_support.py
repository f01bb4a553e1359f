"""The revision the blocklist migration builds on (read from the migration file itself)."""

from __future__ import annotations

import importlib.util

from app.settings import PROJECT_ROOT


def previous_revision() -> str:
    path = PROJECT_ROOT / "migrations" / "versions" / "0004_blocklist.py"
    spec = importlib.util.spec_from_file_location("m0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)
