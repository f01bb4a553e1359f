"""Entity extraction: phones, bank accounts, links, money amounts and the main amount.

Every number, account, name and link here is made up for the test.
"""

import unicodedata

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.nlu.entities import Amount, BankAccount, Entities, extract_entities


def strip_diacritics(text: str) -> str:
    """How a third of citizens type: no diacritics at all."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def both_forms(cases: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Each case as written and with diacritics stripped (deduplicated)."""
    out: list[tuple[str, object]] = []
    for text, expected in cases:
        out.append((text, expected))
        stripped = strip_diacritics(text)
        if stripped != text:
            out.append((stripped, expected))
    return out


# --------------------------------------------------------------------------- phones

PHONE_CASES: list[tuple[str, object]] = [
    ("số 0935 281 647 gọi cho tôi suốt", ["+84935281647"]),
    ("kiểm tra giúp sđt 0916.204.583 với", ["+84916204583"]),
    ("liên hệ 091-234-5678 để nhận quà", ["+84912345678"]),
    ("số +84 362 915 804 nhắn tin mời chơi", ["+84362915804"]),
    ("84912345678 gọi lúc nửa đêm", ["+84912345678"]),
    ("(+84) 912345678 tự xưng công an", ["+84912345678"]),
    ("(+84)912345678 gọi lại", ["+84912345678"]),
    ("gọi từ +84.912.345.678", ["+84912345678"]),
    ("+84912345678", ["+84912345678"]),
    ("số +84 0912 345 678 này là ai", ["+84912345678"]),
    ("zalo của nó: 0397 142 658.", ["+84397142658"]),
    ("sdt:0356123987", ["+84356123987"]),
    ("số 0523 456 789 và 0786 123 450 cùng gọi", ["+84523456789", "+84786123450"]),
    ("hai số 0912345678 0987654321", ["+84912345678", "+84987654321"]),
    ("0912345678,0987654321", ["+84912345678", "+84987654321"]),
    ("số 0912 345 678 gọi, lát sau 0912.345.678 lại gọi", ["+84912345678"]),  # no duplicates
    ("máy bàn 028 3822 1234 gọi tới", ["+842838221234"]),  # fixed line
    ("gọi 024.3825.1234 xưng tòa án", ["+842438251234"]),
    ("số 0935 281 647 gọi, xưng nhân viên Sacombank", ["+84935281647"]),  # bank later: still a phone
    ("sđt 0912 345 678 9 lần gọi", ["+84912345678"]),  # a count glued by a space
    ("gọi 0935 281 647 2 lần", ["+84935281647"]),
]


@pytest.mark.parametrize(("text", "expected"), both_forms(PHONE_CASES))
def test_phones(text: str, expected: list[str]) -> None:
    assert list(extract_entities(text).phones) == expected


NOT_PHONE_CASES = [
    "cccd 001203004567 của tôi bị lộ",  # 12-digit citizen ID
    "số căn cước 079204001234",
    "cmnd 123456789",  # 9-digit old ID
    "mã otp 482913 họ bắt đọc",
    "ngày 20/5 và 14/9/2025",
    "lúc 8h30 và 14:05",
    "chuyển 3.000.000đ rồi",
    "mất 2.380.000đ",
    "đóng 50tr",
    "tổng đài 113, 114, 115",
    "nhắn 5656 để hủy",
    "gọi 1900 1234 hoặc 1800 6789",
    "gọi 19001234",
    "tổng đài 18006789",
    "stk 0912345678 vietcombank",  # account cue before: an account
    "chuyển vào stk 0376518249 ACB",
    "tài khoản ACB 0345678912",
    "biển số 30K-482.16",
    "lãi 10%/tuần, 20%/tháng",
    "số 012 345 678 hỏng",  # 9 digits with a 0: not a valid phone
    "0162 345 6789",  # pre-2018 11-digit mobile, no longer valid
    "https://abc-vay.com/0912345678",  # inside a link
]


@pytest.mark.parametrize("text", [c for t in NOT_PHONE_CASES for c in {t, strip_diacritics(t)}])
def test_not_phones(text: str) -> None:
    assert extract_entities(text).phones == ()


