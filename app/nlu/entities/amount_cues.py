"""Cue words before amounts: which amount is the main one (lost, asked, promised)."""

from __future__ import annotations

from typing import Final

from app.nlu.entities.amounts import _COUNT_NOUN_RE, _Amt, _merge_compound, _word_amounts
from app.nlu.entities.phones import _national
from app.nlu.entities.words import _PUNCT, _PhraseTable, _words_after, _words_before

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
        "hạn mức|trả lại|đã trả lại|hoàn trả|chuyển nhầm|đóng băng|bị đóng băng",
    ),
    ("total", "tổng cộng|tổng số|tổng số tiền|tổng thiệt hại|tổng|tất cả|cả thảy|tất thảy"),
    (
        "loss",
        "mất|bị mất|bị trừ|trừ mất|bị chuyển|bị chuyển đi|chuyển đi|bị rút|rút mất|bị lấy|lấy mất|"
        "bị lừa|lừa mất|lừa|đã chuyển|đã chuyển khoản|đã ck|đã nạp|đã nộp|đã đóng|đã gửi|"
        "đã trả|thiệt hại|chuyển hết|chuyển mất|bị quẹt|quẹt mất|bị tiêu|bị hack mất",
    ),
    (
        "benefit",
        "được|đc|nhận|nhận được|hoàn|hoàn lại|hoàn tiền|thanh toán lại|tặng|thưởng|trúng|lương|"
        "lãi|hoa hồng|giải ngân|hỗ trợ|khuyến mãi",
    ),
    # someone asked for it, or it was already done: "bảo chuyển 1tr" vs "bà chuyển 40tr r"
    ("modal", "phải|bắt|bảo|yêu cầu|cần|nhờ|kêu|muốn|hướng dẫn"),
    # not done (yet): "sẽ bị trừ 2tr mỗi tháng", "nếu ko chuyển 15tr", "để nộp 4tr tiền phạt"
    ("future", "sẽ|nếu|định|=sợ|có thể|nguy cơ|=kẻo|không thì|ko thì|để"),  # folded "so" is "số"
    ("pay", "chuyển|chuyển khoản|chuyển tiền|ck|nạp|nạp tiền|đóng|nộp|cọc|đặt cọc|thanh toán|đưa"),
    # what is left in an account is neither lost nor asked
    ("balance", "số dư|sd|số dư cuối|số dư khả dụng|còn|còn lại|còn dư|balance"),
    ("demand", "đòi|đòi thêm|tống tiền|chuộc|đòi chuộc"),
    ("ask", "phí|lệ phí|thuế|tiền thuế|bảo lãnh|vốn"),
    ("weak", "trả|gửi|vay|mượn|giá|mua|tiền|số tiền|hết|tốn"),
)
_CUES: Final = _PhraseTable((p, g) for g, ps in _CUE_GROUPS for p in ps.split("|"))
_CUE_CATEGORY: Final[dict[str, int]] = {
    "total": _CAT_TOTAL,
    "loss": _CAT_LOSS,
    "benefit": _CAT_BENEFIT,
    "balance": _CAT_BENEFIT,
    # a transfer nobody asked for in the clause was made: counts as a loss ("bà chuyển 40tr r"),
    # demoted to an ask when a modal word is there ("bảo chuyển 1tr")
    "pay": _CAT_LOSS,
    "ask": _CAT_ASK,
    "demand": _CAT_ASK,
    "weak": _CAT_WEAK,
}
_CUE_WINDOW: Final = 40  # chars before an amount searched for a cue (about 6-8 words)

