"""Page analysis: HTML and its URL in, the story / related / sponsored split out. No I/O.

The page is parsed once (lxml). Ad slots and tracking pixels are counted and dropped; blocks are
recognised by what a reader sees — a heading such as "Whitepapers" or "More from …", links marked
``rel="sponsored"`` or pointing at sponsored-content addresses — and by the class/id tokens sites
use for ads, never by one site's class names — and by the ad-blocking filter lists users share
(EasyList syntax, evaluated by the ``adblock`` engine: network rules for ad and tracker servers,
element-hiding rules for ad slots and paid placements). The story is the container with the most
paragraph text once those blocks are gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from cssselect import GenericTranslator, SelectorError
from lxml import etree
from lxml import html as lxml_html

from newsreader.core.pages.filters import PageFilters, default_filters
from newsreader.core.parse.sanitize import collapse_space, sanitize_html

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_LINKS = 5_000
"""Links examined for sponsored/related/next/prev: an article page has far fewer; a hostile one more."""
MAX_EXTRACTOR_NODES = 60_000
"""Above this many elements the page is not handed to trafilatura (its cost grows steeply)."""

SPONSORED_HEADINGS = re.compile(
    r"^(white ?papers?|sponsored( content| links| stories| posts?)?|partner content|from our partners|"
    r"promoted( stories| content| links)?|paid (content|post)|advertisement|advertorials?|around the web|"
    r"from (around )?the web|you may like|recommended by|sponsored by .*|offers?|deals from our partners)$",
    re.IGNORECASE,
)
RELATED_HEADINGS = re.compile(
    r"^(more (from|on|in|stories|news|like this)\b.*|related( (stories|articles|posts|coverage|content))?|"
    r"read (next|more|this next)|see also|also (on|in) .*|you might also like|most (read|popular)|"
    r"latest( (stories|news))?|more stories)$",
    re.IGNORECASE,
)
SPONSORED_URL = re.compile(
    r"(^|[./_-])(white-?papers?|sponsored|advertorials?|promoted|partner-content|paid-post)"
    r"([./_-]|$)",
    re.IGNORECASE,
)
AD_TOKENS = frozenset(
    {
        "ad",
        "ads",
        "adun",
        "adunit",
        "ad-unit",
        "adslot",
        "ad-slot",
        "advert",
        "adverts",
        "advertisement",
        "dfp",
        "gpt-ad",
        "mpu",
        "leaderboard",
        "skyscraper",
        "banner-ad",
        "ad-container",
        "adsbygoogle",
        "sponsor-ad",
    }
)
AD_HOSTS = (
    "doubleclick.net",
    "googlesyndication.com",
    "googleadservices.com",
    "adnxs.com",
    "amazon-adsystem.com",
    "criteo.com",
    "taboola.com",
    "outbrain.com",
    "adzerk.net",
    "pubmatic.com",
    "rubiconproject.com",
    "openx.net",
    "moatads.com",
    "advertising.com",
)
TRACKER_HOSTS = (
    "quantserve.com",
    "scorecardresearch.com",
    "google-analytics.com",
    "chartbeat.net",
    "facebook.com/tr",
    "pixel.",
    "omtrdc.net",
    "2o7.net",
    "hotjar.com",
    "newrelic.com",
)
WIDGET_TOKENS = ("outbrain", "taboola", "ob-widget", "trc_", "zergnet", "revcontent")
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
CHROME_TOKENS = frozenset(
    {
        "nav",
        "navigation",
        "menu",
        "footer",
        "header",
        "masthead",
        "sidebar",
        "comments",
        "comment",
        "share",
        "sharing",
        "social",
        "tools",
        "breadcrumb",
        "breadcrumbs",
        "subscribe",
        "newsletter",
        "related",
        "more-from",
        "more_from",
        "tags",
    }
)
SIDEBAR_TOKENS = frozenset(
    {"sidebar", "side", "rail", "right-col", "right_col", "rightcol", "aside", "secondary", "right", "col-right"}
)
FOOTER_TOKENS = frozenset({"footer", "foot", "bottom"})


@dataclass(frozen=True, slots=True)
class PageLink:
    """A related story on the page."""

    title: str
    summary: str
    href: str


@dataclass(frozen=True, slots=True)
class SponsoredLink:
    """A sponsored link or block item on the page, where it sits and why it was flagged."""

    text: str
    summary: str
    href: str
    placement: str
    reason: str


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """Everything page analysis produces."""

    url: str | None
    title: str
    byline: str | None
    published: str | None
    lead_image: str | None
    story_html: str
    story_text: str
    next: PageLink | None
    prev: PageLink | None
    related: tuple[PageLink, ...]
    sponsored: tuple[SponsoredLink, ...]
    ad_slots: int
    trackers: int


def _drop(el: Any) -> None:
    """Remove an element with its content, keeping the text that follows it (no-op once detached)."""
    if el.getparent() is not None:
        el.drop_tree()


def _tokens(el: etree._Element) -> set[str]:
    value = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return {t for t in re.split(r"[\s]+", value) if t}


def _text(el: etree._Element) -> str:
    return collapse_space("".join(el.itertext()))  # type: ignore[arg-type]


def _host_path(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{(parts.hostname or '').lower()}{parts.path.lower()}"


def _matches_host(url: str, hosts: Iterable[str]) -> bool:
    where = _host_path(url)
    host = where.split("/", 1)[0]
    return any(h in where if "/" in h or h.endswith(".") else host == h or host.endswith("." + h) for h in hosts)


HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _heading(block: etree._Element) -> str | None:
    """The block's own heading: a heading (or a ``header`` holding one) among its first children."""
    for child in list(block)[:2]:
        tag = child.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue  # type: ignore[unreachable]
        if child.tag in HEADING_TAGS or (child.tag in ("header", "div", "span", "strong") and not len(child)):
            return _text(child) or None
        if child.tag == "header":
            inner = next((h for h in child.iter(*HEADING_TAGS)), None)
            return _text(inner) if inner is not None else None
    return None


