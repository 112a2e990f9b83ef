"""Ad slots and tracking pixels: counted and taken out of the page before anything else is read.

Containers whose class/id tokens mark ad slots, scripts/iframes/objects from ad networks or blocked
by the filter lists' network rules, 0×0/1×1 images and tracker images. Element-hiding rules
(``filters.py``) make matching elements ad slots when they hold no link text, and paid placements
— returned, to be listed as sponsored with the rule as the reason — when they do.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import islice

from cssselect import GenericTranslator, SelectorError
from lxml import etree

from newsreader.core.pages.dom import drop, is_pixel, matches_host, text
from newsreader.core.pages.filters import PageFilters
from newsreader.core.pages.source import Page

AD_TOKENS = frozenset(
    {
        "ad",
        "ads",
        "adun",
        "adunit",
        "ad-unit",
        "adslot",
        "ad-slot",
        "advert",
        "adverts",
        "advertisement",
        "dfp",
        "gpt-ad",
        "mpu",
        "leaderboard",
        "skyscraper",
        "banner-ad",
        "ad-container",
        "adsbygoogle",
        "sponsor-ad",
    }
)
AD_HOSTS = (
    "doubleclick.net",
    "googlesyndication.com",
    "googleadservices.com",
    "adnxs.com",
    "amazon-adsystem.com",
    "criteo.com",
    "taboola.com",
    "outbrain.com",
    "adzerk.net",
    "pubmatic.com",
    "rubiconproject.com",
    "openx.net",
    "moatads.com",
    "advertising.com",
)
TRACKER_HOSTS = (
    "quantserve.com",
    "scorecardresearch.com",
    "google-analytics.com",
    "chartbeat.net",
    "facebook.com/tr",
    "pixel.",
    "omtrdc.net",
    "2o7.net",
    "hotjar.com",
    "newrelic.com",
)
_REQUEST_KINDS = {"script": "script", "iframe": "subdocument", "object": "object", "embed": "object", "img": "image"}
_NAMED = etree.XPath("//*[@class or @id]")
MAX_HIDING_SELECTORS = 500
"""Element-hiding selectors evaluated on one page (each is a pass over the tree)."""


def remove_ads(
    document: etree._Element, pg: Page, rules: PageFilters
) -> tuple[int, int, list[tuple[etree._Element, str]]]:
    """Take ad slots, trackers, scripts and styles out of *document*; returns (ad slots, tracking
    pixels, elements hidden by the lists that hold links with the selector that hid them)."""
    ad_slots = trackers = 0
    classes: set[str] = set()  # the page's class names and ids, for the lists' element-hiding rules
    ids: set[str] = set()
    named: list[etree._Element] = _NAMED(document)  # type: ignore[assignment]
    for el in named:
        names = el.get("class")
        identifier = el.get("id")
        if not names and not identifier:
            continue
        if names:
            classes.update(names.split())
        if identifier:
            ids.add(identifier)
        # containers that sites mark as ad slots: one slot each, whatever they hold
        if (
            el.getparent() is not None
            and el.tag not in ("html", "body")
            and not AD_TOKENS.isdisjoint(f"{names or ''} {identifier or ''}".lower().split())
            and len(text(el)) < 200
        ):
            ad_slots += 1
            drop(el)
    for el in list(document.iter("script", "style", "noscript", "template", "iframe", "img", "object", "embed")):
        if el.getparent() is None:
            continue
        src = el.get("src") or el.get("data") or ""
        absolute = pg.absolute(src) or src
        kind = _REQUEST_KINDS.get(str(el.tag))
        blocked = bool(src) and kind is not None and rules.blocks(absolute, pg.url or None, kind)
        if el.tag in ("script", "iframe", "object", "embed") and src and (blocked or matches_host(absolute, AD_HOSTS)):
            ad_slots += 1
            drop(el)
        elif el.tag == "img" and (is_pixel(el) or (src and matches_host(absolute, TRACKER_HOSTS))):
            trackers += 1
            drop(el)
        elif el.tag == "img" and blocked:
            ad_slots += 1
            drop(el)
        elif el.tag in ("script", "style", "noscript", "template"):
            drop(el)
    hidden: list[tuple[etree._Element, str]] = []
    for el, selector in _hidden_elements(document, rules, pg.url or None, classes, ids):
        if el.getparent() is None or holds_story(el):
            continue
        if any(a.get("href") and text(a) for a in el.iter("a")):
            if not any(el in b.iterancestors() for b, _ in hidden):
                hidden.append((el, selector))
        else:
            ad_slots += 1
            drop(el)
    return ad_slots, trackers, hidden


@lru_cache(maxsize=4096)
def _selector_xpath(selector: str) -> etree.XPath | None:
    """A CSS selector compiled for lxml, or None when cssselect cannot read it (procedural rules)."""
    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError, ValueError):
        return None


def _hidden_elements(
    document: etree._Element, rules: PageFilters, url: str | None, classes: set[str], ids: set[str]
) -> list[tuple[etree._Element, str]]:
    """Elements the element-hiding rules hide on this page, with the selector that matched
    (*classes* and *ids*: those found on the page, which decide the generic rules that apply)."""
    found: list[tuple[etree._Element, str]] = []
    seen: set[etree._Element] = set()
    for selector in rules.hidden_selectors(url, classes, ids)[:MAX_HIDING_SELECTORS]:
        xpath = _selector_xpath(selector)
        if xpath is None:
            continue
        matches = xpath(document)
        for match in matches if isinstance(matches, list) else ():
            if isinstance(match, etree._Element) and match.tag not in ("html", "body") and match not in seen:
                seen.add(match)
                found.append((match, selector))
    return found


def holds_story(el: etree._Element) -> bool:
    """A matched element with this much paragraph text is the story, not an ad (a rule too broad)."""
    return sum(len(text(p)) for p in islice(el.iter("p"), 50)) > 600