def test_police_069_numbers_follow_phonenumbers() -> None:
    # 069 police-network numbers are phones only where phonenumbers' metadata says they are valid
    text = "đường dây nóng 069.367.2888"
    number = phonenumbers.parse("0693672888", "VN")
    expected = ("+84693672888",) if phonenumbers.is_valid_number(number) else ()
    assert extract_entities(text).phones == expected


_VALID_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


@settings(max_examples=300)
@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True))
def test_phone_validation_agrees_with_phonenumbers(number: str) -> None:
    parsed = phonenumbers.parse(number, "VN")
    valid = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in _VALID_TYPES
    got = extract_entities(f"số {number} gọi tôi").phones
    if valid:
        assert got == (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),)
    else:
        assert got == ()


# --------------------------------------------------------------------------- bank accounts

ACCOUNT_CASES: list[tuple[str, object]] = [
    ("chuyển hết sang tk an toàn 2471 3362 9058 4 của ngân hàng", [("2471336290584", None)]),
    ("stk 1903 5567 8820 11 Techcombank", [("19035567882011", "Techcombank")]),
    ("bảo chuyển vào stk 0170022334 ACB", [("0170022334", "ACB")]),
    ("mẹ tôi chuyển 12 triệu sang tài khoản Agribank 4711306229943", [("4711306229943", "Agribank")]),
    ("0561000884327 vietcombank có lừa đảo ko ad", [("0561000884327", "Vietcombank")]),
    ("nhờ gửi lại qua stk 19047766332255 tcb", [("19047766332255", "Techcombank")]),
    ("đã chuyển vào stk 8877023456 ngân hàng MSB", [("8877023456", "MSB")]),
    ("stk lại là của cá nhân 19035527741238 techcombank", [("19035527741238", "Techcombank")]),
    ("vào tài khoản BIDV 12130007744990 của người lạ", [("12130007744990", "BIDV")]),
    ("ck sang tài khoản ACB 9938472", [("9938472", "ACB")]),
    ("STK: 3581223355 MB", [("3581223355", "MB")]),
    ("số tài khoản 102988776655 vietinbank", [("102988776655", "VietinBank")]),
    ("ngân hàng quân đội 0981234567890", [("0981234567890", "MB")]),
    ("ngân hàng Á Châu số 224466880", [("224466880", "ACB")]),
    ("stk 2366 9982 1405", [("236699821405", None)]),
    ("stk 7788990011 NGUYEN VAN AN", [("7788990011", None, "NGUYEN VAN AN")]),  # the holder is kept
    ("chuyển khoản vào 1122334455 cho tôi", [("1122334455", None)]),
    ("qua Vietcombank của nó là 0071000123456", [("0071000123456", "Vietcombank")]),
    ("tk nhận: 57683920 sacombank", [("57683920", "Sacombank")]),
    ("ngân hàng Cake số tk 0099887766", [("0099887766", "Cake")]),
    ("stk 0912345678 vietcombank", [("0912345678", "Vietcombank")]),  # phone-shaped, after stk
    ("tk 0987654321 momo", [("0987654321", "MoMo")]),
    ("stk vcb 0912 345 678", [("0912345678", "Vietcombank")]),  # written like a phone, but after stk
    ("chuyển qua ví MoMo 0987 654 321", [("0987654321", "MoMo")]),
    ("stk 1111222233 và stk 4444555566 đều của nó", [("1111222233", None), ("4444555566", None)]),
    ("e bị lừa ck 5tr vào tk 0912345678 vcb r", [("0912345678", "Vietcombank")]),  # teencode
    (
        "số tk: 1234 5678 9012 - Vietinbank - chủ tk TRAN THI BICH",
        [("123456789012", "VietinBank", "TRAN THI BICH")],
    ),
    ("stk 9988776655 bidv, cccd 001203004567", [("9988776655", "BIDV")]),  # the CCCD stays out
    ("căn cước 001203004567 và stk 9988776655 bidv", [("9988776655", "BIDV")]),
]


@pytest.mark.parametrize(("text", "expected"), both_forms(ACCOUNT_CASES))
def test_bank_accounts(text: str, expected: list[tuple[str, ...]]) -> None:
    # (number, bank) or (number, bank, holder)
    assert extract_entities(text).bank_accounts == tuple(BankAccount(*e) for e in expected)


