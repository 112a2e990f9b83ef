"""The Google Reader API client against the recorded FreshRSS 1.24.3 traffic, replayed on loopback.

The replay answers only requests the real server was sent (``tests/support/replay.py``), in the state
the server was in, so each test walks the recording's order.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsreader.core.errors import SyncAuthError, SyncRefusedError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.greader import READ, READING_LIST, STARRED, GReaderClient, short_id
from tests.support.replay import PASSWORD, WRONG_PASSWORD, ReplayServer

API = "/api/greader.php"
LAKESIDE_NEWEST = "1795754828806462"  # "Shipping 3.2" in Lakeside Dev Blog (feed/1)


def client(replay: ReplayServer, fetcher: Fetcher, password: str = PASSWORD, **options: object) -> GReaderClient:
    return GReaderClient(replay.url(API), "alice", password, fetcher, **options)  # type: ignore[arg-type]


def test_short_ids() -> None:
    assert short_id("tag:google.com,2005:reader/item/0006613ac0acb93e") == "1795754828806462"
    assert short_id("1795754828806462") == "1795754828806462"
    assert short_id("tag:google.com,2005:reader/item/ffffffffffffffff") == "-1"
    assert short_id("tag:google.com,2005:reader/item/xyz") is None
    assert short_id("not an id") is None


def test_wrong_password_is_one_sentence(greader_replay: ReplayServer, fetcher: Fetcher) -> None:
    with pytest.raises(SyncAuthError) as caught:
        client(greader_replay, fetcher, WRONG_PASSWORD).login()
    assert str(caught.value) == f"{greader_replay.url(API)} refused the user name or password of alice."
    assert not caught.value.transient


def test_login_then_structure(greader_replay: ReplayServer, fetcher: Fetcher) -> None:
    reader = client(greader_replay, fetcher)
    assert reader.check() == "alice"
    assert reader.auth == greader_replay.auth
    feeds = {feed.id: feed for feed in reader.subscriptions()}
    assert set(feeds) == {"feed/1", "feed/2"}
    assert feeds["feed/1"].title == "Lakeside Dev Blog"
    assert feeds["feed/1"].url == "http://127.0.0.1:8290/lakeside-dev.xml"
    assert feeds["feed/1"].site_url == "https://lakeside.example/blog/"
    assert feeds["feed/1"].folder_ids == ("user/-/label/Tech",)
    assert [(f.id, f.title) for f in reader.folders()] == [
        ("user/-/label/Hardware", "Hardware"),
        ("user/-/label/Tech", "Tech"),
    ]
    counts = {count.stream_id: count for count in reader.unread_counts()}
    assert counts[READING_LIST].count == 13
    assert counts["feed/2"].count == 7
    assert counts["feed/2"].newest == datetime.fromtimestamp(1795754828.806463, UTC)


def walk_to_paging(reader: GReaderClient, replay: ReplayServer) -> None:
    """Exchanges 06–17: subscribe, rename, put in a new folder, move."""
    assert len(reader.subscriptions()) == 2
    added = reader.subscribe("http://127.0.0.1:8290/planet-lakeside.xml")
    assert (added.feed_id, added.title) == ("feed/3", "Planet Lakeside")
    planet = next(feed for feed in reader.subscriptions() if feed.id == "feed/3")
    assert planet.folder_ids == ("user/-/label/Uncategorized",)
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 18
    reader.edit_subscription("feed/3", title="Planet Lakeside (community)")
    reader.edit_subscription("feed/3", add_folder="Community")
    planet = next(feed for feed in reader.subscriptions() if feed.id == "feed/3")
    assert (planet.title, planet.folder_ids) == ("Planet Lakeside (community)", ("user/-/label/Community",))
    reader.edit_subscription("feed/3", remove_folder="Community", add_folder="user/-/label/Tech")
    planet = next(feed for feed in reader.subscriptions() if feed.id == "feed/3")
    assert planet.folder_ids == ("user/-/label/Tech",)
    assert "user/-/label/Community" not in {folder.id for folder in reader.folders()}


def test_subscriptions_edits_and_paging_with_continuation(greader_replay: ReplayServer, fetcher: Fetcher) -> None:
    reader = client(greader_replay, fetcher, page_size=2)
    reader.login()
    walk_to_paging(reader, greader_replay)

    pages = list(reader.stream(READING_LIST))
    # nine full pages; the ninth still carries a continuation, and the tenth (empty, none) ends it
    assert [len(page.items) for page in pages] == [2] * 9
    assert pages[-1].continuation == "1795754828806451"
    assert greader_replay.served[-1] == "27-stream-contents-reading-list-n2-page10"
    items = [item for page in pages for item in page.items]
    assert len({item.id for item in items}) == 18
    assert [item.id for item in items] == sorted((item.id for item in items), key=int, reverse=True)
    first = items[0]
    assert first.id == "1795754828986875"
    assert (first.feed_id, first.title) == ("feed/3", "Shipping 3.2: faster sync and a new keyboard map")
    assert first.url == "https://lakeside.example/blog/2026/11/shipping-3-2"
    assert first.published == datetime.fromtimestamp(1795534200, UTC)
    assert first.crawled == datetime.fromtimestamp(1795754828.986875, UTC)
    assert "<strong>40% faster</strong>" in first.html
    assert (first.read, first.starred) == (False, False)
    lakeside = next(item for item in items if item.id == LAKESIDE_NEWEST)
    assert lakeside.tags == ("release",)
    assert lakeside.author == "Jonna Virtanen"
    with_audio = [item for item in items if item.enclosures]
    assert with_audio
    assert with_audio[0].enclosures[0].url.startswith("https://")
    assert isinstance(with_audio[0].enclosures[0].length, int)
    ampersand = next(item for item in items if "LoRa" in item.title)
    assert "＆" in ampersand.title  # FreshRSS sends "&" in titles as U+FF06; kept as the server sent it


def test_read_and_star_states(greader_replay: ReplayServer, fetcher: Fetcher) -> None:
    reader = client(greader_replay, fetcher, page_size=2)
    walk_to_paging(reader, greader_replay)
    reader.page_size = None  # the recording asked the starred stream with the server's default size
    assert reader.stream_page(STARRED).items == ()

    unread = reader.item_ids(READING_LIST, exclude=READ)
    assert len(unread) == 18
    by_id = reader.items(["1795754828806457", "tag:google.com,2005:reader/item/0006613ac0af79fb", "1795754828806463"])
    assert [item.id for item in by_id] == ["1795754828986875", "1795754828806463", "1795754828806457"]

    reader.edit_tag(["tag:google.com,2005:reader/item/0006613ac0acb93e"], add=READ)
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 17
    reader.edit_tag(["1795754828986875", "1795754828806460"], add=READ)
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 15
    assert len(reader.item_ids(READING_LIST, exclude=READ)) == 15
    reader.edit_tag(["1795754828806460"], remove=READ)
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 16
    page = reader.stream_page("feed/1", count=3)
    assert next(item for item in page.items if item.id == LAKESIDE_NEWEST).read is True

    reader.edit_tag(["tag:google.com,2005:reader/item/0006613ac0acb939"], add=STARRED)
    reader.edit_tag(["1795754828806458"], add=STARRED)
    starred = reader.stream_page(STARRED).items
    assert {item.id for item in starred} == {"1795754828806458", "1795754828806457"}
    assert all(item.starred for item in starred)
    assert reader.item_ids(STARRED) == ("1795754828806458", "1795754828806457")
    reader.edit_tag(["tag:google.com,2005:reader/item/0006613ac0acb939"], remove=STARRED)
    assert [item.id for item in reader.stream_page(STARRED).items] == ["1795754828806458"]

    # FreshRSS quirks: s=…/read lists every item; it=…/read lists the read ones; the read stream is a 400
    assert len(reader.item_ids(READ)) == 18
    assert reader.item_ids(READING_LIST, include=READ) == ("1795754828986875", LAKESIDE_NEWEST)
    with pytest.raises(SyncRefusedError, match="400"):
        reader.stream_page(READ)

    # a re-crawl adds two Lakeside items; mark-all-as-read up to a time leaves them unread
    greader_replay.external_change()
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 18
    assert len(reader.item_ids("feed/1", exclude=READ)) == 7
    reader.mark_all_as_read("feed/1", 1795754831113367)
    assert reader.item_ids("feed/1", exclude=READ) == ("1795754833196104", "1795754833196103")
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 13
    reader.mark_all_as_read("user/-/label/Hardware", 1795754833250624)
    counts = {c.stream_id: c.count for c in reader.unread_counts()}
    assert (counts[READING_LIST], counts["user/-/label/Hardware"]) == (6, 0)

    # a stale Auth (the password changed, or the server forgot it): one new login, then the answer
    reader.auth = f"alice/{'0' * 40}"
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 6
    assert greader_replay.served[-3:] == [
        "57-unread-count-invalid-auth",
        "02-clientlogin-ok",
        "55-unread-count-after-mark-label",
    ]

    reader.unsubscribe("feed/3")
    assert {feed.id for feed in reader.subscriptions()} == {"feed/1", "feed/2"}
    assert {c.stream_id: c.count for c in reader.unread_counts()}[READING_LIST] == 2
