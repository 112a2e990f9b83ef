"""Storing parsed entries straight into a library's storage, as a first fetch of a feed would."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newsreader.core.models import ParsedEntry
from newsreader.core.storage.db import Storage


def store_fetched(storage: Storage, feed_id: int, entries: Sequence[ParsedEntry], now: datetime, title: str) -> None:
    """Store *entries* as the feed *feed_id* (titled *title*) fetched at *now*, without validators
    or a schedule."""
    storage.store_entries(feed_id, entries, now, title=title)
