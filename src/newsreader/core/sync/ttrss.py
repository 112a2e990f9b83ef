"""A Tiny Tiny RSS API client (API level 15 and later, as Debian's ``tt-rss`` speaks it).

Every call is a POST of a JSON object ``{"op": …, "sid": …, …}`` to ``<base>/api/``; every answer is
``{"seq": n, "status": 0|1, "content": …}``, with ``content.error`` naming the failure when status is 1
(``LOGIN_ERROR``, ``API_DISABLED``, ``NOT_LOGGED_IN``, ``INCORRECT_USAGE``…). A session that expired
(``NOT_LOGGED_IN``) is renewed with one new login and the call is tried once more.

*base_url* is the address of the Tiny Tiny RSS installation (``https://host/tt-rss``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsreader.core.errors import SyncAuthError, SyncProtocolError, SyncRefusedError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.models import RemoteEnclosure, RemoteFeed, RemoteFolder, RemoteItem, Subscribed
from newsreader.core.sync.transport import Transport, flag, ident, integer, objects, optional_text, text, unix_time

ALL_ARTICLES = "-4"
STARRED = "-1"
HEADLINES_LIMIT = 200
"""Tiny Tiny RSS returns at most 200 headlines per call (``getHeadlines`` caps ``limit`` there)."""
MAX_PAGES = 100_000

FIELD_STARRED, FIELD_UNREAD = 0, 2
"""``updateArticle`` fields (0 starred, 1 published, 2 unread, 3 note)."""

SUBSCRIBE_CODES = {
    2: "the address is not valid",
    3: "the page has no feed",
    4: "the page offers several feeds; choose one",
    5: "the server could not download it",
    6: "the document is not a valid feed",
}
"""``subscribeToFeed`` status codes other than 0 (already subscribed) and 1 (subscribed)."""


@dataclass(frozen=True, slots=True)
class TTRSSSession:
    """A logged-in session: its id and the server's API level."""

    session_id: str
    api_level: int