NOT_ACCOUNT_CASES = [
    "số 0935 281 647 gọi xưng nhân viên Vietcombank",  # a phone written as a phone
    "tài khoản bị trừ 8 triệu",
    "cccd 001203004567 để mở tài khoản",
    "tài khoản của tôi, mã otp 482913",
    "tài khoản ngân hàng ngày 20.05.2025",
    "tài khoản có 3.000.000 thôi",
    "mã 123456 gửi về tk",
    "tk zalo 0912 345 678 bị chiếm",
    "Vietcombank nhắn tin từ 8149",
    "mua ở shop Cake 12345678",  # "Cake" alone is not a bank cue
    "có 3 tài khoản ngân hàng",
    "Hotline 1900 5454 12 của ngân hàng",
    "gọi tổng đài 18001234 của ngân hàng ACB",
]


@pytest.mark.parametrize("text", [c for t in NOT_ACCOUNT_CASES for c in {t, strip_diacritics(t)}])
def test_not_accounts(text: str) -> None:
    assert extract_entities(text).bank_accounts == ()


@pytest.mark.parametrize(
    "text",
    [
        "stk chính là sđt luôn: 0912345678 MB",
        "số tài khoản là số điện thoại 0912 345 678 mb bank",
        "so tai khoan la so dien thoai 0912 345 678 mb bank",
    ],
)
def test_account_that_is_the_phone_number_is_both(text: str) -> None:
    entities = extract_entities(text)
    assert entities.phones == ("+84912345678",)
    assert entities.bank_accounts == (BankAccount("0912345678", "MB"),)


# --------------------------------------------------------------------------- links

URL_CASES: list[tuple[str, object]] = [
    ("bấm vào https://vneid-xacthuc.info để làm", ["https://vneid-xacthuc.info"]),
    ("truy cập www.abc-xyz.com/login nhé", ["www.abc-xyz.com/login"]),
    ("vneid-capnhat.top là gì", ["vneid-capnhat.top"]),
    ("Giaohangnhanh-vn24.online có phải web giả", ["giaohangnhanh-vn24.online"]),
    ("vào tcb-xacminh.net, rồi vn-quydautu.com!", ["tcb-xacminh.net", "vn-quydautu.com"]),
    ("bit.ly/abc123 và tinyurl.com/vay-nhanh-9x", ["bit.ly/abc123", "tinyurl.com/vay-nhanh-9x"]),
    ("s.id/xyz t.ly/abc cutt.ly/qwe", ["s.id/xyz", "t.ly/abc", "cutt.ly/qwe"]),
    ("web lừa abc[.]com và xyz(.)net", ["abc.com", "xyz.net"]),
    ("hxxps[:]//phishing-site[.]xyz/a", ["https://phishing-site.xyz/a"]),
    ('link: "mypham-sale88.shop".', ["mypham-sale88.shop"]),
    ("(hoanthue-online.com)", ["hoanthue-online.com"]),
    ("nhamang-capnhat.net?", ["nhamang-capnhat.net"]),
    ("http://192.168.1.1/admin", ["http://192.168.1.1/admin"]),
    ("nhóm t.me/abc_xyz", ["t.me/abc_xyz"]),
    ("HTTPS://VCB-BAOMAT.COM/Login", ["https://vcb-baomat.com/Login"]),  # the path keeps its case
    ("xem dichvucong.gov.vn hoặc bocongan.gov.vn", ["dichvucong.gov.vn", "bocongan.gov.vn"]),
    ("vay-nhanh.vip:8080/x", ["vay-nhanh.vip:8080/x"]),
    ("shopee-hoantien.click; dangky-vay.xyz:", ["shopee-hoantien.click", "dangky-vay.xyz"]),
    ("web abc.com.vn và abc.com.vn lại", ["abc.com.vn"]),  # no duplicates
    ("tra cứu tại nhanvay.co", ["nhanvay.co"]),
]


@pytest.mark.parametrize(("text", "expected"), both_forms(URL_CASES))
def test_urls(text: str, expected: list[str]) -> None:
    assert list(extract_entities(text).urls) == expected


