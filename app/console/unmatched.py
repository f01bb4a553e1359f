"""Messages the bot could not match (or matched without confidence), and their grouping.

The conversation keeps them (`app.unmatched`, through its `on_understood` hook) in the same
database session as the answer. The console groups what was kept: first messages sharing a
phone, an account or a link, then messages whose folded words are alike (rapidfuzz), so a new scam
wave shows up as one growing group. An admin can mark a group as a new variant of a tactic; the
catalogue's maintainers export those with `canhgiac catalog suggestions`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select, update
from sqlmodel import Session

from app.console.accounts import Viewer, audit
from app.console.models import SUGGESTIONS, VariantSuggestion
from app.db import utcnow
from app.unmatched.models import UNMATCHED

__all__ = [
    "Group",
    "Item",
    "group_messages",
    "iter_suggestions",
    "mark_variant",
    "unmatched_groups",
]

SIMILAR = 0.58  # see `_alike_pairs`
WINDOW_DAYS = 30
MAX_MESSAGES = 600  # the newest ones are grouped on each page view
# Sites too common to tie two messages together.
COMMON_DOMAINS = frozenset(
    {"facebook.com", "zalo.me", "google.com", "youtube.com", "tiktok.com", "shopee.vn", "gov.vn"}
)
_NUMBER_RE = re.compile(r"^\d+$")
_STOP = frozenset(
    {
        "a",
        "anh",
        "ba",
        "bac",
        "ban",
        "bi",
        "boi",
        "cac",
        "cai",
        "cho",
        "chi",
        "co",
        "con",
        "cua",
        "da",
        "dang",
        "de",
        "den",
        "di",
        "do",
        "duoc",
        "em",
        "gi",
        "gio",
        "ha",
        "hay",
        "ho",
        "hoi",
        "khi",
        "khong",
        "la",
        "lai",
        "lam",
        "len",
        "ma",
        "minh",
        "mot",
        "muon",
        "nay",
        "neu",
        "nguoi",
        "nha",
        "nhe",
        "nhu",
        "nhung",
        "nua",
        "o",
        "oi",
        "ong",
        "phai",
        "qua",
        "ra",
        "rat",
        "roi",
        "sao",
        "se",
        "sau",
        "tai",
        "the",
        "thi",
        "toi",
        "tu",
        "tui",
        "va",
        "vao",
        "vay",
        "ve",
        "vi",
        "voi",
        "xin",
    }
)


# --------------------------------------------------------------------------- grouping


@dataclass(frozen=True, slots=True)
class Item:
    """One message to group (the grouping works on these, not on rows, to be testable alone)."""

    id: int
    at: dt.datetime
    text: str
    folded: str
    phones: Sequence[str] = ()
    accounts: Sequence[str] = ()
    links: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Group:
    key: int  # the smallest message id in the group: stable while the group grows
    ids: list[int]
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    examples: list[str]
    shared: list[str]  # phones, accounts and link hosts more than one message names


def _content(folded: str) -> str:
    words = [w for w in folded.split() if len(w) > 1 and w not in _STOP and not _NUMBER_RE.match(w)]
    return " ".join(words)


def _alike_pairs(contents: Sequence[str], threshold: float) -> Iterator[tuple[int, int]]:
    """Pairs of messages alike enough: the IDF-weighted Jaccard of their words and word pairs (rare
    words count more) plus rapidfuzz's token-sort ratio, weighted 2 : 0.5 (chosen on synthetic
    campaigns, tests/console/unmatched_data.py). Only pairs sharing a word that is not in most
    messages are compared."""
    grams: list[set[str]] = []
    for content in contents:
        words = content.split()
        grams.append(set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)})
    n = len(grams)
    df = Counter(g for gs in grams for g in gs)
    weight = {g: math.log((n + 1) / c) + 0.1 for g, c in df.items()}
    postings: dict[str, list[int]] = {}
    for i, gs in enumerate(grams):
        for g in gs:
            if " " not in g and df[g] <= max(20, n // 2):
                postings.setdefault(g, []).append(i)
    seen: set[tuple[int, int]] = set()
    for members in postings.values():
        for a_pos, i in enumerate(members):
            for j in members[a_pos + 1 :]:
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                shared = sum(weight[g] for g in grams[i] & grams[j])
                union = sum(weight[g] for g in grams[i] | grams[j])
                jaccard = shared / union if union else 0.0
                order = fuzz.token_sort_ratio(contents[i], contents[j]) / 100
                if 0.5 * order + 2 * jaccard >= threshold:
                    yield i, j


def _keys(item: Item) -> Iterator[str]:
    yield from (f"phone:{p}" for p in item.phones)
    yield from (f"account:{a}" for a in item.accounts)
    for key in item.links:
        host = key.split("/", 1)[0]
        if host and host not in COMMON_DOMAINS:
            yield f"link:{host}"


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_messages(items: Sequence[Item], *, similar: float = SIMILAR) -> list[Group]:
    """Groups of messages, biggest (then newest) first: shared phone/account/link, then alike words."""
    sets = _Sets(len(items))
    owner: dict[str, int] = {}
    for i, item in enumerate(items):
        for key in _keys(item):
            if key in owner:
                sets.union(owner[key], i)
            else:
                owner[key] = i
    for i, j in _alike_pairs([_content(item.folded) for item in items], similar):
        sets.union(i, j)
    members: dict[int, list[int]] = {}
    for i in range(len(items)):
        members.setdefault(sets.find(i), []).append(i)
    groups = []
    for indexes in members.values():
        chosen = [items[i] for i in indexes]
        counts = Counter(k for item in chosen for k in set(_keys(item)))
        newest = sorted(chosen, key=lambda x: x.at, reverse=True)
        groups.append(
            Group(
                key=min(x.id for x in chosen),
                ids=sorted(x.id for x in chosen),
                count=len(chosen),
                first_seen=min(x.at for x in chosen),
                last_seen=max(x.at for x in chosen),
                examples=list(dict.fromkeys(x.text for x in newest))[:3],
                shared=[k.split(":", 1)[1] for k, n in counts.most_common() if n > 1][:5],
            )
        )
    groups.sort(key=lambda g: (-g.count, -g.last_seen.timestamp()))
    return groups


def _items(session: Session, *, viewer: Viewer, now: dt.datetime) -> list[Item]:
    um = UNMATCHED
    stmt = select(
        um.c.id, um.c.created_at, um.c.text, um.c.folded, um.c.phones, um.c.accounts, um.c.links
    ).where(um.c.suggestion_id.is_(None), um.c.created_at >= now - dt.timedelta(days=WINDOW_DAYS))
    if viewer.province is not None:
        stmt = stmt.where(um.c.province == viewer.province)
    rows = session.execute(stmt.order_by(um.c.id.desc()).limit(MAX_MESSAGES)).all()
    return [
        Item(r.id, r.created_at, r.text, r.folded, r.phones or [], r.accounts or [], r.links or [])
        for r in rows
    ]


def unmatched_groups(session: Session, *, viewer: Viewer, now: dt.datetime | None = None) -> list[Group]:
    """The groups of the last 30 days' unmatched messages this officer may see, not yet marked."""
    return group_messages(_items(session, viewer=viewer, now=now or utcnow()))


