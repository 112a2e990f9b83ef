"""The offline image cache as the library keeps it: downloads recorded in storage, files in an
:class:`ImageFolder`, the size quota enforced oldest first.

Functions take the thread's :class:`Storage`, a :class:`Fetcher` where the network is asked and
the :class:`ImageFolder`; the caller's thread writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from newsreader.core.storage.db import Storage

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.download import ImageOutcome


def known_images(storage: Storage) -> set[str]:
    """Image URLs already tried (cached, or failed: not asked again)."""
    return {row[0] for row in storage.execute("SELECT url FROM images")}


def enforce_quota(storage: Storage, folder: ImageFolder, quota: int) -> None:
    """Drop the oldest images until the cache holds at most *quota* bytes."""
    doomed = storage.images_over_quota(quota)
    if doomed:
        for digest in storage.forget_images([url for url, _ in doomed]):
            folder.remove(digest)


def cached_images(storage: Storage, urls: Sequence[str]) -> dict[str, str]:
    """The cached file (digest) of each of *urls* that is in the cache."""
    return {url: record.digest for url, record in storage.images_for(list(urls)).items() if record.digest}


def cache_images(
    storage: Storage, fetcher: Fetcher, folder: ImageFolder, urls: Sequence[str], now: datetime, quota: int
) -> dict[str, str]:
    """Download the images of *urls* not tried before; returns every one of them now cached
    (URL → digest). Failures are recorded, never raised."""
    from newsreader.core.pages.download import download_images

    tried = storage.images_for(list(urls))
    outcomes = download_images(fetcher, folder, list(urls), set(tried))
    storage.record_images(outcomes, now)
    if outcomes:
        enforce_quota(storage, folder, quota)
    return cached_images(storage, urls)


def fetch_story_images(
    storage: Storage,
    fetcher: Fetcher,
    folder: ImageFolder,
    story_ids: Sequence[int],
    now: datetime,
    quota: int,
    *,
    per_feed: int = 10,
    workers: int = 8,
    cancel: threading.Event | None = None,
) -> int:
    """Cache the images of stories read from the feed's own content (no analysed article page), for
    the newest *per_feed* of each feed; returns how many images were added. Failures are recorded."""
    from concurrent.futures import ThreadPoolExecutor

    from newsreader.core.images import story_image_urls
    from newsreader.core.pages.download import download_images

    if not story_ids:
        return 0
    wanted = [
        urls
        for row in storage.stories_for_images(list(story_ids), per_feed)
        if (urls := story_image_urls(row.html, row.link))
    ]
    if not wanted:
        return 0
    known = known_images(storage)

    def fetch(urls: list[str]) -> list[ImageOutcome]:
        if cancel is not None and cancel.is_set():
            return []
        return download_images(fetcher, folder, urls, known)

    added = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsreader-image") as pool:
        for outcomes in pool.map(fetch, wanted):
            storage.record_images(outcomes, now)
            added += sum(1 for image in outcomes if image.digest is not None)
    enforce_quota(storage, folder, quota)
    return added


def cache_story_images(
    storage: Storage,
    fetcher: Fetcher,
    folder: ImageFolder,
    clock: Callable[[], datetime],
    *,
    feed_ids: Sequence[int] | None,
    per_feed: int,
    workers: int,
    cancel: threading.Event | None = None,
) -> Iterator[tuple[int, int, int]]:
    """Cache the images of the newest *per_feed* stories of each feed (of *feed_ids*, else all)
    whose images were not all tried yet — read from the story's analysed article page when it has
    one, else from the feed's content. Yields (stories done, stories in all, images cached) as
    stories finish; the iterating thread writes, one transaction for what finished together. A
    story whose images could not all be asked for (the refresh stopped, a host paused) is taken up
    again by a later refresh.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from newsreader.core.images import story_image_urls
    from newsreader.core.pages.analyze import analysis_from_json
    from newsreader.core.pages.download import download_images
    from newsreader.core.pool import Cancel, completed_in_window

    jobs: list[tuple[int, list[str]]] = []
    empty: list[int] = []
    for row in storage.stories_needing_images(feed_ids, per_feed):
        if row.analysis_json is not None:
            analysis = analysis_from_json(row.analysis_json)
            urls = story_image_urls(analysis.story_html, analysis.url, analysis.lead_image)
        else:
            urls = story_image_urls(row.html, row.link)
        if urls:
            jobs.append((row.story_id, urls))
        else:
            empty.append(row.story_id)
    if empty:
        storage.mark_images_checked(empty)
    if not jobs:
        return
    known = known_images(storage)
    cut = cancel if isinstance(cancel, Cancel) else None
    done = cached = 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="newsreader-image") as pool:

        def submit(job: tuple[int, list[str]]) -> Future[tuple[int, list[str], list[ImageOutcome]]]:
            story_id, urls = job
            return pool.submit(lambda: (story_id, urls, download_images(fetcher, folder, urls, known, cancel=cut)))

        for finished in completed_in_window(submit, jobs, window=max(1, workers) * 2, cancel=cancel):
            results = [future.result() for future in finished]
            complete = []
            with storage.transaction():
                for story_id, urls, outcomes in results:
                    storage.record_images(outcomes, clock())
                    known.update(o.url for o in outcomes)
                    if all(url in known for url in urls):
                        complete.append(story_id)
                    cached += sum(1 for o in outcomes if o.digest)
                storage.mark_images_checked(complete)
            done += len(results)
            yield done, len(jobs), cached
