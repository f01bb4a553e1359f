"""Entity extraction for citizens' messages: phones, bank accounts, links and money amounts.

Input is NFC text as typed: with or without diacritics, teencode, odd spacing. Everything runs on
one lowercased copy of the text (same length, so offsets map back to the original).

The whole analyzer must handle 20,000+ messages/s on one core, so this gets a budget of some
10-20 µs per message, and CPython's ``re`` spends 100+ ns per character trying a long
alternation at every position. So regexes here either start with a digit (``re`` then skips
to candidates in C) or run on a short token; cue words ("stk", "chuyển", "tổng cộng") are found
by splitting a few words next to a number and looking phrases up in dicts that hold both the
written and the folded spelling. Phone numbers are validated against phonenumbers' own VN
metadata patterns, compiled once, instead of ``phonenumbers.parse`` (~30 µs a call).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

import phonenumbers

from app.nlu.banks import BANKS

__all__ = ["Amount", "BankAccount", "Entities", "extract_entities"]


@dataclass(frozen=True, slots=True)
class BankAccount:
    number: str  # digits only
    bank: str | None  # canonical bank / e-wallet name when one is named near the number


@dataclass(frozen=True, slots=True)
class Amount:
    value: int  # VND
    start: int  # char offset in the text
    end: int


@dataclass(frozen=True, slots=True)
class Entities:
    phones: tuple[str, ...]  # E.164, order of appearance, no duplicates
    bank_accounts: tuple[BankAccount, ...]
    urls: tuple[str, ...]  # lowercased, as written (defanged dots restored), order of appearance
    amounts: tuple[Amount, ...]  # every money amount found
    amount_vnd: int | None  # the main amount: the total lost or asked


_EMPTY: Final = Entities((), (), (), (), None)

# --------------------------------------------------------------------------- phrase tables


def _fold(s: str) -> str:
    """Drop diacritics and map đ to d (import time only: it is slow)."""
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _variants(phrase: str) -> tuple[str, ...]:
    """The phrase as written and folded; a leading "=" keeps only the written form, for words
    whose folded spelling is a different common word ("mã" code vs "mà" but)."""
    if phrase.startswith("="):
        return (" ".join(phrase[1:].split()),)
    written = " ".join(phrase.split())
    return (written, _fold(written))


def _alt(*phrases: str) -> str:
    """Regex alternation of the phrases' variants, longest first, flexible spaces."""
    forms = sorted({f for p in phrases for f in _variants(p)}, key=lambda f: (-len(f), f))
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)


def _wordset(words: str, sep: str | None = None) -> frozenset[str]:
    """A word list written as one string (long lists stay readable and diffable)."""
    return frozenset(words.split(sep))


_V = TypeVar("_V")
# Stripped from both ends of a word before lookup ("stk:", "(vcb)", "MB.").
_PUNCT: Final = ".,:;!?()[]{}\"'“”‘’<>*=#~-–—/\\|…"
_CLAUSE_BREAKS: Final = ".!?;…"  # a word ending in one of these ends a clause


def _words_before(chunk: str, n: int) -> list[str]:
    """The last ``n`` words of ``chunk`` within its last clause, punctuation stripped."""
    toks = chunk.split()[-n:]
    for k in range(len(toks) - 2, -1, -1):  # "xong. stk 123": the clause starts after "xong."
        if toks[k][-1] in _CLAUSE_BREAKS:
            toks = toks[k + 1 :]
            break
    return [t.strip(_PUNCT) for t in toks]


def _words_after(chunk: str, n: int) -> list[str]:
    """The first ``n`` words of ``chunk`` up to the end of its clause, punctuation stripped."""
    toks = chunk.split(None, n)[:n]
    for k, t in enumerate(toks):
        if t[-1] in _CLAUSE_BREAKS or t[0] in _CLAUSE_BREAKS:
            toks = toks[: k + 1] if t[0] not in _CLAUSE_BREAKS else toks[:k]
            break
    return [t.strip(_PUNCT) for t in toks]


class _Node(Generic[_V]):
    __slots__ = ("kids", "value")

    def __init__(self) -> None:
        self.value: _V | None = None
        self.kids: dict[str, _Node[_V]] = {}


class _PhraseTable(Generic[_V]):
    """Multi-word phrases in word tries (one read backwards, one forwards), so scanning the
    words next to a number costs a dict lookup per word and never builds strings."""

    __slots__ = ("fwd", "rev")

    def __init__(self, entries: Iterable[tuple[str, _V]]) -> None:
        self.fwd: dict[str, _Node[_V]] = {}
        self.rev: dict[str, _Node[_V]] = {}
        for phrase, value in entries:
            for form in _variants(phrase):
                words = form.split(" ")
                self._add(self.fwd, words, value)
                self._add(self.rev, words[::-1], value)

    @staticmethod
    def _add(root: dict[str, _Node[_V]], words: list[str], value: _V) -> None:
        kids = root
        node: _Node[_V] | None = None
        for w in words:
            node = kids.get(w)
            if node is None:
                node = kids[w] = _Node()
            kids = node.kids
        if node is not None and node.value is None:  # earlier entries win on a clash
            node.value = value

    def back(self, words: list[str], limit: int) -> list[tuple[int, _V]]:
        """Longest phrases ending at most ``limit`` words before the end: (words after, value)."""
        found: list[tuple[int, _V]] = []
        rev = self.rev
        last = len(words) - 1
        k = last
        while k >= 0 and last - k <= limit:
            node = rev.get(words[k])
            best: _V | None = None
            size = 1
            j = k
            while node is not None:
                if node.value is not None:
                    best, size = node.value, k - j + 1
                j -= 1
                node = node.kids.get(words[j]) if j >= 0 and node.kids else None
            if best is None:
                k -= 1
            else:
                found.append((last - k, best))
                k -= size
        return found

    def forward(self, words: list[str], limit: int) -> list[tuple[int, _V]]:
        """Longest phrases starting at most ``limit`` words in: (words before, value)."""
        found: list[tuple[int, _V]] = []
        fwd = self.fwd
        n = len(words)
        k = 0
        while k < n and k <= limit:
            node = fwd.get(words[k])
            best: _V | None = None
            size = 1
            j = k
            while node is not None:
                if node.value is not None:
                    best, size = node.value, j - k + 1
                j += 1
                node = node.kids.get(words[j]) if j < n and node.kids else None
            if best is None:
                k += 1
            else:
                found.append((k, best))
                k += size
        return found


