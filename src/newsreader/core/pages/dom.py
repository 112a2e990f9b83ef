"""Small questions asked of the page tree: an element's text, class words and headings, a link's title."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newsreader.core.parse.sanitize import collapse_space

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "dd", "dt", "blockquote", "section", "article", "td"}
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def drop(el: Any) -> None:
    """Remove an element with its content, keeping the text that follows it (no-op once detached)."""
    if el.getparent() is not None:
        el.drop_tree()


def unwrap(el: Any) -> None:
    """Remove an element's tag, keeping its text and children in place."""
    if el.getparent() is not None:
        el.drop_tag()


def tokens(el: etree._Element) -> set[str]:
    """The element's class names and id, lower case."""
    value = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return {t for t in value.split() if t}


def class_words(el: etree._Element) -> tuple[str, ...]:
    """The words of the element's class names, id and ``data-component``: ``ReadThisNext__Wrapper``
    gives ``read this next wrapper``; each name is one run of words, names separated by ``|``."""
    names = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('data-component') or ''}".split()
    out: list[str] = []
    for name in names[:12]:
        words = [w for w in _WORD_SPLIT.split(_CAMEL.sub(" ", name).lower()) if w]
        if words:
            out += [*words, "|"]
    return tuple(out)


def text(el: etree._Element) -> str:
    """The element's text, whitespace collapsed; "" for a comment or processing instruction (a
    sibling walk meets them among the elements, and lxml cannot iterate their text)."""
    if isinstance(el, etree._Comment | etree._ProcessingInstruction):
        return ""
    return collapse_space("".join(el.itertext()))  # type: ignore[arg-type]


def short_text(el: etree._Element, limit: int) -> str | None:
    """The element's text when it is at most *limit* characters, else None (cheap on big elements);
    "" for a comment or processing instruction, as :func:`text`."""
    if isinstance(el, etree._Comment | etree._ProcessingInstruction):
        return ""
    parts: list[str] = []
    size = 0
    for piece in el.itertext():
        size += len(piece)
        if size > limit * 4 + 200:
            return None
        parts.append(piece)  # type: ignore[arg-type]
    value = collapse_space("".join(parts))
    return value if len(value) <= limit else None


def host_path(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{(parts.hostname or '').lower()}{parts.path.lower()}"


def matches_host(url: str, hosts: Iterable[str]) -> bool:
    """Whether *url* is on one of *hosts* (a host, its subdomains; entries with ``/`` or ending in
    ``.`` match anywhere in host + path)."""
    return _host_set(tuple(hosts)).matches(url)


class HostSet:
    """A set of hosts asked about many URLs: a URL matches when its host or a parent domain is in
    the set; entries with ``/`` or ending in ``.`` match anywhere in host + path."""

    def __init__(self, hosts: Iterable[str]) -> None:
        entries = tuple(hosts)
        self.exact = frozenset(h for h in entries if "/" not in h and not h.endswith("."))
        self.fragments = tuple(h for h in entries if h not in self.exact)

    def matches(self, url: str) -> bool:
        where = host_path(url)
        host = where.split("/", 1)[0]
        while host:
            if host in self.exact:
                return True
            _, _, host = host.partition(".")
        return any(f in where for f in self.fragments)


@lru_cache(maxsize=32)
def _host_set(hosts: tuple[str, ...]) -> HostSet:
    return HostSet(hosts)


def is_pixel(img: etree._Element) -> bool:
    """A 0×0 or 1×1 image: a tracking pixel."""
    return (img.get("width") or "").strip() in ("0", "1") and (img.get("height") or "").strip() in ("0", "1")


def link_text(a: etree._Element) -> str:
    """What a reader sees as the link: its text, else its image's alt text, else its title."""
    value = text(a)
    if value:
        return value
    for img in a.iter("img"):
        alt = collapse_space(img.get("alt") or "")
        if alt:
            return alt
    return collapse_space(a.get("title") or a.get("aria-label") or "")


def first(el: etree._Element, tags: tuple[str, ...], limit: int = 300) -> etree._Element | None:
    """The first descendant (or *el* itself) with one of *tags*, looking at no more than *limit* elements."""
    for node in islice(el.iter(), limit):
        if node.tag in tags:
            return node
    return None


def link_parts(a: etree._Element) -> tuple[str, str]:
    """A link's title (its heading, else its text) and its standfirst (a paragraph beside the title)."""
    heading = first(a, ("h1", "h2", "h3", "h4", "h5", "h6", "strong"))
    summary_el = first(a, ("p",))
    if heading is None:
        item = a.getparent()
        if summary_el is None and item is not None:
            summary_el = first(item, ("p",))
        title = text(a) if summary_el is None or summary_el.getparent() is not a else collapse_space(a.text or "")
    else:
        title = text(heading)
    return title or link_text(a), text(summary_el) if summary_el is not None else ""
