"""Small feed documents for tests."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape


def rss(items: Sequence[dict[str, str]], title: str = "Test feed", link: str = "http://127.0.0.1:9/") -> str:
    """An RSS 2.0 document; each item dict may hold title, link, guid, description, pubDate, author, category."""
    body = []
    for item in items:
        parts = []
        for key in ("title", "link", "guid", "description", "pubDate", "author", "category"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        body.append("<item>" + "".join(parts) + "</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{escape(link)}</link>{''.join(body)}</channel></rss>"
    )


def simple_rss(n: int, prefix: str = "story", title: str = "Test feed") -> str:
    """A feed of *n* distinct items with guids ``{prefix}-{i}``."""
    return rss(
        [
            {
                "title": f"{prefix} number {i}",
                "link": f"http://127.0.0.1:9/{prefix}/{i}",
                "guid": f"{prefix}-{i}",
                "description": f"<p>Body of {prefix} {i} about zebras.</p>",
                "pubDate": f"Mon, {1 + i % 28:02d} Jun 2025 10:00:00 GMT",
            }
            for i in range(n)
        ],
        title=title,
    )


HTML_PAGE_WITH_FEEDS = """<!doctype html><html><head><title>A site</title>
<link rel="alternate" type="application/rss+xml" title="Main feed" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.atom">
</head><body><p>Hello</p></body></html>"""

HTML_PAGE_ONE_FEED = """<!doctype html><html><head><title>A site</title>
<link rel="alternate" type="application/rss+xml" title="Main feed" href="/feed.xml">
</head><body><p>Hello</p></body></html>"""
