"""Warning lists received by the police (scam domains, links, phone numbers, bank accounts).

One row per list (`blocklist_sources`: its name, when it was last imported and what that import
brought), one per item (`blocklist_entries`, indexed on kind + value for the checks), and a log of
imports. An item may be on several lists; each list holds it once.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

__all__ = ["ENTRIES", "IMPORTS", "SOURCES", "BlocklistEntry", "BlocklistImport", "BlocklistSource", "Kind"]


class Kind(StrEnum):
    """What a list holds."""

    domain = "domain"  # a host: the domain and every subdomain of it are listed
    url = "url"  # one exact link (host + path + query)
    phone = "phone"  # E.164
    account = "account"  # bank account or e-wallet number, digits only


class BlocklistSource(SQLModel, table=True):
    """One warning list, by the name officers gave it at import ("Cục ATTT")."""

    __tablename__ = "blocklist_sources"
    __table_args__ = (UniqueConstraint("name", name="uq_blocklist_sources_name"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    name: str = Field(sa_column=Column(String(128), nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    imported_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


def _source_fk() -> Column[Any]:
    return Column(Integer, ForeignKey("blocklist_sources.id", ondelete="CASCADE"), nullable=False)


class BlocklistEntry(SQLModel, table=True):
    """One listed item. `stem` (domains and links) is the name without its ending, hyphens or
    trailing digits ("vietcombank-hotro247.top" -> "vietcombankhotro"): a link whose stem equals a
    listed one is a near copy of a listed site."""

    __tablename__ = "blocklist_entries"
    __table_args__ = (
        UniqueConstraint("source_id", "kind", "value", name="uq_blocklist_entries_source_kind_value"),
        Index("ix_blocklist_entries_kind_value", "kind", "value"),
        Index("ix_blocklist_entries_stem", "stem"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    source_id: int = Field(sa_column=_source_fk())
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    value: str = Field(sa_column=Column(String(512), nullable=False))
    stem: str | None = Field(default=None, sa_column=Column(String(253), nullable=True))
    added_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class BlocklistImport(SQLModel, table=True):
    """One run of `canhgiac blocklist import`: what it read, added and skipped."""

    __tablename__ = "blocklist_imports"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    source_id: int = Field(sa_column=_source_fk())
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    file_name: str = Field(default="", sa_column=Column(String(256), nullable=False))
    imported_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    lines: int = Field(default=0, sa_column=Column(Integer, nullable=False))  # items read (valid)
    added: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    removed: int = Field(default=0, sa_column=Column(Integer, nullable=False))  # with --replace
    bad: int = Field(default=0, sa_column=Column(Integer, nullable=False))


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


SOURCES = _table(BlocklistSource)
ENTRIES = _table(BlocklistEntry)
IMPORTS = _table(BlocklistImport)
