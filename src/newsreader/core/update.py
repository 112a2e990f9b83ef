"""The feeds stage of a refresh: bounded parallel fetch in threads, parsing (in worker processes
for large refreshes), one writer.

Threads fetch and parse (pure values out); the thread iterating :meth:`Refresher.run` is the only
one that writes — feeds that finished together in one transaction, a savepoint each — and yields a
:class:`RefreshProgress` as each feed is stored. A feed that fails is recorded with its error and
never stops the others. :mod:`newsreader.core.pipeline` runs this stage first.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from newsreader.core.connectivity import LOST_MESSAGE, OFFLINE_MESSAGE, NetworkCheck
from newsreader.core.errors import (
    FetchError,
    LibraryFullError,
    NewsreaderError,
    NotRequestedError,
    ParseError,
    RequestCancelledError,
    StorageError,
    UnreachableError,
)
from newsreader.core.fetch.http import Fetcher, server_of
from newsreader.core.models import ParsedFeed, RefreshProgress, RefreshResult, RefreshStatus, Verdict
from newsreader.core.parse_job import ClassifyJob, ParseFunction, parse_in_thread, warm_up_worker
from newsreader.core.pool import Cancel, completed_in_window
from newsreader.core.process_pool import WorkerPool, cpu_workers
from newsreader.core.settings import DEFAULT_INTERVAL, LibrarySettings
from newsreader.core.storage.db import FeedState, Storage

PROCESS_POOL_MIN_FEEDS = 40
"""Refreshes of at least this many feeds parse in worker processes (starting them costs ~0.2 s)."""
PROCESS_POOL_MIN_PAGES = 20
"""… and refreshes with at least this many article pages to analyse."""
PARSED_BACKLOG = 16
"""Feeds parsed but not yet stored, at most (each holds its stories in memory)."""
MAX_MAX_AGE = 24 * 3600
"""A server's ``Cache-Control: max-age`` postpones scheduled checks by at most a day."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a worker found for one feed (a value: crosses from the worker to the writer)."""

    state: FeedState
    status: RefreshStatus
    parsed: ParsedFeed | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    permanent_url: str | None = None
    retry_after: datetime | None = None
    max_age: int | None = None
    error: str | None = None
    gone: bool = False
    holds_parse_slot: bool = False
    verdicts: tuple[Verdict, ...] | None = None
    unreached: str | None = None
    """The request never reached the server: ``"network"`` or ``"server"`` (see
    :func:`~newsreader.core.fetch.failures.never_reached`)."""
    heard_at: float = 0.0
    """When the request ended (``time.monotonic()``), answered or not, before any parsing: feeds
    that finish together are judged in this order (an answer ends a suspicion only after it)."""


def fetch_and_parse(
    state: FeedState,
    fetcher: Fetcher,
    *,
    now: datetime,
    max_entries: int,
    auth: tuple[str, str] | None = None,
    conditional: bool = True,
    parse: ParseFunction = parse_in_thread,
    parse_slots: threading.Semaphore | None = None,
    job: ClassifyJob | None = None,
    cancel: Cancel | None = None,
) -> _Outcome:
    """Fetch one feed and parse it if it changed; never raises for a bad feed. A request the
    refresh's *cancel* stopped leaves the feed as it was (``SKIPPED``)."""
    try:
        response = fetcher.fetch(
            state.url,
            etag=state.etag if conditional else None,
            last_modified=state.last_modified if conditional else None,
            auth=auth,
            cancel=cancel,
        )
    except RequestCancelledError:
        return _Outcome(state, RefreshStatus.SKIPPED, error="Refresh cancelled.")
    except FetchError as exc:
        heard_at = time.monotonic()
        unreached = None
        if isinstance(exc, UnreachableError):
            unreached = "network" if exc.network else "server"
        elif isinstance(exc, NotRequestedError):
            unreached = "server"  # its server did not answer moments ago
        return _Outcome(
            state,
            RefreshStatus.FAILED,
            error=str(exc),
            retry_after=exc.retry_after,
            gone=exc.status == 410,
            unreached=unreached,
            heard_at=heard_at,
        )
    heard_at = time.monotonic()
    checked = _Outcome(
        state,
        RefreshStatus.NOT_MODIFIED,
        etag=response.etag,
        last_modified=response.last_modified,
        permanent_url=response.permanent_url,
        retry_after=response.retry_after,
        max_age=response.max_age,
        heard_at=heard_at,
    )
    if response.not_modified:
        return checked
    body_hash = hashlib.sha1(response.body, usedforsecurity=False).hexdigest()
    if body_hash == state.body_hash:
        return replace(checked, status=RefreshStatus.UNCHANGED, body_hash=body_hash)
    if parse_slots is not None:
        parse_slots.acquire()  # released by the writer once this feed is stored
    try:
        parsed, verdicts = parse(response.body, response.url, response.headers, now, max_entries, job)
    except ParseError as exc:
        failure = str(exc)
    except (RecursionError, MemoryError, ValueError, UnicodeError) as exc:
        failure = f"{state.url} could not be read as a feed ({exc})."
    else:
        return replace(
            checked,
            status=RefreshStatus.UPDATED,
            parsed=parsed,
            verdicts=verdicts,
            body_hash=body_hash,
            holds_parse_slot=parse_slots is not None,
        )
    if parse_slots is not None:
        parse_slots.release()
    return _Outcome(state, RefreshStatus.FAILED, error=failure, heard_at=heard_at)


