"""The Zalo OA token pair, kept in the database: a refresh token works once, so the new pair must be
stored before it is used, and every worker must read the same one."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime

__all__ = ["ZaloToken"]


class ZaloToken(SQLModel, table=True):
    """The current access / refresh token pair of one OA ("default" for the deployment-wide pair)."""

    __tablename__ = "zalo_tokens"

    oa_key: str = Field(primary_key=True, max_length=128)
    access_token: str = Field(sa_type=sa.Text)
    refresh_token: str | None = Field(default=None, sa_type=sa.Text)
    expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)  # unknown for seeded tokens
    # SHA-256 of the pair the environment gave: when the operator sets a new pair, it replaces ours.
    seed_fingerprint: str = Field(max_length=64)
    # A process refreshing the pair holds this lease; others wait for the new pair instead.
    refreshing_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
