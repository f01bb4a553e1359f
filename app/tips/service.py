"""Tips: create, look up, list, update, forget, purge. Keyword-only functions over a Session.

Functions never commit: the caller's session scope does (a channel commits after the reply is
decided, the CLI through `transaction`). They flush where an id or a constraint check is needed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    RowMapping,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    distinct,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.db import rowcount, upsert_insert, utcnow
from app.text.formatting import VN_TZ
from app.text.links import link_parts
from app.tips.models import (
    REF_COUNTERS,
    TIP_ACCOUNTS,
    TIP_LINKS,
    TIP_PHONES,
    TIP_TACTICS,
    TIPS,
    MentionStats,
    Tip,
    TipAccount,
    TipLink,
    TipPhone,
    TipRead,
    TipStatus,
    TipTactic,
)

__all__ = [
    "NewTip",
    "TipFilter",
    "TipNotFound",
    "account_stats",
    "create_tip",
    "domain_stats",
    "forget_user",
    "get_tip",
    "iter_tips",
    "link_key_stats",
    "list_tips",
    "next_ref_code",
    "phone_stats",
    "purge_before",
    "reporter_tips_today",
    "set_status",
]

MAX_TURN_CHARS = 20_000  # one turn of a report: the longest message the platforms carry
MAX_TURNS = 30


class TipNotFound(LookupError):
    """No tip has this reference code."""


@dataclass(frozen=True, slots=True)
class NewTip:
    """The facts of a report, as the conversation gathered them."""

    province: str
    channel: str
    channel_id: str = ""
    reporter_id: str | None = None
    reporter_name: str | None = None
    # Who counts as one reporter when the user id does not say it (see `Tip.reporter_key`).
    reporter_key: str | None = None
    reporter_contact: str | None = None  # the reporter's own number: never among `phones`
    tactics: Sequence[str] = ()
    score: float = 0.0
    turns: Sequence[str] = ()
    phones: Sequence[str] = ()
    # (number, bank, holder's name as told)
    accounts: Sequence[tuple[str, str | None] | tuple[str, str | None, str | None]] = ()
    urls: Sequence[str] = ()
    socials: Sequence[str] = ()
    pages: Sequence[str] = ()
    amount_vnd: int | None = None
    incident_when: str | None = None
    incident_date: dt.date | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class TipFilter:
    """Filters shared by the CLI, the admin endpoints and the exports. Dates are local (UTC+7) days."""

    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    province: str | None = None
    tactic: str | None = None
    status: TipStatus | None = None
    ids_after: int | None = field(default=None, repr=False)  # keyset pagination
    # More conditions on the `tips` table (the console's search box).
    extra: tuple[ColumnElement[bool], ...] = field(default=(), repr=False)

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.since is not None:
            clauses.append(TIPS.c.created_at >= _local_midnight(self.since))
        if self.until is not None:
            clauses.append(TIPS.c.created_at < _local_midnight(self.until + dt.timedelta(days=1)))
        if self.province:
            clauses.append(TIPS.c.province == self.province)
        if self.status is not None:
            clauses.append(TIPS.c.status == self.status.value)
        if self.tactic:
            tactic_tips = select(TIP_TACTICS.c.tip_id).where(TIP_TACTICS.c.tactic == self.tactic)
            clauses.append(TIPS.c.id.in_(tactic_tips))
        if self.ids_after is not None:
            clauses.append(TIPS.c.id > self.ids_after)
        clauses.extend(self.extra)
        return clauses


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), VN_TZ).astimezone(dt.UTC)


# --------------------------------------------------------------------------- reference codes


def next_ref_code(session: Session, *, prefix: str, now: dt.datetime | None = None) -> str:
    """The next reference code for `prefix` today (UTC+7): `CT-20261123-0042`.

    One atomic upsert on the counter row (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), so two
    processes never get the same number: PostgreSQL locks the row until the transaction ends, and
    SQLite lets one writer in at a time.
    """
    day = (now or utcnow()).astimezone(VN_TZ).strftime("%Y%m%d")
    table = REF_COUNTERS
    stmt = (
        upsert_insert(table, session.get_bind().dialect.name)
        .values(prefix=prefix, day=day, value=1)
        .on_conflict_do_update(
            index_elements=[table.c.prefix, table.c.day], set_={"value": table.c.value + 1}
        )
        .returning(table.c.value)
    )
    value = session.execute(stmt).scalar_one()
    return f"{prefix}-{day}-{value:04d}"


# --------------------------------------------------------------------------- create


def _clean_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)[:MAX_TURN_CHARS]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def create_tip(session: Session, *, tip: NewTip, ref_prefix: str, now: dt.datetime | None = None) -> TipRead:
    """Store a tip with a fresh reference code; retries if a code is somehow taken already."""
    created = now or utcnow()
    for _ in range(5):
        ref_code = next_ref_code(session, prefix=ref_prefix, now=created)
        try:
            with session.begin_nested():
                row = _insert_tip(session, tip=tip, ref_code=ref_code, created=created)
        except IntegrityError:
            # A code inserted by hand or by an older counter: take the next number.
            continue
        stored = get_tip(session, ref_code=row.ref_code)
        assert stored is not None
        return stored
    raise RuntimeError(f"could not allocate a reference code for prefix {ref_prefix}")


def _insert_tip(session: Session, *, tip: NewTip, ref_code: str, created: dt.datetime) -> Tip:
    row = Tip(
        ref_code=ref_code,
        created_at=created,
        updated_at=created,
        province=tip.province,
        channel=tip.channel,
        channel_id=tip.channel_id,
        reporter_id=tip.reporter_id,
        reporter_name=tip.reporter_name,
        reporter_key=tip.reporter_key,
        reporter_contact=tip.reporter_contact,
        score=float(tip.score),
        turns=[_clean_text(t) for t in tip.turns][:MAX_TURNS],
        socials=_unique(tip.socials),
        amount_vnd=tip.amount_vnd,
        incident_when=tip.incident_when,
        incident_date=tip.incident_date,
        pages=_unique(_clean_text(p)[:128] for p in tip.pages),
        urgent=tip.urgent,
        status=TipStatus.moi.value,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    tip_id = row.id
    children: list[TipTactic | TipPhone | TipAccount | TipLink] = []
    children += [TipTactic(tip_id=tip_id, position=i, tactic=t) for i, t in enumerate(_unique(tip.tactics))]
    children += [TipPhone(tip_id=tip_id, position=i, phone=p) for i, p in enumerate(_unique(tip.phones))]
    seen: set[str] = set()
    for number, bank, *rest in tip.accounts:
        if number and number not in seen:
            seen.add(number)
            holder = rest[0][:128] if rest and rest[0] else None
            children.append(
                TipAccount(tip_id=tip_id, position=len(seen) - 1, number=number, bank=bank, holder=holder)
            )
    for i, url in enumerate(_unique(tip.urls)):
        parts = link_parts(url)
        children.append(
            # A host longer than DNS allows is still kept (the link as written is text), but its
            # lookup columns are cut to their width so PostgreSQL never refuses the tip.
            TipLink(
                tip_id=tip_id, position=i, url=url, url_key=parts.url_key[:512], domain=parts.domain[:253]
            )
        )
    session.add_all(children)
    session.flush()
    return row


# --------------------------------------------------------------------------- read


def _children(session: Session, tip_ids: Sequence[int]) -> dict[str, dict[int, list[Any]]]:
    """Every child row of these tips, grouped by kind and tip, in position order (4 queries)."""
    out: dict[str, dict[int, list[Any]]] = {
        "tactics": defaultdict(list),
        "phones": defaultdict(list),
        "accounts": defaultdict(list),
        "links": defaultdict(list),
    }
    if not tip_ids:
        return out
    ids = list(tip_ids)
    tt, tp, ta, tl = TIP_TACTICS, TIP_PHONES, TIP_ACCOUNTS, TIP_LINKS
    for tip_id, tactic in session.execute(
        select(tt.c.tip_id, tt.c.tactic).where(tt.c.tip_id.in_(ids)).order_by(tt.c.tip_id, tt.c.position)
    ).all():
        out["tactics"][tip_id].append(tactic)
    for tip_id, phone in session.execute(
        select(tp.c.tip_id, tp.c.phone).where(tp.c.tip_id.in_(ids)).order_by(tp.c.tip_id, tp.c.position)
    ).all():
        out["phones"][tip_id].append(phone)
    # Plain dicts: the read model validates them in one pass with the tip.
    for tip_id, number, bank, holder in session.execute(
        select(ta.c.tip_id, ta.c.number, ta.c.bank, ta.c.holder)
        .where(ta.c.tip_id.in_(ids))
        .order_by(ta.c.tip_id, ta.c.position)
    ).all():
        out["accounts"][tip_id].append({"number": number, "bank": bank, "holder": holder})
    for tip_id, url, domain in session.execute(
        select(tl.c.tip_id, tl.c.url, tl.c.domain)
        .where(tl.c.tip_id.in_(ids))
        .order_by(tl.c.tip_id, tl.c.position)
    ).all():
        out["links"][tip_id].append({"url": url, "domain": domain})
    return out


def _to_read(row: RowMapping, children: dict[str, dict[int, list[Any]]]) -> TipRead:
    """A read model from a `tips` row (column name -> value) and its children."""
    tip_id = row["id"]
    return TipRead.model_validate(
        {
            **row,
            "tactics": children["tactics"].get(tip_id, []),
            "phones": children["phones"].get(tip_id, []),
            "accounts": children["accounts"].get(tip_id, []),
            "links": children["links"].get(tip_id, []),
            "turns": row["turns"] or [],
            "socials": row["socials"] or [],
            "pages": row["pages"] or [],
        }
    )


def _rows(session: Session, stmt: Select[Any]) -> list[TipRead]:
    rows = [r._mapping for r in session.execute(stmt).all()]
    children = _children(session, [r["id"] for r in rows])
    return [_to_read(r, children) for r in rows]


def get_tip(session: Session, *, ref_code: str) -> TipRead | None:
    found = _rows(session, select(TIPS).where(TIPS.c.ref_code == ref_code.strip().upper()))
    return found[0] if found else None


def _page(session: Session, *, filters: TipFilter, limit: int, newest_first: bool) -> list[TipRead]:
    order = TIPS.c.id.desc() if newest_first else TIPS.c.id
    return _rows(session, select(TIPS).where(*filters.where()).order_by(order).limit(limit))


def list_tips(session: Session, *, filters: TipFilter | None = None, limit: int = 50) -> list[TipRead]:
    """The newest tips matching `filters`."""
    return _page(session, filters=filters or TipFilter(), limit=limit, newest_first=True)


def iter_tips(engine: Engine, *, filters: TipFilter | None = None, chunk: int = 1000) -> Iterator[TipRead]:
    """Every tip matching `filters`, oldest first, read in chunks (memory stays flat).

    Each chunk uses its own short session, so a long export never holds a transaction open.
    """
    base = filters or TipFilter()
    last: int | None = None
    while True:
        page_filter = replace(base, ids_after=last)
        with Session(engine) as session:
            page = _page(session, filters=page_filter, limit=chunk, newest_first=False)
        yield from page
        if len(page) < chunk:
            return
        last = page[-1].id


# --------------------------------------------------------------------------- checks


def _reporter() -> ColumnElement[str]:
    """Who filed a tip, for counting people rather than tips: the stored key, else channel and user
    id, else (a reporter already forgotten before keys existed) the tip itself."""
    tips = TIPS
    return func.coalesce(
        tips.c.reporter_key,
        tips.c.channel + literal(":") + tips.c.reporter_id,
        literal("tip:") + cast(tips.c.id, String),
    )


def _stats(session: Session, child_table: Table, column: str, value: str) -> MentionStats:
    """Count and recency of tips whose child rows hold `value`, by index lookup; distinct reporters,
    and the distinct reporters of tips an officer has taken up."""
    tips = TIPS
    tip_ids = select(child_table.c.tip_id).where(child_table.c[column] == value)
    who = _reporter()
    taken_up = case((tips.c.status != TipStatus.moi.value, who), else_=None)
    count, last_at, reporters, verified = session.execute(
        select(
            func.count(tips.c.id),
            func.max(tips.c.created_at),
            func.count(distinct(who)),
            func.count(distinct(taken_up)),
        ).where(tips.c.id.in_(tip_ids))
    ).one()
    tactics: list[tuple[str, int]] = []
    if count:
        tt = TIP_TACTICS
        rows = session.execute(
            select(tt.c.tactic, func.count(tt.c.tip_id))
            .where(tt.c.tip_id.in_(tip_ids), tt.c.position == 0)
            .group_by(tt.c.tactic)
        ).all()
        tactics = Counter(dict(rows)).most_common()
    return MentionStats(
        count=int(count or 0),
        last_at=last_at,
        tactics=tactics,
        reporters=int(reporters or 0),
        verified=int(verified or 0),
    )


def reporter_tips_today(
    session: Session,
    *,
    channel: str,
    reporter_id: str,
    reporter_key: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Tips filed since local (UTC+7) midnight by this user id on this channel or under this key."""
    tips = TIPS
    today = (now or utcnow()).astimezone(VN_TZ).date()
    same = and_(tips.c.channel == channel, tips.c.reporter_id == reporter_id)
    who = or_(same, tips.c.reporter_key == reporter_key) if reporter_key else same
    found = session.execute(
        select(func.count(tips.c.id)).where(who, tips.c.created_at >= _local_midnight(today))
    ).scalar_one()
    return int(found or 0)


