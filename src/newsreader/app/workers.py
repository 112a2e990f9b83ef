"""Work off the GUI thread: short library calls on a small thread pool, the refresh, and the sync of
the accounts.

Results come back as Qt signals of objects that live in the GUI thread, so every callback runs
there (queued connections). Plain Python threads are used rather than ``QThreadPool`` so that each
worker keeps its own SQLite connection (the library's connections are per thread) for its lifetime.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from newsreader.core.errors import NewsreaderError
from newsreader.core.library import Library
from newsreader.core.models import Account, RefreshProgress, RefreshStatus, Stage, StageProgress
from newsreader.core.pool import Cancel
from newsreader.core.sync.engine import SyncReport

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[str], None]
Result = TypeVar("Result")


def describe_failure(exc: BaseException) -> str:
    """One sentence for the user: the library's own message, else the exception's type and text."""
    if isinstance(exc, NewsreaderError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}{f': {exc.filename}' if exc.filename else ''}."
    return f"Unexpected error ({type(exc).__name__}: {exc})."


class TaskRunner(QObject):
    """Runs callables on worker threads and calls back in the GUI thread.

    ``pending`` counts tasks not yet delivered; ``idle`` is emitted when it drops to zero (used to
    know when the panes are filled, e.g. before a screenshot).
    """

    _succeeded = Signal(int, object)
    _failed = Signal(int, str)
    idle = Signal()

    def __init__(self, parent: QObject | None = None, threads: int = 3) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="newsreader-task")
        self._callbacks: dict[int, tuple[Callback, ErrorCallback | None]] = {}
        self._tokens = itertools.count(1)
        self._succeeded.connect(self._deliver)
        self._failed.connect(self._deliver_failure)
        self._closed = False

    @property
    def pending(self) -> int:
        """Tasks submitted whose callback has not run yet."""
        return len(self._callbacks)

    def submit(
        self, work: Callable[[], Result], on_done: Callable[[Result], None], on_error: ErrorCallback | None = None
    ) -> int:
        """Run *work* on a worker; *on_done(result)* or *on_error(message)* then runs in the GUI thread."""
        token = next(self._tokens)
        if self._closed:
            return token
        self._callbacks[token] = (on_done, on_error)
        self._executor.submit(self._run, token, work)
        return token

    def _run(self, token: int, work: Callable[[], Any]) -> None:
        try:
            result = work()
        except Exception as exc:
            if not isinstance(exc, NewsreaderError):
                log.exception("background task failed")
            self._failed.emit(token, describe_failure(exc))
        else:
            self._succeeded.emit(token, result)

    @Slot(int, object)
    def _deliver(self, token: int, result: object) -> None:
        callbacks = self._callbacks.pop(token, None)
        if callbacks is not None:
            callbacks[0](result)
        self._maybe_idle()

    @Slot(int, str)
    def _deliver_failure(self, token: int, message: str) -> None:
        callbacks = self._callbacks.pop(token, None)
        if callbacks is not None and callbacks[1] is not None:
            callbacks[1](message)
        elif callbacks is not None:
            log.warning("%s", message)
        self._maybe_idle()

    def _maybe_idle(self) -> None:
        if not self._callbacks:
            self.idle.emit()

    def close(self) -> None:
        """Stop accepting work and drop queued tasks; running ones finish within the fetch deadline."""
        self._closed = True
        self._callbacks.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)


class _JobThread(QObject):
    """One background job at a time on its own thread (a refresh, a sync): start, cancel, wait."""

    _thread_name = "newsreader-job"

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._thread: threading.Thread | None = None
        self._cancel = Cancel()
        self._busy = threading.Event()

    @property
    def running(self) -> bool:
        """The job is in progress: started, and its ``finished`` not yet emitted.

        Not the thread's liveness: the thread outlives its ``finished`` by a moment, and a slot of
        ``finished`` that starts the next job (a sync after a refresh) must not be told to wait."""
        return self._busy.is_set()

    def _start(self, *args: object) -> bool:
        """Run ``_run(*args, cancel)`` on a new thread; False when the job is already running."""
        if self.running:
            return False
        self._busy.set()
        self._cancel = Cancel()
        self._thread = threading.Thread(
            target=self._run, args=(*args, self._cancel), name=self._thread_name, daemon=True
        )
        self._thread.start()
        return True

    def _run(self, *args: Any) -> None:
        raise NotImplementedError

    def cancel(self) -> None:
        """Stop the job at once: requests in flight are cut; what was stored stays."""
        self._cancel.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to *timeout* seconds for the job's thread; True when it has ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()


class RefreshWorker(_JobThread):
    """Drives :meth:`Library.update` — feeds, article pages, images, icons, as the CLI does — on its
    own thread; one refresh at a time.

    ``stage_progress`` carries every :class:`StageProgress` (its ``fraction`` never goes back);
    ``progress`` each feed's :class:`RefreshProgress` and ``page_progress`` each article page's
    :class:`PageProgress`, for what they change; ``finished`` a :class:`RefreshSummary`.
    """

    stage_progress = Signal(object)
    progress = Signal(object)
    page_progress = Signal(object)
    """Each :class:`PageProgress` of the article pages downloaded after the feeds."""
    finished = Signal(object)

    _thread_name = "newsreader-refresh"

    def start(self, feed_ids: list[int] | None = None, *, due_only: bool = False) -> bool:
        """Start refreshing (all enabled feeds, or *feed_ids*); False when one is already running.
        :meth:`cancel` stops it at whatever stage; what is left waits for the next refresh."""
        return self._start(feed_ids, due_only)

    def _run(self, feed_ids: list[int] | None, due_only: bool, cancel: Cancel) -> None:
        summary = RefreshSummary()
        try:
            for step in self._library.update(feed_ids, due_only=due_only, cancel=cancel):
                self.stage_progress.emit(step)
                if step.feed is not None:
                    feed_step = RefreshProgress(step.done, step.total, step.feed)
                    summary.add(feed_step)
                    self.progress.emit(feed_step)
                if step.page is not None and step.page.requested:
                    summary.pages += 1
                    summary.page_failures += step.page.error is not None
                    self.page_progress.emit(step.page)
                if step.finished:
                    summary.stages.append(step)
                    summary.offline = summary.offline or step.offline
                    if step.stage is Stage.IMAGES:
                        summary.images = step.added
                    elif step.stage is Stage.ICONS:
                        summary.icons = step.added
        except Exception as exc:
            if not isinstance(exc, NewsreaderError):
                log.exception("refresh failed")
            summary.error = describe_failure(exc)
        finally:
            summary.cancelled = cancel.is_set()
            self._library.close_thread()
            self._busy.clear()
            self.finished.emit(summary)


class RefreshSummary:
    """What a whole refresh did: counts, new story ids and each failed feed's error."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0
        self.new_story_ids: list[int] = []
        self.failures: list[tuple[str, str]] = []
        self.error: str | None = None
        self.cancelled = False
        self.pages = 0
        self.page_failures = 0
        self.images = 0
        self.icons = 0
        self.stages: list[StageProgress] = []
        """The last value of each stage: what it did, and what is left for the next refresh."""
        self.offline = False
        """The network was down: no feed could be reached, or it was lost during the refresh (the
        feeds stage's ``left`` counts the feeds not reached); none was marked failed for it."""

    def add(self, step: RefreshProgress) -> None:
        """Count one finished feed."""
        self.total = step.total
        self.done = step.done
        self.new_story_ids.extend(step.result.new_story_ids)
        if step.result.status is RefreshStatus.FAILED:
            self.failures.append((step.result.title or step.result.url, step.result.error or "failed"))


