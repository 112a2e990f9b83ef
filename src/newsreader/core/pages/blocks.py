"""Blocks of a page and what they are: which heading or label a link sits under, by what a reader
sees (a heading such as "More on this story", an item label "Sponsored") and by what markup says
(class names such as ``related-links``, ``post-nav``, recommendation-widget vendors).

A *label* is a short piece of text that matches the vocabulary (``vocabulary.py``); its *scope* is
the smallest enclosing element that holds links other than the label's own (for a heading: the
list under it; for an item label: the card around it). Where that element would be too big — the
page's main column — the scope is the label's following siblings instead. A link takes the label
of its nearest scope; within one scope, the nearest label before it (an item card takes its label
wherever it sits). Class-name words count where no label is nearer. The first answer on the way
up wins, so "Most popular" inside a related column, or "Sponsored" inside a menu, decide for
their own links only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from lxml import etree

from newsreader.core.pages.dom import HEADING_TAGS, class_words, first, short_text, text
from newsreader.core.pages.urls import looks_like_article
from newsreader.core.pages.vocabulary import (
    AD_LABEL,
    OTHER_CLASS_RUNS,
    OTHER_CLASS_WORDS,
    OTHER_LABEL,
    OTHER_LABEL_CJK,
    PREV_NEXT_CONTEXT,
    PREV_NEXT_WORDS,
    RELATED_CLASS_RUNS,
    RELATED_LABEL,
    RELATED_LABEL_CJK,
    SPONSORED_CLASS_RUNS,
    SPONSORED_CLASS_WORDS,
    SPONSORED_LABEL,
    WIDGET_VENDORS,
    normalise_label,
)
from newsreader.core.parse.sanitize import collapse_space

WIDGET_WORDS = frozenset(WIDGET_VENDORS)

MAX_LABEL_CHARS = 60
MAX_SCOPE_LINKS = 60
"""A block with more distinct links than this is a page region (a menu, a column), not one block."""
MAX_SCOPE_TEXT = 2500
"""… or one with this much text outside links (the story's own column)."""
BLOCK_LEVEL = frozenset(
    {"div", "section", "ul", "ol", "article", "aside", "nav", "table", "dl", "p", "figure", "iframe"}
)
CARD_LINKS = 3
"""A scope with at most this many distinct links is one item (a card): its label covers all of it."""
MAX_CLIMB = 4
MAX_LABEL_CANDIDATES = 20_000
"""Short texts examined as possible labels; an article page has a few thousand, a hostile one more."""
MAX_ANCESTORS = 14


@dataclass(frozen=True, slots=True)
class Label:
    """What a block is: ``related``, ``sponsored``, ``prevnext`` or ``other`` (popular, latest,
    navigation, tags …), what says so (the text a reader sees, or the class name), and how it was
    recognised: ``heading``, ``prefix`` (a label in front of one link: "Related: <a>…</a>"),
    ``markup`` or ``widget`` (a vendor's recommendation widget)."""

    kind: str
    text: str
    source: str

    def reason(self) -> str:
        if self.source == "widget":
            return f"In a recommendation widget from {self.text} (paid links)."
        if self.source == "prefix":
            return f"A cross-link labelled “{self.text}”."
        if self.source == "markup":
            return f"In a block the page's markup names “{self.text}”."
        if self.kind == "sponsored":
            return f"Labelled “{self.text}”."
        return f"Under the heading “{self.text}”."


@lru_cache(maxsize=4096)
def classify_label(value: str) -> str | None:
    """``related``, ``sponsored``, ``adlabel`` (above a display ad), ``other`` or None for a short
    text a reader sees."""
    label = normalise_label(value)
    if not label or len(label) > MAX_LABEL_CHARS:
        return None
    parts = [p.strip(" -–—") for p in label.replace("｜", "|").split("|")] if "|" in label else [label]
    for part in parts:
        if SPONSORED_LABEL.match(part):
            return "sponsored"
    if AD_LABEL.match(label):
        return "adlabel"
    if OTHER_LABEL.match(label) or OTHER_LABEL_CJK.search(label):
        return "other"
    if RELATED_LABEL.match(label) or RELATED_LABEL_CJK.search(label):
        return "related"
    return None


def _menu_item(link: etree._Element) -> bool:
    """Whether *link* is one entry of a list of links (a menu): a list item of its own among at least
    two other items that hold links."""
    item = next((x for x in islice(link.iterancestors(), 2) if x.tag == "li"), None)
    if item is None:
        return False
    parent = item.getparent()
    if parent is None or parent.tag not in ("ul", "ol"):
        return False
    others = sum(1 for li in parent if li is not item and li.tag == "li" and first(li, ("a",)) is not None)
    return others >= 2


def _runs(runs: tuple[tuple[str, ...], ...]) -> re.Pattern[str]:
    return re.compile(r"(?:^| )(?:" + "|".join(" ".join(r) for r in runs) + r")(?: |$)")


_RELATED_RUN = _runs(RELATED_CLASS_RUNS)
_SPONSORED_RUN = _runs(SPONSORED_CLASS_RUNS)
_OTHER_RUN = _runs(OTHER_CLASS_RUNS)
_NOT_RELATED = frozenset({"topics", "tags", "video", "videos"})
_SITE_CHROME = frozenset({"global", "menu", "masthead", "mega", "header", "footer", "site"})
"""A "related" class name on the site's own menus (``global-nav__related``) is not about this story."""


_MARKUP_WORDS = re.compile(
    "|".join(
        re.escape(word)
        for word in sorted(
            {*WIDGET_WORDS, *SPONSORED_CLASS_WORDS, *PREV_NEXT_WORDS, *OTHER_CLASS_WORDS}
            | {word for run in (*RELATED_CLASS_RUNS, *SPONSORED_CLASS_RUNS, *OTHER_CLASS_RUNS) for word in run}
        )
    )
)
"""Every word :func:`markup_label` looks for: names with none of them in their text say nothing."""


def _chrome(el: etree._Element) -> bool:
    return el.tag in ("footer", "nav", "header", "form") or bool(_SITE_CHROME & set(class_words(el)))


def markup_label(el: etree._Element) -> Label | None:
    """What the element's class names, id and ``data-component`` say it is, if anything."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('data-component') or ''}"
    if not _MARKUP_WORDS.search(raw.lower()):
        return None  # (each word of class_words is a piece of the lower-cased names)
    words = class_words(el)
    if not words:
        return None
    names = [n for n in " ".join(words).split(" |") if n.strip()]
    for raw in names:
        name = raw.strip()
        run = set(name.split())
        for word in run & WIDGET_WORDS:
            if word not in ("ob", "trc") or len(run) > 1:
                return Label("sponsored", WIDGET_VENDORS[word], "widget")
        if SPONSORED_CLASS_WORDS & run or _SPONSORED_RUN.search(name):
            return Label("sponsored", name.replace(" ", "-"), "markup")
        if _RELATED_RUN.search(name) and not _NOT_RELATED & run and not _SITE_CHROME & run:
            return Label("related", name.replace(" ", "-"), "markup")
        if PREV_NEXT_WORDS & run and PREV_NEXT_CONTEXT & run:
            return Label("prevnext", name.replace(" ", "-"), "markup")
    for raw in names:
        name = raw.strip()
        if OTHER_CLASS_WORDS & set(name.split()) or _OTHER_RUN.search(name):
            return Label("other", name.replace(" ", "-"), "markup")
    return None


AFTER, ALL, CARD = "after", "all", "card"
"""How a label covers its scope: the links after it (a heading over a list), all of them (a label
closing a widget), or the scope's main link only (an item label on a card)."""


class Blocks:
    """The labels of one page and the blocks they head; ask :meth:`context` for any link."""

    def __init__(self, document: etree._Element, story: etree._Element | None) -> None:
        self.order: dict[etree._Element, int] = {el: index for index, el in enumerate(document.iter())}
        self.story = story
        self._story_line = set(story.iterancestors()) | {story} if story is not None else set()
        self._markup: dict[etree._Element, Label | None] = {}
        self.scopes: dict[etree._Element, list[tuple[int, Label, str]]] = {}
        self.sibling_scopes: dict[etree._Element, tuple[int, Label]] = {}
        self.label_elements: set[etree._Element] = set()
        self.label_links: set[etree._Element] = set()
        self.card_main: dict[etree._Element, str] = {}
        self._contexts: dict[etree._Element, tuple[Label, etree._Element] | None] = {}
        self._big: dict[etree._Element, bool] = {}
        self._lists: dict[etree._Element, bool] = {}
        self._headed: list[tuple[etree._Element, int, Label]] = []
        self._find_labels(document)
        self._continue_scopes()
        self._sibling_parents = {el.getparent() for el in self.sibling_scopes}

    # labels ---------------------------------------------------------------------------------

    def _find_labels(self, document: etree._Element) -> None:
        seen: set[etree._Element] = set()
        examined = 0
        for node in document.iter():
            if not isinstance(node.tag, str) or node.tag in ("html", "body"):
                continue
            own = (node.text or "").strip()
            if not own or len(own) > MAX_LABEL_CHARS:
                continue
            examined += 1
            if examined > MAX_LABEL_CANDIDATES:
                break
            el = node
            full = collapse_space(own) if not len(node) else short_text(el, MAX_LABEL_CHARS)
            if full is None:
                # a heading whose label comes before a link ("More from this stream <a>WWDC news</a>")
                if node.tag not in HEADING_TAGS or short_text(node, 300) is None:
                    continue
                full = own
            kind = classify_label(full)
            prefix = False
            if kind is None and own != full:
                kind = classify_label(own)
                full = own if kind else full
                prefix = node.tag not in HEADING_TAGS and kind == "related"
            if kind is None:
                continue
            if prefix:
                # "Related: <a>headline</a>" in a paragraph: the label is about its own link only
                for a in islice(node.iter("a"), 1):
                    self.scopes.setdefault(a, []).append((-1, Label(kind, full, "prefix"), ALL))
                continue
            link = el if el.tag == "a" else next((x for x in islice(el.iterancestors(), 3) if x.tag == "a"), None)
            if link is not None and kind == "adlabel" and classify_label(text(link)) == "adlabel":
                continue  # a link that only says "Advertising" is the site's advertise-with-us page
            if link is not None and _menu_item(link):
                continue  # one entry of a menu ("Sponsored Content" among the sections) labels no other
            if link is not None and len(text(link)) <= len(full) + 25:
                el = link  # a heading written as a link ("More from Dawgs By Nature", "NextAdvisor Paid Partner")
            if el in seen:
                continue
            seen.add(el)
            self._add_label(el, Label(kind, full, "heading"))

    def _add_label(self, el: etree._Element, label: Label) -> None:
        own_links = {a.get("href") for a in el.iter("a")}
        if len(own_links) > 1:
            return  # a list of links is not a label
        if el.tag == "a":
            self.label_links.add(el)
        elif label.kind == "sponsored" and own_links:
            for a in el.iter("a"):
                self.scopes.setdefault(a, []).append((-1, label, ALL))  # "Brought to you by <a>Sponsor</a>"
        if self._is_badge(el):
            self._add_badge(el, label)
            return
        node = el
        climbed = 0
        for climbed in range(MAX_CLIMB):  # noqa: B007 (how far the climb went counts below)
            parent = node.getparent()
            if parent is None or parent.tag in ("html", "body") or parent in self._story_line:
                break
            hrefs = self._hrefs(parent, exclude=el)
            if hrefs is None or self._too_big(parent):
                break
            if not hrefs and any(a.get("href") == "" for a in parent.iter("a")):
                return  # an item template whose links were never filled in (an empty ad or partner slot)
            if hrefs:
                if self._another_heading_first(parent, el):
                    return  # the label's own block is empty (a widget filled by script); the links are another block's
                self._add_scope(parent, el, label, hrefs)
                return
            node = parent
        else:
            return  # nothing under the label: an empty widget
        if climbed > 1 or short_text(node, MAX_LABEL_CHARS + 20) is None:
            return  # the label's own block (an empty widget) sits in the big column, not the label alone
        # a heading sitting in a big column: the blocks after it, up to the next heading
        self.sibling_scopes[node] = (self.order.get(el, 0), label)
        self.label_elements.add(el)

    def _another_heading_first(self, scope: etree._Element, el: etree._Element) -> bool:
        """Whether, after the label, another heading (one that is not a link) comes before any link."""
        start = self.order.get(el, 0)
        inside = set(el.iter())
        for node in scope.iter():
            if node in inside or self.order.get(node, 0) <= start:
                continue
            if node.tag == "a" and (node.get("href") or "#")[0] != "#":
                return False
            heading = node.tag in HEADING_TAGS and text(node) and first(node, ("a",)) is None
            if heading and not any(anc.tag == "a" for anc in node.iterancestors()):
                return True
        return False

    def _add_scope(self, scope: etree._Element, el: etree._Element, label: Label, hrefs: set[str]) -> None:
        at = self.order.get(el, 0)
        self.label_elements.add(el)
        if label.kind == "sponsored" and (scope.tag == "footer" or "footer" in class_words(scope)):
            # a widget's footer credits its sponsor ("From our sponsor"): the label covers the widget
            widget = scope.getparent()
            more = self._hrefs(widget) if widget is not None and widget not in self._story_line else None
            if widget is not None and more is not None and len(more) <= 20 and not self._too_big(widget):
                self.scopes.setdefault(widget, []).append((at, label, ALL))
                return
        item_label = label.kind in ("sponsored", "adlabel", "other")
        if item_label and len(hrefs) <= CARD_LINKS:
            self.scopes.setdefault(scope, []).append((at, label, CARD))
            # one item: its main link is the one with the longest text (the headline), not the kicker
            best = max(
                (a for a in scope.iter("a") if a.get("href") and a not in self.label_links),
                key=lambda a: len(text(a)),
                default=None,
            )
            if best is not None:
                self.card_main[scope] = best.get("href", "")
            return
        after = any(self.order.get(a, 0) > at for a in scope.iter("a") if a.get("href") and a not in el.iter("a"))
        if not after and label.kind == "sponsored":
            # the label closes its widget ("From our sponsor" under ticket offers): it covers the widget
            parent = scope.getparent()
            widget = parent if parent is not None and not self._too_big(parent) else None
            more = self._hrefs(widget) if widget is not None and widget not in self._story_line else None
            if widget is not None and more is not None and len(more) <= 20:
                self.scopes.setdefault(widget, []).append((at, label, ALL))
                return
        self.scopes.setdefault(scope, []).append((at, label, AFTER))
        if label.kind == "related":
            self._headed.append((scope, at, label))

    def _continue_scopes(self) -> None:
        """Blocks right after a labelled list with no heading of their own continue it (a related
        list split into a row of cards and a row of lines)."""
        for scope, at, label in self._headed:
            x = scope
            for _ in range(2):
                more: list[etree._Element] = []
                sib = x.getnext()
                while sib is not None and len(more) < 3:
                    if isinstance(sib.tag, str):
                        hrefs = self._hrefs(sib)
                        if not hrefs or self._too_big(sib) or self._starts_with_heading(sib) or _chrome(sib):
                            break
                        if sum(looks_like_article(h) for h in hrefs) * 2 < len(hrefs):
                            break  # not more stories: the site's own links (a footer, a menu)
                        if not self._link_list(sib) or (sib.tag == "p" and self._prose(sib)):
                            break  # prose with links in it (the story going on), not a list of stories
                        more.append(sib)
                    sib = sib.getnext()
                if more:
                    for block in more:
                        self.scopes.setdefault(block, []).append((at, label, ALL))
                    break
                parent = x.getparent()
                if parent is None or parent in self._story_line or parent.tag in ("body", "html"):
                    break
                if any(c is not x and isinstance(c.tag, str) and self._hrefs(c) for c in parent):
                    break
                x = parent

    def _link_list(self, el: etree._Element) -> bool:
        """Mostly link text: more characters inside links than outside them (a standfirst aside)."""
        found = self._lists.get(el)
        if found is None:
            total = sum(len(piece) for piece in el.itertext())
            in_links = sum(len(piece) for a in islice(el.iter("a"), 200) for piece in a.itertext())
            found = self._lists[el] = total - in_links <= max(in_links, 150)
        return found

    @staticmethod
    def _prose(el: etree._Element) -> bool:
        """More text outside its links than inside them: a sentence that cites a story."""
        total = sum(len(piece.strip()) for piece in el.itertext())
        in_links = sum(len(piece.strip()) for a in islice(el.iter("a"), 50) for piece in a.itertext())
        return total - in_links > in_links

    def _starts_with_heading(self, el: etree._Element) -> bool:
        for node in islice(el.iter(), 400):
            if node in self.label_elements or node in self.sibling_scopes:
                return True
            if node.tag == "a" and node.get("href"):
                return False
            if node.tag in HEADING_TAGS and text(node):
                return True
        return False

    def _is_badge(self, el: etree._Element) -> bool:
        """A label written after text in the same paragraph ("… Try it free! [Sponsored]")."""
        parent = el.getparent()
        if parent is None or parent.tag not in ("p", "div", "li") or el.getnext() is not None:
            return False
        position = self.order.get(el, 0)
        if (parent.text or "").strip():
            return True
        return any(
            ((c.tail or "").strip() or text(c)) for c in parent if c is not el and self.order.get(c, 0) < position
        )

    def _add_badge(self, el: etree._Element, label: Label) -> None:
        block = el.getparent()
        assert block is not None
        hrefs = self._hrefs(block, exclude=el)
        if hrefs:
            self._add_scope(block, el, label, hrefs)
            return
        sib = block.getprevious()
        for _ in range(3):
            if sib is None:
                return
            hrefs = self._hrefs(sib)
            if hrefs and len(hrefs) <= CARD_LINKS:
                self.scopes.setdefault(sib, []).append((-1, label, ALL))
                self.label_elements.add(el)
                return
            sib = sib.getprevious()

    def _hrefs(self, el: etree._Element, exclude: etree._Element | None = None) -> set[str] | None:
        hrefs: set[str] = set()
        inside = set(exclude.iter("a")) if exclude is not None else set()
        for a in islice(el.iter("a"), MAX_SCOPE_LINKS * 4):
            href = a.get("href")
            if href and a not in inside and not href.startswith(("#", "javascript:")):
                hrefs.add(href)
                if len(hrefs) > MAX_SCOPE_LINKS:
                    return None
        return hrefs

    def _too_big(self, el: etree._Element) -> bool:
        total = 0
        for piece in el.itertext():
            total += len(piece)
            if total > MAX_SCOPE_TEXT * 3:
                break
        if total <= MAX_SCOPE_TEXT:
            return False
        in_links = sum(len(text(a)) for a in islice(el.iter("a"), 300))
        return total - in_links > MAX_SCOPE_TEXT

    # links ----------------------------------------------------------------------------------

    def context(self, a: etree._Element) -> tuple[Label, etree._Element] | None:
        """The label the link sits under and the element it heads, if any."""
        if a not in self._contexts:
            self._contexts[a] = self._context(a)
        return self._contexts[a]

    def _context(self, a: etree._Element) -> tuple[Label, etree._Element] | None:
        if a in self.label_links:
            return None
        position = self.order.get(a, 0)
        own = self._labelled_scope(a, -1) or self._labelled_scope(a, 1 << 30)
        if own is not None:
            return own, a
        weak: tuple[Label, etree._Element] | None = None  # class names saying "sponsored": a heading may say more
        previous: etree._Element = a
        for depth, anc in enumerate(a.iterancestors()):
            if depth > MAX_ANCESTORS or anc.tag in ("body", "html"):
                break
            found = self._labelled_scope(anc, position)
            if found is not None:
                main = self.card_main.get(anc)
                if (
                    main is not None
                    and any(at_mode[2] == CARD for at_mode in self.scopes[anc])
                    and a.get("href") != main
                ):
                    return weak  # a card's kicker or source link, not its item
                return found, anc
            sibling = self._sibling_label(previous, position)
            if sibling is not None:
                return sibling, previous
            if anc not in self._story_line and weak is None:
                label = self._markup_label(anc)
                if label is not None:
                    if label.kind == "sponsored" and label.source == "markup":
                        weak = (label, anc)
                    else:
                        return label, anc
            previous = anc
        return weak

    def _labelled_scope(self, anc: etree._Element, position: int) -> Label | None:
        entries = self.scopes.get(anc)
        if not entries:
            return None
        best: tuple[int, Label] | None = None
        for at, label, mode in entries:
            if (mode != AFTER or at < position) and (best is None or at > best[0]):
                best = (at, label)
        return best[1] if best else None

    def _sibling_label(self, el: etree._Element, position: int) -> Label | None:
        """A heading among the preceding siblings of *el* (within a few), whose blocks run on to here."""
        if el.getparent() not in self._sibling_parents:
            return None
        sib = el.getprevious()
        for _ in range(12):
            if sib is None:
                return None
            found = self.sibling_scopes.get(sib)
            if found is not None and found[0] < position:
                return found[1]
            if sib in self.label_elements or (
                isinstance(sib.tag, str) and (self._is_big(sib) or not self._link_list(sib))
            ):
                return None  # another block's heading, or story text: the run has ended
            sib = sib.getprevious()
        return None

    def _is_big(self, el: etree._Element) -> bool:
        if el not in self._big:
            self._big[el] = short_text(el, 400) is None
        return self._big[el]

    def _markup_label(self, el: etree._Element) -> Label | None:
        if el not in self._markup:
            label = markup_label(el)
            if label is not None and label.kind != "other":
                hrefs = self._hrefs(el) if label.source != "widget" else set()
                if hrefs is None:
                    label = None
            self._markup[el] = label
        return self._markup[el]

    def is_card(self, scope: etree._Element) -> bool:
        """Whether a labelled scope is one item (a card) rather than a list."""
        return scope in self.card_main
