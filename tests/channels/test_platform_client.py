"""The platform client's transport: several small connection pools, each request on the least busy
(one large httpcore pool costs several times the CPU per request)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.channels.registry import PooledTransport, platform_client


@contextmanager
def slow_server(together: int) -> Iterator[tuple[str, list[int]]]:
    """Answers each request once `together` requests are in flight at once (or after 10 s)."""
    barrier = threading.Barrier(together)
    most = [0]
    in_flight = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            with suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
            with lock:
                in_flight[0] -= 1
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        request_queue_size = 64  # 16 connections at once (the default backlog of 5 drops some)
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", most
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
async def test_requests_beyond_one_pool_go_out_together():
    """16 requests at once through pools of 8: all 16 reach the platform together (one pool of 8
    would hold half of them back until the barrier gives up)."""
    with slow_server(16) as (base, most):
        client = platform_client()
        try:
            responses = await asyncio.gather(*(client.post(f"{base}/send", json={"n": n}) for n in range(16)))
        finally:
            await client.aclose()
    assert [r.status_code for r in responses] == [200] * 16
    assert most[0] == 16


async def test_each_request_takes_the_least_busy_pool():
    transport = PooledTransport(pools=3, size=2)
    seen: list[int] = []
    release = asyncio.Event()

    class Fake:
        def __init__(self, index: int) -> None:
            self.index = index

        async def handle_async_request(self, request: object) -> str:
            seen.append(self.index)
            await release.wait()
            return "answer"

        async def aclose(self) -> None:
            seen.append(-1 - self.index)

    transport._pools = [Fake(i) for i in range(3)]  # type: ignore[list-item]
    waiting = [asyncio.create_task(transport.handle_async_request(None)) for _ in range(5)]  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert seen == [0, 1, 2, 0, 1]  # spread while all are busy
    release.set()
    assert await asyncio.gather(*waiting) == ["answer"] * 5
    assert transport._busy == [0, 0, 0]
    await transport.aclose()
    assert seen[-3:] == [-1, -2, -3]


async def test_a_proxy_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch):
    """httpx reads HTTPS_PROXY only for a transport it builds itself: behind a proxy, no pools."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    direct = platform_client()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    proxied = platform_client()
    try:
        assert isinstance(direct._transport, PooledTransport)
        assert not isinstance(proxied._transport, PooledTransport)
        mounted = proxied._transport_for_url(httpx.URL("https://graph.facebook.com/v25.0/me/messages"))
        assert isinstance(mounted, httpx.AsyncHTTPTransport) and mounted is not proxied._transport
    finally:
        await direct.aclose()
        await proxied.aclose()
