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
