"""Feed icons: each site's ``/favicon.ico``, looked for at most every few weeks, kept in the image
cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from newsreader.core.storage.db import Storage

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.download import ImageOutcome


def refresh_icons(
    storage: Storage,
    fetcher: Fetcher,
    folder: ImageFolder,
    now: datetime,
    *,
    feed_ids: Sequence[int] | None = None,
    max_age_days: int = 30,
    workers: int = 8,
    cancel: threading.Event | None = None,
) -> int:
    """Look for the icon of every feed not checked in *max_age_days*; returns how many feeds have an
    icon now. Failures are recorded (the feed has no icon until the next look), never raised."""
    steps = list(
        check_icons(
            storage, fetcher, folder, now, feed_ids=feed_ids, max_age_days=max_age_days, workers=workers, cancel=cancel
        )
    )
    return steps[-1][2] if steps else 0


def check_icons(
    storage: Storage,
    fetcher: Fetcher,
    folder: ImageFolder,
    now: datetime,
    *,
    feed_ids: Sequence[int] | None = None,
    max_age_days: int = 30,
    workers: int = 8,
    cancel: threading.Event | None = None,
) -> Iterator[tuple[int, int, int]]:
    """:func:`refresh_icons` yielding (icons done, icons in all, feeds with an icon so far) as they
    finish; one transaction for the icons that finished together. An icon not asked for (the
    refresh stopped, its host did not answer) is looked for again next time."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from newsreader.core.images import MAX_ICON_BYTES, favicon_url
    from newsreader.core.pages.download import download_images
    from newsreader.core.pool import Cancel, completed_in_window

    chosen = set(feed_ids) if feed_ids is not None else None
    by_icon: dict[str, list[int]] = {}
    without: list[int] = []
    for feed_id, url, site_url in storage.feeds_needing_icons(now - timedelta(days=max_age_days)):
        if chosen is not None and feed_id not in chosen:
            continue
        icon = favicon_url(site_url, url)
        if icon is None:
            without.append(feed_id)
        else:
            by_icon.setdefault(icon, []).append(feed_id)
    with storage.transaction():
        for feed_id in without:
            storage.set_feed_icon(feed_id, None, now)
    if not by_icon:
        return
    cut = cancel if isinstance(cancel, Cancel) else None
    done = found = 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="newsreader-icon") as pool:

        def submit(icon: str) -> Future[tuple[str, list[ImageOutcome]]]:
            return pool.submit(
                lambda: (icon, download_images(fetcher, folder, [icon], (), max_bytes=MAX_ICON_BYTES, cancel=cut))
            )

        for finished in completed_in_window(submit, list(by_icon), window=max(1, workers) * 2, cancel=cancel):
            results = [future.result() for future in finished]
            with storage.transaction():
                for icon, outcomes in results:
                    if not outcomes:
                        continue  # not asked: look again next time
                    storage.record_images(outcomes, now)
                    has_icon = any(o.digest for o in outcomes)
                    for feed_id in by_icon[icon]:
                        storage.set_feed_icon(feed_id, icon if has_icon else None, now)
                        found += has_icon
            done += len(results)
            yield done, len(by_icon), found


def feed_icons(storage: Storage, folder: ImageFolder) -> dict[int, bytes]:
    """The cached icon of every feed that has one."""
    icons = {}
    for feed_id, digest in storage.feed_icon_digests().items():
        data = folder.read(digest)
        if data is not None:
            icons[feed_id] = data
    return icons
