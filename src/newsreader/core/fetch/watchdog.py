"""A total deadline per HTTP request.

Socket timeouts bound each read, but a server that sends one byte a second (a body, headers or a
TLS handshake that never end) never trips them. The watchdog shuts the request's sockets down when
its deadline passes, which makes the blocked call fail at once in the worker thread.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable


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
    """Remembers the sockets a thread's current request uses, so that its deadline can cut them.

    Each socket is registered as a duplicate descriptor, taken as soon as the socket exists: the
    deadline then reaches it during the connect, the TLS handshake (which detaches the plain socket
    object), the headers and a body read until the server closes (where ``http.client`` hands the
    socket over to the response and forgets it).
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def begin(self, deadline: float) -> list[socket.socket]:
        """Start tracking for the calling thread until the monotonic time *deadline*; returns the
        list the deadline callback reads."""
        sockets: list[socket.socket] = TrackedSockets()
        self._local.sockets = sockets
        self._local.deadline = deadline
        return sockets

    def time_left(self) -> float | None:
        """Seconds the calling thread's request has left (None outside a request)."""
        deadline: float | None = getattr(self._local, "deadline", None)
        return None if deadline is None else deadline - time.monotonic()

    def end(self) -> None:
        """Stop tracking for the calling thread and let go of its duplicate descriptors."""
        sockets: list[socket.socket] | None = getattr(self._local, "sockets", None)
        self._local.sockets = None
        self._local.deadline = None
        for sock in sockets or ():
            sock.close()

    def register(self, sock: socket.socket) -> None:
        """Called when the current request opens or reuses a socket. Raises
        :class:`ConnectionAbortedError` when the request was already cut (by its deadline or a
        cancel): a socket opened after the cut must not wait out the deadline."""
        sockets: list[socket.socket] | None = getattr(self._local, "sockets", None)
        if sockets is not None:
            with contextlib.suppress(OSError):  # already closed: nothing to cut
                sockets.append(sock.dup())
            if isinstance(sockets, TrackedSockets) and sockets.cut:
                # the request was cut before this socket existed (a cancel or its deadline between
                # the request's start and this connect): this socket is cut as well
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                raise ConnectionAbortedError("The request was stopped before it connected.")


class TrackedSockets(list[socket.socket]):
    """The sockets of one request, remembering whether the request was cut."""

    cut = False


def shut_down_sockets(sockets: list[socket.socket]) -> None:
    """Abort every tracked socket (safe from another thread): blocked reads and writes end at once,
    and a socket the request opens afterwards is cut as it is registered."""
    if isinstance(sockets, TrackedSockets):
        sockets.cut = True  # before the copy below: a socket registered meanwhile sees the mark
    for sock in list(sockets):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
