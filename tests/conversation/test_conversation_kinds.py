"""One test (or a small parametrized group) per kind of conversation, through `Responder.handle`.

Every text, phone number, account number and link here is invented for these tests.
"""

from __future__ import annotations

import re

import pytest
from citizens import HOTLINE, OFF_TOPIC, Citizen
from sqlalchemy import Engine as Database

from app.contracts import IncomingMessage
from app.conversation.memo import Memo
from app.conversation.report_flow import REPORT_FLOW
from app.conversation.responder import Responder
from app.conversation_state.store import load_state
from app.db import transaction
from app.tips.service import NewTip, create_tip, get_tip

URGENT_WORDS = ("gọi ngay", "khóa", "phong tỏa", "tra soát")
MENU_LINE = re.compile(r"^\s*1\.", re.MULTILINE)
BAN = re.compile(r"\b[Bb]ạn\b")


def tactic_names(engine: Responder) -> list[str]:
    return [t.name for t in engine.analyzer.tactics.values()]


def tip_of(db: Database, ref: str):
    with transaction(db) as session:
        tip = get_tip(session, ref_code=ref)
    assert tip is not None
    return tip


# --------------------------------------------------------------------------- A. real scams


@pytest.mark.parametrize(
    ("text", "tactic_id"),
    [
        (
            "Sáng nay có người gọi số 0938 271 604 tự xưng là công an quận, nói tôi liên quan vụ rửa "
            "tiền, bắt chuyển 80 triệu vào tài khoản tạm giữ để điều tra",
            "impersonate_authority",
        ),
        (
            "Sang nay co nguoi goi so 0938 271 604 tu xung la cong an quan, noi toi lien quan vu rua "
            "tien, bat chuyen 80 trieu vao tai khoan tam giu de dieu tra",
            "impersonate_authority",
        ),
        (
            "Có người gọi xưng công an, bắt tôi chuyển 25 triệu vào stk 0071 0045 8812 ngân hàng ACB",
            "impersonate_authority",
        ),
    ],
)
def test_a_real_scam_names_its_tactic_not_the_off_topic_reply(citizen: Citizen, text, tactic_id):
    said = citizen.say(text)
    assert OFF_TOPIC not in said
    assert citizen.engine.analyzer.tactics[tactic_id].name in said
    assert HOTLINE in said


def test_a_police_impersonation_naming_the_ward_is_still_police_impersonation(citizen: Citizen):
    said = citizen.say("Có người gọi xưng công an phường, bắt tôi chuyển 25 triệu vào tài khoản")
    tactics = citizen.engine.analyzer.tactics
    assert tactics["impersonate_authority"].name in said
    assert tactics["fake_vneid_app"].name not in said


def test_a_a_vague_scam_story_is_not_called_off_topic(citizen: Citizen):
    said = citizen.say("có người nhắn tin bảo tôi nạp tiền để nhận quà, không biết là gì")
    assert OFF_TOPIC not in said


@pytest.mark.parametrize(
    "sms",
    [
        "[VCB] Tai khoan cua quy khach bi tam khoa do dang nhap bat thuong. Vui long xac thuc tai "
        "https://vcb-xacthuc.top/xacthuc de tranh bi khoa vinh vien",
        "[VCB] Tài khoản của quý khách bị tạm khóa do đăng nhập bất thường. Vui lòng xác thực tại "
        "https://vcb-xacthuc.top/xacthuc để tránh bị khóa vĩnh viễn",
    ],
)
def test_a_forwarded_sms_with_a_link_gets_the_tactic_and_a_check_of_the_link(citizen: Citizen, sms):
    said = citizen.say(sms)
    assert OFF_TOPIC not in said
    assert any(name in said for name in tactic_names(citizen.engine))
    assert "vcb-xacthuc.top/xacthuc" in said  # the link itself, checked
    assert "không phải trang chính thức" in said


