"""The main amount in stories told in other shapes: a list of fees after one verb, "N lần, mỗi
lần", a deposit then the rest, a sum restated, a ransom, rates and credit limits, a balance
notification of a debit.

Every amount and story here is made up for the test; each runs with and without diacritics.
"""

import unicodedata

import pytest

from app.nlu.entities import extract_entities


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


M = 1_000_000
# (message, paid amounts in order, the main amount)
CASES: list[tuple[str, tuple[int, ...], int | None]] = [
    # 1. a list of amounts after one paid cue
    ("em nạp tổng cộng 4 lần: 2tr, 3tr, 5tr và 10tr", (2 * M, 3 * M, 5 * M, 10 * M), 20 * M),
    ("mình ck tổng cộng 2 lần: 700k và 1tr3", (700_000, 1_300_000), 2 * M),
    (
        "e đóng phí xác minh 3tr, phí giải ngân 4tr5, phí bảo hiểm khoản vay 2tr",
        (3 * M, 4_500_000, 2 * M),
        9_500_000,
    ),
    ("đóng phí thủ tục 2.000.000, phí công chứng 1.200.000", (2 * M, 1_200_000), 3_200_000),
    # a total of the transfers still stands for them
    ("chuyển tổng cộng 3 lần là 9tr", (9 * M,), 9 * M),
    # a fee named after a paid transfer is asked, not paid
    ("đã nạp 6 triệu, phí rút tiền 1 triệu", (6 * M,), 6 * M),
    # 2. the same transfer repeated
    ("e nạp 4 lần mỗi lần 200k", (200_000,) * 4, 800_000),
    ("ck 3 lần, mỗi lần 1tr5", (1_500_000,) * 3, 4_500_000),
    ("chuyển 2 lần, 3 triệu mỗi lần", (3 * M,) * 2, 6 * M),
    ("nạp 2 lần, lần đầu 400k, lần sau 600k", (400_000, 600_000), 1 * M),
    # 3. a deposit, then the rest asked and paid
    (
        "shop bảo cọc trước 300k, mình cọc xong thì họ bảo chuyển nốt 900k mới giao, mình chuyển nốt rồi",
        (300_000, 900_000),
        1_200_000,
    ),
    (
        "bên kia bảo ck cọc 500k, e ck xong r thì đòi ck nốt 2tr mới ship, e ck nốt r",
        (500_000, 2 * M),
        2_500_000,
    ),
    ("bảo cọc 200k, sau đó đòi chuyển nốt 800k mới giao", (), 800_000),
    # 4. a sum asked then told as paid counts once; "cũng nộp" pays the next one
    (
        "họ yêu cầu nộp phí 3 triệu, tôi đã nộp 3 triệu hôm 5/11, sau đó họ bắt nộp phí xác minh 1 triệu, "
        "tôi cũng nộp",
        (3 * M, 1 * M),
        4 * M,
    ),
    ("nó bảo ck 2tr để giữ suất, e đã ck 2tr", (2 * M,), 2 * M),
    # what was paid, not what was asked, when they differ
    ("bảo chuyển 5tr phí, tôi đã chuyển 3tr", (3 * M,), 3 * M),
    # 5. different payers and steps add up; a ransom the family had to pay was paid
    ("bọn họ thu tiền môi giới 20tr, qua đó bị giam, nhà phải chuộc thêm 60tr", (20 * M, 60 * M), 80 * M),
    ("họ đòi chuộc 100tr", (), 100 * M),
    ("phải chuộc 50tr mới thả", (), 50 * M),
    # 6. rates, pay, credit limits: not the amount lost or asked
    ("tuyển cộng tác viên xem clip 30k/clip, có uy tín ko", (), None),
    ("tuyển ctv đánh giá sản phẩm 20k/đơn", (), None),
    ("thuê tk ngân hàng 1 triệu/tk", (), None),
    ("nâng hạn mức thẻ tín dụng lên 80tr, bảo cung cấp OTP", (), None),
    ("nâng hạn mức từ 20tr lên 50tr, đọc mã OTP", (), None),
    ("được trả 40k/video, nhưng phải nạp 500k làm nhiệm vụ", (), 500_000),
    ("việc nhẹ lương 1.200 đô, phải đóng 3 triệu phí visa", (), 3 * M),
    ("phí nâng hạn mức 1tr5", (), 1_500_000),  # a fee to raise the limit is asked
    ("họ bảo nộp 2 triệu phí kích hoạt", (), 2 * M),
    ("combo nghỉ dưỡng giá 2tr4/người", (), 2_400_000),  # a price quoted is what they ask
    # 7. a debit shown as a signed amount
    ("app báo số dư -250.000 do em tự thanh toán hóa đơn", (250_000,), 250_000),
    ("nhắn tin báo sd -1.500.000đ lúc 10h, mình ko giao dịch gì", (1_500_000,), 1_500_000),
    ("giá tầm 1-2tr", (), 2 * M),  # a range, not a debit
]


@pytest.mark.parametrize(
    ("text", "paid", "main"),
    [c for t, p, m in CASES for c in {(t, p, m), (strip_diacritics(t), p, m)}],
)
def test_paid_and_main(text: str, paid: tuple[int, ...], main: int | None) -> None:
    entities = extract_entities(text)
    assert entities.paid == paid
    assert entities.amount_vnd == main


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("tuyển ctv like bài 15k/bài, nạp trước 300k", [300_000]),
        ("nâng hạn mức lên 60tr, phí 2tr", [2 * M]),
        ("lương 1.500 đô", []),
        ("số dư -150.000 do mình tự thanh toán", [150_000]),  # "do" is "because", not dollars
        ("lãi 30% mỗi tháng, nạp 4tr", [4 * M]),
    ],
)
def test_rates_and_limits_are_not_amounts(text: str, amounts: list[int]) -> None:
    for form in {text, strip_diacritics(text)}:
        assert [a.value for a in extract_entities(form).amounts] == amounts


def test_a_phone_after_a_limit_is_still_a_phone() -> None:
    entities = extract_entities("nâng hạn mức 100tr, gọi 0912 345 678")
    assert entities.phones == ("+84912345678",)
    assert entities.amount_vnd is None


@pytest.mark.parametrize(
    ("text", "paid"),
    [
        ("họ bảo phải nạp trước, em nạp 2 lần, lần đầu 1tr5, lần sau 6tr", (1_500_000, 6_000_000)),
        ("ho bao phai nap truoc, em nap 2 lan, lan dau 1tr5, lan sau 6tr", (1_500_000, 6_000_000)),
        ("họ bảo em nạp 2tr để rút tiền", ()),
        ("bảo tôi chuyển 5 triệu", ()),
        ("họ bắt nộp 3tr, tôi đã nạp 3tr", (3_000_000,)),
    ],
)
def test_the_speaker_paying_after_being_asked_is_a_payment(text: str, paid: tuple[int, ...]) -> None:
    assert extract_entities(text).paid == paid


@pytest.mark.parametrize(
    ("text", "paid"),
    [
        ("Tiền phạt 25 triệu đó tôi chuyển vào tài khoản Sacombank hôm thứ Sáu", True),
        ("tien coc 2tr do em chuyen cho shop roi", True),
        ("bác đã nạp 2 triệu vào app", True),
        ("họ bảo tôi chuyển 5tr", False),
        ("yêu cầu em nạp 3tr để mở khóa", False),
        ("tôi chưa chuyển đồng nào", False),
    ],
)
def test_a_report_turn_that_tells_a_payment(text: str, paid: bool) -> None:
    from app.nlu.report_answers import says_paid

    assert says_paid(text) is paid
