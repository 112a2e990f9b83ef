"""The offline image cache as the library keeps it: downloads recorded in storage, files in an
:class:`ImageFolder`, the size quota enforced oldest first.

Functions take the thread's :class:`Storage`, a :class:`Fetcher` where the network is asked and
the :class:`ImageFolder`; the caller's thread writes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
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