NOT_URL_CASES = [
    "ck 1tr2 rồi",
    "mất 2.380.000 đồng",
    "ở TP.HCM, Q.1",
    "giấy tờ, v.v.",
    "8 a.m sáng",
    "lãi 1.5 mỗi tháng",
    "sàn BTC-max lừa đảo",
    "gửi anh.jpg và file bao_cao.pdf, video.mp4",
    "email nguyen.van@gmail.com nhé",
    "xong roi.co ai biet khong",
    "tôi bị lừa.Có ai giúp",
    "ThS.BS Nguyễn ở tp.hn",
]


@pytest.mark.parametrize("text", [c for t in NOT_URL_CASES for c in {t, strip_diacritics(t)}])
def test_not_urls(text: str) -> None:
    assert extract_entities(text).urls == ()


# --------------------------------------------------------------------------- amounts

AMOUNT_CASES: list[tuple[str, object]] = [
    ("đóng 50tr", 50_000_000),
    ("đóng 50 tr", 50_000_000),
    ("mất 50 triệu", 50_000_000),
    ("mất 50 củ", 50_000_000),
    ("mất 2,5 tỷ", 2_500_000_000),
    ("mất 2.5 tỷ", 2_500_000_000),
    ("mất 2 tỷ 3", 2_300_000_000),
    ("nạp 1 tỷ 2 rồi", 1_200_000_000),
    ("ck 1tr2", 1_200_000),
    ("ck 1tr5", 1_500_000),
    ("ck 7tr800", 7_800_000),
    ("ck 2tr350 tiền nợ", 2_350_000),
    ("e chuyển 19tr300 r", 19_300_000),
    ("phí 1tr2/hồ sơ", 1_200_000),
    ("tặng 500k", 500_000),
    ("tặng 500 k", 500_000),
    ("phí 500 nghìn", 500_000),
    ("phí 500 ngàn", 500_000),
    ("phí 180k phí giao lại", 180_000),
    ("chuyển 3.000.000đ", 3_000_000),
    ("chuyển 3,000,000 VND", 3_000_000),
    ("chuyển 3 000 000 đồng", 3_000_000),
    ("đặt hàng 2.380.000đ", 2_380_000),
    ("giá 1.350.000 vnđ", 1_350_000),
    ("giá 500000đ", 500_000),
    ("cọc 1 triệu rưỡi", 1_500_000),
    ("mất hai chục triệu", 20_000_000),
    ("mất mười triệu", 10_000_000),
    ("phí năm trăm nghìn", 500_000),
    ("mất mười lăm triệu", 15_000_000),
    ("mất hai mươi lăm triệu", 25_000_000),
    ("mất một trăm hai mươi triệu", 120_000_000),
    ("phí ba trăm năm mươi nghìn", 350_000),
    ("nạp gần 90 triệu", 90_000_000),
    ("mất hơn 1 tỷ", 1_000_000_000),
    ("mất 1 triệu 200 nghìn", 1_200_000),
    ("mất 2 tỷ 300 triệu", 2_300_000_000),
    ("đưa 5 lít", 500_000),
    ("đưa 2 xị", 200_000),
    ("chuyển gấp 50tr đồng viện phí", 50_000_000),
    ("mất 0,5 tỷ", 500_000_000),
    ("mất 1,5 triệu", 1_500_000),
    ("chuyển 2 trăm nghìn", 200_000),
    ("bắt chuyển 3.000.000 ngay", 3_000_000),  # separators + a money verb
    ("phí 25 nghìn.", 25_000),
    ("tặng 500 k nhé", 500_000),
    ("đóng tiền 2 triệu 5", 2_500_000),
    ("Tổng thiệt hại: 125.000.000 VNĐ", 125_000_000),
    ("bị lừa mất 15.000.000", 15_000_000),
    ("giá 6,5 tr", 6_500_000),
    ("hai triệu rưỡi", 2_500_000),
]


@pytest.mark.parametrize(("text", "value"), both_forms(AMOUNT_CASES))
def test_amount_values(text: str, value: int) -> None:
    entities = extract_entities(text)
    assert [a.value for a in entities.amounts] == [value]
    assert entities.amount_vnd == value


