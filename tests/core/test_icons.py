"""Feed icons as a reader expects them: the site's declared icon, else /favicon.ico, and a miss looked
at again within days rather than a month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsreader.core.icons import page_icons
from newsreader.core.library import open_library
from tests.core.test_page_fetching import png
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer


def test_a_page_declares_its_icons_in_order_of_preference() -> None:
    page = b"""<html><head><link rel="apple-touch-icon" href="/touch.png">
    <link rel="icon" type="image/svg+xml" href="/logo.svg"><link rel="shortcut icon" href="img/fav.png?v=2">
    <link rel="stylesheet" href="/a.css"><link rel="icon" href="javascript:alert(1)"></head></html>"""
    assert page_icons(page, "https://example.org/blog/") == [
        "https://example.org/blog/img/fav.png?v=2",
        "https://example.org/touch.png",
    ]
    assert page_icons(b"", "https://example.org/") == []


def test_the_site_declared_icon_wins_and_a_miss_is_retried_within_days(tmp_path: Path, server: FeedServer) -> None:
    now = [datetime(2030, 1, 1, tzinfo=UTC)]
    declared = png(32, 32, seed=1)
    server.add(
        "/site/", '<html><head><link rel="icon" href="/static/logo.png"></head></html>', content_type="text/html"
    )
    server.add("/static/logo.png", declared, content_type="image/png")
    server.add("/favicon.ico", png(16, 16, seed=2), content_type="image/x-icon")
    site = server.url("/site/")
    with open_library(tmp_path, clock=lambda: now[0], parse_processes=0) as library:
        with_site = library.subscribe(server.add("/a.xml", rss([], title="A", link=site)))
        list(library.refresh())
        assert library.refresh_icons() == 1
        assert library.feed_icons() == {with_site: declared}
        assert not server.hits_for("/favicon.ico")  # the declared icon was enough

        server.routes.pop("/static/logo.png")
        server.routes.pop("/favicon.ico")
        without = library.subscribe(server.add("/b.xml", rss([], title="B", link=server.url("/nothing/"))))
        list(library.refresh([without]))
        assert library.refresh_icons() == 0
        server.add("/favicon.ico", png(16, 16, seed=3), content_type="image/x-icon")
        now[0] += timedelta(days=2)
        assert library.refresh_icons() == 0  # not yet
        now[0] += timedelta(days=2)
        assert library.refresh_icons() == 1  # a miss is looked at again after three days, not thirty
        assert library.feed_icons()[without] == png(16, 16, seed=3)
        assert len(server.hits_for("/site/")) == 1  # the feed that has its icon was not asked again


def test_a_feed_declared_icon_comes_first() -> None:
    from newsreader.core.icons import feed_document_icons

    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <logo>/logo.png</logo><icon>/icon.png</icon><entry><icon>/not-this.png</icon></entry></feed>"""
    assert feed_document_icons(atom, "https://a.example/feed") == [
        "https://a.example/icon.png",
        "https://a.example/logo.png",
    ]
    rss2 = b"""<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>R</title>
    <itunes:image href="https://cdn.example/art.jpg"/><image><url>img/r.png</url><title>R</title></image>
    <item><image><url>/no.png</url></image></item></channel></rss>"""
    assert feed_document_icons(rss2, "https://r.example/feed/") == [
        "https://r.example/feed/img/r.png",
        "https://cdn.example/art.jpg",
    ]
    assert feed_document_icons(
        b'{"version": "https://jsonfeed.org/version/1.1", "icon": "/i.png", "favicon": "/f.png"}', "https://j.example/"
    ) == ["https://j.example/f.png", "https://j.example/i.png"]
    assert feed_document_icons(b"<rss><channel><image><url>javascript:x</url></image>", "https://x.example/") == []


def test_the_feed_icon_is_used_before_the_site_is_asked(tmp_path: Path, server: FeedServer) -> None:
    icon = png(24, 24, seed=7)
    server.add("/ficon.png", icon, content_type="image/png")
    feed = rss([], title="F").replace("<channel>", f"<channel><image><url>{server.url('/ficon.png')}</url></image>", 1)
    with open_library(tmp_path, parse_processes=0) as library:
        feed_id = library.subscribe(server.add("/f.xml", feed))
        list(library.refresh())
        assert library.refresh_icons() == 1
        assert library.feed_icons() == {feed_id: icon}
        assert not server.hits_for("/favicon.ico")
