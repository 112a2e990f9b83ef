"""Feed autodiscovery: the feeds a web page offers (pure: HTML in, candidates out)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from newsreader.core.models import DiscoveredFeed

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/feed+json": "json",
    "application/json": "json",
    "application/x.atom+xml": "atom",
    "application/x-atom+xml": "atom",
    "text/xml": None,
    "application/xml": None,
}
COMMON_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
)


def looks_like_html(body: bytes) -> bool:
    """Whether a response body is an HTML page rather than a feed."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or (b"<html" in head and b"<rss" not in head)


def discover_feeds(page: bytes, page_url: str) -> list[DiscoveredFeed]:
    """Feeds announced by ``<link rel="alternate" type="…">`` in the page, in page order, deduplicated."""
    try:
        document = lxml_html.document_fromstring(page[: 2 * 1024 * 1024])
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return []
    base = page_url
    base_el = document.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(page_url, base_el.get("href", "").strip())
    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for link in document.iter("link"):
        rels = {r.lower() for r in (link.get("rel") or "").split()}
        mime = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rels or mime not in FEED_TYPES or not href:
            continue
        if (
            mime in ("text/xml", "application/xml", "application/json")
            and "feed" not in href.lower()
            and ("rss" not in href.lower())
        ):
            continue
        url = urljoin(base, href)
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        title = (link.get("title") or "").strip() or None
        found.append(DiscoveredFeed(url=url, title=title, format=FEED_TYPES[mime]))
    return found


def common_feed_urls(page_url: str) -> list[str]:
    """Addresses where sites often put their feed, to try when a page announces none."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}"
    return [root + path for path in COMMON_PATHS]
