"""Frozen values passed between the library and its clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsreader.core.related.terms import Terms


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file attached to a story (podcast audio, video, image)."""

    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One feed entry after normalisation: plain-text title, sanitised HTML, UTC dates."""

    key: str
    """Stable identity within the feed: guid/id, else link, else a content hash."""
    guid: str | None
    link: str | None
    title: str
    author: str | None
    published: datetime | None
    updated: datetime | None
    summary_html: str
    content_html: str
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    text: str = ""
    """Plain text of the content (else the summary), for the search index."""
    digest: str = ""
    """A hash of the stored fields: a changed digest means the stored story needs rewriting."""
    link_count: int = 0
    """Links in the entry's HTML as the feed sent it (before sanitising)."""
    sponsored_link_count: int = 0
    """Of those, links marked ``rel="sponsored"`` (paid or affiliate placements)."""
    canonical_link: str | None = None
    title_key: str = ""
    terms: Terms | None = None
    """What the headline and lead say (``related.same_story.story_terms``), when the parser
    process analysed them: the single writer then need not."""
    key_terms: tuple[str, ...] = ()
    """The most telling of those terms (``related.same_story.key_terms``), which index the story."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed document after normalisation."""

    title: str
    site_url: str | None
    entries: tuple[ParsedEntry, ...]
    format: str
    """``rss``, ``atom``, ``rdf`` or ``json`` (plus the parser that read it in ``parser``)."""
    parser: str = "fast"
    """``fast`` (lxml), ``feedparser`` or ``jsonfeed``."""


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of feeds (one level)."""

    id: int
    name: str
    account: str | None = None
    """The sync account whose server holds the folder (named ``ACCOUNT/Title``), or None for a local one."""


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription and its state as stored."""

    id: int
    url: str
    title: str
    folder: str | None
    site_url: str | None
    enabled: bool
    update_interval: int | None
    """Seconds between scheduled checks; ``None`` uses the library default."""
    auth_user: str | None
    full_articles: bool | None
    """Download full article pages; ``None`` decides from the feed's content."""
    retention_max_age_days: int | None
    retention_max_count: int | None
    last_checked: datetime | None
    last_updated: datetime | None
    next_check: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    disabled_reason: str | None
    unread: int = 0
    total: int = 0
    feed_title: str = ""
    """The title the feed gives itself (updated by every refresh); ``title`` shows the user's own
    name for the feed (``user_title``: renamed, or from an imported OPML file) when there is one."""
    user_title: str | None = None
    account: str | None = None
    """The sync account the feed belongs to (its server holds it), or None for the local library."""


@dataclass(frozen=True, slots=True)
class Story:
    """A stored story; ``content_html`` is only filled by :meth:`Library.get_story`."""

    id: int
    feed_id: int
    feed_title: str
    guid: str | None
    link: str | None
    title: str
    author: str | None
    published: datetime
    updated: datetime | None
    first_seen: datetime
    read: bool
    starred: bool
    sponsored: bool
    sponsored_reason: str | None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    summary_html: str = ""
    content_html: str = ""
    group_id: int | None = None
    """Stories of other feeds reporting the same event share this id."""
    account: str | None = None
    """The sync account whose server holds the story, or None for the local library."""


class RefreshStatus(Enum):
    """How one feed's refresh ended."""

    UPDATED = "updated"
    NOT_MODIFIED = "not_modified"
    UNCHANGED = "unchanged"
    """The server sent the same body again (no validators); nothing re-parsed."""
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not asked: a server's Retry-After or a cancelled refresh."""
    OFFLINE = "offline"
    """The network was down (see :mod:`newsreader.core.connectivity`): the feed was not asked, or its
    server could not be reached, and it was left as it was — no error, no new schedule."""


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What happened to one feed during a refresh; streamed as each feed finishes."""

    feed_id: int
    url: str
    title: str
    status: RefreshStatus
    new_stories: int = 0
    updated_stories: int = 0
    error: str | None = None
    new_story_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """Where a refresh is: ``done`` of ``total`` feeds, with the latest result."""

    done: int
    total: int
    result: RefreshResult


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    """A feed offered by a web page (``<link rel="alternate">``) or found at a common path."""

    url: str
    title: str | None
    format: str | None = None


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One subscription read from an OPML file."""

    url: str
    title: str | None
    folder: str | None
    site_url: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an OPML import did: added feeds, and what it skipped with the reason."""

    added: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())
    folders_created: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a story is sponsored, and the reason in words a reader understands."""

    sponsored: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """One entry of a related-stories list; ``story_id`` is None for a page link not in the library."""

    story_id: int | None
    title: str
    link: str | None
    feed_id: int | None
    feed_title: str | None
    published: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class RelatedStories:
    """Everything a reader might want after a story, by kind."""

    prev: tuple[RelatedItem, ...]
    next: tuple[RelatedItem, ...]
    more_from_source: tuple[RelatedItem, ...]
    same_story: tuple[RelatedItem, ...]
    related: tuple[RelatedItem, ...]
    from_page: tuple[RelatedItem, ...]


