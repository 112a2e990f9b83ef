"""Starting a refresh: the feeds stage set up from the library's settings (arguments checked, feeds
picked, a :class:`~newsreader.core.update.Refresher` built), the worker processes and the cancel watch
around :func:`~newsreader.core.pipeline.run_refresh`, and the hosts report kept afterwards.

:class:`~newsreader.core.library.Library` builds one :class:`RefreshSetup` per refresh and calls
:func:`feeds_only` or :func:`whole_refresh`; the stages themselves live in
:mod:`newsreader.core.pipeline` and :mod:`newsreader.core.update`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.core.errors import FeedNotFoundError, SettingsError
from newsreader.core.models import RefreshProgress, RefreshStatus, StageProgress
from newsreader.core.pool import Cancel
from newsreader.core.related.same_story import trim_remembered
from newsreader.core.settings import MAX_WORKERS, LibrarySettings
from newsreader.core.storage.db import FeedState, Storage

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.filters import PageFilters
    from newsreader.core.process_pool import WorkerPool

CANCEL_POLL_SECONDS = 0.2
"""How often a plain :class:`threading.Event` given as *cancel* is looked at."""


@dataclass(frozen=True)
class RefreshSetup:
    """What one refresh works with, as the library has it now."""

    connect: Callable[[], Storage]
    """The library's storage for the calling thread (SQLite connections stay in their thread: a refresh
    may be iterated, or closed, in another thread than the one that set it up)."""
    fetcher: Fetcher
    settings: LibrarySettings
    clock: Callable[[], datetime]
    parse_processes: int | None
    """Worker processes for parsing (None: one per CPU; 0: parse in threads)."""
    password_for: Callable[[FeedState], str | None]
    check_rules: Callable[[], object]
    """Reads the user's sponsored rules, raising :class:`SettingsError` for a broken file."""
    rules_file: Path
    filters_dir: Path
    folder: Callable[[], ImageFolder]
    filters: Callable[[], PageFilters]

    @property
    def storage(self) -> Storage:
        """The storage for the calling thread."""
        return self.connect()


def feeds_stage(
    setup: RefreshSetup,
    feed_ids: Iterable[int] | None,
    due_only: bool,
    workers: int | None,
    cancel: threading.Event | None,
    choose_pool: Callable[[int], WorkerPool | None],
    *,
    close_pool: bool = True,
) -> Iterator[RefreshProgress]:
    """The feeds stage: check the arguments, pick the feeds (all enabled ones for None; those due
    with *due_only*), run the :class:`Refresher` (parsing in the pool *choose_pool* gives for the
    number of feeds, closed at the end with *close_pool*). Raises :class:`FeedNotFoundError` for an
    unknown id and :class:`SettingsError` for *workers* out of range or a broken rules file, before
    anything is fetched."""
    from newsreader.core.parse_job import ProcessParser, parse_in_thread
    from newsreader.core.update import Refresher, with_default_retention

    storage = setup.storage
    ids = None if feed_ids is None else list(feed_ids)
    if ids is not None:
        known = {f.id for f in storage.feeds(ids)}
        missing = [i for i in ids if i not in known]
        if missing:
            raise FeedNotFoundError(missing[0])
    states = with_default_retention(storage.feed_states(ids, enabled_only=ids is None), setup.settings)
    now = setup.clock()
    if due_only:
        states = [s for s in states if s.next_check is None or s.next_check <= now]
    count = workers if workers is not None else setup.settings.workers
    if not 1 <= count <= MAX_WORKERS:
        raise SettingsError(f"The number of workers must be between 1 and {MAX_WORKERS}.")
    setup.check_rules()
    pool = choose_pool(len(states))
    refresher = Refresher(
        storage,
        setup.fetcher,
        workers=count,
        max_entries=setup.settings.max_entries,
        default_interval=setup.settings.update_interval,
        password_for=setup.password_for,
        clock=setup.clock,
        parse=ProcessParser(pool) if pool is not None else parse_in_thread,
        rules_file=setup.rules_file,
        filters_dir=setup.filters_dir,
    )
    try:
        yield from refresher.run(states, cancel)
    finally:
        if pool is not None and close_pool:
            pool.close()


