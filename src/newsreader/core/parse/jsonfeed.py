"""JSON Feed 1.0 and 1.1 (jsonfeed.org), and Dave Winer's RSS-in-JSON, read defensively: values of the
wrong type are ignored, never trusted."""

from __future__ import annotations

import json
from typing import Any

from newsreader.core.models import Enclosure
from newsreader.core.parse.dates import parse_date
from newsreader.core.parse.raw import RawEntry, RawFeed, RawText

MAX_ITEMS = 10_000


def looks_like_json_feed(body: bytes) -> bool:
    """Cheap check: a JSON object naming the JSON Feed version URL, or an ``"rss"`` object."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return False
    window = body[:65536].replace(b"\\/", b"/")
    return b"jsonfeed.org/version" in window or head[1:].lstrip().startswith(b'"rss"')


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_json_feed(body: bytes, url: str) -> RawFeed:
    """Parse a JSON Feed document; raises ``ValueError`` when it is not one."""
    document = json.loads(body.decode("utf-8-sig"))
    if isinstance(document, dict) and isinstance(document.get("rss"), dict):
        return _rss_in_json(document["rss"], url)
    if not isinstance(document, dict) or "jsonfeed.org/version/" not in str(document.get("version", "")):
        raise ValueError("not a JSON Feed")
    items = document.get("items")
    if not isinstance(items, list):
        items = []
    feed_author = _author(document)
    entries = tuple(_item(item, url, feed_author) for item in items[:MAX_ITEMS] if isinstance(item, dict))
    title = _str(document.get("title"))
    return RawFeed(
        title=RawText(title, "text", url) if title else None,
        site_url=_str(document.get("home_page_url")),
        entries=entries,
        format="json",
        parser="jsonfeed",
    )


def _author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list):
        for author in authors:
            if isinstance(author, dict) and _str(author.get("name")):
                return _str(author.get("name"))
    author = obj.get("author")
    if isinstance(author, dict):
        return _str(author.get("name"))
    return None


def _item(item: dict[str, Any], url: str, feed_author: str | None) -> RawEntry:
    guid = item.get("id")
    guid_text = str(guid).strip() if isinstance(guid, (str, int)) and not isinstance(guid, bool) else None
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    content = (
        RawText(content_html, "html", url)
        if content_html
        else RawText(content_text, "text", url)
        if content_text
        else None
    )
    summary = _str(item.get("summary"))
    title = _str(item.get("title"))
    tags = item.get("tags")
    categories = tuple(t.strip() for t in tags if isinstance(t, str) and t.strip()) if isinstance(tags, list) else ()
    attachments = item.get("attachments")
    enclosures: list[Enclosure] = []
    if isinstance(attachments, list):
        for attachment in attachments:
            if isinstance(attachment, dict) and _str(attachment.get("url")):
                size = attachment.get("size_in_bytes")
                enclosures.append(
                    Enclosure(
                        url=str(attachment["url"]).strip(),
                        type=_str(attachment.get("mime_type")),
                        length=size if isinstance(size, int) and not isinstance(size, bool) else None,
                    )
                )
    return RawEntry(
        guid=guid_text,
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=RawText(title, "text", url) if title else None,
        summary=RawText(summary, "text", url) if summary else None,
        content=content,
        published=parse_date(_str(item.get("date_published"))),
        updated=parse_date(_str(item.get("date_modified"))),
        author=_author(item) or feed_author,
        categories=categories,
        enclosures=tuple(enclosures),
        base=url,
    )


def _rss_in_json(rss: dict[str, Any], url: str) -> RawFeed:
    """RSS 2.0 written as JSON (``{"rss": {"channel": {"item": [...]}}}``)."""
    channel = rss.get("channel")
    if not isinstance(channel, dict):
        raise ValueError("RSS-in-JSON without a channel")
    items = channel.get("item")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        items = []
    entries = []
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict):
            continue
        title = _str(item.get("title"))
        description = _str(item.get("description"))
        category = item.get("category")
        categories = [category] if isinstance(category, str) else category if isinstance(category, list) else []
        guid = item.get("guid")
        if isinstance(guid, dict):
            guid = guid.get("#value") or guid.get("value")
        entries.append(
            RawEntry(
                guid=_str(guid),
                link=_str(item.get("link")) or _str(guid),
                title=RawText(title, "html", url) if title else None,
                summary=RawText(description, "html", url) if description else None,
                content=None,
                published=parse_date(_str(item.get("pubDate"))),
                updated=None,
                author=_str(item.get("author")),
                categories=tuple(c.strip() for c in categories if isinstance(c, str) and c.strip()),
                enclosures=(),
                base=url,
            )
        )
    title = _str(channel.get("title"))
    return RawFeed(
        title=RawText(title, "text", url) if title else None,
        site_url=_str(channel.get("link")),
        entries=tuple(entries),
        format="json",
        parser="jsonfeed",
    )
