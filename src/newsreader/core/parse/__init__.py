"""Feed parsing: bytes (plus the response's headers and final URL) in, a normalised feed out.

``parse_feed`` is pure: it does no I/O. Well-formed RSS/Atom goes through the lxml fast path,
JSON Feed through its own reader, everything else through feedparser.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsreader.core.errors import NotAFeedError, ParseError

if TYPE_CHECKING:
    from newsreader.core.models import ParsedFeed
    from newsreader.core.parse.raw import RawFeed

DEFAULT_MAX_ENTRIES = 1_000

__all__ = ["DEFAULT_MAX_ENTRIES", "parse_feed", "parse_raw"]


def _charset(headers: dict[str, str] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type":
            for part in value.split(";")[1:]:
                name, _, charset = part.strip().partition("=")
                if name.strip().lower() == "charset" and charset.strip():
                    return charset.strip().strip("\"'")
    return None


def _base_url(url: str, headers: dict[str, str] | None) -> str:
    """The document's base: its URL, or the ``Content-Location`` it was served with."""
    from urllib.parse import urljoin

    for key, value in (headers or {}).items():
        if key.lower() == "content-location" and value.strip():
            try:
                return urljoin(url, value.strip())
            except ValueError:
                return url
    return url


def _utf16_without_bom_to_utf8(body: bytes) -> bytes:
    """XML in UTF-16 with neither byte-order mark nor declaration: recode it to UTF-8."""
    if len(body) < 4 or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body
    if body[0] == 0x3C and body[1] == 0 and body[3] == 0:
        encoding = "utf-16-le"
    elif body[0] == 0 and body[1] == 0x3C and body[2] == 0:
        encoding = "utf-16-be"
    else:
        return body
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return body
    text = re.sub(r"""^(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*""", r"\g<1>utf-8", text)
    return text.encode("utf-8")


def _looks_like_html_page(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def parse_raw(body: bytes, url: str, headers: dict[str, str] | None = None, *, fast: bool = True) -> RawFeed:
    """Read a feed document into raw values; raises :class:`ParseError` when it is not a feed."""
    from newsreader.core.parse.fast import parse_fast
    from newsreader.core.parse.jsonfeed import looks_like_json_feed, parse_json_feed

    body = _utf16_without_bom_to_utf8(body)
    if looks_like_json_feed(body):
        try:
            return parse_json_feed(body, url)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ParseError(url, f"The JSON Feed at {url} is malformed ({exc}).") from exc
    if fast:
        raw = parse_fast(body, _base_url(url, headers), _charset(headers))
        if raw is not None:
            return raw
    from newsreader.core.parse.universal import parse_universal

    universal, bozo = parse_universal(body, url, headers)
    if universal is not None:
        return universal
    if _looks_like_html_page(body):
        raise NotAFeedError(url, f"{url} is a web page, not a feed.")
    reason = f" ({bozo})" if bozo else ""
    raise NotAFeedError(url, f"{url} is not a feed{reason}.")


def parse_feed(
    body: bytes,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    now: datetime | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    fast: bool = True,
) -> ParsedFeed:
    """Parse and normalise a feed document; *fast* False forces the feedparser reference path."""
    from newsreader.core.parse.normalize import normalize_feed

    raw = parse_raw(body, url, headers, fast=fast)
    return normalize_feed(raw, url, now or datetime.now(UTC), max_entries)
