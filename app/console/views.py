"""The officer console's pages under /console/: thin routes over `app.console.service`.

Server-rendered (Jinja2, autoescaped: every text a citizen wrote is escaped), no script but the handoff
queue's small poller (`static/queue.js`, served by `conversation_views`), charts as
SVG drawn on the server, one stylesheet served from here: the pages load nothing from another
origin and live with `Content-Security-Policy: default-src 'self'` (set for every response by
`app.ops.security.SecurityHeaders`).

Routes are plain `def`: FastAPI runs them in its thread pool, where the database calls belong.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.console import accounts, service, unmatched
from app.console.accounts import Viewer
from app.console.charts import stacked_bars
from app.console.service import TipQuery
from app.db import transaction
from app.http.admin import export_response
from app.http.security import client_host, is_loopback
from app.http.state import AppState, State
from app.text.formatting import VN_TZ, format_phone, format_vnd
from app.tips.export import (
    ExportFormat,
    ExportOptions,
    PseudonymKeyMissing,
    pseudonym_key,
)
from app.tips.models import TipStatus
from app.tips.service import TipNotFound

__all__ = ["COOKIE", "router"]

router = APIRouter(prefix="/console", include_in_schema=False)

HERE = Path(__file__).parent
COOKIE = "canhgiac_console"
LOGIN_COOKIE = "canhgiac_login_csrf"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_CSS = (HERE / "static" / "console.css").read_bytes()


def _vn_time(value: dt.datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if value is not None else "—"


def _vn_day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.astimezone(VN_TZ).date()
    return value.strftime("%d/%m/%Y")


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, auto_reload=False
)
templates.filters.update(vn_time=_vn_time, vn_day=_vn_day, phone=format_phone, vnd=format_vnd)
templates.globals.update(statuses=list(TipStatus))


def _secure(request: Request) -> bool:
    """Cookies are Secure unless the console is reached on this machine over plain HTTP."""
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").lower()
    return not (host in _LOOPBACK_NAMES or is_loopback(host))


def _render(
    request: Request, name: str, *, viewer: Viewer | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    state: AppState = request.app.state.canhgiac
    names = {tid: t.name for tid, t in state.responder.analyzer.tactics.items()}
    body = templates.get_template(name).render(
        viewer=viewer, tactic_names=names, path=request.url.path, **context
    )
    return HTMLResponse(body, status_code=status_code, headers={"cache-control": "no-store"})


# --------------------------------------------------------------------------- dependencies


def current_viewer(request: Request, state: State) -> Viewer:
    """The signed-in officer; otherwise a redirect to the sign-in page."""
    token = request.cookies.get(COOKIE, "")
    viewer = None
    if token:
        with transaction(state.db) as session:
            viewer = accounts.viewer_for(session, token=token)
    if viewer is None:
        raise HTTPException(status_code=303, detail="Cần đăng nhập.", headers={"location": "/console/login"})
    return viewer


Officer = Annotated[Viewer, Depends(current_viewer)]


def checked_viewer(viewer: Officer, csrf_token: Annotated[str, Form()] = "") -> Viewer:
    """The signed-in officer, for a form whose CSRF token is this session's (403 otherwise)."""
    if not accounts.csrf_ok(viewer.csrf_token, csrf_token):
        raise HTTPException(status_code=403, detail="Phiên làm việc không hợp lệ: tải lại trang rồi thử lại.")
    return viewer


CheckedOfficer = Annotated[Viewer, Depends(checked_viewer)]


def _date(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None
    return day if day is None or dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31) else None


def tip_query(since: str = "", until: str = "", tactic: str = "", status: str = "", q: str = "") -> TipQuery:
    """The list's filters from the query string; a value that does not parse is ignored."""
    try:
        chosen = TipStatus.parse(status) if status.strip() else None
    except ValueError:
        chosen = None
    return TipQuery(
        since=_date(since),
        until=_date(until),
        tactic=tactic.strip()[:64] or None,
        status=chosen,
        q=q.strip()[:200] or None,
    )


Query = Annotated[TipQuery, Depends(tip_query)]


# --------------------------------------------------------------------------- sign-in


