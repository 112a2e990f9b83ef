"""OPML 1.0/2.0 subscription lists: pure parsing and writing (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import quoteattr

from lxml import etree

from newsreader.core.errors import OpmlError
from newsreader.core.models import OpmlOutline

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    recover=False,
    remove_comments=True,
)
MAX_OUTLINES = 100_000


def _attr(el: etree._Element, name: str) -> str | None:
    for key, value in el.attrib.items():
        if isinstance(key, str) and key.lower() == name.lower():
            text = str(value).strip()
            return text or None
    return None


def parse_opml(data: bytes, source: str = "the OPML file") -> list[OpmlOutline]:
    """Every feed outline in an OPML document with its folder (the enclosing outline's title).

    Nested folders are flattened to the outermost one (newsreader has one folder level).
    Raises :class:`OpmlError` when *data* is not OPML.
    """
    if b"<!ENTITY" in data[:65536]:
        # entity expansion is how XML "bombs" work; subscription lists never need it
        raise OpmlError(f"{source} declares XML entities, which newsreader refuses to expand.")
    try:
        root = etree.fromstring(data.lstrip(), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise OpmlError(f"{source} is not valid XML ({exc}).") from exc
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OpmlError(f"{source} is not an OPML file (its root element is <{root.tag}>).")
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError(f"{source} has no <body> with subscriptions.")
    found: list[OpmlOutline] = []

    def walk(parent: etree._Element, folder: str | None) -> None:
        for el in parent:
            if not isinstance(el.tag, str) or el.tag.lower() != "outline":
                continue
            if len(found) >= MAX_OUTLINES:
                return
            url = _attr(el, "xmlUrl")
            title = _attr(el, "title") or _attr(el, "text")
            if url:
                found.append(OpmlOutline(url=url, title=title, folder=folder, site_url=_attr(el, "htmlUrl")))
            if len(el):
                walk(el, folder if folder is not None or url else title)

    walk(body, None)
    return found


def write_opml(feeds: Iterable[OpmlOutline], title: str = "newsreader subscriptions") -> str:
    """An OPML 2.0 document with one outline per folder holding its feeds."""
    by_folder: dict[str | None, list[OpmlOutline]] = {}
    for feed in feeds:
        by_folder.setdefault(feed.folder, []).append(feed)

    def outline(feed: OpmlOutline, indent: str) -> str:
        text = quoteattr(feed.title or feed.url)
        attrs = f'type="rss" text={text} title={text} xmlUrl={quoteattr(feed.url)}'
        if feed.site_url:
            attrs += f" htmlUrl={quoteattr(feed.site_url)}"
        return f"{indent}<outline {attrs}/>"

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_escape(title)}</title>",
        f"    <dateCreated>{format_datetime(datetime.now(UTC), usegmt=True)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for feed in by_folder.get(None, []):
        lines.append(outline(feed, "    "))
    for folder in sorted((f for f in by_folder if f is not None), key=str.lower):
        name = quoteattr(folder)
        lines.append(f"    <outline text={name} title={name}>")
        lines.extend(outline(feed, "      ") for feed in by_folder[folder])
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
