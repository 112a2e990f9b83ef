"""The fast path: well-formed RSS 0.9x/1.0/2.0 and Atom 1.0 read with lxml (libxml2, in C).

It declines (returns ``None``) on anything unusual: XML that is not well-formed, a DTD or entity
declarations, an encoding that the HTTP headers contradict, out-of-line or base64 Atom content, or
an element that feedparser would map into a field this path does not read. feedparser, the
reference, then reads the document. ``tests/core/test_parse_differential.py`` proves both paths
give the same normalised stories on every corpus feed this path accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast
from urllib.parse import urljoin

from lxml import etree

from newsreader.core.models import Enclosure
from newsreader.core.parse.dates import parse_date
from newsreader.core.parse.media import media_enclosures
from newsreader.core.parse.raw import RawEntry, RawFeed, RawText
from newsreader.core.parse.sanitize import looks_like_html

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"

# Elements that feedparser maps onto a field we read (title, link, dates, author, summary,
# content, categories); when one appears the fast path declines rather than guess the precedence.
# Namespaced elements that feedparser maps onto a field we read (title, link, dates, author,
# summary, content, categories). Keyed by a fragment of the namespace URI (feedparser matches
# namespaces loosely); ``None`` means every element of that namespace.
_MAPPED_ELEMENTS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("search.yahoo.com/mrss", frozenset({"category", "keywords", "title", "description"})),
    ("itunes.com/dtds", frozenset({"author", "summary", "keywords", "category", "name", "email"})),
    ("purl.org/dc/terms", None),
    ("google.com/schemas/play-podcasts", None),
    ("backend.userland.com/rss", None),
    ("podlove.org/simple-chapters", None),
    ("w3.org/1999/xhtml", None),
    ("purl.org/atom/ns", None),
    ("w3.org/2005/atom", None),
)
_HARMLESS_ATOM_LINK_RELS = frozenset({"self", "replies", "related", "via", "hub", "edit", "license"})
_RSS_PLAIN_KNOWN = frozenset(
    {
        "title",
        "link",
        "description",
        "author",
        "category",
        "comments",
        "enclosure",
        "guid",
        "pubDate",
        "source",
    }
)
_RSS_PLAIN_KNOWN_LOWER = frozenset(name.lower() for name in _RSS_PLAIN_KNOWN)
# Unnamespaced elements feedparser reads as one of our fields (or whose children it would).
_FEEDPARSER_ALIASES = frozenset(
    {
        "summary",
        "fullitem",
        "body",
        "content",
        "modified",
        "issued",
        "created",
        "updated",
        "published",
        "id",
        "name",
        "email",
        "abstract",
        "tags",
        "keywords",
        "subject",
        "creator",
        "date",
        "dc_date",
        "image",
        "textinput",
        "textInput",
        "entry",
        "item",
        "contributor",
        "url",
        "uri",
        "href",
    }
)
_ATOM_ENTRY_KNOWN = frozenset(
    {"id", "title", "link", "summary", "content", "published", "updated", "author", "category", "rights"}
)
_RSS_ITEM_HANDLED = frozenset(
    {
        "title",
        "link",
        "guid",
        "description",
        "pubDate",
        "author",
        "category",
        "enclosure",
        "comments",
        "source",
        f"{CONTENT}encoded",
        f"{DC}date",
        f"{DC}creator",
        f"{DC}author",
        f"{DC}subject",
    }
)
_DC_DECLINE = frozenset(
    {
        f"{DC}title",
        f"{DC}description",
        f"{DC}contributor",
        f"{DC}publisher",
        f"{DC}rights",
        f"{DC}language",
        f"{DC}identifier",
    }
)

_ENCODING_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")

_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")
_C1_LATIN1_RE = re.compile(rb"[\x80-\x9f]")

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    recover=False,
    collect_ids=False,
)


class _DeclineError(Exception):
    """The document is valid but this path does not read it the way feedparser does."""


def _norm_encoding(name: str) -> str:
    name = name.lower().replace("_", "-")
    return {"utf8": "utf-8", "latin1": "iso-8859-1", "latin-1": "iso-8859-1"}.get(name, name)


def parse_fast(body: bytes, url: str, http_charset: str | None = None) -> RawFeed | None:
    """Read a well-formed RSS/Atom document, or return None to hand it to feedparser."""
    if body[:1].isspace():
        body = body.lstrip()  # feeds often start with a blank line before the XML declaration
    head = body[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or b"<!doctype" in head:
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\xef\xbb\xbf\x00")) or b"\x00" in head[:8]:
        return None
    match = _ENCODING_DECL_RE.match(head)
    declared = _norm_encoding(match.group(1).decode("ascii")) if match else "utf-8"
    if declared not in ("utf-8", "us-ascii", "ascii", "iso-8859-1"):
        return None
    if not head.lstrip().startswith(b"<?xml") and not body.isascii():
        return None
    # C1 control characters: windows-1252 labelled as Latin-1, or doubly encoded UTF-8.
    # feedparser repairs some of these; leave them to it.
    c1 = _C1_LATIN1_RE if declared == "iso-8859-1" else _C1_UTF8_RE
    if c1.search(body):
        return None
    if http_charset and _norm_encoding(http_charset) != declared:
        return None
    try:
        root = etree.fromstring(body, _PARSER, base_url=url)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        if root.tag == "rss":
            return _read_rss(root)
        if root.tag == f"{ATOM}feed":
            return _read_atom(root)
        if root.tag == f"{RDF}RDF":
            return _read_rdf(root)
    except _DeclineError:
        return None
    return None


def _mapped_namespace(tag: str, el: etree._Element | None = None) -> bool:
    """Whether *tag* is a namespaced element that feedparser maps onto a field we read."""
    if tag[0] != "{":
        return False
    namespace, _, local = tag[1:].partition("}")
    namespace = namespace.lower()
    for fragment, names in _MAPPED_ELEMENTS:
        if fragment in namespace:
            if fragment == "w3.org/2005/atom" and local == "link" and el is not None:
                return el.get("rel") not in _HARMLESS_ATOM_LINK_RELS
            if local == "group" and el is not None:
                return any((t := _tag(c)) is not None and _mapped_namespace(t, c) for c in el)
            return names is None or local in names
    return False


def _text(el: etree._Element) -> str:
    return "".join(cast("Iterator[str]", el.itertext()))


def _tag(el: Any) -> str | None:
    """The element's name, or None for an entity reference or other non-element node."""
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _check_children(el: etree._Element) -> None:
    """Decline when an element of the entry would be read by feedparser into our fields."""
    if len(el) == 0:
        raise _DeclineError
    for child in el:
        tag = _tag(child)
        if tag is None:
            continue
        if tag[0] != "{" and tag not in _RSS_PLAIN_KNOWN:
            lowered = tag.lower()  # feedparser matches element names case-insensitively
            if len(child) or lowered in _FEEDPARSER_ALIASES or lowered in _RSS_PLAIN_KNOWN_LOWER:
                raise _DeclineError
        if tag in _DC_DECLINE or _mapped_namespace(tag, child):
            raise _DeclineError
        if len(child) and tag in _RSS_ITEM_HANDLED and tag not in ("source",):
            # markup nested as elements inside a text field: feedparser serialises it its own way
            raise _DeclineError