# --------------------------------------------------------------------------- phones

# Validate against phonenumbers' VN metadata for mobile and fixed-line numbers (plus its 069
# police range): the decision phonenumbers.is_valid_number makes for those types, at regex
# speed. Short codes (1900/1800, 113) are other types and stay out.
_VN_META: Final = phonenumbers.PhoneMetadata.metadata_for_region("VN")


def _meta_pattern(desc: phonenumbers.PhoneNumberDesc | None) -> re.Pattern[str]:
    pattern = desc.national_number_pattern if desc is not None else None
    return re.compile(f"(?:{pattern})" if pattern else r"(?!)")


_MOBILE_RE: Final = _meta_pattern(_VN_META.mobile if _VN_META else None)
_FIXED_RE: Final = _meta_pattern(_VN_META.fixed_line if _VN_META else None)
_UAN_RE: Final = _meta_pattern(_VN_META.uan if _VN_META else None)


def _national(digits: str, has_prefix: bool) -> str | None:
    """National significant number if ``digits`` is a valid VN mobile/fixed phone, else None."""
    if has_prefix:  # "+84 912…"; tolerate "+84 0912…"
        nat = digits[1:] if digits.startswith("0") else digits
    elif digits.startswith("0"):
        nat = digits[1:]
    elif digits.startswith("84") and len(digits) in (11, 12):  # "84912345678"
        nat = digits[2:]
    else:
        return None
    if len(nat) not in (9, 10):
        return None
    if _MOBILE_RE.fullmatch(nat) or _FIXED_RE.fullmatch(nat):
        return nat
    if nat.startswith("69") and _UAN_RE.fullmatch(nat):  # police network, where phonenumbers has it
        return nat
    return None


# Digit groups joined by single separators, either dots/commas or spaces/dashes, never both (so
# "1.500.000 0912…" is two numbers): "0934 718 260", "2388 1144 5566 7", "3.000.000", "2,5".
# The only regex that scans the whole message for numbers. It starts with a plain ASCII class,
# not \d or a repeat, so ``re`` skips to digits in C (about 3x faster here).
_CHAIN_RE: Final = re.compile(r"[0-9][0-9]*(?:(?:[.,][0-9]+)+|(?:[ \-\u00a0][0-9]+)+)?")
_SEPS: Final = " .,-\u00a0"

# --------------------------------------------------------------------------- money amounts

_UNIT_VALUE: Final[dict[str, int]] = {
    **dict.fromkeys(("triệu", "trieu", "tr", "củ", "cu"), 1_000_000),
    **dict.fromkeys(("tỷ", "tỉ", "ty", "ti", "tỏi"), 1_000_000_000),
    **dict.fromkeys(("nghìn", "nghin", "ngàn", "ngan", "k"), 1_000),
    **dict.fromkeys(("lít", "lit", "xị", "xi"), 100_000),  # slang: one "lít"/"xị" is 100k
}
_NOT_LETTER: Final = r"(?![^\W\d_])"  # next char is not a letter (a digit may follow: "1tr2")
_CUR: Final = r"(?:đồng|dong|vnđ|vnd|đ|d)"
# Words that close a clause after "2 tỷ 3" (so the 3 belongs to the amount, not to a count).
_CLAUSE_END: Final = r"(?:r|rồi|roi|rùi|nữa|nua|thì|thi|mà|ạ|đó|luôn|luon)(?!\w)"
# What may follow a number to make it money, matched right after a digit chain (never scanned
# over the text): "50tr", "1tr2", "7tr800", "2 tỷ 3", "1 triệu rưỡi", "5 trăm nghìn", "500k",
# "3.000.000đ", "50tr đồng".
_TAIL_RE: Final = re.compile(
    r"(?:(?P<mul>trăm|tram|chục|chuc) ?)?"
    r"(?:(?P<unit>triệu|trieu|tr|củ|cu|(?:tỷ|tỉ|ty|ti)(?! ?l[eệ](?!\w))|tỏi|nghìn|nghin|ngàn"
    r"|ngan(?! ?h[aà]ng)|k|(?:lít|lit|xị|xi)(?! (?:xăng|xang|nước|nuoc|dầu|dau|sữa|sua|bia|rượu|ruou)))"
    + _NOT_LETTER
    # remainder: "1tr2", "7tr800"; after a space only at a clause end: "2 tỷ 3."
    + r"(?:(?P<rem>[0-9]{1,3})(?![0-9%:]|[.,][0-9])|\s(?P<rem2>[0-9]{1,3})(?=\s*(?:[.,;!?)\n]|\Z|"
    + _CLAUSE_END
    + r")))?"
    r"(?:\s?(?P<half>rưỡi|ruoi)(?!\w))?"
    r"(?:\s?" + _CUR + _NOT_LETTER + r")?"
    r"|(?P<cur>" + _CUR + r")" + _NOT_LETTER + r")"
)
# "k" written apart from the number and followed by a verb is teencode for "không" (not).
_K_VERB_RE: Final = re.compile(
    r" (?:"
    + _alt(
        *_wordset(
            "biết|bít|bik|có|được|đc|dc|phải|sao|thấy|hiểu|nghe|cần|muốn|dám|chịu|ai|nói|làm|rút|nhận|đi", "|"
        )
    )
    + r")(?!\w)"
)
_UNIT_FIRST: Final = tuple("tcknlxđdv")  # first letters of _TAIL_RE, checked before calling it
# "12.000 điểm", "1.000 usdt": separator numbers counting something other than đồng.
_COUNT_NOUN_RE: Final = re.compile(
    r"\s?(?:"
    + _alt(
        *_wordset(
            "điểm|người|lượt|km|m2|sản phẩm|đơn|like|follow|view|tin nhắn|lần|xu|coin"
            "|point|usdt|usd|đô|cổ phiếu|cp|tệ|won|yên|baht|bitcoin|btc|eth|thành viên|mem|học sinh|hs"
            "|km2|m|kg|tấn",
            "|",
        )
    )
    + r"|\$)(?!\w)"
)

