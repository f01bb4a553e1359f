"""Chat abbreviations as Vietnamese citizens type them, keyed by their folded (diacritic-free) form.

Keys are folded so that "đc" and "dc" expand alike; values are the full words with diacritics.
Ambiguous tokens ("k", "ck", "mk", "ca", "v", "h") are not here: `normalize` decides them from context.
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    # negation
    "ko": "không",
    "kg": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "hk": "không",
    "khum": "không",
    "hem": "không",
    # common function words
    "dc": "được",
    "dk": "đăng ký",
    "j": "gì",
    "z": "vậy",
    "r": "rồi",
    "oy": "rồi",
    "ms": "mới",
    "vs": "với",
    "ng": "người",
    "ngta": "người ta",
    "thg": "thằng",
    "thk": "thằng",
    "mn": "mọi người",
    "mng": "mọi người",
    "ntn": "như thế nào",
    "bit": "biết",
    "bik": "biết",
    "wa": "quá",
    "nhiu": "nhiều",
    "bh": "bây giờ",
    "lm": "làm",
    "e": "em",
    "tks": "cảm ơn",
    "thks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "thanhs": "cảm ơn",
    "camon": "cảm ơn",
    # money and accounts
    "stk": "số tài khoản",
    "tk": "tài khoản",
    "sdt": "số điện thoại",
    "dt": "điện thoại",
    "dthoai": "điện thoại",
    "ld": "lừa đảo",
    "ktra": "kiểm tra",
    "kt": "kiểm tra",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "cmt": "chứng minh thư",
    # people and organisations
    "nv": "nhân viên",
    "cskh": "chăm sóc khách hàng",
    "ctv": "cộng tác viên",
    "cty": "công ty",
    "vks": "viện kiểm sát",
    "tand": "tòa án nhân dân",
    "csgt": "cảnh sát giao thông",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    # platforms
    "fb": "facebook",
    "face": "facebook",
    "phay": "facebook",
    "zl": "zalo",
    "tele": "telegram",
    "ib": "nhắn tin",
    "inbox": "nhắn tin",
    "sms": "tin nhắn",
}

# Tokens after which "k" means thousand rather than "không" ("500 k").
# Tokens before which "ck" is a transfer ("ck 5tr", "ck vào tk", "ck nhầm").
CK_TRANSFER_NEXT: frozenset[str] = frozenset(
    {
        "vao",
        "qua",
        "sang",
        "cho",
        "tien",
        "nham",
        "lai",
        "truoc",
        "roi",
        "r",
        "di",
        "tk",
        "stk",
        "ngay",
        "gap",
    }
)
# Pronouns after which "ck" is a husband ("ck em", "ck tôi").
CK_SPOUSE_NEXT: frozenset[str] = frozenset({"em", "e", "toi", "minh", "mk", "chi", "c", "co", "no", "ba"})
CK_SPOUSE_PREV: frozenset[str] = frozenset({"cua", "voi", "vo", "va"})
# "mk" is a password next to these; otherwise "mình".
MK_PASSWORD_CONTEXT: frozenset[str] = frozenset(
    {"doi", "nhap", "lo", "doc", "gui", "xin", "mat", "dua", "cho", "otp", "va", "ma", "pass", "dang"}
)
# "ca" is police before these administrative levels or after "xưng", "giả".
CA_POLICE_NEXT: frozenset[str] = frozenset(
    {"phuong", "xa", "quan", "huyen", "tinh", "thanh", "tp", "goi", "bao", "moi", "trieu", "dieu"}
)
CA_POLICE_PREV: frozenset[str] = frozenset({"xung", "gia", "la", "bao", "cua", "den", "len"})
# "bao ca vé" is "bao gồm cả vé", not "báo công an".
CA_NOT_NEXT: frozenset[str] = frozenset(
    {
        "ve",
        "nha",
        "ngay",
        "tuan",
        "thang",
        "nam",
        "gia",
        "lop",
        "hai",
        "ba",
        "bon",
        "nhom",
        "doi",
        "tien",
        "phi",
    }
)
