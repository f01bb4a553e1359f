"""Money amounts written with digits ("50tr", "1tr2", "3.000.000đ") or words ("hai chục triệu")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from app.nlu.entities.phones import _national
from app.nlu.entities.words import _SEPS, _alt, _fold, _variants, _wordset

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


@dataclass(slots=True)
class _Amt:
    value: int
    start: int
    end: int
    unit: int  # multiplier of the unit word, for "1 triệu 200 nghìn"; 1 when only "đ"/"vnd"
    needs_cue: bool  # "3.000.000" without đ/vnd is money only after a money word


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
