"""Reading screenshots: synthetic chats drawn with Pillow, read by Tesseract."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from screens import SCAM_LINES, chat_screenshot, need_tesseract

from app.conversation.responder import Responder
from app.vision import ImageRefused, distance, read_image
from app.vision.cleanup import clean, critical_tokens
from app.vision.picture import decode, dhash
from app.vision.reader import _compare


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    need_tesseract()


def test_a_scam_screenshot_reads_with_its_phone_amount_and_tactic(bot_engine: Responder) -> None:
    reading = read_image(chat_screenshot(SCAM_LINES))
    assert "0912 345 678" in reading.text
    assert "45.000.000" in reading.text
    assert reading.confidence > 0.7
    analysis = bot_engine.analyzer.analyze(reading.text)
    assert analysis.tactic == "impersonate_authority"
    assert list(analysis.entities.phones) == ["+84912345678"]
    assert analysis.entities.amount_vnd == 45_000_000


def test_dark_mode_and_jpeg_read_the_same_numbers() -> None:
    reading = read_image(chat_screenshot(SCAM_LINES, dark=True, size=16, fmt="JPEG"))
    assert "0912 345 678" in reading.text
    assert "45.000.000" in reading.text


def test_the_title_bar_is_left_out_and_sides_are_told_apart() -> None:
    image = chat_screenshot(["Chị chuyển tiền cọc 2.000.000đ cho em nhé"], ["Sao phải chuyển trước vậy em?"])
    reading = read_image(image)
    assert "Người lạ" not in reading.text
    sides = {b.side for b in reading.bubbles}
    assert sides == {"left", "right"}
    assert "2.000.000" in reading.other_party
    assert "Sao phải" not in reading.other_party


def test_a_blank_picture_reads_as_near_empty() -> None:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (250, 250, 250)).save(out, "PNG")
    reading = read_image(out.getvalue())
    assert not reading.enough


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"%PDF-1.4 fake", b"\x89PNG\r\n\x1a\n broken"])
def test_what_is_not_a_picture_is_refused(data: bytes) -> None:
    with pytest.raises(ImageRefused):
        decode(data)


def test_a_decompression_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # tiny file, 144 MP once decoded
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ImageRefused):
        decode(out.getvalue())


def test_the_same_screenshot_resized_and_recompressed_keeps_its_hash() -> None:
    original = chat_screenshot(SCAM_LINES)
    image = decode(original)
    smaller = image.resize((int(image.width * 0.9), int(image.height * 0.9)))
    out = io.BytesIO()
    smaller.save(out, "JPEG", quality=50)
    other = chat_screenshot(["Chúc mừng bạn trúng thưởng một chiếc xe máy, nhận quà tại quatang.top"])
    assert distance(dhash(image), dhash(decode(out.getvalue()))) <= 6
    assert distance(dhash(image), dhash(decode(other))) >= 10


def test_known_confusions_in_links_and_numbers_are_repaired() -> None:
    assert clean("vào https;//vneid-capnhat.top ngay") == "vào https://vneid-capnhat.top ngay"
    assert clean("gọi O912 3O5 678") == "gọi 0912 305 678"
    assert clean("evn-†hanhtoan,com") == "evn-thanhtoan.com"
    assert clean("Thông báo: Ông Lâm") == "Thông báo: Ông Lâm"  # prose stays as read


def test_passes_that_disagree_on_a_number_mark_it_uncertain() -> None:
    text, uncertain = _compare("STK 0451000123456 gọi 0912345678", "STK 0451000128456 gọi 0912345678")
    assert [u.read for u in uncertain] == ["0451000123456"]
    assert uncertain[0].alternative == "0451000128456"
    text, uncertain = _compare("vào conganxacminh.net/lenh", "vào congan-xacminh.net/lenh")
    assert not uncertain
    assert "congan-xacminh.net/lenh" in text
    assert set(critical_tokens("giao dịch 45.000.000đ, gọi 0987.654.321")) == {"number:0987654321"}


def test_a_tight_crop_keeps_its_first_line_and_a_slight_rotation_still_reads() -> None:
    image = decode(chat_screenshot(SCAM_LINES))
    cropped = image.crop((0, 65, image.width, image.height - 40))
    tilted = image.rotate(2, expand=True, fillcolor=(235, 238, 242))
    for picture in (cropped, tilted):
        out = io.BytesIO()
        picture.save(out, "PNG")
        reading = read_image(out.getvalue())
        assert reading.text.startswith("Tôi là cán bộ công an")
        assert "0912 345 678" in reading.text


def test_a_number_wrapped_onto_its_own_line_is_kept_whole() -> None:
    lines = ["Anh chuyển 45.000.000đ vào tài khoản tạm giữ để xác minh, gọi ngay 0912 345 678."]
    reading = read_image(chat_screenshot(lines, size=14))
    assert "0912 345 678" in reading.text