def _widget(block: etree._Element) -> str | None:
    """The ad network whose recommendation widget this block is ("Around the web" links), if any."""
    for token in _tokens(block):
        for name in WIDGET_TOKENS:
            if token.startswith(name):
                return "Outbrain" if "ob-" in name or "outbrain" in name else name.strip("_-").capitalize()
    return None


def _is_pixel(img: etree._Element) -> bool:
    """A 0×0 or 1×1 image: a tracking pixel."""
    return (img.get("width") or "").strip() in ("0", "1") and (img.get("height") or "").strip() in ("0", "1")


class _Page:
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


def _placement(el: etree._Element, story_region: etree._Element | None) -> str:
    node: etree._Element | None = el
    while node is not None:
        if story_region is not None and node is story_region:
            return "in-story"
        tokens = _tokens(node)
        if node.tag == "aside" or tokens & SIDEBAR_TOKENS or any(t.startswith(("sidebar", "rail")) for t in tokens):
            return "sidebar"
        if node.tag == "footer" or tokens & FOOTER_TOKENS:
            return "footer"
        node = node.getparent()
    return "page"


def _link_parts(a: etree._Element) -> tuple[str, str]:
    """A link's title (its heading, else its text) and its standfirst (a paragraph beside the title)."""
    heading = next((h for h in a.iter("h1", "h2", "h3", "h4", "h5", "h6", "strong")), None)
    summary_el = next((p for p in a.iter("p")), None)
    if heading is None:
        item = a.getparent()
        if summary_el is None and item is not None:
            summary_el = next((p for p in item.iter("p")), None)
        title = _text(a) if summary_el is None or summary_el.getparent() is not a else collapse_space(a.text or "")
    else:
        title = _text(heading)
    return title, _text(summary_el) if summary_el is not None else ""


