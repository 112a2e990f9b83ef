"""Media files an item carries besides RSS ``<enclosure>`` and Atom ``rel="enclosure"`` links:
Media RSS (``media:content``, alone or inside ``media:group``) and the Podcasting 2.0 namespace
(``podcast:alternateEnclosure`` with its ``podcast:source`` addresses). Pure: elements in,
:class:`Enclosure` values out. Both parsers use it, so they agree.

References: Media RSS 1.5.1 (https://www.rssboard.org/media-rss), the podcast namespace 1.0
(https://podcastindex.org/namespace/1.0).
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsreader.core.models import Enclosure

MAX_MEDIA = 20

# Namespace URIs are matched by a fragment, as feedparser does (feeds write them with and without
# the trailing slash, http and https).
_MEDIA_RSS = "search.yahoo.com/mrss"
_PODCAST = ("podcastindex.org/namespace", "podcastindex-org/podcast-namespace")

_EXTENSION_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "m4b": "audio/mp4",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/opus",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "m4v": "video/x-m4v",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "ogv": "video/ogg",
    "avi": "video/x-msvideo",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "epub": "application/epub+zip",
    "torrent": "application/x-bittorrent",
}
"""Media types of the file extensions podcasts and video feeds use (IANA registrations, else the
de-facto type players expect)."""

_BUILTIN_TYPES = mimetypes.MimeTypes(filenames=())  # Python's own table only: the same on every system


def enclosure_type(value: str | None, url: str | None) -> str | None:
    """A media type for an enclosure: the declared one when it is a MIME type (lower case, without
    parameters); for a bare extension (``type="mp4"``) or none at all, the type of that extension or
    of the URL's; else None."""
    declared = (value or "").split(";")[0].strip().lower()
    if "/" in declared:
        return declared
    extension = declared.lstrip(".")
    if not extension or extension in ("audio", "video", "image", "document"):
        path = urlsplit(url or "").path if url else ""
        extension = path.rsplit(".", 1)[1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if not extension:
        return None
    return _EXTENSION_TYPES.get(extension) or _BUILTIN_TYPES.guess_type(f"file.{extension}", strict=False)[0]


def _namespace(tag: str) -> str:
    return tag[1:].partition("}")[0].lower() if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _length(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def _make(url: str | None, mime: str | None, length: str | None, base: str | None) -> Enclosure | None:
    url = (url or "").strip()
    if not url:
        return None
    try:
        resolved = urljoin(base or "", url)
    except ValueError:
        return None
    return Enclosure(url=resolved, type=(mime or "").strip() or None, length=_length(length))


def media_enclosures(item: Any) -> list[Enclosure]:
    """The Media RSS and podcast-namespace media of one ``<item>``/``<entry>`` lxml element, in
    document order (at most :data:`MAX_MEDIA`). ``media:content`` without a ``type`` takes its
    ``medium`` (audio, video…), which :func:`enclosure_type` completes from the URL."""
    found: list[Enclosure] = []

    def content(el: Any) -> None:
        made = _make(
            el.get("url"), el.get("type") or el.get("medium"), el.get("fileSize") or el.get("filesize"), el.base
        )
        if made is not None:
            found.append(made)

    for child in item:
        tag = child.tag
        if not isinstance(tag, str) or len(found) >= MAX_MEDIA:
            continue
        namespace, local = _namespace(tag), _local(tag)
        if _MEDIA_RSS in namespace:
            if local == "content":
                content(child)
            elif local == "group":
                for grandchild in child:
                    tag = grandchild.tag
                    if isinstance(tag, str) and _local(tag) == "content" and _MEDIA_RSS in _namespace(tag):
                        content(grandchild)
        elif any(fragment in namespace for fragment in _PODCAST) and local == "alternateEnclosure":
            for source in child:
                if isinstance(source.tag, str) and _local(source.tag) == "source":
                    uri = source.get("uri") or ""
                    if urlsplit(uri.strip()).scheme.lower() in ("http", "https", ""):
                        made = _make(
                            uri, source.get("contentType") or child.get("type"), child.get("length"), source.base
                        )
                        if made is not None:
                            found.append(made)
    return found[:MAX_MEDIA]
