"""Is a message written in English, and which tactic do its English words describe?

`is_english()` weighs English function words ("is", "which", "someone", "should") and
English-looking words (ones no Vietnamese syllable could be spelt as, like "foreigner" or "called")
against Vietnamese evidence: syllables with diacritics and common unaccented syllables ("co",
"nguoi", "chuyen"). Words both languages write alike ("a", "to", "can", "the", "me", "so") count for
neither, and loanwords Vietnamese chat uses every day ("link", "check", "scam", "ok") count as
nothing. Pure and fast: each whitespace-separated chunk is weighed once and cached, so a
message costs a split and set lookups, 2-5 microseconds.

`match_english()` picks the tactic whose English keywords (`en.keywords` in the catalogue) the
message mentions most, on whole words; a tie or no hit is no answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.catalog.models import Tactic

__all__ = ["is_english", "match_english"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})

# English words that are not also common unaccented Vietnamese ("to" tô, "so" số, "he" hệ, "the" thẻ,
# "that" thật, "not" nốt, "it" ít, "can" cần, "me" mẹ, "my" Mỹ, "do" do, "an" an are left out).
_ENGLISH = _words(
    """
    i i'm i've i'd i'll you you're you've your yours she she's her hers his him it's its we we're our
    ours they they're their them us myself someone somebody anyone anybody something anything nobody
    is are was were be been being am isn't aren't wasn't weren't
    does did doesn't didn't don't have has had having haven't hasn't
    could should would will shall might must can't couldn't shouldn't wouldn't won't
    of for with from by about at into onto after before between without because if or and but
    this these those what which who whom whose where when why how there here
    please thank yes yeah just some any every all very also still only really
    said says saying asked told tell want wants wanted need needs know think got get gets
    """
)

# Vietnamese syllables and chat words people type without diacritics, minus those English shares.
_VIETNAMESE = _words(
    """
    co khong ko kg hk khum hong k nguoi goi xung cong bao chuyen tien em e anh chi di cho toi minh
    la ma thi va cua duoc dc roi r nay phai giup oi nhe nha nhi vay sao gi j lam mat bi tai khoan tk
    stk ck dien thoai sdt nhan hoi voi vs trong ngan hang lua dao ad ah ak nhu nao ntn cai mot hai
    con bo ong chau day kia nhung neu vi sau truoc len xuong ra vao noi biet muon lai het nhieu thay
    thu ho qua hom mai ngay gio phut nam thang xin cam dung sai alo ui uh uk oke z ms bn mik mk
    giu ben kiem tra xem gui dang se da chua bik hok ne nhen tui ta
    """
)

# Words Vietnamese chat borrows: English-looking, but no sign the writer is English-speaking.
_LOANWORDS = _words(
    """
    ok okay oke alo hello hi bye thanks thank link check scam scammer shop shopee lazada tiki tiktok
    zalo facebook face fb messenger telegram online offline ship shipper admin inbox code app web
    website page fanpage like share comment post group chat video call sms otp bank banking account
    hack hacker fake bill sale free game job pass password mail email sorry momo viettel mobifone
    vinaphone iphone sim esim qr visa voucher combo tour hotel resort casino live livestream
    """
)

# Spellings a Vietnamese syllable can have once its diacritics are gone (đ → d).
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_VIETNAMESE_LETTERS = frozenset("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")

_EN_WORD_WEIGHT = 0.75
_MIN_ENGLISH_SCORE = 1.5
_ENGLISH_OVER_VIETNAMESE = 2.0


def _weigh_word(token: str) -> tuple[float, int]:
    if token in _ENGLISH:
        return 1.0, 0
    if token in _VIETNAMESE:
        return 0.0, 1
    if not token.isascii():
        return 0.0, 0 if _VIETNAMESE_LETTERS.isdisjoint(token) else 1
    if len(token) >= 4 and token not in _LOANWORDS and not _SYLLABLE_RE.fullmatch(token):
        return _EN_WORD_WEIGHT, 0
    return 0.0, 0


@lru_cache(maxsize=65536)
def _weigh(chunk: str) -> tuple[float, int]:
    """(English evidence, Vietnamese evidence) of one lowercased whitespace-separated chunk."""
    english = 0.0
    vietnamese = 0
    for token in _TOKEN_RE.findall(chunk.translate(_APOSTROPHES)):
        en, vi = _weigh_word(token)
        english += en
        vietnamese += vi
    return english, vietnamese


def _scores(text: str) -> tuple[float, int]:
    # Chunks repeat across messages, so each is weighed once; a message costs a split and lookups.
    english = 0.0
    vietnamese = 0
    for chunk in text.lower().split():
        en, vi = _weigh(chunk)
        english += en
        vietnamese += vi
    return english, vietnamese


def is_english(text: str) -> bool:
    """True when `text` reads as English rather than Vietnamese (with or without diacritics)."""
    english, vietnamese = _scores(text)
    return english >= _MIN_ENGLISH_SCORE and english > _ENGLISH_OVER_VIETNAMESE * vietnamese


@lru_cache(maxsize=4096)
def _keyword_re(keyword: str) -> re.Pattern[str]:
    # Whole words only ("bet" never matches "better"); a plural -s/-es still counts.
    return re.compile(rf"(?<![\w'-]){re.escape(keyword.lower())}(?:e?s)?(?![\w'-])")


def match_english(text: str, tactics: Iterable[Tactic]) -> str | None:
    """The id of the tactic with the most English keywords in `text`; None on a tie or no hit."""
    low = " ".join(text.lower().translate(_APOSTROPHES).split())
    best: str | None = None
    best_hits = 0
    tied = False
    for tactic in tactics:
        # The substring test is a cheap filter; the regex then insists on whole words.
        hits = sum(1 for k in tactic.en.keywords if k.lower() in low and _keyword_re(k).search(low))
        if hits > best_hits:
            best, best_hits, tied = tactic.id, hits, False
        elif hits and hits == best_hits:
            tied = True
    return None if tied else best