class TTRSSClient:
    """One account on a Tiny Tiny RSS server. Every method raises :class:`SyncError`
    (:class:`SyncAuthError` for a wrong password or disabled API access)."""

    def __init__(self, base_url: str, user: str, password: str, fetcher: Fetcher, *, sid: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.endpoint = f"{self.base_url}/api/"
        self.user = user
        self._password = password
        self.sid = sid
        self.api_level: int | None = None
        self._transport = Transport(fetcher, self.base_url, "Tiny Tiny RSS API")

    def _send(self, op: str, params: Mapping[str, Any]) -> tuple[int, Any]:
        body = json.dumps({"op": op, **({"sid": self.sid} if self.sid else {}), **params}).encode()
        response = self._transport.post(self.endpoint, body, content_type="application/json")
        document = self._transport.json_object(response, "answer")
        status = integer(document.get("status"))
        if status not in (0, 1) or "content" not in document:
            raise self._transport.garbage("answer")
        return status, document["content"]

    def login(self) -> TTRSSSession:
        """Log in; returns (and keeps) the session."""
        self.sid = None
        status, content = self._send("login", {"user": self.user, "password": self._password})
        error = text(content.get("error")) if isinstance(content, dict) else ""
        if status == 1:
            if error == "API_DISABLED":
                raise SyncAuthError(
                    self.base_url,
                    f"{self.base_url} has API access turned off for {self.user} (Preferences → Enable API access).",
                )
            raise SyncAuthError(self.base_url, f"{self.base_url} refused the user name or password of {self.user}.")
        sid = text(content.get("session_id")) if isinstance(content, dict) else ""
        if not sid or len(sid) > 512:
            raise self._transport.garbage("login answer")
        self.sid = sid
        self.api_level = integer(content.get("api_level"))
        return TTRSSSession(sid, self.api_level or 0)

    def call(self, op: str, **params: Any) -> Any:
        """Call *op* with *params* (logging in first, and again once if the session expired); returns
        the answer's ``content``. A refusal is :class:`SyncRefusedError` naming the server's error."""
        if self.sid is None:
            self.login()
        status, content = self._send(op, params)
        error = text(content.get("error")) if status == 1 and isinstance(content, dict) else ""
        if error == "NOT_LOGGED_IN":
            self.login()
            status, content = self._send(op, params)
            error = text(content.get("error")) if status == 1 and isinstance(content, dict) else ""
        if status == 1:
            if error in ("NOT_LOGGED_IN", "API_DISABLED", "LOGIN_ERROR"):
                raise SyncAuthError(self.base_url, f"{self.base_url} ended the session of {self.user} ({error}).")
            raise SyncRefusedError(self.base_url, f"{self.base_url} refused {op} ({error[:100] or 'no reason given'}).")
        return content

    def check(self) -> int:
        """Log in (a connection test); returns the server's API level."""
        return self.login().api_level

    # -- structure ------------------------------------------------------------------------------

    def folders(self) -> tuple[RemoteFolder, ...]:
        """The categories that hold feeds (virtual ones — Special, Labels — are left out)."""
        content = self.call("getCategories", include_empty=True)
        if not isinstance(content, list):
            raise self._transport.garbage("category list")
        found = []
        for category in objects(content):
            category_id = ident(category.get("id"))
            if category_id is not None and int(category_id) > 0:
                found.append(RemoteFolder(category_id, text(category.get("title")) or category_id))
        return tuple(found)

    def feeds(self) -> tuple[RemoteFeed, ...]:
        """Every real feed (``cat_id=-3``: all feeds, no virtual ones) with its category."""
        content = self.call("getFeeds", cat_id=-3)
        if not isinstance(content, list):
            raise self._transport.garbage("feed list")
        found = []
        for entry in objects(content):
            feed_id = ident(entry.get("id"))
            if feed_id is None or int(feed_id) <= 0:
                continue
            category = ident(entry.get("cat_id"))
            url = text(entry.get("feed_url"))
            found.append(
                RemoteFeed(
                    id=feed_id,
                    title=text(entry.get("title")) or url or feed_id,
                    url=url,
                    folder_ids=(category,) if category is not None and int(category) > 0 else (),
                )
            )
        return tuple(found)

    def subscribe(self, url: str, folder_id: str | None = None) -> Subscribed:
        """Subscribe to the feed at *url*, in category *folder_id* (none: Uncategorized)."""
        content = self.call("subscribeToFeed", feed_url=url, category_id=int(folder_id or 0))
        status = content.get("status") if isinstance(content, dict) else None
        code = integer(status.get("code")) if isinstance(status, dict) else None
        if code is None or not isinstance(status, dict):
            raise self._transport.garbage("subscribe answer")
        if code in (0, 1):
            feed_id = ident(status.get("feed_id"))
            if feed_id is None:
                raise self._transport.garbage("subscribe answer")
            return Subscribed(feed_id, None)
        reason = SUBSCRIBE_CODES.get(code, f"code {code}")
        raise SyncRefusedError(self.base_url, f"{self.base_url} could not subscribe to {url}: {reason}.")

    def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""
        self.call("unsubscribeFeed", feed_id=int(feed_id))

    # -- items ----------------------------------------------------------------------------------

    def headlines(
        self,
        feed_id: str = ALL_ARTICLES,
        *,
        since_id: str | None = None,
        skip: int = 0,
        view_mode: str = "all_articles",
        limit: int = HEADLINES_LIMIT,
        content: bool = True,
        is_cat: bool = False,
    ) -> tuple[RemoteItem, ...]:
        """One page of headlines (at most *limit*, at most 200) of a feed, a category (*is_cat*) or a
        virtual feed (``ALL_ARTICLES``, ``STARRED``), newest first; ``view_mode`` is ``all_articles``,
        ``unread`` or ``marked``. Contents come unsanitised by the server (we sanitise them ourselves)."""
        params: dict[str, Any] = {
            "feed_id": int(feed_id),
            "limit": min(limit, HEADLINES_LIMIT),
            "skip": skip,
            "view_mode": view_mode,
            "show_content": content,
            "include_attachments": content,
            "sanitize": False,
            "is_cat": is_cat,
        }
        if since_id is not None:
            params["since_id"] = int(since_id)
        answer = self.call("getHeadlines", **params)
        if not isinstance(answer, list):
            raise self._transport.garbage("headline list")
        return tuple(item for item in (_item(entry) for entry in objects(answer)) if item is not None)

    def all_headlines(
        self,
        feed_id: str = ALL_ARTICLES,
        *,
        since_id: str | None = None,
        view_mode: str = "all_articles",
        content: bool = True,
    ) -> Iterator[tuple[RemoteItem, ...]]:
        """Every headline, a page at a time (``skip`` paging); stops at a short or empty page, and
        skips ids already given (new arrivals shift pages while paging)."""
        seen: set[str] = set()
        skip = 0
        for _ in range(MAX_PAGES):
            page = self.headlines(feed_id, since_id=since_id, skip=skip, view_mode=view_mode, content=content)
            fresh = tuple(item for item in page if item.id not in seen)
            seen.update(item.id for item in fresh)
            if fresh:
                yield fresh
            if len(page) < HEADLINES_LIMIT or not fresh:
                return
            skip += len(page)
        raise SyncProtocolError(self.base_url, f"{self.base_url} kept sending pages after {MAX_PAGES} of them.")

    def item_ids(self, feed_id: str = ALL_ARTICLES, *, view_mode: str = "all_articles") -> tuple[str, ...]:
        """Ids of every headline in a view (``unread`` ids, or ``feed_id=STARRED`` for starred ones)."""
        ids: list[str] = []
        for page in self.all_headlines(feed_id, view_mode=view_mode, content=False):
            ids.extend(item.id for item in page)
        return tuple(ids)

    def update_articles(self, ids: Sequence[str], field: int, value: bool) -> int:
        """Set ``unread`` (``FIELD_UNREAD``) or ``marked`` (``FIELD_STARRED``) on articles; returns how
        many the server changed."""
        if not ids:
            return 0
        content = self.call("updateArticle", article_ids=",".join(ids), mode=1 if value else 0, field=field)
        updated = integer(content.get("updated")) if isinstance(content, dict) else None
        return updated or 0

    def mark_read(self, ids: Sequence[str], read: bool = True) -> int:
        """Mark articles read (or unread)."""
        return self.update_articles(ids, FIELD_UNREAD, not read)

    def star(self, ids: Sequence[str], starred: bool = True) -> int:
        """Star (or unstar) articles."""
        return self.update_articles(ids, FIELD_STARRED, starred)

    def catchup_feed(self, feed_id: str, *, is_cat: bool = False) -> None:
        """Mark every article of a feed (or a category, *is_cat*) read."""
        self.call("catchupFeed", feed_id=int(feed_id), is_cat=is_cat)


def _item(entry: Mapping[str, Any]) -> RemoteItem | None:
    item_id, feed_id = ident(entry.get("id")), ident(entry.get("feed_id"))
    if item_id is None or feed_id is None:
        return None
    tags = entry.get("tags")
    enclosures = []
    for attachment in objects(entry.get("attachments")):
        url = optional_text(attachment.get("content_url"))
        if url:  # tt-rss keeps no byte length for attachments
            enclosures.append(RemoteEnclosure(url, optional_text(attachment.get("content_type"))))
    return RemoteItem(
        id=item_id,
        feed_id=feed_id,
        title=text(entry.get("title")),
        url=optional_text(entry.get("link")),
        author=optional_text(entry.get("author")),
        html=text(entry.get("content")),
        published=unix_time(entry.get("updated")),
        read=not flag(entry.get("unread")),
        starred=flag(entry.get("marked")),
        tags=tuple(tag for tag in tags if isinstance(tag, str) and tag) if isinstance(tags, list) else (),
        enclosures=tuple(enclosures),
    )