def _rss_title(el: etree._Element) -> RawText:
    value = _text(el)
    return RawText(value, "html" if looks_like_html(value) else "text", el.base)


def _read_rss(root: etree._Element) -> RawFeed:
    channel = root.find("channel")
    if channel is None:
        raise _DeclineError
    for child in channel:
        tag = _tag(child)
        if tag is None:
            continue
        if tag[0] != "{" and tag.lower() in ("title", "link") and not tag.islower():
            raise _DeclineError  # <TiTlE>: feedparser matches names case-insensitively
        if (
            tag[0] == "{"
            and tag.rpartition("}")[2] in ("title", "link")
            and (tag in _DC_DECLINE or _mapped_namespace(tag, child))
        ):
            raise _DeclineError
    items = [child for child in channel if child.tag == "item"]
    items += [child for child in root if child.tag == "item"]
    title_el = channel.find("title")
    link_el = channel.find("link")
    entries = tuple(_read_rss_item(item) for item in items)
    return RawFeed(
        title=_rss_title(title_el) if title_el is not None else None,
        site_url=_text(link_el).strip() or None if link_el is not None else None,
        entries=entries,
        format="rss",
        parser="fast",
    )


def _read_rss_item(item: etree._Element, *, rdf: bool = False) -> RawEntry:
    _check_children(item)
    guid = link = author = creator = None
    title = summary = content = None
    published = updated = None
    guid_is_link = False
    categories: list[str] = []
    enclosures: list[Enclosure] = []
    for child in item:
        tag = _tag(child)
        if tag is None:
            continue
        if rdf and tag.startswith((RSS1, RSS090)):
            tag = tag.split("}", 1)[1]
        if tag == "title":
            title = _rss_title(child)
        elif tag == "link":
            link = _text(child).strip() or link
        elif tag == "guid":
            guid_is_link = (child.get("isPermaLink") or "true").strip().lower() != "false"
            value = _text(child).strip()
            guid = (_resolve(child.base, value) if guid_is_link else value) or None
        elif tag == "description":
            summary = RawText(_text(child), "html", child.base)
        elif tag == f"{CONTENT}encoded":
            content = RawText(_text(child), "html", child.base)
        elif tag == "pubDate":
            published = _date(_text(child))
        elif tag == f"{DC}date":
            updated = _date(_text(child))
        elif tag == "author":
            author = author or _text(child).strip() or None
        elif tag in (f"{DC}creator", f"{DC}author"):
            creator = creator or _text(child).strip() or None
        elif tag in ("category", f"{DC}subject"):
            term = _text(child).strip()
            if term:
                categories.append(term)
        elif tag == "enclosure":
            href = (child.get("url") or "").strip()
            if href:
                enclosures.append(_enclosure(href, child.get("type"), child.get("length"), child.base))
    enclosures += media_enclosures(item)
    if rdf and guid is None:
        about = item.get(f"{RDF}about")
        guid = about.strip() if about else None
    if link is None and guid is not None and guid_is_link and not rdf:
        link = guid
    return RawEntry(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        content=content,
        published=published,
        updated=updated,
        author=creator or author,
        categories=tuple(categories),
        enclosures=tuple(enclosures),
        base=item.base,
    )


