"""The HTML the story pane shows: header, body (full article or the feed's content) and notes.

Pure functions of stored values; the stylesheet comes from ``resources/story.css`` with the
palette's colours filled in.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

import lxml.html

from newsreader.core.models import Story
from newsreader.core.package_data import read_text
from newsreader.core.pages.model import PageAnalysis
from newsreader.core.reading import story_body

IMAGE_SCHEME = "nr-image"
"""Images the app has cached locally; the only images the renderer shows without asking."""


@dataclass(frozen=True, slots=True)
class Colors:
    """The palette colours the stylesheet needs, as CSS colour strings."""

    text: str = "#1d1d1f"
    link: str = "#0b57d0"
    muted: str = "#6b6b70"
    error: str = "#b3261e"
    code_bg: str = "#f0f0f2"


@cache
def _stylesheet_template() -> str:
    return read_text("newsreader.app", "resources/story.css")


def stylesheet(colors: Colors, font_size: int) -> str:
    """The story stylesheet for a palette and a base font size in points."""
    values = {
        "text": colors.text,
        "link": colors.link,
        "muted": colors.muted,
        "error": colors.error,
        "code_bg": colors.code_bg,
        "font_size": str(font_size),
        "h1_size": str(round(font_size * 1.6)),
        "small_size": str(max(6, round(font_size * 0.85))),
    }
    text = _stylesheet_template()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def without_remote_images(fragment: str, cached: Mapping[str, str] | None = None) -> str:
    """Point images that are in the local cache (*cached*: URL → file digest) at it, and replace the
    others by a link to them, so that nothing remote loads by itself."""
    if "<img" not in fragment.lower():
        return fragment
    cached = cached or {}
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for image in list(root.iter("img")):
        source = image.get("src") or ""
        if source in cached:
            image.set("src", f"{IMAGE_SCHEME}:{cached[source]}")
            continue
        if urlsplit(source).scheme == IMAGE_SCHEME:
            continue
        alt = (image.get("alt") or "").strip()
        label = f"[image: {alt}]" if alt else "[image]"
        replacement = lxml.html.Element("a" if source.startswith(("http://", "https://")) else "span")
        if replacement.tag == "a":
            replacement.set("href", source)
        replacement.set("class", "image-placeholder")
        replacement.text = label
        replacement.tail = image.tail
        parent = image.getparent()
        if parent is not None:
            parent.replace(image, replacement)
    inner = (root.text and html.escape(root.text)) or ""
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


BLOCK_TAGS = frozenset(
    {"p", "div", "li", "td", "th", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "section", "article"}
)
"""Elements an image is lifted out of, so that it stands on its own line rather than at the end of one."""


def _image_unit(image: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The image, or the link that holds nothing else but it (a linked picture moves as one)."""
    parent = image.getparent()
    if (
        parent is not None
        and parent.tag == "a"
        and not (parent.text or "").strip()
        and len(parent) == 1
        and not (image.tail or "").strip()
    ):
        return parent
    return image


def images_as_blocks(fragment: str) -> str:
    """Give every image a paragraph of its own and keep figures' captions under them.

    Qt's rich text places an ``<img>`` inline, so a picture inside (or at the end of) a paragraph
    sits at the end of a line of text. Each image is moved into a ``<p class="image">`` right after
    the paragraph it was in (the text around it stays in place); ``<figure>``/``<figcaption>``,
    which Qt does not know, become a block and a caption paragraph."""
    lowered = fragment.lower()
    if "<img" not in lowered and "<fig" not in lowered:
        return fragment
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for caption in list(root.iter("figcaption")):
        caption.tag = "p"
        caption.set("class", "caption")
    for figure in list(root.iter("figure")):
        figure.tag = "div"
        figure.set("class", "figure")
    for image in list(root.iter("img")):
        unit = _image_unit(image)
        block = unit.getparent()
        while block is not None and block is not root and block.tag not in BLOCK_TAGS:
            block = block.getparent()
        if block is None:
            continue
        if block.tag == "p" and block.get("class") != "caption" and _only_images(block):
            block.set("class", "image")
            continue
        if block.tag in ("div", "section", "article") and unit.getparent() is block:
            holder = lxml.html.Element("p")
            holder.set("class", "image")
            unit.addprevious(holder)
            tail = unit.tail
            unit.tail = None
            holder.append(unit)
            holder.tail = tail
            continue
        if block.tag != "p":
            continue  # list items, table cells, quotes: the image stays where the author put it
        holder = lxml.html.Element("p")
        holder.set("class", "image")
        _detach(unit)
        holder.append(unit)
        block.addnext(holder)
    for paragraph in list(root.iter("p")):
        if paragraph.get("class") != "image" and not _text_of(paragraph).strip() and not len(paragraph):
            _detach(paragraph)
    inner = (root.text and html.escape(root.text)) or ""
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def _text_of(element: lxml.html.HtmlElement) -> str:
    return "".join(element.itertext())


