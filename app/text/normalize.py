"""Vietnamese text normalisation, done once at the boundary.

`normalize()` turns a message as citizens type it (with or without diacritics, teencode, emoji,
zero-width characters, "lừaaaa") into:

- ``nfc``: the message in Unicode NFC without invisible characters (what entity extraction reads);
- ``folded``: lowercase, no diacritics (đ→d), abbreviations expanded, noise removed (what the
  matcher reads) and its ``tokens``;
- ``text`` (computed on demand): the same words with their diacritics and one tone-mark placement.

Every decision about an abbreviation is taken on folded tokens, so a message and its
diacritic-stripped twin fold to the same form. The folded form keeps Latin letters and digits only:
emoji and other scripts are noise to the matcher.
"""

from __future__ import annotations

import re
import unicodedata

from app.text import teencode as tc

__all__ = ["Normalized", "fold", "normalize"]

_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Letters of the open syllables "oa", "oe", "uy" carrying the tone on the second vowel (new style);
# old style ("hòa", "khỏe", "thúy") is canonical. "quý" is left alone: its u belongs to "qu".
_TONED_SECOND = {"o": "àáảãạèéẻẽẹ", "u": "ỳýỷỹỵ"}
_TONE_RE = re.compile(r"(?<!q)([ou])([àáảãạèéẻẽẹỳýỷỹỵ])(?![^\W\d_])")
_NOISE_RE = re.compile(r"[^\w\s]+|_+")
_NON_LATIN_RE = re.compile("[^\x00-\x7f\u0300-\u036f]+")
_ODD_SPACE_RE = re.compile(r"[^\S ]|  ")
_STRAY_MARK_RE = re.compile("[\u0300-\u036f]+")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_REPEAT_BYTES_RE = re.compile(rb"([a-z])\1\1")
# Vietnamese writes "uu" (cứu, bưu, hưu) legitimately: emphasis runs of u shrink to two.
_KEEP_TWO = frozenset("u")
# ASCII bytes other than letters and digits become spaces (bytes.translate is a C table lookup).
_ASCII_NOISE = bytes(c if chr(c).isalnum() else ord(" ") for c in range(128)) + b" " * 128
_AMBIGUOUS = frozenset({"k", "ck", "mk", "ca", "tr", "v", "h"})


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese diacritics (đ→d); no abbreviation handling."""
    low = unicodedata.normalize("NFC", text).lower()
    if low.isascii():
        return low
    return "".join(
        "d"
        if c == "đ"
        else "".join(d for d in unicodedata.normalize("NFD", c) if not unicodedata.combining(d))
        for c in low
    )


def _clean(text: str) -> str:
    nfc = unicodedata.normalize("NFC", text)
    if not nfc.isascii() and _INVISIBLE_RE.search(nfc):
        nfc = _INVISIBLE_RE.sub("", nfc)
    if _ODD_SPACE_RE.search(nfc):
        nfc = " ".join(nfc.split())
    return nfc.strip()


def _folded_tokens(low: str) -> list[str]:
    if low.isascii():
        raw = low
    else:
        raw = unicodedata.normalize("NFD", low.replace("đ", "d"))
        # After NFD a Vietnamese letter is ASCII plus combining marks (dropped below); anything else
        # non-ASCII (emoji, quotes, other scripts) separates words, as in `Normalized.text`.
        if _NON_LATIN_RE.search(raw):
            raw = _NON_LATIN_RE.sub(" ", raw)
    data = raw.encode("ascii", "ignore").translate(_ASCII_NOISE)
    if _REPEAT_BYTES_RE.search(data):
        return [_shrink_runs(t) for t in data.decode("ascii").split()]
    return data.decode("ascii").split()


def _shrink_runs(token: str) -> str:
    return _REPEAT_RE.sub(lambda m: m.group(1) * (2 if m.group(1) in _KEEP_TWO else 1), token)


def _is_number(token: str) -> bool:
    return bool(token) and token[0].isdigit()


def _resolve(i: int, toks: list[str]) -> str | None:
    """The expansion of an ambiguous token from its neighbours, or None to keep it."""
    tok = toks[i]
    prev = toks[i - 1] if i > 0 else ""
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    if tok == "k":
        return "nghìn" if _is_number(prev) else "không"
    if tok == "ck":
        if _is_number(nxt) or nxt in tc.CK_TRANSFER_NEXT:
            return "chuyển khoản"
        after = toks[i + 2] if i + 2 < len(toks) else ""
        if nxt in tc.CK_SPOUSE_NEXT and _is_number(after):
            return "chuyển khoản"  # "ck em 500k": transfer me 500k
        if nxt == "oi" or nxt in tc.CK_SPOUSE_NEXT or prev in tc.CK_SPOUSE_PREV:
            return "chồng"
        return "chuyển khoản"
    if tok == "mk":
        return "mật khẩu" if prev in tc.MK_PASSWORD_CONTEXT or nxt in tc.MK_PASSWORD_CONTEXT else "mình"
    if tok == "ca":
        if nxt in tc.CA_NOT_NEXT:
            return None
        return "công an" if nxt in tc.CA_POLICE_NEXT or prev in tc.CA_POLICE_PREV else None
    if tok == "tr":
        return "triệu" if _is_number(prev) else None
    if tok == "v":
        return "vậy" if not nxt or nxt in {"a", "ad", "ah", "ak", "ha"} else None
    if tok == "h":
        return "giờ" if not _is_number(prev) else None
    return None


def _expansions(ftoks: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, tok in enumerate(ftoks):
        expansion = tc.ABBREVIATIONS.get(tok)
        if expansion is None and tok in _AMBIGUOUS:
            expansion = _resolve(i, ftoks)
        if expansion is not None:
            found[i] = expansion
    return found


_FOLD_CACHE: dict[str, str] = {}


def _fold_cached(word: str) -> str:
    folded = _FOLD_CACHE.get(word)
    if folded is None:
        folded = _FOLD_CACHE[word] = fold(word)
    return folded


class Normalized:
    """A message in the forms the rest of the system reads."""

    __slots__ = ("folded", "nfc", "original", "tokens")

    def __init__(self, original: str, nfc: str, folded: str, tokens: tuple[str, ...]) -> None:
        self.original = original
        self.nfc = nfc
        self.folded = folded
        self.tokens = tokens

    @property
    def text(self) -> str:
        """Lowercase words with diacritics, canonical tone marks and abbreviations expanded."""
        low = self.nfc.lower()
        if not low.isascii():
            # Marks NFC could not attach to a letter are dropped, as the folded form drops them.
            low = _STRAY_MARK_RE.sub("", unicodedata.normalize("NFC", low))
            low = _TONE_RE.sub(_old_style, low)
        ltoks = _NOISE_RE.sub(" ", low).split()
        ftoks = [fold(t) for t in ltoks]
        for i, ftok in enumerate(ftoks):
            if _REPEAT_RE.search(ftok):
                ltoks[i], ftoks[i] = _shrink_pair(ltoks[i], ftok)
        expansions = _expansions(ftoks)
        return " ".join(expansions.get(i, tok) for i, tok in enumerate(ltoks))

    def __repr__(self) -> str:
        return f"Normalized(folded={self.folded!r})"


def _old_style(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    if second not in _TONED_SECOND[first]:
        return m.group(0)
    base = unicodedata.normalize("NFD", second)
    return unicodedata.normalize("NFC", first + base[1:]) + base[0]


def _shrink_pair(ltok: str, ftok: str) -> tuple[str, str]:
    """Shrink emphasis runs found on the folded token in the accented token too, position by position."""
    if len(ltok) != len(ftok):
        short = _shrink_runs(ftok)
        return short, short
    keep = [True] * len(ftok)
    for m in _REPEAT_RE.finditer(ftok):
        limit = 2 if m.group(1) in _KEEP_TWO else 1
        for i in range(m.start() + limit, m.end()):
            keep[i] = False
    return (
        "".join(c for c, k in zip(ltok, keep, strict=True) if k),
        "".join(c for c, k in zip(ftok, keep, strict=True) if k),
    )


def normalize(text: str) -> Normalized:
    """Normalise one message (see the module docstring for the forms it returns)."""
    nfc = _clean(text)
    ftoks = _folded_tokens(nfc.lower())
    joined = " ".join(ftoks)
    expansions = _expansions(ftoks)
    if expansions:
        for i, expansion in expansions.items():
            ftoks[i] = _fold_cached(expansion)
        joined = " ".join(ftoks)
        ftoks = joined.split()
    return Normalized(original=text, nfc=nfc, folded=joined, tokens=tuple(ftoks))
