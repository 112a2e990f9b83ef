"""One interface over the three protocols, so that syncing an account does not depend on its kind.

:func:`open_service` builds the :class:`SyncService` of an account kind (``greader``, ``fever``,
``ttrss``). Every method raises :class:`SyncError`; what a protocol cannot do (Fever has no subscribe
call, Tiny Tiny RSS's API cannot rename or move a feed) is a :class:`SyncRefusedError` saying so, which
the change queue shows like any other refusal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from newsreader.core.errors import SyncRefusedError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync import greader
from newsreader.core.sync.fever import FeverClient
from newsreader.core.sync.greader import GReaderClient
from newsreader.core.sync.models import KIND_NAMES, KINDS, RemoteFeed, RemoteFolder, RemoteItem, Subscribed
from newsreader.core.sync.ttrss import ALL_ARTICLES, STARRED, TTRSSClient


@dataclass(frozen=True, slots=True)
class Structure:
    """An account's folders and feeds."""

    folders: tuple[RemoteFolder, ...]
    feeds: tuple[RemoteFeed, ...]


class SyncService(Protocol):
    """What syncing needs from a server, whatever its protocol."""

    kind: str

    def check(self) -> None:
        """Log in (a connection test)."""

    def structure(self) -> Structure:
        """Folders and feeds."""

    def items_after(self, cursor: str | None) -> Iterator[tuple[tuple[RemoteItem, ...], str | None]]:
        """Items the server stored after *cursor* (None: every item), a page at a time, each page with
        the cursor to resume from once it is stored. A protocol that pages newest first moves the
        cursor only with its last page (possibly empty), so that a sync cut short asks again for
        everything it did not finish."""

    def unread_ids(self) -> frozenset[str]:
        """Ids of every unread item."""

    def starred_ids(self) -> frozenset[str]:
        """Ids of every starred item."""

    def set_read(self, ids: Sequence[str], read: bool) -> None:
        """Mark items read (or unread)."""

    def set_starred(self, ids: Sequence[str], starred: bool) -> None:
        """Star (or unstar) items."""

    def mark_feed_read(self, feed_id: str, before: datetime) -> None:
        """Mark a feed read up to *before* (the time of the last fetch, so newer arrivals stay unread)."""

    def subscribe(self, url: str, folder_id: str | None) -> Subscribed:
        """Subscribe to *url* (in folder *folder_id*)."""

    def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""

    def rename(self, feed_id: str, title: str) -> None:
        """Rename a feed."""

    def move(self, feed_id: str, old_folder_id: str | None, new_folder_id: str | None) -> None:
        """Move a feed to another folder."""


FEED_CHANGES = {
    "subscribe": ("subscribe", "add the feed on the server's own page"),
    "unsubscribe": ("unsubscribe", "remove the feed on the server's own page"),
    "rename": ("rename a feed", "rename it on the server's own page"),
    "move": ("move a feed", "move it on the server's own page"),
}
SUPPORTED = {"greader": set(FEED_CHANGES), "fever": set(), "ttrss": {"subscribe", "unsubscribe"}}
"""Which feed changes each protocol can send."""


def cannot(kind: str, op: str) -> str | None:
    """Why an account of *kind* cannot send the feed change *op* (one sentence), or None if it can."""
    if op in SUPPORTED[kind]:
        return None
    what, instead = FEED_CHANGES[op]
    return f"The {KIND_NAMES[kind]} has no way to {what}; {instead}."


def unsupported(server: str, kind: str, what: str, instead: str) -> SyncRefusedError:
    return SyncRefusedError(server, f"The {KIND_NAMES[kind]} has no way to {what}; {instead}.")


