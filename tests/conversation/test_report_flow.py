"""The report conversation through `Responder.handle`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from citizens import CAN_THO_HOTLINE, FULL_REPORT, REF_RE, Citizen
from sqlalchemy import Engine as Database

from app.conversation.responder import Responder
from app.conversation_state.store import load_state
from app.db import make_engine, transaction
from app.settings import PROJECT_ROOT, Settings
from app.tips.service import TipFilter, get_tip, list_tips


def tip_of(db: Database, ref: str):
    with transaction(db) as session:
        tip = get_tip(session, ref_code=ref)
    assert tip is not None
    return tip


def all_tips(db: Database):
    with transaction(db) as session:
        return list_tips(session, filters=TipFilter(), limit=1000)


def draft_of(citizen: Citizen):
    """The citizen's open report draft (the conversation's memo is not a draft)."""
    with transaction(citizen.db) as session:
        state = load_state(session, channel=citizen.channel, user_id=citizen.user_id)
        return state if state is not None and state.flow == "report" else None


def test_complete_report_is_confirmed_in_one_step(citizen: Citizen):
    replies = citizen.replies(FULL_REPORT)
    said = "\n".join(r.text for r in replies)
    assert "Gửi tố giác?" in said and "đồng ý" in said
    assert "Công an thành phố Cần Thơ" in said and "xóa dữ liệu của tôi" in said  # privacy notice
    assert "0912 345 678" in said and "0451000123456 (Vietcombank)" in said and "vneid-capnhat.top" in said
    assert "45.000.000 đ" in said
    assert [q.title for q in replies[-1].quick_replies] == ["Có", "Không"]
    assert not REF_RE.search(said)
    assert all_tips(citizen.db) == []  # nothing stored before the citizen says yes

    done = citizen.say("Có")
    ref = REF_RE.search(done)
    assert ref is not None and ref.group(0) == "CT-20261123-0001"
    assert CAN_THO_HOTLINE in done and "VNeID" in done and "Tố giác tội phạm" in done
    tip = tip_of(citizen.db, ref.group(0))
    assert tip.turns == [FULL_REPORT]
    assert tip.phones == ["+84912345678"]
    assert [(a.number, a.bank) for a in tip.accounts] == [("0451000123456", "Vietcombank")]
    assert [link.url for link in tip.links] == ["vneid-capnhat.top"]
    assert tip.amount_vnd == 45_000_000
    assert tip.reporter_id == citizen.user_id and tip.channel == "web" and tip.province == "can-tho"
    assert tip.status == "moi" and tip.tactics and tip.urgent
    assert tip.created_at.tzinfo is not None
    assert draft_of(citizen) is None


def test_bare_request_gets_consent_then_only_the_missing_questions(citizen: Citizen):
    consent = citizen.say("tôi muốn tố giác")
    assert "đồng ý" in consent and "Công an thành phố Cần Thơ" in consent
    question = citizen.say("có")
    assert "chuyện gì đã xảy ra" in question
    story = "Có người gọi số 0987 654 321 xưng nhân viên ngân hàng, bảo tôi cài app để nâng hạn mức thẻ"
    question = citizen.say(story)
    # the contacts came with the story: the next question is about money
    assert "bao nhiêu tiền" in question and "số điện thoại" not in question
    summary = citizen.say("mất 5 triệu hôm qua")
    assert "Gửi tố giác?" in summary and "0987 654 321" in summary and "5.000.000 đ" in summary
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None
    tip = tip_of(citizen.db, ref.group(0))
    assert tip.turns == [story, "mất 5 triệu hôm qua"]  # control answers ("có") are not facts
    assert tip.phones == ["+84987654321"]
    assert tip.amount_vnd == 5_000_000 and tip.incident_when == "hôm qua"


def _questions(transcript: list[str]) -> int:
    """Bot messages that ask for facts (not consent, not confirmation)."""
    return sum(1 for t in transcript if "?" in t and "đồng ý" not in t and "Gửi tố giác?" not in t)


@pytest.mark.parametrize(
    "opening",
    [
        FULL_REPORT,
        "tố giác số 0987654321 lừa đảo, nó xưng shipper bắt chuyển phí giao hàng",
        "to giac so 0987654321 goi dien xung cong an doi chuyen tien",  # no diacritics
        "Tôi bị lừa mất 12 triệu khi làm nhiệm vụ like video, muốn tố giác",
    ],
)
def test_a_cooperative_citizen_always_reaches_a_reference_code(citizen: Citizen, opening: str):
    ref = citizen.report_cooperatively(opening)
    assert ref is not None, citizen.transcript
    assert _questions(citizen.transcript) <= 3
    assert tip_of(citizen.db, ref).turns[0] == opening


@pytest.mark.parametrize("payload", [("Tố giác", None), (None, "ACTION:REPORT"), ("ACTION:REPORT", None)])
def test_the_report_button_starts_the_flow(citizen: Citizen, payload: tuple[str | None, str | None]):
    text, button = payload
    said = citizen.say(text, payload=button)
    assert "đồng ý" in said
    assert draft_of(citizen) is not None


def test_menu_buttons_during_a_draft_are_answered_and_the_draft_waits(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    said = citizen.say("Đường dây nóng", payload="ACTION:HOTLINE")
    assert CAN_THO_HOTLINE in said and "vẫn đang chờ" in said
    assert "chuyện gì đã xảy ra" in citizen.say(payload="ACTION:REPORT")  # "Tố giác" again: same question
    story = "Họ gọi số 0944555666 giả nhân viên điện lực, dọa cắt điện nếu không đóng tiền ngay"
    citizen.say(story)
    citizen.say("không mất")
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None
    assert tip_of(citizen.db, ref.group(0)).turns == [story, "không mất"]  # button titles are not facts


def test_a_photo_during_a_report_is_asked_for_in_words(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    said = citizen.say(attachments=("image",))
    assert "hình ảnh" in said and "chuyện gì đã xảy ra" in said  # the same question again
    with transaction(citizen.db) as session:
        state = load_state(session, channel=citizen.channel, user_id=citizen.user_id)
    assert state is not None and state.data["asked"] == [] and state.data["turns"] == []


def test_skipping_everything_with_nothing_told_stores_nothing(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    said = citizen.say("xong")
    assert "chưa lưu" in said
    assert all_tips(citizen.db) == [] and draft_of(citizen) is None


def test_skip_moves_on_and_done_goes_to_the_summary(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    citizen.say("Nó nhắn tin giả làm nhân viên điện lực đòi tiền điện, dọa cắt điện trong hôm nay")
    assert "Facebook" in citizen.transcript[-1]  # asks for the contacts
    said = citizen.say("bỏ qua")
    assert "bao nhiêu tiền" in said
    summary = citizen.say("xong")
    assert "Gửi tố giác?" in summary
    assert REF_RE.search(citizen.say("Có"))


@pytest.mark.parametrize("where", ["consent", "question", "confirm"])
def test_cancel_or_no_stores_nothing(citizen: Citizen, where: str):
    citizen.say("tôi muốn tố giác")
    if where == "consent":
        said = citizen.say("Không")
    elif where == "question":
        citizen.say("Có")
        said = citizen.say("hủy")
    else:
        citizen.say(FULL_REPORT)  # at consent: details are kept, consent asked again
        citizen.say("Có")
        said = citizen.say("Không")
    assert "không lưu" in said
    assert all_tips(citizen.db) == [] and draft_of(citizen) is None


def test_no_loss_is_an_answer_to_the_money_question(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    citizen.say("Họ gọi số 0911222333 bảo tôi trúng thưởng xe máy, đòi đóng phí nhận giải")
    summary = citizen.say("chưa mất tiền")
    assert "chưa mất tiền" in summary and "Gửi tố giác?" in summary
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None and tip_of(citizen.db, ref.group(0)).amount_vnd == 0


def test_a_report_with_explicit_no_loss_is_complete_at_once(citizen: Citizen):
    said = citizen.say(
        "Tôi muốn tố giác số 0911222333 gọi bảo tôi trúng thưởng xe máy, đòi đóng phí, "
        "may mà tôi chưa chuyển tiền"
    )
    assert "Gửi tố giác?" in said and "đồng ý" in said


def test_turns_are_kept_as_nfc_and_facts_merge_across_turns(citizen: Citizen):
    decomposed = unicodedata.normalize(
        "NFD", "Kẻ gian gọi số 0911 222 333 xưng cán bộ thuế, bắt chuyển tiền vào tài khoản 190355678820"
    )
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    citizen.say(decomposed)
    citizen.say("xong")
    citizen.say("còn số 0977 888 999 nữa, tài khoản đó là Techcombank, mất 3 triệu")  # added at the summary
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None
    tip = tip_of(citizen.db, ref.group(0))
    assert tip.turns[0] == unicodedata.normalize("NFC", decomposed)
    assert tip.phones == ["+84911222333", "+84977888999"]
    assert [(a.number, a.bank) for a in tip.accounts] == [("190355678820", "Techcombank")]
    assert tip.amount_vnd == 3_000_000


def test_after_30_minutes_the_draft_waits_and_the_citizen_is_told_how_to_continue(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    citizen.say(
        "Có người gọi xưng công an bảo tôi liên quan vụ rửa tiền, đòi chuyển tiền vào tài khoản an toàn"
    )
    assert "Facebook" in citizen.transcript[-1]
    said = citizen.say("cho hỏi số 0911222333 có phải lừa đảo không", after=dt.timedelta(minutes=31))
    assert "chưa có tố giác nào" in said  # the question is answered ...
    assert "tiếp tục" in said and "hủy" in said  # ... and the draft is mentioned
    assert draft_of(citizen) is not None
    again = citizen.say("cảm ơn")
    assert "tiếp tục" not in again  # told once, not on every message
    resumed = citizen.say("tiếp tục")
    assert "Facebook" in resumed  # back at the question it was waiting on
    citizen.say("0911222333")
    citizen.say("mất 20 triệu")
    ref = REF_RE.search(citizen.say("Có"))
    assert ref is not None
    assert tip_of(citizen.db, ref.group(0)).phones == ["+84911222333"]


def test_a_paused_draft_can_be_dropped(citizen: Citizen):
    citizen.say(FULL_REPORT)
    said = citizen.say("Có", after=dt.timedelta(hours=2))
    assert "tiếp tục" in said
    assert all_tips(citizen.db) == []  # a late "Có" does not file a two-hour-old draft unseen
    dropped = citizen.say("hủy")
    assert "không lưu" in dropped and draft_of(citizen) is None


def test_a_report_interrupted_by_a_restart_completes(
    bot_engine: Responder, database_url: str, db_engine: Database
):
    before = Citizen(bot_engine, db_engine, user_id="citizen-9", channel="zalo")
    before.say("tôi muốn tố giác")
    before.say("Có")
    db_engine.dispose()  # the process goes away

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        catalog_path=PROJECT_ROOT / "scam_catalog.yaml",
        intents_dir=PROJECT_ROOT / "intents",
        provinces_path=PROJECT_ROOT / "provinces.yaml",
    )
    new_db = make_engine(database_url)
    try:
        after = Citizen(Responder.from_settings(settings), new_db, user_id="citizen-9", channel="zalo")
        after.now = before.now
        question = after.say("Có người nhắn Zalo số 0933444555 nhờ chuyển tiền giúp, giả làm con tôi")
        assert "bao nhiêu tiền" in question
        after.say("mất 7 triệu")
        ref = REF_RE.search(after.say("Có"))
        assert ref is not None
        tip = tip_of(new_db, ref.group(0))
        assert tip.channel == "zalo" and tip.reporter_id == "citizen-9" and tip.amount_vnd == 7_000_000
    finally:
        new_db.dispose()


def test_two_citizens_keep_separate_drafts(bot_engine: Responder, db_engine: Database):
    a = Citizen(bot_engine, db_engine, user_id="a")
    b = Citizen(bot_engine, db_engine, user_id="b", channel="messenger")
    a.say("tôi muốn tố giác")
    b.say(FULL_REPORT)
    a.say("Có")
    ref_b = REF_RE.search(b.say("Có"))
    assert ref_b is not None
    a.say("Nó gọi số 0966777888 bảo tôi trúng thưởng")
    a.say("không mất")
    ref_a = REF_RE.search(a.say("Có"))
    assert ref_a is not None and ref_a.group(0) != ref_b.group(0)
    assert tip_of(db_engine, ref_a.group(0)).phones == ["+84966777888"]
    assert tip_of(db_engine, ref_b.group(0)).phones == ["+84912345678"]


@pytest.mark.parametrize(
    "request_text", ["xóa dữ liệu của tôi", "xoa du lieu cua toi", "Xoá dữ liệu của mình", "xoa dl cua t"]
)
def test_data_rights_remove_the_conversation_and_the_link_to_tips(citizen: Citizen, request_text: str):
    citizen.display_name = "Nguyễn Thị Hoa"
    ref = citizen.report_cooperatively(FULL_REPORT)
    assert ref is not None and tip_of(citizen.db, ref).reporter_name == "Nguyễn Thị Hoa"
    citizen.say("tôi muốn tố giác")  # a second draft, still open
    said = citizen.say(request_text)
    assert ref in said and "soạn dở" in said and "kẻ gian" in said
    assert draft_of(citizen) is None
    tip = tip_of(citizen.db, ref)
    assert tip.reporter_id is None and tip.reporter_name is None
    assert tip.phones == ["+84912345678"] and tip.turns == [FULL_REPORT]  # the facts stay


def test_data_rights_with_nothing_stored_say_so(citizen: Citizen):
    said = citizen.say("xóa dữ liệu của tôi")
    assert "không còn lưu" in said


def test_a_button_of_a_finished_report_gets_a_polite_answer(citizen: Citizen):
    said = citizen.say(payload="REPORT:YES")
    assert "không có tố giác nào đang soạn" in said
