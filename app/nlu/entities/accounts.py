"""Bank accounts and phones among the digit chains, read from the words around them."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Final

from app.nlu.banks import BANKS
from app.nlu.entities.digits import _Chain
from app.nlu.entities.model import BankAccount
from app.nlu.entities.names import _holder_after, _holder_before
from app.nlu.entities.phones import _national
from app.nlu.entities.words import _SEPS, _alt, _overlaps, _PhraseTable, _words_after, _words_before, _wordset

# --------------------------------------------------------------------------- account / phone context

_NGANHANG: Final = ("ngân hàng", "nh", "bank")
_CTX_ENTRIES: list[tuple[str, tuple[str, int]]] = []
for _i, _b in enumerate(BANKS):
    for _a in _b.aliases:
        _CTX_ENTRIES.append((_a, ("bank", _i)))
        _CTX_ENTRIES.extend((f"{_p} {_a}", ("bank", _i)) for _p in _NGANHANG)
    # "quân đội" alone is the army; "ngân hàng quân đội" is MB
    _CTX_ENTRIES.extend((f"{_p} {_a}", ("bank", _i)) for _a in _b.after_nganhang for _p in _NGANHANG)
# Citizen ID cues: the number right after one is never an account nor a phone (the second
# value says which lengths: 12 for a CCCD / định danh, 9 or 12 after the old CMND words).
_CITIZEN_ID, _OLD_ID, _BARE_NUMBER = -12, -9, -2
_CTX_ENTRIES.extend(
    (_p, ("idc", _CITIZEN_ID))
    for _p in _wordset(
        "cccd|căn cước|căn cước công dân|thẻ căn cước|định danh|số định danh|mã định danh|"
        "định danh cá nhân|số định danh cá nhân|mã số định danh",
        "|",
    )
)
_CTX_ENTRIES.extend(
    (_p, ("idc", _OLD_ID))
    for _p in _wordset("cmnd|cmt|chứng minh|chứng minh nhân dân|chứng minh thư|số cmnd|số cmt", "|")
)
_CTX_ENTRIES.append(("số", ("phone", _BARE_NUMBER)))  # "cccd của tôi số 0012…": looked past
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
_ID_WORDS: Final = 7  # a citizen ID cue labels a 12-digit (9 for CMND) number up to 7 words on
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
            if blocked and _overlaps(blocked, s, e):
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
            keep = [not _overlaps(blocked, a, b) for a, b in groups]
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
    cum = [0]  # digits in texts[:k], so each candidate's length is one subtraction
    for tx in texts:
        cum.append(cum[-1] + len(tx))
    i = 0
    top = 0  # the last group a phone starting at group i could end with (<= 12 digits)
    other_from = -1
    while i < n:
        hit = -1
        top = max(top, i)
        while top < n and cum[top + 1] - cum[i] <= 12:
            top += 1
        for j in range(top, i, -1):  # at most 12 candidates: linear overall
            if cum[j] - cum[i] < 9:
                break
            nat = _national("".join(texts[i:j]), prefix >= 0 and i == 0)
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
    id_lengths: tuple[int, ...] = ()  # the nearest cue is a citizen ID's: its number's lengths
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
    idc_seen = decided = False
    for n, (kind, bank) in _CTX.back(words, _ID_WORDS):
        if not decided and kind != "bank" and bank != _BARE_NUMBER:
            decided = True  # the nearest real cue: "căn cước của mẹ tôi là 0012…"
            if bank == _CITIZEN_ID:
                nc.id_lengths = (12,)
            elif bank == _OLD_ID:
                nc.id_lengths = (9, 12)
        if n > _BANK_WORDS:
            continue
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
    phones: dict[str, None] = {}  # an ordered set
    accounts: dict[str, BankAccount] = {}  # by number, in order of appearance
    says_both: bool | None = None  # "stk là sđt": computed when first needed
    shouted = text.isupper()
    starts = [a for a, _ in spans]
    for seg in segs:
        is_phone = seg.national is not None
        if not is_phone and not (seg.shape_ok and 6 <= len(seg.digits) <= 19):
            continue
        lo, hi = _neighbours(spans, starts, seg.start, seg.end)
        written_as_phone = seg.prefix or seg.groups > 1 or seg.digits.startswith("84")
        nc = _context_before(low, seg.start, lo)
        if nc.cue_before == "idc" or len(seg.digits) in nc.id_lengths:
            continue
        # a phone written as one after "sđt"/"gọi"/"zalo" needs nothing from the words after it,
        # unless it turns out to be an account too (then the bank name may follow it)
        lazy_after = is_phone and written_as_phone and nc.cue_before == "phone"
        if not lazy_after:
            _context_after(nc, low, seg.end, hi)
        # "NGUYEN VAN AN" after the digits, unless the whole message is in capitals
        holder = _HOLDER_RE.match(text, seg.end) is not None and not shouted
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
            if is_phone:
                phones["+84" + seg.national] = None
            if is_acct:
                if lazy_after:
                    _context_after(nc, low, seg.end, hi)
                number = "0" + seg.national if seg.prefix else seg.digits
                bank = wallet if wallet >= 0 else nc.bank(_BANK_WORDS)
                _add_account(accounts, number, bank, _holder(text, low, seg, lo, hi, shouted))
            continue
        if nc.idc_near and len(seg.digits) in (9, 12) and not nc.acct_before:
            continue
        if seg.digits.startswith(("1900", "1800")) and not nc.acct_before:  # hotline short codes
            continue
        # a cue after the digits is weaker evidence: not for OTP-sized numbers ("mã 123456 gửi về
        # tk") nor after a phone word ("hotline 1900 5454 12 của ngân hàng")
        acct_after = nc.acct_after and len(seg.digits) >= 8 and nc.cue_before != "phone"
        if nc.acct_before or nc.bank(_BANK_WORDS, weak=False) >= 0 or acct_after or holder:
            _add_account(accounts, seg.digits, nc.bank(_BANK_WORDS), _holder(text, low, seg, lo, hi, shouted))
    return list(phones), list(accounts.values())


def _neighbours(spans: list[tuple[int, int]], starts: list[int], s: int, e: int) -> tuple[int, int]:
    """End of the number before [s, e) and start of the one after it (0 / no limit when none).

    ``spans`` are sorted by start and overlap at most pairwise (a bare "3.000.000" is both an
    amount and a chain), so the walk back from the bisection point takes a step or two."""
    k = bisect_left(starts, e)
    hi = starts[k] if k < len(starts) else 1 << 62
    lo = 0
    for m in range(k - 1, -1, -1):
        if spans[m][1] <= s:
            lo = spans[m][1]
            break
    return lo, hi


def _holder(text: str, low: str, seg: _Seg, lo: int, hi: int, shouted: bool) -> str | None:
    return _holder_after(text, low, seg.end, hi, shouted) or _holder_before(text, low, seg.start, lo, shouted)


def _add_account(accounts: dict[str, BankAccount], number: str, bank: int, holder: str | None) -> None:
    name = BANKS[bank].canonical if bank >= 0 else None
    known = accounts.get(number)
    if known is None:
        accounts[number] = BankAccount(number, name, holder)
    elif (known.bank is None and name is not None) or (known.holder is None and holder is not None):
        accounts[number] = BankAccount(number, known.bank or name, known.holder or holder)