# --------------------------------------------------------------------------- B. no false alarm


@pytest.mark.parametrize(
    "text",
    [
        "Con ơi, mẹ gửi tiền học phí kỳ này rồi nhé, con chuyển khoản vào số tài khoản của trường giúp mẹ",
        "Con oi, me gui tien hoc phi ky nay roi, con chuyen khoan vao so tai khoan cua truong nhe",
        "Tôi vừa tự đăng nhập app ngân hàng trên điện thoại của tôi, nhận mã OTP và tự nhập vào app, "
        "không có ai gọi cho tôi cả",
        "Tôi tự gia hạn gói data trong app My Viettel của nhà mạng, bị trừ 90 nghìn",
        "Công an cảnh báo: thời gian gần đây xuất hiện thủ đoạn giả danh công an gọi điện yêu cầu chuyển "
        "tiền vào tài khoản tạm giữ. Người dân cần cảnh giác, chia sẻ để mọi người cùng biết",
        "Cong an canh bao: thoi gian gan day xuat hien thu doan gia danh cong an goi dien yeu cau chuyen "
        "tien vao tai khoan tam giu. Nguoi dan can canh giac, chia se de moi nguoi cung biet",
        "Tôi tự gia hạn gói cước data 4G trong ứng dụng My Viettel, có phải bị lừa không?",
        "Tôi tự gia hạn gói cước data 4G trong ứng dụng My Viettel, bị trừ 120 nghìn, có phải bị lừa không?",
    ],
)
def test_b_no_false_alarm(citizen: Citizen, text):
    said = citizen.say(text)
    named = [name for name in tactic_names(citizen.engine) if name in said]
    assert named == []
    assert not said.startswith("🚨")


# --------------------------------------------------------------------------- C. urgent first


@pytest.mark.parametrize(
    "text",
    [
        "Có người gọi xưng nhân viên ngân hàng, tôi đã chuyển 30 triệu vào số tài khoản 1903 8827 4410 "
        "Techcombank rồi, giờ làm sao",
        "Toi da chuyen 30 trieu cho nguoi xung nhan vien ngan hang roi, lam sao bay gio",
    ],
)
def test_c_money_already_sent_gets_the_urgent_steps_first(citizen: Citizen, text):
    said = citizen.say(text)
    head = said[:300].lower()
    assert any(word in head for word in URGENT_WORDS)
    assert HOTLINE in said
    assert not MENU_LINE.search(said)


@pytest.mark.parametrize(
    "text",
    [
        "Có người gọi xưng công an bắt tôi chuyển 50 triệu vào tài khoản an toàn, tôi chưa chuyển",
        "co nguoi goi xung cong an bat toi chuyen 50 trieu vao tai khoan an toan, toi chua chuyen",
    ],
)
def test_c_not_yet_paid_starts_with_do_not_transfer(citizen: Citizen, text):
    said = citizen.say(text)
    assert said.startswith("Đừng chuyển tiền")
    assert not MENU_LINE.search(said)


@pytest.mark.parametrize(
    "text",
    [
        "Con tôi đang bị bọn nó giữ ở Campuchia, chúng đòi 200 triệu tiền chuộc mới thả, bảo chuyển ngay",
        "Con toi dang bi giu o Campuchia, chung doi 200 trieu tien chuoc moi tha",
    ],
)
def test_c_a_person_held_now_gets_113_early(citizen: Citizen, text):
    said = citizen.say(text)
    assert "113" in said[:120]
    assert HOTLINE in said
    assert not MENU_LINE.search(said)


def test_c_a_demand_not_yet_paid_gets_no_lost_money_steps(citizen: Citizen):
    said = citizen.say("Nó nhắn bảo chuyển tiền cọc giữ chỗ rồi sẽ nhận hàng và được hoàn tiền hoa hồng")
    assert "Bạn làm ngay" not in said


# --------------------------------------------------------------------------- D. typed menus