# After an amount that was asked for: the citizen says it was paid ("bảo chuyển nốt 1tr2 mới gửi
# hàng, chuyển rồi thì bị chặn").
_DONE_VERBS: Final = "chuyển|ck|chuyển khoản|nạp|đóng|nộp|gửi|trả|cọc|thanh toán|làm theo|nghe theo"
_DONE: Final = _PhraseTable(
    [(f"{v} {d}", True) for v in _DONE_VERBS.split("|") for d in ("rồi", "r", "xong", "luôn", "đi rồi")]
    + [(f"đã {v}", True) for v in _DONE_VERBS.split("|")]
)
# Right after an amount: "10 triệu mới cho rút" asks for it (only then will they pay out);
# "35tr r mới gọi" does not (it was sent, then the call).
_THEN: Final = (
    "cho|được|đc|rút|gửi|giao|ship|nhận|hoàn|giải ngân|mở|mở khóa|kích hoạt|duyệt|hỗ trợ|lấy|xử lý|làm"
)
_ASK_AFTER: Final = _PhraseTable(
    [(f"mới {w}", True) for w in _THEN.split("|")] + [(w, False) for w in ("rồi", "=r", "xong", "đã")]
)
# Between a paid amount and the next one without a cue of its own: the next transfer of a series
# ("nạp 2 lần, lần đầu 1tr5, lần sau 6tr"; "nạp tiếp 50 triệu, rồi 100 triệu nữa").
_SERIES_WORDS: Final = (
    "lần sau|lần 2|lần hai|lần 3|lần ba|lần thứ|lần tiếp|lần tiếp theo|lần cuối|lần nữa|tiếp|"
    "tiếp tục|thêm|rồi|=r|sau đó|xong|nốt|và|với|+"
)
_SERIES: Final = _PhraseTable((p, True) for p in _SERIES_WORDS.split("|"))
_SERIES_AFTER: Final = frozenset(("nữa", "nua"))


def _cue_category(low: str, start: int, lo: int) -> tuple[int, bool]:
    """Strongest cue in the clause before an amount (a benefit word nearest to it wins), and
    whether the clause asks for money ("bảo", "phải", "đòi")."""
    # the words of a sentence: a line break also ends one
    chunk = low[max(lo, start - _CUE_WINDOW) : start]
    words = _words_before(chunk[chunk.rfind("\n") + 1 :], 10)
    best = nearest = _CAT_NONE
    seen = modal = future = asked = demanded = False
    for _, group in reversed(_CUES.back(words, 12)):  # left to right
        if group == "modal":
            modal = asked = True
            continue
        if group == "future":
            future = asked = True
            continue
        if group == "neutral":
            continue
        cat = _CUE_CATEGORY[group]
        # demoted to an ask: "bảo chuyển 1tr", "sẽ bị trừ 2tr"; a demand: "đòi 300tr"
        demanded = group == "demand" or (
            (group == "pay" and (modal or future)) or (group == "loss" and future)
        )
        if demanded:
            cat = _CAT_ASK
            asked = True
        elif group == "ask":
            asked = True
        nearest = cat
        seen = True
        best = max(best, cat)
    if seen and nearest == _CAT_BENEFIT:
        return _CAT_BENEFIT, asked
    if demanded and best != _CAT_TOTAL:  # the nearest cue asks: "toàn lừa, bắt nạp 2tr"
        return _CAT_ASK, asked
    return best, asked


def _pick_amounts(text: str, low: str, amts: list[_Amt]) -> tuple[list[_Amt], int | None, list[int]]:
    """Add amounts in words, drop unsupported bare numbers; return them, the main amount and
    the amounts paid (see ``_paid``)."""
    words = _word_amounts(text, low)
    if words:
        amts = sorted(amts + words, key=lambda a: a.start)
    if not amts:
        return [], None, []
    if len(amts) > 1:
        amts = _merge_compound(amts, low)
    kept: list[_Amt] = []
    cats: list[int] = []
    asks: list[bool] = []
    best_key = (-1, -1)
    prev_end = 0
    for a in amts:
        cat, asked = _cue_category(low, a.start, prev_end)
        if a.needs_cue and (
            cat == _CAT_NONE or _COUNT_NOUN_RE.match(low, a.end) is not None or _looks_like_phone(low, a)
        ):
            continue
        kept.append(a)
        cats.append(cat)
        asks.append(asked)
        prev_end = a.end
        best_key = max(best_key, (cat, a.value))
    if not kept:
        return [], None, []
    main = best_key[1]
    if best_key[0] == _CAT_TOTAL:  # "tổng cộng 12tr, lần đầu 2tr, lần sau 10tr": the total
        k = next(k for k, a in enumerate(kept) if cats[k] == _CAT_TOTAL and a.value == main)
        return kept, main, ([] if asks[k] and not _done_after(low, kept, k) else [main])
    paid = _paid(low, kept, cats)
    if paid:  # the total lost: the sum of the transfers made
        main = sum(paid)
    return kept, main, paid


