"""Cue words before amounts: which amount is the main one (lost, asked, promised)."""

from __future__ import annotations

from typing import Final

from app.nlu.entities.amounts import _COUNT_NOUN_RE, _NUMBER_WORDS, _Amt, _merge_compound, _word_amounts
from app.nlu.entities.phones import _national
from app.nlu.entities.words import _PUNCT, _PhraseTable, _words_after, _words_before, _wordset

# Cues before an amount, to pick the main one. Earlier groups win when the same phrase is listed
# twice; the scan takes the longest phrase, so "thanh toán lại" (benefit) beats "thanh toán".
_CAT_BENEFIT, _CAT_NONE, _CAT_WEAK, _CAT_ASK, _CAT_LOSS, _CAT_TOTAL = range(6)
_CAT_OFF = -1  # a credit limit ("nâng hạn mức lên 100tr"): never lost, asked nor promised
_CUE_GROUPS: Final[tuple[tuple[str, str], ...]] = (
    # contain a cue but are not one: "tổng đài" is a call centre, "nhắn tin" folds to "nhan tin"
    # like "nhận", giving back money sent by mistake is not a loss
    (
        "neutral",
        "tổng đài|tổng đài viên|tổng cục|tổng giám đốc|tổng hợp|tổng kết|tổng thống|nhắn tin|"
        "mật khẩu|mất liên lạc|mất tích|không mất phí|ko mất phí|lừa đảo|hoàn thành|hoàn tất|"
        "trả lại|đã trả lại|hoàn trả|chuyển nhầm|đóng băng|bị đóng băng|bảo hiểm|bảo mật|bảo vệ|bảo hành|"
        "đánh giá|thuê tk|thuê tài khoản|cho thuê tk|cho thuê tài khoản|thuê acc",
    ),
    ("limit", "hạn mức"),
    ("total", "tổng cộng|tổng số|tổng số tiền|tổng thiệt hại|tổng|tất cả|cả thảy|tất thảy"),
    (
        "loss",
        "mất|bị mất|bị trừ|trừ mất|bị chuyển|bị chuyển đi|chuyển đi|bị rút|rút mất|bị lấy|lấy mất|"
        "bị lừa|lừa mất|lừa|thiệt hại|chuyển hết|chuyển mất|bị quẹt|quẹt mất|bị tiêu|bị hack mất|"
        "thu phí|thu tiền|bị thu|thu mất|thu của",
    ),
    # done, whatever purpose or request came before: "để nhận hàng, tôi đã chuyển 5 triệu"
    ("done", "đã chuyển|đã chuyển khoản|đã ck|đã nạp|đã nộp|đã đóng|đã gửi|đã trả|đã thanh toán"),
    (
        "benefit",
        "được|đc|nhận|nhận được|hoàn|hoàn lại|hoàn tiền|thanh toán lại|tặng|thưởng|trúng|lương|"
        "lãi|hoa hồng|giải ngân|hỗ trợ|khuyến mãi",
    ),
    # someone asked for it, or it was already done: "bảo chuyển 1tr" vs "bà chuyển 40tr r"
    ("modal", "bắt|bảo|yêu cầu|cần|nhờ|kêu|muốn|hướng dẫn"),
    # "phải" asks like the modal words, except before a ransom: "gia đình phải chuộc thêm 80tr"
    # tells what the family had to pay
    ("must", "phải"),
    # not done (yet): "sẽ bị trừ 2tr mỗi tháng", "nếu ko chuyển 15tr", "để nộp 4tr tiền phạt"
    ("future", "sẽ|nếu|định|=sợ|có thể|nguy cơ|=kẻo|không thì|ko thì|để"),  # folded "so" is "số"
    ("pay", "chuyển|chuyển khoản|chuyển tiền|ck|nạp|nạp tiền|đóng|nộp|cọc|đặt cọc|thanh toán|đưa"),
    # what is left in an account is neither lost nor asked
    ("balance", "số dư|sd|số dư cuối|số dư khả dụng|còn|còn lại|còn dư|balance"),
    ("demand", "đòi|đòi thêm|tống tiền|đòi chuộc|đòi tiền chuộc"),
    ("ransom", "chuộc|chuộc thêm|chuộc người"),
    # a fee named after what it unlocks is still a fee: "phí giải ngân 4tr5"
    (
        "ask",
        "phí|lệ phí|thuế|tiền thuế|bảo lãnh|vốn|phí giải ngân|phí rút tiền|phí hoàn tiền|phí nhận thưởng|"
        "phí nhận quà|phí hỗ trợ|phí nhận tiền",
    ),
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
    "done": _CAT_LOSS,
    "ransom": _CAT_LOSS,
    "ask": _CAT_ASK,
    "demand": _CAT_ASK,
    "weak": _CAT_WEAK,
}
# A pay verb right after one of these was done by the speaker ("em nạp", "tôi đã chuyển").
_SUBJECT_BEFORE: Final = frozenset(("em", "e", "tôi", "toi", "mình", "minh", "tui", "bác", "bac"))
_ASKERS: Final = frozenset(
    [
        "bảo",
        "bao",
        "bắt",
        "bat",
        "kêu",
        "keu",
        "nhờ",
        "nho",
        "cầu",
        "cau",
        "muốn",
        "muon",
        "cần",
        "can",
        "phải",
        "phai",
        "để",
        "de",
        "dẫn",
        "dan",
        "đòi",
        "doi",
    ]
)
_CUE_WINDOW: Final = 40  # chars before an amount searched for a cue (about 6-8 words)

