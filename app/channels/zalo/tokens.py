"""Zalo OA access tokens: read from the database, refreshed once at a time, stored before use.

A Zalo refresh token works exactly once. Two refreshes racing (two sends on one worker, or two
workers) would burn it and lock the OA out until an operator re-authorises the app. So:

- in this process, one `asyncio.Lock` per OA: concurrent sends wait for the one refresh;
- across processes, a lease on the token row (compare-and-set on `refreshing_until`): only the
  holder calls Zalo, the others wait until the row carries a new access token;
- the new pair is committed to the database before anyone uses it;
- a token whose expiry is known is refreshed `refresh_margin` before it runs out.

The environment (CANHGIAC_ZALO_ACCESS_TOKEN / CANHGIAC_ZALO_REFRESH_TOKEN, or the per-OA variables
named in provinces.yaml, with `<NAME>_REFRESH` for the refresh token) only seeds the row. Once a
refresh happened, the database holds the live pair; setting a different pair in the environment
(after re-authorising the app) replaces it at the next start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import httpx
from sqlalchemy import Engine, Table, select, update
from sqlmodel import Session

from app.channels.zalo.models import ZaloToken
from app.contracts.channel import ChannelAuthError, ChannelError, ChannelTemporaryError
from app.db import as_utc, transaction, upsert_insert, utcnow

__all__ = ["DEFAULT_KEY", "TokenPair", "TokenSeed", "ZaloTokenStore"]

log = logging.getLogger(__name__)

TOKENS = cast(Table, ZaloToken.__table__)  # type: ignore[attr-defined]
DEFAULT_KEY = "default"


@dataclass(frozen=True, slots=True)
class TokenSeed:
    """A token pair given by the operator through the environment."""

    access_token: str
    refresh_token: str | None = None

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.access_token}\0{self.refresh_token or ''}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str | None
    expires_at: dt.datetime | None


class ZaloTokenStore:
    """The current token of each OA, refreshed safely."""

    def __init__(
        self,
        db: Engine,
        http: httpx.AsyncClient,
        *,
        oauth_base: str,
        app_id: str | None,
        app_secret: str | None,
        seeds: Mapping[str, TokenSeed],
        refresh_margin: float = 600.0,
        lease_seconds: float = 30.0,
    ) -> None:
        self._db = db
        self._http = http
        self._oauth_url = oauth_base.rstrip("/") + "/v4/oa/access_token"
        self._app_id = app_id
        self._app_secret = app_secret
        self._seeds = dict(seeds)
        self._margin = dt.timedelta(seconds=refresh_margin)
        self._lease = lease_seconds
        self._current: dict[str, TokenPair] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def key_for(self, oa_id: str) -> str | None:
        """Which token pair serves this OA: its own, else the deployment-wide one."""
        if oa_id in self._seeds:
            return oa_id
        return DEFAULT_KEY if DEFAULT_KEY in self._seeds else None

    @property
    def has_tokens(self) -> bool:
        return bool(self._seeds)

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def access_token(self, key: str) -> str:
        """The token to send with now (refreshed first when it is about to expire)."""
        if key not in self._current:
            async with self._lock(key):
                if key not in self._current:
                    self._current[key] = await asyncio.to_thread(self._ensure_row, key)
        pair = self._current[key]
        if (
            pair.expires_at is not None
            and pair.expires_at - utcnow() < self._margin
            and self.can_refresh(pair)
        ):
            try:
                return await self.refresh(key, rejected=pair.access_token)
            except ChannelError as exc:
                if pair.expires_at > utcnow():  # still valid: use it, try again on the next send
                    log.warning(
                        "zalo token refresh ahead of expiry failed (%s); using the current token", exc
                    )
                    return pair.access_token
                raise
        return pair.access_token

    def can_refresh(self, pair: TokenPair | None = None) -> bool:
        has_refresh = pair is None or bool(pair.refresh_token)
        return bool(self._app_id and self._app_secret and has_refresh)

    async def refresh(self, key: str, *, rejected: str) -> str:
        """A fresh access token after `rejected` was refused or ran out; one refresh at a time."""
        async with self._lock(key):
            pair = await asyncio.to_thread(self._read, key)
            if pair.access_token != rejected:  # someone refreshed while we waited
                self._current[key] = pair
                return pair.access_token
            refresh_token = pair.refresh_token
            if not (self.can_refresh(pair) and refresh_token):
                raise ChannelAuthError(
                    "zalo access token refused and no refresh token / app secret to renew it"
                )
            deadline = time.monotonic() + self._lease + 5
            while not await asyncio.to_thread(self._take_lease, key, rejected):
                if time.monotonic() > deadline:
                    raise ChannelTemporaryError(
                        "zalo token refresh by another worker did not finish", code="refresh"
                    )
                await asyncio.sleep(0.2)
                pair = await asyncio.to_thread(self._read, key)
                if pair.access_token != rejected:
                    self._current[key] = pair
                    return pair.access_token
            try:
                new = await self._call_oauth(refresh_token)
            except BaseException:
                await asyncio.shield(asyncio.to_thread(self._release_lease, key))
                raise
            await asyncio.shield(self._store_durably(key, new))  # committed before anyone uses it
            self._current[key] = new
            log.info("zalo access token refreshed for %s", key)
            return new.access_token

    async def _store_durably(self, key: str, pair: TokenPair) -> None:
        """Commit the new pair, insisting: the old refresh token is already spent."""
        for attempt in range(5):
            try:
                await asyncio.to_thread(self._store, key, pair)
                return
            except Exception as exc:
                log.error(
                    "storing the refreshed zalo token failed (attempt %d): %s",
                    attempt + 1,
                    type(exc).__name__,
                )
                await asyncio.sleep(0.2 * 2**attempt)
        # Nothing else holds the new pair: keep using it in this process rather than lose it.
        log.critical("refreshed zalo token for %s could not be stored; only this process has it", key)

    async def _call_oauth(self, refresh_token: str) -> TokenPair:
        assert self._app_id is not None and self._app_secret is not None  # checked by can_refresh
        try:
            response = await self._http.post(
                self._oauth_url,
                data={"refresh_token": refresh_token, "app_id": self._app_id, "grant_type": "refresh_token"},
                headers={"secret_key": self._app_secret},
            )
        except httpx.TransportError as exc:  # includes timeouts
            raise ChannelTemporaryError(
                f"zalo oauth unreachable: {type(exc).__name__}", code="network"
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise ChannelTemporaryError(
                f"zalo oauth HTTP {response.status_code}", code=str(response.status_code)
            )
        try:
            data: Any = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
            code = data.get("error") if isinstance(data, dict) else None
            name = data.get("error_name", "") if isinstance(data, dict) else ""
            raise ChannelAuthError(f"zalo oauth refused the refresh: {code} {name}".strip(), code=str(code))
        try:
            seconds = int(str(data.get("expires_in", "")).strip())  # documented as a string: "90000"
        except ValueError:
            seconds = 0
        expires = utcnow() + dt.timedelta(seconds=seconds) if seconds > 0 else None
        return TokenPair(str(data["access_token"]), str(data["refresh_token"]), expires)

    # --- database (run in a thread) ---

    def _pair(self, row: Any) -> TokenPair:
        expires = as_utc(row.expires_at) if row.expires_at is not None else None
        return TokenPair(row.access_token, row.refresh_token, expires)

    def _read(self, key: str) -> TokenPair:
        with Session(self._db) as session:
            row = session.execute(select(TOKENS).where(TOKENS.c.oa_key == key)).first()
        return self._pair(row) if row is not None else self._ensure_row(key)

    def _ensure_row(self, key: str) -> TokenPair:
        """The stored pair, seeded from the environment on first use or when the operator changed it."""
        seed = self._seeds[key]
        fingerprint = seed.fingerprint()
        now = utcnow()
        with transaction(self._db) as session:
            row = session.execute(select(TOKENS).where(TOKENS.c.oa_key == key)).first()
            if row is None:
                insert = upsert_insert(TOKENS, session.get_bind().dialect.name)
                session.execute(
                    insert.values(
                        oa_key=key,
                        access_token=seed.access_token,
                        refresh_token=seed.refresh_token,
                        expires_at=None,
                        seed_fingerprint=fingerprint,
                        updated_at=now,
                    ).on_conflict_do_nothing(index_elements=["oa_key"])
                )
            elif row.seed_fingerprint != fingerprint:
                log.info("zalo token pair for %s replaced by the one set in the environment", key)
                session.execute(
                    update(TOKENS)
                    .where(TOKENS.c.oa_key == key, TOKENS.c.seed_fingerprint == row.seed_fingerprint)
                    .values(
                        access_token=seed.access_token,
                        refresh_token=seed.refresh_token,
                        expires_at=None,
                        seed_fingerprint=fingerprint,
                        refreshing_until=None,
                        updated_at=now,
                    )
                )
            session.commit()
            row = session.execute(select(TOKENS).where(TOKENS.c.oa_key == key)).one()
        return self._pair(row)

    def _take_lease(self, key: str, rejected: str) -> bool:
        now = utcnow()
        with transaction(self._db) as session:
            result = session.execute(
                update(TOKENS)
                .where(
                    TOKENS.c.oa_key == key,
                    TOKENS.c.access_token == rejected,
                    (TOKENS.c.refreshing_until.is_(None)) | (TOKENS.c.refreshing_until < now),
                )
                .values(refreshing_until=now + dt.timedelta(seconds=self._lease))
            )
            session.commit()
        return cast(int, getattr(result, "rowcount", 0)) == 1

    def _release_lease(self, key: str) -> None:
        with transaction(self._db) as session:
            session.execute(update(TOKENS).where(TOKENS.c.oa_key == key).values(refreshing_until=None))
            session.commit()

    def _store(self, key: str, pair: TokenPair) -> None:
        with transaction(self._db) as session:
            session.execute(
                update(TOKENS)
                .where(TOKENS.c.oa_key == key)
                .values(
                    access_token=pair.access_token,
                    refresh_token=pair.refresh_token,
                    expires_at=pair.expires_at,
                    refreshing_until=None,
                    updated_at=utcnow(),
                )
            )
            session.commit()
