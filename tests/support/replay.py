"""A loopback server that replays recorded exchanges with a real sync server (``../shared/sync/``).

Faithful, not forgiving: a request is answered only when an exchange of the recording has the same
method, path, query, ``Authorization`` header and form body (pairs in order, names repeated), with the
recording's placeholders (``<AUTH>``, ``<TOKEN>``, ``<API_KEY>``…) replaced by this server's own values.
The answer is the recorded status, ``Content-Type`` and body. Anything else is answered 501 and kept in
:attr:`ReplayServer.unmatched`, so a test can require that the client sent only what the real server
was sent.

State: the recording is a sequence of states separated by changes (a POST that edits something and
succeeded, and the external events a note announces, such as a re-crawl between two exchanges). A
reading request is matched only within the current state; a change moves to the next one. Requests
that do not depend on the state (logging in, asking for a token, user info) match at any time.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

PASSWORD = "alice-api-pw"
WRONG_PASSWORD = "wrong-password"
USER = "alice"

STATELESS = ("/accounts/ClientLogin", "/reader/api/0/token", "/reader/api/0/user-info", "/check/compatibility")


@dataclass(frozen=True)
class Exchange:
    index: int
    name: str
    note: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    authorization: str | None
    body: tuple[tuple[str, str], ...] | None
    status: int
    content_type: str
    response: bytes
    state: int
    """Which state of the recording the exchange was made in."""
    changes: bool
    stateless: bool


class ReplayServer:
    """Replays one recorded directory (``freshrss-greader`` or ``freshrss-fever``) on 127.0.0.1."""

    def __init__(self, directory: Path, *, external_changes: tuple[str, ...] = ()) -> None:
        """*external_changes* names exchanges that follow a change made outside the API (a re-crawl):
        the test announces it with :meth:`external_change` before sending them."""
        self.auth = f"{USER}/{secrets.token_hex(20)}"
        self.token = self.auth.partition("/")[2] + "Z" * 17
        self.values = {
            "<AUTH>": self.auth,
            "<TOKEN>": self.token,
            "<PASSWORD>": PASSWORD,
            "<WRONG_PASSWORD>": WRONG_PASSWORD,
            "<INVALID_AUTH>": f"{USER}/{'0' * 40}",
            "<API_KEY>": hashlib.md5(f"{USER}:{PASSWORD}".encode()).hexdigest(),
            "<WRONG_API_KEY>": hashlib.md5(f"{USER}:{WRONG_PASSWORD}".encode()).hexdigest(),
        }
        self.exchanges = self._load(directory, external_changes)
        self.state = 0
        self.lock = threading.Lock()
        self.served: list[str] = []
        self.unmatched: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer._answer(self, None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer._answer(self, self.rfile.read(length))

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def server_bind(self) -> None:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                super().server_bind()

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def external_change(self) -> None:
        """The change the recording made outside the API (a re-crawl) happens now."""
        with self.lock:
            self.state += 1

    def _fill(self, text: str) -> str:
        for placeholder, value in self.values.items():
            text = text.replace(placeholder, value)
        return text

    def _load(self, directory: Path, external: tuple[str, ...]) -> list[Exchange]:
        exchanges = []
        state = 0
        for index, path in enumerate(sorted(directory.glob("*.json"))):
            record = json.loads(path.read_text(encoding="utf-8"))
            request, response = record["request"], record["response"]
            if path.stem in external:
                state += 1
            body = request["body"]
            method = request["method"]
            pairs = tuple(parse_qsl(self._fill(body), keep_blank_values=True)) if body is not None else None
            stateless = any(request["path"].endswith(suffix) for suffix in STATELESS)
            changes = (
                method == "POST"
                and 200 <= response["status"] < 300
                and not stateless
                and not request["path"].endswith("/stream/items/contents")
                and (pairs is None or "api_key" not in dict(pairs) or "mark" in dict(pairs))
            )
            exchanges.append(
                Exchange(
                    index=index,
                    name=f"{path.stem}",
                    note=record.get("note", ""),
                    method=method,
                    path=request["path"],
                    query=tuple(sorted((k, self._fill(v)) for k, v in request["query"].items())),
                    authorization=self._fill(request["headers"]["Authorization"])
                    if "Authorization" in request["headers"]
                    else None,
                    body=pairs,
                    status=response["status"],
                    content_type=response["headers"].get("Content-Type", "text/plain"),
                    response=self._fill(response["body"]).encode("utf-8"),
                    state=state,
                    changes=changes,
                    stateless=stateless,
                )
            )
            if changes:
                state += 1
        return exchanges

    def _answer(self, request: BaseHTTPRequestHandler, raw_body: bytes | None) -> None:
        parts = urlsplit(request.path)
        path = unquote(parts.path)
        query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        body = tuple(parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True)) if raw_body is not None else None
        authorization = request.headers.get("Authorization")
        with self.lock:
            match = None
            for exchange in self.exchanges:
                if (
                    exchange.method == request.command
                    and exchange.path == path
                    and exchange.query == query
                    and exchange.authorization == authorization
                    and exchange.body == body
                    and (exchange.stateless or exchange.state == self.state)
                ):
                    match = exchange
                    break
            if match is None:
                self.unmatched.append(f"{request.command} {request.path} body={raw_body!r} state={self.state}")
            else:
                self.served.append(match.name)
                if match.changes:
                    self.state = match.state + 1
        if match is None:
            self._send(request, 501, "text/plain", b"no recorded exchange matches this request")
        else:
            self._send(request, match.status, match.content_type, match.response)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
        request.wfile.flush()