_NUMBER_WORDS: Final[dict[str, str]] = {}
for _w, _kind in (
    ("một", "1"),
    ("mốt", "1"),
    ("hai", "2"),
    ("ba", "3"),
    ("bốn", "4"),
    ("tư", "4"),
    ("năm", "5"),
    ("lăm", "5"),
    ("nhăm", "5"),
    ("sáu", "6"),
    ("bảy", "7"),
    ("bẩy", "7"),
    ("tám", "8"),
    ("chín", "9"),
    ("mười", "10"),
    ("mươi", "x10"),
    ("trăm", "x100"),
    ("chục", "x10"),
    ("linh", "0"),
    ("lẻ", "0"),
):
    _NUMBER_WORDS[_w] = _kind
    _NUMBER_WORDS.setdefault(_fold(_w), _kind)
_NUMBER_WORDS["muoi"] = "muoi"  # folded "mười"/"mươi": read from context
# Starts with a literal space so ``re`` jumps between spaces instead of trying every letter.
_WORD_UNIT_RE: Final = re.compile(r" (triệu|trieu|tỷ|tỉ|ty|tỏi|nghìn|nghin|ngàn|ngan(?! ?h[aà]ng)|củ)(?!\w)")
_VAGUE: Final = frozenset(v for w in ("mấy", "vài", "hàng", "cả", "dăm") for v in _variants(w))

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


@dataclass(slots=True)
class _Amt:
    value: int
    start: int
    end: int
    unit: int  # multiplier of the unit word, for "1 triệu 200 nghìn"; 1 when only "đ"/"vnd"
    needs_cue: bool  # "3.000.000" without đ/vnd is money only after a money word


@dataclass(slots=True)
class _Chain:
    start: int
    end: int
    prefix: int  # start of a "+84" / "(+84)" written before the digits, else -1
    own84: bool  # the chain's own first digits are that 84


def _scan_digits(low: str) -> tuple[list[_Amt], list[_Chain]]:
    """One pass over the digit chains: amounts ("50tr", "3.000.000đ") and the other numbers."""
    amts: list[_Amt] = []
    chains: list[_Chain] = []
    amt_end = -1
    pending = pending_until = -1  # a "(+84)" just before the next chain
    for m in _CHAIN_RE.finditer(low):
        s, e = m.span()
        if s < amt_end:  # the "2" of "1tr2"
            continue
        chunk = m.group()
        prefix = -1
        own84 = False
        if s <= pending_until:
            prefix = pending
        elif chunk.startswith("84"):
            plus = low.rfind("+", max(0, s - 3), s)
            if plus >= 0 and not low[plus + 1 : s].strip(" "):
                if chunk == "84" and low.startswith(")", e):  # "(+84) 912…"
                    pending = plus - 1 if plus > 0 and low[plus - 1] == "(" else plus
                    pending_until = e + 3
                    continue
                prefix, own84 = plus, True
        pending_until = -1
        after = e + 1 if low.startswith(" ", e) else e
        tail = _TAIL_RE.match(low, after) if low.startswith(_UNIT_FIRST, after) else None
        if (
            tail is not None
            and after > e
            and tail.group("unit") == "k"
            and _k_is_khong(low, chunk, tail.end())
        ):
            tail = None
        if tail is not None or (e - s > 4 and ("." in chunk or "," in chunk)):
            amt = _chain_amount(low, s, chunk, tail, own84)
            if amt is not None:
                amts.append(amt)
                if not amt.needs_cue:  # a bare "3.000.000" may still turn out to be a phone
                    amt_end = amt.end
                    if amt.start > s + 1:  # "0934 718 260 2tr": the phone before the amount
                        chains.append(_Chain(s, amt.start - 1, prefix, own84))
                    continue
        chains.append(_Chain(s, e, prefix, own84))
    return amts, chains