@dataclass(frozen=True, slots=True)
class AccountSynced:
    """One account's sync as it ended: the account (its new state) and what the sync did."""

    account: Account
    report: SyncReport


class SyncWorker(_JobThread):
    """Drives :meth:`Library.sync` — the sync accounts, one after the other, as ``newsreader sync``
    does — on its own thread; one sync at a time.

    ``account_started`` carries an account's name as its sync starts, ``stored`` (name, new stories)
    each stored batch of items (so lists fill while it runs), ``account_finished`` an
    :class:`AccountSynced`, and ``finished`` the list of them (or ``error``, one sentence, when the
    sync could not run at all).
    """

    account_started = Signal(str)
    stored = Signal(str, int)
    account_finished = Signal(object)
    finished = Signal(object)
    error = Signal(str)

    _thread_name = "newsreader-sync"

    def start(self, names: list[str] | None = None) -> bool:
        """Start syncing (every account, or *names*); False when one is already running.
        :meth:`cancel` stops it at its next request; what was stored and the queue stay."""
        return self._start(names)

    def _run(self, names: list[str] | None, cancel: Cancel) -> None:
        results: list[AccountSynced] = []
        try:
            accounts = names if names is not None else [a.name for a in self._library.accounts()]
            for name in accounts:
                if cancel.is_set():
                    break
                self.account_started.emit(name)
                for account, report in self._library.sync(
                    [name], cancel=cancel, on_stored=lambda account, added: self.stored.emit(account.name, added)
                ):
                    result = AccountSynced(account, report)
                    results.append(result)
                    self.account_finished.emit(result)
        except Exception as exc:
            if not isinstance(exc, NewsreaderError):
                log.exception("sync failed")
            self.error.emit(describe_failure(exc))
        finally:
            self._library.close_thread()
            self._busy.clear()
            self.finished.emit(results)