NOT_AMOUNT_CASES = [
    "lãi 10%/tuần",
    "con tôi 14 tuổi, lớp 8",
    "đánh giá 5 sao",
    "gọi 3 lần trong 2 ngày",
    "lúc 8h30 ngày 20/5",
    "có mấy chục triệu thôi",
    "mỗi lần được vài chục nghìn",
    "hàng trăm triệu",
    "2 lít xăng",
    "tỉ lệ 10 tỉ lệ",
    "chuyển qua 2 ngân hàng",
    "nhà số 5 Bà Triệu",
    "được đổi 12.000 điểm thưởng",
    "3.000.000 người dùng",
    "số 0912 345 678 gọi",
    "stk 2471 3362 9058 4",
    "cccd 001203004567",
    "mua 200d",
    "ở TP.HCM",
    "2 k biết sao",  # k = không
    "vào bit.ly/9pLw2k5K xem",  # inside a link
]


@pytest.mark.parametrize("text", [c for t in NOT_AMOUNT_CASES for c in {t, strip_diacritics(t)}])
def test_not_amounts(text: str) -> None:
    entities = extract_entities(text)
    assert entities.amounts == ()
    assert entities.amount_vnd is None


def test_every_amount_with_offsets() -> None:
    text = "vay 10tr, giờ đòi 25 triệu, thêm 500k phí và 3.000.000đ tiền lãi"
    amounts = extract_entities(text).amounts
    assert [(a.value, text[a.start : a.end]) for a in amounts] == [
        (10_000_000, "10tr"),
        (25_000_000, "25 triệu"),
        (500_000, "500k"),
        (3_000_000, "3.000.000đ"),
    ]


def test_amount_next_to_a_phone() -> None:
    entities = extract_entities("số 0935 281 647 2tr nữa")
    assert entities.phones == ("+84935281647",)
    assert entities.amounts == (Amount(2_000_000, 16, 19),)


def test_phone_groups_are_not_read_as_amounts() -> None:
    # "215 cu" would be 215 củ (million) if the 215 were not the end of the phone number
    entities = extract_entities("So +84 362 915 804 cu nhan tin moi choi")
    assert entities.phones == ("+84362915804",)
    assert entities.amounts == ()


# --------------------------------------------------------------------------- the main amount

MAIN_AMOUNT_CASES: list[tuple[str, object]] = [
    # a loss beats a refund promised before it
    (
        "họ báo được thanh toán lại 7 triệu tiền bảo hiểm, quét mã xong thì tài khoản bị chuyển đi 38 triệu",
        38_000_000,
    ),
    # a fee asked beats limits mentioned without a money verb
    ("họ hứa nâng hạn mức từ 30tr lên 90tr, bảo chuyển phí dịch vụ 2tr trước", 2_000_000),
    # what they demand beats what was borrowed
    ("chị tôi vay 15tr của app, giờ bọn chúng đòi 40tr", 40_000_000),
    # a total wins
    ("mỗi đơn được trả vài chục nghìn, sau này em đã chuyển tổng cộng 32tr mà ko rút được", 32_000_000),
    ("em chuyển tiền cọc 3 lần tổng 9tr rồi", 9_000_000),
    ("tổng cộng 12tr, lần đầu 2tr, lần sau 10tr", 12_000_000),
    # a fee to pay beats the pay promised
    ("hứa trả 150 nghìn mỗi bài nhưng phải đóng 600 nghìn tiền phần mềm", 600_000),
    ("lương 12tr/tháng, chỉ cần đóng 1tr5 phí đồng phục", 1_500_000),
    ("trúng thưởng xe máy 40 triệu, phải nộp 4 triệu tiền thuế", 4_000_000),
    # a loss beats an ask that follows it; a percentage is not an amount
    ("đã nạp 420tr vào sàn, giờ đòi nộp thêm 15% phí mới cho rút", 420_000_000),
    ("nhận được 3tr hoa hồng, sau đó nạp 20tr thì bị khóa", 20_000_000),
    ("tôi có 200 triệu trong tài khoản, kẻ gian lấy mất 60 triệu", 60_000_000),
    ("tài khoản bị trừ 9 triệu sau khi đọc mã", 9_000_000),
    ("cọc 400k, sau đó họ đòi thêm 2tr tiền ship", 400_000),  # paid deposit beats a later demand
    ("bà chuyển 35tr r mới gọi cho cả nhà", 35_000_000),
    ("tổng đài viên bảo ck 1tr8 tiền cước", 1_800_000),  # "tổng đài" is not "tổng"
    # two transfers made: the total lost is their sum
    ("bị lừa chuyển 5tr, sau đó chuyển thêm 10tr nữa", 15_000_000),
    ("con nợ 3 triệu, người ta đòi gấp đôi là 6 triệu", 6_000_000),
    ("từ 20tr lên 80tr", 80_000_000),  # no cue at all: the largest
    ("người yêu cũ dọa tung ảnh nếu ko chuyển 15tr", 15_000_000),
    ("mở thẻ hạn mức 60tr, đọc OTP xong thì thẻ bị quẹt 12tr7", 12_700_000),
]


