"""The Tiny Tiny RSS client against Debian's real tt-rss (PostgreSQL, PHP), started by
``scripts/sync-servers.sh``. Each test has its own user, so runs do not disturb each other.

tt-rss refuses to fetch feeds from 127.x addresses and from ports other than 80/443; the script serves
the test feeds on port 80 of the loopback interface, and the tests name that host ``0.0.0.0``, which
Linux routes to loopback and which tt-rss's check does not recognise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from newsreader.core.errors import SyncAuthError, SyncRefusedError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.ttrss import ALL_ARTICLES, HEADLINES_LIMIT, STARRED, TTRSSClient
from tests.support.syncservers import TTRSS, ttrss_user

BASE = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def rss(title: str, count: int, start: int = 0) -> str:
    items = "".join(
        f"<item><title>{title} story {n}</title><link>https://{title.lower()}.example/{n}</link>"
        f"<guid>https://{title.lower()}.example/{n}</guid><author>writer{n}@example.org (Writer {n})</author>"
        f"<pubDate>{format_datetime(BASE + timedelta(hours=n))}</pubDate>"
        f"<description>&lt;p&gt;Body {n} &amp;amp; more&lt;/p&gt;</description>"
        + (
            f'<enclosure url="https://{title.lower()}.example/{n}.mp3" type="audio/mpeg" length="1234"/>'
            if n == 1
            else ""
        )
        + "</item>"
        for n in range(start, start + count)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://{title.lower()}.example/</link><description>d</description>{items}</channel></rss>"
    )


@pytest.fixture
def ttrss() -> TTRSS:
    return ttrss_user()


@pytest.fixture
def client(ttrss: TTRSS, fetcher: Fetcher) -> TTRSSClient:
    return TTRSSClient(ttrss.url, ttrss.user, ttrss.password, fetcher)


def test_wrong_password_and_disabled_api(ttrss: TTRSS, fetcher: Fetcher) -> None:
    with pytest.raises(SyncAuthError) as caught:
        TTRSSClient(ttrss.url, ttrss.user, "wrong", fetcher).check()
    assert str(caught.value) == f"{ttrss.url} refused the user name or password of {ttrss.user}."
    locked = ttrss_user(api_access=False)
    with pytest.raises(SyncAuthError, match=r"has API access turned off for t\w+ \(Preferences"):
        TTRSSClient(locked.url, locked.user, locked.password, fetcher).check()
    assert TTRSSClient(ttrss.url, ttrss.user, ttrss.password, fetcher).check() >= 15


def test_subscribe_read_star_and_catch_up(ttrss: TTRSS, client: TTRSSClient) -> None:
    uid = ttrss.uid()
    ttrss.sql(f"insert into ttrss_feed_categories (owner_uid, title) values ({uid}, 'Tech')")
    tech = ttrss.sql(f"select id from ttrss_feed_categories where owner_uid = {uid} and title = 'Tech'")
    url = ttrss.feed_url(f"{ttrss.user}-big.xml", rss("Big", HEADLINES_LIMIT + 15))
    added = client.subscribe(url, tech)
    assert client.subscribe(url, tech).feed_id == added.feed_id  # already subscribed: the same feed
    small = client.subscribe(ttrss.feed_url(f"{ttrss.user}-small.xml", rss("Small", 3)))
    client.call("updateFeed", feed_id=int(added.feed_id))
    client.call("updateFeed", feed_id=int(small.feed_id))

    assert [(f.id, f.title) for f in client.folders()] == [(tech, "Tech")]
    feeds = {feed.id: feed for feed in client.feeds()}
    assert (feeds[added.feed_id].title, feeds[added.feed_id].folder_ids) == ("Big", (tech,))
    assert feeds[added.feed_id].url == url
    assert feeds[small.feed_id].folder_ids == ()

    pages = list(client.all_headlines())
    assert [len(page) for page in pages] == [HEADLINES_LIMIT, 18]
    items = {item.id: item for page in pages for item in page}
    assert len(items) == HEADLINES_LIMIT + 18
    story = next(item for item in items.values() if item.title == "Big story 1")
    assert story.feed_id == added.feed_id
    assert story.url == "https://big.example/1"
    assert story.published == BASE + timedelta(hours=1)
    assert "Body 1 &amp; more" in story.html
    assert (story.read, story.starred) == (False, False)
    assert [e.url for e in story.enclosures] == ["https://big.example/1.mp3"]

    small_ids = [item.id for item in items.values() if item.feed_id == small.feed_id]
    assert client.mark_read(small_ids[:2]) == 2
    assert client.star([small_ids[0], story.id]) == 2
    unread = set(client.item_ids(view_mode="unread"))
    assert len(unread) == HEADLINES_LIMIT + 16
    assert not unread & set(small_ids[:2])
    assert set(client.item_ids(STARRED)) == {small_ids[0], story.id}
    client.star([story.id], starred=False)
    client.mark_read([small_ids[0]], read=False)
    assert set(client.item_ids(STARRED)) == {small_ids[0]}
    assert small_ids[0] in set(client.item_ids(view_mode="unread"))

    client.catchup_feed(added.feed_id)
    assert set(client.item_ids(view_mode="unread")) == {small_ids[0], small_ids[2]}
    client.catchup_feed(ALL_ARTICLES)
    assert client.item_ids(view_mode="unread") == ()
    assert set(client.item_ids(STARRED)) == {small_ids[0]}  # catching up does not unstar


def test_incremental_fetch_and_an_expired_session(ttrss: TTRSS, client: TTRSSClient) -> None:
    name = f"{ttrss.user}-grow.xml"
    feed = client.subscribe(ttrss.feed_url(name, rss("Grow", 4)))
    client.call("updateFeed", feed_id=int(feed.feed_id))
    first = [item for page in client.all_headlines() for item in page]
    highest = max(int(item.id) for item in first)

    ttrss.change_feed(name, rss("Grow", 6))  # two new stories
    client.call("updateFeed", feed_id=int(feed.feed_id))
    # the server forgets the session (expiry, a restart): the next call logs in again by itself
    old_session = client.sid
    ttrss.sql(f"delete from ttrss_sessions where id = '{old_session}'")
    newer = [item for page in client.all_headlines(since_id=str(highest)) for item in page]
    assert sorted(item.title for item in newer) == ["Grow story 4", "Grow story 5"]
    assert client.sid != old_session


def test_refusals_name_the_reason(ttrss: TTRSS, client: TTRSSClient, fetcher: Fetcher) -> None:
    with pytest.raises(SyncRefusedError) as caught:
        client.subscribe("http://127.0.0.1:9/feed.xml")
    assert (
        str(caught.value)
        == f"{ttrss.url} could not subscribe to http://127.0.0.1:9/feed.xml: the server could not download it."
    )
    with pytest.raises(SyncRefusedError, match=r"refused unsubscribeFeed \(FEED_NOT_FOUND\)\."):
        client.unsubscribe("999999")
    feed = client.subscribe(ttrss.feed_url(f"{ttrss.user}-gone.xml", rss("Gone", 1)))
    client.unsubscribe(feed.feed_id)
    assert client.feeds() == ()
