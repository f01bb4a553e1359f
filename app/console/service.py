"""Tips as an officer sees them (scoped to a province), status changes with their history, and
the dashboard's figures. Officers, sign-ins and the audit log are in `accounts`.

Keyword-only functions over a Session; they never commit (the caller's `transaction` does).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    case,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlmodel import Session

from app.console.accounts import Viewer, audit
from app.console.models import (
    STATUS_CHANGES,
    TipStatusChange,
)
from app.db import utcnow
from app.nlu.entities import extract_entities
from app.text.formatting import VN_TZ
from app.text.links import link_parts
from app.tips.models import TIP_ACCOUNTS, TIP_LINKS, TIP_PHONES, TIP_TACTICS, TIPS, TipRead, TipStatus
from app.tips.service import TipFilter, TipNotFound, get_tip, list_tips, set_status

__all__ = [
    "Dashboard",
    "Mention",
    "StatusEntry",
    "TipPage",
    "TipQuery",
    "change_status",
    "dashboard",
    "related_tips",
    "scoped_filter",
    "status_history",
    "tip_for",
    "tips_page",
]

PER_PAGE = 50

# --------------------------------------------------------------------------- tips


@dataclass(frozen=True, slots=True)
class TipQuery:
    """The list's filters, as the query string gives them (dates are Vietnam-time days)."""

    since: dt.date | None = None
    until: dt.date | None = None
    tactic: str | None = None
    status: TipStatus | None = None
    q: str | None = None

    def params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links and the audit)."""
        values = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "tactic": self.tactic,
            "status": self.status.value if self.status else None,
            "q": self.q,
        }
        return {k: v for k, v in values.items() if v}


def _search(q: str) -> ColumnElement[bool]:
    """Tips whose reference code (or its beginning), phone, account or link matches the search box.

    One `id IN (... UNION ...)`: each part is an index lookup, and the tips are then fetched by id.
    """
    term = unicodedata.normalize("NFC", q).strip()[:200]
    ref = term.upper()
    parts: list[Select[Any]] = [
        select(TIPS.c.id).where(TIPS.c.ref_code >= ref, TIPS.c.ref_code < ref + "\uffff")
    ]
    phones = list(extract_entities(term).phones)
    if phones:
        parts.append(select(TIP_PHONES.c.tip_id).where(TIP_PHONES.c.phone.in_(phones)))
    digits = re.sub(r"\D", "", term)
    if len(digits) >= 6 and len(digits) == len(re.sub(r"[\s.\-]", "", term)):
        parts.append(select(TIP_ACCOUNTS.c.tip_id).where(TIP_ACCOUNTS.c.number == digits))
    if "." in term and " " not in term:
        link = link_parts(term)
        links = TIP_LINKS
        parts.append(select(links.c.tip_id).where(links.c.domain == link.domain))
        parts.append(select(links.c.tip_id).where(links.c.url_key == link.url_key[:512]))
    return TIPS.c.id.in_(parts[0] if len(parts) == 1 else union(*parts))


def scoped_filter(*, viewer: Viewer, query: TipQuery) -> TipFilter:
    """The tips filter for this officer: their province only, whatever the query says."""
    extra = (_search(query.q),) if query.q and query.q.strip() else ()
    return TipFilter(
        since=query.since,
        until=query.until,
        province=viewer.province,
        tactic=query.tactic or None,
        status=query.status,
        extra=extra,
    )


@dataclass(frozen=True, slots=True)
class TipPage:
    tips: list[TipRead]
    total: int
    page: int
    pages: int


def tips_page(session: Session, *, viewer: Viewer, query: TipQuery, page: int = 1) -> TipPage:
    """One page of the tips this officer may see, newest first."""
    filters = scoped_filter(viewer=viewer, query=query)
    total = int(session.execute(select(func.count()).select_from(TIPS).where(*filters.where())).scalar_one())
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    ids = list(
        session.execute(
            select(TIPS.c.id)
            .where(*filters.where())
            .order_by(TIPS.c.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        ).scalars()
    )
    tips = list_tips(session, filters=TipFilter(extra=(TIPS.c.id.in_(ids),)), limit=PER_PAGE) if ids else []
    return TipPage(tips=tips, total=total, page=page, pages=pages)


def tip_for(session: Session, *, viewer: Viewer, ref_code: str) -> TipRead | None:
    """The tip, if this officer may see it (another province's tip does not exist for them)."""
    tip = get_tip(session, ref_code=ref_code)
    if tip is None or not viewer.sees(tip.province):
        return None
    return tip


@dataclass(frozen=True, slots=True)
class StatusEntry:
    at: dt.datetime
    username: str
    from_status: TipStatus
    to_status: TipStatus
    note: str | None


def status_history(session: Session, *, tip_id: int) -> list[StatusEntry]:
    sc = STATUS_CHANGES
    rows = session.execute(
        select(sc.c.at, sc.c.username, sc.c.from_status, sc.c.to_status, sc.c.note)
        .where(sc.c.tip_id == tip_id)
        .order_by(sc.c.id)
    ).all()
    return [
        StatusEntry(r.at, r.username, TipStatus(r.from_status), TipStatus(r.to_status), r.note) for r in rows
    ]


def related_tips(session: Session, *, viewer: Viewer, tip: TipRead, limit: int = 20) -> list[TipRead]:
    """Other tips (this officer may see) naming one of this tip's phones, accounts or links."""
    link_keys = [link_parts(x.url).url_key[:512] for x in tip.links]
    shared: list[ColumnElement[bool]] = []
    if tip.phones:
        shared.append(TIPS.c.id.in_(select(TIP_PHONES.c.tip_id).where(TIP_PHONES.c.phone.in_(tip.phones))))
    if tip.accounts:
        numbers = [a.number for a in tip.accounts]
        shared.append(TIPS.c.id.in_(select(TIP_ACCOUNTS.c.tip_id).where(TIP_ACCOUNTS.c.number.in_(numbers))))
    if link_keys:
        shared.append(TIPS.c.id.in_(select(TIP_LINKS.c.tip_id).where(TIP_LINKS.c.url_key.in_(link_keys))))
    if not shared:
        return []
    filters = TipFilter(province=viewer.province, extra=(or_(*shared), TIPS.c.id != tip.id))
    return list_tips(session, filters=filters, limit=limit)


def change_status(
    session: Session,
    *,
    viewer: Viewer,
    ref_code: str,
    status: TipStatus,
    note: str | None,
    now: dt.datetime | None = None,
) -> TipRead:
    """Move a tip this officer may see to `status`, keeping who, when and the note in its history."""
    if not viewer.can_change:
        raise PermissionError("viewers cannot change a tip's status")
    now = now or utcnow()
    before = tip_for(session, viewer=viewer, ref_code=ref_code)
    if before is None:
        raise TipNotFound(ref_code)
    clean = unicodedata.normalize("NFC", note).strip()[:4000] if note else None
    after = set_status(session, ref_code=before.ref_code, status=status, note=clean or None, now=now)
    session.add(
        TipStatusChange(
            tip_id=before.id,
            at=now,
            officer_id=viewer.id,
            username=viewer.username,
            from_status=before.status.value,
            to_status=status.value,
            note=clean or None,
        )
    )
    audit(
        session,
        officer=viewer,
        action="status_change",
        tip_ref=before.ref_code,
        detail={"from": before.status.value, "to": status.value},
        now=now,
    )
    return after


# --------------------------------------------------------------------------- dashboard


@dataclass(frozen=True, slots=True)
class Mention:
    value: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime


@dataclass(frozen=True, slots=True)
class Dashboard:
    since: dt.date
    until: dt.date
    total: int  # in the period
    urgent_open: int  # urgent tips not closed (any time)
    by_status: dict[TipStatus, int]  # any time
    per_day: dict[dt.date, dict[str, int]]  # day -> tactic -> tips ("" for no tactic)
    phones: list[Mention]
    accounts: list[Mention]
    domains: list[Mention]


def _local_day(db: Engine | Any) -> ColumnElement[Any]:
    """The Vietnam-time calendar day of a tip, in SQL."""
    if db.dialect.name == "sqlite":
        return func.date(TIPS.c.created_at, literal_column("'+7 hours'"))
    return func.date(func.timezone(literal_column("'Asia/Ho_Chi_Minh'"), TIPS.c.created_at))


def dashboard(
    session: Session, *, viewer: Viewer, days: int = 30, today: dt.date | None = None, top: int = 10
) -> Dashboard:
    """The figures of the dashboard, for the province(s) this officer sees."""
    today = today or utcnow().astimezone(VN_TZ).date()
    since = today - dt.timedelta(days=days - 1)
    period = TipFilter(since=since, until=today, province=viewer.province)
    where = period.where()
    scope = TipFilter(province=viewer.province).where()
    total = int(session.execute(select(func.count()).select_from(TIPS).where(*where)).scalar_one())
    by_status = dict.fromkeys(TipStatus, 0)
    urgent = 0
    urgent_count = func.sum(case((TIPS.c.urgent.is_(True), 1), else_=0))
    for status, count, urgent_here in session.execute(
        select(TIPS.c.status, func.count(), urgent_count).where(*scope).group_by(TIPS.c.status)
    ).all():
        by_status[TipStatus(status)] = int(count)
        if status != TipStatus.da_dong.value:
            urgent += int(urgent_here or 0)
    day = _local_day(session.get_bind())
    tactic = TIP_TACTICS.c.tactic
    per_day: dict[dt.date, dict[str, int]] = {since + dt.timedelta(days=i): {} for i in range(days)}
    rows = session.execute(
        select(day.label("day"), tactic, func.count())
        .select_from(
            TIPS.outerjoin(TIP_TACTICS, (TIP_TACTICS.c.tip_id == TIPS.c.id) & (TIP_TACTICS.c.position == 0))
        )
        .where(*where)
        .group_by(day, tactic)
    ).all()
    for value, tactic_id, count in rows:
        key = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if key in per_day:
            per_day[key][tactic_id or ""] = int(count)
    return Dashboard(
        since=since,
        until=today,
        total=total,
        urgent_open=urgent,
        by_status=by_status,
        per_day=per_day,
        phones=_top(session, TIP_PHONES.c.phone, TIP_PHONES.c.tip_id, where, top),
        accounts=_top(session, TIP_ACCOUNTS.c.number, TIP_ACCOUNTS.c.tip_id, where, top),
        domains=_top(session, TIP_LINKS.c.domain, TIP_LINKS.c.tip_id, where, top),
    )


def _top(
    session: Session, column: Any, tip_id: Any, where: Sequence[ColumnElement[bool]], top: int
) -> list[Mention]:
    count = func.count(func.distinct(TIPS.c.id))
    rows = session.execute(
        select(column, count, func.min(TIPS.c.created_at), func.max(TIPS.c.created_at))
        .select_from(TIPS.join(column.table, tip_id == TIPS.c.id))
        .where(*where)
        .group_by(column)
        .order_by(count.desc(), column)
        .limit(top)
    ).all()
    return [Mention(value, int(n), _aware(first), _aware(last)) for value, n, first, last in rows]


def _aware(value: Any) -> dt.datetime:
    """Aggregates skip the column type: SQLite gives a naive datetime or a string back."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