@pytest.mark.parametrize(
    ("typed", "payload"),
    [
        ("Hướng dẫn", "ACTION:HELP"),
        ("huong dan", "ACTION:HELP"),
        ("Kiểm tra số/link", "ACTION:CHECK"),
        ("kiem tra so link", "ACTION:CHECK"),
        ("Đường dây nóng", "ACTION:HOTLINE"),
        ("duong day nong", "ACTION:HOTLINE"),
    ],
)
def test_d_typed_menu_labels_do_what_the_buttons_do(make_citizen, typed, payload):
    by_text = make_citizen("go-chu").say(typed)
    by_button = make_citizen("bam-nut").say(payload=payload)
    assert by_text == by_button
    assert OFF_TOPIC not in by_text
    if payload == "ACTION:HOTLINE":
        assert HOTLINE in by_text


def test_d_typing_a_number_picks_that_alternative(citizen: Citizen):
    said = citizen.say("Nó nhắn bảo chuyển tiền cọc giữ chỗ rồi sẽ nhận hàng và được hoàn tiền hoa hồng")
    offered = re.search(r'"2" ([^;(]+?)(?:;|\s\()', said)
    assert offered is not None, said
    second = offered.group(1).strip()
    assert second in tactic_names(citizen.engine)
    picked = citizen.say("2")
    assert f"Đây là thủ đoạn lừa đảo: {second}." in picked or f"Dấu hiệu lừa đảo: {second}." in picked
    assert OFF_TOPIC not in picked


@pytest.mark.parametrize("typed", ["2", "số 2", "chon 2 nhe", "2 a"])
def test_d_command_reads_a_typed_choice_from_the_memo(bot_engine: Responder, typed):
    first, second = list(bot_engine.analyzer.tactics)[:2]
    memo = Memo(choices=[first, second])
    message = IncomingMessage(channel="web", channel_id="can-tho", user_id="x", message_id="m", text=typed)
    assert bot_engine._command(message, typed, memo) == f"TACTIC:{second}"
    assert bot_engine._command(message, "3", memo) == "CHOICES"  # lists the choices again
    assert bot_engine._command(message, typed, Memo()) is None  # no choices offered: not a command


@pytest.mark.parametrize("more", ["Xem thêm", "xem them"])
def test_d_more_after_a_scam_gives_the_details(citizen: Citizen, more):
    tactic = citizen.engine.analyzer.tactics["impersonate_authority"]
    first = citizen.say("Có người gọi xưng công an bắt tôi chuyển tiền vào tài khoản tạm giữ")
    assert tactic.name in first and "Dấu hiệu nhận biết" not in first
    details = citizen.say(more)
    assert "Dấu hiệu nhận biết" in details
    assert tactic.red_flags[0] in details
    assert len(details) > len(first)


def _file_tip(db: Database, *, reporter: str, channel: str) -> tuple[str, str]:
    with transaction(db) as session:
        tip = create_tip(
            session,
            tip=NewTip(province="can-tho", channel=channel, reporter_id=reporter, turns=["chuyện đã kể"]),
            ref_prefix="CT",
        )
    return tip.ref_code, tip.status.label.lower()


def test_d_status_question_about_an_unknown_code_starts_no_report(citizen: Citizen):
    said = citizen.say("mã CT-20261118-0027 tới đâu rồi")
    assert "CT-20261118-0027" in said and HOTLINE in said
    assert "đồng ý" not in said and "tố giác?" not in said
    with transaction(citizen.db) as session:
        state = load_state(session, channel=citizen.channel, user_id=citizen.user_id)
    assert state is None or state.flow != REPORT_FLOW


