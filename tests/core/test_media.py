"""Media an item carries: RSS <enclosure>, Atom enclosure links, Media RSS (media:content alone or in
media:group, with MIME or bare-extension types) and the podcast namespace, the same from both parsers."""

from __future__ import annotations

import pytest

from newsreader.core.models import Enclosure
from newsreader.core.parse import parse_feed
from newsreader.core.parse.media import enclosure_type

URL = "http://127.0.0.1:9/feed.xml"
MRSS = 'xmlns:media="http://search.yahoo.com/mrss/"'
PODCAST = 'xmlns:podcast="https://podcastindex.org/namespace/1.0"'


def _rss(item: str, namespaces: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {namespaces}><channel><title>T</title>'
        f"<link>http://127.0.0.1:9/</link><item><title>Episode</title><guid>e1</guid>{item}</item></channel></rss>"
    ).encode()


def _both(document: bytes) -> tuple[Enclosure, ...]:
    fast = parse_feed(document, URL)
    reference = parse_feed(document, URL, fast=False)
    assert fast.entries[0].enclosures == reference.entries[0].enclosures
    return fast.entries[0].enclosures


@pytest.mark.parametrize(
    ("item", "namespaces", "expected"),
    [
        (
            '<enclosure url="/ep1.mp3" type="audio/MPEG" length="1234"/>',
            "",
            [("http://127.0.0.1:9/ep1.mp3", "audio/mpeg", 1234)],
        ),
        (
            '<enclosure url="http://127.0.0.1:9/ep1.m4a" type="" length=""/>',
            "",
            [("http://127.0.0.1:9/ep1.m4a", "audio/mp4", None)],
        ),
        (
            '<media:content url="http://127.0.0.1:9/v.mp4" type="mp4" medium="video"/>',
            MRSS,
            [("http://127.0.0.1:9/v.mp4", "video/mp4", None)],
        ),
        (
            '<media:content url="http://127.0.0.1:9/talk" medium="audio" fileSize="99"/>',
            MRSS,
            [("http://127.0.0.1:9/talk", None, 99)],
        ),
        (
            '<media:group><media:content url="http://127.0.0.1:9/hq.webm" type="video/webm"/>'
            '<media:content url="http://127.0.0.1:9/lq.ogv"/></media:group>'
            '<media:thumbnail url="http://127.0.0.1:9/t.jpg"/>',
            MRSS,
            [("http://127.0.0.1:9/hq.webm", "video/webm", None), ("http://127.0.0.1:9/lq.ogv", "video/ogg", None)],
        ),
        (
            '<enclosure url="http://127.0.0.1:9/a.mp3" type="audio/mpeg" length="10"/>'
            '<media:content url="http://127.0.0.1:9/a.mp3" type="audio/mpeg"/>',
            MRSS,
            [("http://127.0.0.1:9/a.mp3", "audio/mpeg", 10)],
        ),
        (
            '<enclosure url="http://127.0.0.1:9/a.mp3" type="audio/mpeg" length="10"/>'
            '<podcast:alternateEnclosure type="audio/opus" length="7" default="false">'
            '<podcast:source uri="http://127.0.0.1:9/a.opus"/><podcast:source uri="ipfs://Qm123"/>'
            "</podcast:alternateEnclosure>",
            PODCAST,
            [("http://127.0.0.1:9/a.mp3", "audio/mpeg", 10), ("http://127.0.0.1:9/a.opus", "audio/opus", 7)],
        ),
    ],
)
def test_media_forms(item: str, namespaces: str, expected: list[tuple[str, str | None, int | None]]) -> None:
    assert [(e.url, e.type, e.length) for e in _both(_rss(item, namespaces))] == expected


def test_atom_enclosure_links_and_media_groups() -> None:
    document = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'{MRSS}><title>T</title><link href="http://127.0.0.1:9/"/><id>urn:f</id>'
        "<updated>2025-01-01T00:00:00Z</updated><entry><id>urn:e</id><title>E</title>"
        '<updated>2025-01-01T00:00:00Z</updated><link href="http://127.0.0.1:9/e"/>'
        '<link rel="enclosure" href="http://127.0.0.1:9/e.mp3" type="audio/mpeg" length="5"/>'
        '<media:group><media:title>E</media:title><media:content url="http://127.0.0.1:9/e.mp4" type="video/mp4"/>'
        "</media:group></entry></feed>"
    ).encode()
    enclosures = _both(document)
    assert [(e.url, e.type) for e in enclosures] == [
        ("http://127.0.0.1:9/e.mp3", "audio/mpeg"),
        ("http://127.0.0.1:9/e.mp4", "video/mp4"),
    ]


def test_media_of_a_feed_that_is_not_well_formed() -> None:
    """feedparser reads the broken document; the media still come from the right item."""
    document = _rss(
        '<description>Caf&eacute;</description><media:content url="http://127.0.0.1:9/1.mp4" type="mp4"/>', MRSS
    ).replace(
        b"</channel>",
        b'<item><title>Two</title><guid>e2</guid><media:content url="http://127.0.0.1:9/2.mp3"/></item></channel>',
    )
    feed = parse_feed(document, URL)
    assert feed.parser == "feedparser"
    assert [[(e.url, e.type) for e in entry.enclosures] for entry in feed.entries] == [
        [("http://127.0.0.1:9/1.mp4", "video/mp4")],
        [("http://127.0.0.1:9/2.mp3", "audio/mpeg")],
    ]


@pytest.mark.parametrize(
    ("declared", "url", "expected"),
    [
        ("video/MP4; codecs=avc1", None, "video/mp4"),
        ("mp4", None, "video/mp4"),
        (".MP3", None, "audio/mpeg"),
        ("audio", "http://x.example/a.m4b?dl=1", "audio/mp4"),
        (None, "http://x.example/file.pdf", "application/pdf"),
        (None, "http://x.example/watch", None),
        ("", "http://x.example/dir.v2/", None),
    ],
)
def test_enclosure_types(declared: str | None, url: str | None, expected: str | None) -> None:
    assert enclosure_type(declared, url) == expected