# After an amount that was asked for: the citizen says it was paid ("bảo chuyển nốt 1tr2 mới gửi
# hàng, chuyển rồi thì bị chặn", "mình chuyển nốt rồi", "tôi cũng đóng"). The value is the
# phrase's length in words.
_DONE_VERBS: Final = "chuyển|ck|chuyển khoản|nạp|đóng|nộp|gửi|trả|cọc|thanh toán|làm theo|nghe theo"
_DONE_PHRASES: Final = (
    [f"{v} {d}" for v in _DONE_VERBS.split("|") for d in ("rồi", "r", "xong", "luôn", "đi rồi")]
    + [
        f"{v} {m} {d}"
        for v in _DONE_VERBS.split("|")
        for m in ("nốt", "tiếp", "hết")
        for d in ("rồi", "r", "xong")
    ]
    + [f"{p} {v}" for p in ("đã", "cũng", "cũng đã") for v in _DONE_VERBS.split("|")]
)
_DONE: Final = _PhraseTable((p, len(p.split())) for p in _DONE_PHRASES)
# Right after an amount: "10 triệu mới cho rút" asks for it (only then will they pay out);
# "35tr r mới gọi" does not (it was sent, then the call).
_THEN: Final = (
    "cho|được|đc|rút|gửi|giao|ship|nhận|hoàn|giải ngân|mở|mở khóa|kích hoạt|duyệt|hỗ trợ|lấy|xử lý|làm|thả|về"
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
# The words that join a credit limit to the next amount: "nâng hạn mức từ 30tr lên 90tr".
_RANGE_WORDS: Final = frozenset(("lên", "len", "thành", "thanh", "đến", "den", "tới", "toi", "-", ""))
# After an amount, the unit that makes it a rate ("50k/video", "1 triệu mỗi tk"). A pay per task
# with no price nor fee word ("tuyển ctv like video 50k/video") is no amount lost or asked.
_TASK_UNITS: Final = _wordset(
    "video|clip|bài|bai|like|follow|view|lượt|luot|đơn|don|nhiệm vụ|nhiem vu|task|tk|acc|tài khoản"
    "|tai khoan|link|share|comment|cmt|sp|sản phẩm|san pham|đánh giá|danh gia",
    "|",
)
# Folded "moi" is also "mới": a rate only before one of these.
_RATE_NOUNS: Final = _TASK_UNITS | _wordset(
    "ngày ngay tháng thang tuần tuan năm nam giờ gio người nguoi thẻ the đêm dem suất suat"
)
_TIMES: Final = frozenset(("lần", "lan"))  # "nạp 3 lần, mỗi lần 500k"
_EACH: Final = frozenset(("mỗi", "moi"))
_COUNT_WORDS: Final[dict[str, int]] = {
    w: int(v) for w, v in _NUMBER_WORDS.items() if v.isdigit() and v != "0"
}


def _cue_category(low: str, start: int, lo: int) -> tuple[int, bool, bool]:
    """Strongest cue in the clause before an amount (a benefit word nearest to it wins), whether
    the clause asks for money ("bảo", "phải", "đòi"), and whether its cue is only a fee named
    ("phí luật sư 3tr", in a list of fees paid)."""
    # the words of a sentence: a line break also ends one
    chunk = low[max(lo, start - _CUE_WINDOW) : start]
    words = _words_before(chunk[chunk.rfind("\n") + 1 :], 10)
    best = nearest = _CAT_NONE
    seen = modal = must = future = asked = demanded = strong = limit = False
    nearest_group = strong_group = ""
    for after, group in reversed(_CUES.back(words, 12)):  # left to right
        if group == "modal" or group == "must":
            modal = modal or group == "modal"
            must = must or group == "must"
            asked = True
            continue
        if group == "future":
            future = asked = True
            continue
        if group == "neutral":
            continue
        if group == "limit":
            limit = not strong  # "phí nâng hạn mức 2tr" is a fee
            continue
        # "nạp tổng cộng 3 lần: 10tr, 15tr và 25tr": the total counts the transfers listed
        if group == "total" and after == 2 and _is_count(words[-2]) and words[-1] in _TIMES:
            continue
        limit = False
        if group == "pay" and _speaker_did(words, len(words) - after - 1):
            # "họ bảo phải nạp trước, em nạp 2 lần, lần đầu 1tr5": the citizen did it, whatever was asked
            modal = must = future = False
        strong = strong or group not in ("weak", "benefit", "balance")
        cat = _CUE_CATEGORY[group]
        # demoted to an ask: "bảo chuyển 1tr", "sẽ bị trừ 2tr"; a demand: "đòi 300tr", "đòi
        # chuyển nốt 4tr". A ransom the family "phải chuộc" was paid; one they were told to pay
        # ("bảo chuộc", "nếu không chuộc") was asked.
        demanded = (
            group == "demand"
            or (group == "pay" and (modal or must or future or nearest_group == "demand"))
            or (group in ("loss", "ransom") and (future or (modal and group == "ransom")))
        )
        if demanded:
            cat = _CAT_ASK
            asked = True
        elif group == "ask":
            asked = True
        nearest = cat
        nearest_group = group
        if group != "weak":  # "phí bảo hiểm khoản vay 2tr" is a fee
            strong_group = group
        seen = True
        best = max(best, cat)
    if limit:
        return _CAT_OFF, False, False
    fee = strong_group == "ask" and not (modal or must or future)
    if seen and nearest == _CAT_BENEFIT:
        return _CAT_BENEFIT, asked, False
    if demanded and best != _CAT_TOTAL:  # the nearest cue asks: "toàn lừa, bắt nạp 2tr"
        return _CAT_ASK, asked, False
    return best, asked, fee


def _speaker_did(words: list[str], cue: int) -> bool:
    """The pay verb at words[cue] has the speaker as its subject ("em nạp", "tôi đã chuyển"), not
    as the object of someone asking ("bảo em nạp", "bắt tôi chuyển")."""
    i = cue - 1
    if i >= 0 and words[i] in ("đã", "da"):
        i -= 1
    if i < 0 or words[i] not in _SUBJECT_BEFORE:
        return False
    return i == 0 or words[i - 1] not in _ASKERS


def _is_count(word: str) -> bool:
    """A small count of times: "3", "ba"."""
    return (word.isdigit() and len(word) <= 2) or word in _COUNT_WORDS


def _pick_amounts(
    text: str, low: str, amts: list[_Amt]
) -> tuple[list[_Amt], list[_Amt], int | None, list[int]]:
    """Add amounts in words, drop unsupported bare numbers; return them, the sums that are no
    amount lost, asked or promised (rates "50k/video", credit limits "hạn mức 100tr"), the main
    amount and the amounts paid (see ``_paid``)."""
    words = _word_amounts(text, low)
    if words:
        amts = sorted(amts + words, key=lambda a: a.start)
    if not amts:
        return [], [], None, []
    if len(amts) > 1:
        amts = _merge_compound(amts, low)
    kept: list[_Amt] = []
    off: list[_Amt] = []
    cats: list[int] = []
    asks: list[bool] = []
    fees: list[bool] = []
    best_key = (-1, -1)
    prev_end = 0
    prev_off = False
    for a in amts:
        cat, asked, fee = _cue_category(low, a.start, prev_end)
        if a.needs_cue and (
            cat == _CAT_NONE or _COUNT_NOUN_RE.match(low, a.end) is not None or _looks_like_phone(low, a)
        ):
            continue
        limit = cat == _CAT_OFF or (prev_off and cat == _CAT_NONE and _joins_range(low, prev_end, a.start))
        prev_end = a.end
        prev_off = limit
        # a rate earned or quoted ("lương 12tr/tháng", "giá 990k/đêm"), not a fee ("phí 1tr2/hồ
        # sơ"): the main amount only when there is no other; a pay per task is none
        unit = _rate_unit(low, a.end) if _CAT_OFF < cat < _CAT_ASK else None
        if limit or (unit in _TASK_UNITS and cat in (_CAT_NONE, _CAT_BENEFIT)):
            off.append(a)
            continue
        if unit is not None:
            cat = _CAT_BENEFIT
        if cat < _CAT_LOSS and _is_debit(low, a.start):  # "số dư -150.000": money gone
            cat, asked, fee = _CAT_LOSS, False, False
        kept.append(a)
        cats.append(cat)
        asks.append(asked)
        fees.append(fee)
        best_key = max(best_key, (cat, a.value))
    if not kept:
        return [], off, None, []
    main = best_key[1]
    if best_key[0] == _CAT_TOTAL:  # "tổng cộng 12tr, lần đầu 2tr, lần sau 10tr": the total
        k = next(k for k, a in enumerate(kept) if cats[k] == _CAT_TOTAL and a.value == main)
        return kept, off, main, ([] if asks[k] and not _done_after(low, kept, k) else [main])
    paid = _paid(low, kept, cats, fees)
    if paid:  # the total lost: the sum of the transfers made
        main = sum(paid)
    return kept, off, main, paid


def _paid(low: str, kept: list[_Amt], cats: list[int], fees: list[bool]) -> list[int]:
    """The amounts the citizen says were paid or taken, in order: a transfer nobody asked for or
    a loss ("chuyển 5tr", "bị trừ 8 triệu"), an asked one followed by "chuyển rồi", the fees
    listed after a fee paid ("đóng phí hải quan 12tr, phí bảo hiểm 8tr"), and the amounts
    without a cue that continue a series of transfers ("lần sau 6tr", "rồi 100tr nữa"); one
    paid "N lần, mỗi lần" counts N times. Asked, promised and earned amounts and balances do
    not count, nor a sum told twice."""
    paid: list[int] = []
    seen: set[int] = set()  # the values in ``paid``: a lookup, not a scan of the list
    prev_paid = False
    then = "mới" in low or "moi" in low  # "10tr mới cho rút" (checked once, not per amount)
    each = "mỗi" in low or "moi" in low or "/l" in low
    for k, a in enumerate(kept):
        cat = cats[k]
        if cat == _CAT_LOSS:
            is_paid = not (then and _asks_after(low, kept, k))
        elif cat == _CAT_ASK:
            is_paid = (prev_paid and fees[k] and fees[k - 1]) or _done_after(low, kept, k)
        elif cat in (_CAT_NONE, _CAT_WEAK):
            is_paid = prev_paid and _continues_series(low, kept, k)
        else:
            is_paid = False
        # the same sum told again ("... chuyển 20 triệu phí giữ chỗ. Tôi đã chuyển 20 triệu.") is
        # one transfer, unless the words mark another one ("chuyển thêm 5tr", "lần sau 5tr")
        if is_paid and not (a.value in seen and (k == 0 or not _continues_series(low, kept, k))):
            paid.extend([a.value] * (_times(low, kept, k) if each else 1))
            seen.add(a.value)
        prev_paid = is_paid
    return paid


def _rate_unit(low: str, end: int) -> str | None:
    """The unit of a rate after an amount: "video" in "50k/video", "tk" in "1 triệu mỗi tk"."""
    if low.startswith("/", end):
        j = end + 1
        if low.startswith("1 ", j):  # "100k/1 người"
            j += 2
        nxt = _words_after(low[j : j + 24], 2)
        if not nxt or not nxt[0][:1].isalpha() or nxt[0] in _TIMES:
            return None
    elif low.startswith((" mỗi ", " moi "), end):
        nxt = _words_after(low[end + 5 : end + 29], 2)
        if not nxt or nxt[0] in _TIMES or (low[end + 2] != "ỗ" and nxt[0] not in _RATE_NOUNS):
            return None
    else:
        return None
    two = " ".join(nxt)
    return two if two in _TASK_UNITS else nxt[0]


def _is_debit(low: str, start: int) -> bool:
    """ "-150.000" written apart ("số dư -150.000", "TK: -2tr"): a debit, not a range "1-2tr"."""
    return start > 0 and low[start - 1] == "-" and (start == 1 or low[start - 2] in " :(\n\t")


def _joins_range(low: str, a: int, b: int) -> bool:
    """Only "lên", "đến", "-" between two amounts: "hạn mức từ 30tr lên 90tr"."""
    return all(w.strip(_PUNCT) in _RANGE_WORDS for w in low[a:b].split())


def _times(low: str, kept: list[_Amt], k: int) -> int:
    """How many transfers of amount ``k`` were made: 3 in "nạp 3 lần, mỗi lần 500k" and "nạp 3
    lần, 500k mỗi lần"; else 1."""
    a = kept[k]
    lo = kept[k - 1].end if k > 0 else 0
    chunk = low[max(lo, a.start - _CUE_WINDOW) : a.start]
    before = _words_before(chunk[chunk.rfind("\n") + 1 :], 10)
    if len(before) >= 2 and before[-2] in _EACH and before[-1] in _TIMES:
        before = before[:-2]
    elif not low.startswith(("/lần", "/lan", " mỗi lần", " moi lan"), a.end):
        return 1
    for i in range(len(before) - 2, -1, -1):
        if before[i + 1] in _TIMES and _is_count(before[i]):
            n = int(before[i]) if before[i].isdigit() else _COUNT_WORDS.get(before[i], 1)
            return n if 1 < n <= 20 else 1
    return 1


def _after(low: str, kept: list[_Amt], k: int, n: int) -> list[str]:
    """The first ``n`` words after amount ``k``, not past the next amount nor the clause."""
    end = kept[k].end
    stop = kept[k + 1].start if k + 1 < len(kept) else len(low)
    chunk = low[end : min(stop, end + 8 * n)]
    nl = chunk.find("\n")
    return _words_after(chunk if nl < 0 else chunk[:nl], n)


def _done_after(low: str, kept: list[_Amt], k: int) -> bool:
    """ "chuyển rồi", "đã chuyển" after an asked amount, before the next amount; the sentence
    after counts too ("yêu cầu đóng phí 4.200.000đ vào tài khoản … Tôi đã chuyển"). Right before
    the next amount it tells of that one ("bảo chuyển 5tr, tôi đã chuyển 3tr")."""
    end = kept[k].end
    stop = kept[k + 1].start if k + 1 < len(kept) else len(low)
    chunk = low[end : min(stop, end + 160)]
    nl = chunk.find("\n")
    toks = (chunk if nl < 0 else chunk[:nl]).split()
    reach = k + 1 < len(kept) and stop <= end + 160 and nl < 0 and len(toks) <= 24
    words = [w.strip(_PUNCT) for w in toks[:24]]
    return any(not (reach and len(words) - pos - size <= 2) for pos, size in _DONE.forward(words, 24))


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
