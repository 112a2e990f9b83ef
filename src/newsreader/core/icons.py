"""Feed icons: each site's ``/favicon.ico``, looked for at most every few weeks, kept in the image
cache."""

from __future__ import annotations

import threading
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
    max_age_days: int = 30,
    workers: int = 8,
    cancel: threading.Event | None = None,
) -> int:
    """Look for the icon of every feed not checked in *max_age_days*; returns how many feeds have an
    icon now. Failures are recorded (the feed has no icon until the next look), never raised."""
    from concurrent.futures import ThreadPoolExecutor

    from newsreader.core.images import MAX_ICON_BYTES, favicon_url
    from newsreader.core.pages.download import download_images

    by_icon: dict[str, list[int]] = {}
    for feed_id, url, site_url in storage.feeds_needing_icons(now - timedelta(days=max_age_days)):
        icon = favicon_url(site_url, url)
        if icon is None:
            storage.set_feed_icon(feed_id, None, now)
        else:
            by_icon.setdefault(icon, []).append(feed_id)

    def fetch(icon: str) -> list[ImageOutcome]:
        if cancel is not None and cancel.is_set():
            return []
        return download_images(fetcher, folder, [icon], (), max_bytes=MAX_ICON_BYTES)

    found = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsreader-icon") as pool:
        for icon, outcomes in zip(by_icon, pool.map(fetch, list(by_icon)), strict=True):
            if not outcomes:
                continue  # cancelled: ask again next time
            storage.record_images(outcomes, now)
            has_icon = any(o.digest for o in outcomes)
            for feed_id in by_icon[icon]:
                storage.set_feed_icon(feed_id, icon if has_icon else None, now)
                found += has_icon
    return found


def feed_icons(storage: Storage, folder: ImageFolder) -> dict[int, bytes]:
    """The cached icon of every feed that has one."""
    icons = {}
    for feed_id, digest in storage.feed_icon_digests().items():
        data = folder.read(digest)
        if data is not None:
            icons[feed_id] = data
    return icons
