"""Foreign numbers in a message: international calls dressed up as Vietnamese numbers.

Scam calls often come from abroad with a country code that looks like a Vietnamese mobile prefix
at a glance (+375 beside Viettel's 037x). The entity extractor keeps only Vietnamese numbers, so the
check finds the foreign ones here, in the text: a number written with "+" or "00" and a country
code other than 84.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

__all__ = ["WARNED_PREFIXES", "ForeignNumber", "find_foreign_numbers"]

# Calling prefixes named in 2025 police and press warnings about scam calls (no numbers, just codes).
# "+601" is Malaysia's mobile range; "+870" is Inmarsat (satellite), billed at premium rates.
WARNED_PREFIXES: tuple[str, ...] = ("375", "371", "381", "563", "370", "255", "870", "601")
# International network codes without a country: satellite and global services, premium rates.
_GLOBAL_CODES = frozenset({800, 808, 870, 878, 881, 882, 883, 888, 979})

_NUMBER_RE = re.compile(
    r"(?<![\w+])(?:\(\s*)?(\+|00)\s*(\d{1,4})\s*\)?[\s.\-]*(\d(?:[\s.\-]?\d){5,13})(?!\d)"
)


@dataclass(frozen=True, slots=True)
class ForeignNumber:
    e164: str
    country_code: int
    region: str | None  # ISO code ("BY"), None for global network codes
    warned: bool  # its prefix is one named in police warnings
    global_network: bool  # satellite / international network (premium rates)


def find_foreign_numbers(text: str, *, limit: int = 5) -> list[ForeignNumber]:
    """Numbers written with an international prefix other than +84, in order, no duplicates."""
    found: list[ForeignNumber] = []
    for match in _NUMBER_RE.finditer(text):
        digits = match.group(2) + re.sub(r"\D", "", match.group(3))
        if digits.startswith("84"):
            continue
        try:
            number = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            continue
        code = int(number.country_code or 0)
        warned = digits.startswith(WARNED_PREFIXES)
        unusual = warned or code in _GLOBAL_CODES  # kept even when its length is odd
        if not phonenumbers.is_possible_number(number) and not (unusual and 8 <= len(digits) <= 15):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if any(f.e164 == e164 for f in found):
            continue
        region = phonenumbers.region_code_for_number(number)
        found.append(
            ForeignNumber(
                e164=e164,
                country_code=code,
                region=region if region and region != "001" else None,
                warned=warned,
                global_network=code in _GLOBAL_CODES,
            )
        )
        if len(found) >= limit:
            break
    return found
