"""The page as a tree and its addresses: parsing (bounded), the page's URL and base, link
resolution and ``<meta>`` values."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from newsreader.core.parse.sanitize import collapse_space

_PLAIN = re.compile(r"https?://[^\s/?#\[\]]+(?:/[^\s?#./]*(?:\.[^\s?#/.][^\s?#/]*)?)*(?:\?[^\s#]+)?(?:#\S+)?")
"""An absolute http(s) address with no dot segment (``/./``, ``/../``), space or empty ``?``/``#``."""

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_LINKS = 5_000
"""Links examined for sponsored/related/next/prev: an article page has far fewer; a hostile one more."""


def _parser() -> lxml_html.HTMLParser:
    """trafilatura's parser settings, with every element an ``HtmlElement`` chosen in C: lxml.html's
    own lookup calls back into Python for every element object made (to give forms and inputs
    their own classes, which nothing here uses)."""
    # (the stubs lack default_doctype)
    parser = lxml_html.HTMLParser(  # type: ignore[call-arg]
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction
        )
    )
    return parser


_PARSER = _parser()


def parse(page: bytes | str) -> etree._Element | None:
    """The page as a tree (input capped at 5 MB, NUL bytes dropped). Bytes are decoded as
    trafilatura decodes them (declared charset, else a statistical guess), which beat lxml's own
    guess on pages without a declared charset, and repaired as it repairs them before parsing."""
    if isinstance(page, bytes):
        page = page[:MAX_PAGE_BYTES]
        if b"\x00" in page:
            page = page.replace(b"\x00", b"")
    elif len(page) > MAX_PAGE_BYTES:
        page = page[:MAX_PAGE_BYTES]
    tree: etree._Element | None = None
    try:
        from trafilatura.utils import decode_file, repair_faulty_html

        decoded = decode_file(page)
        beginning = decoded[:50].lower()
        decoded = repair_faulty_html(decoded, beginning)
        tree = _from_string(decoded)
        if tree is not None and "html" not in beginning and len(tree) < 2:
            tree = None  # not HTML at all (trafilatura rejects it the same way)
    except (ValueError, etree.LxmlError):  # a missing trafilatura is a broken install: it must show
        tree = None
    if tree is not None:
        return tree
    try:
        return lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None


def _from_string(page: str) -> etree._Element | None:
    try:
        tree: etree._Element | None = lxml_html.fromstring(page, parser=_PARSER)
    except ValueError:  # a string that declares its encoding: lxml wants bytes
        tree = None
    except etree.LxmlError:
        return None
    if tree is None or len(tree) < 1:
        try:
            tree = lxml_html.fromstring(page.encode("utf8", "surrogatepass"), parser=_PARSER)
        except (ValueError, etree.LxmlError):
            return None
    return tree


class Page:
    """A parsed page with its address: resolves links and reads ``<meta>``."""

    def __init__(self, document: etree._Element, url: str | None) -> None:
        self.doc = document
        self.url = url or self._canonical() or ""
        base = document.find(".//base[@href]")
        self.base = urljoin(self.url, base.get("href", "")) if base is not None else self.url
        self._resolved: dict[str, str | None] = {}
        try:
            parts = urlsplit(self.base)
        except ValueError:
            parts = None
        # what a root-relative ("/a/b") or scheme-relative ("//host/a") link is put after
        self._origin = f"{parts.scheme}://{parts.netloc}" if parts and parts.scheme in ("http", "https") else ""
        self._scheme = f"{parts.scheme}:" if self._origin and parts else ""

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
        url: str | None = href
        if href.startswith("//"):
            url = self._scheme + href
        elif href.startswith("/"):
            url = self._origin + href
        # an absolute address without dot segments or an empty query is what urljoin would give
        if not (url and url.startswith(("https://", "http://")) and _PLAIN.fullmatch(url)):
            try:
                url = urljoin(self.base, href.strip())
                if urlsplit(url).scheme not in ("http", "https"):
                    url = None
            except ValueError:
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
