"""Sync accounts: adding one (checked against its server, password to the keyring), and syncing it.

The library side of :mod:`newsreader.core.sync.engine`: :class:`AccountStore` gives the engine one
account's view of the storage, and turns the server's items into stories the way a refresh turns feed
entries into stories (sanitised HTML, plain text for search, same-story grouping), keyed by the
server's item id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from newsreader.core import credentials
from newsreader.core.errors import CredentialsError, SettingsError
from newsreader.core.fetch import Fetcher
from newsreader.core.models import Account, Enclosure, ParsedEntry
from newsreader.core.parse.normalize import entry_digest, normalize_entry
from newsreader.core.parse.raw import RawEntry, RawText
from newsreader.core.storage.db import Storage
from newsreader.core.sync.conflicts import Baseline, Change
from newsreader.core.sync.engine import SyncReport, sync_account
from newsreader.core.sync.models import KIND_NAMES, KINDS, RemoteItem
from newsreader.core.sync.service import Structure, SyncService, open_service


def check_account_fields(name: str, kind: str, url: str, user: str) -> tuple[str, str, str, str]:
    """The fields of a new account, trimmed; raises :class:`SettingsError` naming what is wrong."""
    name, url, user = name.strip(), url.strip(), user.strip()
    if not name or "/" in name or len(name) > 100:
        raise SettingsError("An account name must be 1 to 100 characters, without '/'.")
    if kind not in KINDS:
        raise SettingsError(f"Unknown account kind {kind!r}; use one of {', '.join(KINDS)}.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{url!r} is not an http or https address of a {KIND_NAMES[kind]} server.")
    if not user:
        raise SettingsError("The account needs a user name.")
    return name, kind, url, user


def password_for(account: Account, file: Path | None = None) -> str:
    """The account's password from the keyring (or from *file*, where the user chose to keep passwords
    unencrypted); raises :class:`CredentialsError` when it is not there."""
    password = credentials.load_password(account.url, account.user, file=file)
    if password is None:
        raise CredentialsError(
            f"The keyring holds no password for account {account.name!r}; remove the account and add it again."
        )
    return password


def remote_folder(storage: Storage, account: Account, folder: str | None) -> str | None:
    """The server's id of one of the account's folders, named ``work/Tech`` or just ``Tech``; for a
    Google Reader account a new folder's label id (the server creates it), else None."""
    if not folder:
        return None
    title = folder.removeprefix(f"{account.name}/")
    known = storage.folder_remote_id(account.id, f"{account.name}/{title}")
    if known is not None:
        return known
    return f"user/-/label/{title}" if account.kind == "greader" else None


def service_for(account: Account, password: str, fetcher: Fetcher) -> SyncService:
    """The server of *account*."""
    return open_service(account.kind, account.url, account.user, password, fetcher)


def to_entry(item: RemoteItem, feed_url: str, now: datetime) -> ParsedEntry:
    """A server's item as a normalised entry keyed by the server's item id."""
    raw = RawEntry(
        guid=None,
        link=item.url,
        title=RawText(item.title, "text") if item.title else None,
        summary=None,
        content=RawText(item.html, "html") if item.html else None,
        published=item.published,
        updated=None,
        author=item.author,
        categories=item.tags,
        enclosures=tuple(Enclosure(e.url, e.type, e.length) for e in item.enclosures),
    )
    entry = replace(normalize_entry(raw, feed_url or item.url or "", now), key=item.id)
    return replace(entry, digest=entry_digest(entry))


class AccountStore:
    """One account's view of the storage, as :class:`~newsreader.core.sync.engine.SyncStore`."""

    def __init__(
        self,
        storage: Storage,
        account: Account,
        clock: Callable[[], datetime],
        on_stored: Callable[[int], None] | None = None,
    ) -> None:
        self.storage = storage
        self.account = account
        self.clock = clock
        self.on_stored = on_stored
        """Called with the number of new stories after each stored batch (the app lists them at once)."""
        self._feed_urls: dict[str, str] = {}

    def pending_changes(self) -> Sequence[Change]:
        return self.storage.pending_changes(self.account.id)

    def remove_changes(self, ids: Sequence[int]) -> None:
        self.storage.remove_changes(ids)

    def refuse_change(self, change_id: int, reason: str) -> None:
        self.storage.refuse_change(change_id, reason)

    def baselines(self) -> Mapping[str, Baseline]:
        return self.storage.baselines(self.account.id)

    def apply_structure(self, structure: Structure) -> None:
        self._feed_urls = {feed.id: feed.url for feed in structure.feeds}
        self.storage.apply_structure(
            self.account.id,
            self.account.name,
            [(folder.id, folder.title) for folder in structure.folders],
            [
                (feed.id, feed.title, feed.url, feed.site_url, feed.folder_ids[0] if feed.folder_ids else None)
                for feed in structure.feeds
            ],
            self.clock(),
        )

    def cursor(self) -> str | None:
        return self.storage.sync_cursor(self.account.id)

    def store_items(self, items: Sequence[RemoteItem], cursor: str | None) -> int:
        now = self.clock()
        entries = [
            (item.feed_id, to_entry(item, self._feed_urls.get(item.feed_id, ""), now), item.read, item.starred)
            for item in items
        ]
        added = self.storage.store_remote_entries(self.account.id, entries, cursor, now)
        if self.on_stored is not None:
            self.on_stored(added)
        return added

    def apply_states(self, unread: frozenset[str], starred: frozenset[str], keep: frozenset[str]) -> int:
        return self.storage.apply_remote_states(self.account.id, unread, starred, keep)

    def finish(self, when: datetime, error: str | None) -> None:
        self.storage.finish_sync(self.account.id, when, error)


def sync(
    storage: Storage,
    account: Account,
    service: SyncService,
    clock: Callable[[], datetime],
    *,
    cancelled: Callable[[], bool] = lambda: False,
    on_stored: Callable[[int], None] | None = None,
) -> SyncReport:
    """Sync *account* with its server (see :func:`~newsreader.core.sync.engine.sync_account`)."""
    return sync_account(service, AccountStore(storage, account, clock, on_stored), now=clock, cancelled=cancelled)
