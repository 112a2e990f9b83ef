"""Name resolution with a time limit.

``getaddrinfo`` blocks in C and no socket timeout covers it: a resolver that never answers would
hold a request past its deadline. Each look-up runs on a daemon thread and the caller waits at most
the time it has left; look-ups of the same host share one thread, and answers are kept for a few
minutes (failures for one minute), so a refresh asks the resolver once per host.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

AddrInfo = tuple[Any, ...]

ANSWER_SECONDS = 300.0
"""How long an answer is reused."""
FAILURE_SECONDS = 60.0
"""How long a failure (or a look-up that did not answer in time) is reused."""


class ResolutionTimeout(socket.gaierror):
    """The resolver did not answer within the time the request had left."""


@dataclass
class _Lookup:
    done: threading.Event = field(default_factory=threading.Event)
    answer: list[AddrInfo] | None = None
    error: OSError | None = None
    expires: float = 0.0


class Resolver:
    """Bounded, shared, caching ``getaddrinfo``; safe to use from many threads."""

    def __init__(self, lookup: Any = socket.getaddrinfo) -> None:
        self._lookup = lookup
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int, int], _Lookup] = {}

    def resolve(self, host: str, port: int, family: int, timeout: float) -> list[AddrInfo]:
        """The addresses of *host* (``SOCK_STREAM``); raises :class:`socket.gaierror` when it does not
        resolve, :class:`ResolutionTimeout` when no answer came within *timeout* seconds."""
        key = (host.lower(), port, family)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (entry.done.is_set() and entry.expires <= now):
                entry = _Lookup()
                self._entries[key] = entry
                threading.Thread(
                    target=self._run, args=(entry, host, port, family), name="newsreader-resolve", daemon=True
                ).start()
        if not entry.done.wait(max(0.0, timeout)):
            raise ResolutionTimeout(socket.EAI_AGAIN, f"the name server did not answer within {timeout:g} s")
        if entry.error is not None:
            raise entry.error
        assert entry.answer is not None
        return entry.answer

    def _run(self, entry: _Lookup, host: str, port: int, family: int) -> None:
        try:
            entry.answer = list(self._lookup(host, port, family, socket.SOCK_STREAM))
            entry.expires = time.monotonic() + ANSWER_SECONDS
        except OSError as exc:
            entry.error = exc
            entry.expires = time.monotonic() + FAILURE_SECONDS
        except Exception as exc:  # a resolver bug must not leave waiters hanging
            entry.error = socket.gaierror(socket.EAI_FAIL, str(exc))
            entry.expires = time.monotonic() + FAILURE_SECONDS
        entry.done.set()

    def forget(self) -> None:
        """Drop every kept answer (a new refresh asks again)."""
        with self._lock:
            self._entries = {k: e for k, e in self._entries.items() if not e.done.is_set()}
