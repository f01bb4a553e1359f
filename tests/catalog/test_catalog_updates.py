"""Catalogue updates: the changelog, `canhgiac catalog diff`, the 2025-26 variants, no district police."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app.catalog.diff import diff_catalogs
from app.catalog.loader import load_catalog
from app.catalog.models import Catalog
from app.nlu.analyzer import Analyzer
from app.settings import PROJECT_ROOT, Settings

CATALOG = PROJECT_ROOT / "scam_catalog.yaml"
VARIANTS = PROJECT_ROOT / "bench" / "data" / "variants_2025.jsonl"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_changelog_describes_the_current_version(raw):
    catalog = Catalog.model_validate(raw)
    assert catalog.changelog, "the catalogue keeps a changelog"
    latest = catalog.changelog[-1]
    assert latest.version == catalog.version
    assert latest.date >= max(t.updated for t in catalog.tactics)
    assert list(raw)[-1] == "changelog"  # at the end of the file, where merges stay easy


def test_a_diff_names_what_an_update_adds_removes_and_changes(tmp_path: Path, raw):
    old = copy.deepcopy(raw)
    old["version"] = "2026.10"
    old["changelog"] = []
    new = copy.deepcopy(raw)
    first = new["tactics"][0]
    first["patterns"].append("kẻ gian gọi video giả mặt cán bộ bảo chuyển tiền")
    first["advice"][0] = "Cúp máy ngay, không làm theo yêu cầu nào qua điện thoại."
    first["sources"].append(
        {"agency": "Công an tỉnh Thử Nghiệm", "date": "2026-12-01", "title": "Cảnh báo mới"}
    )
    first["updated"] = dt.date(2026, 12, 5)
    extra = copy.deepcopy(new["tactics"][1])
    extra["id"] = "new_variant"
    new["tactics"].append(extra)
    old["tactics"].append(copy.deepcopy(new["tactics"][2]))
    old["tactics"][-1]["id"] = "retired_variant"
    diff = diff_catalogs(Catalog.model_validate(old), Catalog.model_validate(new))
    assert [t.id for t in diff.added] == ["new_variant"]
    assert [t.id for t in diff.removed] == ["retired_variant"]
    [changed] = [d for d in diff.changed if d.id == first["id"]]
    assert changed.added["patterns"] == ["kẻ gian gọi video giả mặt cán bộ bảo chuyển tiền"]
    assert changed.added["advice"] == ["Cúp máy ngay, không làm theo yêu cầu nào qua điện thoại."]
    assert changed.removed["advice"] == [raw["tactics"][0]["advice"][0]]
    assert changed.added["sources"] == ["Công an tỉnh Thử Nghiệm (2026-12-01): Cảnh báo mới"]
    text = "\n".join(diff.lines())
    assert "Danh mục 2026.10 → " in text
    assert "+ Thủ đoạn mới: new_variant" in text and "- Bỏ thủ đoạn: retired_variant" in text
    assert "+1 mẫu câu" in text and "kẻ gian gọi video giả mặt" not in text  # patterns only counted
    assert "kẻ gian gọi video giả mặt" in "\n".join(diff.lines(show_patterns=True))
    assert "Nhật ký thay đổi" in text  # the new file's changelog entries


def test_the_same_catalogue_has_no_differences(raw):
    catalog = Catalog.model_validate(raw)
    diff = diff_catalogs(catalog, catalog)
    assert diff.empty and diff.lines()[-1] == "Không có thay đổi."


def test_the_cli_diff_and_its_errors(tmp_path: Path, raw):
    from app.cli import app

    old = copy.deepcopy(raw)
    old["tactics"][3]["keywords"] = old["tactics"][3]["keywords"][:-1]
    old_path = _write(tmp_path, "old.yaml", old)
    runner = CliRunner()
    done = runner.invoke(app, ["catalog", "diff", str(old_path), str(CATALOG)])
    assert done.exit_code == 0, done.output
    assert f"~ {raw['tactics'][3]['id']}" in done.stdout and "+1 từ khóa" in done.stdout
    bad = copy.deepcopy(raw)
    del bad["tactics"][0]["sources"]
    bad_path = _write(tmp_path, "bad.yaml", bad)
    failed = runner.invoke(app, ["catalog", "diff", str(bad_path), str(CATALOG)])
    assert failed.exit_code == 1 and "sources" in failed.stderr
    missing = runner.invoke(app, ["catalog", "diff", str(tmp_path / "nope.yaml"), str(CATALOG)])
    assert missing.exit_code == 1


def _strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.mark.parametrize("transform", [lambda t: t, _strip], ids=["accented", "stripped"])
def test_the_2025_26_variants_are_recognised(transform):
    settings = Settings()
    analyzer = Analyzer.from_files(settings.catalog_path, settings.intents_dir)
    rows = [json.loads(line) for line in VARIANTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 30
    right = sum(analyzer.analyze(transform(r["text"])).tactic == r["tactic"] for r in rows)
    assert right / len(rows) >= 0.9, f"{right}/{len(rows)}"


def test_the_bank_warning_advice_is_in_the_catalogue():
    catalog = load_catalog(CATALOG)
    with_bank_warning = [
        t.id for t in catalog.tactics if any("ngân hàng cảnh báo" in a for a in t.advice + t.urgent_advice)
    ]
    assert {"account_takeover_borrow", "scam_recovery"} <= set(with_bank_warning)


_DISTRICT = re.compile(r"\bcong an (huyen|quan)\b")


def test_nothing_the_bot_says_sends_people_to_district_police():
    """Every data file and module the bot's words come from (the citizen may say it; we never do)."""
    files = [
        *PROJECT_ROOT.joinpath("app").rglob("*.py"),
        *PROJECT_ROOT.joinpath("app").rglob("*.yaml"),
        *PROJECT_ROOT.joinpath("intents").rglob("*.yaml"),
        CATALOG,
        PROJECT_ROOT / "provinces.yaml",
    ]
    checker = PROJECT_ROOT / "app" / "catalog" / "models.py"  # the rule that finds the phrase
    offending = []
    for path in (f for f in files if f != checker):
        folded = _strip(path.read_text(encoding="utf-8")).lower()
        offending += [f"{path.name}: {m.group()}" for m in _DISTRICT.finditer(folded)]
    assert offending == []