def _k_is_khong(low: str, chunk: str, end: int) -> bool:
    """ "2 k biết" is "2, không biết" (k = không); "500 k" is 500 nghìn."""
    if len(chunk) < 2:
        return True
    return _K_VERB_RE.match(low, end) is not None


def _chain_amount(low: str, s: int, chunk: str, tail: re.Match[str] | None, own84: bool) -> _Amt | None:
    """The amount at the end of a digit chain: the whole chain when it is grouped in thousands,
    else a trailing decimal ("2,5") or the last group, followed by ``tail``'s unit."""
    if tail is not None and chunk.isdigit():  # "50tr", "15 triệu": the usual case
        return _amount_value(chunk, "", s, tail)
    parts: list[str] = []
    seps: list[str] = []
    cur_part = 0
    for i, c in enumerate(chunk):
        if c in _SEPS:
            parts.append(chunk[cur_part:i])
            seps.append(c)
            cur_part = i + 1
    parts.append(chunk[cur_part:])
    e = s + len(chunk)
    cur = tail is not None and tail.group("cur") is not None
    thousands = (
        len(parts) > 1
        and len(set(seps)) == 1
        and 1 <= len(parts[0]) <= 3
        and parts[0][0] != "0"
        and all(len(p) == 3 for p in parts[1:])
        and (seps[0] not in " \u00a0" or cur)  # "3 000 000 đồng" only with a currency
    )
    if thousands:
        start, whole, frac = s, "".join(parts), ""
    elif tail is None:
        return None  # "20.5.2025", "0912.345.678"
    elif len(parts) > 1 and seps[-1] in ".," and len(parts[-1]) <= 2:  # "2,5 tỷ"
        whole, frac = parts[-2], parts[-1]
        start = e - len(whole) - len(frac) - 1
    else:
        whole, frac = parts[-1], ""
        start = e - len(whole)
    if start > s:  # "+84 387 640 215 cu nhắn": the 215 ends a phone, "cu" is "cứ"
        digits = "".join(parts)[: -len(whole) - len(frac)] + whole
        if _national(digits[2:] if own84 else digits, own84) is not None:
            return None
    if tail is None:  # "3.000.000" alone: money only next to a money word (checked later)
        return _Amt(int(whole), start, e, 1, True)
    if thousands and tail.group("unit") is None:  # "3.000.000đ", "3 000 000 đồng"
        return _Amt(int(whole), start, tail.end(), 1, False)
    return _amount_value(whole, frac, start, tail)


