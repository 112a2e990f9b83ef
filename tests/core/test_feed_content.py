"""The story / sponsored split applied to feeds' own HTML: real feeds refreshed from the loopback
server, then read as the reading pane reads them."""

from __future__ import annotations

from newsreader.core.library import Library
from newsreader.core.pages.content import split_feed_content
from tests.conftest import shared_path
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer


def _only_story(library: Library, server: FeedServer, path: str, body: bytes, content_type: str) -> list[int]:
    feed = library.subscribe(server.add(path, body, content_type=content_type))
    list(library.refresh())
    return [s.id for s in library.stories(feed_id=feed, limit=100, include_sponsored=True)]


def test_a_review_feeds_rel_sponsored_shop_links_leave_the_story(library: Library, server: FeedServer) -> None:
    body = shared_path("corpus", "feeds", "real", "feed-rs", "rss2", "rss_2.0_wirecutter.xml").read_bytes()
    ids = _only_story(library, server, "/wirecutter.xml", body, "application/rss+xml")
    splits = [library.story_content(i) for i in ids]
    items = [item for split in splits for item in split.sponsored]
    assert items and all(item.reason == 'The link is marked rel="sponsored".' for item in items)
    assert all(item.placement == "in-story" and item.text for item in items)
    for split in splits:
        assert "/wirecutter/out/link/" not in split.html  # the paid links are gone ...
    first = next(split for split in splits if split.sponsored)
    assert first.sponsored[0].text in first.html  # ... their words stay in the sentence


def test_a_news_feeds_ad_server_links_and_pixels_leave_the_story(library: Library, server: FeedServer) -> None:
    body = shared_path("corpus", "feeds", "real", "feedjira", "TechCrunch.xml").read_bytes()
    ids = _only_story(library, server, "/techcrunch.xml", body, "application/atom+xml")
    story = library.story(ids[0])
    assert "feedads.g.doubleclick.net" in story.content_html  # stored as the feed sent it
    split = library.story_content(ids[0])
    assert "doubleclick" not in split.html
    assert [item.reason for item in split.sponsored] == [
        "The link goes to the ad network feedads.g.doubleclick.net."
    ] * 2
    assert split.trackers >= 1 and split.ad_images >= 1
    assert story.title  # and the story's own text is still there
    assert len(split.html) > len(story.content_html) / 2


def test_links_the_user_cleared_stay_in_the_story(library: Library, server: FeedServer) -> None:
    html = '<p>Read <a href="https://shop.example/kettle" rel="sponsored">the kettle</a> review.</p>'
    item = {"title": "Kettles", "guid": "k", "link": "http://127.0.0.1:9/k", "description": html}
    [story_id] = _only_story(library, server, "/k.xml", rss([item]).encode(), "application/rss+xml")
    assert [s.href for s in library.story_content(story_id).sponsored] == ["https://shop.example/kettle"]
    library.set_link_sponsored("https://shop.example/kettle", False)
    assert library.story_content(story_id).sponsored == ()


def test_feed_html_without_paid_links_is_returned_unchanged() -> None:
    html = '<p>A <a href="https://news.example/2024/05/01/a-story">story</a> with <img src="https://img.example/a.jpg"></p>'
    assert split_feed_content(html, "https://news.example/feed").html == html
    box = '<div><p>Text of the item.</p><p><a href="https://ad.doubleclick.net/click?x=1">Sponsor</a></p></div>'
    split = split_feed_content(box, "https://news.example/feed")
    assert split.html == "<div><p>Text of the item.</p></div>"  # the box held nothing but the ad link
    assert split_feed_content("", None).sponsored == ()
