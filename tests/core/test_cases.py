"""The failure cases of ``../shared/cases/`` (copied to ``tests/data/cases/``), each with its right
value, served by the loopback HTTP server and run through the real refresh."""

from __future__ import annotations

from datetime import UTC, datetime

from newsreader.core.library import Library
from tests.support.cases import CASES, serve_case
from tests.support.httpserver import FeedServer


def _refresh(library: Library, url: str) -> int:
    feed_id = library.subscribe(url)
    results = [p.result for p in library.refresh([feed_id])]
    assert [r.error for r in results] == [None]
    return feed_id


def _published(library: Library, feed_id: int) -> dict[str, str]:
    return {s.title: f"{s.published:%Y-%m-%dT%H:%M:%SZ}" for s in library.stories(feed_id=feed_id, limit=None)}


def test_date_named_zones(library: Library, server: FeedServer) -> None:
    feed_id = _refresh(library, serve_case(server, "date-named-zones")["/rss"])
    assert _published(library, feed_id) == {
        "Winter concert recording (2021)": "2022-02-11T18:58:02Z",
        "Spring lecture notes": "2025-04-21T10:00:00Z",
    }


def test_date_without_zone(library: Library, server: FeedServer) -> None:
    before = datetime.now(UTC)
    feed_id = _refresh(library, serve_case(server, "date-without-zone")["/rss/dir/getrss.php"])
    assert _published(library, feed_id) == {
        "Town museum website added": "2012-05-23T02:23:01Z",
        "County library website added": "2012-05-22T18:40:00Z",
    }
    assert all(s.published < before for s in library.stories(feed_id=feed_id))


def test_title_soft_hyphen(library: Library, server: FeedServer) -> None:
    feed_id = _refresh(library, serve_case(server, "title-soft-hyphen")["/landingpage/"])
    titles = {s.title for s in library.stories(feed_id=feed_id)}
    assert titles == {"Why does the compiler reorder my structs?", "A plain second post"}
    assert [s.title for s in library.search("compiler")] == ["Why does the compiler reorder my structs?"]


def test_items_share_link_no_guid(library: Library, server: FeedServer) -> None:
    feed_id = _refresh(library, serve_case(server, "items-share-link-no-guid")["/rss"])
    first = {s.title: s.id for s in library.stories(feed_id=feed_id, limit=None)}
    designs = {f"Tee design {name}" for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")}
    assert set(first) == designs
    library.mark_read([first["Tee design Alpha"]])
    library.mark_starred([first["Tee design Charlie"]])
    serve_case(server, "items-share-link-no-guid", "routes-later.json")
    assert [p.result.error for p in library.refresh([feed_id])] == [None]
    later = {s.title: s for s in library.stories(feed_id=feed_id, limit=None)}
    assert {title: s.id for title, s in later.items()} == first
    assert {title for title, s in later.items() if s.read} == {"Tee design Alpha"}
    assert {title for title, s in later.items() if s.starred} == {"Tee design Charlie"}
    for title, story in later.items():
        assert title.rsplit(" ", 1)[1] in library.story(story.id).summary_html


def test_opml_bare_ampersand(library: Library) -> None:
    report = library.import_opml_file(CASES / "opml-bare-ampersand" / "podcasts.opml")
    assert report.skipped == ()
    assert sorted((f.title, f.url) for f in library.feeds()) == [
        ("Drums and Bass", "http://127.0.0.1:19118/feed.php?show=drums&format=rss"),
        ("Plain Talk", "http://127.0.0.1:19118/plain.xml"),
        ("Science & Society Weekly", "http://127.0.0.1:19118/science.xml"),
    ]


def test_media_content_enclosures(library: Library, server: FeedServer) -> None:
    feed_id = _refresh(library, serve_case(server, "media-content-enclosures")["/feeds/videos/de.xml"])
    media = {
        s.title: [(e.url.rsplit("/", 1)[1], e.type) for e in library.story(s.id).enclosures]
        for s in library.stories(feed_id=feed_id)
    }
    assert media == {
        "Documentary: The river at night": [("049881-000_HQ.mp4", "video/mp4"), ("049881-000_SQ.mp4", "video/mp4")],
        "Concert: Autumn strings": [("051234-001.mp4", "video/mp4")],
    }