def _amount_value(whole: str, frac: str, start: int, tail: re.Match[str]) -> _Amt | None:
    """``whole``[.``frac``] followed by the unit in ``tail``."""
    mul, unit, rem, rem2, half, _ = tail.groups()  # one call instead of five named lookups
    if unit is None:  # "500000đ": plain digits need 4+ ("200d" is noise) and no leading 0
        if len(whole) < 4 or whole[0] == "0" or frac:
            return None
        return _Amt(int(whole), start, tail.end(), 1, False)
    mult = _UNIT_VALUE[unit]
    if frac:
        value = (int(whole) * 10 ** len(frac) + int(frac)) * mult // 10 ** len(frac)
    else:
        value = int(whole) * mult
    if mul is not None:
        value *= 100 if mul in ("trăm", "tram") else 10
    rem = rem or rem2
    if rem is not None and mult >= 1_000:
        value += int(rem) * 10 ** (3 - len(rem)) * (mult // 1_000)
    elif half is not None:
        value += mult // 2
    if not 0 < value < 10**14:
        return None
    return _Amt(value, start, tail.end(), mult, False)


def _words_value(words: list[str]) -> int | None:
    """Value (< 1000) of Vietnamese number words, or None when they don't make one number."""
    total = 0
    pending: int | None = None
    has_digit = False
    for w in words:
        kind = _NUMBER_WORDS[w]
        if kind == "muoi":  # folded: "mươi" (tens) after a digit, else "mười" (ten)
            kind = "x10" if pending is not None else "10"
        if kind.startswith("x"):
            if kind == "x10" and pending is None:  # bare "chục triệu" is vague
                return None
            total += (pending if pending is not None else 1) * int(kind[1:])
            pending = None
        elif kind == "10":
            if pending is not None:
                return None
            total += 10
            has_digit = True
        elif kind != "0":
            if pending is not None:  # "hai ba triệu" is a range, not a number
                return None
            pending = int(kind)
            has_digit = True
    if pending is not None:
        total += pending
    return total if has_digit and total > 0 else None


def _word_amounts(text: str, low: str) -> list[_Amt]:
    """ "hai chục triệu", "năm trăm nghìn", "mười lăm triệu rưỡi"."""
    found: list[_Amt] = []
    for m in _WORD_UNIT_RE.finditer(low):
        i, j = m.start() + 1, m.end()
        if low[i - 2 : i - 1].isdigit():  # "50 triệu": read with the digits
            continue
        prev = low[low.rfind(" ", 0, i - 1) + 1 : i - 1]
        # not "50 triệu", "công ty", nor the street "Bà Triệu" (Title case; "HAI CHỤC TRIỆU" is money)
        if prev in _NUMBER_WORDS and not (text[i].isupper() and text[i + 1 : i + 2].islower()):
            amt = _word_amount_at(low, i, j, _UNIT_VALUE[m.group(1)])
            if amt is not None:
                found.append(amt)
    return found


def _word_amount_at(low: str, i: int, j: int, mult: int) -> _Amt | None:
    before = low[max(0, i - 40) : i].split()
    k = len(before)
    while k > 0 and before[k - 1] in _NUMBER_WORDS:
        k -= 1
    if k == len(before) or (k > 0 and before[k - 1] in _VAGUE):
        return None
    words = before[k:]
    value = _words_value(words)
    if value is None:
        return None
    start = i
    for w in reversed(words):
        start = low.rfind(w, 0, start)
    value *= mult
    for half in (" rưỡi", " ruoi", "rưỡi"):
        if low.startswith(half, j):
            value += mult // 2
            j += len(half)
            break
    return _Amt(value, start, j, mult, False)


def _merge_compound(amts: list[_Amt], low: str) -> list[_Amt]:
    """Join "1 triệu 200 nghìn" / "2 tỷ 300 triệu", written as two adjacent amounts."""
    out: list[_Amt] = []
    for a in amts:
        if out:
            prev = out[-1]
            gap = low[prev.end : a.start]
            if (
                len(gap) <= 2
                and not gap.strip()
                and prev.unit > a.unit > 1
                and a.value < prev.unit
                and not prev.needs_cue
                and prev.value % prev.unit == 0
            ):
                out[-1] = _Amt(prev.value + a.value, prev.start, a.end, prev.unit, False)
                continue
        out.append(a)
    return out


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


# --------------------------------------------------------------------------- account / phone context

_NGANHANG: Final = ("ngân hàng", "nh", "bank")
_CTX_ENTRIES: list[tuple[str, tuple[str, int]]] = []
for _i, _b in enumerate(BANKS):
    for _a in _b.aliases:
        _CTX_ENTRIES.append((_a, ("bank", _i)))
        _CTX_ENTRIES.extend((f"{_p} {_a}", ("bank", _i)) for _p in _NGANHANG)
    # "quân đội" alone is the army; "ngân hàng quân đội" is MB
    _CTX_ENTRIES.extend((f"{_p} {_a}", ("bank", _i)) for _a in _b.after_nganhang for _p in _NGANHANG)
for _kind, _phrases in (
    (
        "acct",
        "stk|số tk|số tài khoản|tài khoản|tài khoản nhận|tk|tk nhận|chuyển vào|chuyển khoản vào|"
        "chuyển tiền vào|ck vào|ck qua|chuyển qua|nhận tiền|chủ tài khoản|chủ tk|ctk|ngân hàng|account|"
        "số tài khoản ngân hàng|tài khoản ngân hàng",
    ),
    (
        # ID and code numbers: not accounts, not phones. "mã"/"mk"/"pass" only as written:
        # folded "ma" is "mà" (but)
        "idc",
        "cccd|căn cước|căn cước công dân|cmnd|cmt|chứng minh|chứng minh nhân dân|hộ chiếu|passport|"
        "mã số thuế|mst|otp|mã otp|mã xác nhận|mã xác thực|mã pin|mã giao dịch|mã đơn|mã đơn hàng|"
        "mã vận đơn|vận đơn|đơn hàng|hợp đồng|biển số|bhxh|bảo hiểm xã hội|imei|serial|seri|mật khẩu|"
        "định danh|mã số|=mã|=mk|=pass",
    ),
    (
        # "=nhắn": folded "nhan" is also "nhân" ("tk cá nhân"); social apps: their ids are phones
        "phone",
        "sđt|số điện thoại|số đt|điện thoại|đt|dt|số|gọi|gọi từ|zalo|zl|hotline|liên hệ|lh|=nhắn|"
        "nhắn tin|sim|thuê bao|đầu số|viber|telegram|tele|whatsapp|facebook|fb|tiktok|phone|tel|call",
    ),
):
    _CTX_ENTRIES.extend((_p, (_kind, -1)) for _p in _phrases.split("|"))
_CTX: Final = _PhraseTable(_CTX_ENTRIES)

_SAYS_ACCOUNT_IS_PHONE_RE: Final = re.compile(
    r"(?<!\w)(?:"
    + _alt("stk", "số tk", "số tài khoản", "tài khoản", "tk")
    + r")\s*(?:(?:"
    + _alt("chính", "cũng", "luôn", "của nó", "nó")
    + r")\s*)*(?:"
    + _alt("là", "=", "trùng", "trùng với", "dùng")
    + r")\s*(?:"
    + _alt("sđt", "số điện thoại", "số đt", "sdt", "số phone", "điện thoại")
    + r")(?!\w)|(?<!\w)(?:"
    + _alt("sđt", "số điện thoại", "số đt")
    + r")\s*(?:(?:"
    + _alt("chính", "cũng", "luôn")
    + r")\s*)*(?:"
    + _alt("là", "=")
    + r")\s*(?:"
    + _alt("stk", "số tk", "số tài khoản", "tài khoản")
    + r")(?!\w)"
)
# Account holder printed after the number in capitals without diacritics: "NGUYEN VAN AN".
_HOLDER_RE: Final = re.compile(r"[\s:,\-–(]{0,3}[A-Z]{2,}(?:\s+[A-Z]+){1,4}(?![^\W\d_])")
_CUE_WORDS: Final = 3  # "stk an toàn của nó 123…": a cue up to 3 words before the number
_BANK_WORDS: Final = 4  # a bank name within ~4 words labels the number
_CTX_CHARS: Final = 50


@dataclass(slots=True)
class _Seg:
    start: int
    end: int
    digits: str
    groups: int  # how many digit groups it was written in
    shape_ok: bool  # groups look like an account number, not a date or "3.000.000"
    prefix: bool  # +84 / (+84) written before it
    national: str | None  # set when the digits are a valid VN phone


def _segments(low: str, chains: list[_Chain], blocked: list[tuple[int, int]]) -> list[_Seg]:
    """Digit chains (6+ digits) cut into valid phones and the digits between them."""
    segs: list[_Seg] = []
    for ch in chains:
        s, e = ch.start, ch.end
        if e - s < 6:
            continue
        chunk = low[s:e]
        if chunk.isdigit():  # the usual case: one group
            if ch.own84:
                s, chunk = s + 2, chunk[2:]
            if blocked and any(bs < e and s < be for bs, be in blocked):
                continue
            nat = _national(chunk, ch.prefix >= 0)
            if nat is not None or len(chunk) >= 6:
                segs.append(_Seg(ch.prefix if ch.prefix >= 0 else s, e, chunk, 1, True, ch.prefix >= 0, nat))
            continue
        groups: list[tuple[int, int]] = []
        seps: list[str] = []
        pos = s
        for k, c in enumerate(chunk):
            if c in _SEPS:
                groups.append((pos, s + k))
                seps.append(c)
                pos = s + k + 1
        groups.append((pos, e))
        if ch.own84:  # "+84 387…": the first group is the country code
            groups.pop(0)
            seps.pop(0)
        if blocked:  # digits inside a link
            keep = [not any(bs < g[1] and g[0] < be for bs, be in blocked) for g in groups]
            if not all(keep):
                groups = [g for g, ok in zip(groups, keep, strict=True) if ok]
                seps = seps[: len(groups) - 1]
        if groups:
            _split_run(low, groups, seps, ch.prefix, segs)
    return segs


def _split_run(
    low: str, groups: list[tuple[int, int]], seps: list[str], prefix: int, out: list[_Seg]
) -> None:
    """Cut one chain into phones (longest valid first) and the digits between them."""
    texts = [low[a:b] for a, b in groups]
    n = len(texts)
    whole = "".join(texts)
    if len(whole) < 6:
        return
    nat = _national(whole, prefix >= 0) if len(whole) <= 12 else None
    if nat is not None or len(whole) <= 10:  # one phone, or too short to hold one plus more
        out.append(_make_seg(groups, texts, seps, 0, n, prefix, nat))
        return
    i = 0
    other_from = -1
    while i < n:
        hit = -1
        for j in range(n, i, -1):
            digits = "".join(texts[i:j])
            if len(digits) > 12:
                continue
            if len(digits) < 9:
                break
            nat = _national(digits, prefix >= 0 and i == 0)
            if nat is not None:
                hit = j
                break
        if hit < 0:
            if other_from < 0:
                other_from = i
            i += 1
            continue
        if other_from >= 0:
            out.append(_make_seg(groups, texts, seps, other_from, i, -1, None))
            other_from = -1
        out.append(_make_seg(groups, texts, seps, i, hit, prefix if i == 0 else -1, nat))
        i = hit
    if other_from >= 0:
        out.append(_make_seg(groups, texts, seps, other_from, n, -1, None))


def _make_seg(
    groups: list[tuple[int, int]],
    texts: list[str],
    seps: list[str],
    i: int,
    j: int,
    prefix: int,
    nat: str | None,
) -> _Seg:
    sizes = [len(t) for t in texts[i:j]]
    used = set(seps[i : j - 1])
    # "20.05.2025" is a date and "3.000.000" money, not account numbers
    shape_ok = all(g >= 3 for g in sizes[:-1]) and not (
        used and used <= {".", ","} and all(g == 3 for g in sizes[1:])
    )
    start = prefix if prefix >= 0 else groups[i][0]
    return _Seg(start, groups[j - 1][1], "".join(texts[i:j]), j - i, shape_ok, prefix >= 0, nat)


@dataclass(slots=True)
class _NumCtx:
    # kind of the nearest cue a few words before, bank names aside ("stk vcb 0912…" is "acct")
    cue_before: str | None = None
    acct_before: bool = False  # an account cue a few words before, no ID cue nearer
    acct_near: bool = False  # an account cue up to _BANK_WORDS words before
    idc_near: bool = False
    acct_after: bool = False
    bank_before: tuple[int, int] | None = None  # (words away, index into BANKS)
    bank_after: tuple[int, int] | None = None

    def bank(self, max_words: int, *, weak: bool = True, wallet_only: bool = False) -> int:
        """Index of the nearest bank within ``max_words`` words, or -1."""
        best = -1
        best_n = max_words + 1
        for found in (self.bank_before, self.bank_after):
            if found is None or found[0] >= best_n:
                continue
            bank = BANKS[found[1]]
            if (weak or not bank.weak) and (bank.wallet or not wallet_only):
                best, best_n = found[1], found[0]
        return best


def _context_before(low: str, s: int, lo: int) -> _NumCtx:
    """Cues in the few words before the digits at ``s`` (not past the number ending at ``lo``)."""
    nc = _NumCtx()
    chunk = low[max(lo, s - _CTX_CHARS) : s]
    words = _words_before(chunk[chunk.rfind("\n") + 1 :], 8)
    idc_seen = False
    for n, (kind, bank) in _CTX.back(words, _BANK_WORDS):
        if n <= _CUE_WORDS:
            if nc.cue_before is None and kind != "bank":
                nc.cue_before = kind
            if kind == "acct" and not idc_seen:
                nc.acct_before = True
        if kind == "idc":
            nc.idc_near = idc_seen = True
        elif kind == "acct":
            nc.acct_near = True
        elif kind == "bank" and nc.bank_before is None:
            nc.bank_before = (n, bank)
    return nc


def _context_after(nc: _NumCtx, low: str, e: int, hi: int) -> None:
    """Add the cues in the few words after the digits ending at ``e``."""
    chunk = low[e : min(hi, e + _CTX_CHARS)]
    nl = chunk.find("\n")
    words = _words_after(chunk if nl < 0 else chunk[:nl], 7)
    for n, (kind, bank) in _CTX.forward(words, _BANK_WORDS):
        if kind == "bank" and nc.bank_after is None:
            nc.bank_after = (n, bank)
        elif kind == "acct" and n <= _CUE_WORDS:
            nc.acct_after = True


def _classify(
    text: str, low: str, segs: list[_Seg], spans: list[tuple[int, int]]
) -> tuple[list[str], list[BankAccount]]:
    """Phones and accounts among the segments; ``spans`` are all numbers, in order."""
    phones: list[str] = []
    accounts: list[BankAccount] = []
    says_both: bool | None = None  # "stk là sđt": computed when first needed
    for seg in segs:
        is_phone = seg.national is not None
        if not is_phone and not (seg.shape_ok and 6 <= len(seg.digits) <= 19):
            continue
        lo, hi = 0, len(low)  # the neighbouring numbers bound the context
        for a, b in spans:
            if b <= seg.start:
                lo = b
            elif a >= seg.end:
                hi = a
                break
        written_as_phone = seg.prefix or seg.groups > 1 or seg.digits.startswith("84")
        nc = _context_before(low, seg.start, lo)
        if nc.cue_before == "idc":
            continue
        # a phone written as one after "sđt"/"gọi"/"zalo" needs nothing from the words after it,
        # unless it turns out to be an account too (then the bank name may follow it)
        lazy_after = is_phone and written_as_phone and nc.cue_before == "phone"
        if not lazy_after:
            _context_after(nc, low, seg.end, hi)
        # "NGUYEN VAN AN" after the digits, unless the whole message is in capitals
        holder = _HOLDER_RE.match(text, seg.end) is not None and not text.isupper()
        if seg.national is not None:
            wallet = nc.bank(1, wallet_only=True)
            is_acct = False
            if nc.cue_before == "acct" or (
                nc.cue_before != "phone" and not written_as_phone and (nc.bank(1, weak=False) >= 0 or holder)
            ):
                if says_both is None:
                    says_both = _SAYS_ACCOUNT_IS_PHONE_RE.search(low) is not None
                is_acct, is_phone = True, says_both or wallet >= 0
            elif wallet >= 0:
                is_acct = True  # an e-wallet id is the phone number itself
            elif nc.acct_near or nc.bank(_BANK_WORDS, weak=False) >= 0:  # "stk là sđt 0912…"
                if says_both is None:
                    says_both = _SAYS_ACCOUNT_IS_PHONE_RE.search(low) is not None
                is_acct = says_both
            if is_phone and "+84" + seg.national not in phones:
                phones.append("+84" + seg.national)
            if is_acct:
                if lazy_after:
                    _context_after(nc, low, seg.end, hi)
                number = "0" + seg.national if seg.prefix else seg.digits
                _add_account(accounts, number, wallet if wallet >= 0 else nc.bank(_BANK_WORDS))
            continue
        if nc.idc_near and len(seg.digits) in (9, 12) and not nc.acct_before:
            continue
        if seg.digits.startswith(("1900", "1800")) and not nc.acct_before:  # hotline short codes
            continue
        # a cue after the digits is weaker evidence: not for OTP-sized numbers ("mã 123456 gửi về
        # tk") nor after a phone word ("hotline 1900 5454 12 của ngân hàng")
        acct_after = nc.acct_after and len(seg.digits) >= 8 and nc.cue_before != "phone"
        if nc.acct_before or nc.bank(_BANK_WORDS, weak=False) >= 0 or acct_after or holder:
            _add_account(accounts, seg.digits, nc.bank(_BANK_WORDS))
    return phones, accounts


def _add_account(accounts: list[BankAccount], number: str, bank: int) -> None:
    name = BANKS[bank].canonical if bank >= 0 else None
    for k, a in enumerate(accounts):
        if a.number == number:
            if a.bank is None and name is not None:
                accounts[k] = BankAccount(number, name)
            return
    accounts.append(BankAccount(number, name))


# --------------------------------------------------------------------------- links

# fmt: off
_TLDS: Final = _wordset(
    # generic, and the cheap ones scam sites use
    "com net org info biz edu gov int mil pro mobi asia tel travel jobs xyz top online shop site vip "
    "click live app link store club fun icu buzz win bet tech space website press host cloud digital "
    "world today life news blog email cyou rest bar monster sbs cfd lol quest work ltd group finance "
    "money loan bid trade date racing review stream download party science men accountant cricket "
    "faith webcam kim gdn ink wiki best beauty hair skin makeup mom pics fit fyi zone center company "
    "global network solutions services support help social agency plus cash fund gold games casino "
    "poker shopping deals sale market exchange capital investments ventures trading bond credit "
    "loans insure bank vin llc inc dev page ooo one red blue pink black tips guru expert studio "
    "media video photo photos pictures web land city town vision express delivery post "
    # country codes
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt "
    "bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er "
    "es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht "
    "hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr "
    "ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng "
    "ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd "
    "se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw "
    "tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
)
# fmt: on
# Two-letter codes that are not also Vietnamese / English / teencode words. Others ("co", "me",
# "to", "la") turn up when a sentence runs into the next without a space ("xong roi.co ai"), so
# they need more evidence: a path, a hyphen or digit, a longer name, or a known host.
_STRONG_CC: Final = _wordset("vn io cc ly tk ml gq cf ws tv gg fm kr jp cn uk ru sg th kh")
_KNOWN_HOSTS: Final = _wordset(
    "bit.ly s.id t.ly cutt.ly is.gd v.gd rb.gy shorturl.at goo.gl ow.ly t.co tiny.cc rebrand.ly lnkd.in "
    "youtu.be fb.me m.me t.me zalo.me wa.me shope.ee"
)
_DOT: Final = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))"
# Run on one whitespace-delimited token at a time (see _find_urls), never the whole message.
_URL_RE: Final = re.compile(
    r"(?P<scheme>h(?:tt|xx)ps?(?::|\[:\])//[\x21-\x7e]+)"
    r"|(?<![\w@.\-/])(?P<www>www" + _DOT + r"[\x21-\x7e]+)"
    r"|(?<![\w@.\-/])(?P<host>(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?" + _DOT + r")+(?P<tld>[a-z]{2,24}))"
    r"(?![\w@\-])(?P<path>(?::\d{2,5})?/[\x21-\x7e]*)?"
)
# A dot with a letter after it, or a defanged dot: the only places a link can be. Starts with
# literals, so ``re`` jumps between candidates in C.
_URL_HINT_RE: Final = re.compile(r"://|\[:\]//|\.(?=[a-z])|\[\.\]|\(\.\)|\[dot\]|\(dot\)")
_DEFANG_RE: Final = re.compile(r"\[\.\]|\(\.\)|\[dot\]|\(dot\)|\[:\]")
_URL_TRAIL: Final = ".,)]}>!?:;'\"`"