@router.get("/static/console.css")
def stylesheet() -> Response:
    return Response(_CSS, media_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _render(request, "login.html", viewer=None, csrf_token=token, error=None)
    _login_cookie(request, response, token)
    return response


def _login_again(request: Request, error: str, status_code: int) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _render(
        request, "login.html", viewer=None, csrf_token=token, error=error, status_code=status_code
    )
    _login_cookie(request, response, token)
    return response


def _login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, token, path="/console/login", httponly=True, samesite="strict", secure=_secure(request)
    )


@router.post("/login")
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not accounts.csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), csrf_token):
        # A form from another site, or one left open while another tab signed in: a fresh form.
        return _login_again(request, "Phiên đăng nhập đã hết hạn. Vui lòng nhập lại.", 403)
    signed: accounts.SignIn | None = None
    refused: accounts.LoginRefused | None = None
    with transaction(state.db) as session:  # a refused attempt is audited too: caught inside
        try:
            signed = accounts.sign_in(
                session,
                username=username,
                password=password,
                settings=state.settings,
                client=client_host(request),
            )
        except accounts.LoginRefused as exc:
            refused = exc
    if signed is None:
        assert refused is not None
        error = (
            "Tài khoản tạm khóa vì nhập sai mật khẩu nhiều lần. Thử lại sau ít phút."
            if refused.reason == "locked"
            else "Sai tên đăng nhập hoặc mật khẩu."
        )
        return _login_again(request, error, 401)
    redirect = RedirectResponse("/console/", status_code=303)
    redirect.set_cookie(
        COOKIE,
        signed.token,
        max_age=state.settings.console_session_hours * 3600,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    redirect.delete_cookie(LOGIN_COOKIE, path="/console/login")
    return redirect


@router.post("/logout")
def logout(request: Request, state: State, viewer: CheckedOfficer) -> Response:
    with transaction(state.db) as session:
        accounts.end_session(session, token=request.cookies.get(COOKIE, ""), viewer=viewer)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


# --------------------------------------------------------------------------- pages


@router.get("/")
def home(request: Request, state: State, viewer: Officer) -> HTMLResponse:
    with transaction(state.db) as session:
        board = service.dashboard(session, viewer=viewer)
    names = {tid: t.name for tid, t in state.responder.analyzer.tactics.items()}
    names[""] = "Chưa rõ thủ đoạn"
    chart = stacked_bars(board.per_day, names)
    return _render(request, "dashboard.html", viewer=viewer, board=board, chart=chart)


@router.get("/tips")
def tips(request: Request, state: State, viewer: Officer, query: Query, page: int = 1) -> HTMLResponse:
    with transaction(state.db) as session:
        found = service.tips_page(session, viewer=viewer, query=query, page=page)
    params = query.params()
    return _render(
        request,
        "tips.html",
        viewer=viewer,
        found=found,
        query=query,
        params=params,
        qs=urlencode(params),
    )


def _export(
    state: AppState, request: Request, viewer: Viewer, query: TipQuery, fmt: ExportFormat
) -> Response:
    include = request.query_params.get("include_reporter", "").lower() in ("1", "true", "on", "yes")
    if include and not viewer.is_admin:
        raise HTTPException(status_code=403, detail="Chỉ quản trị viên xem được danh tính người tố giác.")
    try:
        key = pseudonym_key(state.settings)
    except PseudonymKeyMissing:
        message = "Chưa đặt khóa ẩn danh (CANHGIAC_PSEUDONYM_KEY) nên chưa xuất được. Báo quản trị hệ thống."
        return _render(request, "error.html", viewer=viewer, status_code=503, message=message)
    filters = service.scoped_filter(viewer=viewer, query=query)
    with transaction(state.db) as session:
        accounts.audit(
            session,
            officer=viewer,
            action="export",
            detail={"format": fmt, "filters": query.params(), "include_reporter": include},
        )
    options = ExportOptions(
        pseudonym_key=key,
        include_reporter=include,
        tactic_names={tid: t.name for tid, t in state.responder.analyzer.tactics.items()},
    )
    return export_response(state.db, filters=filters, options=options, fmt=fmt)


@router.get("/tips.csv")
def tips_csv(request: Request, state: State, viewer: Officer, query: Query) -> Response:
    return _export(state, request, viewer, query, "csv")


@router.get("/tips.xlsx")
def tips_xlsx(request: Request, state: State, viewer: Officer, query: Query) -> Response:
    return _export(state, request, viewer, query, "xlsx")


@router.get("/tips.jsonl")
def tips_jsonl(request: Request, state: State, viewer: Officer, query: Query) -> Response:
    return _export(state, request, viewer, query, "jsonl")


def _not_found(request: Request, viewer: Viewer) -> HTMLResponse:
    return _render(request, "error.html", viewer=viewer, status_code=404, message="Không có tố giác này.")


@router.get("/tips/{ref}")
def tip_page(request: Request, state: State, viewer: Officer, ref: str) -> HTMLResponse:
    with transaction(state.db) as session:
        tip = service.tip_for(session, viewer=viewer, ref_code=ref[:32])
        if tip is None:
            return _not_found(request, viewer)
        history = service.status_history(session, tip_id=tip.id)
        related = service.related_tips(session, viewer=viewer, tip=tip)
        accounts.audit(
            session,
            officer=viewer,
            action="tip_view",
            tip_ref=tip.ref_code,
            detail={"reporter_shown": viewer.is_admin},
        )
    return _render(request, "tip.html", viewer=viewer, tip=tip, history=history, related=related)


@router.post("/tips/{ref}/status")
def tip_status(
    request: Request,
    state: State,
    viewer: CheckedOfficer,
    ref: str,
    status: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    if not viewer.can_change:
        raise HTTPException(status_code=403, detail="Tài khoản chỉ được xem, không được đổi trạng thái.")
    try:
        chosen = TipStatus.parse(status)
    except ValueError:
        raise HTTPException(status_code=400, detail="Trạng thái không hợp lệ.") from None
    try:
        with transaction(state.db) as session:
            tip = service.change_status(
                session, viewer=viewer, ref_code=ref[:32], status=chosen, note=note or None
            )
    except TipNotFound:
        return _not_found(request, viewer)
    return RedirectResponse(f"/console/tips/{tip.ref_code}", status_code=303)


@router.get("/unmatched")
def unmatched_page(request: Request, state: State, viewer: Officer) -> HTMLResponse:
    with transaction(state.db) as session:
        groups = unmatched.unmatched_groups(session, viewer=viewer)
        suggestions = unmatched.recent_suggestions(session) if viewer.is_admin else []
    tactics = sorted(state.responder.analyzer.tactics.values(), key=lambda t: t.name)
    return _render(
        request,
        "unmatched.html",
        viewer=viewer,
        groups=groups[:100],
        suggestions=suggestions,
        tactics=tactics,
    )


@router.post("/unmatched/{key}/variant")
def mark_variant(
    request: Request,
    state: State,
    viewer: CheckedOfficer,
    key: int,
    tactic: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not viewer.is_admin:
        raise HTTPException(status_code=403, detail="Chỉ quản trị viên đánh dấu biến thể.")
    if tactic not in state.responder.analyzer.tactics:
        raise HTTPException(status_code=400, detail="Thủ đoạn không có trong danh mục.")
    with transaction(state.db) as session:
        done = unmatched.mark_variant(session, viewer=viewer, group_key=key, tactic=tactic, note=note)
    if done is None:
        return _render(
            request, "error.html", viewer=viewer, status_code=404, message="Nhóm tin nhắn không còn."
        )
    return RedirectResponse("/console/unmatched", status_code=303)


AUDIT_ACTIONS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_locked": "Đăng nhập bị từ chối (tạm khóa)",
    "logout": "Đăng xuất",
    "tip_view": "Xem tố giác",
    "status_change": "Đổi trạng thái",
    "export": "Xuất dữ liệu",
    "variant_marked": "Đánh dấu biến thể",
}


@router.get("/audit")
def audit_page(
    request: Request, state: State, viewer: Officer, action: str = "", username: str = "", page: int = 1
) -> HTMLResponse:
    if not viewer.is_admin:
        return _render(
            request,
            "error.html",
            viewer=viewer,
            status_code=403,
            message="Chỉ quản trị viên xem được nhật ký.",
        )
    with transaction(state.db) as session:
        rows, more = accounts.list_audit(session, action=action or None, username=username or None, page=page)
    return _render(
        request,
        "audit.html",
        viewer=viewer,
        rows=rows,
        more=more,
        page=max(page, 1),
        action=action,
        username=username,
        actions=AUDIT_ACTIONS,
        qs=urlencode({k: v for k, v in {"action": action, "username": username}.items() if v}),
    )
