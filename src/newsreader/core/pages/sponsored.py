"""Sponsored items: which links on the page are paid, promoted, partner or affiliate material, and why.

Signals, strongest first: ``rel="sponsored"``; a label in the link's own text ("… - PR -"); the
block the link sits in (a heading or item label such as "Sponsored", "Paid Partner", "From our
sponsors", "Anzeige", a recommendation widget's markup — ``blocks.py``); an element the ad-blocking
lists hide; the address itself (an affiliate network or ad server, an Amazon Associates tag, an
affiliate id, a paid ``utm_medium``, a sponsored-content path); a purchase button in the article
("Buy now", "Get it on Amazon for $58.99"); a host the lists block.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from newsreader.core.pages.blocks import Blocks
from newsreader.core.pages.cleanup import AD_HOSTS
from newsreader.core.pages.dom import link_parts, link_text, matches_host, tokens
from newsreader.core.pages.filters import PageFilters
from newsreader.core.pages.model import SponsoredLink
from newsreader.core.pages.source import Page
from newsreader.core.pages.story import is_chrome
from newsreader.core.pages.urls import affiliate_reason, looks_like_article, path_of, same_document, same_site
from newsreader.core.pages.vocabulary import COMMERCE_TEXT, DISCLOSURE_TEXT, SPONSORED_PATH, normalise_label

SIDEBAR_TOKENS = frozenset(
    {"sidebar", "side", "rail", "right-col", "right_col", "rightcol", "aside", "secondary", "right", "col-right"}
)
_WORD = re.compile(r"\w")
FOOTER_TOKENS = frozenset({"footer", "foot", "bottom"})
_TEXT_LABEL = re.compile(
    r"[\s\-–—|(\[【](?:PR|[Ss]ponsored|SPONSORED|[Aa]nzeige|ANZEIGE|[Pp]romoted|[Aa]dvertorial|広告)[\s\-–—|)\]】]*$"
)


def _text_label(title: str) -> bool:
    """A label closing the link's own text after some words ("Free trial - PR -", "… [Anzeige]")."""
    word = _WORD.search(title)
    return word is not None and _TEXT_LABEL.search(title, word.end()) is not None


def placement(el: etree._Element, region: etree._Element | None) -> str:
    """``in-story`` inside the story's article, ``sidebar`` / ``footer`` by the enclosing element, else ``page``."""
    node: etree._Element | None = el
    while node is not None:
        if region is not None and node is region:
            return "in-story"
        found = tokens(node)
        if node.tag == "aside" or found & SIDEBAR_TOKENS or any(t.startswith(("sidebar", "rail")) for t in found):
            return "sidebar"
        if node.tag == "footer" or found & FOOTER_TOKENS:
            return "footer"
        node = node.getparent()
    return "page"


def link_reason(
    a: etree._Element,
    href: str,
    blocks: Blocks,
    pg: Page,
    rules: PageFilters,
    hidden: dict[etree._Element, str],
    region: etree._Element | None = None,
) -> tuple[str, etree._Element | None] | None:
    """Why the link is sponsored and the block that says so (None for a link judged alone), or None.
    *region* is the story's article, where a purchase button ("Buy now") marks a shop link."""
    rel = (a.get("rel") or "").lower().split()
    if "sponsored" in rel:
        return 'The link is marked rel="sponsored".', None
    title = link_text(a)
    if _text_label(title):
        return f"Labelled in its text (“{title[-20:].strip()}”).", None
    context = blocks.context(a)
    if context is not None and context[0].kind in ("sponsored", "adlabel"):
        label, scope = context
        if _is_disclosure(title, href, pg):
            return None
        offsite = not same_site(href, pg.url)
        if label.kind == "adlabel" and not (offsite and blocks.is_card(scope)):
            return None
        if label.source != "markup" or offsite:
            return label.reason(), scope
    for anc in a.iterancestors():
        selector = hidden.get(anc)
        if selector is not None:
            return f"Hidden by the ad-blocking rule “{selector}”.", anc
    why = affiliate_reason(href)
    if why:
        return why, None
    if SPONSORED_PATH.search(urlsplit(href).hostname or "") or (
        SPONSORED_PATH.search(path_of(href)) and looks_like_article(href)
    ):
        return f"The link goes to sponsored content ({urlsplit(href).hostname}).", None
    if region is not None and COMMERCE_TEXT.match(normalise_label(title)) and _in_article(a, region):
        return f"A shop button (“{title[:40]}”).", None
    if matches_host(href, AD_HOSTS):
        return f"The link goes to the ad network {urlsplit(href).hostname}.", None
    if rules.blocks(href, pg.url or None, "other"):
        return f"The link goes to {urlsplit(href).hostname}, an ad server by the ad-blocking rules.", None
    return None


def _in_article(a: etree._Element, region: etree._Element) -> bool:
    """Inside the story's article and not in a header, menu, rail or footer (a purchase button there
    sells the site itself: a subscription)."""
    for anc in a.iterancestors():
        if anc is region:
            return True
        if is_chrome(anc):
            return False
    return False


def _is_disclosure(title: str, href: str, pg: Page) -> bool:
    """A widget's own links ("AdChoices", "by Taboola", its logo) and links back to the site's front
    page or to the page itself are not items."""
    if not title or DISCLOSURE_TEXT.match(normalise_label(title)) or same_document(href, pg.url):
        return True
    return path_of(href) in ("", "/") and (same_document(href, pg.url) or _same_host(href, pg.url))


def _same_host(a: str, b: str) -> bool:
    try:
        return (urlsplit(a).hostname or "").removeprefix("www.") == (urlsplit(b).hostname or "").removeprefix("www.")
    except ValueError:
        return False


def sponsored_item(a: etree._Element, href: str, reason: str, region: etree._Element | None) -> SponsoredLink | None:
    text, summary = link_parts(a)
    if not text:
        return None
    return SponsoredLink(text, summary, href, placement(a, region), reason)