def _refang(url: str) -> str:
    if "[" in url or "(" in url:
        url = _DEFANG_RE.sub(lambda m: ":" if m.group() == "[:]" else ".", url)
    return "http" + url[4:] if url.startswith("hxxp") else url


def _find_urls(text: str, low: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Links, looked for only in the whitespace-delimited tokens that hold a dot before a letter."""
    urls: list[str] = []
    spans: list[tuple[int, int]] = []
    done = 0  # end of the last token searched
    for hint in _URL_HINT_RE.finditer(low):
        i = hint.start()
        if i < done or i == 0:
            continue
        left = max(low.rfind(" ", 0, i), low.rfind("\n", 0, i), low.rfind("\t", 0, i)) + 1
        done = len(low)
        for ws in (" ", "\n", "\t"):
            r = low.find(ws, i)
            if 0 <= r < done:
                done = r
        for m in _URL_RE.finditer(low, left, done):
            url = _accept_url(text, m)
            if url is not None:
                if url not in urls:
                    urls.append(url)
                spans.append(m.span())
    return urls, spans


def _accept_url(text: str, m: re.Match[str]) -> str | None:
    url = m.group().rstrip(_URL_TRAIL)
    host = m.group("host")
    if host is not None:
        tld = m.group("tld")
        if tld not in _TLDS:
            return None
        if m.group("path") is None:
            host = _refang(host)
            sld = host.rsplit(".", 2)[-2]
            ts = m.start("tld")
            if text[ts].isupper() and text[ts - 2].islower():  # "roi.Co ai": a new sentence
                return None
            if (
                len(tld) == 2
                and tld not in _STRONG_CC
                and host not in _KNOWN_HOSTS
                and host.count(".") < 2
                and len(sld) < 5
                and not any(c == "-" or c.isdigit() for c in sld)
            ):
                return None
    return _refang(url) if url else None


# --------------------------------------------------------------------------- entry point


def extract_entities(text: str) -> Entities:
    """Phones, bank accounts, links and money amounts in one citizen message."""
    if not text:
        return _EMPTY
    low = text.lower()
    if len(low) != len(text):  # "İ" lowercases to two chars; keep offsets aligned
        low = "".join(c.lower()[:1] for c in text)

    urls: list[str] = []
    url_spans: list[tuple[int, int]] = []
    if "." in low:
        urls, url_spans = _find_urls(text, low)

    digit_amts, chains = _scan_digits(low)
    if url_spans and digit_amts:  # "bit.ly/3xqaz7k" holds no 7k
        digit_amts = [a for a in digit_amts if not any(us < a.end and a.start < ue for us, ue in url_spans)]
    amts, main = _pick_amounts(text, low, digit_amts)

    phones: list[str] = []
    accounts: list[BankAccount] = []
    if chains:
        segs = _segments(low, chains, url_spans)
        if segs:
            spans = sorted([(c.start, c.end) for c in chains] + [(a.start, a.end) for a in amts])
            phones, accounts = _classify(text, low, segs, spans)

    if not (urls or amts or phones or accounts):
        return _EMPTY
    return Entities(
        tuple(phones),
        tuple(accounts),
        tuple(urls),
        tuple(Amount(a.value, a.start, a.end) for a in amts),
        main,
    )
