"""What the bot says: warnings, choices, general rules, fixed answers, lengths; the engine and chat CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from citizens import FirstMessages

from app.contracts import IncomingMessage
from app.conversation.responder import Responder
from app.db import make_engine, upgrade
from app.provinces import load_provinces
from app.replies.composer import MAX_CHARS, MAX_QUICK_TITLE, split_text
from app.settings import Settings

HOTLINES = {"can-tho": "069.367.2888", "tuyen-quang": "069.2526.112"}


@pytest.fixture(scope="module")
def engine(bot_engine: Responder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstMessages]:
    url = f"sqlite:///{tmp_path_factory.mktemp('replies')}/replies.db"
    upgrade(url)
    db = make_engine(url)
    yield FirstMessages(bot_engine, db)
    db.dispose()


def said(replies) -> str:
    return "\n".join(r.text for r in replies)


@pytest.mark.parametrize("province_id", ["can-tho", "tuyen-quang"])
def test_tactic_warning_names_the_tactic_and_the_right_hotline(engine, province_id):
    province = engine.provinces.get(province_id)
    text = said(
        engine.reply("có người gọi tự xưng công an bắt chuyển tiền vào tài khoản tạm giữ", province=province)
    )
    assert text.startswith("⚠️")
    assert engine.analyzer.tactics["impersonate_authority"].name in text
    assert HOTLINES[province_id] in text
    other = next(h for p, h in HOTLINES.items() if p != province_id)
    assert other not in text
    assert "Bạn nên:" in text


def test_urgent_block_only_when_urgent(engine):
    province = engine.provinces.get("can-tho")
    calm = said(
        engine.reply(
            "có người gọi xưng công an bảo chuyển tiền vào tài khoản tạm giữ, tôi cúp máy", province=province
        )
    )
    urgent = said(
        engine.reply(
            "người xưng công an bắt tôi chuyển vào tài khoản tạm giữ, tôi đã chuyển 50 triệu rồi",
            province=province,
        )
    )
    assert "🚨" not in calm
    assert "🚨" in urgent
    tactic = engine.analyzer.tactics["impersonate_authority"]
    assert tactic.urgent_advice[0] in urgent


def test_no_match_asks_for_details_and_gives_the_general_rules(engine):
    province = engine.provinces.get("tuyen-quang")
    text = said(engine.reply("tôi nghi mình bị lừa", province=province))
    assert "kể rõ hơn" in text
    assert "điện thoại hay gọi video" in text
    assert "OTP" in text
    assert "tài khoản an toàn" in text
    assert HOTLINES["tuyen-quang"] in text


def test_ambiguous_match_answers_the_best_and_names_the_others_in_one_line():
    from app.nlu.analyzer import Analyzer
    from app.nlu.matcher import MatcherSettings
    from app.replies.composer import compose

    settings = Settings()
    analyzer = Analyzer.from_files(
        settings.catalog_path, settings.intents_dir, MatcherSettings(ambiguity_margin=100)
    )
    province = load_provinces(settings.provinces_path, "can-tho").get("can-tho")
    analysis = analyzer.analyze("shipper gọi bảo tôi chuyển khoản tiền hàng trước, tôi chưa chuyển")
    replies = compose(analysis, province=province, tactics=analyzer.tactics, intents=analyzer.intents)
    text = said(replies)
    names = [analyzer.tactics[c.tactic].name for c in analysis.match.candidates[:3]]
    assert len(names) >= 2 and all(name in text for name in names)
    assert text.startswith("Đừng chuyển tiền.")  # a verdict and steps, not a menu
    assert not any(line.startswith("1.") for line in text.splitlines())
    assert '"2"' in text and "nhắn số" in text
    assert replies[-1].quick_replies[0].payload == f"MORE:{analysis.match.candidates[0].tactic}"
    assert all(len(q.title) <= MAX_QUICK_TITLE for q in replies[-1].quick_replies)


@pytest.mark.parametrize(
    ("text", "must"),
    [
        ("xin chào ad", ["kiểm tra", "tố giác"]),
        ("bot này làm được gì", ["số điện thoại, số tài khoản", "Tố giác"]),
        ("cho xin số đường dây nóng", ["069.367.2888", "VNeID", "113"]),
        ("cảm ơn ad nhiều", ["Cảm ơn"]),
    ],
)
def test_fixed_answers(engine, text, must):
    out = said(engine.reply(text, province=engine.provinces.get("can-tho")))
    for piece in must:
        assert piece in out


def test_payloads_answer_without_analysis(engine):
    province = engine.provinces.get("can-tho")
    msg = IncomingMessage(
        channel="web", channel_id="can-tho", user_id="u1", message_id="m1", payload="ACTION:HOTLINE"
    )
    assert "069.367.2888" in said(engine.handle(msg, province=province))
    msg = IncomingMessage(
        channel="web", channel_id="can-tho", user_id="u1", message_id="m2", payload="TACTIC:otp_theft"
    )
    assert engine.analyzer.tactics["otp_theft"].name in said(engine.handle(msg, province=province))


@pytest.mark.parametrize("text", ["😭😭😭", "\u200b\u200b", "...!!!", ""])
def test_empty_or_noise_gets_a_polite_question(engine, text):
    msg = IncomingMessage(channel="web", channel_id="x", user_id="u", message_id="m", text=text)
    out = said(engine.handle(msg, province=engine.provinces.get("can-tho")))
    assert "kể lại" in out


def test_attachment_only_asks_for_words(engine):
    msg = IncomingMessage(channel="zalo", channel_id="x", user_id="u", message_id="m", attachments=("image",))
    assert "mô tả lại bằng lời" in said(engine.handle(msg, province=engine.provinces.get("can-tho")))


def test_every_reply_fits_the_platform_limit(engine):
    province = engine.provinces.get("can-tho")
    long = "có người gọi tự xưng công an bắt chuyển tiền vào tài khoản tạm giữ, " * 300
    for text in (long, "xin chào", "tôi bị lừa"):
        for reply in engine.reply(text, province=province):
            assert 0 < len(reply.text) <= MAX_CHARS
            assert len(reply.quick_replies) <= 13


def test_split_text_cuts_on_boundaries():
    text = "\n".join(f"dòng số {i} " + "chữ " * 30 for i in range(200))
    parts = split_text(text, 500)
    assert all(len(p) <= 500 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    giant = "a" * 1200
    assert [len(p) for p in split_text(giant, 500)] == [500, 500, 200]


def test_default_province_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CANHGIAC_DEFAULT_PROVINCE", "tuyen-quang")
    settings = Settings()
    assert (
        load_provinces(settings.provinces_path, settings.default_province).default.hotline == "069.2526.112"
    )
    with pytest.raises(ValueError, match=r"not in provinces\.yaml"):
        load_provinces(settings.provinces_path, "ha-noi")


@pytest.mark.slow
def test_chat_cli_answers_with_the_chosen_province(tmp_path):
    env = {**os.environ, "CANHGIAC_DATABASE_URL": f"sqlite:///{tmp_path}/chat.db"}
    out = subprocess.run(
        [sys.executable, "-m", "app", "chat", "--province", "tuyen-quang"],
        input="có người gọi tự xưng công an bắt chuyển tiền vào tài khoản tạm giữ\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert "Công an tỉnh Tuyên Quang" in out.stdout
    assert "069.2526.112" in out.stdout
    assert "⚠️" in out.stdout