def analyze_page(page: bytes | str, url: str | None = None, filters: PageFilters | None = None) -> PageAnalysis:
    """Split an article page into story, related links and sponsored content; counts removed ads.

    *filters* are ad-blocking lists (default: the list that ships with newsreader)."""
    rules = filters or default_filters()
    if isinstance(page, bytes):
        page = page[:MAX_PAGE_BYTES]
        if b"\x00" in page:
            page = page.replace(b"\x00", b"")
    elif len(page) > MAX_PAGE_BYTES:
        page = page[:MAX_PAGE_BYTES]
    document = _parse(page)
    if document is None:
        return PageAnalysis(url, "", None, None, None, "", "", None, None, (), (), 0, 0)
    pg = _Page(document, url)
    ad_slots = trackers = 0
    for el in list(document.iter()):
        # containers that sites mark as ad slots: one slot each, whatever they hold
        is_slot = isinstance(el.tag, str) and el.getparent() is not None and el.tag not in ("html", "body")
        if is_slot and _tokens(el) & AD_TOKENS and len(_text(el)) < 200:
            ad_slots += 1
            _drop(el)
    for el in list(document.iter("script", "style", "noscript", "template", "iframe", "img", "object", "embed")):
        if el.getparent() is None:
            continue
        src = el.get("src") or el.get("data") or ""
        absolute = pg.absolute(src) or src
        kind = _REQUEST_KINDS.get(str(el.tag))
        blocked = bool(src) and kind is not None and rules.blocks(absolute, pg.url or None, kind)
        if el.tag in ("script", "iframe", "object", "embed") and src and (blocked or _matches_host(absolute, AD_HOSTS)):
            ad_slots += 1
            _drop(el)
        elif el.tag == "img" and (_is_pixel(el) or (src and _matches_host(absolute, TRACKER_HOSTS))):
            trackers += 1
            _drop(el)
        elif el.tag == "img" and blocked:
            ad_slots += 1
            _drop(el)
        elif el.tag in ("script", "style", "noscript", "template"):
            _drop(el)
    hidden: list[tuple[etree._Element, str]] = []  # element-hiding matches that hold links: paid placements
    for el, selector in _hidden_elements(document, rules, pg.url or None):
        if el.getparent() is None or _holds_story(el):
            continue
        if any(a.get("href") and _text(a) for a in el.iter("a")):
            if not any(el in b.iterancestors() for b, _ in hidden):
                widget = _widget(el)
                why = f"In a recommendation widget from {widget} (paid links)." if widget else None
                hidden.append((el, why or f"Hidden by the ad-blocking rule “{selector}”."))
        else:
            ad_slots += 1
            _drop(el)

    title = pg.meta("og:title", "twitter:title") or _first_text(document, "h1") or _first_text(document, "title")
    byline = pg.meta("author", "article:author", "byl")
    published = pg.meta("article:published_time", "date", "pubdate", "dc.date")
    lead_image = pg.absolute(pg.meta("og:image", "twitter:image"))

    sponsored: list[tuple[etree._Element, str]] = list(hidden)  # (block, why it is sponsored)
    related_blocks: list[etree._Element] = []
    for block in list(document.iter("div", "section", "aside", "ul", "ol", "nav")):
        if block.getparent() is None or any(block is b or b in block.iterancestors() for b, _ in hidden):
            continue
        widget = _widget(block)
        if widget is not None and not any(block in b.iterancestors() for b, _ in sponsored):
            sponsored.append((block, f"In a recommendation widget from {widget} (paid links)."))
            continue
        heading = _heading(block)
        if heading is None or len(heading) > 60:
            continue
        if SPONSORED_HEADINGS.match(heading):
            sponsored.append((block, f"In a block headed “{heading}”."))
        elif RELATED_HEADINGS.match(heading) and not any(block in b.iterancestors() for b in related_blocks):
            related_blocks.append(block)

    story = _story_container(document, {b for b, _ in sponsored} | set(related_blocks))
    region = _story_region(story)

    items: list[SponsoredLink] = []
    seen: set[str] = set()
    for block, why in sponsored:
        for a in islice(block.iter("a"), MAX_LINKS):
            href = pg.absolute(a.get("href"))
            if not href or href in seen:
                continue
            text, summary = _link_parts(a)
            if text:
                seen.add(href)
                items.append(SponsoredLink(text, summary, href, _placement(block, region), why))
    links = list(islice(document.iter("a"), MAX_LINKS))
    for a in links:
        href = pg.absolute(a.get("href"))
        if not href or href in seen or any(b in a.iterancestors() for b, _ in sponsored):
            continue
        rel = (a.get("rel") or "").lower().split()
        reason = None
        if "sponsored" in rel:
            reason = 'The link is marked rel="sponsored".'
        elif SPONSORED_URL.search(_host_path(href)):
            reason = f"The link goes to sponsored content ({urlsplit(href).hostname})."
        elif _matches_host(href, AD_HOSTS):
            reason = f"The link goes to the ad network {urlsplit(href).hostname}."
        elif rules.blocks(href, pg.url or None, "other"):
            reason = f"The link goes to {urlsplit(href).hostname}, an ad server by the ad-blocking rules."
        if reason:
            text, summary = _link_parts(a)
            seen.add(href)
            items.append(SponsoredLink(text or href, summary, href, _placement(a, region), reason))
    position: dict[str, int] = {}
    for index, a in enumerate(links):
        href = pg.absolute(a.get("href"))
        if href is not None:
            position.setdefault(href, index)
    items.sort(key=lambda item: position.get(item.href, 0))  # page order

    related: list[PageLink] = []
    for block in related_blocks:
        for a in islice(block.iter("a"), MAX_LINKS):
            href = pg.absolute(a.get("href"))
            if not href or href == pg.url or _is_nav_link(a):
                continue
            link_title, summary = _link_parts(a)
            if link_title and all(r.href != href for r in related):
                related.append(PageLink(link_title, summary, href))
    next_link = _step_link(links, pg, "next", related)
    prev_link = _step_link(links, pg, "prev", related)

    # what was recognised as sponsored, related or ads leaves the page before the story is extracted
    for block, _ in sponsored:
        if block.getparent() is not None:
            _drop(block)
    for block in related_blocks:
        if block.getparent() is not None:
            _drop(block)
    flagged = {s.href for s in items}
    for a in links:
        if a.getparent() is not None and pg.absolute(a.get("href")) in flagged:
            _drop(_single_link_box(a))
    story_html, story_text = _extract_story(document, story, pg, title or "")
    return PageAnalysis(
        url=pg.url or None,
        title=title or "",
        byline=byline,
        published=published,
        lead_image=lead_image,
        story_html=story_html,
        story_text=story_text,
        next=next_link,
        prev=prev_link,
        related=tuple(related),
        sponsored=tuple(items),
        ad_slots=ad_slots,
        trackers=trackers,
    )


