"""OPML 1.0/2.0 subscription lists: pure parsing and writing (no I/O).

Files written by other apps are read the way a forgiving reader would: a bare ``&`` (in a title or
a URL's query string), a ``<`` inside an attribute, HTML entities XML does not know (``&eacute;``),
bytes that are not in the declared encoding and control characters are repaired before the file is
read; what cannot be repaired is read by libxml2's recovering parser. Every outline that names a feed is imported; each
one that cannot be is reported with its reason.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
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
_RECOVERING_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    recover=True,
    remove_comments=True,
)
MAX_OUTLINES = 100_000
_FEED_TYPES = frozenset({"rss", "atom", "feed", "rdf", "json", "jsonfeed", "podcast"})
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_REFERENCE_RE = re.compile(r"&(?:(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")
_ATTRIBUTE_RE = re.compile(r"""(?<==)\s*(?:"[^"<>]*<[^"]*"|'[^'<>]*<[^']*')""")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class OpmlContents:
    """What an OPML file holds: its feed outlines, and the outlines that name no feed that can be
    imported, each as (its title or address, the reason)."""

    outlines: list[OpmlOutline]
    skipped: list[tuple[str, str]] = field(default_factory=list)


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
    return read_opml(data, source).outlines


def read_opml(data: bytes, source: str = "the OPML file") -> OpmlContents:
    """The feed outlines of an OPML document and the outlines that cannot be imported, with why.

    Raises :class:`OpmlError` (one sentence) when *data* is not OPML even when read forgivingly.
    """
    if b"<!ENTITY" in data[:65536]:
        # entity expansion is how XML "bombs" work; subscription lists never need it
        raise OpmlError(f"{source} declares XML entities, which newsreader refuses to expand.")
    root, damage = _parse(data.lstrip(), source)
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OpmlError(f"{source} is not an OPML file (its root element is <{root.tag}>).")
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError(f"{source} has no <body> with subscriptions.")
    contents = OpmlContents([])

    def walk(parent: etree._Element, folder: str | None) -> None:
        for el in parent:
            if not isinstance(el.tag, str) or el.tag.lower() != "outline":
                continue
            if len(contents.outlines) >= MAX_OUTLINES:
                return
            kind = (_attr(el, "type") or "").lower()
            # xmlUrl is the standard; some apps write url= or xmlurl= on their feed outlines
            url = _attr(el, "xmlUrl") or (_attr(el, "url") if kind in _FEED_TYPES else None)
            title = _attr(el, "title") or _attr(el, "text")
            if url:
                contents.outlines.append(
                    OpmlOutline(url=url, title=title, folder=folder, site_url=_attr(el, "htmlUrl"))
                )
            elif kind in _FEED_TYPES or (not len(el) and _attr(el, "htmlUrl")):
                name = title or _attr(el, "htmlUrl") or "an outline"
                contents.skipped.append((name, "it names no feed address (no xmlUrl)"))
            elif not len(el) and kind and kind not in ("folder", "category"):
                contents.skipped.append(
                    (title or _attr(el, "url") or "an outline", f"it is a {kind} outline, not a feed")
                )
            if len(el):
                walk(el, folder if folder is not None or url else title)

    walk(body, None)
    if damage is not None:
        if not contents.outlines:
            raise OpmlError(f"{source} is damaged or cut off ({damage}): no feed could be read from it.")
        # what the recovering parser could not read is lost: say so rather than import in silence
        contents.skipped.append(
            ("the rest of the file", f"it is damaged or cut off ({damage}), so outlines from there on may be missing")
        )
    return contents


def _parse(data: bytes, source: str) -> tuple[etree._Element, str | None]:
    """The document's root: read strictly, else after repairs, else by the recovering parser —
    then with what it could not read (libxml2's first error, with its line), else None."""
    try:
        return etree.fromstring(data, _PARSER), None
    except (etree.XMLSyntaxError, ValueError) as first:
        error = first
    repaired = _repair(data)
    try:
        return etree.fromstring(repaired, _PARSER), None
    except (etree.XMLSyntaxError, ValueError) as second:
        damage = second
    try:
        root = etree.fromstring(repaired, _RECOVERING_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        raise OpmlError(f"{source} is not valid XML ({error}).") from error
    return root, str(damage.msg if isinstance(damage, etree.XMLSyntaxError) else damage).strip()


def _repair(data: bytes) -> bytes:
    """The document as UTF-8 with the faults other apps' OPML files have mended: bytes outside the
    declared encoding (read as windows-1252), bare ``&``, HTML-only entities, control characters."""
    match = _ENCODING_RE.match(data)
    encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        text = data.decode(encoding)
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    except UnicodeDecodeError:
        text = data.decode(
            encoding, errors="cp1252_bytes" if encoding.replace("_", "-") in ("utf-8", "utf8") else "replace"
        )
    if match:
        text = text.replace(
            match.group(0).decode("ascii"),
            match.group(0).decode("ascii").replace(match.group(1).decode("ascii"), "UTF-8"),
            1,
        )
    text = _FORBIDDEN_RE.sub("", text)
    text = _ATTRIBUTE_RE.sub(lambda m: m.group(0).replace("<", "&lt;"), text)  # text="a < b"
    return _REFERENCE_RE.sub(_mend_reference, text).encode("utf-8")


def _mend_reference(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is None:
        return "&amp;"  # a bare ampersand
    if name[0] == "#" or name in _XML_ENTITIES:
        return match.group(0)
    code = html.entities.name2codepoint.get(name)
    return f"&#{code};" if code is not None else f"&amp;{name};"


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: a byte that is not UTF-8 is read as windows-1252 (as browsers do)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("cp1252_bytes", _cp1252_bytes)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters an XML 1.0 document cannot hold, even escaped (its ``Char`` production, XML 1.0 §2.2):
control characters, lone surrogates and the noncharacters U+FFFE and U+FFFF."""


def xml_text(text: str) -> str:
    """*text* without the characters XML 1.0 cannot hold (:data:`_NOT_XML`)."""
    return _NOT_XML.sub("", text)


def write_opml(feeds: Iterable[OpmlOutline], title: str = "newsreader subscriptions") -> str:
    """An OPML 2.0 document with one outline per folder holding its feeds. Characters XML cannot
    hold are left out of names (a name left empty: the feed's address, or no folder)."""
    by_folder: dict[str | None, list[OpmlOutline]] = {}
    for feed in feeds:
        folder = xml_text(feed.folder).strip() if feed.folder else None
        by_folder.setdefault(folder or None, []).append(feed)

    def outline(feed: OpmlOutline, indent: str) -> str:
        text = quoteattr(xml_text(feed.title or "").strip() or feed.url)
        attrs = f'type="rss" text={text} title={text} xmlUrl={quoteattr(feed.url)}'
        if feed.site_url:
            attrs += f" htmlUrl={quoteattr(feed.site_url)}"
        return f"{indent}<outline {attrs}/>"

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_escape(xml_text(title))}</title>",
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
