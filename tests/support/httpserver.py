"""A real HTTP server on 127.0.0.1 that plays whatever a test needs: feeds, errors, redirects,
slow or endless bodies, gzip, validators. Tests register routes, then point newsreader at it."""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers for one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: bool = True
    gzip: bool = False
    drip_seconds: float = 0.0
    """Send the body one byte at a time with this pause between bytes (a slowloris server)."""
    endless: bool = False
    """Stream zeros until the client goes away."""
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Hit:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    started: float
    finished: float = 0.0
    method: str = "GET"
    body: bytes = b""


class FeedServer:
    """The server; ``url(path)`` gives an address on it."""

    def __init__(self, port: int = 0) -> None:
        """Listen on *port* of 127.0.0.1 (0: any free one; a given one lets a test bring a server back)."""
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            body = b""
            """The request's body (POST), for route handlers."""

            def do_POST(self) -> None:
                self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._serve()

            def do_GET(self) -> None:
                self.body = b""
                self._serve()

            def _serve(self) -> None:
                hit = Hit(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    time.monotonic(),
                    method=self.command,
                    body=self.body,
                )
                with outer.lock:
                    outer.hits.append(hit)
                    outer.in_flight += 1
                    outer.max_in_flight = max(outer.max_in_flight, outer.in_flight)
                self.done = lambda: outer._finish(hit)  # type: ignore[attr-defined]
                try:
                    outer._answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    outer._finish(hit)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def server_bind(self) -> None:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                super().server_bind()

        self.httpd = Server(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _finish(self, hit: Hit) -> None:
        with self.lock:
            if not hit.finished:
                hit.finished = time.monotonic()
                self.in_flight -= 1

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **options: object) -> str:
        """Serve *body* at *path*; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(request.path) or self.routes.get(request.path.partition("?")[0])
        if route is None:
            self._send(request, 404, {"Content-Type": "text/plain"}, b"not found")
            return
        if route.handler is not None:
            route.handler(request)
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        body = route.body
        if route.etag and route.status == 200:
            tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if request.headers.get("If-None-Match") == tag:
                self._send(request, 304, {"ETag": tag}, b"")
                return
        if route.gzip and "gzip" in (request.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if route.endless:
            request.send_response(route.status)
            for k, v in headers.items():
                request.send_header(k, v)
            request.end_headers()
            chunk = b"<" * 65536
            while True:
                request.wfile.write(chunk)
        if route.drip_seconds:
            request.send_response(route.status)
            for k, v in headers.items():
                request.send_header(k, v)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            for index, byte in enumerate(body):
                if index == len(body) - 1:
                    request.done()  # type: ignore[attr-defined]  # counted as finished before the client can be
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(route.drip_seconds)
            return
        self._send(request, route.status, headers, body)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        lines = [f"HTTP/1.1 {status} {request.responses.get(status, ('',))[0]}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if status != 304:
            lines.append(f"Content-Length: {len(body)}")
        request.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        request.wfile.flush()
