"""The console's handoff pages: the queue, one conversation, take / reply / release, and the small
JSON the open page polls (`static/queue.js`, no inline script: the CSP is `default-src 'self'`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.console import conversations
from app.console.accounts import Viewer
from app.console.views import CheckedOfficer, Officer, _render
from app.db import transaction, utcnow
from app.http.state import State

__all__ = ["router"]

router = APIRouter(prefix="/console", include_in_schema=False)

_JS = (Path(__file__).parent / "static" / "queue.js").read_bytes()
_NOT_FOUND = "Không có cuộc trò chuyện này."


def _missing(request: Request, viewer: Viewer) -> HTMLResponse:
    return _render(request, "error.html", viewer=viewer, status_code=404, message=_NOT_FOUND)


def _refused(request: Request, viewer: Viewer, message: str, status_code: int) -> HTMLResponse:
    return _render(request, "error.html", viewer=viewer, status_code=status_code, message=message)


@router.get("/static/queue.js")
def queue_script() -> Response:
    return Response(
        _JS, media_type="text/javascript; charset=utf-8", headers={"cache-control": "max-age=3600"}
    )


@router.get("/conversations")
def queue_page(request: Request, state: State, viewer: Officer) -> HTMLResponse:
    with transaction(state.db) as session:
        items = conversations.queue_for(session, viewer=viewer, now=utcnow())
    return _render(request, "conversations.html", viewer=viewer, items=items)


@router.get("/conversations.json")
def queue_json(state: State, viewer: Officer) -> JSONResponse:
    with transaction(state.db) as session:
        summary = conversations.queue_summary(session, viewer=viewer)
    return JSONResponse(summary, headers={"cache-control": "no-store"})


@router.get("/conversations/{handoff_id}")
def conversation_page(request: Request, state: State, viewer: Officer, handoff_id: int) -> HTMLResponse:
    with transaction(state.db) as session:
        item = conversations.conversation_for(
            session,
            viewer=viewer,
            handoff_id=handoff_id,
            analyzer=state.responder.analyzer,
            now=utcnow(),
        )
        if item is None:
            return _missing(request, viewer)
        return _render(request, "conversation.html", viewer=viewer, item=item, canned=conversations.CANNED)


def _act(
    request: Request, state: State, viewer: Viewer, handoff_id: int, action: str, text: str = ""
) -> Response:
    try:
        with transaction(state.db) as session:
            now = utcnow()
            if action == "take":
                row = conversations.take(session, viewer=viewer, handoff_id=handoff_id, now=now)
            elif action == "release":
                row = conversations.release(session, viewer=viewer, handoff_id=handoff_id, now=now)
            else:
                row = conversations.reply(session, viewer=viewer, handoff_id=handoff_id, text=text, now=now)
            if row is None:
                session.rollback()
                return _missing(request, viewer)
            session.commit()
    except conversations.NotAllowed as exc:
        return _refused(request, viewer, str(exc), 403 if not viewer.can_change else 409)
    return RedirectResponse(f"/console/conversations/{handoff_id}", status_code=303)


@router.post("/conversations/{handoff_id}/take")
def take(request: Request, state: State, viewer: CheckedOfficer, handoff_id: int) -> Response:
    return _act(request, state, viewer, handoff_id, "take")


@router.post("/conversations/{handoff_id}/release")
def release(request: Request, state: State, viewer: CheckedOfficer, handoff_id: int) -> Response:
    return _act(request, state, viewer, handoff_id, "release")


@router.post("/conversations/{handoff_id}/reply")
def reply(
    request: Request,
    state: State,
    viewer: CheckedOfficer,
    handoff_id: int,
    text: Annotated[str, Form(max_length=4000)] = "",
    canned: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if not text.strip() and canned.isdigit() and int(canned) < len(conversations.CANNED):
        text = conversations.CANNED[int(canned)][1]
    return _act(request, state, viewer, handoff_id, "reply", text)
