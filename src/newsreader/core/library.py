"""The :class:`Library` facade: the one entry point the CLI and the desktop app use.

Built by :func:`open_library`. The library holds the plumbing — one SQLite connection per thread,
the shared HTTP fetcher, the typed settings — and delegates each job to the module that does it:

- ``subscriptions.py``: discovery, subscribing, OPML, folders, per-feed options;
- ``update.py``: a refresh (bounded parallel fetch, parsing in worker processes, one writer);
- ``related/assembly.py``: what to read after a story;
- ``classify/stored.py``: classifying stored stories again;
- ``pages/offline.py``: article pages kept offline;
- ``image_cache.py`` and ``icons.py``: the offline image cache and feed icons;
- ``filter_lists.py``: the user's ad-blocking lists;
- ``storage/``: the SQLite file, one mixin per domain.

Every error raised on purpose is a :class:`NewsreaderError` carrying one readable sentence.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from newsreader.core import subscriptions
from newsreader.core.errors import (
    CredentialsError,
    FeedNotFoundError,
    FolderNotFoundError,
    MultipleFeedsError,
    OpmlError,
    SettingsError,
    StorageError,
    StoryNotFoundError,
    UnusableLibraryError,
)
from newsreader.core.models import (
    Account,
    DiscoveredFeed,
    Feed,
    Folder,
    ImportReport,
    PageProgress,
    QueuedChange,
    RefreshProgress,
    RelatedStories,
    StageProgress,
    Story,
)
from newsreader.core.paths import database_path
from newsreader.core.pool import Cancel
from newsreader.core.settings import DEFAULT_WORKERS, MAX_WORKERS, LibrarySettings
from newsreader.core.storage.db import FeedState, Storage
from newsreader.core.subscriptions import Keep

if TYPE_CHECKING:
    from newsreader.core.classify import FeedRules
    from newsreader.core.classify.rules import Rules
    from newsreader.core.fetch.http import Fetcher, FetchLimits
    from newsreader.core.filter_lists import FilterListUpdate
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.analyze import PageAnalysis
    from newsreader.core.pages.content import FeedContent
    from newsreader.core.pages.filters import PageFilters
    from newsreader.core.reading import ReadingView
    from newsreader.core.refreshing import RefreshSetup
    from newsreader.core.sync.engine import SyncReport

__all__ = ["DEFAULT_WORKERS", "MAX_WORKERS", "Keep", "Library", "MultipleFeedsError", "fts_query", "open_library"]

PAGE_WORKERS = 16
"""Article pages downloaded at once, at most (fewer when the ``workers`` setting is lower)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def fts_query(text: str) -> str:
    """A safe FTS5 query from what a user typed: every word must begin a word of the story ("bank
    rate" finds "banking rates"), as the search fields of NetNewsWire and RSS Guard match as you type."""
    return " ".join(f'"{w}"*' for w in re.findall(r"\w+", text, flags=re.UNICODE))