def test_d_status_is_told_to_its_reporter_only(make_citizen, db_engine: Database):
    ref, label = _file_tip(db_engine, reporter="chi-lan", channel="zalo")
    owner = make_citizen("chi-lan", channel="zalo")
    own = owner.say(f"mã {ref} tới đâu rồi")
    assert ref in own and label in own.lower()

    stranger = make_citizen("nguoi-la", channel="zalo").say(f"mã {ref} tới đâu rồi")
    same_user_other_channel = make_citizen("chi-lan", channel="web").say(f"mã {ref} tới đâu rồi")
    missing = "CT-20261118-0099"
    unknown = make_citizen("nguoi-khac", channel="zalo").say(f"mã {missing} tới đâu rồi")
    for answer in (stranger, same_user_other_channel):
        assert label not in answer.lower()
        # nothing distinguishes an existing code from a missing one
        assert answer.replace(ref, "<MÃ>") == unknown.replace(missing, "<MÃ>")


# --------------------------------------------------------------------------- E. context

STORY = (
    "Có người gọi số 0976 118 302 xưng công an, bắt tôi chuyển 25 triệu vào stk 0071 0045 8812 ngân hàng ACB"
)


def test_e_report_after_a_description_keeps_its_facts(citizen: Citizen):
    citizen.say(STORY)
    ref = citizen.finish_report(citizen.say("tố giác"))
    assert ref is not None, citizen.transcript
    tip = tip_of(citizen.db, ref)
    assert tip.phones == ["+84976118302"]
    assert [(a.number, a.bank) for a in tip.accounts] == [("007100458812", "ACB")]
    assert tip.amount_vnd == 25_000_000
    assert tip.turns == [STORY]


def test_e_hotline_question_mid_report_is_answered_not_stored(citizen: Citizen):
    story = "Có người gửi link shopee-hoantien.top/hoantien nói hoàn tiền đơn hàng cho tôi"
    citizen.say(story)
    assert "đồng ý" in citizen.say("tố giác")
    question = citizen.say("có")
    assert "?" in question
    aside = citizen.say("số đường dây nóng là gì")
    assert HOTLINE in aside
    assert question.splitlines()[0] in aside  # the pending question is asked again
    ref = citizen.finish_report(aside)
    assert ref is not None, citizen.transcript
    turns = tip_of(citizen.db, ref).turns
    assert turns == [story]
    assert not any("đường dây nóng" in t for t in turns)


@pytest.mark.parametrize(
    "urgent",
    [
        "Tôi vừa chuyển 15 triệu cho kẻ giả danh công an rồi",
        "Toi vua chuyen 15 trieu cho ke gia danh cong an roi",
    ],
)
def test_e_urgent_message_mid_report_gets_urgent_steps_first(citizen: Citizen, urgent):
    citizen.say("tôi muốn tố giác")
    question = citizen.say("có")
    assert "chuyện gì đã xảy ra" in question
    said = citizen.say(urgent)
    assert any(word in said[:300].lower() for word in URGENT_WORDS)
    assert HOTLINE in said
    assert said.index(HOTLINE) < said.index("?")  # the steps come before the next question


# --------------------------------------------------------------------------- F. facts


def test_f_stored_tip_has_one_or_two_tactics(citizen: Citizen):
    story = (
        "Hôm qua có người gọi số 0915 604 227 xưng cán bộ viện kiểm sát, nói tôi dính vụ ma túy, "
        "bắt chuyển 40 triệu vào tài khoản 2201 7788 6610 BIDV để chứng minh trong sạch"
    )
    ref = citizen.finish_report(citizen.say(f"Tôi muốn tố giác: {story}"))
    assert ref is not None, citizen.transcript
    tactics = tip_of(citizen.db, ref).tactics
    assert 1 <= len(tactics) <= 2
    assert tactics[0] == "impersonate_authority"


def test_f_tip_keeps_the_case_of_a_link_path(citizen: Citizen):
    citizen.say("Có người gửi link shopee-hoantien.top/Refund/QxT7Lm nói hoàn tiền đơn hàng cho tôi")
    ref = citizen.finish_report(citizen.say("tố giác"))
    assert ref is not None, citizen.transcript
    urls = [link.url for link in tip_of(citizen.db, ref).links]
    assert urls == ["shopee-hoantien.top/Refund/QxT7Lm"]


