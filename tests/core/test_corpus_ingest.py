"""Every feed in ../shared/corpus/feeds/ goes through the real refresh path without an exception."""

from __future__ import annotations

import gzip

import pytest

from newsreader.core.library import Library
from newsreader.core.models import RefreshStatus
from tests.conftest import shared_path
from tests.core.test_parse_differential import feed_files
from tests.support.httpserver import FeedServer

# stories stored for a sample: the number of <item>/<entry> elements (grep) or JSON items in each file
EXPECTED_COUNTS = {
    "real/feedjira/TechCrunch.xml": 20,
    "real/feed-rs/jsonfeed/jsonfeed_elastic_1.1.json": 3,
    "real/rsparser/rose.json": 84,
    "real/rss-parser/giantbomb-podcast.rss": 730,
    "real/simplepie/feed-utf16be.xml": 1,
    "real/miniflux/encoding_WINDOWS-1251.xml": 50,
    "real/feedjira/SamRuby.xml": 20,
    "real/feed-rs/rss1/rss_1.0_debian.xml": 1,
    "real/rsparser/russcox.atom": 19,
}


def test_every_corpus_feed_is_ingested(library: Library, server: FeedServer) -> None:
    root = shared_path("corpus", "feeds")
    ids: dict[int, str] = {}
    for path in feed_files(root):
        rel = str(path.relative_to(root))
        data = path.read_bytes()
        options: dict[str, object] = {"content_type": "application/xml", "etag": False}
        if data[:2] == b"\x1f\x8b":
            options["headers"] = {"Content-Encoding": "gzip"}
        url = server.add("/" + rel, data, **options)
        ids[library.subscribe(url)] = rel
    results = {p.result.feed_id: p.result for p in library.refresh(workers=8)}
    assert len(results) == len(ids)
    failures = {ids[i]: r.error for i, r in results.items() if r.status is RefreshStatus.FAILED}
    # a failure must be a clear sentence about that feed, never an unexpected exception
    for rel, error in failures.items():
        assert error and error.endswith(".") and "Traceback" not in error, rel
    real_failures = {rel for rel in failures if rel.startswith("real/")}
    assert real_failures <= {
        "real/node-feedparser/notafeed.html",
        "real/rsparser/allthis-partial.json",
    }, real_failures
    by_path = {rel: library.feed(i).total for i, rel in ids.items()}
    for rel, count in EXPECTED_COUNTS.items():
        assert by_path[rel] == count, rel
    assert library.check_integrity()


def test_gzip_file_on_disk_is_served_and_read(library: Library, server: FeedServer) -> None:
    path = shared_path("corpus", "feeds", "real", "node-feedparser", "compressed.xml")
    data = path.read_bytes()
    assert gzip.decompress(data)
    url = server.add("/compressed.xml", data, headers={"Content-Encoding": "gzip"}, etag=False)
    feed_id = library.subscribe(url)
    result = next(iter(library.refresh([feed_id]))).result
    assert result.status is RefreshStatus.UPDATED
    assert library.feed(feed_id).total > 0


@pytest.mark.parametrize("name", ["feed-utf16be.xml", "feed-utf16le.xml"])
def test_utf16_without_bom(library: Library, server: FeedServer, name: str) -> None:
    data = shared_path("corpus", "feeds", "real", "simplepie", name).read_bytes()
    feed_id = library.subscribe(server.add("/" + name, data, content_type="application/xml"))
    next(iter(library.refresh([feed_id])))
    titles = [s.title for s in library.stories(feed_id=feed_id, limit=None)]
    assert titles and all(t.isprintable() and "\x00" not in t for t in titles)
