"""The page as a tree and its addresses: parsing (bounded), the page's URL and base, link
resolution and ``<meta>`` values."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from newsreader.core.parse.sanitize import collapse_space

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_LINKS = 5_000
"""Links examined for sponsored/related/next/prev: an article page has far fewer; a hostile one more."""


def parse(page: bytes | str) -> etree._Element | None:
    """The page as a tree (input capped at 5 MB, NUL bytes dropped). Bytes are decoded as
    trafilatura decodes them (declared charset, else a statistical guess), which beat lxml's own
    guess on pages without a declared charset."""
    if isinstance(page, bytes):
        page = page[:MAX_PAGE_BYTES]
        if b"\x00" in page:
            page = page.replace(b"\x00", b"")
    elif len(page) > MAX_PAGE_BYTES:
        page = page[:MAX_PAGE_BYTES]
    try:
        from trafilatura import load_html

        tree = load_html(page)
    except (ImportError, ValueError, etree.LxmlError):
        tree = None
    if tree is not None:
        return tree  # type: ignore[no-any-return]
    try:
        return lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None


class Page:
    """A parsed page with its address: resolves links and reads ``<meta>``."""

    def __init__(self, document: etree._Element, url: str | None) -> None:
        self.doc = document
        self.url = url or self._canonical() or ""
        base = document.find(".//base[@href]")
        self.base = urljoin(self.url, base.get("href", "")) if base is not None else self.url
        self._resolved: dict[str, str | None] = {}

    def _canonical(self) -> str | None:
        for link in self.doc.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
                return link.get("href", "").strip()
        for meta in self.doc.iter("meta"):
            if (meta.get("property") or "").lower() == "og:url" and meta.get("content"):
                return meta.get("content", "").strip()
        return None

    def absolute(self, href: str | None) -> str | None:
        """*href* resolved against the page; None unless it is an http(s) address."""
        if not href:
            return None
        if href in self._resolved:
            return self._resolved[href]
        try:
            url: str | None = urljoin(self.base, href.strip())
        except ValueError:
            url = None
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            url = None
        if len(self._resolved) < 4 * MAX_LINKS:
            self._resolved[href] = url
        return url

    def meta(self, *names: str) -> str | None:
        for meta in self.doc.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").lower()
            if key in names and (meta.get("content") or "").strip():
                return collapse_space(meta.get("content", ""))
        return None