@pytest.mark.parametrize(
    "text",
    [
        "cho bác hỏi, có người gọi xưng công an bảo bác chuyển tiền vào tài khoản tạm giữ, bác chưa chuyển",
        "cho bac hoi, co nguoi goi xung cong an bao bac chuyen tien vao tai khoan tam giu, bac chua chuyen",
    ],
)
def test_f_replies_use_the_citizens_own_form_of_address(citizen: Citizen, text):
    said = citizen.say(text)
    assert citizen.engine.analyzer.tactics["impersonate_authority"].name in said
    assert "Bác nên" in said
    assert not BAN.search(said), said
    later = citizen.say("Xem thêm")  # the memo keeps the form of address
    assert "Dấu hiệu nhận biết" in later
    assert not BAN.search(later), later


# --------------------------------------------------------------------------- G. English


def test_g_english_question_gets_an_english_answer(citizen: Citizen):
    said = citizen.say(
        "A man called me saying he is from the police, that my bank account is linked to money "
        "laundering and I must move my savings to a safe account. Is this real?"
    )
    assert HOTLINE in said
    assert "scam" in said.lower() or "fraud" in said.lower()
    assert "What to do" in said
    assert "Bạn nên" not in said


# --------------------------------------------------------------------------- H. length

PLAIN_SCAMS = [
    "Có người gọi xưng công an bắt tôi chuyển tiền vào tài khoản tạm giữ",
    "Có người nhắn Zalo mời làm cộng tác viên, làm nhiệm vụ thả tim, bảo nạp tiền trước để nhận hoa hồng",
    "Shop nhan tin bao hoan tien don hang, bat toi doc ma OTP de nhan lai tien",
]


@pytest.mark.parametrize("text", PLAIN_SCAMS)
def test_h_a_plain_scam_answer_is_short(citizen: Citizen, text):
    said = citizen.say(text)
    assert any(name in said for name in tactic_names(citizen.engine))
    assert len(said) <= 700, len(said)


@pytest.mark.parametrize(
    "messages",
    [
        [STORY],
        [
            "Tôi muốn tố giác: số 0915 604 227 gọi xưng viện kiểm sát, tôi đã chuyển 40 triệu "
            "vào stk 2201 7788 6610 BIDV"
        ],
        ["Nó nhắn bảo chuyển tiền cọc giữ chỗ rồi sẽ nhận hàng và được hoàn tiền hoa hồng", "2"],
        ["Hướng dẫn", "Đường dây nóng", "Kiểm tra số/link"],
        ["Có người gọi xưng công an bắt tôi chuyển tiền vào tài khoản tạm giữ", "Xem thêm"],
    ],
)
def test_h_no_answer_is_over_1200_characters(citizen: Citizen, messages):
    for text in messages:
        said = citizen.say(text)
        assert len(said) <= 1200, (text, len(said))


@pytest.mark.parametrize(
    ("text", "hotline"),
    [
        ("tôi ở Hà Giang, có người xưng công an bắt chuyển tiền vào tài khoản tạm giữ", "069.2526.112"),
        ("nha em o ha giang, cho xin so duong day nong", "069.2526.112"),
        ("tôi ở Sóc Trăng, cho xin số đường dây nóng", "069.367.2888"),
        # a place named in the story routes nothing: the channel's province answers
        ("có người xưng công an tỉnh Hà Giang gọi bắt chuyển tiền vào tài khoản tạm giữ", "069.367.2888"),
    ],
)
def test_the_province_a_citizen_lives_in_gives_the_hotline(citizen: Citizen, text, hotline):
    said = citizen.say(text)
    assert hotline in said
    other = "069.367.2888" if hotline != "069.367.2888" else "069.2526.112"
    assert other not in said
