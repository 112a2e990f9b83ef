"""A Google Reader API client (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux…).

The API as FreshRSS 1.24 speaks it (recorded in ``../shared/sync/freshrss-greader``):

- ``POST accounts/ClientLogin`` (``Email``, ``Passwd``) answers ``SID=…\\nLSID=…\\nAuth=…``; every later
  request carries ``Authorization: GoogleLogin auth=<Auth>``. A wrong password is HTTP 401.
- Changes are POSTs carrying the action token ``T`` from ``reader/api/0/token``. A token can expire: a
  401 on a POST fetches a new token and tries once more, and a 401 after that logs in again.
- Item ids come long (``tag:google.com,2005:reader/item/<16 hex>``) in contents and short (decimal) in
  id lists; servers accept both, and this client always returns and sends the decimal form.
- ``stream/contents`` pages carry a ``continuation``; a full last page still carries one, and the page
  after it is empty with none, so paging stops on either.

*base_url* is the API root: ``https://host/api/greader.php`` for FreshRSS (``…/p/api/greader.php``
when the FreshRSS folder itself is served), the server root for Miniflux.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from newsreader.core.errors import SyncAuthError, SyncProtocolError, SyncRefusedError
from newsreader.core.fetch import Fetcher, FetchResponse
from newsreader.core.sync.models import (
    ItemPage,
    RemoteEnclosure,
    RemoteFeed,
    RemoteFolder,
    RemoteItem,
    Subscribed,
    UnreadCount,
)
from newsreader.core.sync.transport import (
    FormData,
    Transport,
    integer,
    objects,
    optional_text,
    text,
    unix_time,
)

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL_PREFIX = "user/-/label/"
LONG_ID_PREFIX = "tag:google.com,2005:reader/item/"

PAGE_SIZE = 250
"""Items asked per ``stream/contents`` page (servers cap it: FreshRSS and Miniflux allow more)."""
IDS_PAGE_SIZE = 1000
"""Ids asked per ``stream/items/ids`` page (FreshRSS and Miniflux allow more; Inoreader caps at 1000)."""
EDIT_BATCH = 250
"""Ids sent in one ``edit-tag`` or ``stream/items/contents`` POST (keeps the form body small)."""
MAX_PAGES = 10_000
"""A server that never stops sending continuations is cut off after this many pages."""


def short_id(item_id: str) -> str | None:
    """An item id in decimal form: ``tag:google.com,2005:reader/item/0006613ac0acb93e`` → ``1795754828806462``.

    Long ids are 64-bit numbers in 16 hex digits; decimal ids (also negative ones some servers send
    as signed 64-bit) are kept as they are. None when *item_id* is neither."""
    item_id = item_id.strip()
    if item_id.startswith(LONG_ID_PREFIX):
        digits = item_id[len(LONG_ID_PREFIX) :]
        if 0 < len(digits) <= 16 and all(c in "0123456789abcdefABCDEF" for c in digits):
            value = int(digits, 16)
            return str(value - (1 << 64) if value >= 1 << 63 else value)
        return None
    number = integer(item_id)
    return str(number) if number is not None else None


def label_id(folder: str) -> str:
    """The stream id of a folder name: ``Tech`` → ``user/-/label/Tech``."""
    return folder if folder.startswith(LABEL_PREFIX) else LABEL_PREFIX + folder


class GReaderClient:
    """One account on a Google Reader API server. Not thread-safe: use one client per thread.

    *auth* is a stored ``Auth`` value from an earlier login (so a sync need not log in every time);
    :attr:`auth` holds the current one after any call. Every method raises :class:`SyncError`
    (:class:`SyncAuthError` for a wrong password or a refused token, :class:`SyncOfflineError` when the
    server cannot be reached, :class:`SyncProtocolError` for an answer of the wrong shape)."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        fetcher: Fetcher,
        *,
        auth: str | None = None,
        page_size: int | None = PAGE_SIZE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.user = user
        self._password = password
        self.auth = auth
        self.token: str | None = None
        self.page_size = page_size
        """Items per stream page; None leaves it to the server (FreshRSS: 20)."""
        self._transport = Transport(fetcher, self.base_url, "Google Reader API")

    # -- authentication -------------------------------------------------------------------------

    def login(self) -> str:
        """Log in with ClientLogin; returns (and keeps) the ``Auth`` value."""
        body = urlencode([("Email", self.user), ("Passwd", self._password)]).encode()
        try:
            response = self._transport.post(f"{self.base_url}/accounts/ClientLogin", body)
        except SyncAuthError as exc:
            raise SyncAuthError(
                self.base_url, f"{self.base_url} refused the user name or password of {self.user}.", status=exc.status
            ) from exc
        fields = dict(
            line.partition("=")[::2] for line in response.body.decode("utf-8", "replace").splitlines() if "=" in line
        )
        auth = fields.get("Auth", "").strip()
        if not auth or len(auth) > 4096 or any(c.isspace() for c in auth):
            raise self._transport.garbage("login answer")
        self.auth = auth
        self.token = None
        return auth

    def _headers(self) -> dict[str, str]:
        if self.auth is None:
            self.login()
        return {"Authorization": f"GoogleLogin auth={self.auth}"}

    def _fetch_token(self) -> str:
        response = self._get_raw("reader/api/0/token", [])
        token = response.body.decode("utf-8", "replace").strip()
        if not token or len(token) > 4096 or any(c.isspace() for c in token):
            raise self._transport.garbage("action token")
        self.token = token
        return token

    def _get_raw(self, path: str, query: FormData) -> FetchResponse:
        url = f"{self.base_url}/{path}"
        try:
            return self._transport.get(url, query, self._headers())
        except SyncAuthError:
            self.login()  # the stored Auth expired or was revoked: one new login, then one retry
            return self._transport.get(url, query, self._headers())

    def _get(self, path: str, query: FormData, what: str) -> Mapping[str, Any]:
        response = self._get_raw(path, [*query, ("output", "json")])
        return self._transport.json_object(response, what)

    def _post(self, path: str, form: FormData) -> FetchResponse:
        """POST *form* with the action token, renewing the token, then the login, on a 401."""
        url = f"{self.base_url}/{path}"
        for attempt in range(3):
            if attempt == 2:
                self.login()
            token = self.token or self._fetch_token()
            body = urlencode([("T", token), *form]).encode()
            try:
                return self._transport.post(url, body, headers=self._headers())
            except SyncAuthError:
                if attempt == 2:
                    raise
                self.token = None
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_ok(self, path: str, form: FormData, what: str) -> None:
        response = self._post(path, form)
        if response.body.strip() != b"OK":
            raise self._transport.garbage(f"answer to {what}")

    def check(self) -> str:
        """Log in and read the user's name (a connection test); returns the name the server uses."""
        self.login()
        info = self._get("reader/api/0/user-info", [], "user-info answer")
        return text(info.get("userName")) or text(info.get("userId")) or self.user

    # -- subscriptions and folders --------------------------------------------------------------

    def subscriptions(self) -> tuple[RemoteFeed, ...]:
        """Every subscription with its folders."""
        document = self._get("reader/api/0/subscription/list", [], "subscription list")
        if not isinstance(document.get("subscriptions"), list):
            raise self._transport.garbage("subscription list")
        feeds = []
        for entry in objects(document["subscriptions"]):
            feed_id = text(entry.get("id"))
            if not feed_id:
                continue
            folders = tuple(
                text(category.get("id")) for category in objects(entry.get("categories")) if text(category.get("id"))
            )
            feeds.append(
                RemoteFeed(
                    id=feed_id,
                    title=text(entry.get("title")) or text(entry.get("url")) or feed_id,
                    url=text(entry.get("url")),
                    site_url=optional_text(entry.get("htmlUrl")),
                    folder_ids=folders,
                    icon_url=optional_text(entry.get("iconUrl")),
                )
            )
        return tuple(feeds)

    def folders(self) -> tuple[RemoteFolder, ...]:
        """The folders (labels) from ``tag/list``; states such as starred are left out."""
        document = self._get("reader/api/0/tag/list", [], "tag list")
        if not isinstance(document.get("tags"), list):
            raise self._transport.garbage("tag list")
        found = []
        for tag in objects(document["tags"]):
            tag_id = text(tag.get("id"))
            # FreshRSS marks folders with type=folder; older servers give no type but the label prefix
            if tag_id.startswith(LABEL_PREFIX) or (tag_id and "/label/" in tag_id and tag.get("type") == "folder"):
                name = tag_id.rpartition("/label/")[2]
                found.append(RemoteFolder(id=tag_id, title=text(tag.get("label")) or name))
        return tuple(found)

    def unread_counts(self) -> tuple[UnreadCount, ...]:
        """Unread counts per feed, per folder and for the reading list."""
        document = self._get("reader/api/0/unread-count", [], "unread count")
        if not isinstance(document.get("unreadcounts"), list):
            raise self._transport.garbage("unread count")
        counts = []
        for entry in objects(document["unreadcounts"]):
            stream_id, count = text(entry.get("id")), integer(entry.get("count"))
            if stream_id and count is not None and count >= 0:
                counts.append(UnreadCount(stream_id, count, unix_time(entry.get("newestItemTimestampUsec"), 10**6)))
        return tuple(counts)

    def subscribe(self, url: str) -> Subscribed:
        """Subscribe to the feed at *url* (``subscription/quickadd``)."""
        response = self._post("reader/api/0/subscription/quickadd", [("quickadd", url)])
        document = self._transport.json_object(response, "subscribe answer")
        stream_id = text(document.get("streamId"))
        if not stream_id:
            error = text(document.get("error"))
            reason = f": {error[:200]}" if error else ""
            raise SyncRefusedError(self.base_url, f"{self.base_url} could not subscribe to {url}{reason}.")
        return Subscribed(feed_id=stream_id, title=optional_text(document.get("streamName")))

    def edit_subscription(
        self,
        feed_id: str,
        *,
        title: str | None = None,
        add_folder: str | None = None,
        remove_folder: str | None = None,
    ) -> None:
        """Rename a feed and/or move it between folders (folder names or ``user/-/label/…`` ids)."""
        form: FormData = [("ac", "edit"), ("s", feed_id)]
        if title is not None:
            form.append(("t", title))
        if remove_folder is not None:
            form.append(("r", label_id(remove_folder)))
        if add_folder is not None:
            form.append(("a", label_id(add_folder)))
        self._post_ok("reader/api/0/subscription/edit", form, "a subscription edit")

    def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed (its items go with it)."""
        self._post_ok("reader/api/0/subscription/edit", [("ac", "unsubscribe"), ("s", feed_id)], "an unsubscribe")

    # -- items ----------------------------------------------------------------------------------

    def stream_page(
        self,
        stream_id: str = READING_LIST,
        *,
        continuation: str | None = None,
        exclude: str | None = None,
        newer_than: int | None = None,
        count: int | None = None,
    ) -> ItemPage:
        """One page of a stream's items, newest first.

        *exclude* is a state to leave out (``READ`` for unread items only); *newer_than* is a unix
        time in seconds (``ot``); *count* overrides the page size."""
        query: FormData = []
        if count or self.page_size:
            query.append(("n", str(count or self.page_size)))
        if continuation:
            query.append(("c", continuation))
        if exclude:
            query.append(("xt", exclude))
        if newer_than is not None:
            query.append(("ot", str(newer_than)))
        document = self._get(f"reader/api/0/stream/contents/{quote(stream_id, safe='/-')}", query, "item stream")
        return self._page(document)

    def stream(
        self,
        stream_id: str = READING_LIST,
        *,
        exclude: str | None = None,
        newer_than: int | None = None,
    ) -> Iterator[ItemPage]:
        """Every page of a stream, following continuations; stops on none, on an empty page, or on a
        continuation the server already sent (a server going round in circles)."""
        continuation: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self.stream_page(stream_id, continuation=continuation, exclude=exclude, newer_than=newer_than)
            if page.items:
                yield page
            if not page.items or page.continuation is None or page.continuation in seen:
                return
            seen.add(page.continuation)
            continuation = page.continuation
        raise SyncProtocolError(self.base_url, f"{self.base_url} kept sending pages after {MAX_PAGES} of them.")

    def item_ids(
        self,
        stream_id: str = READING_LIST,
        *,
        include: str | None = None,
        exclude: str | None = None,
        newer_than: int | None = None,
    ) -> tuple[str, ...]:
        """Ids (decimal) of a stream's items, newest first, following continuations.

        *include*/*exclude* filter by a state: unread items are ``exclude=READ``, starred ones
        ``stream_id=STARRED``, read ones ``include=READ`` (``s=…/read`` alone lists every item on
        FreshRSS)."""
        ids: list[str] = []
        continuation: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query: FormData = [("s", stream_id), ("n", str(IDS_PAGE_SIZE))]
            for name, value in (("it", include), ("xt", exclude), ("c", continuation)):
                if value:
                    query.append((name, value))
            if newer_than is not None:
                query.append(("ot", str(newer_than)))
            document = self._get("reader/api/0/stream/items/ids", query, "item id list")
            refs = document.get("itemRefs", [])
            if not isinstance(refs, list):
                raise self._transport.garbage("item id list")
            page = [short_id(text(ref.get("id")) or str(integer(ref.get("id")))) for ref in objects(refs)]
            ids.extend(item_id for item_id in page if item_id is not None)
            following = text(document.get("continuation")) or None
            if not page or following is None or following in seen:
                return tuple(ids)
            seen.add(following)
            continuation = following
        raise SyncProtocolError(self.base_url, f"{self.base_url} kept sending pages after {MAX_PAGES} of them.")

    def items(self, ids: Sequence[str]) -> tuple[RemoteItem, ...]:
        """The items with these ids (``stream/items/contents``), asked in batches; the order is the
        server's. Ids the server does not know are simply missing from the answer."""
        found: list[RemoteItem] = []
        for start in range(0, len(ids), EDIT_BATCH):
            batch = ids[start : start + EDIT_BATCH]
            response = self._post("reader/api/0/stream/items/contents", [("i", item_id) for item_id in batch])
            found.extend(self._page(self._transport.json_object(response, "item list")).items)
        return tuple(found)

    def edit_tag(self, ids: Sequence[str], *, add: str | None = None, remove: str | None = None) -> None:
        """Add and/or remove a state or label on items: ``add=READ`` marks read, ``remove=STARRED``
        unstars. Ids go in batches of :data:`EDIT_BATCH`."""
        if add is None and remove is None:
            raise ValueError("edit_tag needs a tag to add or remove")
        for start in range(0, len(ids), EDIT_BATCH):
            form: FormData = [("i", item_id) for item_id in ids[start : start + EDIT_BATCH]]
            if add:
                form.append(("a", add))
            if remove:
                form.append(("r", remove))
            self._post_ok("reader/api/0/edit-tag", form, "a tag edit")

    def mark_all_as_read(self, stream_id: str, before_usec: int) -> None:
        """Mark a feed, folder or the reading list read, up to items stored at *before_usec*
        (µs since the epoch; compared with the server's crawl time, so newer arrivals stay unread)."""
        self._post_ok(
            "reader/api/0/mark-all-as-read", [("s", stream_id), ("ts", str(before_usec))], "a mark-all-as-read"
        )

    # -- decoding -------------------------------------------------------------------------------

    def _page(self, document: Mapping[str, Any]) -> ItemPage:
        raw = document.get("items")
        if not isinstance(raw, list):
            raise self._transport.garbage("item stream")
        items = [item for item in (self._item(entry) for entry in objects(raw)) if item is not None]
        continuation = document.get("continuation")
        if isinstance(continuation, int) and not isinstance(continuation, bool):
            continuation = str(continuation)
        return ItemPage(tuple(items), text(continuation) or None)

    @staticmethod
    def _item(entry: Mapping[str, Any]) -> RemoteItem | None:
        item_id = short_id(text(entry.get("id")))
        origin = entry.get("origin")
        feed_id = text(origin.get("streamId")) if isinstance(origin, dict) else ""
        if item_id is None or not feed_id:
            return None
        raw_categories = entry.get("categories")
        categories = [c for c in raw_categories if isinstance(c, str)] if isinstance(raw_categories, list) else []
        # the user part varies (``user/-/…``, ``user/1005/…``): compare the state's own name
        states = {c.rpartition("/state/com.google/")[2] for c in categories if "/state/com.google/" in c}
        content = entry.get("content") if isinstance(entry.get("content"), dict) else None
        summary = entry.get("summary") if isinstance(entry.get("summary"), dict) else None
        html = text((content or {}).get("content")) or text((summary or {}).get("content"))
        return RemoteItem(
            id=item_id,
            feed_id=feed_id,
            title=text(entry.get("title")),
            url=_first_href(entry.get("canonical")) or _first_href(entry.get("alternate")),
            author=optional_text(entry.get("author")),
            html=html,
            published=unix_time(entry.get("published")),
            read="read" in states,
            starred="starred" in states,
            crawled=unix_time(entry.get("timestampUsec"), 10**6) or unix_time(entry.get("crawlTimeMsec"), 10**3),
            crawl_usec=_crawl_usec(entry),
            tags=tuple(c for c in categories if "/" not in c),
            enclosures=tuple(_enclosures(entry.get("enclosure"))),
        )


def _crawl_usec(entry: Mapping[str, Any]) -> int | None:
    usec = integer(entry.get("timestampUsec"))
    if usec is not None and usec > 0:
        return usec
    msec = integer(entry.get("crawlTimeMsec"))
    return msec * 1000 if msec is not None and msec > 0 else None


def _first_href(value: Any) -> str | None:
    for link in objects(value):
        href = optional_text(link.get("href"))
        if href:
            return href
    return None


def _enclosures(value: Any) -> Iterable[RemoteEnclosure]:
    for enclosure in objects(value):
        href = optional_text(enclosure.get("href"))
        if href:
            length = integer(enclosure.get("length"))
            yield RemoteEnclosure(href, optional_text(enclosure.get("type")), length if length and length > 0 else None)
