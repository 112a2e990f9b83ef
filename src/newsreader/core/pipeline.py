"""One refresh, start to end: named stages run in order, one stream of progress values.

1. **feeds** — fetch, parse (in worker processes when the refresh is large), classify, store;
2. **article pages** — subscribed filter lists that expired are fetched again first; then pages of
   stories that lack one (feeds set to full articles), analysed in
   the worker processes, with their images;
3. **images** — the images of stories read from their feed's content (or whose page was stored
   without them);
4. **icons** — feeds whose icon was not looked for in 30 days.

Stages 2–4 work on whatever stories lack (not only this refresh's new ones: a new subscription, a
feed just set to full articles, what the last refresh had no time for) and together get a time
budget once the feeds are stored — as long as the feeds took, at least :data:`MIN_TAIL_SECONDS` —
after which requests in flight are cut and what is left waits for the next refresh. Cancelling
cuts requests in flight at once, at every stage. The thread iterating :func:`run_refresh` is the
one writer; it commits what finished together in one transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.core.models import PageProgress, RefreshProgress, RefreshStatus, Stage, StageProgress
from newsreader.core.pool import Cancel
from newsreader.core.process_pool import WorkerPool
from newsreader.core.settings import LibrarySettings
from newsreader.core.storage.db import Storage

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.analyze import PageAnalysis
    from newsreader.core.pages.filters import PageFilters

MIN_TAIL_SECONDS = 15.0
"""The article pages, images and icons stages get at least this long after the feeds are stored."""
PER_FEED = 10
"""Stories of each feed (the newest) kept complete for offline reading."""
PAGE_WORKERS = 16
"""Article pages (and images, icons) downloaded at once, at most."""
POOL_MIN_PAGES = 20
"""Pages to analyse that pay for starting worker processes (when the feeds did not start them)."""


@dataclass
class RefreshParts:
    """What a refresh works with (the library builds it)."""

    storage: Storage
    fetcher: Fetcher
    folder: ImageFolder
    filters: Callable[[], PageFilters]
    filters_dir: Path
    settings: LibrarySettings
    clock: Callable[[], datetime]
    feeds: Callable[[WorkerPool | None, Cancel], Iterator[RefreshProgress]]
    """The feeds stage (parsing in the pool when given)."""
    pool: WorkerPool | None
    """Worker processes, started on first use (None: everything runs in threads)."""


def run_refresh(
    parts: RefreshParts,
    *,
    feed_ids: Sequence[int] | None,
    offline: bool = True,
    cancel: Cancel | None = None,
    budget: float | None = None,
) -> Iterator[StageProgress]:
    """Run every stage (only the feeds without *offline*, or when the network is down — see
    :mod:`newsreader.core.connectivity`), yielding :class:`StageProgress` values: one per item
    handled and one ``finished`` value per stage, in stage order. *budget* (seconds)
    overrides the time the stages after the feeds get. Raises what the feeds stage raises
    (:class:`LibraryFullError`, …) and nothing else of its own."""
    cancel = cancel if cancel is not None else Cancel()
    started = time.monotonic()
    failed = added = done = total = unreached = 0
    network_down = False
    for step in parts.feeds(parts.pool, cancel):
        done, total = step.done, step.total
        bad = step.result.status is RefreshStatus.FAILED
        failed += bad
        added += step.result.new_stories
        if step.result.status is RefreshStatus.OFFLINE:
            network_down, unreached = True, unreached + 1
        yield StageProgress(
            Stage.FEEDS, done, total, failed, added, feed=step.result, error=step.result.error if bad else None
        )
    # feeds the network did not let us ask, or the refresh was stopped before: the next refresh's
    left = total - done + unreached
    yield StageProgress(Stage.FEEDS, done, total, failed, added, finished=True, left=left, offline=network_down)
    if not offline or network_down:
        return  # without a network, pages, images and icons would only fail (and be recorded as missing)
    seconds = budget if budget is not None else max(MIN_TAIL_SECONDS, time.monotonic() - started)
    tail = Cancel()
    hook = cancel.on_set(tail.set)
    timer = threading.Timer(seconds, tail.set)
    timer.daemon = True
    timer.start()
    try:
        _filter_lists(parts, tail)
        stages = (_pages(parts, feed_ids, tail), _images(parts, feed_ids, tail), _icons(parts, feed_ids, tail))
        for later in chain(*stages):
            if later.finished and later.left and tail.is_set() and not cancel.is_set():
                later = replace(later, out_of_time=True)  # the budget ran out, not the user's patience
            yield later
    finally:
        timer.cancel()
        cancel.forget(hook)
        tail.set()  # anything still running ends now (the caller stopped iterating)


def _filter_lists(parts: RefreshParts, cancel: Cancel) -> None:
    """Subscribed ad-blocking lists that expired are fetched again (conditionally, like feeds)
    before pages are analysed with them; each outcome is recorded with its list."""
    from newsreader.core.errors import NewsreaderError
    from newsreader.core.filter_lists import refresh_filter_lists

    if cancel.is_set():
        return
    try:
        for _ in refresh_filter_lists(parts.filters_dir, parts.fetcher, parts.clock()):
            if cancel.is_set():
                break
    except NewsreaderError:
        pass  # the subscriptions file could not be written: the lists in use stay, the next refresh retries


def _pages(parts: RefreshParts, feed_ids: Sequence[int] | None, cancel: Cancel) -> Iterator[StageProgress]:
    from newsreader.core.pages.offline import fetch_pages

    settings = parts.settings
    total = len(parts.storage.stories_needing_pages(feed_ids, PER_FEED, settings.full_articles))
    analyze = _analyzer(parts, total)
    done = failed = added = left = 0
    waiting: set[str] = set()
    last: PageProgress | None = None
    for page in fetch_pages(
        parts.storage,
        parts.fetcher,
        parts.folder,
        parts.filters(),
        parts.clock,
        feed_ids=feed_ids,
        story_ids=None,
        per_feed=PER_FEED,
        workers=min(PAGE_WORKERS, settings.workers),
        images=settings.download_images,
        full_articles=settings.full_articles,
        cancel=cancel,
        analyze=analyze,
    ):
        last = page
        done = page.done
        if not page.requested:
            left += 1
            if page.waiting_host:
                waiting.add(page.waiting_host)
        elif page.error:
            failed += 1
        else:
            added += 1
        yield StageProgress(
            Stage.PAGES, done, page.total, failed, added, page=page, error=page.error if page.requested else None
        )
    total = last.total if last is not None else 0
    yield StageProgress(
        Stage.PAGES,
        done,
        total,
        failed,
        added,
        finished=True,
        left=left + total - done,
        waiting_hosts=tuple(sorted(waiting)),
    )


def _analyzer(parts: RefreshParts, pages: int) -> Callable[[bytes, str], PageAnalysis] | None:
    """Page analysis in the worker processes when there are enough pages (or they run already)."""
    pool = parts.pool
    if pool is None or (pages < POOL_MIN_PAGES and not pool.started):
        return None
    folder = str(parts.filters_dir)

    def analyze(html: bytes, url: str) -> PageAnalysis:
        return pool.run(analyze_in_worker, html, url, folder)

    return analyze


def analyze_in_worker(html: bytes, url: str, filters_dir: str) -> PageAnalysis:
    """:func:`analyze_page` with the library's filter lists (compiled once per worker process)."""
    from newsreader.core.pages.analyze import analyze_page
    from newsreader.core.pages.filters import load_filters

    return analyze_page(html, url, load_filters(Path(filters_dir)))


