"""A TCP server on 127.0.0.1 that answers with raw bytes, for answers no HTTP server library sends:
bodies without a length that drip until the server closes, dripping chunks or headers, TLS
handshakes that stall or drip."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]

DRIP_PAUSE = 0.5
"""Seconds between two bytes of a dripping answer (the server's pace, not a test's clock)."""
DRIP_FOR = 300.0
"""A dripping answer goes on this long unless the client goes away first."""


class RawServer:
    """Runs *behaviour* on every connection (on its own thread); ``url(path)`` gives an address."""

    def __init__(self, behaviour: Behaviour, scheme: str = "http") -> None:
        self.behaviour = behaviour
        self.scheme = scheme
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def url(self, path: str = "/feed.xml", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            self.behaviour(client)
        except OSError:
            pass  # the client went away: what a deadline does
        finally:
            client.close()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()


def read_request(client: socket.socket) -> bytes:
    """The request head (up to the blank line)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def drip(client: socket.socket, data: bytes, wrap: Callable[[bytes], bytes] = lambda b: b) -> None:
    """Send *data* one byte every :data:`DRIP_PAUSE` seconds, then more of the same until
    :data:`DRIP_FOR` has passed or the client goes away."""
    ends = time.monotonic() + DRIP_FOR
    index = 0
    while time.monotonic() < ends:
        client.sendall(wrap(data[index % len(data) : index % len(data) + 1]))
        index += 1
        time.sleep(DRIP_PAUSE)


def no_length_drip(feed: bytes) -> Behaviour:
    """A 200 without ``Content-Length`` whose body starts, then drips, ending when the server closes."""

    def behave(client: socket.socket) -> None:
        read_request(client)
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n")
        client.sendall(feed[: len(feed) // 2])
        drip(client, b" ")

    return behave


def chunked_drip(feed: bytes) -> Behaviour:
    """A chunked 200 whose chunks arrive one byte at a time."""

    def behave(client: socket.socket) -> None:
        read_request(client)
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        head = feed[: len(feed) // 2]
        client.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
        drip(client, b" ", lambda b: b"1\r\n" + b + b"\r\n")

    return behave


def header_drip(client: socket.socket) -> None:
    """A status line, then one header byte at a time: the head never ends."""
    read_request(client)
    client.sendall(b"HTTP/1.1 200 OK\r\n")
    drip(client, b"X-Slow: yes\r\n")


def tls_stall(client: socket.socket) -> None:
    """Takes the TLS ClientHello and never answers it."""
    client.recv(4096)
    client.recv(4096)  # blocks until the client gives up


def tls_drip(client: socket.socket) -> None:
    """Answers the ClientHello with a handshake record announced at 16 KB, sent a byte at a time."""
    client.recv(4096)
    client.sendall(b"\x16\x03\x03\x40\x00")
    drip(client, b"\x02")
