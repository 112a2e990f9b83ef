"""Subscriptions and folders, and what a refresh records about each feed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsreader.core.errors import FeedNotFoundError
from newsreader.core.models import Feed, Folder
from newsreader.core.storage.base import StorageBase, from_db_time, to_db_time
from newsreader.core.storage.rows import (
    FEED_COLUMNS,
    feed_from_row,
)


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


class FeedStorage(StorageBase):
    """The ``feeds`` and ``folders`` tables."""

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
        rows = self.execute(
            """SELECT fo.id, fo.name, a.name FROM folders fo LEFT JOIN accounts a ON a.id = fo.account_id
               ORDER BY fo.name COLLATE NOCASE"""
        ).fetchall()
        return [Folder(r[0], r[1], r[2]) for r in rows]

    def feed_id_for_url(self, url: str) -> int | None:
        """The id of the feed subscribed at *url*, if any."""
        row = self.execute("SELECT id FROM feeds WHERE url = ? AND account_id IS NULL", (url,)).fetchone()
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
            SELECT {FEED_COLUMNS},
                (SELECT count(*) FROM stories s WHERE s.feed_id = f.id AND s.read = 0 {sponsored}),
                (SELECT count(*) FROM stories s WHERE s.feed_id = f.id)
            FROM feeds f LEFT JOIN folders fo ON fo.id = f.folder_id"""
        params: list[Any] = []
        if feed_ids is not None:
            ids = list(feed_ids)
            sql += f" WHERE f.id IN ({','.join('?' * len(ids))})"
            params = ids
        sql += " ORDER BY fo.name IS NOT NULL, fo.name COLLATE NOCASE, coalesce(f.user_title, f.title) COLLATE NOCASE"
        return [feed_from_row(row, row[20], row[21]) for row in self.execute(sql, params).fetchall()]

    def feed(self, feed_id: int) -> Feed:
        """One feed; raises :class:`UnknownIdError`."""
        found = self.feeds([feed_id])
        if not found:
            raise FeedNotFoundError(feed_id)
        return found[0]

    def feed_states(
        self, feed_ids: Iterable[int] | None = None, *, enabled_only: bool = True, accounts: bool = False
    ) -> list[FeedState]:
        """The refresh state of the given (or all) local feeds (an account's feeds come from its server;
        *accounts* includes them, for what is not about fetching: their sponsored conventions)."""
        sql = f"""SELECT id, url, coalesce(user_title, title), etag, last_modified, body_hash, auth_user,
                        update_interval, next_check, retry_after, retention_max_count, retention_max_age_days,
                        sponsored_never, sponsored_rules
                 FROM feeds WHERE {"1 = 1" if accounts else "account_id IS NULL"}"""
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
                raise FeedNotFoundError(feed_id)

    def delete_feed(self, feed_id: int) -> None:
        """Remove a feed with all its stories."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            if cursor.rowcount == 0:
                raise FeedNotFoundError(feed_id)

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
