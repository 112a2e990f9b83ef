"""Frozen values the sync clients return: what a server holds, in one shape for every protocol.

Ids are the server's own, as strings (Google Reader item ids in their decimal "short" form, Fever and
Tiny Tiny RSS ids in decimal), so a value from any protocol can be stored and compared the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("greader", "fever", "ttrss")
"""Account kinds, as the CLI and the database name them."""

KIND_NAMES = {"greader": "Google Reader API", "fever": "Fever API", "ttrss": "Tiny Tiny RSS API"}


@dataclass(frozen=True, slots=True)
class RemoteFolder:
    """A folder (Google Reader label, Fever group, Tiny Tiny RSS category)."""

    id: str
    """``user/-/label/Tech`` (Google Reader), ``2`` (Fever group, Tiny Tiny RSS category)."""
    title: str


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server."""

    id: str
    """``feed/1`` (Google Reader), ``1`` (Fever, Tiny Tiny RSS)."""
    title: str
    url: str
    """The feed document's address, as the server knows it (empty when the server does not say)."""
    site_url: str | None = None
    folder_ids: tuple[str, ...] = ()
    icon_url: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteEnclosure:
    """A podcast or media attachment."""

    url: str
    type: str | None = None
    length: int | None = None
    """Bytes, as the feed declared it."""


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """One story as the server holds it, with its read and starred state."""

    id: str
    feed_id: str
    title: str
    url: str | None
    author: str | None
    html: str
    """The content as the server sent it: unsanitised, so it must be sanitised before it is shown."""
    published: datetime | None
    """The feed's date for the story, UTC."""
    read: bool
    starred: bool
    crawled: datetime | None = None
    """When the server stored it (Google Reader ``timestampUsec``), UTC; None when not said."""
    crawl_usec: int | None = None
    """The same, exactly, in µs since the epoch (what incremental Google Reader syncs compare)."""
    tags: tuple[str, ...] = ()
    """The feed's own categories (plain words, not folders or states)."""
    enclosures: tuple[RemoteEnclosure, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ItemPage:
    """One page of a Google Reader stream; ``continuation`` is None on the last page."""

    items: tuple[RemoteItem, ...]
    continuation: str | None


@dataclass(frozen=True, slots=True)
class UnreadCount:
    """The unread count of a feed, folder or the reading list (Google Reader ``unread-count``)."""

    stream_id: str
    count: int
    newest: datetime | None


@dataclass(frozen=True, slots=True)
class Subscribed:
    """What a server said after a subscribe: the new feed's id and, when it said, its title."""

    feed_id: str
    title: str | None