@dataclass(frozen=True, slots=True)
class PageProgress:
    """One article page handled by :meth:`Library.fetch_pages`: ``done`` of ``total``."""

    done: int
    total: int
    story_id: int
    url: str
    error: str | None = None
    images: int = 0
    """Images of the story now in the offline cache."""
    requested: bool = True
    """False when the page was not asked for (the refresh stopped, or its host did not answer):
    the next refresh takes it up."""
    waiting_host: str | None = None
    """The server (``host:port``) not asked for it because it did not answer moments ago or lately."""


class Stage(Enum):
    """The stages of a refresh, in the order they run."""

    FEEDS = "feeds"
    PAGES = "pages"
    IMAGES = "images"
    ICONS = "icons"

    @property
    def label(self) -> str:
        """The stage's name for people."""
        return {"feeds": "Feeds", "pages": "Article pages", "images": "Images", "icons": "Icons"}[self.value]


@dataclass(frozen=True, slots=True)
class StageProgress:
    """One step of a refresh (see :meth:`Library.update`): ``done`` of ``total`` items of ``stage``,
    ``failed`` of them failed so far. The last value of each stage has ``finished`` set and sums it
    up; ``left`` counts what the next refresh takes up (out of time, cancelled, or not reached for want
    of a network)."""

    stage: Stage
    done: int
    total: int
    failed: int = 0
    added: int = 0
    """New stories (feeds), pages stored, images cached, feeds with an icon — so far."""
    feed: RefreshResult | None = None
    """The feed just handled (feeds stage)."""
    page: PageProgress | None = None
    """The page just handled (pages stage)."""
    error: str | None = None
    """Why the item just handled failed, one sentence."""
    finished: bool = False
    left: int = 0
    out_of_time: bool = False
    """The stage stopped because the time the stages after the feeds get ran out (with ``finished``
    and ``left``)."""
    waiting_hosts: tuple[str, ...] = ()
    """Servers (``host:port``) not asked in this stage because they did not answer moments ago or
    lately (their pages are part of ``left``), A to Z; with ``finished``."""
    offline: bool = False
    """The network was down (feeds stage, with ``finished``): no feed could be reached, or it was lost
    during the refresh (``left`` of ``total`` feeds not reached); none was marked failed for it, and
    the later stages did not run (see :mod:`newsreader.core.connectivity`)."""

    @property
    def fraction(self) -> float:
        """How far the whole refresh is, 0 to 1; never goes back as a refresh goes on."""
        stages = list(Stage)
        within = 1.0 if self.finished else (self.done / self.total if self.total else 0.0)
        return (stages.index(self.stage) + min(1.0, within)) / len(stages)


@dataclass(frozen=True, slots=True)
class Account:
    """A sync account: a server (``kind`` ``greader``, ``fever`` or ``ttrss``) holding feeds and their
    read/starred state. The password is in the keyring, never here."""

    id: int
    name: str
    kind: str
    url: str
    user: str
    added_at: datetime
    last_sync: datetime | None
    """When the last sync finished without an error."""
    last_attempt: datetime | None
    last_error: str | None
    """Why the last sync stopped early (None when it completed)."""
    feeds: int = 0
    queued: int = 0
    """Local changes waiting to be sent."""
    refused: int = 0
    """Local changes the server refused (kept with its reasons)."""


@dataclass(frozen=True, slots=True)
class QueuedChange:
    """A local change of an account's story or feed that waits for its server (or that it refused)."""

    id: int
    account: str
    op: str
    """``read``, ``unread``, ``star``, ``unstar``, ``subscribe``, ``unsubscribe``, ``rename``, ``move``."""
    target: str
    """The server's id of the item or feed (for ``subscribe``: the feed's address)."""
    created: datetime
    refused: str | None
    """The server's reason for refusing it, or None while it waits."""
    title: str | None = None
    """The story's (or feed's) title, when the library still holds it."""
