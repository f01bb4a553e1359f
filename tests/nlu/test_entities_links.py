"""Links: the host is lowercased, the path keeps its case, and a link ends where the URL ends.

Every link here is made up for the test.
"""

import pytest

from app.nlu.entities import extract_entities

CASES = [
    # short-link paths are case-sensitive
    ("vào bit.ly/AbC12 xem", ["bit.ly/AbC12"]),
    ("BIT.LY/AbC12", ["bit.ly/AbC12"]),
    ("link HTTPS://Tiem-Meo.TOP/Don?Ma=XyZ9", ["https://tiem-meo.top/Don?Ma=XyZ9"]),
    ("WWW.Vay-Nhanh.VIP/DangKy", ["www.vay-nhanh.vip/DangKy"]),
    ("hxxps[:]//Gia-Re[.]XYZ/KhuyenMai", ["https://gia-re.xyz/KhuyenMai"]),
    ("t.me/Kiem_Tien_Online", ["t.me/Kiem_Tien_Online"]),
    # quotes, brackets and punctuation around a link are not part of it
    ('bấm "https://x.top/a" nhé', ["https://x.top/a"]),
    ("bấm 'https://x.top/a' nhé", ["https://x.top/a"]),
    ("bấm “https://x.top/a” nhé", ["https://x.top/a"]),
    ("bấm ‘x.top/a’ nhé", ["x.top/a"]),
    ("bấm «x.top/a» nhé", ["x.top/a"]),
    ("(https://x.top/a)", ["https://x.top/a"]),
    ("[https://x.top/a]", ["https://x.top/a"]),
    ("<https://x.top/a>", ["https://x.top/a"]),
    ("{https://x.top/a}", ["https://x.top/a"]),
    ("xem https://x.top/a.", ["https://x.top/a"]),
    ("xem https://x.top/a!!!", ["https://x.top/a"]),
    ("xem https://x.top/a?", ["https://x.top/a"]),
    ("xem https://x.top/a),", ["https://x.top/a"]),
    ("[bấm đây](https://x.top/a)", ["https://x.top/a"]),
    # spreadsheet formulas
    ('=HYPERLINK("https://x.top/a","bấm")', ["https://x.top/a"]),
    ('=HYPERLINK("https://x.top/a";"bấm")', ["https://x.top/a"]),
    ("=HYPERLINK('x.top/AbC','bấm')", ["x.top/AbC"]),
    ('=hyperlink("HTTP://X.TOP/Abc")', ["http://x.top/Abc"]),
    # a bracket opened in the path is closed in it
    ("https://x.top/a_(b)", ["https://x.top/a_(b)"]),
    # the same host and path written twice is one link; different path case is another link
    ("bit.ly/AbC12 và bit.ly/AbC12", ["bit.ly/AbC12"]),
    ("bit.ly/AbC12 và bit.ly/abc12", ["bit.ly/AbC12", "bit.ly/abc12"]),
    # query and fragment keep their case too
    ("https://x.top?Ref=AbC", ["https://x.top?Ref=AbC"]),
    ("https://x.top#Top", ["https://x.top#Top"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_links(text: str, expected: list[str]) -> None:
    assert list(extract_entities(text).urls) == expected


def test_digits_of_a_link_are_not_amounts_or_phones() -> None:
    entities = extract_entities('=HYPERLINK("https://x.top/0912345678/5tr","bấm")')
    assert entities.urls == ("https://x.top/0912345678/5tr",)
    assert entities.phones == ()
    assert entities.amounts == ()