@pytest.mark.parametrize(("text", "value"), both_forms(MAIN_AMOUNT_CASES))
def test_main_amount(text: str, value: int) -> None:
    assert extract_entities(text).amount_vnd == value


# --------------------------------------------------------------------------- whole messages


def test_whole_report() -> None:
    text = (
        "Em xin báo: số 0764 390 125 tự nhận là bên bảo mật ngân hàng, nói tk em bị lộ, bắt em dồn "
        "tiền qua tk tạm giữ 2471 3362 9058 4 tại vcb. Em ck 21tr400 xong mới thấy lạ. Họ còn gửi "
        "trang vcb-giu-tien.top"
    )
    assert extract_entities(text) == Entities(
        phones=("+84764390125",),
        bank_accounts=(BankAccount("2471336290584", "Vietcombank"),),
        urls=("vcb-giu-tien.top",),
        amounts=(Amount(21_400_000, text.index("21tr400"), text.index("21tr400") + 7),),
        amount_vnd=21_400_000,
        paid=(21_400_000,),
    )


@pytest.mark.parametrize("text", ["", "chào ad", "cám ơn các đồng chí", "xin chao", "???", "   "])
def test_nothing_found(text: str) -> None:
    assert extract_entities(text) == Entities((), (), (), (), None)


@pytest.mark.parametrize(
    ("text", "accounts", "amount"),
    [
        ("PHAI CHUYEN BA CHUC TRIEU VAO STK 1907 5533 2211 TECHCOMBANK", ["190755332211"], 30_000_000),
        ("TÔI ĐỌC MÃ 482915 CHO HỌ", [], None),
        ("TOI DOC MA 482915 CHO HO, SAU DO BI KHOA", [], None),  # capitals are not a holder's name
        ("MO BIT.LY/9PLW2K5K XEM THU", [], None),
    ],
)
def test_shouted_messages(text: str, accounts: list[str], amount: int | None) -> None:
    entities = extract_entities(text)
    assert [a.number for a in entities.bank_accounts] == accounts
    assert entities.amount_vnd == amount


def test_offsets_survive_letters_that_lowercase_longer() -> None:
    text = "İstanbul: mất 5tr"  # "İ".lower() is two characters
    (amount,) = extract_entities(text).amounts
    assert text[amount.start : amount.end] == "5tr"


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .,-+()/%đdktrinêuvnbmaáàcôgsh:[]")), max_size=80))
def test_never_crashes_and_offsets_are_sane(text: str) -> None:
    entities = extract_entities(text)
    for phone in entities.phones:
        assert phone.startswith("+84")
        assert phone[1:].isdigit()
    for account in entities.bank_accounts:
        assert account.number.isdigit()
        assert 6 <= len(account.number) <= 19
    for amount in entities.amounts:
        assert 0 <= amount.start < amount.end <= len(text)
        assert amount.value > 0
    values = [a.value for a in entities.amounts]
    for value in entities.paid:
        assert value in values
    if entities.amounts:
        # one of the amounts, or the sum of several paid ones
        assert entities.amount_vnd in {*values, sum(entities.paid)}
    else:
        assert entities.amount_vnd is None