def _enclosure(href: str, mime: str | None, length: str | None, base: str | None) -> Enclosure:
    size: int | None = None
    if length and length.strip().isdigit():
        size = int(length.strip())
    return Enclosure(url=urljoin(base or "", href), type=(mime or "").strip() or None, length=size)


def _read_rdf(root: etree._Element) -> RawFeed:
    for child in root:
        if child.tag not in (
            f"{RSS1}channel",
            f"{RSS1}item",
            f"{RSS090}channel",
            f"{RSS090}item",
            f"{RSS1}image",
            f"{RSS090}image",
            f"{RSS1}textinput",
            f"{RSS090}textinput",
        ):
            raise _DeclineError
    channel = root.find(f"{RSS1}channel")
    ns = RSS1
    if channel is None:
        channel = root.find(f"{RSS090}channel")
        ns = RSS090
    if channel is None:
        raise _DeclineError
    title_el = channel.find(f"{ns}title")
    link_el = channel.find(f"{ns}link")
    items = [child for child in root if child.tag == f"{ns}item"]
    return RawFeed(
        title=_rss_title(title_el) if title_el is not None else None,
        site_url=_text(link_el).strip() or None if link_el is not None else None,
        entries=tuple(_read_rss_item(item, rdf=True) for item in items),
        format="rdf",
        parser="fast",
    )


