"""SQLite storage: the only module that uses ``sqlite3``.

One :class:`Storage` per thread (SQLite connections are per thread). WAL mode lets readers go on
while one writer commits; every write that belongs together is one transaction, so a process
killed at any moment leaves the last committed state.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsreader.core.errors import LibraryFullError, StorageError, UnknownIdError, UnusableLibraryError
from newsreader.core.models import Enclosure, Feed, Folder, ParsedEntry, Story, Verdict
from newsreader.core.storage.grouping import group_new_stories
from newsreader.core.storage.schema import check_ours, migrate

BUSY_TIMEOUT_MS = 10_000
SQLITE_IOERR = 10
SQLITE_FULL = 13
SEARCH_WINDOW = 1_000
"""A search ranks at most this many of the most recent matching stories."""


def to_db_time(value: datetime | None) -> str | None:
    """UTC timestamps as sortable text: ``2026-01-31T12:00:00Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db_time(value: str | None) -> datetime | None:
    """Inverse of :func:`to_db_time`."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _required_time(value: str) -> datetime:
    parsed = from_db_time(value)
    assert parsed is not None
    return parsed


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a refresh needs to know about a feed before fetching it."""

    id: int
    url: str
    title: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    auth_user: str | None
    update_interval: int | None
    next_check: datetime | None
    retry_after: datetime | None
    max_count: int | None
    max_age_days: int | None
    sponsored_never: bool = False
    sponsored_rules: str | None = None


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What storing one feed's entries changed."""

    new_ids: tuple[int, ...]
    updated: int


_INSERT_STORIES = """INSERT INTO stories(feed_id, key, guid, link, title, author, updated, summary_html,
    content_html, body_text, categories, enclosures, published, first_seen, content_hash, sponsored,
    sponsored_reason, link_count, sponsored_link_count, canonical_link, title_key) VALUES """
_INSERT_ROW = "(" + ", ".join(["?"] * 21) + ")"
_ROWS_PER_INSERT = 500  # 21 parameters a row, well under SQLite's 32,766
_NOT_SPONSORED = Verdict(False, None)


def _classification_values(entry: ParsedEntry, verdict: Verdict) -> tuple[Any, ...]:
    return (
        int(verdict.sponsored),
        verdict.reason,
        entry.link_count,
        entry.sponsored_link_count,
        entry.canonical_link,
        entry.title_key,
    )


def _row_values(entry: ParsedEntry) -> tuple[Any, ...]:
    return (
        entry.guid,
        entry.link,
        entry.title,
        entry.author,
        to_db_time(entry.updated),
        entry.summary_html,
        entry.content_html,
        entry.text,
        json.dumps(list(entry.categories), ensure_ascii=False),
        json.dumps([{"url": e.url, "type": e.type, "length": e.length} for e in entry.enclosures]),
    )


def _list_filter(
    feed_id: int | None, folder: str | None, unread: bool, include_sponsored: bool, keep: int | None = None
) -> tuple[list[str], list[Any]]:
    """WHERE clauses of a story list; *keep* stays in an unread list even once read (the open story)."""
    clauses: list[str] = []
    params: list[Any] = []
    if feed_id is not None:
        clauses.append("s.feed_id = ?")
        params.append(feed_id)
    if folder is not None:
        clauses.append("f.folder_id = (SELECT id FROM folders WHERE name = ?)")
        params.append(folder)
    if unread:
        if keep is None:
            clauses.append("s.read = 0")
        else:
            clauses.append("(s.read = 0 OR s.id = ?)")
            params.append(keep)
    if not include_sponsored:
        clauses.append("s.sponsored = 0")
    return clauses, params


_FEED_COLUMNS = """f.id, f.url, coalesce(f.user_title, f.title), fo.name, f.site_url, f.enabled,
    f.update_interval, f.auth_user, f.full_articles, f.retention_max_age_days, f.retention_max_count,
    f.last_checked, f.last_updated, f.next_check, f.last_error, f.last_error_at, f.disabled_reason"""

_STORY_COLUMNS = """s.id, s.feed_id, coalesce(f.user_title, f.title), s.guid, s.link, s.title, s.author,
    s.published, s.updated, s.first_seen, s.read, s.starred, s.sponsored, s.sponsored_reason,
    s.categories, s.enclosures, s.group_id"""


def _feed_from_row(row: Sequence[Any], unread: int = 0, total: int = 0) -> Feed:
    return Feed(
        id=row[0],
        url=row[1],
        title=row[2] or row[1],
        folder=row[3],
        site_url=row[4],
        enabled=bool(row[5]),
        update_interval=row[6],
        auth_user=row[7],
        full_articles=None if row[8] is None else bool(row[8]),
        retention_max_age_days=row[9],
        retention_max_count=row[10],
        last_checked=from_db_time(row[11]),
        last_updated=from_db_time(row[12]),
        next_check=from_db_time(row[13]),
        last_error=row[14],
        last_error_at=from_db_time(row[15]),
        disabled_reason=row[16],
        unread=unread,
        total=total,
    )


