"""Dates, clock times and citizen ID numbers are never phones, accounts or amounts.

Every number here is made up for the test.
"""

import pytest

from app.nlu.entities import BankAccount, extract_entities

NOTHING_CASES = [
    "lúc 03-12-2026 19:05:12",
    "03/12/2026",
    "ngày 03/12/2026 lúc 19:05",
    "19:05",
    "ngày 03/12",
    "ngày 03/12 2026",
    "hôm 2026-12-03 19:05",
    "ngày 20.05.2025 19:05:12",
    "03-12-2026 19:05:12 03-12-2026 19:05:13",
    "từ 19:05 đến 21:30 ngày 3/12/26",
    "căn cước công dân của mẹ tôi là 001203004567",
    "cccd của tôi số 001203004567",
    "số định danh cá nhân: 001203004567",
    "mã định danh 001203004567 ngân hàng bidv",
    "chứng minh nhân dân của tôi là 123456789",
    "cmnd 123456789 tài khoản",
    "căn cước 0012 0300 4567",
]


@pytest.mark.parametrize("text", NOTHING_CASES)
def test_dates_times_and_ids_are_no_numbers(text: str) -> None:
    entities = extract_entities(text)
    assert entities.phones == ()
    assert entities.bank_accounts == ()
    assert entities.amounts == ()
    assert entities.amount_vnd is None


def test_bank_notification() -> None:
    text = "VCB: TK 0071000123456 -500,000VND luc 03-12-2026 19:05:12. SD: 12,345,678VND. ND: chuyen tien"
    entities = extract_entities(text)
    assert entities.phones == ()
    assert entities.bank_accounts == (BankAccount("0071000123456", "Vietcombank"),)
    assert [a.value for a in entities.amounts] == [500_000, 12_345_678]


def test_timestamp_next_to_numbers_keeps_them() -> None:
    entities = extract_entities("ngày 03/12 0912 345 678 gọi, lúc 19:05 bị trừ 2tr")
    assert entities.phones == ("+84912345678",)
    assert entities.amount_vnd == 2_000_000


@pytest.mark.parametrize(
    ("text", "value"),
    [("mất 2.5 tỷ", 2_500_000_000), ("chuyển 1.500.000đ", 1_500_000), ("ck 1-2tr", 2_000_000)],
)
def test_decimals_and_ranges_are_not_dates(text: str, value: int) -> None:
    assert extract_entities(text).amount_vnd == value


def test_an_account_after_an_id() -> None:
    text = "cccd 001203004567, chuyển vào stk 1234 5678 9012 acb"
    assert extract_entities(text).bank_accounts == (BankAccount("123456789012", "ACB"),)


def test_an_id_cue_far_before_an_account_cue() -> None:
    text = "căn cước của tôi bị lộ, stk 001203004567 bidv bị trừ tiền"
    assert extract_entities(text).bank_accounts == (BankAccount("001203004567", "BIDV"),)
