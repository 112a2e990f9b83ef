"""Subscriptions: finding a feed behind an address, subscribing, OPML, folders and per-feed options.

Functions take the thread's :class:`Storage` (and a :class:`Fetcher` where the network is asked);
:class:`~newsreader.core.library.Library` passes both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsreader.core.errors import (
    FeedError,
    FetchError,
    FolderNotFoundError,
    NotAFeedError,
    ParseError,
    SettingsError,
)
from newsreader.core.models import DiscoveredFeed, Feed, ImportReport, OpmlOutline
from newsreader.core.storage.db import Storage, to_db_time

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher


class Keep(Enum):
    """Marks a setting left as it is (``None`` already means "back to the default")."""

    KEEP = "keep"


def check_url(url: str) -> str:
    """*url* made absolute (``feed://`` and a bare ``host/path`` become http(s)) and without any
    ``user:password@`` part (see :func:`with_credentials`); raises :class:`SettingsError` when it is
    not an http or https address."""
    return with_credentials(url)[0]


def with_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """:func:`check_url`'s address, and the (user, password) its ``user:password@`` part carried, if
    any — so that credentials reach the keyring and never the database, a log or an error message."""
    from newsreader.core.credentials import split_credentials

    url = url.strip()
    if url.startswith("feed://"):
        url = "http://" + url[len("feed://") :]
    elif url.startswith("feed:"):
        url = url[len("feed:") :]  # feed:https://…
    first = url.split("/")[0]
    has_scheme = ":" in first and "." not in first.split(":")[0]  # mailto:a@b.c, not host.name:8080
    if "://" not in url and "." in first and not has_scheme:
        url = "https://" + url
    url, auth = split_credentials(url)
    shown = _without_secret(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise SettingsError(f"{shown!r} is not a valid address.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{shown!r} is not an http or https address.")
    return url, auth


def _without_secret(url: str) -> str:
    """*url* for a message: whatever stands between a colon and an ``@`` before the first slash
    (a password typed without ``https://``) replaced by an ellipsis."""
    first, slash, rest = url.partition("/")
    if "@" in first and ":" in first.split("@")[0]:
        head, _, host = first.rpartition("@")
        first = head.split(":")[0] + ":…@" + host
    return first + slash + rest


def discover(fetcher: Fetcher, url: str, auth: tuple[str, str] | None = None) -> list[DiscoveredFeed]:
    """The feeds at *url*: the URL itself when it is a feed, else what the page announces or what
    answers at common feed paths of its site; *auth* (user, password) is sent to *url*'s own host only.
    Raises :class:`SettingsError` (not an address), :class:`FetchError` (the page could not be
    fetched; ``status`` 401 when it wants a user name and password), :class:`NotAFeedError`."""
    from newsreader.core.discovery import common_feed_urls, discover_feeds, looks_like_html
    from newsreader.core.parse import parse_feed

    url, in_url = with_credentials(url)
    auth = auth or in_url
    host = urlsplit(url).hostname
    response = fetcher.fetch(url, auth=auth)
    if not looks_like_html(response.body):
        try:
            parsed = parse_feed(response.body, response.url, response.headers)
        except ParseError:
            pass
        else:
            return [DiscoveredFeed(url=response.permanent_url or url, title=parsed.title or None, format=parsed.format)]
    found = discover_feeds(response.body, response.url)
    if found:
        return found
    for candidate in common_feed_urls(response.url):
        try:
            probe = fetcher.fetch(candidate, auth=auth if urlsplit(candidate).hostname == host else None)
            parsed = parse_feed(probe.body, probe.url, probe.headers)
        except (FetchError, ParseError):
            continue
        return [DiscoveredFeed(url=probe.url, title=parsed.title or None, format=parsed.format)]
    raise NotAFeedError(url, f"{url} is not a feed and does not link to one.")


def not_subscribed(url: str, feed_url: str, failure: str) -> FeedError:
    """The error for a feed whose first refresh failed: one sentence with the reason, naming the
    page that announced it when the user gave a page."""
    reason = failure.rstrip(".")
    if feed_url != url:
        return FeedError(
            feed_url, f"Not subscribed: {url} announces the feed {feed_url}, which could not be read ({reason})."
        )
    return FeedError(feed_url, f"Not subscribed: the feed {feed_url} could not be read ({reason}).")


def refuse_known(storage: Storage, url: str) -> None:
    """Raise :class:`SettingsError` when *url* is subscribed already."""
    existing = storage.feed_id_for_url(url)
    if existing is not None:
        raise SettingsError(f"You are already subscribed to {url} (feed {existing}).")


def subscribe(
    storage: Storage,
    url: str,
    now: datetime,
    *,
    title: str | None = None,
    folder: str | None = None,
    password_file: Path | None = None,
) -> int:
    """Record a subscription to *url* (checked, not fetched); returns the new feed's id. A *title* is
    the user's name for the feed: refreshes keep it. A ``user:password@`` in *url* becomes the feed's
    user and a password in the keyring (or in *password_file*, the user's explicit choice). Raises
    :class:`SettingsError` for an address that is not http(s), :class:`CredentialsError` when the
    password cannot be kept."""
    clean, auth = with_credentials(url)
    if auth is not None:
        from newsreader.core.credentials import store_password

        store_password(clean, *auth, file=password_file)
    feed_id = storage.add_feed(clean, "", folder, now)
    if auth is not None:
        storage.update_feed(feed_id, auth_user=auth[0])
    if title and title.strip():
        storage.update_feed(feed_id, user_title=title.strip())
    return feed_id


def remove_feed(storage: Storage, feed_id: int, password_file: Path | None = None) -> None:
    """Unsubscribe and delete the feed's stories and its stored password; raises
    :class:`FeedNotFoundError`."""
    feed = storage.feed(feed_id)
    storage.delete_feed(feed_id)
    if feed.auth_user:
        from newsreader.core.credentials import delete_password

        delete_password(feed.url, feed.auth_user, file=password_file)


def set_feed_url(storage: Storage, feed_id: int, url: str, *, password_file: Path | None = None) -> str:
    """Point a feed at another address (the publisher moved it); its stories, folder and settings stay,
    what the old address answered (validators, errors) is forgotten, and its password moves with it.
    A ``user:password@`` in *url* becomes the feed's login. Returns the address stored. Raises
    :class:`FeedNotFoundError`, :class:`SettingsError` (not http(s), or another feed has it),
    :class:`CredentialsError` (the password cannot be kept)."""
    from newsreader.core.credentials import delete_password, load_password, store_password

    clean, auth = with_credentials(url)
    feed = storage.feed(feed_id)
    if clean == feed.url and auth is None:
        return clean
    other = storage.feed_id_for_url(clean)
    if other is not None and other != feed_id:
        raise SettingsError(f"You are already subscribed to {clean} (feed {other}).")
    user = auth[0] if auth is not None else feed.auth_user
    password = auth[1] if auth is not None else None
    if password is None and feed.auth_user and clean != feed.url:
        password = load_password(feed.url, feed.auth_user, file=password_file)
    if user and password is not None:
        from newsreader.core.credentials import keyring_available

        unencrypted = not keyring_available() and password_file is not None and password_file.exists()
        store_password(clean, user, password, file=password_file if unencrypted else None)
    with storage.transaction() as db:
        db.execute(
            """UPDATE feeds SET url = ?, auth_user = ?, etag = NULL, last_modified = NULL, body_hash = NULL,
               next_check = NULL, last_error = NULL, last_error_at = NULL WHERE id = ?""",
            (clean, user or None, feed_id),
        )
    if feed.auth_user and clean != feed.url:
        delete_password(feed.url, feed.auth_user, file=password_file)
    return clean


def move_feed(storage: Storage, feed_id: int, folder: str | None) -> None:
    """Put a feed in *folder* (created if needed), or at the top level with None; raises
    :class:`FeedNotFoundError`."""
    storage.feed(feed_id)
    with storage.transaction() as db:
        folder_id = storage.folder_id(db, folder.strip()) if folder and folder.strip() else None
        db.execute("UPDATE feeds SET folder_id = ? WHERE id = ?", (folder_id, feed_id))


def create_folder(storage: Storage, name: str) -> None:
    """Create an empty folder; raises :class:`SettingsError` when *name* is empty or taken."""
    name = name.strip()
    if not name:
        raise SettingsError("A folder name cannot be empty.")
    with storage.transaction() as db:
        if storage.folder_id(db, name, create=False) is not None:
            raise SettingsError(f"A folder named {name!r} already exists.")
        storage.folder_id(db, name)


def rename_folder(storage: Storage, old: str, new: str) -> None:
    """Rename a folder; raises :class:`FolderNotFoundError` when *old* does not exist,
    :class:`SettingsError` when *new* is empty or taken."""
    new = new.strip()
    if not new:
        raise SettingsError("A folder name cannot be empty.")
    with storage.transaction() as db:
        folder_id = storage.folder_id(db, old, create=False)
        if folder_id is None:
            raise FolderNotFoundError(old)
        other = storage.folder_id(db, new, create=False)
        if other is not None and other != folder_id:
            raise SettingsError(f"A folder named {new!r} already exists.")
        db.execute("UPDATE folders SET name = ? WHERE id = ?", (new, folder_id))


def delete_folder(storage: Storage, name: str) -> None:
    """Delete a folder (its feeds move to the top level); raises :class:`FolderNotFoundError`."""
    with storage.transaction() as db:
        if db.execute("DELETE FROM folders WHERE name = ?", (name,)).rowcount == 0:
            raise FolderNotFoundError(name)


def set_feed_options(
    storage: Storage,
    feed_id: int,
    *,
    enabled: bool | None = None,
    update_interval: int | Keep | None = Keep.KEEP,
    full_articles: bool | Keep | None = Keep.KEEP,
    retention_max_age_days: int | Keep | None = Keep.KEEP,
    retention_max_count: int | Keep | None = Keep.KEEP,
) -> None:
    """Change per-feed settings; an argument left out keeps its value (``None`` resets to default).
    Raises :class:`FeedNotFoundError` (first: an unknown feed is the problem whatever the values), then
    :class:`SettingsError` for a value out of range."""
    storage.feed(feed_id)
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
    storage.update_feed(feed_id, **columns)


def set_feed_auth(
    storage: Storage,
    feed_id: int,
    user: str | None,
    password: str | None = None,
    *,
    password_file: Path | None = None,
    unencrypted: bool = False,
) -> None:
    """Set (or with ``user=None`` clear) HTTP basic credentials; the password goes to the keyring, or
    with *unencrypted* (the user's explicit choice where there is no keyring) to *password_file*.
    Raises :class:`FeedNotFoundError`, :class:`CredentialsError` (no keyring)."""
    from newsreader.core.credentials import delete_password, store_password

    feed = storage.feed(feed_id)
    if user:
        if password is not None:
            store_password(feed.url, user, password, file=password_file if unencrypted else None)
        storage.update_feed(feed_id, auth_user=user)
    else:
        if feed.auth_user:
            delete_password(feed.url, feed.auth_user, file=password_file)
        storage.update_feed(feed_id, auth_user=None)


def import_opml(storage: Storage, data: bytes, source: str, now: datetime) -> ImportReport:
    """Subscribe to every feed in an OPML document, in one transaction; raises :class:`OpmlError`.

    Idempotent: feeds already subscribed (by URL) are skipped, with the reason.
    """
    from newsreader.core.opml import read_opml

    contents = read_opml(data, source)
    outlines = contents.outlines
    added: list[str] = []
    skipped: list[tuple[str, str]] = list(contents.skipped)
    created: list[str] = []
    known_folders = {f.name.lower() for f in storage.folders()}
    with storage.transaction() as db:
        seen = {row[0] for row in db.execute("SELECT url FROM feeds")}
        for outline in outlines:
            try:
                url = check_url(outline.url)
            except SettingsError as exc:
                from newsreader.core.credentials import split_credentials

                skipped.append((split_credentials(outline.url)[0], str(exc)))
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
            # the name in the file is the user's: a refresh fills in the feed's own title beside it
            db.execute(
                "INSERT INTO feeds(url, user_title, site_url, folder_id, added_at) VALUES (?, ?, ?, ?, ?)",
                (url, outline.title, outline.site_url, folder_id, to_db_time(now)),
            )
            seen.add(url)
            added.append(url)
    return ImportReport(tuple(added), tuple(skipped), tuple(created))


def export_opml(feeds: Sequence[Feed]) -> str:
    """*feeds* as an OPML 2.0 document, grouped by folder."""
    from newsreader.core.opml import write_opml

    return write_opml(OpmlOutline(f.url, f.title, f.folder, f.site_url) for f in feeds)