def phone_stats(session: Session, *, phone: str) -> MentionStats:
    """How many tips name this phone number (E.164)."""
    return _stats(session, TIP_PHONES, "phone", phone)


def account_stats(session: Session, *, number: str) -> MentionStats:
    """How many tips name this account number (digits)."""
    return _stats(session, TIP_ACCOUNTS, "number", number)


def domain_stats(session: Session, *, domain: str) -> MentionStats:
    """How many tips name a link on this registrable domain."""
    return _stats(session, TIP_LINKS, "domain", domain)


def link_key_stats(session: Session, *, url_key: str) -> MentionStats:
    """How many tips name exactly this link (for shorteners and shared sites)."""
    return _stats(session, TIP_LINKS, "url_key", url_key)


# --------------------------------------------------------------------------- officers


def set_status(
    session: Session,
    *,
    ref_code: str,
    status: TipStatus,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> TipRead:
    """Move a tip to `status`; a note replaces the officer note when given."""
    code = ref_code.strip().upper()
    values: dict[str, Any] = {"status": status.value, "updated_at": now or utcnow()}
    if note is not None:
        values["officer_note"] = unicodedata.normalize("NFC", note)
    result = session.execute(update(TIPS).where(TIPS.c.ref_code == code).values(**values))
    stored = get_tip(session, ref_code=code) if result.rowcount else None  # type: ignore[attr-defined]
    if stored is None:
        raise TipNotFound(ref_code)
    return stored


def purge_before(session: Session, *, before: dt.datetime) -> int:
    """Delete tips created before `before` (retention); returns how many."""
    cutoff = before
    tips = TIPS
    old = select(tips.c.id).where(tips.c.created_at < cutoff)
    # Children first: SQLite enforces ON DELETE CASCADE only with foreign_keys=ON, which a
    # connection made outside `make_engine` may not have.
    for child in (TIP_TACTICS, TIP_PHONES, TIP_ACCOUNTS, TIP_LINKS):
        session.execute(delete(child).where(child.c.tip_id.in_(old)))
    result = session.execute(delete(tips).where(tips.c.created_at < cutoff))
    return rowcount(result)


def forget_user(session: Session, *, channel: str, user_id: str, now: dt.datetime | None = None) -> list[str]:
    """Unlink a citizen from the tips they filed (facts about the scammer stay); their ref codes.

    Their id, name, own contact number (also blanked out of the tips' text) and network-address key
    go; the tips keep one random reporter key, so the checks still count them as one person's.
    """
    tips = TIPS
    mine = (tips.c.channel == channel, tips.c.reporter_id == user_id)
    rows = session.execute(
        select(tips.c.id, tips.c.ref_code, tips.c.reporter_contact, tips.c.turns)
        .where(*mine)
        .order_by(tips.c.id)
    ).all()
    token = f"forgotten:{uuid.uuid4().hex}"
    for tip_id, _, contact, turns in rows:
        values: dict[str, Any] = {
            "reporter_id": None,
            "reporter_name": None,
            "reporter_contact": None,
            "reporter_key": token,
            "updated_at": now or utcnow(),
        }
        if contact:
            values["turns"] = [_blank_number(t, contact) for t in turns or []]
        session.execute(update(tips).where(tips.c.id == tip_id).values(**values))
    return [ref for _, ref, _, _ in rows]


def _blank_number(text: str, e164: str) -> str:
    """`text` with the phone number `e164` blanked out however it was written (0912 345 678,
    +84912345678, 0912.345.678)."""
    national = e164[3:] if e164.startswith("+84") else e164.lstrip("+")
    digits = r"[\s.\-]*".join(re.escape(d) for d in national)
    pattern = re.compile(rf"(?<!\d)(?:(?:(?:\+|00)?84|0)[\s.\-]*)?{digits}(?!\d)")
    return pattern.sub("[số liên hệ đã xóa]", text)
