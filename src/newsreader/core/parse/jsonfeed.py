"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read defensively: wrong types are ignored."""

from __future__ import annotations

import json
from typing import Any

from newsreader.core.models import Enclosure
from newsreader.core.parse.dates import parse_date
from newsreader.core.parse.raw import RawEntry, RawFeed, RawText

MAX_ITEMS = 10_000


def looks_like_json_feed(body: bytes) -> bool:
    """Cheap check: a JSON object that names the JSON Feed version URL near its start."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b"jsonfeed.org/version" in body[:65536]


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_json_feed(body: bytes, url: str) -> RawFeed:
    """Parse a JSON Feed document; raises ``ValueError`` when it is not one."""
    document = json.loads(body.decode("utf-8-sig"))
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
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
