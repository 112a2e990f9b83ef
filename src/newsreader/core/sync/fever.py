"""A Fever API client (FreshRSS, Miniflux, coldsweat, Tiny Tiny RSS with its Fever plugin…).

Every request is a POST to ``<endpoint>?api&<command>`` with ``api_key = md5("<user>:<password>")`` in
the form body; arguments of reading commands (``since_id``, ``max_id``, ``with_ids``, ``feed_ids``) go
in the query string and those of ``mark`` in the body, which is where both FreshRSS and coldsweat read
them. A refused key is **HTTP 200** with ``"auth": 0``. Items come at most 50 a page (the Fever
documentation's figure); paging by ``since_id`` stops at an empty page.

*endpoint* is the address of the API itself: ``https://host/api/fever.php`` (FreshRSS),
``https://host/fever`` (coldsweat, Miniflux).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from newsreader.core.errors import SyncAuthError, SyncProtocolError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.models import RemoteFeed, RemoteFolder, RemoteItem
from newsreader.core.sync.transport import (
    FormData,
    Transport,
    id_list,
    ident,
    integer,
    objects,
    optional_text,
    text,
    unix_time,
)

WITH_IDS_BATCH = 50
"""Ids per ``with_ids`` request: the Fever documentation's maximum."""
MAX_PAGES = 100_000
"""A server that never sends an empty page is cut off after this many."""


