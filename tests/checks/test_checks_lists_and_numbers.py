"""Checks next to the warning lists: listed items with their source and date, foreign numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine as Database

from app.blocklist import service as bl
from app.blocklist.models import Kind
from app.catalog.official_domains import OfficialDomains
from app.checks.numbers import find_foreign_numbers
from app.checks.service import Checker
from app.db import transaction
from app.nlu.entities import extract_entities

WHEN = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(OfficialDomains.load(), {})


@pytest.fixture
def listed(db_engine: Database) -> Database:
    official = OfficialDomains.load()
    for kind, items in (
        (Kind.domain, ["vietcombank-hoantien.top", "khoa-tai-khoan.xyz"]),
        (Kind.url, ["https://sites.google.com/view/evn-hoan-tien"]),
        (Kind.phone, ["0912 345 678"]),
        (Kind.account, ["0451000123456"]),
    ):
        bl.import_items(
            db_engine, enumerate(items, 1), source="Cục ATTT", kind=kind, official=official, now=WHEN
        )
    return db_engine


def _check(checker: Checker, db: Database, text: str) -> str:
    with transaction(db) as session:
        said = checker.check(extract_entities(text), session=session, text=text)
    assert said is not None
    return said


def test_a_listed_look_alike_bank_domain_is_reported_with_its_source_and_date(checker: Checker, listed):
    said = _check(checker, listed, "kiểm tra giúp link https://vietcombank-hoantien.top/dang-nhap")
    assert "có trong danh sách cảnh báo của Cục ATTT, cập nhật ngày 30/11/2026" in said
    assert "Đừng mở link này" in said


def test_the_banks_real_domain_is_not_reported(checker: Checker, listed):
    said = _check(checker, listed, "kiểm tra link https://vietcombank.com.vn/vi-VN")
    assert "danh sách cảnh báo" not in said
    assert "thuộc Vietcombank" in said


def test_a_subdomain_of_a_listed_domain_is_reported(checker: Checker, listed):
    said = _check(checker, listed, "link xac-minh.khoa-tai-khoan.xyz có lừa không")
    assert "⚠️ Tên miền khoa-tai-khoan.xyz có trong danh sách cảnh báo của Cục ATTT" in said


def test_a_near_copy_of_a_listed_site_under_another_ending_is_reported(checker: Checker, listed):
    said = _check(checker, listed, "kiểm tra vietcombank-hoantien247.online")
    assert "gần giống vietcombank-hoantien.top, có trong danh sách cảnh báo của Cục ATTT" in said


def test_an_exact_listed_link_on_a_shared_site_is_reported_and_the_site_is_not(checker: Checker, listed):
    said = _check(checker, listed, "kiểm tra https://sites.google.com/view/evn-hoan-tien")
    assert "⚠️ Link này có trong danh sách cảnh báo của Cục ATTT" in said
    assert "thuộc Google" not in said
    other = _check(checker, listed, "kiểm tra https://sites.google.com/view/lop-hoc-ve")
    assert "danh sách cảnh báo" not in other


def test_listed_numbers_and_accounts_are_reported(checker: Checker, listed):
    said = _check(checker, listed, "kiểm tra số 0912.345.678 và stk 0451000123456 Vietcombank")
    assert said.count("có trong danh sách cảnh báo của Cục ATTT, cập nhật ngày 30/11/2026") == 2
    assert "Đừng chuyển tiền" in said


def test_an_unknown_domestic_number_is_never_called_safe(checker: Checker, listed):
    said = _check(checker, listed, "số 0987 654 321 gọi cho tôi có phải lừa đảo không")
    assert "chưa có tố giác nào về số này" in said
    assert "không có nghĩa là số này đáng tin" in said
    assert "an toàn" not in said and "số quốc tế" not in said


@pytest.mark.parametrize(
    "text",
    [
        "số +375 29 123 4567 gọi cho tôi bảo nộp phạt",
        "kiểm tra số 00375 912 345 678",
        "số (+381) 63 123 4567 gọi nhỡ",
        "có số +371 2 123 4567 nhắn tin",
        "+255 712 345 678 gọi bảo tôi trúng thưởng",
        "số +870 7734 5678 gọi báo phạt nguội",
    ],
)
def test_warned_foreign_prefixes_are_flagged(checker: Checker, text: str, db_engine: Database):
    with transaction(db_engine) as session:
        said = checker.check(extract_entities(text), session=session, text=text)
    assert said is not None
    assert "số quốc tế lạ, không phải số trong nước" in said
    assert "đã được cảnh báo" in said
    assert "an toàn" not in said


def test_other_foreign_numbers_are_foreign_but_not_said_to_be_warned(checker: Checker, db_engine: Database):
    text = "số +44 20 7946 0958 gọi cho tôi"
    with transaction(db_engine) as session:
        said = checker.check(extract_entities(text), session=session, text=text)
    assert said is not None and "số quốc tế lạ" in said and "đã được cảnh báo" not in said


def test_a_listed_foreign_number_names_its_list(checker: Checker, db_engine: Database):
    bl.import_items(db_engine, [(1, "+375 29 123 4567")], source="Công an tỉnh", kind=Kind.phone, now=WHEN)
    said = _check(checker, db_engine, "số +375 29 123 4567 gọi")
    assert "Số này có trong danh sách cảnh báo của Công an tỉnh" in said


@pytest.mark.parametrize(
    "text",
    [
        "số 0375 123 456 gọi",  # Viettel 037x: domestic
        "0912345678",
        "+84 912 345 678",
        "chuyển 375.000 đ",
        "mã 00123",
    ],
)
def test_domestic_numbers_and_amounts_are_not_foreign(text: str):
    assert find_foreign_numbers(text) == []


def test_foreign_numbers_are_found_once_in_order():
    found = find_foreign_numbers("+375291234567, lại +375 29 123 4567 rồi +1 202 555 0143")
    assert [(f.e164, f.region, f.warned) for f in found] == [
        ("+375291234567", "BY", True),
        ("+12025550143", "US", False),
    ]
