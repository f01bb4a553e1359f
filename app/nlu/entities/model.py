"""The public result types of entity extraction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class BankAccount:
    number: str  # digits only
    bank: str | None  # canonical bank / e-wallet name when one is named near the number
    holder: str | None = None  # the account holder's name when given, as written


@dataclass(frozen=True, slots=True)
class Amount:
    value: int  # VND
    start: int  # char offset in the text
    end: int


@dataclass(frozen=True, slots=True)
class Entities:
    phones: tuple[str, ...]  # E.164, order of appearance, no duplicates
    bank_accounts: tuple[BankAccount, ...]
    # as written with the scheme and host lowercased and the path's case kept (defanged dots
    # restored), order of appearance, no duplicates
    urls: tuple[str, ...]
    amounts: tuple[Amount, ...]  # every money amount found
    # the main amount: the total lost (a stated total, else the sum of ``paid``), or when
    # nothing was paid the amount asked
    amount_vnd: int | None
    # the amounts paid or taken, one per transfer, in order of appearance; a stated total
    # ("tổng cộng 32tr") stands for its parts. A multi-turn report can sum distinct transfers.
    paid: tuple[int, ...] = ()
    # names of the pages, shops, groups and channels involved, as written, in order
    pages: tuple[str, ...] = ()


_EMPTY: Final = Entities((), (), (), (), None)
