"""Several transfers in one message: what was paid, and the total lost.

Every amount and story here is made up for the test.
"""

import unicodedata

import pytest

from app.nlu.entities import extract_entities


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# (message, paid amounts in order, the main amount)
CASES: list[tuple[str, tuple[int, ...], int | None]] = [
    ("nạp 2 lần, lần đầu 1tr5, lần sau 6tr", (1_500_000, 6_000_000), 7_500_000),
    (
        "nạp lần đầu 20 triệu, thấy lãi nạp tiếp 50 triệu, rồi 100 triệu nữa",
        (20_000_000, 50_000_000, 100_000_000),
        170_000_000,
    ),
    (
        "chuyển cọc 500k ... xong họ bảo chuyển nốt 1tr2 mới gửi hàng, chuyển rồi thì bị chặn",
        (500_000, 1_200_000),
        1_700_000,
    ),
    ("đóng phí 8 triệu, tôi chuyển rồi; sau đó nộp phạt 25 triệu", (8_000_000, 25_000_000), 33_000_000),
    ("bị lừa chuyển 5tr, sau đó chuyển thêm 10tr nữa", (5_000_000, 10_000_000), 15_000_000),
    ("ck 2tr, 3tr và 5tr cho nó", (2_000_000, 3_000_000, 5_000_000), 10_000_000),
    # asked and not paid: not in the total when something was paid
    ("đã nạp 5 triệu, giờ bắt nạp thêm 10 triệu mới cho rút", (5_000_000,), 5_000_000),
    ("chuyển 2tr rồi, họ đòi 300 triệu", (2_000_000,), 2_000_000),
    ("cọc 400k, sau đó họ đòi thêm 2tr tiền ship", (400_000,), 400_000),
    # promised, earned, balances
    ("được trả 200k, sau đó nạp 1tr, rồi 3tr nữa", (1_000_000, 3_000_000), 4_000_000),
    ("lãi 30%, tôi nạp 5tr", (5_000_000,), 5_000_000),
    ("lương 1.500 đô, đóng phí 2tr rồi", (2_000_000,), 2_000_000),
    ("bị trừ 2.000.000đ, số dư 15.000.000đ", (2_000_000,), 2_000_000),
    ("mất 5tr, còn 20tr trong tài khoản", (5_000_000,), 5_000_000),
    ("nhận được 3tr hoa hồng, sau đó nạp 20tr thì bị khóa", (20_000_000,), 20_000_000),
    # nothing paid: the main amount is the one asked
    ("bắt nạp thêm 10 triệu mới cho rút", (), 10_000_000),
    ("đòi 300 triệu", (), 300_000_000),
    ("hứa trả 150 nghìn mỗi bài nhưng phải đóng 600 nghìn tiền phần mềm", (), 600_000),
    ("được trả 200k", (), 200_000),
    # "r mới": sent, then something else happened
    ("bà chuyển 35tr r mới gọi cho cả nhà", (35_000_000,), 35_000_000),
    ("chuyển 5tr mới biết bị lừa", (5_000_000,), 5_000_000),
    # a stated total stands for its parts
    ("tổng cộng 12tr, lần đầu 2tr, lần sau 10tr", (12_000_000,), 12_000_000),
    ("đã chuyển 2tr rồi 10tr, tổng cộng 12tr", (12_000_000,), 12_000_000),
    ("họ đòi tổng cộng 50tr", (), 50_000_000),
    # the same sum told twice is one transfer; "thêm" marks another one
    (
        "họ yêu cầu đóng 20 triệu phí giữ chỗ và tôi chuyển 20 triệu. Tôi đã chuyển 20 triệu.",
        (20_000_000,),
        20_000_000,
    ),
    ("chuyển 5tr, sau đó chuyển thêm 5tr", (5_000_000, 5_000_000), 10_000_000),
    ("phải nộp 6 triệu để mở khóa. Tôi nộp 6 triệu rồi", (6_000_000,), 6_000_000),
    # an ask told as done in the next sentence
    (
        "yêu cầu đóng phí 4.200.000đ vào tài khoản ngân hàng. Tôi đã chuyển nhưng không nhận gì.",
        (4_200_000,),
        4_200_000,
    ),
    ("bảo chuyển 5tr để nhận quà. Tôi không chuyển", (), 5_000_000),
    # the nearest cue asks, whatever came before it in the clause
    ("nhóm đó toàn lừa, bắt nạp 2tr mua số, e mất 2tr r", (2_000_000,), 2_000_000),
    ("khoản vay bị đóng băng, phải nộp 6 triệu để mở khóa", (), 6_000_000),
    # not done: a threat, a purpose
    ("sẽ bị trừ 2 triệu mỗi tháng, giờ bị trừ 16 triệu", (16_000_000,), 16_000_000),
    ("nhập OTP để nộp 4 triệu tiền phạt, sau đó tài khoản bị trừ 43,8 triệu", (43_800_000,), 43_800_000),
    ("bị lừa, giờ họ đòi 300 triệu", (), 300_000_000),
]


@pytest.mark.parametrize(
    ("text", "paid", "main"),
    [c for t, p, m in CASES for c in {(t, p, m), (strip_diacritics(t), p, m)}],
)
def test_paid_and_total(text: str, paid: tuple[int, ...], main: int | None) -> None:
    entities = extract_entities(text)
    assert entities.paid == paid
    assert entities.amount_vnd == main


def test_nothing_paid_without_amounts() -> None:
    assert extract_entities("họ bảo tôi chuyển tiền").paid == ()