def mark_variant(
    session: Session,
    *,
    viewer: Viewer,
    group_key: int,
    tactic: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> VariantSuggestion | None:
    """Mark the group with this key as a new variant of `tactic` (admins); None if it is gone."""
    if not viewer.is_admin:
        raise PermissionError("only admins mark variants")
    now = now or utcnow()
    group = next((g for g in unmatched_groups(session, viewer=viewer, now=now) if g.key == group_key), None)
    if group is None:
        return None
    suggestion = VariantSuggestion(
        created_at=now,
        officer_id=viewer.id,
        username=viewer.username,
        tactic=tactic,
        note=(note or "").strip()[:2000] or None,
        count=group.count,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        examples=list(
            session.execute(
                select(UNMATCHED.c.text)
                .where(UNMATCHED.c.id.in_(group.ids))
                .order_by(UNMATCHED.c.id)
                .limit(20)
            ).scalars()
        ),
        keys=group.shared,
    )
    session.add(suggestion)
    session.flush()
    session.execute(
        update(UNMATCHED).where(UNMATCHED.c.id.in_(group.ids)).values(suggestion_id=suggestion.id)
    )
    audit(
        session,
        officer=viewer,
        action="variant_marked",
        detail={"tactic": tactic, "messages": group.count, "suggestion": suggestion.id},
        now=now,
    )
    return suggestion


def recent_suggestions(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    return list(iter_suggestions(session, limit=limit))


def iter_suggestions(session: Session, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Every variant suggestion, newest first, as the catalogue's maintainers read them."""
    s = SUGGESTIONS
    stmt = select(s).order_by(s.c.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    for row in session.execute(stmt).mappings():
        yield {
            "id": row["id"],
            "tactic": row["tactic"],
            "marked_by": row["username"],
            "marked_at": row["created_at"].astimezone(dt.UTC).isoformat(),
            "count": row["count"],
            "first_seen": row["first_seen"].astimezone(dt.UTC).isoformat(),
            "last_seen": row["last_seen"].astimezone(dt.UTC).isoformat(),
            "shared": row["keys"] or [],
            "note": row["note"],
            "examples": row["examples"] or [],
        }