def _story_from_row(row: Sequence[Any], summary_html: str = "", content_html: str = "") -> Story:
    return Story(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2] or "",
        guid=row[3],
        link=row[4],
        title=row[5],
        author=row[6],
        published=_required_time(row[7]),
        updated=from_db_time(row[8]),
        first_seen=_required_time(row[9]),
        read=bool(row[10]),
        starred=bool(row[11]),
        sponsored=bool(row[12]),
        sponsored_reason=row[13],
        categories=tuple(json.loads(row[14])),
        enclosures=tuple(Enclosure(e["url"], e.get("type"), e.get("length")) for e in json.loads(row[15])),
        summary_html=summary_html,
        content_html=content_html,
        group_id=row[16],
    )


SUMMARY_ONLY_CHARS = 1500
"""A feed none of whose stored stories has this much HTML (content or summary) carries summaries only (so its
article pages are downloaded when its "full articles" setting is automatic)."""

_STORY_ORDERS = {
    "date": (("s.published", "DESC"), ("s.id", "DESC")),
    "title": (("s.title COLLATE NOCASE", "ASC"), ("s.published", "DESC"), ("s.id", "DESC")),
    "source": (("coalesce(f.user_title, f.title) COLLATE NOCASE", "ASC"), ("s.published", "DESC"), ("s.id", "DESC")),
}
"""Each list order's natural direction (newest first, A to Z); ``reverse`` flips every key."""


def _order_clause(order: str, reverse: bool) -> str:
    if order not in _STORY_ORDERS:
        raise ValueError(f"unknown story order {order!r}")
    flip = {"ASC": "DESC", "DESC": "ASC"}
    return ", ".join(f"{expr} {flip[way] if reverse else way}" for expr, way in _STORY_ORDERS[order])