def api_key(user: str, password: str) -> str:
    """The Fever key: the hex MD5 of ``user:password`` (the protocol's definition, not a choice)."""
    return hashlib.md5(f"{user}:{password}".encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class FeverStructure:
    """Folders and feeds from one ``groups&feeds`` call (a feed's folders come from ``feeds_groups``)."""

    folders: tuple[RemoteFolder, ...]
    feeds: tuple[RemoteFeed, ...]
    last_refreshed: datetime | None


class FeverClient:
    """One account on a Fever API server. Every method raises :class:`SyncError`
    (:class:`SyncAuthError` for a refused key)."""

    def __init__(self, endpoint: str, user: str, password: str, fetcher: Fetcher) -> None:
        self.endpoint = endpoint.rstrip("?&")
        self.user = user
        self._key = api_key(user, password)
        self._transport = Transport(fetcher, self.endpoint, "Fever API")

    def _call(
        self, commands: Sequence[str], query: Sequence[tuple[str, str]] = (), body: Sequence[tuple[str, str]] = ()
    ) -> Mapping[str, Any]:
        flags = "&".join(["api", *commands])
        extra = f"&{urlencode(list(query))}" if query else ""
        separator = "&" if "?" in self.endpoint else "?"
        url = f"{self.endpoint}{separator}{flags}{extra}"
        response = self._transport.post(url, urlencode([("api_key", self._key), *body]).encode())
        document = self._transport.json_object(response, "answer")
        if integer(document.get("api_version")) is None and "auth" not in document:
            raise self._transport.garbage("answer")
        if not integer(document.get("auth")):
            raise SyncAuthError(self.endpoint, f"{self.endpoint} refused the user name or password of {self.user}.")
        return document

    def check(self) -> datetime | None:
        """Check the key (a connection test); returns when the server last refreshed its feeds."""
        return unix_time(self._call([]).get("last_refreshed_on_time"))

    def structure(self) -> FeverStructure:
        """Every folder (group) and feed, with each feed's folders."""
        document = self._call(["groups", "feeds"])
        if not isinstance(document.get("groups"), list) or not isinstance(document.get("feeds"), list):
            raise self._transport.garbage("group and feed list")
        folders = []
        for group in objects(document["groups"]):
            group_id = ident(group.get("id"))
            if group_id is not None:
                folders.append(RemoteFolder(group_id, text(group.get("title")) or group_id))
        membership: dict[str, list[str]] = {}
        for link in objects(document.get("feeds_groups")):
            group_id = ident(link.get("group_id"))
            if group_id is not None:
                for member in id_list(link.get("feed_ids")):
                    membership.setdefault(member, []).append(group_id)
        feeds = []
        for entry in objects(document["feeds"]):
            feed_id = ident(entry.get("id"))
            if feed_id is None:
                continue
            url = text(entry.get("url"))
            feeds.append(
                RemoteFeed(
                    id=feed_id,
                    title=text(entry.get("title")) or url or feed_id,
                    url=url,
                    site_url=optional_text(entry.get("site_url")),
                    folder_ids=tuple(membership.get(feed_id, ())),
                )
            )
        return FeverStructure(tuple(folders), tuple(feeds), unix_time(document.get("last_refreshed_on_time")))

    def items(
        self, *, since_id: str | None = None, max_id: str | None = None, with_ids: Sequence[str] | None = None
    ) -> tuple[RemoteItem, ...]:
        """One page of items: newer than *since_id*, older than *max_id*, or exactly *with_ids*
        (at most :data:`WITH_IDS_BATCH`). The order is the server's: do not rely on it."""
        query: FormData = []
        if since_id is not None:
            query.append(("since_id", since_id))
        if max_id is not None:
            query.append(("max_id", max_id))
        if with_ids is not None:
            query.append(("with_ids", ",".join(with_ids[:WITH_IDS_BATCH])))
        document = self._call(["items"], query)
        raw = document.get("items")
        if raw is None and since_id is not None:
            return ()  # some servers leave "items" out when nothing is newer
        if not isinstance(raw, list):
            raise self._transport.garbage("item list")
        return tuple(item for item in (_item(entry) for entry in objects(raw)) if item is not None)

    def items_since(self, since_id: str = "0") -> Iterator[tuple[RemoteItem, ...]]:
        """Every item newer than *since_id*, a page at a time, until an empty page (or a page with
        nothing newer than the last, from a server that ignores ``since_id``)."""
        highest = int(since_id)
        for _ in range(MAX_PAGES):
            page = self.items(since_id=str(highest))
            fresh = tuple(item for item in page if int(item.id) > highest)
            if not fresh:
                return
            yield fresh
            highest = max(int(item.id) for item in fresh)
        raise SyncProtocolError(self.endpoint, f"{self.endpoint} kept sending pages after {MAX_PAGES} of them.")

    def items_with_ids(self, ids: Sequence[str]) -> tuple[RemoteItem, ...]:
        """The items with these ids, asked :data:`WITH_IDS_BATCH` at a time."""
        found: list[RemoteItem] = []
        for start in range(0, len(ids), WITH_IDS_BATCH):
            found.extend(self.items(with_ids=ids[start : start + WITH_IDS_BATCH]))
        return tuple(found)

    def unread_ids(self) -> tuple[str, ...]:
        """Ids of every unread item."""
        return self._ids("unread_item_ids")

    def saved_ids(self) -> tuple[str, ...]:
        """Ids of every saved (starred) item."""
        return self._ids("saved_item_ids")

    def _ids(self, command: str) -> tuple[str, ...]:
        value = self._call([command]).get(command)
        if not isinstance(value, str | list):
            raise self._transport.garbage(f"{command.replace('_', ' ')} list")
        return id_list(value)

    def mark_item(self, item_id: str, state: str) -> None:
        """Set one item's *state*: ``read``, ``unread``, ``saved`` or ``unsaved``."""
        if state not in ("read", "unread", "saved", "unsaved"):
            raise ValueError(f"unknown Fever item state {state!r}")
        self._call([], body=[("mark", "item"), ("as", state), ("id", item_id)])

    def mark_feed_read(self, feed_id: str, before: int) -> None:
        """Mark a feed's items read, up to *before* (unix seconds: the time of the last item fetch,
        so items that arrived since stay unread)."""
        self._call([], body=[("mark", "feed"), ("as", "read"), ("id", feed_id), ("before", str(before))])

    def mark_group_read(self, group_id: str, before: int) -> None:
        """Mark a group's items read up to *before* (unix seconds); group ``0`` is every item."""
        self._call([], body=[("mark", "group"), ("as", "read"), ("id", group_id), ("before", str(before))])


def _item(entry: Mapping[str, Any]) -> RemoteItem | None:
    item_id, feed_id = ident(entry.get("id")), ident(entry.get("feed_id"))
    if item_id is None or feed_id is None or int(item_id) < 0:
        return None
    return RemoteItem(
        id=item_id,
        feed_id=feed_id,
        title=text(entry.get("title")),
        url=optional_text(entry.get("url")),
        author=optional_text(entry.get("author")),
        html=text(entry.get("html")),
        published=unix_time(entry.get("created_on_time")),
        read=bool(integer(entry.get("is_read"))),
        starred=bool(integer(entry.get("is_saved"))),
    )