_REQUEST_KINDS = {"script": "script", "iframe": "subdocument", "object": "object", "embed": "object", "img": "image"}
MAX_HIDING_SELECTORS = 500
"""Element-hiding selectors evaluated on one page (each is a pass over the tree)."""


@lru_cache(maxsize=4096)
def _selector_xpath(selector: str) -> etree.XPath | None:
    """A CSS selector compiled for lxml, or None when cssselect cannot read it (procedural rules)."""
    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError, ValueError):
        return None


def _hidden_elements(document: etree._Element, rules: PageFilters, url: str | None) -> list[tuple[etree._Element, str]]:
    """Elements the element-hiding rules hide on this page, with the selector that matched."""
    classes: set[str] = set()
    ids: set[str] = set()
    for el in document.iter():
        if isinstance(el.tag, str):
            classes.update((el.get("class") or "").split())
            if el.get("id"):
                ids.add(el.get("id", ""))
    found: list[tuple[etree._Element, str]] = []
    seen: set[etree._Element] = set()
    for selector in rules.hidden_selectors(url, classes, ids)[:MAX_HIDING_SELECTORS]:
        xpath = _selector_xpath(selector)
        if xpath is None:
            continue
        matches = xpath(document)
        for match in matches if isinstance(matches, list) else ():
            if isinstance(match, etree._Element) and match.tag not in ("html", "body") and match not in seen:
                seen.add(match)
                found.append((match, selector))
    return found


def _holds_story(el: etree._Element) -> bool:
    """A matched element with this much paragraph text is the story, not an ad (a rule too broad)."""
    return sum(len(_text(p)) for p in islice(el.iter("p"), 50)) > 600


def _single_link_box(a: etree._Element) -> etree._Element:
    """The element that holds nothing but this link (an in-story promo box), else the link itself."""
    node = a
    parent = a.getparent()
    while parent is not None and parent.tag not in ("body", "html") and _text(parent) == _text(a):
        node, parent = parent, parent.getparent()
    return node