class GReaderService:
    """:class:`SyncService` over :class:`GReaderClient`."""

    kind = "greader"

    def __init__(self, client: GReaderClient) -> None:
        self.client = client

    def check(self) -> None:
        self.client.check()

    def structure(self) -> Structure:
        return Structure(self.client.folders(), self.client.subscriptions())

    def items_after(self, cursor: str | None) -> Iterator[tuple[tuple[RemoteItem, ...], str | None]]:
        # ``ot`` is in seconds and compares with the crawl time: ask from one second before the newest
        # crawl time stored. Pages come newest crawl first, so paging stops at a page holding nothing
        # crawled after the cursor (a server's first crawl of thousands of items often shares one
        # second, which ``ot`` alone would send again in full).
        seen = int(cursor) if cursor else 0
        newer_than = max(0, seen // 1_000_000 - 1) if cursor else None
        newest = seen
        for page in self.client.stream(greader.READING_LIST, newer_than=newer_than):
            crawled = [item.crawl_usec for item in page.items]
            fresh = tuple(item for item, when in zip(page.items, crawled, strict=True) if when is None or when > seen)
            newest = max([newest, *(when for when in crawled if when is not None)])
            if fresh:
                yield fresh, cursor
            if cursor and not fresh:
                break
        yield (), str(newest) if newest else cursor

    def unread_ids(self) -> frozenset[str]:
        return frozenset(self.client.item_ids(greader.READING_LIST, exclude=greader.READ))

    def starred_ids(self) -> frozenset[str]:
        return frozenset(self.client.item_ids(greader.STARRED))

    def set_read(self, ids: Sequence[str], read: bool) -> None:
        if read:
            self.client.edit_tag(ids, add=greader.READ)
        else:
            self.client.edit_tag(ids, remove=greader.READ)

    def set_starred(self, ids: Sequence[str], starred: bool) -> None:
        if starred:
            self.client.edit_tag(ids, add=greader.STARRED)
        else:
            self.client.edit_tag(ids, remove=greader.STARRED)

    def mark_feed_read(self, feed_id: str, before: datetime) -> None:
        self.client.mark_all_as_read(feed_id, int(before.timestamp() * 1_000_000))

    def subscribe(self, url: str, folder_id: str | None) -> Subscribed:
        added = self.client.subscribe(url)
        if folder_id:
            self.client.edit_subscription(added.feed_id, add_folder=folder_id)
        return added

    def unsubscribe(self, feed_id: str) -> None:
        self.client.unsubscribe(feed_id)

    def rename(self, feed_id: str, title: str) -> None:
        self.client.edit_subscription(feed_id, title=title)

    def move(self, feed_id: str, old_folder_id: str | None, new_folder_id: str | None) -> None:
        self.client.edit_subscription(feed_id, remove_folder=old_folder_id, add_folder=new_folder_id)


class FeverService:
    """:class:`SyncService` over :class:`FeverClient`."""

    kind = "fever"

    def __init__(self, client: FeverClient) -> None:
        self.client = client

    def check(self) -> None:
        self.client.check()

    def structure(self) -> Structure:
        found = self.client.structure()
        return Structure(found.folders, found.feeds)

    def items_after(self, cursor: str | None) -> Iterator[tuple[tuple[RemoteItem, ...], str | None]]:
        # Fever pages upwards from since_id (the protocol's own paging): each page moves the cursor
        highest = int(cursor or 0)
        for page in self.client.items_since(str(highest)):
            highest = max(highest, *(int(item.id) for item in page))
            yield page, str(highest)

    def unread_ids(self) -> frozenset[str]:
        return frozenset(self.client.unread_ids())

    def starred_ids(self) -> frozenset[str]:
        return frozenset(self.client.saved_ids())

    def set_read(self, ids: Sequence[str], read: bool) -> None:
        for item_id in ids:
            self.client.mark_item(item_id, "read" if read else "unread")

    def set_starred(self, ids: Sequence[str], starred: bool) -> None:
        for item_id in ids:
            self.client.mark_item(item_id, "saved" if starred else "unsaved")

    def mark_feed_read(self, feed_id: str, before: datetime) -> None:
        self.client.mark_feed_read(feed_id, int(before.timestamp()))

    def subscribe(self, url: str, folder_id: str | None) -> Subscribed:
        raise unsupported(self.client.endpoint, self.kind, "subscribe", "add the feed on the server's own page")

    def unsubscribe(self, feed_id: str) -> None:
        raise unsupported(self.client.endpoint, self.kind, "unsubscribe", "remove the feed on the server's own page")

    def rename(self, feed_id: str, title: str) -> None:
        raise unsupported(self.client.endpoint, self.kind, "rename a feed", "rename it on the server's own page")

    def move(self, feed_id: str, old_folder_id: str | None, new_folder_id: str | None) -> None:
        raise unsupported(self.client.endpoint, self.kind, "move a feed", "move it on the server's own page")


class TTRSSService:
    """:class:`SyncService` over :class:`TTRSSClient`."""

    kind = "ttrss"

    def __init__(self, client: TTRSSClient) -> None:
        self.client = client

    def check(self) -> None:
        self.client.check()

    def structure(self) -> Structure:
        return Structure(self.client.folders(), self.client.feeds())

    def items_after(self, cursor: str | None) -> Iterator[tuple[tuple[RemoteItem, ...], str | None]]:
        # headlines come newest first: the cursor moves once every page is stored
        highest = int(cursor or 0)
        for page in self.client.all_headlines(since_id=cursor):
            highest = max(highest, *(int(item.id) for item in page))
            yield page, cursor
        yield (), str(highest) if highest else cursor

    def unread_ids(self) -> frozenset[str]:
        return frozenset(self.client.item_ids(ALL_ARTICLES, view_mode="unread"))

    def starred_ids(self) -> frozenset[str]:
        return frozenset(self.client.item_ids(STARRED))

    def set_read(self, ids: Sequence[str], read: bool) -> None:
        self.client.mark_read(ids, read)

    def set_starred(self, ids: Sequence[str], starred: bool) -> None:
        self.client.star(ids, starred)

    def mark_feed_read(self, feed_id: str, before: datetime) -> None:
        # catchupFeed has no time bound: mark the feed's unread items dated up to *before* instead, so
        # that what arrived after the user's last look stays unread
        ids = [
            item.id
            for page in self.client.all_headlines(feed_id, view_mode="unread", content=False)
            for item in page
            if item.published is None or item.published <= before
        ]
        self.client.mark_read(ids)

    def subscribe(self, url: str, folder_id: str | None) -> Subscribed:
        return self.client.subscribe(url, folder_id)

    def unsubscribe(self, feed_id: str) -> None:
        self.client.unsubscribe(feed_id)

    def rename(self, feed_id: str, title: str) -> None:
        raise unsupported(self.client.base_url, self.kind, "rename a feed", "rename it on the server's own page")

    def move(self, feed_id: str, old_folder_id: str | None, new_folder_id: str | None) -> None:
        raise unsupported(self.client.base_url, self.kind, "move a feed", "move it on the server's own page")


def open_service(kind: str, url: str, user: str, password: str, fetcher: Fetcher) -> SyncService:
    """The :class:`SyncService` for an account of *kind* at *url*; raises ValueError for another kind."""
    if kind == "greader":
        return GReaderService(GReaderClient(url, user, password, fetcher))
    if kind == "fever":
        return FeverService(FeverClient(url, user, password, fetcher))
    if kind == "ttrss":
        return TTRSSService(TTRSSClient(url, user, password, fetcher))
    raise ValueError(f"unknown account kind {kind!r}; expected one of {', '.join(KINDS)}")
