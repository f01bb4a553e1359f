"""Officer endpoints: tip exports for the admin (`GET /admin/tips.csv|.xlsx|.jsonl`).

Bearer-token auth against CANHGIAC_ADMIN_TOKEN, compared in constant time. Without a configured
token the endpoints do not exist (404); a missing or wrong token is 401.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import Engine as Database

from app.conversation.responder import Responder
from app.db import utcnow
from app.http.state import DatabaseDep, ResponderDep, SettingsDep
from app.settings import Settings
from app.text.formatting import VN_TZ
from app.tips.export import MEDIA_TYPES, ExportFormat, ExportOptions, chunks, pseudonym_key
from app.tips.models import TipStatus
from app.tips.service import TipFilter, iter_tips

__all__ = ["ExportQuery", "export_response", "require_admin", "router"]


EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


async def require_admin(
    settings: SettingsDep, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> None:
    """Refuse a request without the admin token (404 when no token is configured at all)."""
    token = settings.admin_token
    expected = token.get_secret_value() if token is not None else ""
    if not expected:
        raise HTTPException(status_code=404, detail="Not Found")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise HTTPException(
            status_code=401, detail="Sai hoặc thiếu mã quản trị.", headers={"WWW-Authenticate": "Bearer"}
        )


router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


class ExportQuery(BaseModel):
    """The export filters, as query parameters (dates are Vietnam-time days, inclusive)."""

    model_config = ConfigDict(extra="forbid")

    since: dt.date | None = None
    until: dt.date | None = None
    province: str | None = None
    tactic: str | None = None
    status: TipStatus | None = None
    include_reporter: bool = False

    @field_validator("since", "until")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        # Checked before the stream starts: dates at the ends of the calendar overflow once turned
        # into Vietnam-time instants, and no tip is older than the service or from the far future.
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValueError(f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")
        return value


Filters = Annotated[ExportQuery, Query()]


def _export(
    settings: Settings, responder: Responder, db: Database, query: ExportQuery, fmt: ExportFormat
) -> StreamingResponse:
    filters = TipFilter(
        since=query.since,
        until=query.until,
        province=query.province,
        tactic=query.tactic,
        status=query.status,
    )
    options = ExportOptions(
        pseudonym_key=pseudonym_key(settings),
        include_reporter=query.include_reporter,
        tactic_names={tid: t.name for tid, t in responder.analyzer.tactics.items()},
    )
    return export_response(db, filters=filters, options=options, fmt=fmt)


def export_response(
    db: Database, *, filters: TipFilter, options: ExportOptions, fmt: ExportFormat
) -> StreamingResponse:
    """The tips as a file to download, streamed (for the admin endpoints and the console)."""
    # The body is a plain iterator: Starlette reads it in a worker thread, so the database reads
    # and the XLSX writing never block the event loop.
    body = chunks(fmt, iter_tips(db, filters=filters), options=options)
    name = f"to-giac-{utcnow().astimezone(VN_TZ):%Y%m%d-%H%M}.{fmt}"
    headers = {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/tips.csv")
async def tips_csv(
    settings: SettingsDep, responder: ResponderDep, db: DatabaseDep, query: Filters
) -> StreamingResponse:
    """Tips as CSV (UTF-8 with BOM, Vietnamese headers) for Excel."""
    return _export(settings, responder, db, query, "csv")


@router.get("/tips.xlsx")
async def tips_xlsx(
    settings: SettingsDep, responder: ResponderDep, db: DatabaseDep, query: Filters
) -> StreamingResponse:
    """Tips as an Excel workbook."""
    return _export(settings, responder, db, query, "xlsx")


@router.get("/tips.jsonl")
async def tips_jsonl(
    settings: SettingsDep, responder: ResponderDep, db: DatabaseDep, query: Filters
) -> StreamingResponse:
    """Tips as JSON Lines (stable keys, UTC times)."""
    return _export(settings, responder, db, query, "jsonl")