def interleave_by_host(states: Sequence[FeedState]) -> list[FeedState]:
    """Order feeds round-robin over their hosts so the per-host cap rarely makes a worker wait."""
    by_host: OrderedDict[str, list[FeedState]] = OrderedDict()
    for state in states:
        by_host.setdefault((urlsplit(state.url).hostname or "").lower(), []).append(state)
    queues = [list(reversed(q)) for q in by_host.values()]
    ordered: list[FeedState] = []
    while queues:
        for queue in queues:
            ordered.append(queue.pop())
        queues = [q for q in queues if q]
    return ordered


def _release_slots(outcomes: Sequence[_Outcome], parse_slots: threading.BoundedSemaphore) -> None:
    for outcome in outcomes:
        if outcome.holds_parse_slot:
            parse_slots.release()


def pool_for(feed_count: int, page_count: int = 0, processes: int | None = None) -> WorkerPool | None:
    """Worker processes when a refresh of *feed_count* feeds (and *page_count* article pages) pays
    for starting them (~0.2 s, and ~1 s of imports each); *processes* forces a number, 0 none."""
    if processes is None:
        worth = feed_count >= PROCESS_POOL_MIN_FEEDS or page_count >= PROCESS_POOL_MIN_PAGES
        processes = cpu_workers() if worth else 0
    return WorkerPool(processes, warm_up_worker) if processes > 0 else None


def with_default_retention(states: list[FeedState], settings: LibrarySettings) -> list[FeedState]:
    """Feeds without their own retention limits follow the library's (none by default)."""
    days, count = settings.keep_days, settings.keep_count
    if days is None and count is None:
        return states
    return [
        replace(
            s,
            max_age_days=s.max_age_days if s.max_age_days is not None else days,
            max_count=s.max_count if s.max_count is not None else count,
        )
        for s in states
    ]


