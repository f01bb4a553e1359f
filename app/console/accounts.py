"""Officers and their sign-ins: passwords (argon2), sessions, the lockout, CSRF, the audit log.

Keyword-only functions over a Session; they never commit (the caller's `transaction` does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlmodel import Session

from app.console.models import AUDIT, OFFICERS, SESSIONS, AuditEntry, Officer, OfficerSession, Role
from app.db import utcnow
from app.settings import Settings

__all__ = [
    "AuditRow",
    "LoginRefused",
    "OfficerExists",
    "SignIn",
    "Viewer",
    "add_officer",
    "audit",
    "csrf_ok",
    "disable_officer",
    "end_session",
    "hash_password",
    "list_audit",
    "list_officers",
    "sign_in",
    "verify_password",
    "viewer_for",
]

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
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
