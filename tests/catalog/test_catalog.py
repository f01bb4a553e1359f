"""The scam catalogue: the real file is valid, and broken ones are reported tactic by tactic."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.catalog.loader import CatalogError, check_catalog, load_catalog
from app.catalog.models import REQUIRED_TACTIC_IDS, retired_police_mentions
from app.settings import PROJECT_ROOT
from app.text.normalize import fold

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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_missing_file(tmp_path):
    result = run_check(tmp_path / "nope.yaml")
    assert result.returncode == 1
    assert "does not exist" in result.stderr


# --- why / steps / en: what the bot says first, and the English side -------------------------------

FOLDED_RETIRED = ("cong an huyen", "cong an quan")


def _all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _all_strings(key)
            yield from _all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_strings(item)


def test_every_tactic_has_why_steps_and_english(raw):
    catalog = load_catalog(CATALOG)
    for tactic in catalog.tactics:
        assert tactic.why and len(tactic.why) <= 130, tactic.id
        assert tactic.why.endswith("."), tactic.id
        assert len(tactic.steps) == 3, tactic.id
        assert all(len(step) <= 90 for step in tactic.steps), tactic.id
        en = tactic.en
        assert en.name and len(en.name) <= 60, tactic.id
        assert en.why and len(en.why) <= 130, tactic.id
        assert len(en.steps) == 3 and all(len(s) <= 90 for s in en.steps), tactic.id
        assert 8 <= len(en.keywords) <= 15, tactic.id
        assert all(k == k.lower() and k.isascii() for k in en.keywords), tactic.id
    # The new fields sit right after `name:` so edits lower down merge cleanly.
    for entry in raw["tactics"]:
        assert list(entry)[:5] == ["id", "name", "why", "steps", "en"], entry["id"]


def test_why_reads_after_the_opening_line():
    for tactic in load_catalog(CATALOG).tactics:
        reply = f"Không. Đây là thủ đoạn lừa đảo: {tactic.name}. {tactic.why}"
        assert tactic.why[0].isupper(), tactic.id
        assert reply.count(". ") >= 2, tactic.id


def test_new_text_uses_straight_quotes_only():
    for tactic in load_catalog(CATALOG).tactics:
        texts = [tactic.why, *tactic.steps, tactic.en.name, tactic.en.why, *tactic.en.steps]
        assert not any(q in t for t in texts for q in "\u201c\u201d\u2018\u2019"), tactic.id


def test_no_district_police_anywhere_in_the_catalogue(raw):
    offending = [
        text
        for text in _all_strings(raw)
        for phrase in FOLDED_RETIRED
        if phrase in fold(text).casefold() and "cong an quan ly" not in fold(text).casefold()
    ]
    assert not offending, offending[:5]
    lowered = CATALOG.read_text(encoding="utf-8").casefold()
    for phrase in ("công an huyện", "công an quận"):
        assert phrase not in lowered, phrase


@pytest.mark.parametrize(
    "text",
    [
        "Đến công an huyện trình báo.",
        "Đến Công An Quận gần nhất.",
        "den cong an huyen trinh bao",
        "CONG AN QUAN 3 se lien he",
        "ra ca huyen bao ngay",
    ],
)
def test_district_police_is_a_problem(tmp_path, raw, text):
    data = copy.deepcopy(raw)
    data["tactics"][4]["steps"][2] = text
    problems = check_catalog(write(tmp_path, data))
    assert any(p.tactic == data["tactics"][4]["id"] and "district police" in p.message for p in problems)
    assert "steps" in " ".join(p.message for p in problems)


@pytest.mark.parametrize("text", ["công an quản lý cư trú", "công an xã, phường", "công an tỉnh Cần Thơ"])
def test_commune_and_provincial_police_are_fine(text):
    assert retired_police_mentions(text) == []


def test_english_keywords_are_discriminative():
    owners: dict[str, list[str]] = {}
    for tactic in load_catalog(CATALOG).tactics:
        for keyword in tactic.en.keywords:
            owners.setdefault(keyword, []).append(tactic.id)
    shared = {k: ids for k, ids in owners.items() if len(ids) > 2}
    assert not shared, shared
    generic = {"money", "bank", "call", "scam", "phone", "transfer", "fraud", "help"}
    assert not generic & set(owners), generic & set(owners)


def test_english_keyword_in_three_tactics_is_a_problem(tmp_path, raw):
    data = copy.deepcopy(raw)
    for entry in data["tactics"][:3]:
        entry["en"]["keywords"].append("shared cue")
    problems = check_catalog(write(tmp_path, data))
    assert any("shared cue" in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t.pop("why"), "why"),
        (lambda t: t.__setitem__("why", "Quá dài. " * 20), "why"),
        (lambda t: t.__setitem__("why", "Hai câu. Thêm một câu."), "why"),
        (lambda t: t["steps"].pop(), "steps"),
        (lambda t: t["steps"].append("Bước thứ tư."), "steps"),
        (lambda t: t["steps"].__setitem__(0, "x" * 91), "steps.0"),
        (lambda t: t.pop("en"), "en"),
        (lambda t: t["en"].pop("name"), "en.name"),
        (lambda t: t["en"].__setitem__("name", "n" * 61), "en.name"),
        (lambda t: t["en"].__setitem__("why", "w" * 131 + "."), "en.why"),
        (lambda t: t["en"]["steps"].pop(), "en.steps"),
        (lambda t: t["en"].__setitem__("keywords", ["a", "b"]), "en.keywords"),
        (lambda t: t["en"]["keywords"].append("Police Officer"), "en.keywords"),
        (lambda t: t["en"].__setitem__("extra", 1), "en.extra"),
        (lambda t: t.__setitem__("why", "Họ đòi chuyển vào \u201ctài khoản an toàn\u201d."), "why"),
    ],
)
def test_new_fields_are_reported_with_tactic_and_field(tmp_path, raw, mutate, field):
    data = copy.deepcopy(raw)
    victim = data["tactics"][7]
    mutate(victim)
    problems = check_catalog(write(tmp_path, data))
    assert any(p.tactic == victim["id"] and p.field == field for p in problems), problems


def test_cli_reports_new_fields_by_tactic_and_field(tmp_path, raw):
    data = copy.deepcopy(raw)
    del data["tactics"][1]["why"]
    data["tactics"][2]["en"]["steps"] = ["only one"]
    result = run_check(write(tmp_path, data))
    assert result.returncode == 1
    assert f"{data['tactics'][1]['id']}.why" in result.stderr
    assert f"{data['tactics'][2]['id']}.en.steps" in result.stderr


def test_one_style_of_quotes_in_everything_the_bot_can_say():
    """Straight quotes only: the bot's own sentences use them, so catalogue and intent texts do too."""
    texts = [(PROJECT_ROOT / "scam_catalog.yaml").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "intents").rglob("*.yaml")]
    for text in texts:
        assert "“" not in text and "”" not in text