def _paid(low: str, kept: list[_Amt], cats: list[int]) -> list[int]:
    """The amounts the citizen says were paid or taken, in order: a transfer nobody asked for or
    a loss ("chuyển 5tr", "bị trừ 8 triệu"), an asked one followed by "chuyển rồi", and the
    amounts without a cue that continue a series of transfers ("lần sau 6tr", "rồi 100tr nữa").
    Asked, promised and earned amounts and balances do not count, nor a sum told twice."""
    paid: list[int] = []
    prev_paid = False
    then = "mới" in low or "moi" in low  # "10tr mới cho rút" (checked once, not per amount)
    for k, a in enumerate(kept):
        cat = cats[k]
        if cat == _CAT_LOSS:
            is_paid = not (then and _asks_after(low, kept, k))
        elif cat == _CAT_ASK:
            is_paid = _done_after(low, kept, k)
        elif cat in (_CAT_NONE, _CAT_WEAK):
            is_paid = prev_paid and _continues_series(low, kept, k)
        else:
            is_paid = False
        # the same sum told again ("... chuyển 20 triệu phí giữ chỗ. Tôi đã chuyển 20 triệu.") is
        # one transfer, unless the words mark another one ("chuyển thêm 5tr", "lần sau 5tr")
        if is_paid and not (a.value in paid and (k == 0 or not _continues_series(low, kept, k))):
            paid.append(a.value)
        prev_paid = is_paid
    return paid


def _after(low: str, kept: list[_Amt], k: int, n: int) -> list[str]:
    """The first ``n`` words after amount ``k``, not past the next amount nor the clause."""
    end = kept[k].end
    stop = kept[k + 1].start if k + 1 < len(kept) else len(low)
    chunk = low[end : min(stop, end + 8 * n)]
    nl = chunk.find("\n")
    return _words_after(chunk if nl < 0 else chunk[:nl], n)


def _done_after(low: str, kept: list[_Amt], k: int) -> bool:
    """ "chuyển rồi", "đã chuyển" after an asked amount, before the next amount; the sentence
    after counts too ("yêu cầu đóng phí 4.200.000đ vào tài khoản … Tôi đã chuyển")."""
    end = kept[k].end
    stop = kept[k + 1].start if k + 1 < len(kept) else len(low)
    chunk = low[end : min(stop, end + 160)]
    nl = chunk.find("\n")
    words = [w.strip(_PUNCT) for w in (chunk if nl < 0 else chunk[:nl]).split()[:24]]
    return bool(_DONE.forward(words, 24))


def _asks_after(low: str, kept: list[_Amt], k: int) -> bool:
    found = _ASK_AFTER.forward(_after(low, kept, k, 4), 2)
    return bool(found) and found[0][1]


def _continues_series(low: str, kept: list[_Amt], k: int) -> bool:
    gap = low[max(kept[k - 1].end, kept[k].start - _CUE_WINDOW) : kept[k].start]
    words = _words_before(gap, 8)
    if not words or not any(words):  # "nạp 5tr, 10tr, 20tr"
        return True
    if _SERIES.back(words, 8):
        return True
    after = _after(low, kept, k, 2)
    return bool(after) and (after[0] in _SERIES_AFTER or after[-1] in _SERIES_AFTER)


def _looks_like_phone(low: str, a: _Amt) -> bool:
    digits = "".join(c for c in low[a.start : a.end] if c.isdigit())
    return _national(digits, False) is not None
