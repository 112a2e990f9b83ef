"""The story: which part of the page is the article the URL names, and its text paragraph by paragraph.

The body comes from trafilatura run on the page after ads, sponsored and related blocks are gone
(measured best, docs/benchmarks.md); when it returns nothing, the container with the most
paragraph text. Before either, a page that shows several articles one after another keeps only the
one the URL names (its headline is the page's title, or it is the first).
"""

from __future__ import annotations

from itertools import islice

from lxml import etree
from lxml import html as lxml_html

from newsreader.core.pages.dom import HEADING_TAGS, drop, text, tokens
from newsreader.core.pages.source import Page
from newsreader.core.parse.sanitize import collapse_space, sanitize_html

MAX_EXTRACTOR_NODES = 60_000
"""Above this many elements the page is not handed to trafilatura (its cost grows steeply)."""
MAX_EXTRACTOR_TEXT = 2_000_000
"""… or above this many characters of text (no article is that long; trafilatura copies the tree
several times, so a hostile page of one 5 MB paragraph would cost memory for nothing)."""
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
PARAGRAPH_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "dd", "dt", "tr"}
)
MIN_ARTICLE_TEXT = 200
"""An ``<article>`` with less paragraph text than this is a teaser card, not a second article."""


def is_chrome(el: etree._Element) -> bool:
    return el.tag in CHROME_TAGS or bool(tokens(el) & CHROME_TOKENS)


def story_container(document: etree._Element, excluded: set[etree._Element]) -> etree._Element | None:
    """The element holding the most paragraph text (a paragraph counts half for its grandparent)."""
    scores: dict[etree._Element, float] = {}
    chrome: dict[etree._Element, bool] = {}

    def outside(el: etree._Element) -> bool:
        found = chrome.get(el)
        if found is None:
            found = chrome[el] = el in excluded or is_chrome(el)
        return found

    for p in document.iter("p"):
        if any(outside(anc) for anc in p.iterancestors()):
            continue
        length = len(text(p))
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


def story_region(story: etree._Element | None) -> etree._Element | None:
    """The article around the story text (headline, byline, in-story boxes): for placement."""
    if story is None:
        return None
    for anc in story.iterancestors():
        if anc.tag == "article" or tokens(anc) & {"article", "story", "post", "entry"}:
            return anc
    parent = story.getparent()
    return parent if parent is not None else story


def other_articles(document: etree._Element, title: str, story: etree._Element | None) -> list[etree._Element]:
    """The ``<article>`` elements after the one the page is about, when a page shows several full
    articles one below another (each with its own headline and paragraphs): the page's own article
    is the one whose headline is the page's title, else the first."""
    full = []
    for article in document.iter("article"):
        if any(anc.tag == "article" for anc in article.iterancestors()):
            continue
        heading = next(article.iter(*HEADING_TAGS), None)
        texts = [len(text(p)) for p in islice(article.iter("p"), 80)]
        if heading is not None and sum(1 for n in texts if n >= 40) >= 3 and sum(texts) >= MIN_ARTICLE_TEXT:
            full.append((article, text(heading)))
    if len(full) < 2:
        return []
    wanted = collapse_space(title).casefold()
    own = next((a for a, h in full if wanted and h.casefold() == wanted), None)
    if own is None and story is not None:
        own = next((a for a, _ in full if a is story or a in story.iterancestors()), None)
    if own is None:
        return []
    # the same kind of element after it: the site's "next article" (same parent, same class)
    return [
        a for a, _ in full if a is not own and a.getparent() is own.getparent() and a.get("class") == own.get("class")
    ]


def extract_story(document: etree._Element, container: etree._Element | None, pg: Page, title: str) -> tuple[str, str]:
    """Story HTML and text (paragraphs separated by a blank line)."""
    html = ""
    try:
        import trafilatura

        if _too_big(document):
            raise ValueError("too many elements or too much text for the extractor")

        cleaned = document  # (trafilatura 1.12 and later copy the tree they are given before pruning it)
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
    except (ValueError, etree.LxmlError):  # a missing trafilatura is a broken install: it must show
        html = ""
    if html:
        root = lxml_html.document_fromstring(html)
        found_body = root.find("body")
        body = found_body if found_body is not None else root
        for heading in body.iter("h1"):
            if text(heading) == title:
                drop(heading)
        blocks = paragraphs(body)
        repeated = {title, pg.meta("description", "og:description", "twitter:description") or ""}
        while blocks and blocks[0] in repeated:
            blocks.pop(0)  # the headline and standfirst, repeated above the text
        restore_captions(body, document, pg.base or pg.url or "")
        inner = "".join(etree.tostring(child, encoding="unicode", method="html") for child in body)
        return sanitize_html(inner, pg.base or None), "\n\n".join(blocks)
    if container is None:
        return "", ""
    for el in list(container.iter()):
        if el is not container and el.getparent() is not None and is_chrome(el):
            drop(el)
    inner = (container.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in container
    )
    found = [text(p) for p in container.iter("p") if text(p)]
    return sanitize_html(inner, pg.base or None), "\n\n".join(found) if found else text(container)


def _too_big(document: etree._Element) -> bool:
    size = 0
    for nodes, el in enumerate(document.iter(), 1):
        size += len(el.text or "") + len(el.tail or "")
        if nodes > MAX_EXTRACTOR_NODES or size > MAX_EXTRACTOR_TEXT:
            return True
    return False


def restore_captions(body: etree._Element, document: etree._Element, base: str) -> int:
    """Put back the captions of the story's figures, which trafilatura drops: each image of *body*
    that sat in a ``<figure>`` with a ``<figcaption>`` in *document* gets that caption right after
    it (as a ``<figcaption>`` after its paragraph). Returns how many were restored."""
    from urllib.parse import urljoin

    captions: dict[str, str] = {}
    for figure in islice(document.iter("figure"), 200):
        caption_el = next(figure.iter("figcaption"), None)
        caption = text(caption_el) if caption_el is not None else ""
        if not caption:
            continue
        for img in figure.iter("img"):
            for attribute in ("src", "data-src"):
                if value := (img.get(attribute) or "").strip():
                    captions.setdefault(value, caption)
                    captions.setdefault(urljoin(base, value), caption)
    if not captions:
        return 0
    present = text(body)
    restored = 0
    for img in list(body.iter("img")):
        source = (img.get("src") or "").strip()
        found = captions.get(source) or captions.get(urljoin(base, source))
        if not found or found in present:
            continue
        anchor = img
        parent = anchor.getparent()
        while parent is not None and parent is not body and anchor.tag not in ("p", "div"):
            anchor, parent = parent, parent.getparent()
        element = etree.Element("figcaption")
        element.text = found
        element.tail = anchor.tail
        anchor.tail = None
        anchor.addnext(element)
        present += found
        restored += 1
    return restored


def paragraphs(body: etree._Element) -> list[str]:
    """The text of each paragraph-like element (the innermost ones), in order; text standing
    directly in a container counts as a paragraph of its own."""
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        inner = any(isinstance(child.tag, str) and _has_paragraphs(child) for child in el)
        if not inner:
            value = text(el)
            if value:
                out.append(value)
            return
        loose = collapse_space(el.text or "")
        if loose:
            out.append(loose)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            tail = collapse_space(child.tail or "")
            if tail:
                out.append(tail)

    for child in body:
        if isinstance(child.tag, str):
            walk(child)
    return out


def _has_paragraphs(el: etree._Element) -> bool:
    if el.tag in PARAGRAPH_TAGS:
        return True
    return any(isinstance(d.tag, str) and d.tag in PARAGRAPH_TAGS for d in el.iterdescendants())