def _images(parts: RefreshParts, feed_ids: Sequence[int] | None, cancel: Cancel) -> Iterator[StageProgress]:
    from newsreader.core.image_cache import cache_story_images, enforce_quota

    done = total = cached = 0
    if parts.settings.download_images:
        for done, total, cached in cache_story_images(
            parts.storage,
            parts.fetcher,
            parts.folder,
            parts.clock,
            feed_ids=feed_ids,
            per_feed=PER_FEED,
            workers=min(PAGE_WORKERS, parts.settings.workers),
            cancel=cancel,
        ):
            yield StageProgress(Stage.IMAGES, done, total, 0, cached)
        enforce_quota(parts.storage, parts.folder, parts.settings.image_quota)
    yield StageProgress(Stage.IMAGES, done, total, 0, cached, finished=True, left=total - done)


def _icons(parts: RefreshParts, feed_ids: Sequence[int] | None, cancel: Cancel) -> Iterator[StageProgress]:
    from newsreader.core.icons import check_icons

    done = total = found = 0
    if parts.settings.feed_icons:
        for done, total, found in check_icons(
            parts.storage,
            parts.fetcher,
            parts.folder,
            parts.clock(),
            feed_ids=feed_ids,
            workers=min(PAGE_WORKERS, parts.settings.workers),
            cancel=cancel,
        ):
            yield StageProgress(Stage.ICONS, done, total, 0, found)
    yield StageProgress(Stage.ICONS, done, total, 0, found, finished=True, left=total - done)
