"""Entity extraction for citizens' messages: phones, bank accounts, links and money amounts.

Input is NFC text as typed: with or without diacritics, teencode, odd spacing. Everything runs on
one lowercased copy of the text (same length, so offsets map back to the original). Cue words are
matched in both their written and folded spelling by regex alternation instead of folding the
whole message, because folding costs more than the rest of the extractor put together.

Speed budget is ~10 µs per message, so each stage is gated by a cheap check and phone numbers are
validated against phonenumbers' own VN metadata patterns (compiled once) instead of calling
``phonenumbers.parse`` per candidate (~30 µs each).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

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


EMPTY: Final = Entities((), (), (), (), None)


# --------------------------------------------------------------------------- helpers for patterns


def _fold(s: str) -> str:
    """Drop diacritics and map đ to d (import-time and short strings only: it is slow)."""
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _alt(*phrases: str) -> str:
    """Regex alternation of each phrase as written and folded, longest first, spaces flexible.

    A phrase starting with "=" is matched only as written (its folded form is another word).

    Matching the exact and the folded spelling (rather than a per-letter "any diacritic" class)
    keeps "mất" (lost) from matching "mật" (password) in text that has diacritics.
    """
    forms = {f for p in phrases for f in ((p[1:],) if p.startswith("=") else (p, _fold(p)))}
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in ordered)


_NOT_LETTER: Final = r"(?![^\W\d_])"  # next char is not a letter (digits allowed: "1tr2")

# --------------------------------------------------------------------------- money amounts

_UNIT_VALUE: Final[dict[str, int]] = {}
for _u in ("triệu", "trieu", "tr", "củ", "cu"):
    _UNIT_VALUE[_u] = 1_000_000
for _u in ("tỷ", "tỉ", "ty", "ti", "tỏi"):
    _UNIT_VALUE[_u] = 1_000_000_000
for _u in ("nghìn", "nghin", "ngàn", "ngan", "k"):
    _UNIT_VALUE[_u] = 1_000
for _u in ("lít", "lit", "xị", "xi"):  # slang: one "lít"/"xị" is 100k
    _UNIT_VALUE[_u] = 100_000

# Number with thousands separators ("3.000.000", "3,000,000"), space-grouped only when a currency
# word follows ("3 000 000 đồng": spaces also group phone numbers), or plain / decimal ("2,5").
_NUM: Final = (
    r"(?P<num>[1-9]\d{0,2}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*(?![\d])"
    r"|[1-9]\d{0,2}(?:[ \u00a0]\d{3})+(?=\s?(?:đồng|dong|vnđ|vnd|đ)(?![^\W\d_]))"
    r"|\d+(?:[.,]\d{1,2}(?!\d))?)"
)
_CUR: Final = r"(?:đồng|dong|vnđ|vnd|đ|d)"
_UNIT: Final = (
    # "ngân hàng" folds to "ngan hang"; "tỉ lệ" is a ratio; "2 lít xăng" is petrol
    r"(?P<unit>triệu|trieu|tr|củ|cu|(?:tỷ|tỉ|ty|ti)(?!\s?l[eệ](?!\w))|tỏi|nghìn|nghin|ngàn|ngan(?!\s?h[aà]ng)|k"
    r"|(?:lít|lit|xị|xi)(?!\s(?:xăng|xang|nước|nuoc|dầu|dau|sữa|sua|bia|rượu|ruou)))"
)
# Words that end a clause after "2 tỷ 3" (so the 3 is part of the amount, not a count).
_CLAUSE_END: Final = r"(?:r|rồi|roi|nữa|nua|thì|thi|mà|ạ|đó|luôn|luon|rùi|òi)(?!\w)"
_AMOUNT_RE: Final = re.compile(
    rf"(?<!\w)(?<!\d[.,]){_NUM}\s?"
    r"(?:(?P<mul>trăm|tram|chục|chuc)\s?)?"
    rf"(?:{_UNIT}{_NOT_LETTER}"
    # compact remainder: "1tr2", "7tr800"; spaced remainder only at a clause end: "2 tỷ 3."
    r"(?:(?P<rem>\d{1,3})(?![\d%:]|[.,]\d)|\s(?P<rem2>\d{1,3})(?=\s*(?:[.,;!?)\n]|\Z|" + _CLAUSE_END + r")))?"
    r"(?:\s?(?P<half>rưỡi|ruoi)(?!\w))?"
    rf"(?:\s?{_CUR}{_NOT_LETTER})?"
    rf"|(?P<cur>{_CUR}){_NOT_LETTER})?"
)

# Number words before a unit word: "hai chục triệu", "năm trăm nghìn", "mười lăm triệu".
_NUMBER_WORDS: Final[dict[str, str]] = {}
for _w, _v in (
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
    _NUMBER_WORDS[_w] = _v
    _NUMBER_WORDS.setdefault(_fold(_w), _v)  # folded "muoi" is read in context below
_NUMBER_WORDS["muoi"] = "muoi"
_WORD_UNIT_RE: Final = re.compile(
    r"(?<!\w)(?P<unit>triệu|trieu|tỷ|tỉ|ty|tỏi|nghìn|nghin|ngàn|ngan|củ)(?!\w)(?!\s?h[aà]ng)"
    r"(?:\s?(?P<half>rưỡi|ruoi)(?!\w))?"
)
_WORDS_BEFORE_RE: Final = re.compile(
    r"(?<!\w)(?P<words>(?:(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\s+)+)\Z"
)
_VAGUE_BEFORE_RE: Final = re.compile(r"(?<!\w)(?:" + _alt("mấy", "vài", "hàng", "cả", "dăm", "mươi") + r")\s+\Z")

# Cues before an amount that say what the money is, to pick the main amount. Groups are tried in
# order at each position, so a longer phrase of a weaker class ("thanh toán lại") sits in an
# earlier group than the shorter phrase it contains ("thanh toán").
_CAT_BENEFIT, _CAT_NONE, _CAT_WEAK, _CAT_ASK, _CAT_DONE, _CAT_LOSS, _CAT_TOTAL = range(7)
_CUE_GROUPS: Final[tuple[tuple[str, str], ...]] = (
    # contain a cue but are not one: "tổng đài" is a call centre, "nhắn tin" folds to "nhan tin"
    # like "nhận", giving back money sent by mistake is not a loss
    (
        "neutral",
        "tổng đài|tổng đài viên|tổng cục|tổng giám đốc|tổng hợp|tổng kết|tổng thống|nhắn tin|"
        "mật khẩu|mất liên lạc|mất tích|không mất phí|ko mất phí|lừa đảo|hoàn thành|hoàn tất|"
        "hạn mức|trả lại|đã trả lại|hoàn trả|chuyển nhầm"
    ),
    ("total", "tổng cộng|tổng số|tổng số tiền|tổng thiệt hại|tổng|tất cả|cả thảy|tất thảy"),
    (
        "loss",
        "mất|bị mất|bị trừ|trừ mất|bị chuyển|bị chuyển đi|chuyển đi|bị rút|rút mất|bị lấy|lấy mất|"
        "bị lừa|lừa mất|lừa|đã chuyển|đã chuyển khoản|đã ck|đã nạp|nạp|đã nộp|đã đóng|đã gửi|"
        "đã trả|thiệt hại|chuyển hết|chuyển mất"
    ),
    (
        "benefit",
        "được|đc|nhận|nhận được|hoàn|hoàn lại|hoàn tiền|thanh toán lại|tặng|thưởng|trúng|lương|"
        "lãi|hoa hồng|giải ngân|hỗ trợ|khuyến mãi"
    ),
    # someone asked for it, or it was already done: "bảo chuyển 1tr" vs "bà chuyển 40tr r"
    ("modal", "phải|bắt|bảo|yêu cầu|cần|nhờ|kêu|muốn|hướng dẫn|định|nếu|sẽ"),
    ("pay", "chuyển|chuyển khoản|chuyển tiền|ck|đóng|nộp|cọc|đặt cọc|thanh toán|đưa"),
    ("ask", "đòi|phí|lệ phí|thuế|tiền thuế|bảo lãnh|tống tiền|chuộc|vốn"),
    ("weak", "trả|gửi|vay|mượn|giá|mua|tiền|số tiền|hết|tốn"),
)
_CUE_RE: Final = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<{g}>{_alt(*ph.split('|'))})" for g, ph in _CUE_GROUPS) + r")(?!\w)"
)
_CUE_CATEGORY: Final[dict[str, int]] = {
    "total": _CAT_TOTAL,
    "loss": _CAT_LOSS,
    "benefit": _CAT_BENEFIT,
    "pay": _CAT_DONE,  # demoted to _CAT_ASK when a modal word is in the window
    "ask": _CAT_ASK,
    "weak": _CAT_WEAK,
}
_CUE_WINDOW: Final = 40  # chars before an amount searched for a cue (about 6-8 words)

# --------------------------------------------------------------------------- phones

# Validate against phonenumbers' VN metadata (mobile, fixed line, and its 069 police/UAN range),
# compiled once: the same decision as phonenumbers.is_valid_number restricted to those types,
# ~100x faster. Short codes (1900/1800, 113) are toll-free/premium types and stay out.
_VN_META: Final = phonenumbers.PhoneMetadata.metadata_for_region("VN")
assert _VN_META is not None  # noqa: S101  (metadata ships with the library)


def _meta_pattern(desc: phonenumbers.PhoneNumberDesc | None) -> re.Pattern[str]:
    pattern = desc.national_number_pattern if desc is not None else None
    return re.compile(f"(?:{pattern})" if pattern else r"(?!)")


_MOBILE_RE: Final = _meta_pattern(_VN_META.mobile)
_FIXED_RE: Final = _meta_pattern(_VN_META.fixed_line)
_UAN_RE: Final = _meta_pattern(_VN_META.uan)


def _national(digits: str, has_prefix: bool) -> str | None:
    """National significant number if ``digits`` is a valid VN mobile/fixed phone, else None."""
    if has_prefix:  # "+84 912…", tolerate "+84 0912…"
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
    if nat.startswith("69") and _UAN_RE.fullmatch(nat):  # police network, when phonenumbers knows it
        return nat
    return None


# A run of digit groups joined by single separators, with an optional +84 / (+84) in front.
_CHAIN_RE: Final = re.compile(
    r"(?<![\d+])(?:(?P<pre>\(\s?\+?\s?84\s?\)|\+\s?84)[\s.\-]?)?\d+(?:[ .\-\u00a0]\d+)*(?!\d)"
)
_DIGITS_RE: Final = re.compile(r"\d+")

# --------------------------------------------------------------------------- account / phone context

_BANK_BY_ALIAS: Final[dict[str, int]] = {}
_standalone: list[str] = []
_after_nh: list[str] = []
for _i, _b in enumerate(BANKS):
    for _a in _b.aliases:
        _BANK_BY_ALIAS[" ".join(_fold(_a).split())] = _i
        _standalone.append(_a)
    for _a in _b.after_nganhang:
        _BANK_BY_ALIAS[" ".join(_fold(_a).split())] = _i
        _after_nh.append(_a)
_NGANHANG: Final = _alt("ngân hàng", "nh", "bank")
_BANK_PREFIX_RE: Final = re.compile(r"^(?:" + _NGANHANG + r")\s+")

_CTX_RE: Final = re.compile(
    r"(?<!\w)(?:"
    r"(?P<bank>(?:(?:" + _NGANHANG + r")\s+)?(?:" + _alt(*_standalone) + r")"
    r"|(?:" + _NGANHANG + r")\s+(?:" + _alt(*_after_nh) + r"))"
    r"|(?P<acct>"
    + _alt(
        "stk",
        "số tk",
        "so tk",
        "số tài khoản",
        "tài khoản",
        "tài khoản nhận",
        "tk",
        "tk nhận",
        "chuyển vào",
        "chuyển khoản vào",
        "chuyển tiền vào",
        "ck vào",
        "ck qua",
        "chuyển qua",
        "nhận tiền",
        "chủ tài khoản",
        "chủ tk",
        "ctk",
        "ngân hàng",
        "account",
    )
    + r")|(?P<idc>"
    + _alt(
        "cccd",
        "căn cước",
        "căn cước công dân",
        "cmnd",
        "cmt",
        "chứng minh",
        "chứng minh nhân dân",
        "hộ chiếu",
        "passport",
        "mã số thuế",
        "mst",
        "otp",
        "mã otp",
        "mã xác nhận",
        "mã xác thực",
        "mã pin",
        "mã giao dịch",
        "mã đơn",
        "mã đơn hàng",
        "mã vận đơn",
        "vận đơn",
        "đơn hàng",
        "hợp đồng",
        "biển số",
        "bhxh",
        "bảo hiểm xã hội",
        "imei",
        "serial",
        "seri",
        "mật khẩu",
        "định danh",
        "mã số",
    )
    + r"|mã|mk|pass)"  # these three only as written: folded "ma" is "mà" (but)
    r"|(?P<phone>"
    + _alt(
        "sđt",
        "số điện thoại",
        "số đt",
        "điện thoại",
        "đt",
        "dt",
        "số",
        "gọi",
        "gọi từ",
        "zalo",
        "zl",
        "hotline",
        "liên hệ",
        "lh",
        "=nhắn",  # folded "nhan" is also "nhân" ("tk cá nhân")
        "nhắn tin",
        "sim",
        "thuê bao",
        "đầu số",
        "viber",
        "telegram",
        "tele",
        "whatsapp",
        "facebook",
        "fb",
        "tiktok",
        "phone",
        "tel",
        "call",
    )
    + r"))(?!\w)"
)
_SAYS_ACCOUNT_IS_PHONE_RE: Final = re.compile(
    r"(?<!\w)(?:"
    + _alt("stk", "số tk", "số tài khoản", "tài khoản", "tk")
    + r")\s*(?:(?:"
    + _alt("chính", "cũng", "luôn", "của nó", "nó")
    + r")\s*)*(?:"
    + _alt("là", "=", "trùng", "trùng với", "dùng")
    + r")\s*(?:"
    + _alt("luôn")
    + r"\s*)?(?:"
    + _alt("sđt", "số điện thoại", "số đt", "sdt", "số phone", "điện thoại")
    + r")(?!\w)"
    + r"|(?<!\w)(?:"
    + _alt("sđt", "số điện thoại", "số đt")
    + r")\s*(?:(?:"
    + _alt("chính", "cũng", "luôn")
    + r")\s*)*(?:"
    + _alt("là", "=")
    + r")\s*(?:"
    + _alt("stk", "số tk", "số tài khoản", "tài khoản")
    + r")(?!\w)"
)
# A gap between a cue and a number must stay within one clause and hold no other number.
_GAP_BREAK_RE: Final = re.compile(r"\d|[!?;\n]|\.(?:\s|\Z)")
# Account holder printed after the number in capitals without diacritics: "NGUYEN VAN AN".
_HOLDER_RE: Final = re.compile(r"[\s:,\-–(]{0,3}[A-Z]{2,}(?:\s+[A-Z]+){1,4}(?![^\W\d_])")
_CUE_WORDS_BEFORE: Final = 3  # "stk an toàn của nó 123…": cue + up to 3 words
_BANK_WORDS: Final = 4  # a bank name within ~4 words labels the number

# --------------------------------------------------------------------------- links

# fmt: off
_TLDS: Final = frozenset((
    # generic and the cheap ones scam sites use
    "com net org info biz edu gov int mil pro mobi asia tel travel jobs xyz top online shop site vip "
    "click live app link store club fun icu buzz win bet tech space website press host cloud digital "
    "world today life news blog email cyou rest bar monster sbs cfd lol quest work ltd group finance "
    "money loan bid trade date racing review stream download party science men accountant cricket "
    "faith webcam kim gdn ink wiki best beauty hair skin makeup mom pics fit fyi zone center company "
    "global network solutions services support help social agency plus cash fund gold games casino "
    "poker shopping deals sale market exchange capital investments ventures trading bond credit "
    "loans insure bank vin ltd llc inc dev page ooo one uno red blue pink black tips guru expert "
    "live studio media video photo photos pictures site web land city town vision express delivery "
    "post "
    # country codes
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt "
    "bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er "
    "es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht "
    "hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr "
    "ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng "
    "ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd "
    "se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw "
    "tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
).split())
# fmt: on
# Two-letter country codes that are not also Vietnamese/English/teencode words when a sentence
# runs into the next without a space ("roi.co ai"): other two-letter ones need more evidence.
_STRONG_CC: Final = frozenset("vn io cc ly tk ml gq cf ws tv gg fm kr jp cn uk ru sg th kh".split())
_KNOWN_HOSTS: Final = frozenset(
    (
        "bit.ly s.id t.ly cutt.ly is.gd v.gd rb.gy shorturl.at goo.gl ow.ly t.co tiny.cc rebrand.ly "
        "lnkd.in youtu.be fb.me m.me t.me zalo.me wa.me shope.ee bom.so"
    ).split()
)
_DOT: Final = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\))"
_URL_RE: Final = re.compile(
    r"(?P<scheme>h(?:tt|xx)ps?(?::|\[:\])//[\x21-\x7e]+)"
    r"|(?<![\w@.\-/])(?P<www>www" + _DOT + r"[\x21-\x7e]+)"
    r"|(?<![\w@.\-/])(?P<host>(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?" + _DOT + r")+(?P<tld>[a-z]{2,24}))"
    r"(?![\w@\-])(?P<path>(?::\d{2,5})?/[\x21-\x7e]*)?"
)
_DEFANG_RE: Final = re.compile(r"\[\.\]|\(\.\)|\[dot\]|\(dot\)|\[:\]")
_URL_TRAIL: Final = ".,)]}>!?:;'\"`"


def _refang(url: str) -> str:
    url = _DEFANG_RE.sub(lambda m: ":" if m.group() == "[:]" else ".", url)
    return "http" + url[4:] if url.startswith("hxxp") else url


def _find_urls(text: str, low: str) -> tuple[list[str], list[tuple[int, int]]]:
    urls: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _URL_RE.finditer(low):
        url = m.group().rstrip(_URL_TRAIL)
        if m.group("host") is not None and m.group("path") is None:
            tld = m.group("tld")
            if tld not in _TLDS:
                continue
            host = _refang(m.group("host"))
            sld = host.rsplit(".", 2)[-2]
            # "roi.Co ai": a capital right after the dot is a new sentence, not a TLD.
            if text[m.start("tld")].isupper() and text[m.start("tld") - 2].islower():
                continue
            if (
                len(tld) == 2
                and tld not in _STRONG_CC
                and host not in _KNOWN_HOSTS
                and host.count(".") < 2
                and len(sld) < 5
                and not any(c == "-" or c.isdigit() for c in sld)
            ):
                continue
        elif m.group("host") is not None and m.group("tld") not in _TLDS:
            continue
        if not url:
            continue
        url = _refang(url)
        if url not in urls:
            urls.append(url)
        spans.append((m.start(), m.start() + len(m.group())))
    return urls, spans


# --------------------------------------------------------------------------- amounts


@dataclass(slots=True)
class _Amt:
    value: int
    start: int
    end: int
    unit: int  # multiplier of the unit word (for "1 triệu 200 nghìn" merging); 1 for currency-only
    needs_cue: bool  # "3.000.000" without đ/vnd: money only after a money verb


def _decimal_times(num: str, mult: int) -> int:
    """``num`` ("2,5", "12", "1.5") times ``mult`` in integer arithmetic."""
    for sep in ",.":
        if sep in num:
            whole, frac = num.split(sep, 1)
            scale = 10 ** len(frac)
            return (int(whole or "0") * scale + int(frac)) * mult // scale
    return int(num) * mult


_CHAIN_TAIL_RE: Final = re.compile(r"(?P<pre>\(\s?\+?\s?84\s?\)|\+\s?84)?[\s.\-]?\d+(?:[ .\-]\d+)*[ .\-]\Z")


def _continues_phone(low: str, start: int, num: str) -> bool:
    """True when ``num`` is the last group of a phone number ("+84 387 640 215 cu nhắn…")."""
    if start < 2 or low[start - 1] not in " .-" or not low[start - 2].isdigit():
        return False
    m = _CHAIN_TAIL_RE.search(low, max(0, start - 20), start)
    if m is None:
        return False
    body = low[m.end("pre") : m.end()] if m.group("pre") else m.group()
    digits = "".join(_DIGITS_RE.findall(body)) + num
    return _national(digits, m.group("pre") is not None) is not None


def _digit_amounts(low: str) -> list[_Amt]:
    found: list[_Amt] = []
    for m in _AMOUNT_RE.finditer(low):
        unit = m.group("unit")
        num = m.group("num")
        if num.isdigit() and _continues_phone(low, m.start(), num):
            continue
        grouped = m.group("sep") is not None or " " in num or "\u00a0" in num
        if unit is None:
            digits = num.replace(".", "").replace(",", "").replace(" ", "").replace("\u00a0", "")
            if m.group("cur") is not None:
                # "500000đ", "3.000.000 vnd": plain digits need at least 4 ("200d" is noise),
                # and a leading 0 is a phone or an account
                if not (grouped or (len(digits) >= 4 and num.isdigit())) or digits[0] == "0":
                    continue
                found.append(_Amt(int(digits), m.start(), m.end(), 1, False))
            elif grouped and m.group("sep") is not None:
                end = m.end("num")
                found.append(_Amt(int(digits), m.start(), end, 1, True))
            continue
        mult = _UNIT_VALUE[unit]
        if m.group("sep") is not None or " " in num:
            base = int(num.replace(".", "").replace(",", "").replace(" ", "")) * mult
        else:
            base = _decimal_times(num, mult)
        mul = m.group("mul")
        if mul is not None:
            base *= 100 if mul in ("trăm", "tram") else 10
        rem = m.group("rem") or m.group("rem2")
        if rem is not None and mult >= 1_000:
            base += int(rem) * 10 ** (3 - len(rem)) * (mult // 1_000)
        elif m.group("half") is not None:
            base += mult // 2
        if 0 < base < 10**14:
            found.append(_Amt(base, m.start(), m.end(), mult, False))
    return found


def _words_value(words: list[str]) -> int | None:
    """Value (< 1000) of Vietnamese number words, or None when they don't form one number."""
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
        elif kind == "0":
            continue
        else:
            if pending is not None:  # "hai ba triệu" is a range, not a number
                return None
            pending = int(kind)
            has_digit = True
    if pending is not None:
        total += pending
    return total if has_digit and total > 0 else None


