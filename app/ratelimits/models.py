"""Request counts per key and minute, shared by every worker process (the web chat's limits)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, Column, Integer, String, Table
from sqlmodel import Field, SQLModel

__all__ = ["RATE_COUNTS", "RateCount"]


class RateCount(SQLModel, table=True):
    """How many requests one key (a client address, a session) made in one minute."""

    __tablename__ = "rate_counts"

    key: str = Field(sa_column=Column(String(32), primary_key=True))
    minute: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False, index=True))
    hits: int = Field(sa_column=Column(Integer, nullable=False))


RATE_COUNTS = cast(Table, RateCount.__table__)  # type: ignore[attr-defined]
