"""Page analysis: HTML and its URL in, the story / related / sponsored split out. No I/O.

The page is parsed once (``source.py``). Ad slots and tracking pixels are counted and dropped
(``cleanup.py``, with the ad-blocking filter lists of ``filters.py``). Blocks are recognised by what
a reader sees and what markup says (``blocks.py``); each link is then judged sponsored
(``sponsored.py``) or related (``related.py``) with the reason. What was recognised leaves the
page, and the story is extracted from what remains, cut to the article the URL names
(``story.py``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from itertools import islice
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from newsreader.core.pages.blocks import Blocks
from newsreader.core.pages.cleanup import remove_ads
from newsreader.core.pages.dom import drop, text, tokens, unwrap
from newsreader.core.pages.filters import PageFilters, default_filters
from newsreader.core.pages.model import (
    PageAnalysis,
    PageLink,
    SponsoredLink,
    analysis_from_json,
    analysis_to_json,
)
from newsreader.core.pages.related import (
    STANDALONE,
    block_reason,
    clean_title,
    in_story_reason,
    is_headline,
    related_title,
    structured_related,
)
from newsreader.core.pages.source import MAX_LINKS, MAX_PAGE_BYTES, Page, parse
from newsreader.core.pages.sponsored import link_reason, sponsored_item
from newsreader.core.pages.story import extract_story, other_articles, story_container, story_region
from newsreader.core.pages.urls import affiliate_reason, looks_like_article, same_document, same_site, split
from newsreader.core.parse.sanitize import collapse_space

__all__ = [
    "MAX_LINKS",
    "MAX_PAGE_BYTES",
    "PageAnalysis",
    "PageLink",
    "SponsoredLink",
    "analysis_from_json",
    "analysis_to_json",
    "analyze_page",
    "link_key",
]


@lru_cache(maxsize=8192)
def link_key(href: str) -> str:
    """A link as compared for duplicates: no scheme, ``www.``, fragment, trailing slash or ``utm_*``."""
    parts = split(href)
    if parts is None:
        return href
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True) if parts.query else []
    except ValueError:
        return href
    query = [(k, v) for k, v in pairs if not k.lower().startswith("utm_")]
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("", host, path, urlencode(sorted(query)), ""))


def analyze_page(page: bytes | str, url: str | None = None, filters: PageFilters | None = None) -> PageAnalysis:
    """Split an article page into story, related links and sponsored content; counts removed ads.

    *filters* are ad-blocking lists (default: the list that ships with newsreader)."""
    rules = filters or default_filters()
    document = parse(page)
    if document is None:
        return PageAnalysis(url, "", None, None, None, "", "", None, None, (), (), 0, 0)
    pg = Page(document, url)
    structured = structured_related(document)
    ad_slots, trackers, hidden_found = remove_ads(document, pg, rules)
    hidden = dict(hidden_found)

    title = pg.meta("og:title", "twitter:title") or _first_text(document, "h1") or _first_text(document, "title")
    byline = pg.meta("author", "article:author", "byl")
    published = pg.meta("article:published_time", "date", "pubdate", "dc.date")
    lead_image = pg.absolute(pg.meta("og:image", "twitter:image"))

    story = story_container(document, set())
    below: list[tuple[str, str]] = []  # other articles shown below this one: (title, href)
    for article in other_articles(document, title or "", story):
        link = next((a for a in article.iter("a") if a.get("href") and is_headline(text(a))), None)
        href = pg.absolute(link.get("href")) if link is not None else None
        if link is not None and href:
            below.append((text(link), href))
        drop(article)
    if below:
        story = story_container(document, set())
    region = story_region(story)
    story_line = set(story.iterancestors()) | {story} if story is not None else set()
    blocks = Blocks(document, story)

    links = list(islice(document.iter("a"), MAX_LINKS))
    sponsored: list[SponsoredLink] = []
    related: list[PageLink] = []
    seen_sponsored: dict[str, int] = {}
    seen_related: dict[str, int] = {}
    leave: list[etree._Element] = []  # recognised blocks, taken out before the story is extracted
    unlink: list[etree._Element] = []  # paid links inside the story's sentences: the words stay
    for a in links:
        href = pg.absolute(a.get("href"))
        if not href:
            continue
        key = link_key(href)
        judged = link_reason(a, href, blocks, pg, rules, hidden, region)
        if judged is not None:
            reason, block = judged
            box = block if block is not None else _single_link_box(a)
            if block is None and _words_stay(a, href, box, region):
                unlink.append(a)
            else:
                leave.append(box)
            if key not in seen_sponsored:
                item = sponsored_item(a, href, reason, region)
                if item is not None and region is None and unlink and unlink[-1] is a:
                    item = replace(item, placement="in-story")  # its words stay in the text it sits in
                if item is not None:
                    seen_sponsored[key] = len(sponsored)
                    sponsored.append(item)
            continue
        if key in seen_sponsored:
            continue
        why: str | None = None
        context = blocks.context(a)
        headline, summary = related_title(a) if context is None or context[0].kind != "other" else ("", "")
        if context is not None and context[0].kind in ("related", "prevnext"):
            why = block_reason(context[0], href, pg, headline)
            if why is not None:
                leave.append(context[1])
        elif context is None or context[0].kind != "other":
            found = in_story_reason(a, href, pg, region, story)
            if found is not None:
                why = found[0]
                leave.append(found[1])
        if why is None:
            continue
        if key in seen_related:
            index = seen_related[key]
            if not is_headline(related[index].title) and is_headline(headline):
                related[index] = PageLink(headline, summary, related[index].href, related[index].reason)
            continue
        seen_related[key] = len(related)
        related.append(PageLink(headline, summary, href, why))

    # a headline standing alone in the story that goes to another site counts when the story has a
    # run of them from that site (syndicated "read more" inserts), not a single citation
    hosts = [urlsplit(r.href).hostname for r in related if r.reason == STANDALONE and not same_site(r.href, pg.url)]
    related = [
        r
        for r in related
        if r.reason != STANDALONE or same_site(r.href, pg.url) or hosts.count(urlsplit(r.href).hostname) >= 2
    ]
    seen_related = {link_key(r.href): i for i, r in enumerate(related)}
    for title_below, href in below:
        if link_key(href) not in seen_related and not same_document(href, pg.url):
            seen_related[link_key(href)] = len(related)
            related.append(PageLink(title_below, "", href, "Another article, shown below this one on the page."))
    for href in structured:
        absolute = pg.absolute(href)
        if absolute and link_key(absolute) not in seen_related and same_site(absolute, pg.url):
            seen_related[link_key(absolute)] = len(related)
            title_of = next((text(a) for a in links if pg.absolute(a.get("href")) == absolute and text(a)), absolute)
            related.append(PageLink(title_of, "", absolute, "Listed as related in the page's structured data."))

    next_link, prev_link = _step_links(links, pg, related)
    for step in (prev_link, next_link):
        if step is not None and link_key(step.href) not in seen_related and _is_story(step.href, pg):
            seen_related[link_key(step.href)] = len(related)
            related.append(PageLink(step.title, "", step.href, "The page's previous/next story."))

    # what was recognised as sponsored or related leaves the page before the story is extracted
    for el in leave:
        if el.getparent() is not None and el not in story_line and el.tag not in ("html", "body"):
            drop(el)
    for el in hidden:
        if el.getparent() is not None and el not in story_line:
            drop(el)
    for a in unlink:
        unwrap(a)
    story_html, story_text = extract_story(
        document, story if story is not None and story.getparent() is not None else None, pg, title or ""
    )
    return PageAnalysis(
        url=pg.url or None,
        title=title or "",
        byline=byline,
        published=published,
        lead_image=lead_image,
        story_html=story_html,
        story_text=story_text,
        next=next_link,
        prev=prev_link,
        related=tuple(related),
        sponsored=tuple(sponsored),
        ad_slots=ad_slots,
        trackers=trackers,
    )


def _is_story(href: str, pg: Page) -> bool:
    return same_site(href, pg.url) and not same_document(href, pg.url) and looks_like_article(href)


def _words_stay(a: etree._Element, href: str, box: etree._Element, region: etree._Element | None) -> bool:
    """Whether a paid link judged by itself loses only its link, keeping its words: a shop or
    affiliate link (``rel="sponsored"``, an affiliate address) written into a sentence, or naming
    a product in the story's own list. Its words are the writer's; a box holding an ad is not."""
    if not text(a):
        return False
    if "sponsored" not in (a.get("rel") or "").lower().split() and affiliate_reason(href) is None:
        return False
    return box is a or (region is not None and any(anc is region for anc in box.iterancestors()))


def _single_link_box(a: etree._Element) -> etree._Element:
    """The element that holds nothing but this link (an in-story promo box), else the link itself."""
    node = a
    parent = a.getparent()
    while parent is not None and parent.tag not in ("body", "html") and text(parent) == text(a):
        node, parent = parent, parent.getparent()
    return node


def _first_text(document: etree._Element, tag: str) -> str | None:
    el = next(document.iter(tag), None)
    return text(el) or None if el is not None else None


def _step_links(
    links: list[etree._Element], pg: Page, related: list[PageLink]
) -> tuple[PageLink | None, PageLink | None]:
    """The page's links to the next and previous story: ``rel``, class names or a label saying so."""
    found: dict[str, PageLink] = {}
    for a in links:
        rel = set((a.get("rel") or "").lower().split()) | tokens(a)
        start = _text_start(a)
        for direction, words in (("next", ("next",)), ("prev", ("prev", "previous"))):
            if direction in found or not (rel.intersection(words) or start.startswith(words)):
                continue
            href = pg.absolute(a.get("href"))
            if not href:
                continue
            title = next((r.title for r in related if r.href == href), None) or a.get("title") or text(a)
            found[direction] = PageLink(clean_title(collapse_space(title)), "", href, "The page's previous/next story.")
        if len(found) == 2:
            break
    return found.get("next"), found.get("prev")


def _text_start(a: etree._Element) -> str:
    """The first characters of the link's text, lower case (enough to read "previous" in it)."""
    pieces: list[str] = []
    size = 0
    for piece in a.itertext():
        pieces.append(piece)  # type: ignore[arg-type]
        size += len(piece.strip())
        if size >= 12:
            break
    return collapse_space("".join(pieces)).lower()