def _only_images(block: lxml.html.HtmlElement) -> bool:
    """Whether *block* holds images (possibly linked) and no text."""
    return not _text_of(block).strip() and all(
        child.tag == "img" or (child.tag == "a" and [c.tag for c in child] == ["img"]) or child.tag == "br"
        for child in block
    )


def _detach(element: lxml.html.HtmlElement) -> None:
    """Remove *element* but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    element.tail = None
    parent.remove(element)


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%a %d %b %Y, %H:%M")


def _size(length: int | None) -> str:
    if not length:
        return ""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if length >= scale:
            return f"{length / scale:.1f} {unit}"
    return f"{length} bytes"


def enclosures_html(story: Story) -> str:
    """The story's media files (enclosures, Media RSS, podcast alternates) as a list of links."""
    if not story.enclosures:
        return ""
    items = []
    for enclosure in story.enclosures:
        name = enclosure.url.rstrip("/").rsplit("/", 1)[-1] or enclosure.url
        details = ", ".join(part for part in (enclosure.type or "", _size(enclosure.length)) if part)
        suffix = f" ({html.escape(details)})" if details else ""
        items.append(f'<li><a href="{html.escape(enclosure.url, quote=True)}">{html.escape(name)}</a>{suffix}</li>')
    return f'<h3>Attachments</h3><ul class="enclosures">{"".join(items)}</ul>'


def story_document(
    story: Story,
    page: PageAnalysis | None,
    *,
    cached: Mapping[str, str] | None = None,
    page_error: str | None = None,
) -> str:
    """The whole HTML document for the story pane; images come only from the cache (*cached*)."""
    body, origin = story_body(story, page)
    body = images_as_blocks(without_remote_images(body, cached))
    title = html.escape(story.title or "(untitled)")
    heading = f'<a href="{html.escape(story.link, quote=True)}">{title}</a>' if story.link else title
    meta = [html.escape(story.feed_title)]
    author = (page.byline if page is not None and page.byline else None) or story.author
    if author:
        meta.append(html.escape(author))
    meta.append(_when(story.published))
    notes = []
    lead = (cached or {}).get(page.lead_image or "") if page is not None else None
    if lead and f"{IMAGE_SCHEME}:{lead}" not in body:
        body = f'<p class="image"><img src="{IMAGE_SCHEME}:{lead}"></p>{body}'

    if origin == "article":
        notes.append("Full article, downloaded for offline reading.")
    elif story.link and page_error:  # a note, not an alarm: the story is here, from its feed
        notes.append(
            f"The feed's text: the full article could not be downloaded ({html.escape(page_error.rstrip('.'))}). "
            "“Fetch full article” tries again."
        )
    elif story.link:
        notes.append("The feed's text. “Fetch full article” downloads the page for offline reading.")
    if story.sponsored:
        notes.append(f"Sponsored: {html.escape(story.sponsored_reason or 'flagged by the rules')}")
    note_html = "".join(f'<p class="note">{note}</p>' for note in notes)
    return (
        f'<html><body><h1>{heading}</h1><p class="meta">{" · ".join(meta)}</p>{note_html}'
        f"<div>{body}</div>{enclosures_html(story)}</body></html>"
    )
