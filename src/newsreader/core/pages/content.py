"""The story / sponsored split applied to a feed item's own HTML (no article page needed).

Feeds carry what their pages carry: links through ad servers, tracking pixels, shop links marked
``rel="sponsored"``, affiliate links. :func:`split_feed_content` takes them out of the story the
reader sees and lists each link with its reason, as page analysis does for a page: a paragraph or
box that holds nothing but the paid link goes; a paid link inside a sentence keeps its words and
loses the link; pixels go. The HTML given is already sanitised (stories are sanitised at refresh);
what comes back is the same HTML minus those parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from newsreader.core.pages.cleanup import AD_HOSTS, TRACKER_HOSTS
from newsreader.core.pages.dom import drop, is_pixel, link_text, matches_host, text, unwrap
from newsreader.core.pages.filters import PageFilters, default_filters
from newsreader.core.pages.model import SponsoredLink
from newsreader.core.pages.urls import affiliate_reason
from newsreader.core.parse.sanitize import SPONSORED_MARK

MAX_CONTENT_CHARS = 2_000_000
"""Feed HTML beyond this is left as it is (the refresh already capped it; this bounds the work)."""
MAX_CONTENT_LINKS = 2_000


@dataclass(frozen=True, slots=True)
class FeedContent:
    """A feed item's HTML with paid links and pixels taken out, the links as sponsored items
    (placement ``in-story``), and how many tracking pixels and ad images went."""

    html: str
    sponsored: tuple[SponsoredLink, ...]
    trackers: int
    ad_images: int = 0


def split_feed_content(html: str, base_url: str | None = None, filters: PageFilters | None = None) -> FeedContent:
    """Split a feed item's HTML into the story and its sponsored links (see the module docstring)."""
    if not html.strip() or len(html) > MAX_CONTENT_CHARS:
        return FeedContent(html, (), 0)
    rules = filters or default_filters()
    ad_images = 0
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return FeedContent(html, (), 0)
    page = base_url or None
    trackers = 0
    changed = False
    for img in list(root.iter("img")):
        src = _absolute(img.get("src"), base_url)
        if is_pixel(img) or (src and matches_host(src, TRACKER_HOSTS)):
            trackers += 1
        elif src and (matches_host(src, AD_HOSTS) or rules.blocks(src, page, "image")):
            ad_images += 1
        else:
            continue
        drop(img)
        changed = True
    items: list[SponsoredLink] = []
    seen: set[str] = set()
    for a in list(islice(root.iter("a"), MAX_CONTENT_LINKS)):
        href = _absolute(a.get("href"), base_url)
        if not href or a.getparent() is None:
            continue
        reason = _reason(a, href, page, rules)
        if reason is None:
            continue
        words = link_text(a) or f"An ad from {urlsplit(href).hostname}"
        if href not in seen:
            seen.add(href)
            items.append(SponsoredLink(words, "", href, "in-story", reason))
        _take_out(a)
        changed = True
    if not changed:
        return FeedContent(html, (), 0)
    inner = (root.text or "") + "".join(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return FeedContent(inner, tuple(items), trackers, ad_images)


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    try:
        url = urljoin(base or "", href.strip())
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _reason(a: etree._Element, href: str, page: str | None, rules: PageFilters) -> str | None:
    if "sponsored" in (a.get("rel") or "").lower().split() or a.get("class") == SPONSORED_MARK:
        return 'The link is marked rel="sponsored".'
    why = affiliate_reason(href)
    if why:
        return why
    if matches_host(href, AD_HOSTS):
        return f"The link goes to the ad network {urlsplit(href).hostname}."
    if rules.blocks(href, page, "other"):
        return f"The link goes to {urlsplit(href).hostname}, an ad server by the ad-blocking rules."
    return None


def _take_out(a: etree._Element) -> None:
    """Drop the box that holds nothing but this link; inside a sentence keep the words, lose the link."""
    node = a
    parent = a.getparent()
    while parent is not None and parent.getparent() is not None and text(parent) == text(a):
        node, parent = parent, parent.getparent()
    if node is not a or not text(a):
        drop(node)
    else:
        unwrap(a)