def feeds_only(
    setup: RefreshSetup,
    feed_ids: Iterable[int] | None,
    *,
    due_only: bool,
    workers: int | None,
    cancel: threading.Event | None,
) -> Iterator[RefreshProgress]:
    """The feeds stage alone (worker processes sized for the number of feeds, closed at the end), with
    the hosts report kept afterwards. Raises what :func:`feeds_stage` raises."""
    from newsreader.core.update import pool_for

    def choose(count: int) -> WorkerPool | None:
        return pool_for(count, 0, setup.parse_processes)

    setup.fetcher.begin_round(setup.storage.backed_off_hosts(setup.clock()))
    network_down = False
    try:
        for step in feeds_stage(setup, feed_ids, due_only, workers, cancel, choose):
            network_down = network_down or step.result.status is RefreshStatus.OFFLINE
            yield step
    finally:
        record_hosts(setup.fetcher, setup.storage, setup.clock(), network_down)
        _let_go(setup.storage)


def whole_refresh(
    setup: RefreshSetup,
    feed_ids: Iterable[int] | None,
    *,
    due_only: bool,
    workers: int | None,
    offline: bool,
    cancel: threading.Event | None,
    budget: float | None,
) -> Iterator[StageProgress]:
    """Every stage through :func:`~newsreader.core.pipeline.run_refresh`, with one pool of worker
    processes for the feeds and the pages, a plain *cancel* event watched every
    :data:`CANCEL_POLL_SECONDS`, and the hosts report kept afterwards. Raises what
    :func:`feeds_stage` raises."""
    from newsreader.core.parse_job import warm_up_worker
    from newsreader.core.pipeline import RefreshParts, run_refresh
    from newsreader.core.process_pool import WorkerPool, cpu_workers
    from newsreader.core.update import PROCESS_POOL_MIN_FEEDS

    ids = None if feed_ids is None else list(feed_ids)
    processes = cpu_workers() if setup.parse_processes is None else setup.parse_processes
    pool = WorkerPool(processes, warm_up_worker) if processes > 0 else None
    stop = cancel if isinstance(cancel, Cancel) else Cancel()
    ended = threading.Event()
    if cancel is not None and not isinstance(cancel, Cancel):
        _watch(cancel, stop, ended)
    forced = setup.parse_processes is not None and setup.parse_processes > 0

    def feeds(shared: WorkerPool | None, stopping: Cancel) -> Iterator[RefreshProgress]:
        def choose(count: int) -> WorkerPool | None:
            return shared if shared is not None and (forced or count >= PROCESS_POOL_MIN_FEEDS) else None

        return feeds_stage(setup, ids, due_only, workers, stopping, choose, close_pool=False)

    parts = RefreshParts(
        storage=setup.storage,
        fetcher=setup.fetcher,
        folder=setup.folder(),
        filters=setup.filters,
        filters_dir=setup.filters_dir,
        settings=setup.settings,
        clock=setup.clock,
        feeds=feeds,
        pool=pool,
    )
    setup.fetcher.begin_round(setup.storage.backed_off_hosts(setup.clock()))
    network_down = False
    try:
        for step in run_refresh(parts, feed_ids=ids, offline=offline, cancel=stop, budget=budget):
            network_down = network_down or step.offline
            yield step
    finally:
        ended.set()
        if pool is not None:
            pool.close()
        record_hosts(setup.fetcher, setup.storage, setup.clock(), network_down)
        _let_go(setup.storage)


def _let_go(storage: Storage) -> None:
    """Free what a refresh of many feeds held for grouping (terms analysed, key terms by day): the
    app stays open for hours and its next refresh reloads what it needs."""
    trim_remembered()
    storage.story_keys.reset()


def _watch(plain: threading.Event, stop: Cancel, ended: threading.Event) -> None:
    """A plain event runs no callback: watch it while the refresh runs, and pass it on to *stop*."""

    def follow() -> None:
        while not plain.wait(CANCEL_POLL_SECONDS):
            if ended.is_set():
                return
        stop.set()

    threading.Thread(target=follow, name="newsreader-cancel-watch", daemon=True).start()


def record_hosts(fetcher: Fetcher, storage: Storage, now: datetime, network_down: bool = False) -> None:
    """Remember which hosts did not answer *fetcher* since its last report (asked again after a
    growing pause) and which did; with *network_down* the failures were the network's, so no host is
    paused."""
    failed, answered = fetcher.take_host_report()
    storage.record_hosts({} if network_down else failed, answered, now)
