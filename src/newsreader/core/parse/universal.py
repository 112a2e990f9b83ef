"""The reference path: any feed feedparser can read (RSS 0.9x–2.0, Atom 0.3/1.0, CDF, broken XML).

feedparser runs with its own sanitiser and relative-URL rewriting off: sanitising and URL
resolution happen once, in the shared normaliser, for both parsing paths.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from newsreader.core.models import Enclosure
from newsreader.core.parse.dates import parse_date, struct_to_datetime
from newsreader.core.parse.media import media_enclosures
from newsreader.core.parse.raw import RawEntry, RawFeed, RawText
from newsreader.core.parse.sanitize import looks_like_html


def parse_universal(body: bytes, url: str, headers: dict[str, str] | None = None) -> tuple[RawFeed | None, Any]:
    """Parse *body* with feedparser; return the raw feed (None when it is no feed) and the bozo error."""
    import feedparser

    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    result = feedparser.parse(
        body,
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = result.get("version") or ""
    is_atom = version.startswith("atom")
    fmt = "atom" if is_atom else "rdf" if version in ("rss090", "rss10") else "rss"
    feed = result.get("feed", {})
    found = result.get("entries", [])
    media = _media_by_entry(body, len(found))
    entries = tuple(_entry(e, is_atom=is_atom, media=m) for e, m in zip(found, media, strict=True))
    raw = RawFeed(
        title=_text(feed.get("title_detail"), is_atom=is_atom),
        site_url=feed.get("link") or None,
        entries=entries,
        format=fmt,
        parser="feedparser",
    )
    bozo = result.get("bozo_exception") if result.get("bozo") else None
    if not version and not entries:
        return None, bozo
    return raw, bozo


def _text(detail: Any, *, is_atom: bool) -> RawText | None:
    if not detail:
        return None
    value = detail.get("value") or ""
    mime = detail.get("type") or "text/plain"
    base = detail.get("base") or None
    if is_atom:
        return RawText(value, "text" if mime == "text/plain" else "html", base)
    return RawText(value, "html" if looks_like_html(value) else "text", base)


def _body_text(detail: Any, *, is_atom: bool) -> RawText | None:
    if not detail:
        return None
    if is_atom:
        return _text(detail, is_atom=True)
    return RawText(detail.get("value") or "", "html", detail.get("base") or None)


def _date(e: Any, field: str) -> datetime | None:
    """The entry's date as our date parser reads the text (so both paths agree), else feedparser's."""
    text = e.get(field)
    found = parse_date(text) if isinstance(text, str) else None
    return found or struct_to_datetime(e.get(f"{field}_parsed"))


def _media_by_entry(body: bytes, count: int) -> list[list[Enclosure] | None]:
    """Each entry's Media RSS / podcast media, read from the document by lxml's recovering parser
    (feedparser keeps only some of it); None for all when the items do not line up with feedparser's."""
    from lxml import etree

    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or not count:
        return [None] * count
    items = [
        el for el in root.iter() if isinstance(el.tag, str) and el.tag.rpartition("}")[2].lower() in ("item", "entry")
    ]
    if len(items) != count:
        return [None] * count
    return [media_enclosures(item) for item in items]


def _feedparser_media(e: Any) -> list[Enclosure]:
    return [
        Enclosure(
            url=str(m["url"]).strip(),
            type=(m.get("type") or m.get("medium") or "").strip() or None,
            length=int(m["filesize"]) if str(m.get("filesize") or "").strip().isdigit() else None,
        )
        for m in e.get("media_content") or []
        if isinstance(m, dict) and str(m.get("url") or "").strip()
    ]


def _entry(e: Any, *, is_atom: bool, media: list[Enclosure] | None = None) -> RawEntry:
    link = None
    if is_atom:
        for item in e.get("links", []):
            if item.get("rel", "alternate") == "alternate" and item.get("href"):
                link = item["href"]
                break
    else:
        link = e.get("link") or None
    enclosures = tuple(
        Enclosure(
            url=urljoin(enc.get("base", ""), enc["href"]) if enc.get("base") else enc["href"],
            type=(enc.get("type") or "").strip() or None,
            length=int(enc["length"]) if str(enc.get("length") or "").strip().isdigit() else None,
        )
        for enc in e.get("enclosures", [])
        if enc.get("href")
    )
    enclosures += tuple(media if media is not None else _feedparser_media(e))
    content_list = e.get("content") or []
    content = _body_text(content_list[0], is_atom=is_atom) if content_list else None
    summary_detail = e.get("summary_detail")
    if summary_detail and content is not None and summary_detail.get("value") == content.value and not is_atom:
        # feedparser copies content into summary when the feed has no description
        summary_detail = None
    detail = e.get("author_detail") or {}
    author = detail.get("name") or e.get("author") or None
    categories = tuple(t["term"].strip() for t in e.get("tags", []) if t.get("term") and t["term"].strip())
    return RawEntry(
        guid=e.get("id") or None,
        link=link,
        title=_text(e.get("title_detail"), is_atom=is_atom),
        summary=_body_text(summary_detail, is_atom=is_atom),
        content=content,
        published=_date(e, "published"),
        updated=_date(e, "updated"),
        author=author.strip() if isinstance(author, str) else None,
        categories=categories,
        enclosures=enclosures,
        base=(e.get("title_detail") or {}).get("base") or None,
    )
