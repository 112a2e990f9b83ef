"""Misbehaving servers: each plays one way HTTP goes wrong, beside two good feeds."""

from __future__ import annotations

import socket
import struct
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.hostile.conftest import check_survived, hostile_library
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer


@cache
def gzip_bomb() -> bytes:
    """A gzip stream of 1 GiB of zeros (about 1 MB on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(1024)) + packer.flush()


def endless_headers(request: BaseHTTPRequestHandler) -> None:
    request.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
    try:
        for i in range(10_000_000):
            request.wfile.write(f"X-Never-Ending-{i}: yes\r\n".encode())
    except OSError:
        return


def reset_mid_body(request: BaseHTTPRequestHandler) -> None:
    body = simple_rss(50, "reset").encode()
    request.wfile.write(
        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    request.wfile.write(body[: len(body) // 3])
    request.wfile.flush()
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.close_connection = True
    request.wfile.close()
    request.rfile.close()
    request.connection.close()  # the last reference, with linger 0: a TCP reset


def not_modified_out_of_the_blue(request: BaseHTTPRequestHandler) -> None:
    FeedServer._send(request, 304, {}, b"")


def redirect_to(target: str):  # type: ignore[no-untyped-def]
    def answer(request: BaseHTTPRequestHandler) -> None:
        FeedServer._send(request, 302, {"Location": target}, b"")

    return answer


def setup(server: FeedServer, name: str) -> str:
    """Serve one misbehaviour at /hostile.xml; returns the URL to subscribe to."""
    path = "/hostile.xml"
    if name == "gzip bomb":
        return server.add(path, gzip_bomb(), headers={"Content-Encoding": "gzip"})
    if name == "endless body":
        return server.add(path, endless=True)
    if name == "1 byte per second":
        return server.add(path, simple_rss(3, "slow"), drip_seconds=1.0)
    if name == "headers that never end":
        return server.add(path, handler=endless_headers)
    if name == "redirect loop":
        server.add("/a", handler=redirect_to("/b"))
        server.add("/b", handler=redirect_to("/a"))
        return server.add(path, handler=redirect_to("/a"))
    if name == "redirect chain of 8":
        for i in range(8):
            server.add(f"/hop{i}", handler=redirect_to(f"/hop{i + 1}"))
        server.add("/hop8", simple_rss(2, "hop"))
        return server.add(path, handler=redirect_to("/hop0"))
    if name == "redirect to file://":
        return server.add(path, handler=redirect_to("file:///etc/passwd"))
    if name == "redirect to ftp://":
        return server.add(path, handler=redirect_to("ftp://127.0.0.1/feed.xml"))
    if name == "redirect to javascript:":
        return server.add(path, handler=redirect_to("javascript:alert(1)"))
    if name == "200 with an HTML error page":
        return server.add(
            path, "<html><body><h1>Oops</h1><p>Something went wrong.</p></body></html>", content_type="text/html"
        )
    if name == "wrong Content-Type":
        return server.add(path, simple_rss(3, "typed"), content_type="image/png")
    if name == "connection reset mid-body":
        return server.add(path, handler=reset_mid_body)
    if name == "TLS-less server on an https URL":
        return server.add(path, simple_rss(2, "tls")).replace("http://", "https://")
    if name == "304 without a prior ETag":
        return server.add(path, handler=not_modified_out_of_the_blue)
    raise AssertionError(name)


# None: either a clear failure or a harmless success is fine
CASES = {
    "gzip bomb": True,
    "endless body": True,
    "1 byte per second": True,
    "headers that never end": True,
    "redirect loop": True,
    "redirect chain of 8": True,
    "redirect to file://": True,
    "redirect to ftp://": True,
    "redirect to javascript:": True,
    "200 with an HTML error page": True,
    "wrong Content-Type": False,
    "connection reset mid-body": True,
    "TLS-less server on an https URL": True,
    "304 without a prior ETag": True,
}


@pytest.mark.parametrize("name", list(CASES))
def test_misbehaving_server(name: str, tmp_path: Path, server: FeedServer) -> None:
    url = setup(server, name)
    library = hostile_library(tmp_path, server, url)
    started = time.monotonic()
    outcome = library.refresh(deadline=4, read_timeout=2)
    assert time.monotonic() - started < 30
    hostile = check_survived(library, outcome, hostile_fails=CASES[name])
    if CASES[name]:
        assert str(hostile["error"]).endswith(".")  # one sentence


@pytest.mark.timeout(30)  # the request's deadline is 300 s: only the cancel can end it in time
def test_a_cancel_between_the_start_and_the_connect_still_cuts_the_request(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request whose refresh is cancelled while its host name is being resolved (after the
    cancel was last checked, before its socket exists) ends as cancelled, not after its deadline."""
    from newsreader.core.errors import RequestCancelledError
    from newsreader.core.fetch import http
    from newsreader.core.pool import Cancel
    from tests.core.test_pipeline import hanging

    url = server.add("/stuck.html", handler=hanging).replace("127.0.0.1", "localhost")
    cancel = Cancel()
    real_resolve = http._RESOLVER.resolve

    def resolve_then_cancel(*args: object) -> object:
        found = real_resolve(*args)  # type: ignore[arg-type]
        cancel.set()  # the refresh stops now: nothing of this request is tracked yet
        return found

    monkeypatch.setattr(http._RESOLVER, "resolve", resolve_then_cancel)
    fetcher = http.Fetcher(http.FetchLimits(connect_timeout=300, read_timeout=300, deadline=300))
    with pytest.raises(RequestCancelledError):
        fetcher.fetch(url, cancel=cancel)