class Library:
    """A newsreader library: subscriptions, stories and their state in one SQLite file.

    Raises :class:`StorageError` when the file cannot be opened at all; an unusable file (damaged,
    some other program's) is set aside and a new library started (:attr:`set_aside_message`).
    """

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
                from newsreader.core.fetch.http import Fetcher, FetchLimits

                settings = self.settings()
                seconds = settings.request_timeout
                limits = self._limits or FetchLimits(
                    connect_timeout=min(10, seconds), read_timeout=min(20, seconds), deadline=seconds
                )
                self._fetcher = Fetcher(limits, proxy=settings.proxy)
            return self._fetcher

    def _image_folder(self) -> ImageFolder:
        from newsreader.core.images import ImageFolder

        return ImageFolder(self.cache_dir / "images")

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

    def settings(self) -> LibrarySettings:
        """Every library-wide setting, typed (read from the database on each call)."""
        return LibrarySettings.from_values(self._storage().all_settings())

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A library-wide setting as stored (text); :meth:`settings` gives them typed."""
        value = self._storage().setting(key)
        return default if value is None else value

    def set_setting(self, key: str, value: str | None) -> None:
        """Store (or with None, remove) a library-wide setting."""
        self._storage().set_setting(key, value)
        if key in ("proxy", "request_timeout"):
            # the next request builds a fetcher with the new proxy; one in use keeps working until done
            with self._fetcher_lock:
                self._fetcher = None

    def default_interval(self) -> int:
        """Seconds between scheduled checks for feeds without their own interval."""
        return self.settings().update_interval

    # feeds -----------------------------------------------------------------------------------

    def feeds(self, feed_ids: Iterable[int] | None = None) -> list[Feed]:
        """Every subscription (or those of *feed_ids*) with unread (non-sponsored) and total counts."""
        return self._storage().feeds(feed_ids)

    def view_counts(self) -> dict[str, int]:
        """Counts for the smart views: ``unread`` (not sponsored), ``starred``, ``today`` (unread, not
        sponsored, published in the last day)."""
        return self._storage().view_counts(self._clock() - timedelta(days=1))

    def feed(self, feed_id: int) -> Feed:
        """One subscription; raises :class:`FeedNotFoundError`."""
        return self._storage().feed(feed_id)

    def folders(self) -> list[Folder]:
        """Every folder."""
        return self._storage().folders()

    def discover(self, url: str) -> list[DiscoveredFeed]:
        """The feeds at *url*: the URL itself when it is a feed, else what the page announces or
        what answers at common feed paths of its site. Raises :class:`SettingsError`,
        :class:`FetchError`, :class:`NotAFeedError`."""
        return subscriptions.discover(self.fetcher(), url)

    def add_feed(
        self,
        url: str,
        *,
        folder: str | None = None,
        title: str | None = None,
        offline: bool = True,
        auth: tuple[str, str] | None = None,
        unencrypted_password: bool = False,
    ) -> Feed:
        """Subscribe to the feed at *url* (a feed, or a page that offers exactly one) and store its
        stories — with *offline*, complete for offline reading (article pages when the feed is set
        to them, images, icon; bounded like a refresh's). *auth* (user, password) — or a
        ``user:password@`` in *url* — is sent to the feed's host and kept: the user on the feed, the
        password in the keyring (in the library's password file with *unencrypted_password*, the
        user's explicit choice where there is no keyring). Raises :class:`MultipleFeedsError` when a
        page offers several, :class:`SettingsError` when already subscribed, :class:`FeedError` when
        the feed cannot be read (nothing is then subscribed), :class:`CredentialsError` when the
        password cannot be kept, and what :meth:`discover` raises (a :class:`FetchError` with
        ``status`` 401 asks for a password)."""
        url, in_url = subscriptions.with_credentials(url)
        auth = auth or in_url
        storage = self._storage()
        subscriptions.refuse_known(storage, url)
        if auth is not None and not unencrypted_password:
            from newsreader.core.credentials import keyring_available

            if not keyring_available():
                from newsreader.core.credentials import NO_KEYRING

                raise CredentialsError(NO_KEYRING)
        candidates = subscriptions.discover(self.fetcher(), url, auth)
        if len(candidates) > 1:
            raise MultipleFeedsError(url, candidates)
        feed_url = candidates[0].url
        subscriptions.refuse_known(storage, feed_url)
        if auth is not None:
            from newsreader.core.credentials import store_password

            store_password(feed_url, *auth, file=self.password_file if unencrypted_password else None)
        feed_id = storage.add_feed(feed_url, title or candidates[0].title or "", folder, self._clock())
        if auth is not None:
            storage.update_feed(feed_id, auth_user=auth[0])
        if title:
            storage.update_feed(feed_id, user_title=title)
        for _ in self.update([feed_id], offline=offline):
            pass
        failure = self.feed(feed_id).last_error
        if failure is not None:
            # a feed that cannot be read is not a subscription: nothing is left behind
            storage.delete_feed(feed_id)
            if auth is not None:
                from newsreader.core.credentials import delete_password

                delete_password(feed_url, auth[0], file=self.password_file)
            raise subscriptions.not_subscribed(url, feed_url, failure)
        return self.feed(feed_id)

    def subscribe(self, url: str, *, title: str | None = None, folder: str | None = None) -> int:
        """Record a subscription without fetching it (OPML import, tests); returns its id."""
        return subscriptions.subscribe(
            self._storage(), url, self._clock(), title=title, folder=folder, password_file=None
        )

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe and delete the feed's stories (and its stored password). An account's feed is
        unsubscribed on its server at the next sync (queued)."""
        storage = self._storage()
        remote = self._account_feed_change(feed_id, "unsubscribe")
        if remote is not None:
            storage.queue_change(remote[0], "unsubscribe", remote[1], None, self._clock())
        subscriptions.remove_feed(storage, feed_id, self.password_file)

    def _account_feed_change(self, feed_id: int, op: str) -> tuple[int, str] | None:
        """(account id, server's feed id) when *feed_id* is an account's feed whose server can take
        *op*; None for a local feed; :class:`SettingsError` when the protocol cannot."""
        from newsreader.core.sync.service import cannot

        storage = self._storage()
        remote = storage.feed_remote(feed_id)
        if remote is None:
            return None
        account = next(a for a in storage.accounts() if a.id == remote[0])
        reason = cannot(account.kind, op)
        if reason is not None:
            raise SettingsError(reason)
        return remote

    def rename_feed(self, feed_id: int, title: str | None) -> None:
        """Give a feed a title of the user's own (None returns to the feed's title). An account's feed
        is renamed on its server at the next sync (queued)."""
        storage = self._storage()
        title = (title or "").strip() or None
        remote = self._account_feed_change(feed_id, "rename")
        if remote is not None and title:
            storage.queue_change(remote[0], "rename", remote[1], title, self._clock())
        storage.update_feed(feed_id, user_title=title)

    def subscribe_in_account(self, name: str, url: str, *, folder: str | None = None) -> None:
        """Queue a subscription to *url* on account *name*'s server (sent at the next sync, after which
        the feed and its stories arrive). *folder* is one of the account's folders (``work/Tech`` or
        ``Tech``). Raises :class:`AccountNotFoundError`, :class:`SettingsError` (not an http(s) address)."""
        from newsreader.core.accounts import remote_folder
        from newsreader.core.sync.service import cannot

        url = subscriptions.check_url(url)
        storage = self._storage()
        account = storage.account(name)
        reason = cannot(account.kind, "subscribe")
        if reason is not None:
            raise SettingsError(reason)
        storage.queue_change(account.id, "subscribe", url, remote_folder(storage, account, folder), self._clock())

    def set_feed_url(self, feed_id: int, url: str) -> str:
        """Point a feed at another address, keeping its stories and settings (its password moves with
        it); returns the address stored. Raises :class:`FeedNotFoundError`, :class:`SettingsError`,
        :class:`CredentialsError`."""
        return subscriptions.set_feed_url(self._storage(), feed_id, url, password_file=self.password_file)

    def move_feed(self, feed_id: int, folder: str | None) -> None:
        """Put a feed in *folder* (created if needed), or at the top level with None. An account's feed
        moves between that account's folders only (None: the account's top level), and the move is
        queued for its server (Google Reader API ``subscription/edit``); where the protocol cannot move
        a feed (Fever, Tiny Tiny RSS) :class:`SettingsError` says so and nothing changes. Raises
        :class:`FeedNotFoundError`, :class:`SettingsError`."""
        storage = self._storage()
        feed = storage.feed(feed_id)
        folder = folder.strip() if folder and folder.strip() else None
        if feed.account is None:
            if folder is not None and any(f.name == folder and f.account for f in storage.folders()):
                raise SettingsError(f"The folder {folder!r} belongs to a sync account; a local feed cannot go there.")
            subscriptions.move_feed(storage, feed_id, folder)
            return
        if folder == feed.folder:
            return
        remote = self._account_feed_change(feed_id, "move")
        assert remote is not None  # an account's feed
        account_id, remote_feed = remote
        if folder is not None and storage.folder_remote_id(account_id, folder) is None:
            raise SettingsError(
                f"{folder!r} is not a folder of account {feed.account!r}; an account's feed can only move "
                "between that account's folders."
            )
        old = storage.folder_remote_id(account_id, feed.folder) if feed.folder else None
        new = storage.folder_remote_id(account_id, folder) if folder else None
        storage.queue_change(account_id, "move", remote_feed, f"{old or ''}\n{new or ''}", self._clock())
        subscriptions.move_feed(storage, feed_id, folder)

    def create_folder(self, name: str) -> None:
        """Create an empty folder; raises :class:`SettingsError` when *name* is empty or taken."""
        subscriptions.create_folder(self._storage(), name)

    def rename_folder(self, old: str, new: str) -> None:
        """Rename a folder; raises :class:`FolderNotFoundError` or :class:`SettingsError` (*new* taken)."""
        subscriptions.rename_folder(self._storage(), old, new)

    def delete_folder(self, name: str) -> None:
        """Delete a folder; its feeds move to the top level. Raises :class:`FolderNotFoundError`."""
        subscriptions.delete_folder(self._storage(), name)

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
        subscriptions.set_feed_options(
            self._storage(),
            feed_id,
            enabled=enabled,
            update_interval=update_interval,
            full_articles=full_articles,
            retention_max_age_days=retention_max_age_days,
            retention_max_count=retention_max_count,
        )

    def set_feed_auth(
        self, feed_id: int, user: str | None, password: str | None = None, *, unencrypted: bool = False
    ) -> None:
        """Set (or with ``user=None`` clear) HTTP basic credentials; the password goes to the keyring
        (or, with *unencrypted* — the user's explicit choice where there is no keyring — to
        :attr:`password_file`). Raises :class:`CredentialsError` when it cannot be kept."""
        subscriptions.set_feed_auth(
            self._storage(), feed_id, user, password, password_file=self.password_file, unencrypted=unencrypted
        )

    @property
    def password_file(self) -> Path:
        """Where passwords go only when the user chose to keep them unencrypted (no keyring)."""
        return Path(self.path).parent / "passwords.json"

    # sync accounts ---------------------------------------------------------------------------

    def account_feed_ids(self, names: Iterable[str]) -> list[int]:
        """The ids of the feeds of the sync accounts *names* (what completing a sync's new stories for
        offline reading works on, in the CLI and the app alike)."""
        wanted = set(names)
        return [feed.id for feed in self.feeds() if feed.account in wanted]

    def accounts(self) -> list[Account]:
        """Every sync account, with its queue counts and last sync."""
        return self._storage().accounts()

    def account(self, name: str) -> Account:
        """One sync account; raises :class:`AccountNotFoundError`."""
        return self._storage().account(name)

    def add_account(
        self,
        name: str,
        kind: str,
        url: str,
        user: str,
        password: str,
        *,
        check: bool = True,
        unencrypted: bool = False,
    ) -> Account:
        """Add a sync account (``kind`` ``greader``, ``fever`` or ``ttrss``). With *check*, the server
        must accept the user and password first. The password goes to the keyring, never the library
        (or, with *unencrypted* — the user's explicit choice where there is no keyring — to
        :attr:`password_file`). Raises :class:`SettingsError` (a field, or the name is taken),
        :class:`SyncError` (the server refused or could not be reached) and :class:`CredentialsError`
        (no keyring)."""
        from newsreader.core import accounts, credentials

        name, kind, url, user = accounts.check_account_fields(name, kind, url, user)
        storage = self._storage()
        if any(existing.name.lower() == name.lower() for existing in storage.accounts()):
            raise SettingsError(f"There is already an account named {name!r}.")
        if check:
            self.check_account(kind, url, user, password)
        credentials.store_password(url, user, password, file=self.password_file if unencrypted else None)
        return storage.add_account(name, kind, url, user, self._clock())

    def check_account(self, kind: str, url: str, user: str, password: str) -> None:
        """A connection test: log in to the server of a would-be account. Raises :class:`SettingsError`
        (a field), :class:`SyncAuthError` (wrong user or password), :class:`SyncOfflineError`
        (unreachable) or :class:`SyncProtocolError` (not a server of that kind), each one sentence."""
        from newsreader.core import accounts
        from newsreader.core.errors import SyncProtocolError, SyncRefusedError
        from newsreader.core.sync.models import KIND_NAMES
        from newsreader.core.sync.service import open_service

        _, kind, url, user = accounts.check_account_fields("check", kind, url, user)
        try:
            open_service(kind, url, user, password, self.fetcher()).check()
        except (SyncProtocolError, SyncRefusedError) as exc:
            # a page that is not the API (404, an HTML page, another protocol's answer)
            answer = f"it answered HTTP {exc.status}" if exc.status else str(exc).rstrip(".")
            raise SyncProtocolError(
                url,
                f"{url} did not answer as a {KIND_NAMES[kind]} server; check the kind of server and the "
                f"address ({answer}).",
                status=exc.status,
            ) from exc

    def remove_account(self, name: str) -> None:
        """Forget a sync account: its feeds, stories, queued changes and stored password (the server
        keeps everything). Raises :class:`AccountNotFoundError`."""
        from newsreader.core import credentials

        storage = self._storage()
        account = storage.account(name)
        storage.remove_account(account.name)
        if not any(a.url == account.url and a.user == account.user for a in storage.accounts()):
            credentials.delete_password(account.url, account.user, file=self.password_file)

    def queued_changes(self, account: str | None = None) -> list[QueuedChange]:
        """Local changes waiting for their server, and those it refused (with its reasons)."""
        storage = self._storage()
        return storage.queued_changes(storage.account(account).id if account is not None else None)

    def sync(
        self,
        names: Sequence[str] | None = None,
        *,
        cancel: Cancel | None = None,
        on_stored: Callable[[Account, int], None] | None = None,
    ) -> Iterator[tuple[Account, SyncReport]]:
        """Sync the named accounts (default: all), one after the other, yielding each one's report as
        it finishes. A failure ends only that account's sync; what it stored and its queue are kept,
        and the next sync resumes. Once *cancel* is set the running account's sync stops at its next
        request and no other starts. *on_stored(account, new stories)* is called (on this thread) after
        each batch of items is stored. Raises :class:`AccountNotFoundError` for an unknown name."""
        from newsreader.core import accounts
        from newsreader.core.errors import CredentialsError
        from newsreader.core.sync.engine import SyncReport

        storage = self._storage()
        chosen = [storage.account(name) for name in names] if names else storage.accounts()
        for account in chosen:
            if cancel is not None and cancel.is_set():
                return
            try:
                password = accounts.password_for(account, self.password_file)
            except CredentialsError as exc:
                storage.finish_sync(account.id, self._clock(), str(exc))
                yield storage.account(account.name), SyncReport(error=str(exc))
                continue
            service = accounts.service_for(account, password, self.fetcher())
            stored = functools.partial(on_stored, account) if on_stored is not None else None
            report = accounts.sync(
                storage,
                account,
                service,
                self._clock,
                cancelled=cancel.is_set if cancel is not None else (lambda: False),
                on_stored=stored,
            )
            yield storage.account(account.name), report

    # refresh ---------------------------------------------------------------------------------

    def refresh(
        self,
        feed_ids: Iterable[int] | None = None,
        *,
        due_only: bool = False,
        workers: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[RefreshProgress]:
        """Refresh feeds only (the first stage of :meth:`update`), yielding progress as each finishes.

        ``feed_ids`` None means every enabled feed. With ``due_only`` only feeds whose interval
        has passed are asked (the scheduled refresh); otherwise every chosen feed is asked now.
        Both honour a server's ``Retry-After``. Iterate in the thread that should do the writing.
        Raises :class:`FeedNotFoundError`, :class:`SettingsError` (workers out of range, a broken
        sponsored-rules file) and :class:`LibraryFullError` (nothing more can be stored).
        """
        from newsreader.core.refreshing import feeds_only

        yield from feeds_only(self._refresh_setup(), feed_ids, due_only=due_only, workers=workers, cancel=cancel)

    def update(
        self,
        feed_ids: Iterable[int] | None = None,
        *,
        due_only: bool = False,
        workers: int | None = None,
        offline: bool = True,
        cancel: threading.Event | None = None,
        budget: float | None = None,
    ) -> Iterator[StageProgress]:
        """One whole refresh — feeds, then article pages, images and icons (see
        :mod:`newsreader.core.pipeline`) — yielding :class:`StageProgress` values in stage order;
        what the CLI and the app both run. Without *offline* only the feeds. With *feed_ids* the
        later stages keep to those feeds (a new subscription is made complete for offline reading).
        Setting *cancel* cuts the requests in flight at once (a :class:`~newsreader.core.pool.Cancel`
        at the moment it is set, a plain event within 0.2 s). Iterate in the thread that should write.
        When the network is down (:mod:`newsreader.core.connectivity` says how that is told from dead
        feeds) the feeds stage stops early: its feeds come back ``OFFLINE``, left as they were (no
        error, no new schedule, no server paused), its ``finished`` value has ``offline`` set, and the
        later stages do not run. Raises what :meth:`refresh` raises.
        """
        from newsreader.core.refreshing import whole_refresh

        yield from whole_refresh(
            self._refresh_setup(),
            feed_ids,
            due_only=due_only,
            workers=workers,
            offline=offline,
            cancel=cancel,
            budget=budget,
        )

    def _refresh_setup(self) -> RefreshSetup:
        from newsreader.core.classify.rules import USER_RULES_NAME
        from newsreader.core.refreshing import RefreshSetup

        return RefreshSetup(
            connect=self._storage,
            fetcher=self.fetcher(),
            settings=self.settings(),
            clock=self._clock,
            parse_processes=self._parse_processes,
            password_for=self._password_for,
            check_rules=self.sponsored_rules,
            rules_file=self.path.parent / USER_RULES_NAME,
            filters_dir=self.filters_dir,
            folder=self._image_folder,
            filters=self.page_filters,
        )

    def _record_hosts(self) -> None:
        """Keep the hosts report of the requests made since the last one (see :func:`record_hosts`)."""
        from newsreader.core.refreshing import record_hosts

        if self._fetcher is not None:
            record_hosts(self._fetcher, self._storage(), self._clock())

    def _password_for(self, state: FeedState) -> str | None:
        from newsreader.core.credentials import load_password

        return load_password(state.url, state.auth_user, file=self.password_file) if state.auth_user else None

    # stories ---------------------------------------------------------------------------------

    def stories(
        self,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        account: str | None = None,
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
        the direction (without their HTML; see :meth:`story`); *account* keeps one sync account's.
        Raises :class:`FeedNotFoundError`, :class:`FolderNotFoundError`, :class:`AccountNotFoundError`,
        :class:`SettingsError` (a negative limit)."""
        if feed_id is not None:
            self.feed(feed_id)
        if account is not None:
            self.account(account)
        if folder is not None and folder not in {f.name for f in self.folders()}:
            raise FolderNotFoundError(folder)
        if limit is not None and limit < 0:
            raise SettingsError("The limit cannot be negative.")
        since = self._clock() - timedelta(days=1) if today else None
        return self._storage().stories(
            feed_id=feed_id,
            folder=folder,
            account=account,
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

    def group_sizes(self, story_ids: Sequence[int], *, include_sponsored: bool = False) -> dict[int, int]:
        """How many stories each of *story_ids* stands for when same-story groups are collapsed (1 for a
        story reported by one feed): story id → count."""
        return self._storage().group_sizes(story_ids, include_sponsored=include_sponsored)

    def story(self, story_id: int) -> Story:
        """One story with its HTML; raises :class:`StoryNotFoundError`."""
        return self._storage().story(story_id)

    def search(self, text: str, *, limit: int = 50, include_sponsored: bool = False) -> list[Story]:
        """Stories matching every word of *text* (full-text index), best match first; raises
        :class:`SettingsError` when *text* has no word."""
        query = fts_query(text)
        if not query:
            raise SettingsError("Search for at least one word.")
        return self._storage().search(query, limit=limit, include_sponsored=include_sponsored)

    def _existing(self, story_ids: Sequence[int]) -> list[int]:
        ids = list(dict.fromkeys(story_ids))
        found = self._storage().existing_story_ids(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise StoryNotFoundError(missing[0])
        return ids

    def mark_read(self, story_ids: Sequence[int], read: bool = True) -> int:
        """Mark stories read (or unread); all ids must exist (else :class:`StoryNotFoundError` and
        nothing changes). Returns how many changed."""
        return self._storage().set_flag(self._existing(story_ids), "read", read)

    def mark_starred(self, story_ids: Sequence[int], starred: bool = True) -> int:
        """Star (or unstar) stories; all ids must exist (else :class:`StoryNotFoundError` and nothing
        changes). Returns how many changed."""
        return self._storage().set_flag(self._existing(story_ids), "starred", starred)

    def mark_all_read(self, feed_id: int | None = None) -> int:
        """Mark every story of a feed (or the whole library) read; returns how many changed."""
        if feed_id is not None:
            self.feed(feed_id)
        return self._storage().mark_feed_read(feed_id)

    def mark_group_read(self, story_id: int, read: bool = True) -> int:
        """Mark a story and every report of the same event in other feeds read."""
        story = self.story(story_id)
        if story.group_id is None:
            return self.mark_read([story_id], read)
        return self._storage().mark_group_read(story.group_id, read)

    def story_count(self) -> int:
        """How many stories the library holds."""
        return self._storage().story_count()

    def check_integrity(self) -> bool:
        """SQLite's integrity check passes."""
        return self._storage().integrity_ok()

    # sponsored --------------------------------------------------------------------------------

    def sponsored_rules(self) -> Rules:
        """The shipped rules extended by ``sponsored-rules.json`` in the library's folder; raises
        :class:`SettingsError` when that file is broken."""
        from newsreader.core.classify import load_rules
        from newsreader.core.classify.rules import USER_RULES_NAME

        if self._rules is None:
            self._rules = load_rules(self.path.parent / USER_RULES_NAME)
        return self._rules

    def set_story_sponsored(self, story_id: int, sponsored: bool | None) -> Story:
        """The user's verdict on one story (``None``: let the rules decide again); survives refreshes."""
        from newsreader.core.classify.stored import reclassify

        storage = self._storage()
        storage.story(story_id)
        if sponsored is None:
            storage.set_sponsored_override(story_id, None, None)
            reclassify(storage, self.sponsored_rules(), story_id=story_id, link_blocked=self._link_test())
        else:
            reason = "You marked it as sponsored." if sponsored else None
            storage.set_sponsored_override(story_id, sponsored, reason)
        return storage.story(story_id)

    def _feed_rules(self, feed_id: int) -> FeedRules:
        from newsreader.core.classify import FeedRules

        state = self._storage().feed_states([feed_id], enabled_only=False, accounts=True)
        if not state:
            raise FeedNotFoundError(feed_id)
        return FeedRules.from_json(state[0].sponsored_never, state[0].sponsored_rules)

    def feed_sponsored_rules(self, feed_id: int) -> FeedRules:
        """A feed's own sponsored conventions (never flag, title patterns, categories)."""
        return self._feed_rules(feed_id)

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
        from newsreader.core.classify.stored import reclassify

        current = self._feed_rules(feed_id)
        updated = FeedRules.build(
            current.never if never is None else never,
            current.title_patterns if title_patterns is None else title_patterns,
            current.categories if categories is None else categories,
        )
        storage = self._storage()
        storage.update_feed(feed_id, sponsored_never=int(updated.never), sponsored_rules=updated.to_json())
        return reclassify(storage, self.sponsored_rules(), feed_id=feed_id, link_blocked=self._link_test())

    def _link_test(self) -> Callable[[str], bool]:
        """The filter lists' network rules as a test of an item's link (sponsored classification)."""
        from newsreader.core.classify.document import link_filter

        return link_filter(self.page_filters())

    def reclassify(self, feed_id: int | None = None) -> int:
        """Run the sponsored rules again over stored stories (after changing rules); returns how many changed."""
        from newsreader.core.classify.stored import reclassify

        if feed_id is not None:
            self.feed(feed_id)
        return reclassify(self._storage(), self.sponsored_rules(), feed_id=feed_id, link_blocked=self._link_test())

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
        """What to read after *story_id*, by kind, each with its reason; raises :class:`StoryNotFoundError`.

        ``prev``/``next`` follow the list the story is shown in (newest first, filtered by
        ``feed_id``/``folder``/``unread`` like :meth:`stories`).
        """
        from newsreader.core.related.assembly import related_stories

        storage = self._storage()
        storage.story(story_id)
        return related_stories(
            storage,
            story_id,
            self.page(story_id),
            feed_id=feed_id,
            folder=folder,
            unread=unread,
            include_sponsored=include_sponsored,
            limit=limit,
        )

    def reading_view(
        self,
        story_id: int,
        *,
        include_sponsored: bool = False,
        feed_id: int | None = None,
        folder: str | None = None,
        unread: bool = False,
    ) -> ReadingView:
        """Everything the reading panes show for *story_id* (body, cached images, related stories and
        sponsored items, each with its reason), in one call meant for a worker thread; ``prev``/``next``
        follow the list given by *feed_id*/*folder*/*unread*. Raises :class:`StoryNotFoundError`."""
        from newsreader.core.reading import (
            SOURCE_SPONSORED_LIMIT,
            ReadingView,
            body_images,
            sponsored_items,
            story_body,
        )

        story = self.story(story_id)
        page = self.page(story_id)
        page_error = self.page_error(story_id) if page is None else None
        shown, on_page = story, page.sponsored if page is not None else ()
        if page is None:  # the feed's own HTML, split like a page: paid links and pixels go to sponsored
            content = self.story_content(story_id)
            if story.content_html:
                shown = dataclasses.replace(story, content_html=content.html)
            else:
                shown = dataclasses.replace(story, summary_html=content.html)
            on_page = content.sponsored
        body, origin = story_body(shown, page)
        images = body_images(shown, page)
        source_sponsored = self.stories(
            feed_id=story.feed_id, sponsored_only=True, include_sponsored=True, limit=SOURCE_SPONSORED_LIMIT
        )
        return ReadingView(
            story=shown,
            body_html=body,
            body_origin=origin,
            page=page,
            page_error=page_error,
            images=tuple(images),
            cached_images=self.cached_images(images) if images else {},
            related=self.related(
                story_id, feed_id=feed_id, folder=folder, unread=unread, include_sponsored=include_sponsored
            ),
            sponsored=sponsored_items(story, on_page, source_sponsored),
        )

    # article pages ----------------------------------------------------------------------------

    def page(self, story_id: int) -> PageAnalysis | None:
        """The stored analysis of a story's article page, or None when none was fetched."""
        from newsreader.core.pages.offline import stored_page

        return stored_page(self._storage(), story_id, self.links_not_sponsored())

    def story_content(self, story_id: int) -> FeedContent:
        """The story's own (feed) HTML with ad-server, affiliate and ``rel="sponsored"`` links and
        tracking pixels taken out, and those links as sponsored items with their reasons — what
        the reading pane shows when no article page was fetched. Raises :class:`StoryNotFoundError`."""
        from newsreader.core.pages.offline import feed_content

        return feed_content(self._storage(), story_id, self.page_filters(), self.links_not_sponsored())

    def links_not_sponsored(self) -> frozenset[str]:
        """Page links the user said are not sponsored (they leave every sponsored pane)."""
        return self.settings().not_sponsored_links

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
        return stored.error if stored is not None else None

    def fetch_story_page(self, story_id: int) -> PageAnalysis:
        """Fetch a story's article page now, analyse it, cache its images and keep it all for offline
        reading. Raises :class:`StoryNotFoundError`, :class:`SettingsError` (no link) and
        :class:`FetchError` (also stored with the story, which keeps the feed's content)."""
        from newsreader.core.pages.offline import fetch_story_page

        try:
            return fetch_story_page(
                self._storage(), self.fetcher(), self._image_folder(), story_id, self.page_filters(), self._clock()
            )
        finally:
            self._record_hosts()

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
        Raises :class:`FeedNotFoundError`.
        """
        from newsreader.core.image_cache import enforce_quota
        from newsreader.core.pages.offline import fetch_pages

        storage = self._storage()
        if feed_ids is not None:
            for feed_id in feed_ids:
                self.feed(feed_id)
        settings = self.settings()
        folder = self._image_folder()
        yield from fetch_pages(
            storage,
            self.fetcher(),
            folder,
            self.page_filters(),
            self._clock,
            feed_ids=feed_ids,
            story_ids=story_ids,
            per_feed=per_feed,
            workers=workers if workers is not None else min(PAGE_WORKERS, settings.workers),
            images=settings.download_images if images is None else images,
            full_articles=settings.full_articles,
            cancel=cancel,
        )
        enforce_quota(storage, folder, settings.image_quota)
        self._record_hosts()

    def store_page(self, story_id: int, html: bytes, url: str | None = None) -> PageAnalysis:
        """Analyse a copy of a story's article page (fetched, or saved from a browser) and keep both
        for offline reading; *url* (default: the story's link) resolves the page's links."""
        from newsreader.core.pages.offline import store_page

        return store_page(self._storage(), story_id, html, url, self.page_filters(), self._clock())

    def reanalyze_pages(self) -> int:
        """Analyse every stored page again (after an analyser upgrade), without the network."""
        from newsreader.core.pages.offline import reanalyze_pages

        return reanalyze_pages(self._storage(), self.page_filters(), self._clock)

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
        """Keep a filter list (EasyList syntax) under *name*; returns its number of rules. Raises
        :class:`SettingsError`."""
        from newsreader.core.filter_lists import add_filter_list

        return add_filter_list(self.filters_dir, text, name)

    def subscribe_filter_list(self, url: str, name: str | None = None) -> tuple[str, int]:
        """Subscribe to the filter list at *url* (EasyList and friends), as a browser's ad blocker
        does: fetched now and again when it expires (:meth:`refresh_filter_lists`); returns (file
        name, rules). Raises :class:`FetchError` and :class:`SettingsError`."""
        from newsreader.core.filter_lists import subscribe_filter_list

        return subscribe_filter_list(self.filters_dir, self.fetcher(), url, name, self._clock())

    def refresh_filter_lists(self, *, force: bool = False) -> list[FilterListUpdate]:
        """Fetch again the subscribed filter lists that have expired (all with *force*), with
        conditional requests; a failure keeps the copy in use and is recorded with the list."""
        from newsreader.core.filter_lists import refresh_filter_lists

        return list(refresh_filter_lists(self.filters_dir, self.fetcher(), self._clock(), force=force))

    def filter_subscriptions(self) -> dict[str, dict[str, Any]]:
        """Subscribed filter lists by file name: url, checked, expires, last error."""
        from newsreader.core.filter_lists import subscriptions

        return subscriptions(self.filters_dir)

    def remove_filter_list(self, name: str) -> None:
        """Delete one of the user's filter lists; raises :class:`FilterListNotFoundError`."""
        from newsreader.core.filter_lists import remove_filter_list

        remove_filter_list(self.filters_dir, name)

    # images and icons --------------------------------------------------------------------------

    def cached_images(self, urls: Sequence[str]) -> dict[str, str]:
        """The cached file (digest) of each of *urls* that is in the offline cache."""
        from newsreader.core.image_cache import cached_images

        return cached_images(self._storage(), urls)

    def cache_images(self, urls: Sequence[str]) -> dict[str, str]:
        """Download the images of *urls* not tried before into the offline cache (what a reader who
        allows images asks for); returns every one of them now cached (URL → digest)."""
        from newsreader.core.image_cache import cache_images

        try:
            return cache_images(
                self._storage(), self.fetcher(), self._image_folder(), urls, self._clock(), self.settings().image_quota
            )
        finally:
            self._record_hosts()

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
        from newsreader.core.image_cache import fetch_story_images

        settings = self.settings()
        if not settings.download_images or not story_ids:
            return 0
        try:
            return fetch_story_images(
                self._storage(),
                self.fetcher(),
                self._image_folder(),
                story_ids,
                self._clock(),
                settings.image_quota,
                per_feed=per_feed,
                workers=workers,
                cancel=cancel,
            )
        finally:
            self._record_hosts()

    def image_data(self, digest: str) -> bytes | None:
        """A cached image's bytes, or None when the file is gone."""
        return self._image_folder().read(digest)

    def refresh_icons(self, *, max_age_days: int = 30, workers: int = 8, cancel: threading.Event | None = None) -> int:
        """Look for the icon (the site's declared ``<link rel="icon">``, else ``/favicon.ico``) of every
        feed not checked in *max_age_days* (without one: in a few days); returns how many feeds have an
        icon now (none when the ``feed_icons`` setting is ``off``)."""
        from newsreader.core.icons import refresh_icons

        if not self.settings().feed_icons:
            return 0
        try:
            return refresh_icons(
                self._storage(),
                self.fetcher(),
                self._image_folder(),
                self._clock(),
                max_age_days=max_age_days,
                workers=workers,
                cancel=cancel,
            )
        finally:
            self._record_hosts()

    def feed_icons(self) -> dict[int, bytes]:
        """The cached icon of every feed that has one."""
        from newsreader.core.icons import feed_icons

        return feed_icons(self._storage(), self._image_folder())

    # OPML ------------------------------------------------------------------------------------

    def import_opml(self, data: bytes, source: str = "the OPML file") -> ImportReport:
        """Subscribe to every feed in an OPML document, in one transaction; raises :class:`OpmlError`.

        Idempotent: feeds already subscribed (by URL) are skipped, with the reason.
        """
        return subscriptions.import_opml(self._storage(), data, source, self._clock())

    def import_opml_file(self, path: str | os.PathLike[str]) -> ImportReport:
        """:meth:`import_opml` on a file; unreadable files raise :class:`OpmlError`."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise OpmlError(f"{path} could not be read ({exc.strerror or exc}).") from exc
        return self.import_opml(data, str(path))

    def export_opml(self) -> str:
        """Every subscription as an OPML 2.0 document, grouped by folder."""
        return subscriptions.export_opml(self.feeds())


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
