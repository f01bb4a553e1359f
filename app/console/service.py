"""The console's work: officers and their sign-ins, the audit log, tips as an officer sees them
(scoped to a province), status changes with their history, and the dashboard's figures.

Keyword-only functions over a Session; they never commit (the caller's `session_scope` does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    case,
    delete,
    func,
    literal_column,
    or_,
    select,
    union,
    update,
)
from sqlmodel import Session

from app.checks.domains import link_parts
from app.console.models import (
    AUDIT,
    OFFICERS,
    SESSIONS,
    STATUS_CHANGES,
    AuditEntry,
    Officer,
    OfficerSession,
    Role,
    TipStatusChange,
)
from app.nlu.entities import extract_entities
from app.settings import Settings
from app.storage import utcnow
from app.tips.models import TIP_ACCOUNTS, TIP_LINKS, TIP_PHONES, TIP_TACTICS, TIPS, VN_TZ, TipRead, TipStatus
from app.tips.service import TipFilter, TipNotFound, get_tip, list_tips, set_status

__all__ = [
    "STATUS_ALIASES",
    "AuditRow",
    "Dashboard",
    "LoginRefused",
    "Mention",
    "OfficerExists",
    "SignIn",
    "StatusEntry",
    "TipPage",
    "TipQuery",
    "Viewer",
    "add_officer",
    "audit",
    "change_status",
    "dashboard",
    "disable_officer",
    "end_session",
    "hash_password",
    "list_audit",
    "list_officers",
    "parse_status",
    "related_tips",
    "scoped_filter",
    "sign_in",
    "status_history",
    "tip_for",
    "tips_page",
    "verify_password",
    "viewer_for",
]

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Old names (before the console) still accepted where a status is typed.
STATUS_ALIASES = {"dang_xu_ly": TipStatus.dang_xac_minh, "dong": TipStatus.da_dong}
PER_PAGE = 50

_hasher = PasswordHasher()
# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password: equalises the time of unknown usernames")


class OfficerExists(ValueError):
    """An officer with this username exists already."""


class LoginRefused(Exception):
    """A sign-in that did not go through: `reason` is "bad" (wrong name or password) or "locked"."""

    def __init__(self, reason: Literal["bad", "locked"]) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_status(value: str) -> TipStatus:
    """A status from its value or an old alias; ValueError for anything else."""
    value = value.strip().lower()
    if value in STATUS_ALIASES:
        return STATUS_ALIASES[value]
    return TipStatus(value)


# --------------------------------------------------------------------------- passwords, officers


def hash_password(password: str) -> str:
    """An argon2id hash (salted, with its parameters) of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def add_officer(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    province: str | None,
    now: dt.datetime | None = None,
) -> Officer:
    """A new officer (`province` None: every province). Raises OfficerExists or ValueError."""
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValueError("username: 2-64 lowercase letters, digits, '.', '_' or '-'")
    if len(password) < 10:
        raise ValueError("password: at least 10 characters")
    if session.execute(select(OFFICERS.c.id).where(OFFICERS.c.username == name)).first() is not None:
        raise OfficerExists(name)
    officer = Officer(
        username=name,
        password_hash=hash_password(password),
        role=role.value,
        province=province,
        active=True,
        created_at=now or utcnow(),
    )
    session.add(officer)
    session.flush()
    return officer


def list_officers(session: Session) -> list[Officer]:
    return list(session.exec(select(Officer).order_by(OFFICERS.c.username)).scalars())  # type: ignore[call-overload]


def disable_officer(session: Session, *, username: str, now: dt.datetime | None = None) -> bool:
    """Disable an account and end its sessions at once; False when there is no such officer."""
    name = username.strip().lower()
    officer_id = session.execute(select(OFFICERS.c.id).where(OFFICERS.c.username == name)).scalar()
    if officer_id is None:
        return False
    session.execute(
        update(OFFICERS).where(OFFICERS.c.id == officer_id).values(active=False, disabled_at=now or utcnow())
    )
    session.execute(delete(SESSIONS).where(SESSIONS.c.officer_id == officer_id))
    return True


# --------------------------------------------------------------------------- sign-in


