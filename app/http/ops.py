"""Operations endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine as Database
from sqlalchemy import text

from app.http.security import client_host, is_loopback
from app.http.state import ChannelsDep, DatabaseDep, MetricsDep, ResponderDep, SettingsDep
from app.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers (nothing else is checked: restarting would not fix a database outage)."""
    return {"status": "ok"}


def _database_ok(db: Database) -> bool:
    try:
        with db.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/readyz")
async def readyz(db: DatabaseDep, responder: ResponderDep, channels: ChannelsDep) -> JSONResponse:
    """Ready to take traffic: the database answers and the scam catalogue is loaded."""
    database = await asyncio.to_thread(_database_ok, db)
    catalogue = len(responder.analyzer.tactics)
    checks = {"database": database, "catalogue": catalogue > 0}
    body = {
        "status": "ready" if all(checks.values()) else "not ready",
        "checks": checks,
        "tactics": catalogue,
        "channels": {name: not channel.missing for name, channel in channels.items()},
    }
    return JSONResponse(body, status_code=200 if all(checks.values()) else 503)


def metrics_allowed(request: Request, settings: Settings) -> bool:
    """With CANHGIAC_METRICS_TOKEN set, its bearer token from anyone; without it, loopback only."""
    token = settings.metrics_token
    expected = token.get_secret_value() if token is not None else ""
    if not expected:
        return is_loopback(client_host(request))
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())


@router.get("/metrics")
async def metrics(request: Request, settings: SettingsDep, registry: MetricsDep) -> Response:
    if not metrics_allowed(request, settings):
        return JSONResponse({"detail": "Không có quyền truy cập."}, status_code=403)
    body, content_type = await asyncio.to_thread(registry.render)
    return Response(body, media_type=content_type)
