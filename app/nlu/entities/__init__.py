"""Entity extraction for citizens' messages: phones, bank accounts (with their holder), links,
money amounts (every one, the ones paid, the main one) and page / shop / channel names.

Input is NFC text as typed: with or without diacritics, teencode, odd spacing. Everything runs on
one lowercased copy of the text (same length, so offsets map back to the original).

The whole analyzer must handle 20,000+ messages/s on one core, so this gets a budget of some
10-20 µs per message, and CPython's ``re`` spends 100+ ns per character trying a long
alternation at every position. So regexes here either start with a digit (``re`` then skips
to candidates in C) or run on a short token; cue words ("stk", "chuyển", "tổng cộng") are found
by splitting a few words next to a number and looking phrases up in dicts that hold both the
written and the folded spelling. Phone numbers are validated against phonenumbers' own VN
metadata patterns, compiled once, instead of ``phonenumbers.parse`` (~30 µs a call). Every step
is linear in the message (bench/entities_worst_case.py).

Modules: ``words`` (phrase tables, word windows, spans), ``phones``, ``amounts`` (reading an
amount), ``amount_cues`` (lost, asked, promised; the paid ones and the main one), ``digits``
(the one scan over digit chains), ``accounts``, ``links``, ``dates`` (dates and clock times the
digit extractors skip; ``find_incident_date``), ``names`` (holders, pages) and ``model`` (the
result types).
"""

from __future__ import annotations

from app.nlu.entities.accounts import _classify, _segments
from app.nlu.entities.amount_cues import _pick_amounts
from app.nlu.entities.dates import _date_time_spans
from app.nlu.entities.digits import _scan_digits
from app.nlu.entities.links import _find_urls
from app.nlu.entities.model import _EMPTY, Amount, BankAccount, Entities
from app.nlu.entities.names import _find_pages
from app.nlu.entities.words import _merge_spans, _overlaps

__all__ = ["Amount", "BankAccount", "Entities", "extract_entities"]


def extract_entities(text: str) -> Entities:
    """Phones, bank accounts, links, money amounts and page names in one citizen message."""
    if not text:
        return _EMPTY
    low = text.lower()
    if len(low) != len(text):  # "İ" lowercases to two chars; keep offsets aligned
        low = "".join(c.lower()[:1] for c in text)

    urls: list[str] = []
    url_spans: list[tuple[int, int]] = []
    if "." in low:
        urls, url_spans = _find_urls(text, low)
    # digits that are no number of anything: links, dates, clock times
    blocked = url_spans
    if ":" in low or "/" in low or "-" in low:  # dotted dates are already no account or amount
        date_spans = _date_time_spans(low)
        if date_spans:
            blocked = _merge_spans(url_spans, date_spans) if url_spans else date_spans

    digit_amts, chains = _scan_digits(low)
    if blocked and digit_amts:  # "bit.ly/3xqaz7k" holds no 7k
        digit_amts = [a for a in digit_amts if not _overlaps(blocked, a.start, a.end)]
    amts, main, paid = _pick_amounts(text, low, digit_amts)

    phones: list[str] = []
    accounts: list[BankAccount] = []
    if chains:
        segs = _segments(low, chains, blocked)
        if segs:
            spans = sorted([(c.start, c.end) for c in chains] + [(a.start, a.end) for a in amts])
            phones, accounts = _classify(text, low, segs, spans)

    pages = _find_pages(text, low)
    if not (urls or amts or phones or accounts or pages):
        return _EMPTY
    return Entities(
        tuple(phones),
        tuple(accounts),
        tuple(urls),
        tuple(Amount(a.value, a.start, a.end) for a in amts),
        main,
        tuple(paid),
        tuple(pages),
    )
