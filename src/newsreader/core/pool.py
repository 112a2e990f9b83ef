"""Running work in an executor with a bounded number of jobs in flight, and cancelling it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def completed_in_window(
    submit: Callable[[T], Future[R]],
    items: Iterable[T],
    *,
    window: int,
    cancel: threading.Event | None = None,
    abandon: Callable[[Future[R]], None] | None = None,
    hold: threading.Event | None = None,
) -> Generator[list[Future[R]], None, None]:
    """Submit *items* keeping at most *window* of them in flight; yield the futures that finished
    together (in no particular order: callers that care order them by what the jobs record), topping
    the window up before each yield.

    Nothing more is submitted once *cancel* is set; items never submitted stay in *items* (pass an
    iterator to pick them up afterwards). When the caller stops early (an exception, ``close()``),
    *cancel* is set, the jobs in flight are waited for and each is handed to *abandon* (to release
    what it holds). While *hold* is set nothing more is submitted either, and the generator ends
    once nothing is in flight; clearing it (between yields) lets submitting go on. Raises nothing
    of its own.
    """
    source = iter(items)
    in_flight: set[Future[R]] = set()

    def top_up() -> None:
        while (
            len(in_flight) < window
            and not (cancel is not None and cancel.is_set())
            and not (hold is not None and hold.is_set())
        ):
            for item in source:
                in_flight.add(submit(item))
                break
            else:
                return

    top_up()
    try:
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            in_flight.difference_update(finished)
            top_up()
            yield list(finished)
            if not in_flight:
                top_up()  # the caller may have cleared *hold*
    finally:
        if in_flight and cancel is not None:
            cancel.set()
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            in_flight.difference_update(finished)
            if abandon is not None:
                for future in finished:
                    abandon(future)


class Cancel(threading.Event):
    """An event that also runs callbacks when set: a request in flight registers one that cuts its
    connection, so cancelling a refresh (or its running out of time) ends it at once."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next = 0
        self._lock = threading.Lock()

    def on_set(self, callback: Callable[[], None]) -> int:
        """Run *callback* when the event is set (at once if it is); returns a token for :meth:`forget`."""
        with self._lock:
            self._next += 1
            token = self._next
            self._callbacks[token] = callback
            already = self.is_set()
        if already:
            callback()
        return token

    def forget(self, token: int) -> None:
        """Drop the callback of *token*."""
        with self._lock:
            self._callbacks.pop(token, None)

    def set(self) -> None:
        """Set the event and run every registered callback (in the calling thread)."""
        with self._lock:
            super().set()
            callbacks = list(self._callbacks.values())
        for callback in callbacks:
            callback()