def _extract_story(
    document: etree._Element, container: etree._Element | None, pg: _Page, title: str
) -> tuple[str, str]:
    """Story HTML and text: trafilatura on the cleaned page (measured best, docs/benchmarks.md), else the
    container with the most paragraph text."""
    html = ""
    try:
        import trafilatura

        if sum(1 for _ in islice(document.iter(), MAX_EXTRACTOR_NODES + 1)) > MAX_EXTRACTOR_NODES:
            raise ValueError("too many elements for the extractor")

        cleaned = deepcopy(document)  # trafilatura prunes the tree it is given
        html = (
            trafilatura.extract(
                cleaned,
                url=pg.url or None,
                output_format="html",
                include_links=True,
                include_images=True,
                include_tables=True,
                include_comments=False,
            )
            or ""
        )
    except (ImportError, ValueError, etree.LxmlError):
        html = ""
    if html:
        root = lxml_html.document_fromstring(html)
        found_body = root.find("body")
        body = found_body if found_body is not None else root
        for heading in body.iter("h1"):
            if _text(heading) == title:
                _drop(heading)
        blocks: list[str] = []
        for child in body:
            parts = list(child) if child.tag in ("ul", "ol", "dl") else [child]
            blocks += [text for part in parts if (text := _text(part))]
        repeated = {title, pg.meta("description", "og:description", "twitter:description") or ""}
        while blocks and blocks[0] in repeated:
            blocks.pop(0)  # the headline and standfirst, repeated above the text
        inner = "".join(etree.tostring(child, encoding="unicode", method="html") for child in body)
        return sanitize_html(inner, pg.base or None), "\n\n".join(blocks)
    if container is None:
        return "", ""
    for el in list(container.iter()):
        if el is not container and el.getparent() is not None and _is_chrome(el):
            _drop(el)
    inner = (container.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in container
    )
    paragraphs = [_text(p) for p in container.iter("p") if _text(p)]
    return sanitize_html(inner, pg.base or None), "\n\n".join(paragraphs) if paragraphs else _text(container)


def _parse(page: bytes | str) -> etree._Element | None:
    """The page as a tree. Bytes are decoded as trafilatura decodes them (declared charset, else a
    statistical guess), which beat lxml's own guess on pages without a declared charset."""
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


def _first_text(document: etree._Element, tag: str) -> str | None:
    el = next(document.iter(tag), None)
    return _text(el) or None if el is not None else None


def _is_nav_link(a: etree._Element) -> bool:
    text = _text(a).lower()
    return text in ("next story", "prev story", "previous story", "next", "prev", "previous", "more", "")


def _is_chrome(el: etree._Element) -> bool:
    return el.tag in CHROME_TAGS or bool(_tokens(el) & CHROME_TOKENS)


def _step_link(links: list[etree._Element], pg: _Page, direction: str, related: list[PageLink]) -> PageLink | None:
    words = ("next",) if direction == "next" else ("prev", "previous")
    for a in links:
        rel = (a.get("rel") or "").lower().split()
        label = _text(a).lower()
        tokens = _tokens(a)
        if not (set(words) & set(rel) or set(words) & tokens or any(label.startswith(w) for w in words)):
            continue
        href = pg.absolute(a.get("href"))
        if not href:
            continue
        title = next((r.title for r in related if r.href == href), None) or a.get("title") or _text(a)
        return PageLink(collapse_space(title), "", href)
    return None


def _story_container(document: etree._Element, excluded: set[etree._Element]) -> etree._Element | None:
    scores: dict[etree._Element, float] = {}
    for p in document.iter("p"):
        if any(anc in excluded or _is_chrome(anc) for anc in p.iterancestors()):
            continue
        length = len(_text(p))
        if length < 25:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + length
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + length / 2
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el])


def _story_region(story: etree._Element | None) -> etree._Element | None:
    """The article around the story text (headline, byline, in-story boxes): for placement."""
    if story is None:
        return None
    for anc in story.iterancestors():
        if anc.tag == "article" or _tokens(anc) & {"article", "story", "post", "entry"}:
            return anc
    parent = story.getparent()
    return parent if parent is not None else story


def analysis_to_json(page: PageAnalysis) -> str:
    """A stored form of an analysis (re-analysing needs the page; this keeps what reading needs)."""
    import json
    from dataclasses import asdict

    return json.dumps(asdict(page), ensure_ascii=False)


def analysis_from_json(text: str) -> PageAnalysis:
    """Inverse of :func:`analysis_to_json`."""
    import json

    data = json.loads(text)

    def step(value: dict[str, str] | None) -> PageLink | None:
        return PageLink(**value) if value else None

    return PageAnalysis(
        **{k: v for k, v in data.items() if k not in ("next", "prev", "related", "sponsored")},
        next=step(data["next"]),
        prev=step(data["prev"]),
        related=tuple(PageLink(**r) for r in data["related"]),
        sponsored=tuple(SponsoredLink(**s) for s in data["sponsored"]),
    )
