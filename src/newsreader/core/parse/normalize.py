"""Turn what a parser read (:mod:`raw`) into stored-story values: the one normaliser for every path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from newsreader.core.models import Enclosure, ParsedEntry, ParsedFeed
from newsreader.core.parse.media import enclosure_type
from newsreader.core.parse.raw import RawEntry, RawFeed, RawText
from newsreader.core.parse.sanitize import (
    html_to_text,
    plain_text,
    sanitize_html,
    sanitized_html_to_text,
    text_to_html,
    unescape_references,
)
from newsreader.core.related.keys import canonical_link, title_key

MAX_TITLE_CHARS = 1_000
MAX_CATEGORIES = 50
MAX_ENCLOSURES = 20


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    try:
        resolved = urljoin(base, url) if base else url
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https", "mailto", "ftp"):
        return None
    return resolved


def _c1_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            table[code] = ""
    return table


# Feeds written on Windows put windows-1252 code points (&#146; for a quote) where Unicode has C1
# control characters, which no text should contain; read them as the characters meant.
_C1_TO_CP1252 = _c1_table()
_C1_RE = re.compile("[\x80-\x9f]")
_DOUBLE_ENCODED_RE = re.compile("[\xc2-\xf4][\x80-\xbf]{1,3}")


def _undo_double_utf8(match: re.Match[str]) -> str:
    try:
        return match.group(0).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return match.group(0)


def repair_c1(value: str) -> str:
    """Repair C1 control characters: UTF-8 read as Latin-1 first, then windows-1252 code points."""
    if not _C1_RE.search(value):
        return value
    return _DOUBLE_ENCODED_RE.sub(_undo_double_utf8, value).translate(_C1_TO_CP1252)


def _plain(text: RawText | None) -> str:
    if text is None:
        return ""
    raw = repair_c1(text.value)
    value = html_to_text(raw) if text.kind == "html" else plain_text(raw)
    return value[:MAX_TITLE_CHARS]


def _html(text: RawText | None, fallback_base: str | None) -> str:
    if text is None or not text.value.strip():
        return ""
    base = text.base or fallback_base
    value = repair_c1(text.value)
    source = value if text.kind == "html" else text_to_html(unescape_references(value))
    return sanitize_html(source, base)


_EMAIL = r"[^\s()<>@]+@[^\s()<>@]+"
_AUTHOR_FORMS = (
    re.compile(rf"^{_EMAIL}\s*\((?P<name>[^()]+)\)$"),
    re.compile(rf"^(?P<name>[^()<>]+?)\s*\(\s*(?:mailto:)?{_EMAIL}\s*\)$"),
    re.compile(rf"^(?P<name>[^()<>]+?)\s*<\s*(?:mailto:)?{_EMAIL}\s*>$"),
)


def clean_author(author: str | None) -> str | None:
    """A display name from the forms feeds use: ``a@b (Name)``, ``Name (a@b)``, ``Name <a@b>``."""
    if not author:
        return None
    author = plain_text(author)
    for form in _AUTHOR_FORMS:
        match = form.match(author)
        if match:
            return match.group("name").strip() or None
    return author or None


def story_key(guid: str | None, link: str | None, title: str, summary_html: str, content_html: str) -> str:
    """What the feed says identifies a story: guid, else link, else a content hash. Feeds reuse
    these; ``storage/identity.py`` tells apart the items that share one."""
    if guid or link:
        key = guid or link or ""
        # U+001F separates a shared key from what tells its items apart in stored keys
        return key.replace("\x1f", " ") if "\x1f" in key else key
    digest = hashlib.sha1(f"{title}\x00{summary_html}\x00{content_html}".encode(), usedforsecurity=False)
    return "sha1:" + digest.hexdigest()


def normalize_entry(raw: RawEntry, feed_url: str, now: datetime) -> ParsedEntry:
    """Normalise one entry; dates in the future are clamped to *now*."""
    base = raw.base or feed_url
    link = _absolute(raw.link, base)
    title = _plain(raw.title)
    summary_html = _html(raw.summary, base)
    content_html = _html(raw.content, base)
    published = min(raw.published, now) if raw.published else None
    updated = min(raw.updated, now) if raw.updated else published
    published = published or updated
    categories: list[str] = []
    for term in raw.categories:
        term = plain_text(term)
        if term and term not in categories:
            categories.append(term)
    enclosures: list[Enclosure] = []
    for enclosure in raw.enclosures[:MAX_ENCLOSURES]:
        url = _absolute(enclosure.url, base)
        if url and all(e.url != url for e in enclosures):
            enclosures.append(Enclosure(url, enclosure_type(enclosure.type, url), enclosure.length))
    guid = raw.guid.strip() if raw.guid and raw.guid.strip() else None
    entry = ParsedEntry(
        key=story_key(guid, link, title, summary_html, content_html),
        guid=guid,
        link=link,
        title=title,
        author=clean_author(raw.author),
        published=published,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        categories=tuple(categories[:MAX_CATEGORIES]),
        enclosures=tuple(enclosures),
        text=sanitized_html_to_text(content_html or summary_html),
    )
    links, sponsored_links = count_links(raw.content if raw.content and raw.content.kind == "html" else raw.summary)
    return replace(
        entry,
        digest=entry_digest(entry),
        link_count=links,
        sponsored_link_count=sponsored_links,
        canonical_link=canonical_link(link),
        title_key=title_key(title),
    )


_ANCHOR_RE = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_SPONSORED_REL_RE = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\bsponsored\b""", re.IGNORECASE)


def count_links(text: RawText | None) -> tuple[int, int]:
    """Links in an entry's HTML as sent, and how many are marked ``rel="sponsored"``."""
    if text is None or text.kind != "html" or "<a" not in text.value.lower():
        return 0, 0
    anchors = _ANCHOR_RE.findall(text.value)
    return len(anchors), sum(1 for a in anchors if _SPONSORED_REL_RE.search(a))


def _time_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def entry_digest(entry: ParsedEntry) -> str:
    """A digest of everything stored about an entry, to skip rewriting unchanged stories."""
    parts = [
        entry.key,
        entry.guid or "",
        entry.link or "",
        entry.title,
        entry.author or "",
        _time_text(entry.published),
        _time_text(entry.updated),
        entry.summary_html,
        entry.content_html,
        "\x1f".join(entry.categories),
        "\x1f".join(f"{e.url}\x1e{e.type}\x1e{e.length}" for e in entry.enclosures),
    ]
    return hashlib.sha1("\x00".join(parts).encode(), usedforsecurity=False).hexdigest()


def normalize_feed(raw: RawFeed, feed_url: str, now: datetime, max_entries: int) -> ParsedFeed:
    """Normalise a whole feed, keeping at most *max_entries*. An entry repeated exactly (the same
    digest: every stored field equal) is kept once; entries that merely share a key are all kept."""
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    for raw_entry in raw.entries:
        if len(entries) >= max_entries:
            break
        entry = normalize_entry(raw_entry, feed_url, now)
        if entry.digest in seen:
            continue
        seen.add(entry.digest)
        entries.append(entry)
    return ParsedFeed(
        title=_plain(raw.title),
        site_url=_absolute(raw.site_url, feed_url),
        entries=tuple(entries),
        format=raw.format,
        parser=raw.parser,
    )
