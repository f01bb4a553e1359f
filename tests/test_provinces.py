"""Provinces after the 1 July 2025 merger: aliases route old names to the merged province."""

from __future__ import annotations

import pytest

from app.provinces import Provinces, load_provinces
from app.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def provinces() -> Provinces:
    return load_provinces(PROJECT_ROOT / "provinces.yaml", "can-tho")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("can-tho", "can-tho"),
        ("soc-trang", "can-tho"),
        ("hau-giang", "can-tho"),
        ("Sóc Trăng", "can-tho"),
        ("soc trang", "can-tho"),
        ("SOC TRANG", "can-tho"),
        ("Hậu Giang", "can-tho"),
        ("Cần Thơ", "can-tho"),
        ("tuyen-quang", "tuyen-quang"),
        ("ha-giang", "tuyen-quang"),
        ("Hà Giang", "tuyen-quang"),
        ("ha giang", "tuyen-quang"),
        ("  Ha_Giang ", "tuyen-quang"),
    ],
)
def test_ids_names_and_aliases_with_or_without_diacritics_route_to_the_merged_province(
    provinces: Provinces, name: str, expected: str
):
    found = provinces.find(name)
    assert found is not None and found.id == expected
    assert provinces.has(name)
    assert provinces.get(name).id == expected


@pytest.mark.parametrize("name", ["ha-noi", "Hà Nội", "", "soc", "giang"])
def test_unknown_names_are_not_provinces(provinces: Provinces, name: str):
    assert provinces.find(name) is None
    assert not provinces.has(name)
    assert provinces.get(name).id == "can-tho"  # the default


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tôi ở Sóc Trăng", "can-tho"),
        ("toi o soc trang, bi lua 20tr", "can-tho"),
        ("nhà tôi ở huyện Châu Thành, tỉnh Hậu Giang", "can-tho"),
        ("Mẹ tôi ở HÀ GIANG bị gọi điện", "tuyen-quang"),
        ("em o ha giang a", "tuyen-quang"),
        ("Tôi ở Cần Thơ", "can-tho"),
        ("tôi ở Tuyên Quang, con ở Cần Thơ", "tuyen-quang"),  # the first place named
    ],
)
def test_a_place_named_in_text_is_found(provinces: Provinces, text: str, expected: str):
    found = provinces.find_in_text(text)
    assert found is not None and found.id == expected


@pytest.mark.parametrize(
    "text",
    ["tôi bị lừa qua điện thoại", "anh Giang gọi cho tôi", "chaha giangx", "tôi ở Hà Nội", "hausgiang"],
)
def test_text_without_a_known_place_finds_none(provinces: Provinces, text: str):
    assert provinces.find_in_text(text) is None


def test_an_alias_cannot_name_two_provinces():
    raw = {
        "provinces": [
            {
                "id": "a",
                "name": "A",
                "short_name": "A",
                "ref_prefix": "AA",
                "hotline": "1",
                "aliases": ["X Y"],
            },
            {
                "id": "b",
                "name": "B",
                "short_name": "B",
                "ref_prefix": "BB",
                "hotline": "2",
                "aliases": ["x-y"],
            },
        ]
    }
    with pytest.raises(ValueError, match="names both"):
        Provinces.model_validate(raw)


def test_the_default_province_may_be_given_by_alias():
    provinces = load_provinces(PROJECT_ROOT / "provinces.yaml", "ha-giang")
    assert provinces.default.id == "tuyen-quang"