def _word_amounts(text: str, low: str, taken: list[_Amt]) -> list[_Amt]:
    found: list[_Amt] = []
    for m in _WORD_UNIT_RE.finditer(low):
        s = m.start()
        if any(a.start <= s < a.end for a in taken) or text[s].isupper():  # "Bà Triệu" street
            continue
        lo = max(0, s - 48)
        w = _WORDS_BEFORE_RE.search(low, lo, s)
        if w is None or _VAGUE_BEFORE_RE.search(low, max(0, w.start() - 8), w.start()):
            continue
        value = _words_value(w.group("words").split())
        if value is None:
            continue
        mult = _UNIT_VALUE.get(m.group("unit"), 1_000_000)
        total = value * mult + (mult // 2 if m.group("half") else 0)
        found.append(_Amt(total, w.start(), m.end(), mult, False))
    return found


def _merge_compound(amts: list[_Amt], low: str) -> list[_Amt]:
    """Join "1 triệu 200 nghìn" / "2 tỷ 300 triệu" written as two adjacent amounts."""
    out: list[_Amt] = []
    for a in amts:
        if out:
            prev = out[-1]
            gap = low[prev.end : a.start]
            if (
                not gap.strip()
                and len(gap) <= 2
                and prev.unit > a.unit > 1
                and a.value < prev.unit
                and not prev.needs_cue
                and prev.value % prev.unit == 0
            ):
                out[-1] = _Amt(prev.value + a.value, prev.start, a.end, prev.unit, False)
                continue
        out.append(a)
    return out


# "12.000 điểm", "1.000 usdt": separator numbers counting something other than đồng.
_COUNT_NOUN_RE: Final = re.compile(
    r"\s?(?:"
    + _alt(
        *"điểm|người|lượt|km|m2|sản phẩm|đơn|like|follow|view|tin nhắn|lần|ngày|tháng|năm|xu|coin|point|usdt|usd"
        "|đô|cổ phiếu|cp|tệ|won|yên|baht|bitcoin|btc|eth|ví dụ|thành viên|mem".split("|")
    )
    + r"|\$)(?!\w)"
)


def _cue_category(low: str, start: int, lo: int) -> int:
    """Strongest cue in the clause before an amount; a benefit word right before it wins."""
    window_start = max(lo, start - _CUE_WINDOW)
    for brk in ("!", "?", ";", "\n", ". "):  # stay in the amount's sentence
        i = low.rfind(brk, window_start, start)
        if i >= 0:
            window_start = i + 1
    best = _CAT_NONE
    last = _CAT_NONE
    modal = False
    for m in _CUE_RE.finditer(low, window_start, start):
        group = m.lastgroup
        if group == "modal":
            modal = True
            continue
        if group is None or group == "neutral":
            continue
        cat = _CUE_CATEGORY[group]
        if cat == _CAT_DONE and modal:
            cat = _CAT_ASK
        last = cat
        best = max(best, cat)
    return _CAT_BENEFIT if last == _CAT_BENEFIT else best


def _find_amounts(text: str, low: str, has_digit: bool) -> tuple[list[_Amt], list[int]]:
    amts = _digit_amounts(low) if has_digit else []
    if "tri" in low or "ngh" in low or "ng" in low or "tỷ" in low or "tỉ" in low or "ty" in low or "củ" in low:
        words = _word_amounts(text, low, amts)
        if words:
            amts = sorted(amts + words, key=lambda a: a.start)
    if not amts:
        return [], []
    amts = _merge_compound(amts, low)
    kept: list[_Amt] = []
    cats: list[int] = []
    prev_end = 0
    for a in amts:
        cat = _cue_category(low, a.start, prev_end)
        if a.needs_cue and (
            cat == _CAT_NONE or _looks_like_phone(low[a.start : a.end]) or _COUNT_NOUN_RE.match(low, a.end)
        ):
            continue
        kept.append(a)
        cats.append(cat)
        prev_end = a.end
    return kept, cats


def _looks_like_phone(s: str) -> bool:
    digits = "".join(_DIGITS_RE.findall(s))
    return _national(digits, False) is not None


# --------------------------------------------------------------------------- numbers


@dataclass(slots=True)
class _Ctx:
    start: int
    end: int
    kind: str  # "bank" | "acct" | "idc" | "phone"
    bank: int  # index into BANKS for kind "bank", else -1


def _ctx_matches(low: str) -> list[_Ctx]:
    out: list[_Ctx] = []
    for m in _CTX_RE.finditer(low):
        kind = m.lastgroup or ""
        bank = -1
        if kind == "bank":
            name = _BANK_PREFIX_RE.sub("", " ".join(_fold(m.group()).split()))
            bank = _BANK_BY_ALIAS.get(name, -1)
            if bank < 0:  # "ngân hàng quân đội": prefix was part of the name
                bank = _BANK_BY_ALIAS.get(" ".join(_fold(m.group()).split()).split(" ", 2)[-1], -1)
            if bank < 0:
                kind = "acct"
        out.append(_Ctx(m.start(), m.end(), kind, bank))
    return out


def _gap_words(low: str, a: int, b: int) -> int:
    """Words between a and b, or 99 when a clause break or another number sits between."""
    if b < a:
        return 99
    gap = low[a:b]
    if _GAP_BREAK_RE.search(gap):
        return 99
    return len(gap.split())


@dataclass(slots=True)
class _NumCtx:
    cue_before: str | None  # kind of the nearest cue within a few words before
    acct_before: bool  # an account cue within a few words before, no ID cue nearer
    bank_before: tuple[int, int] | None  # (words away, bank index)
    bank_after: tuple[int, int] | None
    acct_after: bool
    idc_near: bool


def _context(low: str, ctx: list[_Ctx], s: int, e: int) -> _NumCtx:
    cue_before: str | None = None
    acct_before = False
    idc_seen = False
    bank_before: tuple[int, int] | None = None
    bank_after: tuple[int, int] | None = None
    acct_after = False
    idc_near = False
    for c in reversed(ctx):  # nearest first
        if c.end > s:
            continue
        n = _gap_words(low, c.end, s)
        if n > _BANK_WORDS:
            break
        if n <= _CUE_WORDS_BEFORE:
            if cue_before is None:
                cue_before = c.kind
            if c.kind == "acct" and not idc_seen:
                acct_before = True
        if c.kind == "bank" and bank_before is None:
            bank_before = (n, c.bank)
        if c.kind == "idc":
            idc_near = idc_seen = True
    for c in ctx:
        if c.start < e:
            continue
        n = _gap_words(low, e, c.start)
        if n > _BANK_WORDS:
            break
        if c.kind == "bank" and bank_after is None:
            bank_after = (n, c.bank)
        elif c.kind == "acct" and n <= _CUE_WORDS_BEFORE:
            acct_after = True
    return _NumCtx(cue_before, acct_before, bank_before, bank_after, acct_after, idc_near)


def _nearest_bank(nc: _NumCtx, allow_weak: bool) -> str | None:
    options = [b for b in (nc.bank_before, nc.bank_after) if b is not None and b[1] >= 0]
    if not allow_weak:
        options = [b for b in options if not BANKS[b[1]].weak]
    if not options:
        return None
    return BANKS[min(options, key=lambda b: b[0])[1]].canonical


def _strong_bank_near(nc: _NumCtx, max_words: int) -> bool:
    return any(
        b is not None and b[1] >= 0 and b[0] <= max_words and not BANKS[b[1]].weak
        for b in (nc.bank_before, nc.bank_after)
    )


def _wallet_adjacent(nc: _NumCtx) -> str | None:
    for b in (nc.bank_before, nc.bank_after):
        if b is not None and b[1] >= 0 and b[0] <= 1 and BANKS[b[1]].wallet:
            return BANKS[b[1]].canonical
    return None


@dataclass(slots=True)
class _Seg:
    start: int
    end: int
    digits: str
    groups: list[int]  # digit count of each group
    seps: str  # separators used between groups
    prefix: bool  # +84 / (+84) written
    national: str | None  # set when the digits are a valid VN phone


def _segments(low: str, blocked: list[tuple[int, int]]) -> list[_Seg]:
    """Digit chains split into phone-shaped and other segments, skipping amount/link spans."""
    segs: list[_Seg] = []
    for m in _CHAIN_RE.finditer(low):
        body_start = m.end("pre") if m.group("pre") else m.start()
        groups = [
            (g.start(), g.end())
            for g in _DIGITS_RE.finditer(low, body_start, m.end())
            if not any(bs < g.end() and g.start() < be for bs, be in blocked)
        ]
        if not groups:
            continue
        # split where a blocked group was removed (groups no longer adjacent)
        runs: list[list[tuple[int, int]]] = [[groups[0]]]
        for g in groups[1:]:
            if g[0] - runs[-1][-1][1] <= 1:
                runs[-1].append(g)
            else:
                runs.append([g])
        for k, run in enumerate(runs):
            prefix = bool(m.group("pre")) and k == 0 and run[0] == groups[0]
            _split_run(low, run, prefix, m.start() if prefix else run[0][0], segs)
    return segs


def _split_run(low: str, run: list[tuple[int, int]], prefix: bool, start: int, out: list[_Seg]) -> None:
    texts = [low[a:b] for a, b in run]
    if sum(len(t) for t in texts) < 6:
        return
    n = len(run)
    i = 0
    other_from = -1
    while i < n:
        hit: tuple[int, str] | None = None
        for j in range(n, i, -1):  # longest phone first
            digits = "".join(texts[i:j])
            if len(digits) > 12:
                continue
            if len(digits) < 9:
                break
            nat = _national(digits, prefix and i == 0)
            if nat is not None:
                hit = (j, nat)
                break
        if hit is None:
            if other_from < 0:
                other_from = i
            i += 1
            continue
        if other_from >= 0:
            out.append(_make_seg(low, run, texts, other_from, i, False, run[other_from][0], None))
            other_from = -1
        j, nat = hit
        seg_start = start if (prefix and i == 0) else run[i][0]
        out.append(_make_seg(low, run, texts, i, j, prefix and i == 0, seg_start, nat))
        i = j
    if other_from >= 0:
        out.append(_make_seg(low, run, texts, other_from, n, False, run[other_from][0], None))


def _make_seg(
    low: str,
    run: list[tuple[int, int]],
    texts: list[str],
    i: int,
    j: int,
    prefix: bool,
    start: int,
    nat: str | None,
) -> _Seg:
    seps = "".join(low[run[k][1]] for k in range(i, j - 1))
    return _Seg(start, run[j - 1][1], "".join(texts[i:j]), [len(t) for t in texts[i:j]], seps, prefix, nat)


def _account_shaped(seg: _Seg) -> bool:
    if not 6 <= len(seg.digits) <= 19:
        return False
    if len(seg.groups) > 1:
        # "20.05.2025" (dates) and "3.000.000" (money) are not account numbers
        if any(g < 3 for g in seg.groups[:-1]):
            return False
        if seg.seps and set(seg.seps) <= {".", ","} and all(g == 3 for g in seg.groups[1:]):
            return False
    return True


def _classify_numbers(
    text: str, low: str, segs: list[_Seg]
) -> tuple[list[str], list[BankAccount]]:
    phones: list[str] = []
    accounts: list[BankAccount] = []
    ctx = _ctx_matches(low)
    both = _SAYS_ACCOUNT_IS_PHONE_RE.search(low) is not None
    for seg in segs:
        nc = _context(low, ctx, seg.start, seg.end)
        holder = _HOLDER_RE.match(text, seg.end) is not None
        if seg.national is not None:
            e164 = "+84" + seg.national
            as_phone = seg.prefix or len(seg.groups) > 1 or seg.digits.startswith("84")
            wallet = _wallet_adjacent(nc)
            is_acct = False
            is_phone = True
            if nc.cue_before == "idc":
                continue
            if nc.cue_before == "acct":
                is_acct, is_phone = True, both
            elif wallet is not None:
                is_acct = True  # an e-wallet id is the phone number itself
            elif nc.cue_before != "phone" and not as_phone and (
                _strong_bank_near(nc, 1) or holder
            ):
                is_acct, is_phone = True, both
            if is_phone and e164 not in phones:
                phones.append(e164)
            if is_acct:
                _add_account(accounts, seg.digits if not seg.prefix else "0" + seg.national, wallet or
                             _nearest_bank(nc, True))
            continue
        if not _account_shaped(seg):
            continue
        if nc.cue_before == "idc" or (nc.idc_near and len(seg.digits) in (9, 12) and nc.cue_before != "acct"):
            continue
        if nc.acct_before or _strong_bank_near(nc, _BANK_WORDS) or nc.acct_after or holder:
            _add_account(accounts, seg.digits, _nearest_bank(nc, True))
    return phones, accounts


def _add_account(accounts: list[BankAccount], number: str, bank: str | None) -> None:
    for k, a in enumerate(accounts):
        if a.number == number:
            if a.bank is None and bank is not None:
                accounts[k] = BankAccount(number, bank)
            return
    accounts.append(BankAccount(number, bank))


# --------------------------------------------------------------------------- entry point

_HAS_DIGIT_RE: Final = re.compile(r"\d")


def extract_entities(text: str) -> Entities:
    """Phones, bank accounts, links and money amounts in one citizen message."""
    if not text:
        return EMPTY
    low = text.lower()
    if len(low) != len(text):  # "İ" lowercases to two chars; keep offsets aligned
        low = "".join(c.lower()[:1] for c in text)
    has_digit = _HAS_DIGIT_RE.search(low) is not None

    urls: list[str] = []
    url_spans: list[tuple[int, int]] = []
    if "." in low or "[" in low or "(" in low:
        urls, url_spans = _find_urls(text, low)

    amts, cats = _find_amounts(text, low, has_digit)

    phones: list[str] = []
    accounts: list[BankAccount] = []
    if has_digit:
        blocked = url_spans + [(a.start, a.end) for a in amts]
        segs = _segments(low, blocked)
        if segs:
            phones, accounts = _classify_numbers(text, low, segs)

    main: int | None = None
    if amts:
        best = max(range(len(amts)), key=lambda k: (cats[k], amts[k].value))
        main = amts[best].value
    return Entities(
        tuple(phones),
        tuple(accounts),
        tuple(urls),
        tuple(Amount(a.value, a.start, a.end) for a in amts),
        main,
    )
