"""Helpers for the channel tests: a running app over HTTP, and a fake Graph / Zalo API that records
every call it receives (an httpx.MockTransport injected through the app factory: no network; or on
loopback, for a sender process)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from app.http.state import AppState
from app.main import create_app
from app.nlu.analyzer import Analyzer
from app.runtime import WorkerOptions
from app.settings import Settings

FB_SECRET = "fb-app-secret-for-tests"
FB_VERIFY = "verify-token-for-tests"
FB_TOKEN = "page-token-for-tests"
ZALO_APP_ID = "3206567425609033798"  # shaped like the documented samples; fictional
ZALO_APP_SECRET = "zalo-app-secret-for-tests"
ZALO_OA_SECRET = "zalo-oa-secret-for-tests"
ZALO_TOKEN = "zalo-access-token-for-tests"
ZALO_REFRESH = "zalo-refresh-token-for-tests"
PAGE_ID = "104857600000001"
OA_ID = "579745863508352884"
GRAPH = "https://graph.test/v25.0"
ZALO_API = "https://openapi.zalo.test"
ZALO_OAUTH = "https://oauth.zalo.test"

SCAM_TEXT = "có người gọi tự xưng công an bảo tôi chuyển tiền vào tài khoản tạm giữ"
CAN_THO_HOTLINE = "069.367.2888"
TUYEN_QUANG_HOTLINE = "069.2526.112"

Handler = Callable[[httpx.Request], httpx.Response]
_API_HOSTS = ("graph.test", "openapi.zalo.test", "oauth.zalo.test")


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    url: httpx.URL | None = None


@dataclass
class FakePlatform:
    """Graph Send API, Zalo OA API and Zalo OAuth on one MockTransport.

    By default every call succeeds with the documented success shape. `script(path, *handlers)`
    queues handlers for the next calls to a path ("/me/messages", "/v3.0/oa/message/cs",
    "/v4/oa/access_token"); when the queue is empty the default answer applies.
    """

    calls: list[Call] = field(default_factory=list)
    scripts: dict[str, list[Handler]] = field(default_factory=dict)
    default: dict[str, Handler] = field(default_factory=dict)
    sends: int = 0
    # A fake CDN: full URL -> handler (pictures the platforms host); see `serve_file`.
    files: dict[str, Handler] = field(default_factory=dict)

    def serve_file(self, url: str, content: bytes, content_type: str = "image/png") -> None:
        self.files[url] = lambda request: httpx.Response(
            200, content=content, headers={"content-type": content_type}
        )

    def fetches(self, host: str | None = None) -> list[httpx.URL]:
        """Every GET made to a CDN-like URL (anything not a platform API call)."""
        return [
            c.url
            for c in self.calls
            if c.method == "GET" and c.url is not None and (host is None or c.url.host == host)
        ]

    def script(self, path: str, *handlers: Handler) -> None:
        self.scripts.setdefault(path, []).extend(handlers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def _key(self, path: str) -> str:
        for key in ("/me/messages", "/v3.0/oa/message/cs", "/v4/oa/access_token"):
            if path.endswith(key):
                return key
        return path

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and str(request.url) in self.files:
            self.calls.append(Call("GET", request.url.path, {}, dict(request.headers), None, request.url))
            return self.files[str(request.url)](request)
        if request.method == "GET" and request.url.host not in (
            "graph.test",
            "openapi.zalo.test",
            "oauth.zalo.test",
        ):
            self.calls.append(Call("GET", request.url.path, {}, dict(request.headers), None, request.url))
            return httpx.Response(404, text="no such file")
        content = request.read()
        if request.headers.get("content-type", "").startswith("application/json"):
            body: Any = json.loads(content)
        else:
            body = dict(httpx.QueryParams(content.decode()))
        self.calls.append(
            Call(request.method, request.url.path, dict(request.url.params), dict(request.headers), body)
        )
        key = self._key(request.url.path)
        queue = self.scripts.get(key)
        if queue:
            return queue.pop(0)(request)
        if key in self.default:
            return self.default[key](request)
        self.sends += 1
        if key == "/me/messages":
            return httpx.Response(
                200, json={"recipient_id": body["recipient"]["id"], "message_id": f"m_{self.sends}"}
            )
        if key == "/v3.0/oa/message/cs":
            user = body["recipient"]["user_id"]
            return httpx.Response(
                200, json={"data": {"message_id": f"z{self.sends}", "user_id": user}, "error": 0}
            )
        if key == "/v4/oa/access_token":
            return httpx.Response(
                200,
                json={
                    "access_token": "zalo-new-access",
                    "refresh_token": "zalo-new-refresh",
                    "expires_in": "90000",
                },
            )
        return httpx.Response(404, json={"error": {"code": 803, "message": "unknown path"}})

    def messenger_sends(self, user_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.path.endswith("/me/messages") and (user_id is None or c.body["recipient"]["id"] == user_id)
        ]

    def zalo_sends(self, user_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.path.endswith("/v3.0/oa/message/cs")
            and (user_id is None or c.body["recipient"]["user_id"] == user_id)
        ]

    def refreshes(self) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/v4/oa/access_token")]


def graph_error(code: int, subcode: int | None = None, status: int = 400) -> Handler:
    error: dict[str, Any] = {"message": "fake graph error", "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    return lambda request: httpx.Response(status, json={"error": error})


def zalo_error(code: int) -> Handler:
    return lambda request: httpx.Response(200, json={"error": code, "message": "fake zalo error"})


def http_status(status: int) -> Handler:
    return lambda request: httpx.Response(status, text="upstream trouble")


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("fake timeout", request=request)


# --- payloads shaped like the platforms' documented samples (fictional ids) ---


def fb_body(psid: str, mid: str, text: str | None = None, **message: Any) -> bytes:
    msg: dict[str, Any] = {"mid": mid, **message}
    if text is not None:
        msg["text"] = text
    now = int(time.time() * 1000)
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": psid},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": now,
                            "message": msg,
                        }
                    ],
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def fb_signature(raw: bytes, secret: str = FB_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def fb_headers(raw: bytes, secret: str = FB_SECRET) -> dict[str, str]:
    return {"content-type": "application/json", "x-hub-signature-256": fb_signature(raw, secret)}


def zalo_body(
    user: str,
    msg_id: str,
    text: str | None = "xin chào",
    *,
    event: str = "user_send_text",
    oa_id: str = OA_ID,
    **extra: Any,
) -> bytes:
    message: dict[str, Any] = {"msg_id": msg_id}
    if text is not None:
        message["text"] = text
    message.update(extra)
    return json.dumps(
        {
            "app_id": ZALO_APP_ID,
            "sender": {"id": user},
            "user_id_by_app": "552177279717587730",
            "recipient": {"id": oa_id},
            "event_name": event,
            "message": message,
            "timestamp": str(int(time.time() * 1000)),
        },
        ensure_ascii=False,
    ).encode()


def zalo_signature(raw: bytes, secret: str = ZALO_OA_SECRET) -> str:
    timestamp = str(json.loads(raw.decode("utf-8", errors="replace"))["timestamp"])
    return (
        "mac=" + hashlib.sha256(ZALO_APP_ID.encode() + raw + timestamp.encode() + secret.encode()).hexdigest()
    )


def zalo_headers(raw: bytes, secret: str = ZALO_OA_SECRET) -> dict[str, str]:
    return {"content-type": "application/json", "x-zevent-signature": zalo_signature(raw, secret)}


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "fb_app_secret": FB_SECRET,
        "fb_verify_token": FB_VERIFY,
        "fb_page_token": FB_TOKEN,
        "fb_api_base": GRAPH,
        "zalo_app_id": ZALO_APP_ID,
        "zalo_app_secret": ZALO_APP_SECRET,
        "zalo_oa_secret": ZALO_OA_SECRET,
        "zalo_access_token": ZALO_TOKEN,
        "zalo_refresh_token": ZALO_REFRESH,
        "zalo_api_base": ZALO_API,
        "zalo_oauth_base": ZALO_OAUTH,
        # Pictures come from the fake CDN (and a loopback file server in end-to-end tests).
        "media_hosts": "cdn.test,127.0.0.1",
        # One test client plays every citizen: the per-client web chat limit is lifted here.
        "web_rate_per_minute": 100_000,
    }
    values.update(overrides)
    return Settings(**values)


FAST = WorkerOptions(
    poll_interval=0.05,
    stale_after=0.5,
    lease_seconds=3.0,
    backoff_base=0.05,
    backoff_cap=0.2,
    max_attempts=4,
)


@dataclass
class Bot:
    app: FastAPI
    client: httpx.AsyncClient
    platform: FakePlatform

    @property
    def state(self) -> AppState:
        state: AppState = self.app.state.canhgiac
        return state

    async def messenger(self, raw: bytes, headers: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post("/webhooks/messenger", content=raw, headers=headers or fb_headers(raw))

    async def zalo(self, raw: bytes, headers: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post("/webhooks/zalo", content=raw, headers=headers or zalo_headers(raw))


@cache
def _analyzer(catalog: Path, intents: Path) -> Analyzer:
    return Analyzer.from_files(catalog, intents)


def shared_analyzer(settings: Settings) -> Analyzer:
    """One analyzer per catalogue for the whole test session (building one takes over a second)."""
    return _analyzer(settings.catalog_path, settings.intents_dir)


@asynccontextmanager
async def running_bot(
    settings: Settings, platform: FakePlatform, options: WorkerOptions = FAST
) -> AsyncIterator[Bot]:
    """The app with its lifespan running, reachable over HTTP (ASGI), sending to `platform`."""
    app = create_app(
        settings, transport=platform.transport(), worker_options=options, analyzer=shared_analyzer(settings)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
            yield Bot(app, client, platform)


@contextmanager
def on_loopback(platform: FakePlatform) -> Iterator[str]:
    """`platform` served over real HTTP on loopback (for code in another process); yields its base
    URL. Each request is handled on a thread of its own, so a scripted slow answer holds no other."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self) -> None:
            content = self.rfile.read(int(self.headers.get("content-length", "0")))
            request = httpx.Request(
                self.command,
                f"http://{self.headers.get('host', '127.0.0.1')}{self.path}",
                headers=dict(self.headers),
                content=content,
            )
            response = platform.handle(request)
            body = response.read()
            self.send_response(response.status_code)
            self.send_header("content-type", response.headers.get("content-type", "application/json"))
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    class Server(ThreadingHTTPServer):
        request_queue_size = 64  # many connections at once (the default backlog of 5 drops some)
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
