"""The :class:`Library` facade: the one entry point the CLI and the desktop app use.

Built by :func:`open_library`. Reads and small writes go straight to storage (one SQLite
connection per thread); a refresh streams :class:`RefreshProgress` values as feeds finish.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from newsreader.core.errors import (
    FetchError,
    NewsreaderError,
    NotAFeedError,
    OpmlError,
    ParseError,
    SettingsError,
    StorageError,
    UnknownIdError,
    UnusableLibraryError,
)
from newsreader.core.models import (
    DiscoveredFeed,
    Feed,
    Folder,
    ImportReport,
    OpmlOutline,
    PageProgress,
    RefreshProgress,
    RelatedItem,
    RelatedStories,
    Story,
)
from newsreader.core.paths import database_path
from newsreader.core.storage.db import FeedState, Storage

if TYPE_CHECKING:
    from newsreader.core.classify import FeedRules
    from newsreader.core.classify.rules import Rules
    from newsreader.core.fetch.http import Fetcher, FetchLimits
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.analyze import PageAnalysis
    from newsreader.core.pages.download import ImageOutcome, PageOutcome
    from newsreader.core.pages.filters import PageFilters
    from newsreader.core.update import ProcessParser

DEFAULT_WORKERS = 48
"""Concurrent feed requests in a refresh (threads that mostly wait on the network; parsing runs in
worker processes). Politeness comes from the per-host cap (:class:`FetchLimits.per_host`)."""
MAX_WORKERS = 64
PROCESS_POOL_MIN_FEEDS = 40
"""Refreshes of at least this many feeds parse in worker processes (starting them costs ~0.2 s)."""


class Keep(Enum):
    """Marks a setting left as it is (``None`` already means "back to the default")."""

    KEEP = "keep"


class MultipleFeedsError(NewsreaderError):
    """A web page offers several feeds; the caller picks one (``candidates``)."""

    def __init__(self, url: str, candidates: Sequence[DiscoveredFeed]) -> None:
        super().__init__(f"{url} offers {len(candidates)} feeds; choose one of them.")
        self.url = url
        self.candidates = tuple(candidates)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def fts_query(text: str) -> str:
    """A safe FTS5 query from what a user typed: every word must match (prefix match on the last)."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class Library:
    """A newsreader library: subscriptions, stories and their state in one SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        limits: FetchLimits | None = None,
        clock: Callable[[], datetime] = _now,
        parse_processes: int | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.path = path
        self.cache_dir = cache_dir or path.parent / "cache"
        """Downloaded images (the platform's user cache dir for the default library)."""
        self._parse_processes = parse_processes
        self._limits = limits
        self._clock = clock
        self._local = threading.local()
        self._fetcher: Fetcher | None = None
        self._fetcher_lock = threading.Lock()
        self._rules: Rules | None = None
        self.set_aside: Path | None = None
        """Where an unusable library file found at open was moved (a new library took its place)."""
        self.set_aside_reason: str | None = None
        try:
            self._storage()  # open (and migrate) now, so errors surface at open time
        except UnusableLibraryError as exc:
            self.set_aside = _set_aside(path, self._clock())
            self.set_aside_reason = str(exc)
            self._storage()

    @property
    def set_aside_message(self) -> str | None:
        """One sentence for the user when an unusable library file was set aside at open."""
        if self.set_aside is None:
            return None
        return (
            f"{self.path} was damaged or not a newsreader library, so it was moved to {self.set_aside} "
            "(nothing in it was changed) and a new, empty library was started."
        )

    # plumbing --------------------------------------------------------------------------------

    def _storage(self) -> Storage:
        storage: Storage | None = getattr(self._local, "storage", None)
        if storage is None:
            storage = Storage(self.path)
            self._local.storage = storage
        return storage

    def fetcher(self) -> Fetcher:
        """The shared HTTP fetcher (created on first use: read-only commands never import requests)."""
        with self._fetcher_lock:
            if self._fetcher is None:
                from newsreader.core.fetch.http import Fetcher

                self._fetcher = Fetcher(self._limits, proxy=self.get_setting("proxy") or None)
            return self._fetcher

    def close_thread(self) -> None:
        """Close the calling thread's database connection (a worker thread that is about to end)."""
        storage: Storage | None = getattr(self._local, "storage", None)
        if storage is not None:
            storage.close()
            self._local.storage = None

    def close(self) -> None:
        """Close this thread's database connection and the HTTP connections."""
        self.close_thread()
        if self._fetcher is not None:
            self._fetcher.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # settings --------------------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A library-wide setting stored in the database."""
        row = self._storage().execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_setting(self, key: str, value: str | None) -> None:
        """Store (or with None, remove) a library-wide setting."""
        with self._storage().transaction() as db:
            if value is None:
                db.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                db.execute(
                    "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                    "value = excluded.value",
                    (key, value),
                )
        if key == "proxy":
            # the next request builds a fetcher with the new proxy; one in use keeps working until done
            with self._fetcher_lock:
                self._fetcher = None

    def default_interval(self) -> int:
        """Seconds between scheduled checks for feeds without their own interval."""
        from newsreader.core.update import DEFAULT_INTERVAL

        value = self.get_setting("update_interval")
        return int(value) if value and value.isdigit() else DEFAULT_INTERVAL

    # feeds -----------------------------------------------------------------------------------

    def feeds(self, feed_ids: Iterable[int] | None = None) -> list[Feed]:
        """Every subscription (or those of *feed_ids*) with unread (non-sponsored) and total counts."""
        return self._storage().feeds(feed_ids)

    def view_counts(self) -> dict[str, int]:
        """Counts for the smart views: ``unread`` (not sponsored), ``starred``, ``today`` (unread, not
        sponsored, published in the last day)."""
        return self._storage().view_counts(self._clock() - timedelta(days=1))

    def feed(self, feed_id: int) -> Feed:
        """One subscription; raises :class:`UnknownIdError`."""
        return self._storage().feed(feed_id)

    def folders(self) -> list[Folder]:
        """Every folder."""
        return self._storage().folders()

    def discover(self, url: str) -> list[DiscoveredFeed]:
        """The feeds at *url*: the URL itself when it is a feed, else what the page announces or
        what answers at common feed paths of its site."""
        from newsreader.core.discovery import common_feed_urls, discover_feeds, looks_like_html
        from newsreader.core.parse import parse_feed

        url = _check_url(url)
        response = self.fetcher().fetch(url)
        if not looks_like_html(response.body):
            try:
                parsed = parse_feed(response.body, response.url, response.headers)
            except ParseError:
                pass
            else:
                return [
                    DiscoveredFeed(url=response.permanent_url or url, title=parsed.title or None, format=parsed.format)
                ]
        found = discover_feeds(response.body, response.url)
        if found:
            return found
        for candidate in common_feed_urls(response.url):
            try:
                probe = self.fetcher().fetch(candidate)
                parsed = parse_feed(probe.body, probe.url, probe.headers)
            except (FetchError, ParseError):
                continue
            return [DiscoveredFeed(url=probe.url, title=parsed.title or None, format=parsed.format)]
        raise NotAFeedError(url, f"{url} is not a feed and does not link to one.")

    def add_feed(self, url: str, *, folder: str | None = None, title: str | None = None) -> Feed:
        """Subscribe to the feed at *url* (a feed, or a page that offers exactly one) and store its
        stories. Raises :class:`MultipleFeedsError` when a page offers several."""
        url = _check_url(url)
        existing = self._storage().feed_id_for_url(url)
        if existing is not None:
            raise SettingsError(f"You are already subscribed to {url} (feed {existing}).")
        candidates = self.discover(url)
        if len(candidates) > 1:
            raise MultipleFeedsError(url, candidates)
        feed_url = candidates[0].url
        existing = self._storage().feed_id_for_url(feed_url)
        if existing is not None:
            raise SettingsError(f"You are already subscribed to {feed_url} (feed {existing}).")
        feed_id = self._storage().add_feed(feed_url, title or candidates[0].title or "", folder, self._clock())
        if title:
            self._storage().update_feed(feed_id, user_title=title)
        for _ in self.refresh([feed_id]):
            pass
        return self.feed(feed_id)

    def subscribe(self, url: str, *, title: str | None = None, folder: str | None = None) -> int:
        """Record a subscription without fetching it (OPML import, tests); returns its id."""
        url = _check_url(url)
        return self._storage().add_feed(url, title or "", folder, self._clock())

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe and delete the feed's stories (and its stored password)."""
        feed = self.feed(feed_id)
        self._storage().delete_feed(feed_id)
        if feed.auth_user:
            from newsreader.core.credentials import delete_password

            delete_password(feed.url, feed.auth_user)

    def rename_feed(self, feed_id: int, title: str | None) -> None:
        """Give a feed a title of the user's own (None returns to the feed's title)."""
        self._storage().update_feed(feed_id, user_title=(title or "").strip() or None)

    def move_feed(self, feed_id: int, folder: str | None) -> None:
        """Put a feed in *folder* (created if needed), or at the top level with None."""
        storage = self._storage()
        self.feed(feed_id)
        with storage.transaction() as db:
            folder_id = storage.folder_id(db, folder.strip()) if folder and folder.strip() else None
            db.execute("UPDATE feeds SET folder_id = ? WHERE id = ?", (folder_id, feed_id))

    def rename_folder(self, old: str, new: str) -> None:
        """Rename a folder; raises when *old* does not exist or *new* is taken."""
        new = new.strip()
        if not new:
            raise SettingsError("A folder name cannot be empty.")
        storage = self._storage()
        with storage.transaction() as db:
            folder_id = storage.folder_id(db, old, create=False)
            if folder_id is None:
                raise UnknownIdError(f"There is no folder named {old!r}.")
            other = storage.folder_id(db, new, create=False)
            if other is not None and other != folder_id:
                raise SettingsError(f"A folder named {new!r} already exists.")
            db.execute("UPDATE folders SET name = ? WHERE id = ?", (new, folder_id))

    def delete_folder(self, name: str) -> None:
        """Delete a folder; its feeds move to the top level."""
        storage = self._storage()
        with storage.transaction() as db:
            if db.execute("DELETE FROM folders WHERE name = ?", (name,)).rowcount == 0:
                raise UnknownIdError(f"There is no folder named {name!r}.")

    def set_feed_options(
        self,
        feed_id: int,
        *,
        enabled: bool | None = None,
        update_interval: int | Keep | None = Keep.KEEP,
        full_articles: bool | Keep | None = Keep.KEEP,
        retention_max_age_days: int | Keep | None = Keep.KEEP,
        retention_max_count: int | Keep | None = Keep.KEEP,
    ) -> None:
        """Change per-feed settings; an argument left out keeps its value (``None`` resets to default)."""
        columns: dict[str, Any] = {}
        if enabled is not None:
            columns["enabled"] = int(enabled)
            if enabled:
                columns["disabled_reason"] = None
        for name, value in (
            ("update_interval", update_interval),
            ("retention_max_age_days", retention_max_age_days),
            ("retention_max_count", retention_max_count),
        ):
            if isinstance(value, Keep):
                continue
            if value is not None and value < (60 if name == "update_interval" else 0):
                raise SettingsError(
                    f"{name.replace('_', ' ')} must be a whole number"
                    f"{' of at least 60 seconds' if name == 'update_interval' else ' ≥ 0'}."
                )
            columns[name] = value
        if not isinstance(full_articles, Keep):
            columns["full_articles"] = None if full_articles is None else int(bool(full_articles))
        self.feed(feed_id)
        self._storage().update_feed(feed_id, **columns)

    def set_feed_auth(self, feed_id: int, user: str | None, password: str | None = None) -> None:
        """Set (or with ``user=None`` clear) HTTP basic credentials; the password goes to the keyring."""
        from newsreader.core.credentials import delete_password, store_password

        feed = self.feed(feed_id)
        if user:
            if password is not None:
                store_password(feed.url, user, password)
            self._storage().update_feed(feed_id, auth_user=user)
        else:
            if feed.auth_user:
                delete_password(feed.url, feed.auth_user)
            self._storage().update_feed(feed_id, auth_user=None)

    # refresh ---------------------------------------------------------------------------------

    def refresh(
        self,
        feed_ids: Iterable[int] | None = None,
        *,
        due_only: bool = False,
        workers: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[RefreshProgress]:
        """Refresh feeds, yielding progress as each finishes.

        ``feed_ids`` None means every enabled feed. With ``due_only`` only feeds whose interval
        has passed are asked (the scheduled refresh); otherwise every chosen feed is asked now.
        Both honour a server's ``Retry-After``. Iterate in the thread that should do the writing.
        """
        from newsreader.core.classify.rules import USER_RULES_NAME
        from newsreader.core.update import Refresher, parse_in_thread

        storage = self._storage()
        ids = None if feed_ids is None else list(feed_ids)
        if ids is not None:
            known = {f.id for f in storage.feeds(ids)}
            missing = [i for i in ids if i not in known]
            if missing:
                raise UnknownIdError(f"There is no feed with id {missing[0]}.")
        states = self._with_default_retention(storage.feed_states(ids, enabled_only=ids is None))
        now = self._clock()
        if due_only:
            states = [s for s in states if s.next_check is None or s.next_check <= now]
        count = workers if workers is not None else int(self.get_setting("workers") or DEFAULT_WORKERS)
        if not 1 <= count <= MAX_WORKERS:
            raise SettingsError(f"The number of workers must be between 1 and {MAX_WORKERS}.")
        parser = self._parser(len(states))
        self.sponsored_rules()  # a broken user rules file is reported before anything is fetched
        refresher = Refresher(
            storage,
            self.fetcher(),
            workers=count,
            max_entries=int(self.get_setting("max_entries") or 1000),
            default_interval=self.default_interval(),
            password_for=self._password_for,
            clock=self._clock,
            parse=parser or parse_in_thread,
            rules_file=self.path.parent / USER_RULES_NAME,
        )
        try:
            yield from refresher.run(states, cancel)
        finally:
            if parser is not None:
                parser.close()

    def _with_default_retention(self, states: list[FeedState]) -> list[FeedState]:
        """Feeds without their own retention limits follow the library's (settings ``keep_days`` and
        ``keep_count``; none by default)."""
        import dataclasses

        days, count = self.get_setting("keep_days"), self.get_setting("keep_count")
        if not days and not count:
            return states
        return [
            dataclasses.replace(
                s,
                max_age_days=s.max_age_days if s.max_age_days is not None or not days else int(days),
                max_count=s.max_count if s.max_count is not None or not count else int(count),
            )
            for s in states
        ]

    def _parser(self, feed_count: int) -> ProcessParser | None:
        """Worker processes for parsing when the refresh is large enough to pay for starting them."""
        from newsreader.core.update import ProcessParser

        processes = self._parse_processes
        if processes is None:
            # one core stays with the writer and the network threads
            cores = os.cpu_count() or 1
            processes = max(1, min(4, cores - 1)) if feed_count >= PROCESS_POOL_MIN_FEEDS and cores > 1 else 0
        return ProcessParser(processes) if processes > 0 else None

    @staticmethod
    def _password_for(state: FeedState) -> str | None:
        from newsreader.core.credentials import load_password

        return load_password(state.url, state.auth_user) if state.auth_user else None

    # stories ---------------------------------------------------------------------------------

    def stories(
        self,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        unread: bool = False,
        starred: bool = False,
        include_sponsored: bool = False,
        today: bool = False,
        limit: int | None = 50,
        offset: int = 0,
        collapse_groups: bool = False,
        sponsored_only: bool = False,
        order: str = "date",
        reverse: bool = False,
    ) -> list[Story]:
        """Stories newest first, or by ``order`` ``"title"`` / ``"source"`` (A to Z), ``reverse`` flipping
        the direction (without their HTML; see :meth:`story`)."""
        if feed_id is not None:
            self.feed(feed_id)
        if folder is not None and folder not in {f.name for f in self.folders()}:
            raise UnknownIdError(f"There is no folder named {folder!r}.")
        if limit is not None and limit < 0:
            raise SettingsError("The limit cannot be negative.")
        since = self._clock() - timedelta(days=1) if today else None
        return self._storage().stories(
            feed_id=feed_id,
            folder=folder,
            unread=unread,
            starred=starred,
            include_sponsored=include_sponsored,
            limit=limit,
            offset=offset,
            since=since,
            collapse_groups=collapse_groups,
            sponsored_only=sponsored_only,
            order=order,
            reverse=reverse,
        )

    def story(self, story_id: int) -> Story:
        """One story with its HTML; raises :class:`UnknownIdError`."""
        return self._storage().story(story_id)

    def search(self, text: str, *, limit: int = 50, include_sponsored: bool = False) -> list[Story]:
        """Stories matching every word of *text* (full-text index), best match first."""
        query = fts_query(text)
        if not query:
            raise SettingsError("Search for at least one word.")
        return self._storage().search(query, limit=limit, include_sponsored=include_sponsored)

    def _existing(self, story_ids: Sequence[int]) -> list[int]:
        ids = list(dict.fromkeys(story_ids))
        found = self._storage().existing_story_ids(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise UnknownIdError(f"There is no story with id {missing[0]}.")
        return ids

    def mark_read(self, story_ids: Sequence[int], read: bool = True) -> int:
        """Mark stories read (or unread); all ids must exist, else nothing changes."""
        return self._storage().set_flag(self._existing(story_ids), "read", read)

    def mark_starred(self, story_ids: Sequence[int], starred: bool = True) -> int:
        """Star (or unstar) stories; all ids must exist, else nothing changes."""
        return self._storage().set_flag(self._existing(story_ids), "starred", starred)

    def mark_all_read(self, feed_id: int | None = None) -> int:
        """Mark every story of a feed (or the whole library) read; returns how many changed."""
        if feed_id is not None:
            self.feed(feed_id)
        return self._storage().mark_feed_read(feed_id)

    def story_count(self) -> int:
        """How many stories the library holds."""
        return self._storage().story_count()

    # sponsored --------------------------------------------------------------------------------

    def sponsored_rules(self) -> Rules:
        """The shipped rules extended by ``sponsored-rules.json`` in the library's folder."""
        from newsreader.core.classify import load_rules
        from newsreader.core.classify.rules import USER_RULES_NAME

        if self._rules is None:
            self._rules = load_rules(self.path.parent / USER_RULES_NAME)
        return self._rules

    def set_story_sponsored(self, story_id: int, sponsored: bool | None) -> Story:
        """The user's verdict on one story (``None``: let the rules decide again); survives refreshes."""
        storage = self._storage()
        storage.story(story_id)
        if sponsored is None:
            storage.set_sponsored_override(story_id, None, None)
            self._reclassify(story_id=story_id)
        else:
            reason = "You marked it as sponsored." if sponsored else None
            storage.set_sponsored_override(story_id, sponsored, reason)
        return storage.story(story_id)

    def feed_sponsored_rules(self, feed_id: int) -> FeedRules:
        """A feed's own sponsored conventions (never flag, title patterns, categories)."""
        from newsreader.core.classify import FeedRules

        state = self._storage().feed_states([feed_id], enabled_only=False)
        if not state:
            raise UnknownIdError(f"There is no feed with id {feed_id}.")
        return FeedRules.from_json(state[0].sponsored_never, state[0].sponsored_rules)

    def set_feed_sponsored_rules(
        self,
        feed_id: int,
        *,
        never: bool | None = None,
        title_patterns: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> int:
        """Change a feed's own sponsored conventions and re-classify its stories; returns how many changed."""
        from newsreader.core.classify import FeedRules

        storage = self._storage()
        state = storage.feed_states([feed_id], enabled_only=False)
        if not state:
            raise UnknownIdError(f"There is no feed with id {feed_id}.")
        current = FeedRules.from_json(state[0].sponsored_never, state[0].sponsored_rules)
        updated = FeedRules.build(
            current.never if never is None else never,
            current.title_patterns if title_patterns is None else title_patterns,
            current.categories if categories is None else categories,
        )
        storage.update_feed(feed_id, sponsored_never=int(updated.never), sponsored_rules=updated.to_json())
        return self._reclassify(feed_id=feed_id)

    def reclassify(self, feed_id: int | None = None) -> int:
        """Run the sponsored rules again over stored stories (after changing rules); returns how many changed."""
        if feed_id is not None:
            self.feed(feed_id)
        return self._reclassify(feed_id=feed_id)

    def _reclassify(self, *, feed_id: int | None = None, story_id: int | None = None) -> int:
        import json

        from newsreader.core.classify import FeedRules, StoryFacts, classify

        storage = self._storage()
        rules = self.sponsored_rules()
        feed_rules = {
            s.id: FeedRules.from_json(s.sponsored_never, s.sponsored_rules)
            for s in storage.feed_states(None if feed_id is None else [feed_id], enabled_only=False)
        }
        verdicts = [
            (
                row[0],
                classify(
                    StoryFacts(row[2], row[3], row[4], tuple(json.loads(row[5])), row[6], row[7]),
                    rules,
                    feed_rules.get(row[1]),
                ),
            )
            for row in storage.classification_inputs(feed_id, story_id)
        ]
        return storage.set_verdicts(verdicts)

    # related stories --------------------------------------------------------------------------

    def related(
        self,
        story_id: int,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        unread: bool = False,
        include_sponsored: bool = False,
        limit: int = 5,
    ) -> RelatedStories:
        """What to read after *story_id*, by kind, each with its reason.

        ``prev``/``next`` follow the list the story is shown in (newest first, filtered by
        ``feed_id``/``folder``/``unread`` like :meth:`stories`).
        """
        from newsreader.core.related.topical import (
            candidate_terms,
            distinctive_terms,
            or_query,
            shared_terms_reason,
        )

        storage = self._storage()
        story = storage.story(story_id)
        above, below = storage.neighbours(
            story, feed_id=feed_id, folder=folder, unread=unread, include_sponsored=include_sponsored
        )
        prev = (_item(above, "The story above this one in the list."),) if above else ()
        nxt = (_item(below, "The story below this one in the list."),) if below else ()
        more = tuple(
            _item(s, f"Newest from {s.feed_title}.")
            for s in storage.newest_of_feed(story.feed_id, story.id, limit, include_sponsored)
        )
        link_key, title_key, text = storage.grouping_keys(story.id)
        same: tuple[RelatedItem, ...] = ()
        group_ids: set[int] = {story.id}
        if story.group_id is not None:
            members = storage.group_members(story.group_id, story.id)
            group_ids.update(m.id for m, _, _ in members)
            same = tuple(_item(m, _same_reason(link_key, title_key, m_link, m_title)) for m, m_link, m_title in members)
        terms = candidate_terms(story.title, text)
        frequencies = storage.document_frequencies(terms)
        chosen = distinctive_terms(story.title, text, frequencies, max(1, storage.story_count()))
        topical: list[RelatedItem] = []
        if chosen:
            from newsreader.core.storage.db import SEARCH_WINDOW

            for candidate, candidate_text in storage.topical_candidates(
                or_query(chosen), window=SEARCH_WINDOW, limit=limit + len(group_ids)
            ):
                if candidate.id in group_ids or (candidate.group_id is not None and candidate.group_id in group_ids):
                    continue
                topical.append(_item(candidate, shared_terms_reason(chosen, candidate.title, candidate_text)))
                if len(topical) == limit:
                    break
        return RelatedStories(prev, nxt, more, same, tuple(topical), self._from_page(story))

    def _from_page(self, story: Story) -> tuple[RelatedItem, ...]:
        from newsreader.core.related.keys import canonical_link

        page = self.page(story.id)
        if page is None:
            return ()
        keys = {link.href: canonical_link(link.href) for link in page.related}
        local = self._storage().stories_by_canonical_link([k for k in keys.values() if k])
        items = []
        for link in page.related:
            found = local.get(keys[link.href] or "")
            if found is not None and found.id != story.id:
                items.append(_item(found, "Linked from the article page; in your library."))
            elif found is None:
                items.append(
                    RelatedItem(None, link.title, link.href, None, None, None, "Linked from the article page.")
                )
        return tuple(items)

    # article pages ----------------------------------------------------------------------------

    def page(self, story_id: int) -> PageAnalysis | None:
        """The stored analysis of a story's article page, or None when none was fetched."""
        from newsreader.core.pages.analyze import analysis_from_json

        stored = self._storage().page(story_id)
        if stored is None or stored[1] is None:
            return None
        analysis = analysis_from_json(stored[1])
        cleared = self.links_not_sponsored()
        if cleared and any(item.href in cleared for item in analysis.sponsored):
            import dataclasses

            kept = tuple(item for item in analysis.sponsored if item.href not in cleared)
            analysis = dataclasses.replace(analysis, sponsored=kept)
        return analysis

    def links_not_sponsored(self) -> frozenset[str]:
        """Page links the user said are not sponsored (they leave every sponsored pane)."""
        import json

        raw = self.get_setting("not_sponsored_links")
        try:
            values = json.loads(raw) if raw else []
        except ValueError:
            return frozenset()
        return frozenset(v for v in values if isinstance(v, str)) if isinstance(values, list) else frozenset()

    def set_link_sponsored(self, href: str, sponsored: bool) -> None:
        """The user's verdict on a link found on article pages: ``False`` keeps it out of the
        sponsored pane from now on, ``True`` lets the analysis decide again."""
        import json

        links = set(self.links_not_sponsored())
        if sponsored:
            links.discard(href)
        else:
            links.add(href)
        self.set_setting("not_sponsored_links", json.dumps(sorted(links)) if links else None)

    def page_times(self, story_id: int) -> tuple[datetime | None, datetime | None]:
        """When a story's article page was fetched and when it was last analysed (None: never)."""
        return self._storage().page_times(story_id)

    def page_error(self, story_id: int) -> str | None:
        """Why the last attempt to fetch a story's article page failed, or None."""
        stored = self._storage().page(story_id)
        return stored[2] if stored is not None else None

    def fetch_story_page(self, story_id: int) -> PageAnalysis:
        """Fetch a story's article page now, analyse it, cache its images and keep it all for offline
        reading. A failure is stored with the story (which keeps the feed's content) and raised."""
        from newsreader.core.pages.download import download_page

        story = self.story(story_id)
        if not story.link:
            raise SettingsError(f"Story {story_id} has no link to an article page.")
        outcome = download_page(
            self.fetcher(),
            self._image_folder(),
            story_id,
            story.link,
            self._known_images(),
            filters=self.page_filters(),
        )
        self._save_outcome(outcome)
        if outcome.analysis is None:
            raise FetchError(story.link, outcome.error or f"{story.link} could not be fetched.")
        return outcome.analysis

    def fetch_pages(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        story_ids: Sequence[int] | None = None,
        per_feed: int = 10,
        workers: int | None = None,
        images: bool | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[PageProgress]:
        """Download the article pages (and their images) of stories that have none yet, yielding
        progress as each finishes; iterate in the thread that should write.

        Without *story_ids*: the newest *per_feed* stories of each feed (of *feed_ids*, else all)
        whose "full articles" setting is on, or automatic and the feed carries only summaries. With
        *story_ids*: those of them that qualify the same way (the pages of a refresh's new stories).
        Feeds without their own setting follow the library's ``full_articles`` setting (``auto``,
        ``on``, ``off``). Images are cached too unless *images* (default: the ``download_images``
        setting) is False. Requests share the refresh's bounds (timeouts, size cap, per-host cap).
        """
        from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

        from newsreader.core.pages.download import download_page

        storage = self._storage()
        if feed_ids is not None:
            for feed_id in feed_ids:
                self.feed(feed_id)
        default = self.get_setting("full_articles") or "auto"
        wanted = storage.stories_needing_pages(list(feed_ids) if feed_ids is not None else None, per_feed, default)
        if story_ids is not None:
            chosen = set(story_ids)
            wanted = [w for w in wanted if w[0] in chosen]
        if not wanted:
            return
        if images is None:
            images = self.get_setting("download_images") != "off"
        count = workers if workers is not None else min(16, int(self.get_setting("workers") or DEFAULT_WORKERS))
        folder, fetcher, known, filters = (
            self._image_folder(),
            self.fetcher(),
            self._known_images(),
            self.page_filters(),
        )
        done = 0
        with ThreadPoolExecutor(max_workers=max(1, count), thread_name_prefix="newsreader-page") as pool:
            pending: set[Future[PageOutcome]] = set()
            queue = list(reversed(wanted))
            while queue or pending:
                while queue and len(pending) < count * 2 and not (cancel is not None and cancel.is_set()):
                    story_id, _feed_id, link = queue.pop()
                    pending.add(
                        pool.submit(
                            download_page, fetcher, folder, story_id, link, known, images=images, filters=filters
                        )
                    )
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    outcome = future.result()
                    self._save_outcome(outcome)
                    known.update(i.url for i in outcome.images)  # workers only test membership: no copy
                    done += 1
                    cached = sum(1 for i in outcome.images if i.digest)
                    yield PageProgress(done, len(wanted), outcome.story_id, outcome.url, outcome.error, cached)
        self._enforce_image_quota()

    def page_filters(self) -> PageFilters:
        """The ad-blocking lists page analysis uses: the shipped one and those in ``filters/`` beside
        the library (read again whenever one changes)."""
        from newsreader.core.pages.filters import load_filters

        return load_filters(self.filters_dir)

    @property
    def filters_dir(self) -> Path:
        """Where the user's ad-blocking filter lists live."""
        return self.path.parent / "filters"

    def add_filter_list(self, text: str, name: str) -> int:
        """Keep a filter list (EasyList syntax) under *name*; returns its number of rules."""
        from newsreader.core.pages.filters import check_list

        count = check_list(text, name)
        safe = re.sub(r"[^\w.-]+", "-", name).strip("-.") or "list"
        target = self.filters_dir / (safe if safe.endswith(".txt") else f"{safe}.txt")
        try:
            self.filters_dir.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"The filter list could not be saved to {target} ({exc.strerror}).") from exc
        return count

    def remove_filter_list(self, name: str) -> None:
        """Delete one of the user's filter lists."""
        from newsreader.core.pages.filters import user_lists

        for path in user_lists(self.filters_dir):
            if name in (path.name, path.stem):
                path.unlink()
                return
        raise UnknownIdError(f"There is no filter list named {name!r}.")

    def _save_outcome(self, outcome: PageOutcome) -> None:
        storage = self._storage()
        now = self._clock()
        storage.save_page(outcome.story_id, outcome.url, now, outcome.analysis_json, outcome.error, outcome.html)
        for image in outcome.images:
            storage.record_image(image.url, image.digest, image.size, image.content_type, now, image.error)

    def _image_folder(self) -> ImageFolder:
        from newsreader.core.images import ImageFolder

        return ImageFolder(self.cache_dir / "images")

    def _known_images(self) -> set[str]:
        """Image URLs already tried (cached, or failed recently enough not to ask again)."""
        rows = self._storage().execute("SELECT url FROM images")
        return {row[0] for row in rows}

    def _enforce_image_quota(self) -> None:
        from newsreader.core.images import DEFAULT_QUOTA_MB

        quota = int(self.get_setting("image_cache_mb") or DEFAULT_QUOTA_MB) * 1024 * 1024
        storage = self._storage()
        doomed = storage.images_over_quota(quota)
        if doomed:
            folder = self._image_folder()
            for digest in storage.forget_images([url for url, _ in doomed]):
                folder.remove(digest)

    def cached_images(self, urls: Sequence[str]) -> dict[str, str]:
        """The cached file (digest) of each of *urls* that is in the offline cache."""
        found = self._storage().images_for(list(urls))
        return {url: digest for url, (digest, _error) in found.items() if digest}

    def cache_images(self, urls: Sequence[str]) -> dict[str, str]:
        """Download the images of *urls* not tried before into the offline cache (what a reader who
        allows images asks for); returns every one of them now cached (URL → digest)."""
        from newsreader.core.pages.download import download_images

        tried = self._storage().images_for(list(urls))
        outcomes = download_images(self.fetcher(), self._image_folder(), list(urls), set(tried))
        now = self._clock()
        for image in outcomes:
            self._storage().record_image(image.url, image.digest, image.size, image.content_type, now, image.error)
        if outcomes:
            self._enforce_image_quota()
        return self.cached_images(urls)

    def fetch_story_images(
        self,
        story_ids: Sequence[int],
        *,
        per_feed: int = 10,
        workers: int = 8,
        cancel: threading.Event | None = None,
    ) -> int:
        """Cache the images of stories read from the feed's own content (no article page), for the
        newest *per_feed* of each feed; nothing when the ``download_images`` setting is ``off``.
        Returns how many images were added to the cache."""
        from concurrent.futures import ThreadPoolExecutor

        from newsreader.core.images import story_image_urls
        from newsreader.core.pages.download import download_images

        if self.get_setting("download_images") == "off" or not story_ids:
            return 0
        storage = self._storage()
        wanted = [
            urls
            for _story_id, link, html in storage.stories_for_images(list(story_ids), per_feed)
            if (urls := story_image_urls(html, link))
        ]
        if not wanted:
            return 0
        folder, fetcher, known = self._image_folder(), self.fetcher(), self._known_images()

        def fetch(urls: list[str]) -> list[ImageOutcome]:
            if cancel is not None and cancel.is_set():
                return []
            return download_images(fetcher, folder, urls, known)

        added = 0
        now = self._clock()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsreader-image") as pool:
            for outcomes in pool.map(fetch, wanted):
                for image in outcomes:
                    storage.record_image(image.url, image.digest, image.size, image.content_type, now, image.error)
                    added += image.digest is not None
        self._enforce_image_quota()
        return added

    def image_data(self, digest: str) -> bytes | None:
        """A cached image's bytes, or None when the file is gone."""
        return self._image_folder().read(digest)

    def refresh_icons(self, *, max_age_days: int = 30, workers: int = 8, cancel: threading.Event | None = None) -> int:
        """Look for the icon (``/favicon.ico``) of every feed not checked in *max_age_days*; returns
        how many feeds have an icon now (none when the ``feed_icons`` setting is ``off``)."""
        from concurrent.futures import ThreadPoolExecutor

        from newsreader.core.images import MAX_ICON_BYTES, favicon_url
        from newsreader.core.pages.download import download_images

        if self.get_setting("feed_icons") == "off":
            return 0
        storage = self._storage()
        now = self._clock()
        feeds = storage.feeds_needing_icons(now - timedelta(days=max_age_days))
        by_icon: dict[str, list[int]] = {}
        for feed_id, url, site_url in feeds:
            icon = favicon_url(site_url, url)
            if icon is None:
                storage.set_feed_icon(feed_id, None, now)
            else:
                by_icon.setdefault(icon, []).append(feed_id)
        folder, fetcher = self._image_folder(), self.fetcher()

        def fetch(icon: str) -> list[ImageOutcome]:
            if cancel is not None and cancel.is_set():
                return []
            return download_images(fetcher, folder, [icon], (), max_bytes=MAX_ICON_BYTES)

        found = 0
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsreader-icon") as pool:
            for icon, outcomes in zip(by_icon, pool.map(fetch, list(by_icon)), strict=True):
                for outcome in outcomes:
                    storage.record_image(
                        outcome.url, outcome.digest, outcome.size, outcome.content_type, now, outcome.error
                    )
                has_icon = any(o.digest for o in outcomes)
                if not outcomes:
                    continue  # cancelled: ask again next time
                for feed_id in by_icon[icon]:
                    storage.set_feed_icon(feed_id, icon if has_icon else None, now)
                    found += has_icon
        return found

    def feed_icons(self) -> dict[int, bytes]:
        """The cached icon of every feed that has one."""
        folder = self._image_folder()
        icons = {}
        for feed_id, digest in self._storage().feed_icon_digests().items():
            data = folder.read(digest)
            if data is not None:
                icons[feed_id] = data
        return icons

    def store_page(self, story_id: int, html: bytes, url: str | None = None) -> PageAnalysis:
        """Analyse a copy of a story's article page (fetched, or saved from a browser) and keep both
        for offline reading; *url* (default: the story's link) resolves the page's links."""
        from newsreader.core.pages.analyze import analysis_to_json, analyze_page

        story = self.story(story_id)
        address = url or story.link or ""
        analysis = analyze_page(html, address or None, self.page_filters())
        self._storage().save_page(story_id, address, self._clock(), analysis_to_json(analysis), None, html)
        return analysis

    def reanalyze_pages(self) -> int:
        """Analyse every stored page again (after an analyser upgrade), without the network."""
        from newsreader.core.pages.analyze import analysis_to_json, analyze_page

        storage = self._storage()
        filters = self.page_filters()
        count = 0
        for story_id, url, html in list(storage.stored_pages()):
            storage.update_page_analysis(story_id, analysis_to_json(analyze_page(html, url, filters)), self._clock())
            count += 1
        return count

    def mark_group_read(self, story_id: int, read: bool = True) -> int:
        """Mark a story and every report of the same event in other feeds read."""
        story = self.story(story_id)
        if story.group_id is None:
            return self.mark_read([story_id], read)
        return self._storage().mark_group_read(story.group_id, read)

    def check_integrity(self) -> bool:
        """SQLite's integrity check passes."""
        return self._storage().integrity_ok()

    # OPML ------------------------------------------------------------------------------------

    def import_opml(self, data: bytes, source: str = "the OPML file") -> ImportReport:
        """Subscribe to every feed in an OPML document, in one transaction.

        Idempotent: feeds already subscribed (by URL) are skipped, with the reason.
        """
        from newsreader.core.opml import parse_opml

        outlines = parse_opml(data, source)
        storage = self._storage()
        added: list[str] = []
        skipped: list[tuple[str, str]] = []
        created: list[str] = []
        known_folders = {f.name.lower() for f in storage.folders()}
        now = self._clock()
        with storage.transaction() as db:
            seen = {row[0] for row in db.execute("SELECT url FROM feeds")}
            for outline in outlines:
                try:
                    url = _check_url(outline.url)
                except SettingsError as exc:
                    skipped.append((outline.url, str(exc)))
                    continue
                if url in seen:
                    skipped.append((url, "already subscribed"))
                    continue
                folder_id = None
                if outline.folder:
                    folder_id = storage.folder_id(db, outline.folder)
                    if outline.folder.lower() not in known_folders:
                        known_folders.add(outline.folder.lower())
                        created.append(outline.folder)
                db.execute(
                    "INSERT INTO feeds(url, title, site_url, folder_id, added_at) VALUES (?, ?, ?, ?, ?)",
                    (
                        url,
                        outline.title or "",
                        outline.site_url,
                        folder_id,
                        now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    ),
                )
                seen.add(url)
                added.append(url)
        return ImportReport(tuple(added), tuple(skipped), tuple(created))

    def import_opml_file(self, path: str | os.PathLike[str]) -> ImportReport:
        """:meth:`import_opml` on a file; unreadable files raise :class:`OpmlError`."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise OpmlError(f"{path} could not be read ({exc.strerror or exc}).") from exc
        return self.import_opml(data, str(path))

    def export_opml(self) -> str:
        """Every subscription as an OPML 2.0 document, grouped by folder."""
        from newsreader.core.opml import write_opml

        return write_opml(OpmlOutline(f.url, f.title, f.folder, f.site_url) for f in self.feeds())


def _item(story: Story, reason: str) -> RelatedItem:
    return RelatedItem(story.id, story.title, story.link, story.feed_id, story.feed_title, story.published, reason)


def _same_reason(link_key: str | None, title_key: str, other_link: str | None, other_title: str) -> str:
    from newsreader.core.related.same_story import same_story_reason

    if link_key and link_key == other_link:
        return same_story_reason("link")
    if title_key and title_key == other_title:
        return same_story_reason("title")
    return same_story_reason("words")


def _check_url(url: str) -> str:
    from urllib.parse import urlsplit

    url = url.strip()
    if url.startswith("feed://"):
        url = "http://" + url[len("feed://") :]
    elif "://" not in url and "." in url.split("/")[0]:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise SettingsError(f"{url!r} is not a valid address.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{url!r} is not an http or https address.")
    return url


def _set_aside(path: Path, now: datetime) -> Path:
    """Move an unusable database file (with its WAL and shared-memory files) out of the way, never
    overwriting anything; returns its new name."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.unusable-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.unusable-{stamp}-{counter}")
    try:
        path.rename(target)
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                companion.rename(target.with_name(target.name + suffix))
    except OSError as exc:
        raise StorageError(f"{path} is unusable and could not be moved aside ({exc.strerror}).") from exc
    return target


def open_library(data_dir: str | os.PathLike[str] | None = None, **options: Any) -> Library:
    """Open (creating if needed) the library in *data_dir* (default: the platform's user data dir)."""
    from newsreader.core.paths import cache_dir

    options.setdefault("cache_dir", cache_dir(data_dir))
    return Library(database_path(data_dir), **options)
