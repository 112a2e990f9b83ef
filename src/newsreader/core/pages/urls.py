"""What a link's address says: the same site or another, an article or a section front, an affiliate
or ad-network click."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlsplit

from newsreader.core.pages.dom import matches_host
from newsreader.core.pages.vocabulary import (
    AFFILIATE_HOSTS,
    AFFILIATE_PARAMS,
    AFFILIATE_VALUE,
    AMAZON_HOSTS,
    PAID_UTM,
    PAID_UTM_SOURCE,
)

_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})
NON_ARTICLE_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "topic",
        "topics",
        "category",
        "categories",
        "author",
        "authors",
        "contributor",
        "contributors",
        "people",
        "profile",
        "section",
        "search",
        "subscribe",
        "newsletter",
        "newsletters",
        "login",
        "signin",
        "register",
        "account",
        "feed",
        "rss",
        "about",
        "contact",
        "privacy",
        "terms",
        "jobs",
        "shop",
        "store",
    }
)


@lru_cache(maxsize=8192)
def split(url: str) -> SplitResult | None:
    """``urlsplit`` remembered: a page's links are asked about many times (same site? an article?
    an affiliate?); None when the address cannot be split."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def site_key(url: str) -> str:
    """The registrable part of a URL's host, approximately: ``money.cnn.com`` → ``cnn.com``,
    ``www.bbc.co.uk`` → ``bbc.co.uk`` (a public-suffix list would be exact; two- and three-label
    suffixes such as ``co.uk`` are what news sites use)."""
    parts = split(url)
    try:
        host = ((parts.hostname if parts is not None else "") or "").lower().rstrip(".")
    except ValueError:
        return ""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url: str, page_url: str) -> bool:
    return bool(page_url) and site_key(url) == site_key(page_url)


def path_of(url: str) -> str:
    parts = split(url)
    return (parts.path or "/") if parts is not None else "/"


def same_document(url: str, page_url: str) -> bool:
    """Whether *url* is the page itself (fragment, query and a trailing slash aside)."""
    a, b = split(url), split(page_url)
    if a is None or b is None:
        return False
    try:
        host_a = (a.hostname or "").removeprefix("www.")
        host_b = (b.hostname or "").removeprefix("www.")
    except ValueError:
        return False
    return host_a == host_b and a.path.rstrip("/") == b.path.rstrip("/")


_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+){2,}", re.IGNORECASE)
_NUMBER = re.compile(r"\d{4,}")


@lru_cache(maxsize=8192)
def looks_like_article(url: str) -> bool:
    """Whether the address has the shape of one story rather than a front, section, tag or author
    page: a path whose last segments carry a slug of three or more words, a long number (an id or
    a date), or a file name — and no tag/topic/author/search segment."""
    path = path_of(url)
    segments = [s for s in path.split("/") if s]
    if not segments:
        return False
    if any(s.lower() in NON_ARTICLE_SEGMENTS for s in segments[:-1] or segments):
        return False
    tail = segments[-2:]
    return any(_SLUG.search(s) or _NUMBER.search(s) or s.endswith((".html", ".htm", ".php", ".shtml")) for s in tail)


@lru_cache(maxsize=8192)
def affiliate_reason(url: str) -> str | None:
    """Why *url* earns the page money when followed, or None: an affiliate network's or ad
    server's click host, an Amazon Associates ``tag``, an affiliate id parameter, or campaign
    parameters that name a paid medium (``utm_medium=cpc``, ``utm_source=outbrain``)."""
    parts = split(url)
    if parts is None:
        return None
    try:
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if matches_host(url, AFFILIATE_HOSTS):
        return f"An affiliate or ad-network link ({host})."
    try:
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return None
    for key, value in query:
        name = key.lower()
        if name == "tag" and AMAZON_HOSTS.search(host.removeprefix("www.")) and value:
            return f"An Amazon affiliate link (tag={value})."
        if name in AFFILIATE_PARAMS and value:
            return f"An affiliate link ({key}={value[:40]})."
        if name == "utm_medium" and PAID_UTM.match(value.lower()):
            return f"A paid-campaign link (utm_medium={value})."
        if name == "utm_source" and PAID_UTM_SOURCE.match(value.lower()):
            return f"A paid-campaign link (utm_source={value})."
        if name in ("cm_mmc", "siteid", "cmpid", "affiliate") and AFFILIATE_VALUE.search(value):
            return f"An affiliate link ({key}={value[:40]})."
    return None
