"""A total deadline per HTTP request.

Socket timeouts bound each read, but a server that sends one byte a second (or headers that never
end) never trips them. The watchdog shuts the request's socket down when its deadline passes,
which makes the blocked read fail at once in the worker thread.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable
from typing import Any


class Watchdog:
    """One daemon thread that runs callbacks at deadlines (monotonic clock)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, callback: Callable[[], None]) -> int:
        """Run *callback* in *seconds* unless :meth:`disarm` is called first; returns a token."""
        token = next(self._counter)
        with self._cond:
            self._callbacks[token] = callback
            heapq.heappush(self._heap, (time.monotonic() + seconds, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="newsreader-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
        return token

    def disarm(self, token: int) -> None:
        """Cancel the callback of *token* (no effect when it already ran)."""
        with self._cond:
            self._callbacks.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                _, token = heapq.heappop(self._heap)
                callback = self._callbacks.pop(token, None)
            if callback is not None:
                with contextlib.suppress(Exception):  # a failed shutdown only means the socket is gone
                    callback()


class ConnectionTracker:
    """Remembers the connections a thread's current request uses, so a deadline can cut them."""

    def __init__(self) -> None:
        self._local = threading.local()

    def begin(self) -> list[Any]:
        """Start tracking for the calling thread; returns the list the deadline callback reads."""
        connections: list[Any] = []
        self._local.connections = connections
        return connections

    def end(self) -> None:
        """Stop tracking for the calling thread."""
        self._local.connections = None

    def register(self, connection: Any) -> None:
        """Called by the connection pool when the current thread takes a connection."""
        connections = getattr(self._local, "connections", None)
        if connections is not None:
            connections.append(connection)


def shut_down_connections(connections: list[Any]) -> None:
    """Abort every tracked connection's socket (safe from another thread)."""
    for connection in list(connections):
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
