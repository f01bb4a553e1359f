"""Vietnamese phone numbers, validated against phonenumbers' own VN metadata patterns.

Compiled once instead of ``phonenumbers.parse`` (~30 µs a call).
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

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
