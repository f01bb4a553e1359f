"""What the conversation does with a picture's text (the reading itself is faked here: no OCR)."""

from __future__ import annotations

from citizens import Citizen
from sqlmodel import Session

from app.contracts import ImageText
from app.conversation.memo import IMAGE_MARK
from app.conversation_state.store import load_state

SCREEN = (
    "Tôi là cán bộ công an, anh có liên quan đến vụ án rửa tiền.\n"
    "Anh chuyển 45.000.000đ vào tài khoản tạm giữ 0451000123456 Vietcombank để xác minh, "
    "gọi ngay 0912 345 678."
)


def read(text: str = SCREEN, *, uncertain: tuple[str, ...] = (), digest: str = "f0e1d2c3b4a59687"):
    return ImageText("read", text=text, confidence=0.93, uncertain=uncertain, digest=digest)


def test_the_reply_says_what_was_read_then_answers_as_for_typed_text(citizen: Citizen):
    said = citizen.say(image=read())
    assert said.startswith("📷 Trong ảnh có số 0912 345 678")
    assert "tài khoản 0451000123456" in said
    assert "45.000.000" in said
    assert "Giả danh công an" in said


def test_a_number_the_passes_disagree_on_is_confirmed_before_it_is_checked(citizen: Citizen):
    said = citizen.say(image=read(uncertain=("0451000123456",)))
    assert "đọc chưa chắc: 0451000123456" in said
    assert said.count("0451000123456") == 1  # neither summarised nor checked until confirmed
    assert "0912 345 678" in said


def test_too_little_text_asks_politely_for_the_words(citizen: Citizen):
    said = citizen.say(image=ImageText("little", text="09:41"))
    assert "chưa đọc được đủ chữ" in said
    assert "gõ hoặc dán" in said


def test_the_same_picture_again_is_recognised(citizen: Citizen):
    citizen.say(image=read(digest="f0e1d2c3b4a59687"))
    again = citizen.say(image=read(digest="f0e1d2c3b4a59686"))  # one bit off: recompressed
    assert "đã gửi trước đó" in again
    other = citizen.say(image=read(digest="0f1e2d3c4b5a6978"))
    assert "đã gửi trước đó" not in other


def test_in_a_report_the_picture_is_evidence_in_the_draft(citizen: Citizen):
    citizen.say("tôi muốn tố giác")
    citizen.say("Có")
    citizen.say(image=read())
    with Session(citizen.db) as session:
        state = load_state(session, channel=citizen.channel, user_id=citizen.user_id)
    assert state is not None
    turns = state.data["turns"]
    assert any(turn.startswith(IMAGE_MARK) and "0912 345 678" in turn for turn in turns)
    assert "+84912345678" in state.data["phones"]


def test_urgency_comes_from_the_citizens_own_words_not_the_other_partys_demands(citizen: Citizen):
    demand = citizen.say(image=read())
    assert "làm ngay" not in demand  # "chuyển 45.000.000đ" is what the scammer asks
    assert "Anh làm" not in demand and "anh nên" not in demand.lower()  # their "anh" is not the citizen's
    paid = ImageText("read", text=SCREEN + "\nEm chuyển 45 triệu rồi", own="Em chuyển 45 triệu rồi")
    assert "làm ngay" in citizen.say(image=paid)
