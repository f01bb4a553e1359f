"""The analyzer on labelled messages of our own (tests/data/dev_messages.jsonl, never copied into the
catalogue), the matcher's decisions, and the `canhgiac analyze` interface."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from app.catalog.models import REQUIRED_TACTIC_IDS
from app.nlu.analyzer import Analyzer
from app.nlu.matcher import MatcherSettings
from app.settings import PROJECT_ROOT, Settings

DEV = PROJECT_ROOT / "tests/data/dev_messages.jsonl"
NON_SCAM = {"greeting", "help", "hotline", "thanks", "other"}


def strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    settings = Settings()
    return Analyzer.from_files(settings.catalog_path, settings.intents_dir)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]


def scores(analyzer: Analyzer, rows: list[dict], transform=lambda t: t) -> dict[str, float]:
    tac = [0, 0]
    fa = [0, 0]
    intent = urgent = 0
    for row in rows:
        got = analyzer.analyze(transform(row["text"]))
        if row["tactic"]:
            tac[0] += got.tactic == row["tactic"]
            tac[1] += 1
        if row["intent"] in NON_SCAM:
            fa[0] += got.tactic is not None
            fa[1] += 1
        intent += got.intent == row["intent"]
        urgent += got.urgent == row["urgent"]
    return {
        "tactic": tac[0] / tac[1],
        "false_alarm": fa[0] / fa[1],
        "intent": intent / len(rows),
        "urgent": urgent / len(rows),
    }


def test_dev_set_is_not_in_the_catalogue(analyzer, rows):
    patterns = {p for t in analyzer.catalog.tactics for p in t.patterns}
    assert not [r["text"] for r in rows if r["text"] in patterns]


def test_quality_on_our_labelled_messages(analyzer, rows):
    got = scores(analyzer, rows)
    assert got["tactic"] >= 0.88, got
    assert got["false_alarm"] <= 0.05, got
    assert got["intent"] >= 0.93, got
    assert got["urgent"] >= 0.85, got


def test_quality_holds_without_diacritics(analyzer, rows):
    accented = scores(analyzer, rows)
    stripped = scores(analyzer, rows, strip)
    for metric in ("tactic", "intent", "urgent"):
        assert stripped[metric] >= accented[metric] - 0.03, (metric, accented, stripped)
    assert stripped["false_alarm"] <= accented["false_alarm"] + 0.03


def test_each_required_tactic_is_recognised_from_descriptions_of_our_own(analyzer, rows):
    by_tactic: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["tactic"]:
            by_tactic[row["tactic"]].append(row["text"])
    weak = {}
    for tactic in REQUIRED_TACTIC_IDS:
        texts = by_tactic[tactic]
        assert len(texts) >= 5, tactic
        hits = sum(analyzer.matcher.match(analyzer.analyze(t).message.tokens).tactic == tactic for t in texts)
        if hits < len(texts) - 2:
            weak[tactic] = f"{hits}/{len(texts)}"
    assert not weak, weak


@pytest.mark.parametrize(
    ("text", "tactic"),
    [
        ("có người gọi tự xưng công an bảo tôi chuyển tiền vào tài khoản tạm giữ", "impersonate_authority"),
        ("bi lua lam nhiem vu tren mang, nap tien roi ko rut dc, ho bao sai cu phap", "task_job_scam"),
        ("e nhận đc tin nhắn vietcombank bảo cập nhật sinh trắc học bấm link", "bank_phishing"),
        ("nhà mạng gọi bảo sim sắp bị khóa 2 chiều vì chưa chuẩn hóa thông tin", "telecom_sim"),
        ("app vay tien bat dong phi giai ngan truoc moi cho vay", "loan_app"),
    ],
)
def test_typical_descriptions(analyzer, text, tactic):
    result = analyzer.analyze(text)
    assert result.tactic == tactic
    assert result.intent == "scam"
    assert result.match.score >= analyzer.matcher.settings.floor


def test_typos_are_absorbed(analyzer):
    clean = analyzer.analyze("bi lua lam nhiem vu tren mang nap tien khong rut duoc")
    typo = analyzer.analyze("bi lua lam nhiemm vuu tren mangg nap tienn khongg rut duocc")
    assert typo.tactic == clean.tactic == "task_job_scam"


def test_neutral_how_to_question_raises_no_alarm(analyzer):
    result = analyzer.analyze("Cập nhật sinh trắc học ngân hàng ở quầy hay trên ứng dụng được ạ")
    assert result.tactic is None
    assert result.intent == "other"


def test_vague_scam_has_no_tactic_but_is_urgent(analyzer):
    result = analyzer.analyze("tôi vừa bị lừa chuyển khoản mất 5 triệu rồi, giờ làm gì")
    assert result.intent == "scam"
    assert result.tactic is None
    assert result.urgent


def test_refusal_is_not_urgent(analyzer):
    result = analyzer.analyze(
        "có người xưng công an gọi bảo chuyển tiền vào tài khoản an toàn, tôi cúp máy luôn"
    )
    assert result.tactic == "impersonate_authority"
    assert not result.urgent


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("sáng nay kiểm tra tài khoản thì mất 23 triệu", "lost"),
        ("tôi bị mất 5tr rồi", "lost"),
        # "mặt" (face) and "mật khẩu" fold like "mất": no money lost
        ("Có người gọi video mặt giống hệt sếp em, nhờ em chuyển gấp 50 triệu cho đối tác", "pressure"),
        ("họ yêu cầu điền số tài khoản và mật khẩu ngân hàng vào biểu mẫu, tôi chưa điền", None),
        # "rồi sẽ" is "then", not "already"
        ("Nó nhắn bảo chuyển tiền cọc giữ chỗ rồi sẽ nhận hàng", None),
        ("em chuyển rồi mới nhớ ra mình không đặt gì", "lost"),
    ],
)
def test_urgency_kind(analyzer, text, kind):
    assert analyzer.analyze(text).urgency.kind == kind


def test_candidates_are_ranked_and_bounded(analyzer):
    result = analyzer.analyze("shipper gọi bảo chuyển khoản tiền hàng trước rồi để hàng ở bảo vệ")
    cands = result.match.candidates
    assert 1 <= len(cands) <= 3
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert cands[0].tactic == result.tactic == "fake_shipper"
    assert all(0 <= c.score <= 100 for c in cands)


def test_close_top_two_is_ambiguous():
    settings = Settings()
    strict = Analyzer.from_files(
        settings.catalog_path, settings.intents_dir, MatcherSettings(ambiguity_margin=100)
    )
    result = strict.analyze("shipper gọi bảo chuyển khoản tiền hàng trước rồi để hàng ở bảo vệ")
    assert result.match.ambiguous
    assert not result.match.confident


def test_long_message_is_matched(analyzer):
    sentence = (
        "có người gọi tự xưng công an nói tôi liên quan vụ án rửa tiền, bắt chuyển vào tài khoản tạm giữ. "
    )
    text = (sentence * 20)[:2000]
    assert analyzer.analyze(text).tactic == "impersonate_authority"


def run_analyze(stdin: str, *args: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "app", "analyze", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.mark.slow
def test_analyze_cli_keeps_order_and_reports_bad_lines():
    lines = [
        json.dumps({"id": "a", "text": "chào ad"}),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps(["a list"]),
        "",
        json.dumps(
            {
                "id": 7,
                "text": "số 0912 345 678 gọi xưng công an, bảo tôi liên quan vụ rửa tiền, "
                "bắt chuyển 50tr vào stk 0451000123456 VCB để xác minh",
            }
        ),
    ]
    out = run_analyze("\n".join(lines) + "\n")
    assert [o.get("id") for o in out] == ["a", None, "b", None, 7]
    assert out[0]["intent"] == "greeting"
    assert "error" in out[1] and "error" in out[2] and "error" in out[3]
    last = out[4]
    assert set(last) == {"id", "intent", "tactic", "score", "candidates", "is_report", "urgent", "entities"}
    assert last["entities"]["phones"] == ["+84912345678"]
    assert last["entities"]["bank_accounts"] == ["0451000123456"]
    assert last["entities"]["amount_vnd"] == 50_000_000
    assert last["tactic"] == "impersonate_authority"


@pytest.mark.slow
def test_analyze_cli_reads_a_file(tmp_path: Path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"id": 1, "text": "cảm ơn ad nhiều"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    assert run_analyze("", str(path))[0]["intent"] == "thanks"
