"""Feed icons: the icon a feed declares (Atom ``icon``/``logo``, RSS ``image``, JSON Feed
``favicon``), else the one its site declares (``<link rel="icon">``), else its ``/favicon.ico``;
looked for every few weeks (a miss again after a few days), kept in the image cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from newsreader.core.storage.db import Storage

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.download import ImageOutcome


MISS_RETRY_DAYS = 3
"""A feed without an icon is looked at again after this many days (a site may add one, or was down)."""
MAX_SITE_PAGE_BYTES = 1024 * 1024
"""The feed document and the site's home page are read for declared icons up to this size."""


def page_icons(page: bytes, base_url: str) -> list[str]:
    """The icons a web page declares (``<link rel="icon">``, ``"shortcut icon"``, then
    ``"apple-touch-icon"``), as absolute http(s) URLs in that order of preference; SVG icons are left
    out (the image cache keeps raster images only)."""
    import lxml.html
    from lxml import etree

    try:
        document = lxml.html.document_fromstring(page[:MAX_SITE_PAGE_BYTES])
    except (etree.ParserError, ValueError):
        return []
    found: list[tuple[int, str]] = []
    for link in document.iter("link"):
        rel = {part.lower() for part in (link.get("rel") or "").split()}
        href = (link.get("href") or "").strip()
        if not href or not rel & {"icon", "apple-touch-icon"}:
            continue
        if (link.get("type") or "").lower() == "image/svg+xml" or href.lower().split("?")[0].endswith(".svg"):
            continue
        found.append((1 if "apple-touch-icon" in rel else 0, href))
    return _absolute([href for _rank, href in sorted(found, key=lambda item: item[0])], base_url)


def feed_document_icons(body: bytes, base_url: str) -> list[str]:
    """The icons a feed document declares for itself, best first: Atom ``<icon>``, RSS
    ``<image><url>``, Atom ``<logo>``, iTunes ``<itunes:image href>``; JSON Feed ``favicon`` then
    ``icon``. Only the channel's head is read (up to the first entry); entities are not expanded."""
    import io
    import json

    from lxml import etree

    if body.lstrip()[:1] == b"{":
        try:
            document = json.loads(body)
        except ValueError:
            return []
        found = [document.get(key) for key in ("favicon", "icon")] if isinstance(document, dict) else []
        return _absolute([u for u in found if isinstance(u, str)], base_url)
    ranked: dict[int, list[str]] = {}
    path: list[str] = []
    try:
        for event, element in etree.iterparse(
            io.BytesIO(body), events=("start", "end"), recover=True, resolve_entities=False, no_network=True
        ):
            name = etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""
            if event == "start":
                if name in ("item", "entry"):
                    break
                path.append(name)
                if name == "image" and element.get("href"):  # itunes:image
                    ranked.setdefault(3, []).append(element.get("href") or "")
                continue
            text = (element.text or "").strip()
            parent = path[-2] if len(path) > 1 else ""
            if text and name == "icon" and parent == "feed":
                ranked.setdefault(0, []).append(text)
            elif text and name == "url" and parent == "image":
                ranked.setdefault(1, []).append(text)
            elif text and name == "logo" and parent == "feed":
                ranked.setdefault(2, []).append(text)
            path.pop()
    except etree.LxmlError:
        pass
    return _absolute([url for rank in sorted(ranked) for url in ranked[rank]], base_url)


def _absolute(urls: list[str], base_url: str) -> list[str]:
    absolute = (urljoin(base_url, url.strip()) for url in urls if url.strip())
    return list(dict.fromkeys(u for u in absolute if urlsplit(u).scheme in ("http", "https")))


