"""Related stories: the page's own related-story navigation as a reader sees it, and why each is listed.

A link is related when it sits in a block headed or marked as related ("More on this story",
"Read next", "Artikel zum Thema", ``class="related-links"``, a previous/next pager — ``blocks.py``),
or inside the story as a cross-link ("Related: …", "[Read: …]", "SEE ALSO: …", a headline standing
alone as a paragraph), or is listed as ``relatedLink`` in the page's structured data. Either way it
must go to another article of the same site (an address shaped like a story, not a section front,
tag or author page) with a headline for text.
"""

from __future__ import annotations

import json
import re

from lxml import etree

from newsreader.core.pages.blocks import Label
from newsreader.core.pages.dom import link_parts, link_text, short_text, text
from newsreader.core.pages.source import Page
from newsreader.core.pages.urls import looks_like_article, path_of, same_document, same_site
from newsreader.core.pages.vocabulary import GENERIC_LINK_TEXT, RELATED_PREFIX, normalise_label

_LABEL_PREFIX = re.compile(
    r"^\s*(?:(?:(?:previous|next|prev)(?: (?:article|post|story))?|read next|related|story|up next)\s*[:：]?"
    r"|(?:also read|read|see also)\s*[:：])\s+",
    re.IGNORECASE,
)
_CONTAINERS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "div", "dd", "blockquote", "i", "em", "strong", "b"})
MIN_HEADLINE_WORDS = 4
STANDALONE = "A headline standing alone in the story: a link to another story."


def clean_title(title: str) -> str:
    """The headline without the label some pages put inside the link ("Next Article", "Story:",
    "[Read: …]")."""
    inner = title.strip()
    if len(inner) > 2 and inner[0] + inner[-1] in ("[]", "()"):
        inner = inner[1:-1].strip()
    stripped = _LABEL_PREFIX.sub("", inner, count=1).strip()
    return stripped or title


def is_headline(title: str) -> bool:
    """Link text a reader would take for a story's headline (not "Read more", "Next", a bare name)."""
    label = normalise_label(title)
    if not label or GENERIC_LINK_TEXT.match(label):
        return False
    words = label.split()
    return len(words) >= 2 or sum(1 for ch in label if ord(ch) > 0x2E7F) >= 6


def block_reason(label: Label, href: str, pg: Page, title: str) -> str | None:
    """Why a link in a related (or previous/next) block is listed, or None when it does not qualify
    (another site, not an article, no headline, or a campaign-tagged promotion)."""
    if not _story_link(href, pg) or not is_headline(title) or "utm_medium=" in href:
        return None
    if label.kind == "prevnext":
        return "The page's previous/next story."
    return label.reason()


def in_story_reason(
    a: etree._Element, href: str, pg: Page, region: etree._Element | None, story: etree._Element | None
) -> tuple[str, etree._Element] | None:
    """An in-story cross-link: its reason and the paragraph that holds it, or None."""
    if region is None or not any(anc is region for anc in a.iterancestors()):
        return None
    block = next((anc for anc in a.iterancestors() if anc.tag in _CONTAINERS), None)
    if block is None:
        return None
    around = short_text(block, 300)
    title = link_text(a)
    if around is None or not title:
        return None
    rest = normalise_label(around.replace(title, " ", 1))
    label = normalise_label(title)
    if _bracketed(a) and len(label.split()) >= MIN_HEADLINE_WORDS and _story_link(href, pg):
        return "A cross-link in the story, in brackets.", a
    if rest and RELATED_PREFIX.match(rest) and _story_link(href, pg):
        return f"A cross-link labelled “{around[: len(around) - len(title)].strip(' [(')}”.", block
    if not rest and len(label.split()) >= MIN_HEADLINE_WORDS and looks_like_article(href) and story is not None:
        paragraph = block if block.tag == "p" else next((x for x in block.iterancestors() if x.tag == "p"), None)
        whole = short_text(paragraph, 300) if paragraph is not None else None
        # the link is the whole paragraph, not a title in italics within a sentence
        alone = whole is not None and not normalise_label(whole.replace(title, " ", 1))
        if paragraph is not None and alone and paragraph.getparent() is story:
            return STANDALONE, paragraph
    return None


def _bracketed(a: etree._Element) -> bool:
    """``… [<a>The 10 Weirdest Ways We Deal with the Dead</a>]``: a cross-link set in brackets."""
    previous = a.getprevious()
    parent = a.getparent()
    before = (previous.tail if previous is not None else parent.text if parent is not None else "") or ""
    return before.rstrip().endswith("[") and (a.tail or "").lstrip().startswith("]")


def _story_link(href: str, pg: Page) -> bool:
    return (
        same_site(href, pg.url)
        and not same_document(href, pg.url)
        and path_of(href) not in ("", "/")
        and looks_like_article(href)
    )


def structured_related(document: etree._Element) -> list[str]:
    """``relatedLink`` addresses from the page's JSON-LD (schema.org ``WebPage``)."""
    found: list[str] = []
    for script in document.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack and len(found) < 50:
            value = stack.pop()
            if isinstance(value, list):
                stack.extend(value[:50])
            elif isinstance(value, dict):
                links = value.get("relatedLink")
                for link in links if isinstance(links, list) else [links]:
                    if isinstance(link, str):
                        found.append(link)
                    elif isinstance(link, dict) and isinstance(link.get("url"), str):
                        found.append(link["url"])
                stack.extend(v for v in value.values() if isinstance(v, list | dict))
    return found


def related_title(a: etree._Element) -> tuple[str, str]:
    title, summary = link_parts(a)
    return clean_title(title or text(a)), summary
