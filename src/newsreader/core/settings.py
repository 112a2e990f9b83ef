"""Typed library-wide settings, read once from the text values the ``settings`` table holds.

A value that is missing or unreadable (edited by hand, written by an older version) counts as the
default; the app and CLI keep writing text through :meth:`Library.set_setting`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

DEFAULT_WORKERS = 48
"""Concurrent feed requests in a refresh (threads that mostly wait on the network; parsing runs in
worker processes). Politeness comes from the per-host cap (``FetchLimits.per_host``)."""
MAX_WORKERS = 64
DEFAULT_INTERVAL = 3600
"""Seconds between scheduled checks of a feed without its own interval."""
DEFAULT_MAX_ENTRIES = 1000
"""Entries read from one feed document at most."""
DEFAULT_REQUEST_TIMEOUT = 60
"""Seconds one request may take in all (redirects included), whatever the server does."""
DEFAULT_IMAGE_CACHE_MB = 500
"""The image cache's default size; the oldest images go first beyond it."""

FullArticles = Literal["auto", "on", "off"]


@dataclass(frozen=True, slots=True)
class LibrarySettings:
    """Every library-wide setting with its type and default (stored key in brackets)."""

    workers: int = DEFAULT_WORKERS
    """Concurrent feed requests (``workers``), 1 to :data:`MAX_WORKERS`."""
    update_interval: int = DEFAULT_INTERVAL
    """Seconds between scheduled checks (``update_interval``)."""
    max_entries: int = DEFAULT_MAX_ENTRIES
    """Entries read per feed document (``max_entries``)."""
    keep_days: int | None = None
    """Default retention by age in days for feeds without their own (``keep_days``)."""
    keep_count: int | None = None
    """Default retention by count (``keep_count``)."""
    full_articles: FullArticles = "auto"
    """Download article pages: ``auto`` (feeds that carry summaries only), ``on``, ``off``."""
    download_images: bool = True
    """Cache the images of stories for offline reading (``download_images`` ``off`` to stop)."""
    feed_icons: bool = True
    """Look for feeds' icons (``feed_icons`` ``off`` to stop)."""
    image_cache_mb: int = DEFAULT_IMAGE_CACHE_MB
    """The image cache's size in MB (``image_cache_mb``)."""
    proxy: str | None = None
    """Every request goes through this proxy (``proxy``)."""
    request_timeout: int = DEFAULT_REQUEST_TIMEOUT
    """Seconds one request may take in all (``request_timeout``); connecting and each wait for data
    get at most 10 and 20 s of it."""
    not_sponsored_links: frozenset[str] = frozenset()
    """Page links the user said are not sponsored (``not_sponsored_links``, a JSON list)."""

    @property
    def image_quota(self) -> int:
        """The image cache's size in bytes."""
        return self.image_cache_mb * 1024 * 1024

    @classmethod
    def from_values(cls, values: dict[str, str]) -> LibrarySettings:
        """Settings from the stored text values (unreadable ones fall back to their default)."""
        full = values.get("full_articles") or "auto"
        return cls(
            workers=_whole_or(values.get("workers"), DEFAULT_WORKERS),
            update_interval=_whole_or(values.get("update_interval"), DEFAULT_INTERVAL),
            max_entries=_whole_or(values.get("max_entries"), DEFAULT_MAX_ENTRIES),
            keep_days=_whole(values.get("keep_days")),
            keep_count=_whole(values.get("keep_count")),
            full_articles="on" if full == "on" else "off" if full == "off" else "auto",
            download_images=values.get("download_images") != "off",
            feed_icons=values.get("feed_icons") != "off",
            image_cache_mb=_whole_or(values.get("image_cache_mb"), DEFAULT_IMAGE_CACHE_MB),
            proxy=values.get("proxy") or None,
            request_timeout=max(1, _whole_or(values.get("request_timeout"), DEFAULT_REQUEST_TIMEOUT)),
            not_sponsored_links=_string_set(values.get("not_sponsored_links")),
        )


def _whole(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _whole_or(text: str | None, default: int) -> int:
    value = _whole(text)
    return default if value is None else value


def _string_set(text: str | None) -> frozenset[str]:
    try:
        values = json.loads(text) if text else []
    except ValueError:
        return frozenset()
    return frozenset(v for v in values if isinstance(v, str)) if isinstance(values, list) else frozenset()