def site_page(site_url: str | None, feed_url: str) -> str | None:
    """The page whose icon stands for the feed: the feed's site, else its host's home page."""
    for candidate in (site_url, feed_url):
        parts = urlsplit(candidate or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            return candidate if candidate == site_url else f"{parts.scheme}://{parts.netloc}/"
    return None


def icon_candidates(fetcher: Fetcher, page_url: str) -> list[str]:
    """Where to look for a site's icon, best first: what its home page declares, then ``/favicon.ico``."""
    from newsreader.core.errors import FetchError
    from newsreader.core.images import favicon_url

    declared: list[str] = []
    try:
        response = fetcher.fetch(page_url, accept="text/html", max_bytes=MAX_SITE_PAGE_BYTES)
    except FetchError:
        pass
    else:
        declared = page_icons(response.body, response.url)
    fallback = favicon_url(page_url, page_url)
    return declared + ([fallback] if fallback and fallback not in declared else [])


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
    """Look for the icon of every feed not checked in *max_age_days* (see :func:`check_icons`); returns
    how many feeds have an icon now. Failures are recorded (the feed has no icon until the next
    look), never raised."""
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
    """:func:`refresh_icons` yielding (feeds done, feeds in all, feeds with an icon so far) as they
    finish; one transaction for the feeds that finished together. Each feed's icon is, best first,
    what its document declares (Atom ``icon``/``logo``, RSS ``image``, JSON Feed ``favicon``), what
    its site's home page declares (``<link rel="icon">``), its site's ``/favicon.ico``. A feed with
    an icon is looked at again after *max_age_days*, one without after :data:`MISS_RETRY_DAYS`; a
    feed not asked about (the refresh stopped, its host did not answer) is looked for next time."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from newsreader.core.errors import FetchError
    from newsreader.core.images import MAX_ICON_BYTES
    from newsreader.core.pages.download import download_images
    from newsreader.core.pool import Cancel, completed_in_window

    chosen = set(feed_ids) if feed_ids is not None else None
    needing = storage.feeds_needing_icons(
        now - timedelta(days=max_age_days), missing_before=now - timedelta(days=min(max_age_days, MISS_RETRY_DAYS))
    )
    feeds = [(f[0], f[1], f[2]) for f in needing if chosen is None or f[0] in chosen]
    if not feeds:
        return
    cut = cancel if isinstance(cancel, Cancel) else None
    lock = threading.Lock()
    site_candidates: dict[str, list[str]] = {}  # feeds of one site share its answer
    downloaded: dict[str, list[ImageOutcome]] = {}  # one download of an icon for every feed using it

    def candidates(feed_url: str, page: str | None) -> list[str]:
        found: list[str] = []
        try:
            response = fetcher.fetch(feed_url, max_bytes=MAX_SITE_PAGE_BYTES)
        except FetchError:
            pass
        else:
            found = feed_document_icons(response.body, response.url)
        if page is not None:
            with lock:
                known = site_candidates.get(page)
            if known is None:
                known = icon_candidates(fetcher, page)
                with lock:
                    site_candidates[page] = known
            found += [url for url in known if url not in found]
        return found

    def find(feed: tuple[int, str, str | None]) -> tuple[int, str | None, list[ImageOutcome]]:
        feed_id, url, site_url = feed
        outcomes: list[ImageOutcome] = []
        for candidate in candidates(url, site_page(site_url, url)):
            if cancel is not None and cancel.is_set():
                return feed_id, None, []  # not asked: look again next time
            with lock:
                tried = downloaded.get(candidate)
            if tried is None:
                tried = download_images(fetcher, folder, [candidate], (), max_bytes=MAX_ICON_BYTES, cancel=cut)
                with lock:
                    downloaded[candidate] = tried
            outcomes += tried
            if any(o.digest for o in tried):
                return feed_id, candidate, outcomes
        return feed_id, None, outcomes

    done = found = 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="newsreader-icon") as pool:

        def submit(feed: tuple[int, str, str | None]) -> Future[tuple[int, str | None, list[ImageOutcome]]]:
            return pool.submit(find, feed)

        for finished in completed_in_window(submit, feeds, window=max(1, workers) * 2, cancel=cancel):
            results = [future.result() for future in finished]
            with storage.transaction():
                for feed_id, icon, outcomes in results:
                    if not outcomes:
                        continue  # not asked: look again next time
                    storage.record_images(outcomes, now)
                    storage.set_feed_icon(feed_id, icon, now)
                    found += icon is not None
            done += len(results)
            yield done, len(feeds), found


def feed_icons(storage: Storage, folder: ImageFolder) -> dict[int, bytes]:
    """The cached icon of every feed that has one."""
    icons = {}
    for feed_id, digest in storage.feed_icon_digests().items():
        data = folder.read(digest)
        if data is not None:
            icons[feed_id] = data
    return icons
