"""Names as written: account holders and the pages, shops and channels of a scam.

Every name, number and page here is made up for the test.
"""

import pytest

from app.nlu.entities import BankAccount, extract_entities

HOLDER_CASES = [
    ("stk 2100 4455 6677 ACB tên NGUYEN THI HOA", BankAccount("210044556677", "ACB", "NGUYEN THI HOA")),
    ("chủ tk LE VAN TUAN stk 0123456789 vcb", BankAccount("0123456789", "Vietcombank", "LE VAN TUAN")),
    (
        "tên chủ tài khoản: Nguyễn Văn An, stk 1903556788 techcombank",
        BankAccount("1903556788", "Techcombank", "Nguyễn Văn An"),
    ),
    ("stk 1903556788 tcb. CTK Tran Van B", BankAccount("1903556788", "Techcombank", "Tran Van B")),
    ("stk 1903556788 vcb tên là Phạm Thị Lan", BankAccount("1903556788", "Vietcombank", "Phạm Thị Lan")),
    ("stk 7788990011 ACB NGUYEN VAN AN nhé", BankAccount("7788990011", "ACB", "NGUYEN VAN AN")),
    (
        "CHUYEN VAO STK 1907 5533 2211 TECHCOMBANK TEN NGUYEN VAN A CHO TOI",
        BankAccount("190755332211", "Techcombank", "NGUYEN VAN A"),
    ),
    ("ck vào 1903556788 mb, người nhận: Hoàng Thị Mai", BankAccount("1903556788", "MB", "Hoàng Thị Mai")),
    # no name given, or not a name
    ("stk 1903556788 vcb, tên lừa đảo bảo chuyển", BankAccount("1903556788", "Vietcombank")),
    ("stk 1903556788 vcb tên An", BankAccount("1903556788", "Vietcombank")),  # one word: not enough
    ("STK 1903556788 VCB NGUYEN VAN AN", BankAccount("1903556788", "Vietcombank")),  # shouted, no cue
]


@pytest.mark.parametrize(("text", "account"), HOLDER_CASES)
def test_account_holder(text: str, account: BankAccount) -> None:
    assert extract_entities(text).bank_accounts == (account,)


def test_each_account_gets_its_own_holder() -> None:
    text = "stk 1903556788 vcb tên NGUYEN VAN AN, sau đó stk 2100445566 acb tên TRAN THI BE"
    assert extract_entities(text).bank_accounts == (
        BankAccount("1903556788", "Vietcombank", "NGUYEN VAN AN"),
        BankAccount("2100445566", "ACB", "TRAN THI BE"),
    )


PAGE_CASES = [
    ("fanpage tên Tiệm Nhà Mèo bán hàng giả", ["Tiệm Nhà Mèo"]),
    ("trên fb tên Tiem Nha Meo bảo chuyển cọc", ["Tiem Nha Meo"]),
    ("mua của shop Bông Xinh, nhắn mãi không trả lời", ["Bông Xinh"]),
    ("trang 'Hỗ trợ lấy lại tiền' nhắn tôi", ["Hỗ trợ lấy lại tiền"]),
    ("page Du Lịch Giá Rẻ 24h bán tour", ["Du Lịch Giá Rẻ 24h"]),
    ("vào nhóm Telegram Kiếm Tiền Online thì bị lừa", ["Kiếm Tiền Online"]),
    ("trên Facebook có page “Săn Sale Giá Sốc” bán hàng", ["Săn Sale Giá Sốc"]),
    ("kênh YouTube Đầu Tư Thông Minh bảo nạp tiền", ["Đầu Tư Thông Minh"]),
    ("shop Bông Xinh và shop Bông Xinh", ["Bông Xinh"]),
    ("fanpage tên Meo24h nhắn", ["Meo24h"]),
    # not a name
    ("trang web này lừa đảo", []),
    ("shop bán hàng online", []),
    ("nhóm zalo của lớp", []),
    ("fb của tôi bị hack", []),
    ("trang chủ Shopee", []),
    ("SHOP BONG XINH LUA DAO", []),  # all capitals: no telling the name from the rest
    ("shop. Sau đó họ gọi", []),
    ("1 acc zalo tên 'Minh Khang' lừa tình", []),  # a person's profile, not a page
    ("nick fb tên Lan Anh nhắn", []),
    ("trên zalo tên Hội Đầu Tư Vàng bảo", ["Hội Đầu Tư Vàng"]),
    ("chào ad", []),
]


@pytest.mark.parametrize(("text", "pages"), PAGE_CASES)
def test_pages(text: str, pages: list[str]) -> None:
    assert list(extract_entities(text).pages) == pages