class Refresher:
    """Runs one refresh over a set of feeds; iterate :meth:`run` from the writer thread."""

    def __init__(
        self,
        storage: Storage,
        fetcher: Fetcher,
        *,
        workers: int,
        max_entries: int,
        default_interval: int = DEFAULT_INTERVAL,
        password_for: Callable[[FeedState], str | None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parse: ParseFunction = parse_in_thread,
        rules_file: Path | None = None,
        classify_stories: bool = True,
        filters_dir: Path | None = None,
    ) -> None:
        self.storage = storage
        self.fetcher = fetcher
        self.workers = max(1, workers)
        self.max_entries = max_entries
        self.default_interval = default_interval
        self.password_for = password_for
        self.clock = clock
        self.parse = parse
        self.rules_file = rules_file
        self.classify_stories = classify_stories
        self.filters_dir = filters_dir

    def _job(self, state: FeedState) -> ClassifyJob | None:
        if not self.classify_stories:
            return None
        path = str(self.rules_file) if self.rules_file is not None else None
        folder = str(self.filters_dir) if self.filters_dir is not None else None
        return (path, state.sponsored_never, state.sponsored_rules, folder)

    def run(self, states: Sequence[FeedState], cancel: threading.Event | None = None) -> Iterator[RefreshProgress]:
        """Refresh *states*, yielding progress as each feed finishes (in completion order).

        Until a server answers (and, after that, while failures pointing at the network follow the
        last answer), failures to reach a server are held back; when they show the network is down
        or lost (:mod:`newsreader.core.connectivity`), no further feed is asked and every feed not
        refreshed is reported ``OFFLINE`` and left as it was; when a server answers, the held
        failures are recorded as the feeds' own."""
        cancel = cancel or threading.Event()
        now = self.clock()
        total = len(states)
        done = 0
        runnable: list[FeedState] = []
        for state in states:
            if state.retry_after is not None and state.retry_after > now:
                done += 1
                message = f"{state.url} asked to wait until {state.retry_after:%Y-%m-%d %H:%M} UTC."
                yield RefreshProgress(
                    done,
                    total,
                    RefreshResult(state.id, state.url, state.title, RefreshStatus.SKIPPED, error=message),
                )
            else:
                runnable.append(state)
        pending = iter(interleave_by_host(runnable))
        network = NetworkCheck(len({server_of(s.url) for s in runnable}))
        held: list[_Outcome] = []
        """Failures to reach a server while no server has answered: the network's or the feeds'."""
        hold = threading.Event()
        # Parsed feeds waiting for the writer are the bulk of a refresh's memory: bound them.
        parse_slots = threading.BoundedSemaphore(PARSED_BACKLOG)

        def release(future: Future[_Outcome]) -> None:
            if future.exception() is None:
                _release_slots([future.result()], parse_slots)

        with ThreadPoolExecutor(self.workers, thread_name_prefix="newsreader-fetch") as pool:

            def submit(state: FeedState) -> Future[_Outcome]:
                return pool.submit(
                    fetch_and_parse,
                    state,
                    self.fetcher,
                    now=self.clock(),
                    max_entries=self.max_entries,
                    auth=self._auth(state),
                    parse=self.parse,
                    parse_slots=parse_slots,
                    job=self._job(state),
                    cancel=cancel if isinstance(cancel, Cancel) else None,
                )

            # a full disk, or the caller stopped iterating: the fetches in flight finish (they may be
            # waiting for a parse slot) so that the pool can shut down
            batches = completed_in_window(
                submit, pending, window=self.workers + 8, cancel=cancel, abandon=release, hold=hold
            )
            with closing(batches):
                for finished in batches:
                    # in the order the requests ended: a set of futures has none of its own
                    ended = sorted((f.result() for f in finished), key=lambda outcome: outcome.heard_at)
                    outcomes = self._hold_back(ended, network, held)
                    if not network.undecided:
                        hold.clear()
                        outcomes, held[:] = held + outcomes, []
                    elif network.offline:
                        hold.set()  # no new request until those in flight end
                    try:
                        stored = self._store_group(outcomes)
                    finally:
                        _release_slots(outcomes, parse_slots)
                    for result in stored:
                        done += 1
                        yield RefreshProgress(done, total, result)
        offline = network.offline and not cancel.is_set()
        if held and not offline and not cancel.is_set():
            for result in self._store_group(held):  # too few servers to blame the network
                done += 1
                yield RefreshProgress(done, total, result)
        elif held:
            for outcome in held:
                done += 1
                yield RefreshProgress(done, total, self._not_refreshed(outcome.state, offline, network.lost))
        for state in pending:
            done += 1
            yield RefreshProgress(done, total, self._not_refreshed(state, offline, network.lost))

    @staticmethod
    def _hold_back(outcomes: list[_Outcome], network: NetworkCheck, held: list[_Outcome]) -> list[_Outcome]:
        """Tell *network* what *outcomes* show; while no server has answered, move the failures to
        reach a server into *held*. Returns the outcomes to store now."""
        ready: list[_Outcome] = []
        for outcome in outcomes:
            if outcome.unreached is not None:
                network.unreached(server_of(outcome.state.url), network=outcome.unreached == "network")
            elif outcome.status is not RefreshStatus.SKIPPED:
                network.answered()
        for outcome in outcomes:
            if outcome.unreached is not None and network.holds(network=outcome.unreached == "network"):
                held.append(outcome)
            else:
                ready.append(outcome)
        return ready

    @staticmethod
    def _not_refreshed(state: FeedState, offline: bool, lost: bool = False) -> RefreshResult:
        """A feed left as it was: the network is down (*lost* during the refresh), or the refresh was
        cancelled."""
        if offline:
            message = LOST_MESSAGE if lost else OFFLINE_MESSAGE
            return RefreshResult(state.id, state.url, state.title, RefreshStatus.OFFLINE, error=message)
        return RefreshResult(state.id, state.url, state.title, RefreshStatus.SKIPPED, error="Refresh cancelled.")

    def _auth(self, state: FeedState) -> tuple[str, str] | None:
        if not state.auth_user or self.password_for is None:
            return None
        try:
            password = self.password_for(state)
        except NewsreaderError:
            return None
        return (state.auth_user, password) if password is not None else None

    def _next_check(self, state: FeedState, now: datetime, outcome: _Outcome) -> datetime:
        interval = state.update_interval or self.default_interval
        if outcome.max_age:
            interval = max(interval, min(outcome.max_age, MAX_MAX_AGE))
        when = now + timedelta(seconds=interval)
        if outcome.retry_after is not None:
            when = max(when, outcome.retry_after)
        return when

    def _store_group(self, outcomes: list[_Outcome]) -> list[RefreshResult]:
        """Store feeds that finished together in one commit (each feed in its own savepoint).

        Results are reported only once the commit succeeded; if it fails, every feed of the
        group is reported failed and nothing of it is in the database.
        """
        results: list[RefreshResult] = []
        if not outcomes:
            return results  # all held back (no network yet): nothing to write
        try:
            with self.storage.transaction():
                # the group's new stories are indexed for search together, before the commit
                before = self.storage.last_story_id()
                results = [self._store(outcome) for outcome in outcomes]
                self.storage.index_stories_after(before)
        except LibraryFullError:
            raise  # no later feed could be stored either: stop the refresh with this one error
        except StorageError as exc:
            return [
                RefreshResult(o.state.id, o.state.url, o.state.title, RefreshStatus.FAILED, error=str(exc))
                for o in outcomes
            ]
        return results

    def _store(self, outcome: _Outcome) -> RefreshResult:
        state = outcome.state
        now = self.clock()
        next_check = self._next_check(state, now, outcome)
        title = state.title
        try:
            if outcome.status is RefreshStatus.SKIPPED:
                return RefreshResult(state.id, state.url, title, outcome.status, error=outcome.error)
            if outcome.status is RefreshStatus.FAILED:
                reason = None
                if outcome.gone:
                    reason = f"{state.url} is gone (HTTP 410), so the feed was disabled."
                self.storage.record_error(
                    state.id,
                    now,
                    outcome.error or "Unknown error.",
                    next_check=next_check,
                    retry_after=outcome.retry_after,
                    disable_reason=reason,
                )
                return RefreshResult(state.id, state.url, title, outcome.status, error=reason or outcome.error)
            if outcome.parsed is None:
                self.storage.record_checked(
                    state.id,
                    now,
                    next_check=next_check,
                    retry_after=outcome.retry_after,
                    etag=outcome.etag,
                    last_modified=outcome.last_modified,
                )
                return RefreshResult(state.id, state.url, title, outcome.status)
            new_url = self._new_url(state, outcome.permanent_url)
            stored = self.storage.store_entries(
                state.id,
                outcome.parsed.entries,
                now,
                title=outcome.parsed.title,
                site_url=outcome.parsed.site_url,
                etag=outcome.etag,
                last_modified=outcome.last_modified,
                body_hash=outcome.body_hash,
                next_check=next_check,
                retry_after=outcome.retry_after,
                new_url=new_url,
                max_count=state.max_count,
                max_age_days=state.max_age_days,
                verdicts=outcome.verdicts,
                search_index=False,
            )
        except LibraryFullError:
            raise
        except StorageError as exc:
            return RefreshResult(state.id, state.url, title, RefreshStatus.FAILED, error=str(exc))
        return RefreshResult(
            state.id,
            new_url or state.url,
            outcome.parsed.title or title,
            RefreshStatus.UPDATED,
            new_stories=len(stored.new_ids),
            updated_stories=stored.updated,
            new_story_ids=stored.new_ids,
        )

    def _new_url(self, state: FeedState, permanent: str | None) -> str | None:
        if not permanent or permanent == state.url:
            return None
        owner = self.storage.feed_id_for_url(permanent)
        return permanent if owner is None else None
