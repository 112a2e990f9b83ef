"""The reading view of a story: everything the three reading panes (and ``newsreader show``) need,
built in one go off the GUI thread — the body to show (the downloaded article when there is one),
the images it shows that are in the offline cache, the related stories by kind with their reasons,
and the sponsored items with theirs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsreader.core.models import RelatedStories, Story

if TYPE_CHECKING:  # page analysis (lxml) is loaded only by what reads pages
    from newsreader.core.pages.analyze import PageAnalysis, SponsoredLink

SOURCE_SPONSORED_LIMIT = 10
"""How many of the source's other sponsored stories the sponsored pane lists."""


@dataclass(frozen=True, slots=True)
class SponsoredItems:
    """The sponsored items shown with a story, each carrying the reason it was flagged."""

    on_page: tuple[SponsoredLink, ...] = ()
    """Sponsored links and blocks of the story's article page."""
    from_source: tuple[Story, ...] = ()
    """Other stories of the same feed flagged as sponsored (newest first)."""
    this_story: Story | None = None
    """The story itself, when it is flagged."""

    @property
    def count(self) -> int:
        """How many items there are."""
        return len(self.on_page) + len(self.from_source) + (1 if self.this_story is not None else 0)


@dataclass(frozen=True, slots=True)
class ReadingView:
    """One story as the reading panes show it."""

    story: Story
    body_html: str
    """Sanitised HTML: the article page's story, else the feed's content, else its summary."""
    body_origin: str
    """``article``, ``feed`` or ``summary``."""
    page: PageAnalysis | None
    page_error: str | None
    """Why the article page could not be used, when it was tried and failed."""
    images: tuple[str, ...]
    """The images the body shows (absolute URLs, the article's lead image first)."""
    cached_images: Mapping[str, str] = field(default_factory=dict)
    """Those of :attr:`images` in the offline cache: URL → file digest."""
    related: RelatedStories = field(default_factory=lambda: RelatedStories((), (), (), (), (), ()))
    sponsored: SponsoredItems = field(default_factory=SponsoredItems)


def story_body(story: Story, page: PageAnalysis | None) -> tuple[str, str]:
    """The body to show and where it came from (``article``, ``feed``, ``summary``): the article page's
    story when it was downloaded and has text, else the feed's content, else its summary."""
    if page is not None and page.story_text.strip():
        return page.story_html, "article"
    if story.content_html.strip():
        return story.content_html, "feed"
    return story.summary_html, "summary"


def body_images(story: Story, page: PageAnalysis | None) -> list[str]:
    """The images the body shows: the article's lead image and those in the body, as absolute URLs."""
    from newsreader.core.images import story_image_urls

    body, _origin = story_body(story, page)
    base = (page.url if page is not None else None) or story.link
    return story_image_urls(body, base, page.lead_image if page is not None else None)


def sponsored_items(story: Story, on_page: tuple[SponsoredLink, ...], source_sponsored: list[Story]) -> SponsoredItems:
    """The sponsored pane's items for *story*: the sponsored links of its article page (or of its own
    HTML, when no page was downloaded), the source's other sponsored stories (*source_sponsored*,
    newest first) and the story itself when it is flagged."""
    return SponsoredItems(
        on_page=on_page,
        from_source=tuple(s for s in source_sponsored if s.id != story.id),
        this_story=story if story.sponsored else None,
    )