def _atom_text(el: etree._Element) -> RawText:
    kind = (el.get("type") or "text").strip().lower()
    if el.get("src") is not None:
        raise _DeclineError
    if kind in ("text", "text/plain"):
        return RawText(_text(el), "text", el.base)
    if kind in ("html", "text/html"):
        return RawText(_text(el), "html", el.base)
    # XHTML constructs go to feedparser: its serialisation of inline XHTML has quirks of its own
    raise _DeclineError


def _resolve(base: str | None, value: str) -> str | None:
    """Resolve an id against xml:base, as feedparser does (absolute ids such as tag: are unchanged)."""
    if not value:
        return None
    try:
        return urljoin(base or "", value)
    except ValueError:
        raise _DeclineError from None


def _date(text: str) -> datetime | None:
    return parse_date(text)


def _atom_link(el: etree._Element) -> tuple[str, str | None]:
    rel = (el.get("rel") or "alternate").strip()
    href = (el.get("href") or "").strip()
    return rel, urljoin(el.base or "", href) if href else None


def _read_atom(root: etree._Element) -> RawFeed:
    title = None
    site_url = None
    for child in root:
        if child.tag == f"{ATOM}title":
            title = _atom_text(child)
        elif child.tag == f"{ATOM}link":
            rel, href = _atom_link(child)
            if rel == "alternate" and href and site_url is None:
                site_url = href
    if site_url is None:
        raise _DeclineError  # feedparser then takes the feed's id as its link
    for child in root:
        if (
            isinstance(child.tag, str)
            and child.tag.rpartition("}")[2] in ("item", "entry")
            and (child.tag != f"{ATOM}entry")
        ):
            raise _DeclineError
    entries = tuple(_read_atom_entry(entry) for entry in root.iterchildren(f"{ATOM}entry"))
    return RawFeed(title=title, site_url=site_url, entries=entries, format="atom", parser="fast")


def _read_atom_entry(entry: etree._Element) -> RawEntry:
    guid = link = author = None
    title = summary = content = None
    published = updated = None
    categories: list[str] = []
    enclosures: list[Enclosure] = []
    for child in entry:
        tag = _tag(child)
        if tag is None:
            continue
        if not tag.startswith(ATOM):
            if tag.startswith(DC) or _mapped_namespace(tag, child):
                raise _DeclineError
            continue
        name = tag[len(ATOM) :]
        if name not in _ATOM_ENTRY_KNOWN:
            raise _DeclineError
        if name == "id":
            guid = _resolve(child.base, _text(child).strip())
        elif name == "title":
            title = _atom_text(child)
        elif name == "link":
            rel, href = _atom_link(child)
            if href is None:
                raise _DeclineError
            if rel == "alternate" and link is None:
                link = href
            elif rel == "enclosure":
                enclosures.append(_enclosure(href, child.get("type"), child.get("length"), None))
        elif name == "summary":
            summary = _atom_text(child)
        elif name == "content":
            content = _atom_text(child)
        elif name == "published":
            published = _date(_text(child))
        elif name == "updated":
            updated = _date(_text(child))
        elif name == "author":
            if author is not None:
                raise _DeclineError  # feedparser keeps the last author; several are rare
            name_el = child.find(f"{ATOM}name")
            if name_el is not None:
                author = _text(name_el).strip() or None
            else:
                email_el = child.find(f"{ATOM}email")
                author = _text(email_el).strip() or None if email_el is not None else None
        elif name == "category":
            term = (child.get("term") or "").strip()
            if term:
                categories.append(term)
        elif name in ("source", "contributor"):
            raise _DeclineError
    enclosures += media_enclosures(entry)
    return RawEntry(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        content=content,
        published=published,
        updated=updated,
        author=author,
        categories=tuple(categories),
        enclosures=tuple(enclosures),
        base=entry.base,
    )
