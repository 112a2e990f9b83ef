"""Feed normalisation: titles, sanitised HTML, URLs, dates, ids, authors, JSON Feed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsreader.core.errors import NotAFeedError, ParseError
from newsreader.core.parse import parse_feed
from newsreader.core.parse.normalize import clean_author, repair_c1
from newsreader.core.parse.sanitize import sanitize_html, sanitized_html_to_paragraphs
from tests.support.feeds import rss

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def one(document: str | bytes, url: str = "https://site.example/blog/feed.xml", **kw: object):  # type: ignore[no-untyped-def]
    data = document.encode() if isinstance(document, str) else document
    return parse_feed(data, url, now=NOW, **kw).entries  # type: ignore[arg-type]


def test_title_markup_becomes_plain_text() -> None:
    [entry] = one(rss([{"title": "Tom &amp; Jerry <b>bold</b>  twice", "guid": "1"}]))
    assert entry.title == "Tom & Jerry bold twice"


def test_relative_urls_resolve_and_dangerous_parts_go() -> None:
    description = (
        '<p onclick="steal()">Hi <a href="../post/2">next</a> <img src="/i.png" onerror="x()">'
        '<a href="javascript:alert(1)">js</a><script>alert(1)</script><iframe src="https://ads.example"></iframe>'
        '<style>body{background:url(https://t.example/x)}</style><form action="/x"><input></form></p>'
    )
    [entry] = one(rss([{"title": "t", "guid": "1", "link": "/blog/2024/story", "description": description}]))
    html = entry.summary_html
    assert 'href="https://site.example/post/2"' in html
    assert 'src="https://site.example/i.png"' in html
    assert entry.link == "https://site.example/blog/2024/story"
    for bad in ("onclick", "onerror", "javascript:", "<script", "<iframe", "<style", "<form", "<input", "t.example"):
        assert bad not in html


def test_guid_else_link_else_hash_is_the_key() -> None:
    entries = one(rss([{"title": "a", "guid": "g-1"}, {"title": "b", "link": "https://x.example/b"}, {"title": "c"}]))
    # an RSS guid is a permalink unless it says otherwise, so it resolves like one (as in feedparser)
    assert entries[0].key == "https://site.example/blog/g-1"
    assert entries[1].key == "https://x.example/b"
    assert entries[2].key.startswith("sha1:")
    assert entries[2].key == one(rss([{"title": "c"}]))[0].key  # stable across parses


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("bob@example.com (Bob Smith)", "Bob Smith"),
        ("Bob Smith (bob@example.com)", "Bob Smith"),
        ("Bob Smith <bob@example.com>", "Bob Smith"),
        ("  Ann   Lee ", "Ann Lee"),
        ("only@example.com", "only@example.com"),
        (None, None),
    ],
)
def test_author_forms(raw: str | None, name: str | None) -> None:
    assert clean_author(raw) == name


def test_windows_1252_code_points_and_double_encoding_are_repaired() -> None:
    assert repair_c1("don\x92t") == "don’t"
    assert repair_c1("â\x80¦") == "…"
    assert repair_c1("plain") == "plain"


def test_json_feed_with_wrong_types_keeps_what_is_usable() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": ["not", "a", "string"],
        "items": [
            {"id": 7, "title": "ok", "content_html": "<p>x</p>", "tags": ["a", 3, None], "date_published": 5},
            {"id": None, "url": "https://x.example/2", "content_text": "line one\n\nline two"},
            "not an object",
            {"id": True, "title": {"nested": 1}, "attachments": [{"url": 1}, {"url": "https://x.example/a.mp3"}]},
        ],
    }
    feed = parse_feed(json.dumps(document).encode(), "https://x.example/feed.json", now=NOW)
    assert feed.title == ""
    assert [e.key for e in feed.entries[:2]] == ["7", "https://x.example/2"]
    assert feed.entries[0].categories == ("a",)
    assert feed.entries[1].content_html == "<p>line one</p><p>line two</p>"
    assert [e.url for e in feed.entries[2].enclosures] == ["https://x.example/a.mp3"]


def test_not_a_feed_and_broken_json() -> None:
    with pytest.raises(NotAFeedError, match="is a web page"):
        one("<!DOCTYPE html><html><body>hello</body></html>")
    with pytest.raises(ParseError, match="malformed"):
        one(b'{"version": "https://jsonfeed.org/version/1", "items": [', "https://x.example/f.json")


def test_atom_xml_base_and_types() -> None:
    atom = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/blog/">
    <title type="html">A &amp;lt;feed&amp;gt;</title><link href="/"/>
    <entry><id>tag:a,1</id><title type="text">1 &lt; 2</title><link href="p1"/>
    <content type="html">&lt;p&gt;&lt;a href="x"&gt;x&lt;/a&gt;&lt;/p&gt;</content>
    <published>2025-03-01T10:00:00+02:00</published><author><name>Ann</name></author>
    <category term="news"/><category term="news"/></entry></feed>"""
    feed = parse_feed(atom.encode(), "https://a.example/feed.atom", now=NOW)
    assert feed.parser == "fast" and feed.title == "A <feed>"
    [entry] = feed.entries
    assert (entry.title, entry.link, entry.author, entry.categories) == (
        "1 < 2",
        "https://a.example/blog/p1",
        "Ann",
        ("news",),
    )
    assert 'href="https://a.example/blog/x"' in entry.content_html
    assert entry.published == datetime(2025, 3, 1, 8, tzinfo=UTC)


def test_paragraph_text_for_the_terminal() -> None:
    assert sanitized_html_to_paragraphs("<p>One &amp; two</p><p>Three<br>four</p>") == "One & two\n\nThree\n\nfour"


FORBIDDEN_TAGS = re.compile(r"<\s*(script|style|iframe|object|embed|form|input|svg|math|link|meta|base)\b", re.I)
FORBIDDEN_ATTRS = re.compile(r"\s(on\w+|style|srcdoc|formaction)\s*=", re.I)
FORBIDDEN_URLS = re.compile(r"(href|src)\s*=\s*\"\s*(javascript|data|file|vbscript):", re.I)

html_pieces = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>', "<svg onload=alert(1)><circle/></svg>", "<style>*{}</style>",
    '<iframe srcdoc="<script>1</script>"></iframe>', '<form action="x"><button formaction="y">b</button></form>',
    '<img src="data:image/svg+xml;base64,AAAA">', '<a href="file:///etc/passwd">f</a>', "<p style='x:y'>s</p>",
    "<math><mi>x</mi></math>", '<base href="https://evil.example/">', '<meta http-equiv="refresh" content="0">',
    "<p>text</p>", "<b>bold", "</div>", "<!-- c -->", "&lt;script&gt;", "<", ">", '"', "<object data=x>",
    '<link rel="stylesheet" href="https://evil.example/x.css">', "<div><p>nested</div></p>", "plain words",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(html_pieces, min_size=1, max_size=12), st.sampled_from([None, "https://b.example/dir/"]))
def test_sanitiser_output_never_contains_a_forbidden_element_attribute_or_url(
    pieces: list[str], base: str | None
) -> None:
    cleaned = sanitize_html("".join(pieces), base)
    assert not FORBIDDEN_TAGS.search(cleaned), cleaned
    assert not FORBIDDEN_ATTRS.search(cleaned), cleaned
    assert not FORBIDDEN_URLS.search(cleaned), cleaned
    assert sanitize_html(cleaned, base) == cleaned  # idempotent
