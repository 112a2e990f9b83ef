"""Worker processes for CPU-bound work (feed parsing, page analysis) that end with their parent.

CPU-bound Python in threads competes with the SQLite writer for the GIL, so it runs in spawned
processes. A process pool's workers do not notice on their own that the process that started them
was killed (``kill -9``, the OOM killer, a logout): they wait on their task queue, holding the
resource tracker open, for ever. Each worker therefore ends itself when its parent goes: on Linux
the kernel sends it ``SIGKILL`` (``PR_SET_PDEATHSIG``); everywhere, a thread waiting on the parent's
sentinel exits the process (the fallback, and all there is on macOS and Windows).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

R = TypeVar("R")

PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal the kernel sends this process when its parent thread ends."""


def _end_with_parent(parent_pid: int) -> None:
    """Arrange for this (worker) process to end when *parent_pid* does."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the sentinel thread below still watches
    if os.getppid() != parent_pid:  # the parent ended before the signal was armed
        os._exit(1)
    parent = multiprocessing.parent_process()
    if parent is not None:

        def watch() -> None:
            parent.join()
            os._exit(1)

        threading.Thread(target=watch, name="newsreader-parent-watch", daemon=True).start()


def _started(parent_pid: int, warm_up: Callable[[], None] | None) -> None:
    _end_with_parent(parent_pid)
    if warm_up is not None:
        warm_up()


def cpu_workers() -> int:
    """Worker processes worth starting: one core stays with the writer and the network threads."""
    cores = os.cpu_count() or 1
    return max(1, min(4, cores - 1)) if cores > 1 else 0


class WorkerPool:
    """Spawned worker processes, started on first use; safe to share between threads.

    A call whose worker died (out of memory, killed) runs in the calling thread instead, so that
    its feed or page is not lost.
    """

    def __init__(self, processes: int, warm_up: Callable[[], None] | None = None) -> None:
        self.processes = processes
        self._warm_up = warm_up
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, function: Callable[..., R], *args: Any) -> Future[R]:
        """Run ``function(*args)`` in a worker (both must pickle)."""
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=context, initializer=_started, initargs=(os.getpid(), self._warm_up)
                )
            pool = self._pool
        return pool.submit(function, *args)

    @property
    def started(self) -> bool:
        """The worker processes run (something was submitted)."""
        return self._pool is not None

    def run(self, function: Callable[..., R], *args: Any) -> R:
        """``function(*args)`` in a worker, waited for."""
        try:
            return self.submit(function, *args).result()
        except BrokenProcessPool:
            return function(*args)

    def close(self) -> None:
        """Stop the worker processes (waiting for the tasks they run)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
