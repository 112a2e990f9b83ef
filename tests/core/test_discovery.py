"""Adding feeds by feed URL or by a web page (autodiscovery, several feeds, common paths)."""

from __future__ import annotations

import pytest

from newsreader.core.discovery import discover_feeds
from newsreader.core.errors import FeedError, NotAFeedError, SettingsError
from newsreader.core.library import Library, MultipleFeedsError
from tests.conftest import shared_path
from tests.support.feeds import HTML_PAGE_ONE_FEED, HTML_PAGE_WITH_FEEDS, simple_rss
from tests.support.httpserver import FeedServer


def test_add_by_feed_url_stores_stories(library: Library, server: FeedServer) -> None:
    feed = library.add_feed(server.add("/feed.xml", simple_rss(3, title="Zebra news")), folder="Animals")
    assert (feed.title, feed.folder, feed.total) == ("Zebra news", "Animals", 3)


def test_add_by_page_with_one_feed(library: Library, server: FeedServer) -> None:
    server.add("/feed.xml", simple_rss(2))
    feed = library.add_feed(server.add("/", HTML_PAGE_ONE_FEED, content_type="text/html"))
    assert feed.url == server.url("/feed.xml")
    assert feed.total == 2


def test_page_with_several_feeds_lists_them(library: Library, server: FeedServer) -> None:
    page = server.add("/", HTML_PAGE_WITH_FEEDS, content_type="text/html")
    with pytest.raises(MultipleFeedsError) as info:
        library.add_feed(page)
    assert [(c.url, c.title) for c in info.value.candidates] == [
        (server.url("/feed.xml"), "Main feed"),
        (server.url("/comments.atom"), "Comments"),
    ]
    assert library.feeds() == []


def test_page_without_links_falls_back_to_common_paths(library: Library, server: FeedServer) -> None:
    server.add("/rss.xml", simple_rss(1))
    feed = library.add_feed(server.add("/blog", "<!doctype html><html><body>x</body></html>", content_type="text/html"))
    assert feed.url == server.url("/rss.xml")


def test_page_without_any_feed(library: Library, server: FeedServer) -> None:
    with pytest.raises(NotAFeedError, match="does not link to one"):
        library.add_feed(server.add("/none", "<!doctype html><html><body>x</body></html>", content_type="text/html"))


def test_duplicate_and_invalid_urls(library: Library, server: FeedServer) -> None:
    url = server.add("/feed.xml", simple_rss(1))
    library.add_feed(url)
    with pytest.raises(SettingsError, match="already subscribed"):
        library.add_feed(url)
    with pytest.raises(SettingsError, match="not an http or https address"):
        library.add_feed("ftp://example.com/feed")


def test_discovery_pages_from_the_corpus() -> None:
    root = shared_path("corpus", "feeds", "real")
    pages = [p for p in root.rglob("*.htm*") if "notafeed" not in p.name]
    assert pages
    found = [discover_feeds(p.read_bytes(), "https://example.com/") for p in pages]
    assert any(found)
    for feeds in found:
        assert all(f.url.startswith(("http://", "https://")) for f in feeds)


def test_a_page_whose_feed_answers_404_is_not_subscribed(library: Library, server: FeedServer) -> None:
    page = server.add("/", HTML_PAGE_ONE_FEED, content_type="text/html")  # /feed.xml is not served
    with pytest.raises(FeedError) as info:
        library.add_feed(page)
    message = str(info.value)
    assert message.startswith(f"Not subscribed: {page} announces the feed {server.url('/feed.xml')}")
    assert "404" in message and message.endswith(").")
    assert library.feeds() == []


def test_a_page_whose_feed_is_not_a_feed_is_not_subscribed(library: Library, server: FeedServer) -> None:
    server.add("/feed.xml", "<html><body>Moved to our app</body></html>", content_type="application/rss+xml")
    with pytest.raises(FeedError, match=r"Not subscribed: .* which could not be read"):
        library.add_feed(server.add("/", HTML_PAGE_ONE_FEED, content_type="text/html"))
    assert library.feeds() == []
