"""The offline image cache: files named by the SHA-256 of their bytes, in the user cache folder.

Pure helpers (which images a story has, what kind of file some bytes are) and the folder itself.
Which URL maps to which file is kept in the library's ``images`` table.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

MAX_IMAGE_BYTES = 5 * 1024 * 1024
"""One image larger than this is not kept (the per-image quota)."""
MAX_ICON_BYTES = 256 * 1024
DEFAULT_QUOTA_MB = 500
"""The whole cache's default size; the oldest images go first beyond it (setting ``image_cache_mb``)."""
MAX_IMAGES_PER_STORY = 30

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"BM", "image/bmp"),
)


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are (PNG, JPEG, GIF, WebP, ICO, BMP), or None.

    SVG is refused on purpose: it is a document that can carry scripts and remote references.
    """
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_urls(html: str, base: str | None = None, limit: int = MAX_IMAGES_PER_STORY) -> list[str]:
    """The distinct http(s) image addresses of a story's HTML, in document order."""
    if "<img" not in html.lower():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return []
    found: list[str] = []
    for image in root.iter("img"):
        source = (image.get("src") or "").strip()
        if not source:
            continue
        address = urljoin(base, source) if base else source
        if urlsplit(address).scheme in ("http", "https") and address not in found:
            found.append(address)
            if len(found) == limit:
                break
    return found


def story_image_urls(html: str, base: str | None, lead_image: str | None = None) -> list[str]:
    """The images a reader sees with a story: its lead image (when it is a web address), then those
    of its body."""
    found = image_urls(html, base)
    if lead_image and lead_image.startswith(("http://", "https://")):
        found = [lead_image, *[url for url in found if url != lead_image]][:MAX_IMAGES_PER_STORY]
    return found


def favicon_url(site_url: str | None, feed_url: str) -> str | None:
    """Where a site's icon conventionally is: ``/favicon.ico`` at its origin."""
    for candidate in (site_url, feed_url):
        parts = urlsplit(candidate or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/favicon.ico"
    return None


class ImageFolder:
    """Files named by content hash, two levels deep (``ab/abcdef…``); writes are atomic."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, digest: str) -> Path:
        """Where the image with this SHA-256 lives."""
        return self.directory / digest[:2] / digest

    def store(self, data: bytes) -> str:
        """Keep *data*; returns its SHA-256 (storing the same bytes twice keeps one file)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def read(self, digest: str) -> bytes | None:
        """The image's bytes, or None when it is gone (caches may be cleaned by the system)."""
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        try:
            return self.path(digest).read_bytes()
        except OSError:
            return None

    def remove(self, digest: str) -> None:
        """Delete one image file if it exists."""
        self.path(digest).unlink(missing_ok=True)
