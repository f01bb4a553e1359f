"""A report told over several turns, read back from the officers' exports: facts exactly as told."""

from __future__ import annotations

import csv
import io
import json

from citizens import Citizen

from app.tips.export import HEADERS, ExportOptions, csv_chunks, jsonl_chunks
from app.tips.service import TipFilter, iter_tips

STORY = (
    "Hôm qua em đặt tour Phú Quốc trên page Du Lịch Biển Xanh, chuyển cọc 2 triệu vào stk "
    "1903 4471 2208 Techcombank tên TRAN VAN KHOA, sau đó họ bắt chuyển nốt 3 triệu, em chuyển rồi "
    'thì bị chặn. Link họ gửi: https://bienxanh-tour.top/Dat-Tour/XyZ9?id=7", số của họ 0912 640 377'
)


def _export(citizen: Citizen) -> tuple[dict, dict]:
    tips = list(iter_tips(citizen.db, filters=TipFilter()))
    assert len(tips) == 1
    options = ExportOptions(pseudonym_key=b"test-key")
    record = json.loads(b"".join(jsonl_chunks(tips, options=options)).decode("utf-8"))
    text = b"".join(csv_chunks(tips, options=options)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(HEADERS)
    return record, dict(zip(rows[0], rows[1], strict=True))


def test_a_told_case_then_report_reads_back_exactly_from_the_exports(citizen: Citizen):
    answer = citizen.say(STORY)
    assert "Du lịch" in answer or "tour" in answer.lower() or "⚠️" in answer
    said = citizen.say("tố giác như em vừa kể")
    ref = citizen.finish_report(said)
    assert ref is not None

    record, row = _export(citizen)
    assert record["ref_code"] == ref
    assert record["phones"] == ["+84912640377"]
    assert record["accounts"] == [
        {"number": "190344712208", "bank": "Techcombank", "holder": "TRAN VAN KHOA"}
    ]
    assert [link["url"] for link in record["links"]] == ["https://bienxanh-tour.top/Dat-Tour/XyZ9?id=7"]
    assert record["amount_vnd"] == 5_000_000  # the deposit and the rest, not the last transfer alone
    assert record["incident_date"] == "2026-11-22"  # "hôm qua" on 23 November (UTC+7)
    assert record["incident_when"].lower() == "hôm qua"
    assert record["pages"] == ["Du Lịch Biển Xanh"]
    assert record["tactics"] == ["travel_booking"]
    assert STORY in record["turns"][0]
    assert not any("tố giác như" in turn for turn in record["turns"])  # the request is not a fact

    assert row["Ngày xảy ra"] == "2026-11-22"
    assert row["Trang, cửa hàng, nhóm"] == "Du Lịch Biển Xanh"
    assert "TRAN VAN KHOA" in row["Số tài khoản"] and "Techcombank" in row["Số tài khoản"]
    assert row["Số tiền (VND)"] == "5000000"


def test_a_hotline_question_mid_report_is_answered_and_not_stored(citizen: Citizen):
    citizen.say("tố giác")
    citizen.say("có")
    said = citizen.say("cho tôi hỏi số đường dây nóng là số mấy")
    assert "069.367.2888" in said
    said = citizen.say(
        "Có người xưng nhân viên điện lực gọi từ số 0356 118 204 bảo nợ tiền điện, "
        "tôi chuyển 1 triệu 500 nghìn"
    )
    ref = citizen.finish_report(said)
    assert ref is not None
    record, _ = _export(citizen)
    assert not any("đường dây nóng" in turn for turn in record["turns"])
    assert record["phones"] == ["+84356118204"] and record["amount_vnd"] == 1_500_000
    assert record["urgent"] is True


def test_a_long_turn_is_stored_whole_while_its_start_is_read(citizen: Citizen):
    story = "Có người xưng công an gọi số 0912 640 377 bắt tôi chuyển 5 triệu vào tài khoản tạm giữ. "
    long_turn = story + "Họ nói rất nhiều điều khác nữa. " * 200 + "KẾT THÚC"
    assert len(long_turn) > 6000
    citizen.say("tố giác")
    citizen.say("có")
    ref = citizen.finish_report(citizen.say(long_turn))
    assert ref is not None
    record, _ = _export(citizen)
    assert any(turn.endswith("KẾT THÚC") for turn in record["turns"])  # nothing cut from the story
    assert record["phones"] == ["+84912640377"]
