"""The values page analysis produces, and their stored (JSON) form."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class PageLink:
    """A related story on the page: its title, standfirst, address and why it counts as related."""

    title: str
    summary: str
    href: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SponsoredLink:
    """A sponsored link or block item on the page, where it sits (``in-story``, ``sidebar``,
    ``footer``, ``page``) and why it was flagged."""

    text: str
    summary: str
    href: str
    placement: str
    reason: str


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """Everything page analysis produces. ``related`` includes the previous/next stories the page
    links to (also given alone as ``prev``/``next``); ``ad_slots`` and ``trackers`` count what was
    removed."""

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


def analysis_to_json(page: PageAnalysis) -> str:
    """A stored form of an analysis (re-analysing needs the page; this keeps what reading needs)."""
    return json.dumps(asdict(page), ensure_ascii=False)


def analysis_from_json(text: str) -> PageAnalysis:
    """Inverse of :func:`analysis_to_json`; also reads analyses stored before links had reasons."""
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
