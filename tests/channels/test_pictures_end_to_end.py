"""End to end: `canhgiac serve`, signed Messenger webhooks, pictures on a loopback file server that
also plays the Graph Send API. The allowed host is 127.0.0.1; `localhost` (the same machine under
another name) is not on the list and must never be fetched."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from channel_support import FB_SECRET, FB_TOKEN, FB_VERIFY, fb_body, fb_headers
from screens import SCAM_LINES, chat_screenshot, need_tesseract
from serve_support import get, serving

pytestmark = pytest.mark.slow


class Loopback:
    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.fetched: list[str] = []
        self.sends: list[dict] = []
        self.port = 0


@contextmanager
def loopback() -> Iterator[Loopback]:
    state = Loopback()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.fetched.append(f"{self.headers.get('host')}{self.path}")
            found = state.files.get(self.path)
            if found is None:
                self.send_response(404)
                self.end_headers()
                return
            content, kind = found
            self.send_response(200)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            state.sends.append(body)
            answer = json.dumps(
                {"recipient_id": body["recipient"]["id"], "message_id": f"m{len(state.sends)}"}
            )
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(answer.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def post(url: str, raw: bytes) -> int:
    request = urllib.request.Request(url, data=raw, headers=fb_headers(raw), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return int(response.status)


def text_to(files: Loopback, user: str, timeout: float = 15.0) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for send in files.sends:
            if send["recipient"]["id"] == user:
                return str(send["message"]["text"])
        time.sleep(0.1)
    return None


def test_images_through_signed_webhooks_are_read_refused_or_never_fetched(database_url: str, tmp_path: Path):
    need_tesseract()
    with loopback() as files:
        files.files["/scam.png"] = (chat_screenshot(SCAM_LINES), "image/png")
        files.files["/huge.png"] = (b"\x89PNG" + b"\0" * (6 * 1024 * 1024), "image/png")
        base_files = f"http://127.0.0.1:{files.port}"
        env = {
            "CANHGIAC_FB_APP_SECRET": FB_SECRET,
            "CANHGIAC_FB_VERIFY_TOKEN": FB_VERIFY,
            "CANHGIAC_FB_PAGE_TOKEN": FB_TOKEN,
            "CANHGIAC_FB_API_BASE": base_files + "/v25.0",
            "CANHGIAC_MEDIA_HOSTS": "127.0.0.1",
        }
        with serving(database_url, tmp_path / "server.log", **env) as base:
            webhook = base + "/webhooks/messenger"

            def image(user: str, url: str) -> bytes:
                return fb_body(user, f"m-{user}", attachments=[{"type": "image", "payload": {"url": url}}])

            assert post(webhook, image("e2e-1", base_files + "/scam.png")) == 200
            assert post(webhook, image("e2e-2", f"http://localhost:{files.port}/scam.png")) == 200
            assert post(webhook, image("e2e-3", base_files + "/huge.png")) == 200
            read = text_to(files, "e2e-1")
            assert read is not None and "0912 345 678" in read and "Giả danh công an" in read
            blocked = text_to(files, "e2e-2")
            assert blocked is not None and "mô tả lại bằng lời" in blocked
            huge = text_to(files, "e2e-3")
            assert huge is not None and "quá lớn" in huge
            assert get(base + "/healthz")[0] == 200
        assert not [f for f in files.fetched if f.startswith("localhost")]
