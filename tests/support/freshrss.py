"""A loopback Google Reader API server that behaves as FreshRSS 1.24.3 did in the recording of
``../shared/sync/freshrss-greader``, at any size.

The replay (``replay.py``) answers only the requests that were recorded; a sync pages with its own
sizes and asks for "newer than" windows, and a benchmark needs 20,000 items. This server keeps the
state (feeds, folders, items with their crawl ids, read and starred) and answers every endpoint the
recording exercised with the same shapes, orders, ids, content types and quirks:

- ids are the crawl time in µs, consecutive within a crawl, given in ascending published order;
- pages are newest id first; a full page carries ``continuation`` (the last id), even the last one;
- ``s=…/read`` lists every item, ``it=``/``xt=`` filter by a state, ``stream/contents`` of the read
  state is a 400 ``Bad Request!``; ``&`` in titles comes back as ``＆``;
- a wrong login, token or Auth is a 401 ``Unauthorized!`` (``text/plain``); JSON that FreshRSS sends
  as ``text/html`` (ids, user-info, quickadd, token) is sent so.

``tests/sync/test_freshrss_model.py`` checks it against the recording: seeded with the recording's
feeds and items, it must answer every recorded request exactly as FreshRSS did.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"
JSON = "application/json; charset=UTF-8"
HTML = "text/html; charset=UTF-8"
TEXT = "text/plain; charset=UTF-8"


@dataclass
class Feed:
    id: int
    title: str
    url: str
    html_url: str
    icon_url: str
    folder: str


@dataclass
class Item:
    id: int
    feed_id: int
    title: str
    url: str
    author: str
    html: str
    published: int
    tags: list[str] = field(default_factory=list)
    enclosures: list[dict[str, Any]] = field(default_factory=list)
    read: bool = False
    starred: bool = False


@dataclass
class Entry:
    """What a feed offers a crawl (before it has an id)."""

    title: str
    url: str
    author: str
    html: str
    published: int
    tags: list[str] = field(default_factory=list)
    enclosures: list[dict[str, Any]] = field(default_factory=list)


class FreshRSS:
    """The server. ``offered`` maps feed addresses to (title, site, icon, entries) for quickadd."""

    def __init__(self, user: str = "alice", password: str = "alice-api-pw", *, now: int = 0) -> None:
        self.user, self.password = user, password
        self.auth = f"{user}/{secrets.token_hex(20)}"
        self.token = self.auth.partition("/")[2] + "Z" * 17
        self.now = now
        """Seconds since the epoch for ``updated`` (0: the real clock)."""
        self.feeds: dict[int, Feed] = {}
        self.items: dict[int, Item] = {}
        self.offered: dict[str, tuple[str, str, str, list[Entry]]] = {}
        self.next_crawl: int | None = None
        """The first id of the next crawl a quickadd makes (None: after the highest id)."""
        self.requests = 0
        self.stream_pages = 0
        """``stream/contents`` pages served (how much an incremental sync asks for)."""
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer._serve(self, b"")

            def do_POST(self) -> None:
                outer._serve(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def server_bind(self) -> None:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                super().server_bind()

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/api/greader.php") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # the state -------------------------------------------------------------------------------

    def add_feed(self, title: str, url: str, html_url: str, folder: str, icon_url: str = "") -> int:
        feed_id = max(self.feeds, default=0) + 1
        self.feeds[feed_id] = Feed(feed_id, title, url, html_url, icon_url, folder)
        return feed_id

    def crawl(self, batches: dict[int, list[Entry]], first_id: int) -> None:
        """Store new entries of several feeds as one crawl: consecutive ids from *first_id*, in
        ascending published order across the feeds (as FreshRSS numbered them)."""
        pending = sorted(((e.published, f, e) for f, entries in batches.items() for e in entries), key=lambda t: t[0])
        for offset, (_, feed_id, entry) in enumerate(pending):
            self.items[first_id + offset] = Item(
                first_id + offset,
                feed_id,
                entry.title.replace("&", "＆"),
                entry.url,
                entry.author,
                entry.html,
                entry.published,
                list(entry.tags),
                list(entry.enclosures),
            )

    # HTTP ------------------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        parts = urlsplit(request.path)
        path = unquote(parts.path).removeprefix("/api/greader.php")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        with self.lock:
            self.requests += 1
            status, content_type, answer = self._answer(request.command, path, query, form, request.headers)
        data = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False, indent=2).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client went away (a test killed it)
            request.close_connection = True

    def _answer(
        self, method: str, path: str, query: dict[str, str], form: list[tuple[str, str]], headers: Any
    ) -> tuple[int, str, Any]:
        unauthorized = (401, TEXT, b"Unauthorized!")
        values = dict(form)
        if path == "/accounts/ClientLogin":
            if values.get("Email") == self.user and values.get("Passwd") == self.password:
                return 200, TEXT, f"SID={self.auth}\nLSID=null\nAuth={self.auth}\n".encode()
            return unauthorized
        if headers.get("Authorization") != f"GoogleLogin auth={self.auth}":
            return unauthorized
        if method == "POST" and values.get("T") != self.token:
            return unauthorized
        if path == "/check/compatibility":
            return 200, TEXT, b"PASS"
        api = path.removeprefix("/reader/api/0")
        if api == "/token":
            return 200, HTML, (self.token + "\n").encode()
        if api == "/user-info":
            return 200, HTML, {"userId": self.user, "userName": self.user, "userProfileId": self.user, "userEmail": ""}
        if api == "/subscription/list":
            return 200, JSON, {"subscriptions": [self._subscription(f) for f in self._feeds_in_order()]}
        if api == "/tag/list":
            folders = sorted({f.folder for f in self.feeds.values()})
            return 200, JSON, {"tags": [{"id": STARRED}, *({"id": LABEL + n, "type": "folder"} for n in folders)]}
        if api == "/unread-count":
            return 200, JSON, self._unread_counts()
        if api.startswith("/stream/contents/"):
            self.stream_pages += 1
            stream = api.removeprefix("/stream/contents/")
            if stream == READ:
                return 400, TEXT, b"Bad Request!"
            return 200, JSON, self._contents(stream, query)
        if api == "/stream/items/ids":
            ids = [i.id for i in self._stream(query.get("s", READING_LIST), query)]
            page, following = self._page(ids, query, 20)
            answer: dict[str, Any] = {"itemRefs": [{"id": str(i)} for i in page]}
            if following:
                answer["continuation"] = following
            return 200, HTML, answer
        if api == "/stream/items/contents" and method == "POST":
            wanted = {_decimal(v) for k, v in form if k == "i"}
            chosen = sorted((i for i in self.items.values() if i.id in wanted), key=lambda i: -i.id)
            return 200, JSON, {"id": READING_LIST, "updated": self._now(), "items": [self._item(i) for i in chosen]}
        if api == "/edit-tag" and method == "POST":
            for item_id in (_decimal(v) for k, v in form if k == "i"):
                item = self.items.get(item_id)
                if item is None:
                    continue
                for key, flag in (("a", True), ("r", False)):
                    state = values.get(key)
                    if state == READ:
                        item.read = flag
                    elif state == STARRED:
                        item.starred = flag
            return 200, HTML, b"OK"
        if api == "/mark-all-as-read" and method == "POST":
            before = int(values.get("ts", "0") or 0)
            for item in self._stream(values.get("s", READING_LIST), {}):
                if item.id <= before:
                    item.read = True
            return 200, HTML, b"OK"
        if api == "/subscription/quickadd" and method == "POST":
            return self._quickadd(values.get("quickadd", ""))
        if api == "/subscription/edit" and method == "POST":
            feed = self.feeds.get(int(values.get("s", "feed/0").removeprefix("feed/") or 0))
            if feed is None:
                return 400, TEXT, b"Bad Request!"
            if values.get("ac") == "unsubscribe":
                del self.feeds[feed.id]
                self.items = {k: v for k, v in self.items.items() if v.feed_id != feed.id}
            else:
                if "t" in values:
                    feed.title = values["t"]
                if "a" in values:
                    feed.folder = values["a"].removeprefix(LABEL)
            return 200, HTML, b"OK"
        return 400, TEXT, b"Bad Request!"

    def _now(self) -> int:
        import time

        return self.now or int(time.time())

    def _feeds_in_order(self) -> list[Feed]:
        return sorted(self.feeds.values(), key=lambda f: (f.folder, f.title))

    def _subscription(self, feed: Feed) -> dict[str, Any]:
        return {
            "id": f"feed/{feed.id}",
            "title": feed.title,
            "categories": [{"id": LABEL + feed.folder, "label": feed.folder}],
            "url": feed.url,
            "htmlUrl": feed.html_url,
            "iconUrl": feed.icon_url,
        }

    def _unread_counts(self) -> dict[str, Any]:
        entries: list[dict[str, Any]] = []
        total, newest_all = 0, 0
        for folder in sorted({f.folder for f in self.feeds.values()}):
            folder_count, folder_newest = 0, 0
            for feed in (f for f in self._feeds_in_order() if f.folder == folder):
                items = [i for i in self.items.values() if i.feed_id == feed.id]
                count = sum(not i.read for i in items)
                newest = max((i.id for i in items), default=0)
                entries.append({"id": f"feed/{feed.id}", "count": count, "newestItemTimestampUsec": str(newest)})
                folder_count += count
                folder_newest = max(folder_newest, newest)
            entries.append({"id": LABEL + folder, "count": folder_count, "newestItemTimestampUsec": str(folder_newest)})
            total += folder_count
            newest_all = max(newest_all, folder_newest)
        entries.append({"id": READING_LIST, "count": total, "newestItemTimestampUsec": str(newest_all)})
        return {"max": total, "unreadcounts": entries}

    def _stream(self, stream: str, query: dict[str, str]) -> list[Item]:
        if stream.startswith("feed/"):
            chosen = [i for i in self.items.values() if f"feed/{i.feed_id}" == stream]
        elif stream.startswith(LABEL):
            folder = stream.removeprefix(LABEL)
            chosen = [i for i in self.items.values() if self.feeds[i.feed_id].folder == folder]
        elif stream == STARRED:
            chosen = [i for i in self.items.values() if i.starred]
        else:  # the reading list, and (a FreshRSS quirk) the read state used as a stream
            chosen = list(self.items.values())
        for key, keep in (("xt", False), ("it", True)):
            state = query.get(key)
            if state == READ:
                chosen = [i for i in chosen if i.read == keep]
            elif state == STARRED:
                chosen = [i for i in chosen if i.starred == keep]
        if query.get("ot"):
            chosen = [i for i in chosen if i.id >= int(query["ot"]) * 1_000_000]
        return sorted(chosen, key=lambda i: -i.id)

    @staticmethod
    def _page(ids: list[int], query: dict[str, str], default: int) -> tuple[list[int], str | None]:
        size = int(query.get("n") or default)
        if query.get("c"):
            ids = [i for i in ids if i < int(query["c"])]
        page = ids[:size]
        return page, (str(page[-1]) if len(page) == size and page else None)

    def _contents(self, stream: str, query: dict[str, str]) -> dict[str, Any]:
        items = {i.id: i for i in self._stream(stream, query)}
        page, following = self._page(list(items), query, 20)
        answer: dict[str, Any] = {
            "id": READING_LIST,
            "updated": self._now(),
            "items": [self._item(items[i]) for i in page],
        }
        if following:
            answer["continuation"] = following
        return answer

    def _item(self, item: Item) -> dict[str, Any]:
        feed = self.feeds[item.feed_id]
        categories = [READING_LIST, LABEL + feed.folder]
        if item.read:
            categories.append(READ)
        if item.starred:
            categories.append(STARRED)
        answer: dict[str, Any] = {
            "id": f"tag:google.com,2005:reader/item/{item.id:016x}",
            "crawlTimeMsec": str(item.id // 1000),
            "timestampUsec": str(item.id),
            "published": item.published,
            "title": item.title,
            "canonical": [{"href": item.url}],
            "alternate": [{"href": item.url}],
            "categories": [*categories, *item.tags],
            "origin": {"streamId": f"feed/{feed.id}", "htmlUrl": feed.html_url, "title": feed.title},
            "summary": {"content": item.html},
        }
        if item.enclosures:
            answer["enclosure"] = item.enclosures
        answer["author"] = item.author
        return answer

    def _quickadd(self, url: str) -> tuple[int, str, Any]:
        offer = self.offered.get(url)
        if offer is None:
            return 200, HTML, {"numResults": 0, "error": "Feed not found"}
        title, site, icon, entries = offer
        feed_id = self.add_feed(title, url, site, "Uncategorized", icon)
        first = self.next_crawl or max(self.items, default=0) + 1
        self.next_crawl = None
        self.crawl({feed_id: entries}, first)
        return 200, HTML, {"numResults": 1, "query": url, "streamId": f"feed/{feed_id}", "streamName": title}


def _decimal(value: str) -> int:
    if value.startswith("tag:google.com,2005:reader/item/"):
        return int(value.rpartition("/")[2], 16)
    return int(value) if value.isdigit() else -1
