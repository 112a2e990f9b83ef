"""Plain-text fields (titles, authors, categories, the feed's title) come out as the text a reader
sees, in every format: character references decoded, invisible characters that split words gone, so
that the search index finds the words."""

from __future__ import annotations

import json

import pytest

from newsreader.core.library import Library
from newsreader.core.parse import parse_feed
from newsreader.core.parse.sanitize import collapse_space, html_to_text, plain_text
from tests.support.httpserver import FeedServer

URL = "http://127.0.0.1:9/feed"
TITLE = "Why does the compiler reorder my structs?"


def _rss(title: str, author: str = "Ann", category: str = "Tech") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Notes</title>'
        f"<link>http://127.0.0.1:9/</link><item><title>{title}</title><guid>g</guid>"
        f"<author>{author}</author><category>{category}</category><description>x</description></item>"
        "</channel></rss>"
    ).encode()


def _atom(title: str, kind: str = "text") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title>'
        '<link href="http://127.0.0.1:9/"/><id>urn:f</id><updated>2025-01-01T00:00:00Z</updated>'
        f'<entry><id>urn:e</id><title type="{kind}">{title}</title><updated>2025-01-01T00:00:00Z</updated>'
        '<link href="http://127.0.0.1:9/e"/></entry></feed>'
    ).encode()


def _json(title: str, author: str = "Ann", tag: str = "Tech") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Notes &amp; Queries",
            "items": [{"id": "1", "title": title, "authors": [{"name": author}], "tags": [tag], "content_text": "x"}],
        }
    ).encode()


@pytest.mark.parametrize(
    "document",
    [
        _rss("Why does the com&amp;shy;piler reorder my &lt;code&gt;struct&lt;/code&gt;&amp;shy;s?"),
        _rss("Why does the com\u00adpiler reorder my structs?"),
        _rss("Why does the com&#173;piler reorder my struct&#xAD;s?"),
        _rss("Why does the com\u200bpiler reorder my\u00a0structs?"),
        _rss("<![CDATA[Why does the com&shy;piler reorder my <code>struct</code>&shy;s?]]>"),
        _atom("Why does the com\u00adpiler reorder my structs?"),
        _atom("Why does the com&amp;shy;piler reorder my structs?"),
        _atom("Why does the com&amp;shy;piler reorder my &lt;code&gt;struct&lt;/code&gt;s?", kind="html"),
        _json("Why does the com&shy;piler reorder my structs?"),
        _json("Why does the com\u00adpiler reorder\u2060 my structs?\ufeff"),
    ],
)
def test_titles_are_clean_in_every_format(document: bytes) -> None:
    for fast in (True, False):
        if document.startswith(b"{") and not fast:
            continue
        feed = parse_feed(document, URL, fast=fast)
        assert feed.entries[0].title == TITLE


@pytest.mark.parametrize(
    "document",
    [
        _rss("t", author="Tom &amp;amp; Jerry", category="Q&amp;amp;A\u00ad"),
        _json("t", author="Tom &amp; Jerry", tag="Q&amp;A"),
    ],
)
def test_authors_and_categories_are_clean(document: bytes) -> None:
    entry = parse_feed(document, URL).entries[0]
    assert entry.author == "Tom & Jerry"
    assert entry.categories == ("Q&A",)


def test_json_feed_title_is_decoded() -> None:
    assert parse_feed(_json("t"), URL).title == "Notes & Queries"


def test_body_text_for_the_index_drops_invisible_characters() -> None:
    document = _rss("t").replace(
        b"<description>x</description>", "<description>a com\u00adpiler&#8203;s job</description>".encode()
    )
    assert parse_feed(document, URL).entries[0].text == "a compilers job"


def test_joiners_that_shape_words_and_emoji_stay() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert plain_text(persian) == persian
    assert collapse_space(family) == family
    assert html_to_text("<b>a\u00adb</b> &amp; c") == "ab & c"


def test_search_finds_the_words_a_reader_sees(library: Library, server: FeedServer) -> None:
    body = _rss("Why does the com&amp;shy;piler reorder my structs?").replace(
        b"<description>x</description>", "<description>Zero\u200bwidth spaces split words.</description>".encode()
    )
    feed_id = library.subscribe(server.add("/notes.xml", body))
    assert [p.result.error for p in library.refresh([feed_id])] == [None]
    assert [s.title for s in library.search("compiler")] == [TITLE]
    assert [s.title for s in library.search("zerowidth")] == [TITLE]


def test_plain_text_bodies_are_decoded_too() -> None:
    document = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "items": [{"id": "1", "title": "t", "content_text": "Tom &amp; Jerry &lt;3\n\nSecond&nbsp;part"}],
        }
    ).encode()
    entry = parse_feed(document, URL).entries[0]
    assert entry.content_html == "<p>Tom &amp; Jerry &lt;3</p><p>Second&nbsp;part</p>"
    assert entry.text == "Tom & Jerry <3 Second part"
