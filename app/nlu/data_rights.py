"""Requests about the citizen's own data: "xóa dữ liệu của tôi" (and how people type it)."""

from __future__ import annotations

from app.text.normalize import normalize

__all__ = ["is_forget_request"]

_DELETE = ("xoa", "huy bo")
_DATA = ("du lieu", "dl", "data", "thong tin", "tt", "lich su", "tin nhan", "ho so")
# The citizen's own data, or a request made in the first person.
_MINE = (
    "cua toi",
    "cua minh",
    "cua em",
    "cua tui",
    "cua tao",
    "cua t",
    "ca nhan",
    "muon xoa",
    "xin xoa",
    "can xoa",
    "hay xoa",
    "giup xoa",
    "yeu cau xoa",
    "vui long xoa",
    "lam sao xoa",
    "lam sao de xoa",
)
# Other things people delete: "xóa dữ liệu điện thoại", "xóa thông tin thẻ" are not requests to us.
_OTHER = ("dien thoai", "ngan hang", "tai khoan", "the", "facebook", "zalo", "may", "app", "ung dung", "no")
_SHORT = 6  # "xóa dữ liệu" alone is a request; in a long message it may be part of a story


def is_forget_request(text: str) -> bool:
    """ "xóa dữ liệu của tôi", "xoa du lieu cua toi", "xoá thông tin của mình", "xóa dl của t"."""
    tokens = normalize(text).tokens
    if not tokens or len(tokens) > 12:
        return False
    joined = f" {' '.join(tokens)} "

    def has(phrases: tuple[str, ...]) -> bool:
        return any(f" {p} " in joined for p in phrases)

    if not (has(_DELETE) and has(_DATA)) or has(_OTHER):
        return False
    return len(tokens) <= _SHORT or has(_MINE)
