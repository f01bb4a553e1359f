"""The Vietnamese normaliser: forms, teencode in context, and its two properties."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.text.normalize import fold, normalize


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("có ng gọi tự xưng công an", "co nguoi goi tu xung cong an"),
        ("ck vào tk tạm giữ", "chuyen khoan vao tai khoan tam giu"),
        ("ck 5tr cho nó r", "chuyen khoan 5tr cho no roi"),
        ("ck em đi làm xa", "chong em di lam xa"),
        ("mình ko bít j", "minh khong biet gi"),
        ("e nhận đc tin nhắn", "em nhan duoc tin nhan"),
        ("giá 500 k thôi", "gia 500 nghin thoi"),
        ("k biết nữa", "khong biet nua"),
        ("đổi mk zalo", "doi mat khau zalo"),
        ("mk bị lừa", "minh bi lua"),
        ("ca phường gọi", "cong an phuong goi"),
        ("sdt với stk của nó", "so dien thoai voi so tai khoan cua no"),
        ("lừaaaaa cứuuuuu", "lua cuu"),
        ("HOÀNG Thị THUÝ", "hoang thi thuy"),
        ("xin\u200bchào\u00a0ad", "xinchao ad"),
        ("bị lừa!!!😭😭 giúp với...", "bi lua giup voi"),
        ("nhờ mn tư vấn vs", "nho moi nguoi tu van voi"),
        ("fb bạn e nhắn mượn tiền", "facebook ban em nhan muon tien"),
    ],
)
def test_folded_form(raw, folded):
    assert normalize(raw).folded == folded


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Hoà giải ở uỷ ban", "hòa giải ở ủy ban"),
        ("thuý khoẻ không", "thúy khỏe không"),
        ("quý khách", "quý khách"),
        ("hoàng hoá", "hoàng hóa"),
        ("e ko đc chuyển", "em không được chuyển"),
    ],
)
def test_text_form_keeps_diacritics_with_one_tone_placement(raw, text):
    assert normalize(raw).text == text


def test_nfd_input_is_composed():
    decomposed = unicodedata.normalize("NFD", "Tố giác lừa đảo")
    n = normalize(decomposed)
    assert n.nfc == "Tố giác lừa đảo"
    assert n.folded == "to giac lua dao"


def test_original_is_kept_untouched():
    raw = "  Số 0912 345 678  lừa em\u200b!! "
    n = normalize(raw)
    assert n.original == raw
    assert n.nfc == "Số 0912 345 678 lừa em!!"


def test_fold_is_plain_diacritic_stripping():
    assert fold("Đường Dây Nóng") == "duong day nong"


_chars = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ0123456789 .,!?-/%\n")
    + list("àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
    + ["\u200b", "\u00a0", "😀", "\u0301", "\u0323"]
)
# Whole abbreviations too, so the context rules meet each other.
_pieces = st.one_of(
    _chars, st.sampled_from(["ko ", "ck ", " k ", "mk ", "ca ", " tr ", "đc ", "stk ", " v ", " h "])
)
vietnamese = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(vietnamese)
def test_idempotent(raw):
    once = normalize(raw)
    twice = normalize(once.text)
    assert twice.folded == once.folded
    assert twice.text == once.text


@settings(max_examples=400, deadline=None)
@given(vietnamese)
def test_diacritic_stripped_twin_folds_the_same(raw):
    assert normalize(strip_diacritics(raw)).folded == normalize(raw).folded
