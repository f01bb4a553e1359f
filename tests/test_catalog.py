"""The scam catalogue: the real file is valid, and broken ones are reported tactic by tactic."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.catalog.loader import CatalogError, check_catalog, load_catalog
from app.catalog.models import REQUIRED_TACTIC_IDS
from app.settings import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "scam_catalog.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "catalog", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )


def test_shipped_catalogue_is_valid_and_complete():
    catalog = load_catalog(CATALOG)
    ids = {t.id for t in catalog.tactics}
    assert set(REQUIRED_TACTIC_IDS) <= ids
    for tactic in catalog.tactics:
        assert len(tactic.patterns) >= 12, tactic.id
        assert 2 <= len(tactic.advice) <= 5, tactic.id
        assert tactic.urgent_advice and tactic.sources, tactic.id


def test_catalog_check_cli_accepts_the_shipped_file():
    result = run_check(CATALOG)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_missing_field_is_reported_with_tactic_and_field(tmp_path, raw):
    data = copy.deepcopy(raw)
    victim = data["tactics"][3]
    del victim["advice"]
    problems = check_catalog(write(tmp_path, data))
    assert any(p.tactic == victim["id"] and p.field == "advice" for p in problems), problems


def test_too_few_patterns_and_single_words_are_problems(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["tactics"][0]["patterns"] = data["tactics"][0]["patterns"][:5]
    data["tactics"][1]["patterns"][0] = "lừa"
    problems = check_catalog(write(tmp_path, data))
    fields = {(p.tactic, p.field) for p in problems}
    assert (data["tactics"][0]["id"], "patterns") in fields
    assert (data["tactics"][1]["id"], "patterns") in fields


def test_missing_required_tactic_and_duplicate_id(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["tactics"] = [t for t in data["tactics"] if t["id"] != "otp_theft"]
    data["tactics"].append(copy.deepcopy(data["tactics"][0]))
    problems = check_catalog(write(tmp_path, data))
    text = " ".join(str(p) for p in problems)
    assert "otp_theft" in text
    assert "duplicate" in text


def test_cli_prints_each_problem_and_exits_1(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["tactics"][2]["updated"] = "not a date"
    del data["tactics"][5]["sources"]
    result = run_check(write(tmp_path, data))
    assert result.returncode == 1
    assert f"{data['tactics'][2]['id']}.updated" in result.stderr
    assert f"{data['tactics'][5]['id']}.sources" in result.stderr


@pytest.mark.parametrize("content", ["tactics: [", "", "- just a list"])
def test_unreadable_files_are_problems_not_crashes(tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    problems = check_catalog(path)
    assert problems
    with pytest.raises(CatalogError):
        load_catalog(path)


def test_missing_file(tmp_path):
    result = run_check(tmp_path / "nope.yaml")
    assert result.returncode == 1
    assert "does not exist" in result.stderr