class Storage:
    """A connection to one library database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._savepoints = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
            )
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"The library {path} could not be opened ({exc}).") from exc
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            check_ours(self._db, str(path))  # before anything writes to a file that may not be ours
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"The library {path} cannot use write-ahead logging (journal mode {mode}).")
            self._db.execute("PRAGMA synchronous = NORMAL")
            # checkpoint every ~16 MB of WAL rather than 4 MB: a cold refresh writes hundreds of MB
            self._db.execute("PRAGMA wal_autocheckpoint = 4000")
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db, str(path))
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise UnusableLibraryError(f"{path} is not a newsreader library or is damaged ({exc}).") from exc
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` takes the write lock up front).

        Nested use opens a savepoint, so a caller can group several units of work in one commit
        and still roll back just the unit that failed.
        """
        if self._db.in_transaction:
            self._savepoints += 1
            name = f"unit{self._savepoints}"
            self._db.execute(f"SAVEPOINT {name}")
            try:
                yield self._db
            except BaseException:
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
                raise
            self._db.execute(f"RELEASE {name}")
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from exc
        try:
            yield self._db
        except sqlite3.Error as exc:
            self._rollback_if_open()
            raise self._write_error(exc) from exc
        except BaseException:
            self._rollback_if_open()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback_if_open()
            raise self._write_error(exc) from exc

    def _write_error(self, exc: sqlite3.Error) -> StorageError:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (SQLITE_FULL, SQLITE_IOERR) or "disk" in str(exc).lower():
            return LibraryFullError(
                f"The library {self.path} could not be written: the disk is full or failing ({exc}). "
                "Nothing already stored was lost; free some space and try again."
            )
        return StorageError(f"The library {self.path} could not be written ({exc}).")

    def _rollback_if_open(self) -> None:
        # a failed statement or COMMIT (disk full, I/O error) may or may not have ended the transaction
        if self._db.in_transaction:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one read statement, wrapping SQLite errors."""
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StorageError(f"Reading the library {self.path} failed ({exc}).") from exc

    # folders ---------------------------------------------------------------------------------

    def folder_id(self, db: sqlite3.Connection, name: str, *, create: bool = True) -> int | None:
        """The id of folder *name* (created inside the caller's transaction when missing)."""
        row = db.execute("SELECT id FROM folders WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        if not create:
            return None
        return int(db.execute("INSERT INTO folders(name) VALUES (?)", (name,)).lastrowid or 0)

    def folders(self) -> list[Folder]:
        """All folders by name."""
        rows = self.execute("SELECT id, name FROM folders ORDER BY name COLLATE NOCASE").fetchall()
        return [Folder(r[0], r[1]) for r in rows]

    # feeds -----------------------------------------------------------------------------------

    def feed_id_for_url(self, url: str) -> int | None:
        """The id of the feed subscribed at *url*, if any."""
        row = self.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        return int(row[0]) if row else None

    def add_feed(self, url: str, title: str, folder: str | None, now: datetime, site_url: str | None = None) -> int:
        """Subscribe to *url*; returns the new feed's id."""
        with self.transaction() as db:
            folder_id = self.folder_id(db, folder) if folder else None
            cursor = db.execute(
                "INSERT INTO feeds(url, title, site_url, folder_id, added_at) VALUES (?, ?, ?, ?, ?)",
                (url, title, site_url, folder_id, to_db_time(now)),
            )
            return int(cursor.lastrowid or 0)

    def feeds(self, feed_ids: Iterable[int] | None = None, *, hide_sponsored: bool = True) -> list[Feed]:
        """Feeds with their unread and total counts, by folder then title."""
        sponsored = "AND s.sponsored = 0" if hide_sponsored else ""
        sql = f"""
            SELECT {_FEED_COLUMNS},
                (SELECT count(*) FROM stories s WHERE s.feed_id = f.id AND s.read = 0 {sponsored}),
                (SELECT count(*) FROM stories s WHERE s.feed_id = f.id)
            FROM feeds f LEFT JOIN folders fo ON fo.id = f.folder_id"""
        params: list[Any] = []
        if feed_ids is not None:
            ids = list(feed_ids)
            sql += f" WHERE f.id IN ({','.join('?' * len(ids))})"
            params = ids
        sql += " ORDER BY fo.name IS NOT NULL, fo.name COLLATE NOCASE, coalesce(f.user_title, f.title) COLLATE NOCASE"
        return [_feed_from_row(row, row[17], row[18]) for row in self.execute(sql, params).fetchall()]

    def feed(self, feed_id: int) -> Feed:
        """One feed; raises :class:`UnknownIdError`."""
        found = self.feeds([feed_id])
        if not found:
            raise UnknownIdError(f"There is no feed with id {feed_id}.")
        return found[0]

    def feed_states(self, feed_ids: Iterable[int] | None = None, *, enabled_only: bool = True) -> list[FeedState]:
        """The refresh state of the given (or all) feeds."""
        sql = """SELECT id, url, coalesce(user_title, title), etag, last_modified, body_hash, auth_user,
                        update_interval, next_check, retry_after, retention_max_count, retention_max_age_days,
                        sponsored_never, sponsored_rules
                 FROM feeds WHERE 1 = 1"""
        params: list[Any] = []
        if enabled_only:
            sql += " AND enabled = 1"
        if feed_ids is not None:
            ids = list(feed_ids)
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params = ids
        return [
            FeedState(
                r[0],
                r[1],
                r[2] or r[1],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                from_db_time(r[8]),
                from_db_time(r[9]),
                r[10],
                r[11],
                bool(r[12]),
                r[13],
            )
            for r in self.execute(sql + " ORDER BY id", params).fetchall()
        ]

    def update_feed(self, feed_id: int, **columns: Any) -> None:
        """Set columns of a feed (names are checked against the schema's settable columns)."""
        allowed = {
            "user_title",
            "folder_id",
            "enabled",
            "update_interval",
            "auth_user",
            "full_articles",
            "retention_max_age_days",
            "retention_max_count",
            "disabled_reason",
            "url",
            "next_check",
            "last_error",
            "last_error_at",
            "sponsored_never",
            "sponsored_rules",
        }
        unknown = set(columns) - allowed
        if unknown:
            raise ValueError(f"not settable: {sorted(unknown)}")
        if not columns:
            return
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self.transaction() as db:
            cursor = db.execute(f"UPDATE feeds SET {assignments} WHERE id = ?", [*columns.values(), feed_id])
            if cursor.rowcount == 0:
                raise UnknownIdError(f"There is no feed with id {feed_id}.")

    def delete_feed(self, feed_id: int) -> None:
        """Remove a feed with all its stories."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            if cursor.rowcount == 0:
                raise UnknownIdError(f"There is no feed with id {feed_id}.")

    # refresh results -------------------------------------------------------------------------

    def record_checked(
        self,
        feed_id: int,
        now: datetime,
        *,
        next_check: datetime | None,
        retry_after: datetime | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A check that found nothing new (304 or the same body): clear the error, keep validators."""
        with self.transaction() as db:
            db.execute(
                """UPDATE feeds SET last_checked = ?, next_check = ?, retry_after = ?, last_error = NULL,
                       last_error_at = NULL, etag = coalesce(?, etag), last_modified = coalesce(?, last_modified)
                   WHERE id = ?""",
                (
                    to_db_time(now),
                    to_db_time(next_check),
                    to_db_time(retry_after),
                    etag,
                    last_modified,
                    feed_id,
                ),
            )

    def record_error(
        self,
        feed_id: int,
        now: datetime,
        message: str,
        *,
        next_check: datetime | None,
        retry_after: datetime | None = None,
        disable_reason: str | None = None,
    ) -> None:
        """A failed check: store the error and when it happened; optionally disable the feed."""
        with self.transaction() as db:
            db.execute(
                """UPDATE feeds SET last_checked = ?, last_error = ?, last_error_at = ?, next_check = ?,
                       retry_after = ?, enabled = CASE WHEN ? IS NULL THEN enabled ELSE 0 END,
                       disabled_reason = coalesce(?, disabled_reason)
                   WHERE id = ?""",
                (
                    to_db_time(now),
                    message,
                    to_db_time(now),
                    to_db_time(next_check),
                    to_db_time(retry_after),
                    disable_reason,
                    disable_reason,
                    feed_id,
                ),
            )

    def store_entries(
        self,
        feed_id: int,
        entries: Sequence[ParsedEntry],
        now: datetime,
        *,
        title: str,
        site_url: str | None,
        etag: str | None,
        last_modified: str | None,
        body_hash: str | None,
        next_check: datetime | None,
        retry_after: datetime | None,
        new_url: str | None = None,
        max_count: int | None = None,
        max_age_days: int | None = None,
        verdicts: Sequence[Verdict] | None = None,
    ) -> StoreOutcome:
        """Store a successfully parsed feed in one transaction.

        New entries are inserted, changed ones updated (keeping read/starred), unchanged ones left
        alone; stories no longer served are marked as such and become subject to retention.
        """
        now_text = to_db_time(now)
        with self.transaction() as db:
            existing = {
                row[0]: (row[1], row[2], row[3])
                for row in db.execute(
                    "SELECT key, id, content_hash, in_feed FROM stories WHERE feed_id = ?", (feed_id,)
                )
            }
            inserts: list[tuple[Any, ...]] = []
            changes: list[tuple[Any, ...]] = []
            back_in_feed: list[int] = []
            seen: set[int] = set()
            for index, entry in enumerate(entries):
                verdict = verdicts[index] if verdicts is not None else _NOT_SPONSORED
                found = existing.get(entry.key)
                if found is None:
                    published = to_db_time(entry.published) or now_text
                    inserts.append(
                        (
                            feed_id,
                            entry.key,
                            *_row_values(entry),
                            published,
                            now_text,
                            entry.digest,
                            *_classification_values(entry, verdict),
                        )
                    )
                    continue
                story_id, old_digest, in_feed = found
                seen.add(story_id)
                if old_digest != entry.digest:
                    changes.append(
                        (
                            *_row_values(entry),
                            to_db_time(entry.published),
                            entry.digest,
                            *_classification_values(entry, verdict),
                            story_id,
                        )
                    )
                elif not in_feed:
                    back_in_feed.append(story_id)
            last_id = db.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()[0]
            # a few multi-row INSERTs rather than one statement per story
            for start in range(0, len(inserts), _ROWS_PER_INSERT):
                rows = inserts[start : start + _ROWS_PER_INSERT]
                db.execute(
                    _INSERT_STORIES + ", ".join([_INSERT_ROW] * len(rows)),
                    [value for row in rows for value in row],
                )
            db.executemany(
                """UPDATE stories SET guid = ?, link = ?, title = ?, author = ?, updated = ?, summary_html = ?,
                       content_html = ?, body_text = ?, categories = ?, enclosures = ?,
                       published = coalesce(?, published), content_hash = ?,
                       sponsored = coalesce(sponsored_override, ?),
                       sponsored_reason = CASE WHEN sponsored_override IS NULL THEN ? ELSE sponsored_reason END,
                       link_count = ?, sponsored_link_count = ?, canonical_link = ?, title_key = ?, in_feed = 1
                   WHERE id = ?""",
                changes,
            )
            if inserts:
                # one statement indexes the whole batch inside SQLite (no Python between rows)
                db.execute(
                    """INSERT INTO stories_fts(rowid, title, body_text)
                              SELECT id, title, body_text FROM stories WHERE feed_id = ? AND id > ?""",
                    (feed_id, last_id),
                )
            new_ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM stories WHERE feed_id = ? AND id > ? ORDER BY id", (feed_id, last_id)
                )
            ]
            if new_ids:
                group_new_stories(db, feed_id, last_id)
            gone = [story_id for story_id, _, in_feed in existing.values() if in_feed and story_id not in seen]
            flag_updates: tuple[tuple[list[int], int], ...] = ((gone, 0), (back_in_feed, 1))
            for flagged, flag in flag_updates:
                for start in range(0, len(flagged), 500):
                    chunk = flagged[start : start + 500]
                    db.execute(
                        f"UPDATE stories SET in_feed = {flag} WHERE id IN ({','.join('?' * len(chunk))})",
                        chunk,
                    )
            db.execute(
                """UPDATE feeds SET title = CASE WHEN ? != '' THEN ? ELSE title END,
                       site_url = coalesce(?, site_url), etag = ?, last_modified = ?, body_hash = ?,
                       last_checked = ?, last_updated = CASE WHEN ? THEN ? ELSE last_updated END,
                       next_check = ?, retry_after = ?, last_error = NULL, last_error_at = NULL,
                       url = coalesce(?, url)
                   WHERE id = ?""",
                (
                    title,
                    title,
                    site_url,
                    etag,
                    last_modified,
                    body_hash,
                    now_text,
                    bool(new_ids or changes),
                    now_text,
                    to_db_time(next_check),
                    to_db_time(retry_after),
                    new_url,
                    feed_id,
                ),
            )
            if max_count is not None or max_age_days is not None:
                self._apply_retention(db, feed_id, now, max_count, max_age_days)
        return StoreOutcome(tuple(new_ids), len(changes))

    @staticmethod
    def _apply_retention(
        db: sqlite3.Connection, feed_id: int, now: datetime, max_count: int | None, max_age_days: int | None
    ) -> None:
        """Purge stories that left the feed, are not starred, and exceed the feed's age/count limits."""
        doomed: set[int] = set()
        base = "SELECT id FROM stories WHERE feed_id = ? AND in_feed = 0 AND starred = 0"
        if max_age_days is not None:
            cutoff = to_db_time(now - timedelta(days=max_age_days))
            doomed.update(r[0] for r in db.execute(base + " AND published < ?", (feed_id, cutoff)))
        if max_count is not None:
            rows = db.execute(base + " ORDER BY published DESC, id DESC LIMIT -1 OFFSET ?", (feed_id, max_count))
            doomed.update(r[0] for r in rows)
        ids = sorted(doomed)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            db.execute(f"DELETE FROM stories WHERE id IN ({','.join('?' * len(chunk))})", chunk)

    # stories ---------------------------------------------------------------------------------

    def stories(
        self,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        unread: bool = False,
        starred: bool = False,
        include_sponsored: bool = False,
        limit: int | None = 50,
        offset: int = 0,
        since: datetime | None = None,
        collapse_groups: bool = False,
        sponsored_only: bool = False,
        order: str = "date",
        reverse: bool = False,
    ) -> list[Story]:
        """Stories newest first (or by title or source), filtered; with *collapse_groups* one row per
        same-story group."""
        order_by = _order_clause(order, reverse)
        clauses, params = _list_filter(feed_id, folder, unread, include_sponsored)
        if starred:
            clauses.append("s.starred = 1")
        if sponsored_only:
            clauses = [c for c in clauses if c != "s.sponsored = 0"] + ["s.sponsored = 1"]
        if since is not None:
            clauses.append("s.published >= ?")
            params.append(to_db_time(since))
        if collapse_groups:
            shown = "" if include_sponsored else "AND g.sponsored = 0"
            clauses.append(
                f"""(s.group_id IS NULL OR NOT EXISTS (SELECT 1 FROM stories g WHERE g.group_id = s.group_id
                    {shown} AND (g.published > s.published OR (g.published = s.published AND g.id > s.id))))"""
            )
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = f"""SELECT {_STORY_COLUMNS} FROM stories s JOIN feeds f ON f.id = s.feed_id{where}
                  ORDER BY {order_by} LIMIT ? OFFSET ?"""
        params += [limit if limit is not None else -1, offset]
        return [_story_from_row(row) for row in self.execute(sql, params).fetchall()]

    def story(self, story_id: int) -> Story:
        """One story with its summary and content HTML; raises :class:`UnknownIdError`."""
        row = self.execute(
            f"""SELECT {_STORY_COLUMNS}, s.summary_html, s.content_html
                FROM stories s JOIN feeds f ON f.id = s.feed_id WHERE s.id = ?""",
            (story_id,),
        ).fetchone()
        if row is None:
            raise UnknownIdError(f"There is no story with id {story_id}.")
        return _story_from_row(row, row[17], row[18])

    def existing_story_ids(self, story_ids: Sequence[int]) -> set[int]:
        """Which of *story_ids* exist."""
        found: set[int] = set()
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            rows = self.execute(f"SELECT id FROM stories WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    def set_flag(self, story_ids: Sequence[int], column: str, value: bool) -> int:
        """Set ``read`` or ``starred`` on stories; returns how many rows changed."""
        if column not in ("read", "starred"):
            raise ValueError(column)
        changed = 0
        with self.transaction() as db:
            for start in range(0, len(story_ids), 500):
                chunk = list(story_ids[start : start + 500])
                cursor = db.execute(
                    f"UPDATE stories SET {column} = ? WHERE id IN ({','.join('?' * len(chunk))}) AND {column} != ?",
                    [int(value), *chunk, int(value)],
                )
                changed += cursor.rowcount
        return changed

    def mark_feed_read(self, feed_id: int | None) -> int:
        """Mark every story of a feed (or of the whole library) read."""
        with self.transaction() as db:
            if feed_id is None:
                return db.execute("UPDATE stories SET read = 1 WHERE read = 0").rowcount
            return db.execute("UPDATE stories SET read = 1 WHERE read = 0 AND feed_id = ?", (feed_id,)).rowcount

    def search(self, match: str, *, limit: int = 50, include_sponsored: bool = False) -> list[Story]:
        """Stories matching an FTS5 query: the best (BM25, title weighted over body) among the
        :data:`SEARCH_WINDOW` most recently stored matches.

        Ranking every match of a common word in a large library takes seconds; a reader
        searching news wants recent stories anyway, and FTS5 walks matches newest-first cheaply.
        """
        sponsored = "" if include_sponsored else "AND s.sponsored = 0"
        sql = f"""SELECT {_STORY_COLUMNS} FROM (
                      SELECT rowid AS hit, bm25(stories_fts, 5.0, 1.0) AS score FROM stories_fts
                      WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT ?
                  ) JOIN stories s ON s.id = hit JOIN feeds f ON f.id = s.feed_id
                  WHERE 1 = 1 {sponsored}
                  ORDER BY score, s.id DESC LIMIT ?"""
        return [_story_from_row(row) for row in self.execute(sql, (match, SEARCH_WINDOW, limit)).fetchall()]

    # sponsored ------------------------------------------------------------------------------

    def classification_inputs(self, feed_id: int | None = None, story_id: int | None = None) -> list[tuple[Any, ...]]:
        """(id, feed_id, title, link, author, categories JSON, link_count, sponsored_link_count) of
        stories whose verdict is not overridden by the user."""
        sql = """SELECT id, feed_id, title, link, author, categories, link_count, sponsored_link_count
                 FROM stories WHERE sponsored_override IS NULL"""
        params: list[Any] = []
        if feed_id is not None:
            sql += " AND feed_id = ?"
            params.append(feed_id)
        if story_id is not None:
            sql += " AND id = ?"
            params.append(story_id)
        return list(self.execute(sql, params).fetchall())

    def set_verdicts(self, verdicts: Sequence[tuple[int, Verdict]]) -> int:
        """Store classifier verdicts (stories the user overrode are left alone); returns rows changed."""
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(
                """UPDATE stories SET sponsored = ?, sponsored_reason = ?
                   WHERE id = ? AND sponsored_override IS NULL AND (sponsored != ? OR sponsored_reason IS NOT ?)""",
                [(int(v.sponsored), v.reason, i, int(v.sponsored), v.reason) for i, v in verdicts],
            )
            return db.total_changes - before

    def set_sponsored_override(self, story_id: int, value: bool | None, reason: str | None) -> None:
        """Record the user's decision (None hands the story back to the classifier)."""
        with self.transaction() as db:
            if value is None:
                cursor = db.execute("UPDATE stories SET sponsored_override = NULL WHERE id = ?", (story_id,))
            else:
                cursor = db.execute(
                    "UPDATE stories SET sponsored_override = ?, sponsored = ?, sponsored_reason = ? WHERE id = ?",
                    (int(value), int(value), reason, story_id),
                )
            if cursor.rowcount == 0:
                raise UnknownIdError(f"There is no story with id {story_id}.")

    # related ----------------------------------------------------------------------------------

    def neighbours(
        self, story: Story, *, feed_id: int | None, folder: str | None, unread: bool, include_sponsored: bool
    ) -> tuple[Story | None, Story | None]:
        """The stories just above (newer) and below (older) *story* in a list sorted newest first."""
        clauses, params = _list_filter(feed_id, folder, unread, include_sponsored, keep=story.id)
        where = " AND ".join(["1 = 1", *clauses])
        published = to_db_time(story.published)
        base = f"SELECT {_STORY_COLUMNS} FROM stories s JOIN feeds f ON f.id = s.feed_id WHERE {where}"
        above = self.execute(
            base + " AND (s.published, s.id) > (?, ?) ORDER BY s.published, s.id LIMIT 1",
            [*params, published, story.id],
        ).fetchone()
        below = self.execute(
            base + " AND (s.published, s.id) < (?, ?) ORDER BY s.published DESC, s.id DESC LIMIT 1",
            [*params, published, story.id],
        ).fetchone()
        return (_story_from_row(above) if above else None, _story_from_row(below) if below else None)

    def newest_of_feed(self, feed_id: int, exclude: int, limit: int, include_sponsored: bool) -> list[Story]:
        """The newest stories of a feed other than *exclude*."""
        sponsored = "" if include_sponsored else "AND s.sponsored = 0"
        return [
            _story_from_row(row)
            for row in self.execute(
                f"""SELECT {_STORY_COLUMNS} FROM stories s JOIN feeds f ON f.id = s.feed_id
                    WHERE s.feed_id = ? AND s.id != ? {sponsored} ORDER BY s.published DESC, s.id DESC LIMIT ?""",
                (feed_id, exclude, limit),
            )
        ]

    def group_members(self, group_id: int, exclude: int) -> list[tuple[Story, str | None, str]]:
        """Other stories of a same-story group, with their canonical link and title key."""
        return [
            (_story_from_row(row), row[17], row[18])
            for row in self.execute(
                f"""SELECT {_STORY_COLUMNS}, s.canonical_link, s.title_key FROM stories s
                    JOIN feeds f ON f.id = s.feed_id WHERE s.group_id = ? AND s.id != ?
                    ORDER BY s.published DESC, s.id DESC""",
                (group_id, exclude),
            )
        ]

    def grouping_keys(self, story_id: int) -> tuple[str | None, str, str]:
        """A story's canonical link, title key and the start of its text."""
        row = self.execute(
            "SELECT canonical_link, title_key, substr(body_text, 1, 2000) FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise UnknownIdError(f"There is no story with id {story_id}.")
        return row[0], row[1], row[2]

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """In how many stories each term occurs (from the search index's vocabulary)."""
        if not terms:
            return {}
        rows = self.execute(
            f"SELECT term, doc FROM stories_fts_vocab WHERE term IN ({','.join('?' * len(terms))})", list(terms)
        )
        return {term: int(doc) for term, doc in rows}

    def topical_candidates(self, match: str, *, window: int, limit: int) -> list[tuple[Story, str]]:
        """The best BM25 matches among the *window* most recent matches, with the start of their text."""
        sql = f"""SELECT {_STORY_COLUMNS}, substr(s.body_text, 1, 2000) FROM (
                      SELECT rowid AS hit, bm25(stories_fts, 3.0, 1.0) AS score FROM stories_fts
                      WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT ?
                  ) JOIN stories s ON s.id = hit JOIN feeds f ON f.id = s.feed_id
                  WHERE s.sponsored = 0 ORDER BY score LIMIT ?"""
        return [(_story_from_row(row), row[17]) for row in self.execute(sql, (match, window, limit))]

    def mark_group_read(self, group_id: int, read: bool = True) -> int:
        """Mark every story of a same-story group read (or unread)."""
        with self.transaction() as db:
            return db.execute(
                "UPDATE stories SET read = ? WHERE group_id = ? AND read != ?", (int(read), group_id, int(read))
            ).rowcount

    # article pages ----------------------------------------------------------------------------

    def save_page(
        self,
        story_id: int,
        url: str,
        now: datetime,
        analysis_json: str | None,
        error: str | None,
        html: bytes | None = None,
    ) -> None:
        """Store a story's fetched page and its analysis (or the error that stopped it)."""
        packed = zlib.compress(html, 6) if html is not None else None
        with self.transaction() as db:
            db.execute(
                """INSERT INTO story_pages(story_id, url, fetched_at, analysis, error, html, analyzed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(story_id) DO UPDATE SET url = excluded.url, fetched_at = excluded.fetched_at,
                       analysis = coalesce(excluded.analysis, story_pages.analysis), error = excluded.error,
                       html = coalesce(excluded.html, story_pages.html),
                       analyzed_at = coalesce(excluded.analyzed_at, story_pages.analyzed_at)""",
                (
                    story_id,
                    url,
                    to_db_time(now),
                    analysis_json,
                    error,
                    packed,
                    to_db_time(now) if analysis_json else None,
                ),
            )

    def stored_pages(self) -> Iterator[tuple[int, str, bytes]]:
        """(story id, URL, page HTML) of every stored page, for re-analysis without the network."""
        for story_id, url, packed in self.execute(
            "SELECT story_id, url, html FROM story_pages WHERE html IS NOT NULL ORDER BY story_id"
        ).fetchall():
            yield story_id, url, zlib.decompress(packed)

    def update_page_analysis(self, story_id: int, analysis_json: str, now: datetime) -> None:
        """Replace a stored page's analysis."""
        with self.transaction() as db:
            db.execute(
                "UPDATE story_pages SET analysis = ?, analyzed_at = ? WHERE story_id = ?",
                (analysis_json, to_db_time(now), story_id),
            )

    def page_times(self, story_id: int) -> tuple[datetime | None, datetime | None]:
        """When a story's page was fetched and when it was last analysed."""
        row = self.execute("SELECT fetched_at, analyzed_at FROM story_pages WHERE story_id = ?", (story_id,)).fetchone()
        return (from_db_time(row[0]), from_db_time(row[1])) if row else (None, None)

    def page(self, story_id: int) -> tuple[str, str | None, str | None] | None:
        """(url, analysis JSON, error) of a story's page, if one was fetched."""
        row = self.execute("SELECT url, analysis, error FROM story_pages WHERE story_id = ?", (story_id,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def stories_by_canonical_link(self, links: Sequence[str]) -> dict[str, Story]:
        """Stored stories whose canonical link is one of *links* (newest wins)."""
        if not links:
            return {}
        found: dict[str, Story] = {}
        rows = self.execute(
            f"""SELECT {_STORY_COLUMNS}, s.canonical_link FROM stories s JOIN feeds f ON f.id = s.feed_id
                WHERE s.canonical_link IN ({",".join("?" * len(links))}) ORDER BY s.published""",
            list(links),
        )
        for row in rows:
            found[row[17]] = _story_from_row(row)
        return found

    # images and icons ------------------------------------------------------------------------

    def record_image(
        self, url: str, digest: str | None, size: int, content_type: str | None, now: datetime, error: str | None
    ) -> None:
        """Remember what downloading an image gave (its file's digest, or the error)."""
        with self.transaction() as db:
            db.execute(
                """INSERT INTO images(url, digest, size, content_type, fetched_at, error) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET digest = excluded.digest, size = excluded.size,
                   content_type = excluded.content_type, fetched_at = excluded.fetched_at, error = excluded.error""",
                (url, digest, size, content_type, to_db_time(now), error),
            )

    def images_for(self, urls: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """(digest, error) of each of *urls* already tried."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for start in range(0, len(urls), 500):
            chunk = list(urls[start : start + 500])
            rows = self.execute(
                f"SELECT url, digest, error FROM images WHERE url IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update({row[0]: (row[1], row[2]) for row in rows})
        return found

    def images_over_quota(self, quota: int) -> list[tuple[str, str]]:
        """(url, digest) of the oldest images to drop so that the cache fits in *quota* bytes."""
        total = int(self.execute("SELECT coalesce(sum(size), 0) FROM images WHERE digest IS NOT NULL").fetchone()[0])
        doomed: list[tuple[str, str]] = []
        if total <= quota:
            return doomed
        rows = self.execute(
            "SELECT url, digest, size FROM images WHERE digest IS NOT NULL ORDER BY fetched_at, url"
        ).fetchall()
        for url, digest, size in rows:
            if total <= quota:
                break
            doomed.append((url, digest))
            total -= size
        return doomed

    def forget_images(self, urls: Sequence[str]) -> set[str]:
        """Drop images from the index; returns the digests no other URL still uses."""
        with self.transaction() as db:
            digests = set()
            for url in urls:
                row = db.execute("SELECT digest FROM images WHERE url = ?", (url,)).fetchone()
                db.execute("DELETE FROM images WHERE url = ?", (url,))
                if row and row[0]:
                    digests.add(row[0])
            return {d for d in digests if db.execute("SELECT 1 FROM images WHERE digest = ?", (d,)).fetchone() is None}

    def feeds_needing_icons(self, checked_before: datetime) -> list[tuple[int, str, str | None]]:
        """(id, url, site_url) of feeds whose icon was never looked for, or not since *checked_before*."""
        rows = self.execute(
            "SELECT id, url, site_url FROM feeds WHERE icon_checked IS NULL OR icon_checked < ?",
            (to_db_time(checked_before),),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def set_feed_icon(self, feed_id: int, icon_url: str | None, now: datetime) -> None:
        """Record where a feed's icon is (None: it has none) and when that was checked."""
        with self.transaction() as db:
            db.execute(
                "UPDATE feeds SET icon_url = ?, icon_checked = ? WHERE id = ?", (icon_url, to_db_time(now), feed_id)
            )

    def feed_icon_digests(self) -> dict[int, str]:
        """The cached icon file of every feed that has one."""
        rows = self.execute(
            """SELECT f.id, i.digest FROM feeds f JOIN images i ON i.url = f.icon_url
               WHERE i.digest IS NOT NULL"""
        )
        return {row[0]: row[1] for row in rows}

    def stories_needing_pages(
        self, feed_ids: Sequence[int] | None, per_feed: int, default: str = "auto"
    ) -> list[tuple[int, int, str]]:
        """(story id, feed id, link) of the newest stories without a stored page, at most *per_feed* of
        each feed, for feeds whose "full articles" setting is on, or unset and *default* says so:
        ``on``, ``off``, or ``auto`` (feeds whose entries are summaries only)."""
        unset = {"on": "1", "off": "0"}.get(
            default,
            f"""(SELECT count(*) FROM (SELECT 1 FROM stories c
                    WHERE c.feed_id = f.id AND max(length(c.content_html), length(c.summary_html))
                    >= {SUMMARY_ONLY_CHARS} LIMIT 1)) = 0""",
        )
        feed_filter = ""
        params: list[Any] = []
        if feed_ids is not None:
            feed_filter = f"AND f.id IN ({','.join('?' * len(feed_ids))})"
            params.extend(feed_ids)
        rows = self.execute(
            f"""WITH wanted AS (
                    SELECT f.id FROM feeds f
                    WHERE f.enabled = 1 {feed_filter} AND (f.full_articles = 1 OR (f.full_articles IS NULL AND {unset}))
                ),
                ranked AS (
                    SELECT s.id, s.feed_id, s.link,
                           row_number() OVER (PARTITION BY s.feed_id ORDER BY s.published DESC, s.id DESC) AS n
                    FROM stories s JOIN wanted w ON w.id = s.feed_id
                    WHERE s.link IS NOT NULL AND s.link != '' AND s.sponsored = 0
                      AND NOT EXISTS (SELECT 1 FROM story_pages p WHERE p.story_id = s.id)
                )
                SELECT id, feed_id, link FROM ranked WHERE n <= ? ORDER BY feed_id, n""",
            [*params, per_feed],
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def stories_for_images(self, story_ids: Sequence[int], per_feed: int) -> list[tuple[int, str | None, str]]:
        """(id, link, HTML) of the newest *per_feed* stories of each feed among *story_ids* that have no
        analysed article page (their images come from the feed's own content)."""
        rows: list[tuple[int, int, str | None, str]] = []
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            rows.extend(
                self.execute(
                    f"""SELECT feed_id, id, link, CASE WHEN content_html != '' THEN content_html ELSE summary_html END
                        FROM stories s WHERE id IN ({",".join("?" * len(chunk))}) AND sponsored = 0
                        AND NOT EXISTS (SELECT 1 FROM story_pages p WHERE p.story_id = s.id AND p.analysis IS NOT NULL)
                        ORDER BY published DESC, id DESC""",
                    chunk,
                )
            )
        taken: dict[int, int] = {}
        chosen = []
        for feed_id, story_id, link, html in rows:
            if taken.get(feed_id, 0) < per_feed:
                taken[feed_id] = taken.get(feed_id, 0) + 1
                chosen.append((story_id, link, html))
        return chosen

    def view_counts(self, since: datetime) -> dict[str, int]:
        """Unread, starred and unread-since-*since* story counts (sponsored stories not counted unread)."""
        row = self.execute(
            """SELECT coalesce(sum(read = 0 AND sponsored = 0), 0), coalesce(sum(starred), 0),
                      coalesce(sum(read = 0 AND sponsored = 0 AND published >= ?), 0) FROM stories""",
            (to_db_time(since),),
        ).fetchone()
        return {"unread": int(row[0]), "starred": int(row[1]), "today": int(row[2])}

    def story_count(self) -> int:
        """How many stories the library holds."""
        return int(self.execute("SELECT count(*) FROM stories").fetchone()[0])

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` says ok."""
        return bool(self.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