@dataclass(frozen=True, slots=True)
class Viewer:
    """The officer behind a request."""

    id: int
    username: str
    role: Role
    province: str | None  # None: every province
    csrf_token: str = field(repr=False)

    @property
    def can_change(self) -> bool:
        return self.role in (Role.investigator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def sees(self, province: str) -> bool:
        return self.province is None or self.province == province


@dataclass(frozen=True, slots=True)
class SignIn:
    viewer: Viewer
    token: str = field(repr=False)  # goes in the cookie; only its SHA-256 is stored
    expires_at: dt.datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _locked(session: Session, *, username: str, settings: Settings, now: dt.datetime) -> bool:
    """Whether `attempts` wrong passwords fell within one window that ended less than the lockout
    period ago."""
    attempts = settings.console_lockout_attempts
    window = dt.timedelta(minutes=settings.console_lockout_window_minutes)
    lockout = dt.timedelta(minutes=settings.console_lockout_minutes)
    times = list(
        session.execute(
            select(AUDIT.c.at)
            .where(
                AUDIT.c.username == username,
                AUDIT.c.action == "login_failed",
                AUDIT.c.at >= now - lockout - window,
            )
            .order_by(AUDIT.c.at)
        ).scalars()
    )
    for i in range(len(times) - attempts + 1):
        last = times[i + attempts - 1]
        if last - times[i] <= window and last > now - lockout:
            return True
    return False


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    settings: Settings,
    client: str = "",
    now: dt.datetime | None = None,
) -> SignIn:
    """A new session for the right password; raises LoginRefused. Every attempt is audited."""
    now = now or utcnow()
    name = unicodedata.normalize("NFC", username).strip().lower()[:64]
    officer = session.exec(select(Officer).where(OFFICERS.c.username == name)).scalars().first()  # type: ignore[call-overload]
    if _locked(session, username=name, settings=settings, now=now):
        audit(session, officer=None, username=name, action="login_locked", detail={"client": client}, now=now)
        raise LoginRefused("locked")
    good = verify_password(officer.password_hash if officer is not None else _DUMMY_HASH, password)
    if officer is None or not good or not officer.active:
        reason = "disabled" if officer is not None and good else "bad_password"
        audit(
            session,
            officer=None,
            username=name,
            action="login_failed",
            detail={"client": client, "reason": reason},
            now=now,
        )
        raise LoginRefused("bad")
    assert officer.id is not None
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=settings.console_session_hours)
    session.add(
        OfficerSession(
            token_hash=_token_hash(token),
            officer_id=officer.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    if _hasher.check_needs_rehash(officer.password_hash):
        officer.password_hash = hash_password(password)
    viewer = Viewer(officer.id, officer.username, Role(officer.role), officer.province, csrf)
    audit(session, officer=viewer, action="login", detail={"client": client}, now=now)
    return SignIn(viewer=viewer, token=token, expires_at=expires)


def viewer_for(session: Session, *, token: str, now: dt.datetime | None = None) -> Viewer | None:
    """The active officer whose unexpired session this cookie token opens."""
    if not token:
        return None
    row = session.execute(
        select(
            OFFICERS.c.id, OFFICERS.c.username, OFFICERS.c.role, OFFICERS.c.province, SESSIONS.c.csrf_token
        )
        .join(OFFICERS, OFFICERS.c.id == SESSIONS.c.officer_id)
        .where(
            SESSIONS.c.token_hash == _token_hash(token),
            SESSIONS.c.expires_at > (now or utcnow()),
            OFFICERS.c.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    return Viewer(row.id, row.username, Role(row.role), row.province, row.csrf_token)


def end_session(session: Session, *, token: str, viewer: Viewer, now: dt.datetime | None = None) -> None:
    session.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == _token_hash(token)))
    audit(session, officer=viewer, action="logout", now=now)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


# --------------------------------------------------------------------------- audit


def audit(
    session: Session,
    *,
    officer: Viewer | None,
    action: str,
    username: str | None = None,
    tip_ref: str | None = None,
    detail: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Append one entry to the audit log (entries are never changed nor deleted)."""
    session.add(
        AuditEntry(
            at=now or utcnow(),
            officer_id=officer.id if officer is not None else None,
            username=(officer.username if officer is not None else username or "")[:64],
            action=action,
            tip_ref=tip_ref,
            detail=detail or {},
        )
    )
    session.flush()


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: dt.datetime
    username: str
    action: str
    tip_ref: str | None
    detail: dict[str, Any]


def list_audit(
    session: Session, *, action: str | None = None, username: str | None = None, page: int = 1
) -> tuple[list[AuditRow], bool]:
    """Newest first, PER_PAGE at a time; and whether there is a next page."""
    stmt = select(AUDIT.c.at, AUDIT.c.username, AUDIT.c.action, AUDIT.c.tip_ref, AUDIT.c.detail)
    if action:
        stmt = stmt.where(AUDIT.c.action == action)
    if username:
        stmt = stmt.where(AUDIT.c.username == username.strip().lower())
    rows = session.execute(
        stmt.order_by(AUDIT.c.id.desc()).offset((max(page, 1) - 1) * PER_PAGE).limit(PER_PAGE + 1)
    ).all()
    out = [AuditRow(r.at, r.username, r.action, r.tip_ref, r.detail or {}) for r in rows[:PER_PAGE]]
    return out, len(rows) > PER_PAGE


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
