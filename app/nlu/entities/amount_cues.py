"""Cue words before amounts: which amount is the main one (lost, asked, promised)."""

from __future__ import annotations

from typing import Final

from app.nlu.entities.amounts import _COUNT_NOUN_RE, _Amt, _merge_compound, _word_amounts
from app.nlu.entities.phones import _national
from app.nlu.entities.words import _PhraseTable, _words_before

# Cues before an amount, to pick the main one. Earlier groups win when the same phrase is listed
# twice; the scan takes the longest phrase, so "thanh toán lại" (benefit) beats "thanh toán".
_CAT_BENEFIT, _CAT_NONE, _CAT_WEAK, _CAT_ASK, _CAT_LOSS, _CAT_TOTAL = range(6)
_CUE_GROUPS: Final[tuple[tuple[str, str], ...]] = (
    # contain a cue but are not one: "tổng đài" is a call centre, "nhắn tin" folds to "nhan tin"
    # like "nhận", giving back money sent by mistake is not a loss
    (
        "neutral",
        "tổng đài|tổng đài viên|tổng cục|tổng giám đốc|tổng hợp|tổng kết|tổng thống|nhắn tin|"
        "mật khẩu|mất liên lạc|mất tích|không mất phí|ko mất phí|lừa đảo|hoàn thành|hoàn tất|"
        "hạn mức|trả lại|đã trả lại|hoàn trả|chuyển nhầm",
    ),
    ("total", "tổng cộng|tổng số|tổng số tiền|tổng thiệt hại|tổng|tất cả|cả thảy|tất thảy"),
    (
        "loss",
        "mất|bị mất|bị trừ|trừ mất|bị chuyển|bị chuyển đi|chuyển đi|bị rút|rút mất|bị lấy|lấy mất|"
        "bị lừa|lừa mất|lừa|đã chuyển|đã chuyển khoản|đã ck|đã nạp|nạp|đã nộp|đã đóng|đã gửi|"
        "đã trả|thiệt hại|chuyển hết|chuyển mất|bị quẹt|quẹt mất|bị tiêu|bị hack mất",
    ),
    (
        "benefit",
        "được|đc|nhận|nhận được|hoàn|hoàn lại|hoàn tiền|thanh toán lại|tặng|thưởng|trúng|lương|"
        "lãi|hoa hồng|giải ngân|hỗ trợ|khuyến mãi",
    ),
    # someone asked for it, or it was already done: "bảo chuyển 1tr" vs "bà chuyển 40tr r"
    ("modal", "phải|bắt|bảo|yêu cầu|cần|nhờ|kêu|muốn|hướng dẫn|định|nếu|sẽ"),
    ("pay", "chuyển|chuyển khoản|chuyển tiền|ck|đóng|nộp|cọc|đặt cọc|thanh toán|đưa"),
    ("ask", "đòi|phí|lệ phí|thuế|tiền thuế|bảo lãnh|tống tiền|chuộc|vốn"),
    ("weak", "trả|gửi|vay|mượn|giá|mua|tiền|số tiền|hết|tốn"),
)
_CUES: Final = _PhraseTable((p, g) for g, ps in _CUE_GROUPS for p in ps.split("|"))
_CUE_CATEGORY: Final[dict[str, int]] = {
    "total": _CAT_TOTAL,
    "loss": _CAT_LOSS,
    "benefit": _CAT_BENEFIT,
    # a transfer nobody asked for in the clause was made: counts as a loss ("bà chuyển 40tr r"),
    # demoted to an ask when a modal word is there ("bảo chuyển 1tr")
    "pay": _CAT_LOSS,
    "ask": _CAT_ASK,
    "weak": _CAT_WEAK,
}
_CUE_WINDOW: Final = 40  # chars before an amount searched for a cue (about 6-8 words)


def _cue_category(low: str, start: int, lo: int) -> int:
    """Strongest cue in the clause before an amount; a benefit word nearest to it wins."""
    # the words of a sentence: a line break also ends one
    chunk = low[max(lo, start - _CUE_WINDOW) : start]
    words = _words_before(chunk[chunk.rfind("\n") + 1 :], 10)
    best = nearest = _CAT_NONE
    seen = modal = False
    for _, group in reversed(_CUES.back(words, 12)):  # left to right
        if group == "modal":
            modal = True
            continue
        if group == "neutral":
            continue
        cat = _CUE_CATEGORY[group]
        if group == "pay" and modal:
            cat = _CAT_ASK
        nearest = cat
        seen = True
        best = max(best, cat)
    if seen and nearest == _CAT_BENEFIT:
        return _CAT_BENEFIT
    return best


def _pick_amounts(text: str, low: str, amts: list[_Amt]) -> tuple[list[_Amt], int | None]:
    """Add amounts in words, drop unsupported bare numbers; return them and the main amount."""
    words = _word_amounts(text, low)
    if words:
        amts = sorted(amts + words, key=lambda a: a.start)
    if not amts:
        return [], None
    if len(amts) > 1:
        amts = _merge_compound(amts, low)
    if len(amts) == 1 and not amts[0].needs_cue:  # the common case: no cue needed
        return amts, amts[0].value
    kept: list[_Amt] = []
    best_key = (-1, -1)
    prev_end = 0
    for a in amts:
        cat = _cue_category(low, a.start, prev_end)
        if a.needs_cue and (
            cat == _CAT_NONE or _COUNT_NOUN_RE.match(low, a.end) is not None or _looks_like_phone(low, a)
        ):
            continue
        kept.append(a)
        prev_end = a.end
        best_key = max(best_key, (cat, a.value))
    return kept, (best_key[1] if kept else None)


def _looks_like_phone(low: str, a: _Amt) -> bool:
    digits = "".join(c for c in low[a.start : a.end] if c.isdigit())
    return _national(digits, False) is not None
