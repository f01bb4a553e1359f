"""Every extractor is linear in its input: long awkward messages finish, and the costly step
(validating a digit run as a phone) runs a bounded number of times per digit group.

Timings are in bench/entities_worst_case.py, not here.
"""

import datetime
import random

import pytest

import app.nlu.entities.accounts as accounts
from app.nlu.entities import extract_entities
from app.nlu.entities.dates import find_incident_date

SIZE = 20_000


def _repeat(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def _random_words() -> str:
    rng = random.Random(3)
    sample = (
        "tôi bị lừa chuyển stk tk sđt ngân hàng vcb mất triệu tr k đã rồi bảo phải nạp hôm qua "
        "thứ 7 tuần trước chủ tk tên fanpage shop bit.ly/Ab1 x.top 0912 345 678 1tr5 20/11 19:05 "
        "cccd 001203004567 = ( ) \" ' . , : ;"
    )
    words = sample.split()
    return " ".join(rng.choice(words) for _ in range(SIZE // 4))[:SIZE]


INPUTS = {
    "digits and spaces": _repeat("9 "),
    "digits only": _repeat("9"),
    "dots": _repeat("."),
    "digits and dots": _repeat("1."),
    "repeated phone": _repeat("0912 345 678 "),
    "repeated amount": _repeat("chuyển 1tr5 rồi, "),
    "random words": _random_words(),
    "dotted letters": _repeat("a.b"),
    "spaces": _repeat(" "),
    "names and pages": _repeat("fanpage tên Tiệm Nhà Mèo stk 2100445566 ACB tên NGUYEN THI HOA, "),
    "paid series": _repeat("nạp lần đầu 20 triệu, bảo nạp tiếp 50 triệu mới cho rút, chuyển rồi. "),
    "dates and times": _repeat("03-12-2026 19:05:12 hôm qua thứ 7 tuần trước 20/11 "),
}


@pytest.mark.parametrize("name", list(INPUTS))
def test_long_messages_complete(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = INPUTS[name]
    calls = 0
    real = accounts._national

    def counting(digits: str, has_prefix: bool) -> str | None:
        nonlocal calls
        calls += 1
        return real(digits, has_prefix)

    monkeypatch.setattr(accounts, "_national", counting)
    entities = extract_entities(text)
    groups = sum(1 for tok in text.replace(".", " ").split() if tok[:1].isdigit())
    # a phone is at most 12 digits, so at most 12 candidates start at each digit group
    assert calls <= 13 * groups + 10
    assert len(entities.phones) <= groups


def test_many_numbers_stay_in_order_without_duplicates() -> None:
    text = " ".join(f"sđt 09{i:08d}," for i in range(2_000))
    phones = extract_entities(text).phones
    assert len(phones) == len(set(phones))
    assert phones == tuple(sorted(phones))


@pytest.mark.parametrize("name", list(INPUTS))
def test_incident_date_on_long_messages_completes(name: str) -> None:
    day, words = find_incident_date("x " * (SIZE // 2) + INPUTS[name], datetime.date(2026, 12, 3))
    assert (day is None) == (words is None)
