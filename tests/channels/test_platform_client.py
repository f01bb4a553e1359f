"""The platform client: httpx's interface over aiohttp's connection pool (`PlatformTransport`).

Whatever happens on the wire, callers see httpx's exception tree: the channels and the picture
fetcher classify errors by it."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.channels.registry import PlatformTransport, platform_client


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
    """16 requests at once: all 16 reach the platform together (a pool of 8 would hold half of them
    back until the barrier gives up)."""
    with slow_server(16) as (base, most):
        client = platform_client()
        try:
            responses = await asyncio.gather(*(client.post(f"{base}/send", json={"n": n}) for n in range(16)))
        finally:
            await client.aclose()
    assert [r.status_code for r in responses] == [200] * 16
    assert most[0] == 16


async def test_a_proxy_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch):
    """httpx reads HTTPS_PROXY only for a transport it builds itself: behind a proxy, httpx's own."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    direct = platform_client()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    proxied = platform_client()
    try:
        assert isinstance(direct._transport, PlatformTransport)
        assert not isinstance(proxied._transport, PlatformTransport)
        mounted = proxied._transport_for_url(httpx.URL("https://graph.facebook.com/v25.0/me/messages"))
        assert isinstance(mounted, httpx.AsyncHTTPTransport) and mounted is not proxied._transport
    finally:
        await direct.aclose()
        await proxied.aclose()


@asynccontextmanager
async def raw_server(answer: Callable[[int, bytes], bytes | None]) -> AsyncIterator[tuple[str, list[int]]]:
    """A loopback HTTP/1.1 server writing `answer(connection number, request head)` back as is;
    None: say nothing and keep the connection open; b"": hang up. Yields its base URL and the
    connections seen."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(len(connections))
        number = connections[-1]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                out = answer(number, head)
                if out is None:
                    await asyncio.sleep(30)
                if not out:
                    return
                writer.write(out)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", connections
    finally:
        server.close()


def ok(body: bytes = b'{"ok": true}', *, close: bool = False) -> bytes:
    extra = b"connection: close\r\n" if close else b""
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n%scontent-length: %d\r\n\r\n%s" % (
        extra,
        len(body),
        body,
    )


async def test_sends_share_one_kept_alive_connection():
    async with raw_server(lambda _n, _head: ok()) as (base, connections):
        client = platform_client()
        try:
            for n in range(5):
                response = await client.post(f"{base}/send", params={"access_token": "t"}, json={"n": n})
                assert response.json() == {"ok": True}
        finally:
            await client.aclose()
    assert connections == [0]


async def test_a_connection_the_platform_closed_is_not_reused():
    async with raw_server(lambda _n, _head: ok(close=True)) as (base, connections):
        client = platform_client()
        try:
            statuses = [(await client.post(f"{base}/send", json={"n": n})).status_code for n in range(3)]
        finally:
            await client.aclose()
    assert statuses == [200, 200, 200]
    assert connections == [0, 1, 2]


async def test_the_request_reaches_the_platform_as_httpx_built_it():
    heads: list[bytes] = []

    def answer(_n: int, head: bytes) -> bytes:
        heads.append(head)
        return ok()

    async with raw_server(answer) as (base, _):
        client = platform_client()
        try:
            await client.post(f"{base}/v25.0/me/messages", params={"access_token": "a b"}, json={"x": "é"})
        finally:
            await client.aclose()
    first, *headers = heads[0].decode().split("\r\n")
    assert first == "POST /v25.0/me/messages?access_token=a+b HTTP/1.1"
    names = {line.split(":")[0].lower(): line.split(":", 1)[1].strip() for line in headers if line}
    assert names["user-agent"] == "canhgiac-bot"
    assert names["content-type"] == "application/json"
    assert names["content-length"] == str(len('{"x":"é"}'.encode()))


async def test_a_streamed_answer_arrives_whole():
    """The picture fetcher reads answers as a stream, chunk by chunk."""
    body = bytes(range(256)) * 1000
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100_000], body[100_000:]))
    answer = (
        b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ntransfer-encoding: chunked\r\n\r\n"
        + chunked
        + b"0\r\n\r\n"
    )
    async with raw_server(lambda _n, _head: answer) as (base, _):
        client = platform_client()
        try:
            async with client.stream("GET", f"{base}/picture") as response:
                received = b"".join([chunk async for chunk in response.aiter_bytes()])
        finally:
            await client.aclose()
    assert response.headers["content-type"] == "image/png"
    assert received == body


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"HTTP/1.1 banana\r\n\r\n", httpx.RemoteProtocolError),
        (b"", httpx.RemoteProtocolError),
        (None, httpx.ReadTimeout),
    ],
    ids=["malformed-answer", "hangs-up", "never-answers"],
)
async def test_what_goes_wrong_on_the_wire_is_an_httpx_error(answer: bytes | None, expected: type[Exception]):
    async with raw_server(lambda _n, _head: answer) as (base, _):
        client = platform_client()
        try:
            with pytest.raises(expected):
                await client.post(f"{base}/send", json={}, timeout=httpx.Timeout(10.0, read=0.3))
        finally:
            await client.aclose()


async def test_a_platform_that_is_down_is_a_connect_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = platform_client()
    try:
        with pytest.raises(httpx.ConnectError):
            await client.post(f"http://127.0.0.1:{port}/send", json={})
    finally:
        await client.aclose()
