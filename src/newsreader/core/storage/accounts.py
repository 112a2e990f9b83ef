"""Sync accounts: the accounts, the queue of local changes waiting for their server, and what a sync
stores (folders, feeds and items of the server, and its read/starred state).

Local read/star changes of an account's stories are queued by triggers in the same transaction as the
change (``schema.py``, version 8), so every code path is covered and a kill loses neither. A sync
applies the server's state with ``sync_applying`` set, inside one transaction, so those writes are not
queued back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from newsreader.core.errors import AccountNotFoundError, SettingsError
from newsreader.core.models import Account, ParsedEntry, QueuedChange
from newsreader.core.storage.base import StorageBase, chunks, from_db_time, marks, to_db_time
from newsreader.core.storage.entries import EntryStorage
from newsreader.core.sync.conflicts import Baseline, Change

_ACCOUNT_COLUMNS = """a.id, a.name, a.kind, a.url, a.user, a.added_at, a.last_sync, a.last_attempt, a.last_error,
    (SELECT count(*) FROM feeds f WHERE f.account_id = a.id),
    (SELECT count(*) FROM sync_queue q WHERE q.account_id = a.id AND q.refused IS NULL),
    (SELECT count(*) FROM sync_queue q WHERE q.account_id = a.id AND q.refused IS NOT NULL)"""


def _account(row: Sequence[Any]) -> Account:
    added = from_db_time(row[5])
    assert added is not None
    return Account(
        id=row[0],
        name=row[1],
        kind=row[2],
        url=row[3],
        user=row[4],
        added_at=added,
        last_sync=from_db_time(row[6]),
        last_attempt=from_db_time(row[7]),
        last_error=row[8],
        feeds=row[9],
        queued=row[10],
        refused=row[11],
    )


def folder_name(account: str, title: str) -> str:
    """The library's name for an account's folder: ``work/Tech`` (folder names are library-wide)."""
    return f"{account}/{title}"


class AccountStorage(EntryStorage, StorageBase):
    """The ``accounts`` and ``sync_queue`` tables, and the sync columns of feeds, folders and stories."""

    # accounts ----------------------------------------------------------------------------------

    def add_account(self, name: str, kind: str, url: str, user: str, now: datetime) -> Account:
        """Record a new account; raises :class:`SettingsError` when the name is taken."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise SettingsError(f"There is already an account named {name!r}.")
            db.execute(
                "INSERT INTO accounts(name, kind, url, user, added_at) VALUES (?, ?, ?, ?, ?)",
                (name, kind, url, user, to_db_time(now)),
            )
        return self.account(name)

    def accounts(self) -> list[Account]:
        """Every account, by name."""
        rows = self.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.name COLLATE NOCASE")
        return [_account(row) for row in rows.fetchall()]

    def account(self, name: str) -> Account:
        """One account; raises :class:`AccountNotFoundError`."""
        row = self.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE a.name = ?", (name,)).fetchone()
        if row is None:
            raise AccountNotFoundError(name)
        return _account(row)

    def remove_account(self, name: str) -> None:
        """Forget an account with its feeds, folders, stories and queue."""
        account = self.account(name)
        with self.transaction() as db:
            db.execute("DELETE FROM feeds WHERE account_id = ?", (account.id,))
            db.execute("DELETE FROM folders WHERE account_id = ?", (account.id,))
            db.execute("DELETE FROM accounts WHERE id = ?", (account.id,))

    # the queue ---------------------------------------------------------------------------------

    def queued_changes(self, account_id: int | None = None) -> list[QueuedChange]:
        """Queued changes (waiting or refused), oldest first, of one account or all."""
        sql = """SELECT q.id, a.name, q.op, q.target, q.created, q.refused,
                        (SELECT s.title FROM stories s JOIN feeds f ON f.id = s.feed_id
                         WHERE f.account_id = q.account_id AND s.remote_id = q.target LIMIT 1)
                 FROM sync_queue q JOIN accounts a ON a.id = q.account_id"""
        params: list[Any] = []
        if account_id is not None:
            sql += " WHERE q.account_id = ?"
            params.append(account_id)
        rows = self.execute(sql + " ORDER BY q.id", params).fetchall()
        return [QueuedChange(r[0], r[1], r[2], r[3], from_db_time(r[4]) or datetime.min, r[5], r[6]) for r in rows]

    def queue_change(self, account_id: int, op: str, target: str, argument: str | None, now: datetime) -> None:
        """Queue a feed-level change (item changes are queued by the triggers)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sync_queue(account_id, op, target, argument, created) VALUES (?, ?, ?, ?, ?)",
                (account_id, op, target, argument, to_db_time(now)),
            )

    def feed_remote(self, feed_id: int) -> tuple[int, str] | None:
        """The account id and the server's id of an account's feed; None for a local feed."""
        row = self.execute(
            "SELECT account_id, remote_id FROM feeds WHERE id = ? AND account_id IS NOT NULL", (feed_id,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def folder_remote_id(self, account_id: int, name: str) -> str | None:
        """The server's id of an account's folder, by its library name (``work/Tech``)."""
        row = self.execute(
            "SELECT remote_id FROM folders WHERE account_id = ? AND name = ?", (account_id, name)
        ).fetchone()
        return str(row[0]) if row else None

    def pending_changes(self, account_id: int) -> list[Change]:
        """The account's queue as the sync engine reads it, oldest first."""
        rows = self.execute(
            "SELECT id, op, target, argument, created, refused FROM sync_queue WHERE account_id = ? ORDER BY id",
            (account_id,),
        ).fetchall()
        return [Change(r[0], r[1], r[2], r[3], from_db_time(r[4]) or datetime.min, r[5]) for r in rows]

    def remove_changes(self, change_ids: Sequence[int]) -> None:
        """Drop queued changes (sent, superseded, collapsed)."""
        with self.transaction() as db:
            for chunk in chunks(change_ids):
                db.execute(f"DELETE FROM sync_queue WHERE id IN ({marks(chunk)})", chunk)

    def refuse_change(self, change_id: int, reason: str) -> None:
        """Keep a change the server refused, with its reason."""
        with self.transaction() as db:
            db.execute("UPDATE sync_queue SET refused = ? WHERE id = ?", (reason, change_id))

    def drop_refused(self, account_id: int) -> int:
        """Forget the refused changes of an account (the user saw them); returns how many."""
        with self.transaction() as db:
            return db.execute(
                "DELETE FROM sync_queue WHERE account_id = ? AND refused IS NOT NULL", (account_id,)
            ).rowcount

    # what a sync stores ------------------------------------------------------------------------

    def baselines(self, account_id: int) -> dict[str, Baseline]:
        """Each stored item's server state at the last sync, by remote id."""
        rows = self.execute(
            """SELECT s.remote_id, s.remote_read, s.remote_starred FROM stories s JOIN feeds f ON f.id = s.feed_id
               WHERE f.account_id = ? AND s.remote_id IS NOT NULL""",
            (account_id,),
        )
        return {
            r[0]: Baseline(None if r[1] is None else bool(r[1]), None if r[2] is None else bool(r[2])) for r in rows
        }

    def sync_cursor(self, account_id: int) -> str | None:
        """Where the account's last item fetch stopped."""
        row = self.execute("SELECT cursor FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return row[0] if row else None

    def apply_structure(
        self,
        account_id: int,
        account_name: str,
        folders: Sequence[tuple[str, str]],
        feeds: Sequence[tuple[str, str, str, str | None, str | None]],
        now: datetime,
    ) -> None:
        """Make the account's folders (remote id, title) and feeds (remote id, title, url, site url,
        remote folder id) those of the server, in one transaction. Feeds gone from the server go with
        their stories, except starred ones' feeds, which stay until unstarred."""
        with self.transaction() as db:
            folder_ids: dict[str, int] = {}
            for remote_id, title in folders:
                name = folder_name(account_name, title)
                row = db.execute(
                    "SELECT id FROM folders WHERE account_id = ? AND remote_id = ?", (account_id, remote_id)
                ).fetchone()
                if row:
                    db.execute("UPDATE folders SET name = ? WHERE id = ? AND name != ?", (name, row[0], name))
                    folder_ids[remote_id] = int(row[0])
                else:
                    taken = db.execute("SELECT id FROM folders WHERE name = ?", (name,)).fetchone()
                    if taken:  # a local folder of that name: leave it, file the feeds at the top level
                        continue
                    cursor = db.execute(
                        "INSERT INTO folders(name, account_id, remote_id) VALUES (?, ?, ?)",
                        (name, account_id, remote_id),
                    )
                    folder_ids[remote_id] = int(cursor.lastrowid or 0)
            kept = set(folder_ids.values())
            for row in db.execute("SELECT id FROM folders WHERE account_id = ?", (account_id,)).fetchall():
                if row[0] not in kept:
                    db.execute("DELETE FROM folders WHERE id = ?", (row[0],))
            seen: set[str] = set()
            for remote_id, title, url, site_url, folder in feeds:
                seen.add(remote_id)
                folder_id = folder_ids.get(folder) if folder else None
                row = db.execute(
                    "SELECT id FROM feeds WHERE account_id = ? AND remote_id = ?", (account_id, remote_id)
                ).fetchone()
                if row:
                    db.execute(
                        "UPDATE feeds SET title = ?, url = ?, site_url = ?, folder_id = ? WHERE id = ?",
                        (title, url, site_url, folder_id, row[0]),
                    )
                else:
                    db.execute(
                        """INSERT INTO feeds(url, title, site_url, folder_id, added_at, account_id, remote_id)
                           VALUES (?, ?, ?, ?, ?, ?, ?)""",
                        (url, title, site_url, folder_id, to_db_time(now), account_id, remote_id),
                    )
            for row in db.execute("SELECT id, remote_id FROM feeds WHERE account_id = ?", (account_id,)).fetchall():
                if row[1] not in seen:
                    db.execute("DELETE FROM feeds WHERE id = ?", (row[0],))

    def store_remote_entries(
        self,
        account_id: int,
        entries: Sequence[tuple[str, ParsedEntry, bool, bool]],
        cursor: str | None,
        now: datetime,
    ) -> int:
        """Store a page of an account's items — (remote feed id, entry keyed by the remote item id,
        read, starred) — and the cursor after it, in one transaction; returns how many were new.
        Items of feeds the library does not hold (yet) are skipped: the next sync brings them."""
        feeds = {
            r[0]: int(r[1])
            for r in self.execute("SELECT remote_id, id FROM feeds WHERE account_id = ?", (account_id,)).fetchall()
        }
        by_feed: dict[int, list[tuple[ParsedEntry, bool, bool]]] = {}
        for remote_feed, entry, read, starred in entries:
            feed_id = feeds.get(remote_feed)
            if feed_id is not None:
                by_feed.setdefault(feed_id, []).append((entry, read, starred))
        new = 0
        with self.transaction() as db:
            db.execute("UPDATE sync_applying SET flag = 1")
            for feed_id, items in by_feed.items():
                outcome = self.store_entries(
                    feed_id,
                    [entry for entry, _, _ in items],
                    now,
                    title="",
                    partial=True,
                )
                new += len(outcome.new_ids)
                if outcome.new_ids:
                    states = {entry.key: (read, starred) for entry, read, starred in items}
                    rows = db.execute(
                        f"SELECT id, key FROM stories WHERE id IN ({marks(outcome.new_ids)})", outcome.new_ids
                    ).fetchall()
                    db.executemany(
                        """UPDATE stories SET remote_id = key, read = ?, starred = ?, remote_read = ?,
                               remote_starred = ? WHERE id = ?""",
                        [(*states[key], *states[key], story_id) for story_id, key in rows],
                    )
            db.execute("UPDATE accounts SET cursor = ? WHERE id = ?", (cursor, account_id))
            db.execute("UPDATE sync_applying SET flag = 0")
        return new

    def apply_remote_states(
        self, account_id: int, unread: frozenset[str], starred: frozenset[str], keep: frozenset[str]
    ) -> int:
        """Set read/starred and the baseline of every stored item of the account from the server's
        lists; items in *keep* (changes still queued) get the baseline only. Returns how many local
        states changed."""
        changed = 0
        with self.transaction() as db:
            db.execute("UPDATE sync_applying SET flag = 1")
            rows = db.execute(
                """SELECT s.id, s.remote_id, s.read, s.starred, s.remote_read, s.remote_starred
                   FROM stories s JOIN feeds f ON f.id = s.feed_id
                   WHERE f.account_id = ? AND s.remote_id IS NOT NULL""",
                (account_id,),
            ).fetchall()
            updates = []
            baselines = []
            for story_id, remote_id, read, star, base_read, base_star in rows:
                server = (int(remote_id not in unread), int(remote_id in starred))
                if remote_id in keep:
                    if (base_read, base_star) != server:
                        baselines.append((*server, story_id))
                    continue
                if (read, star) != server:
                    changed += 1
                if (read, star, base_read, base_star) != (*server, *server):
                    updates.append((*server, *server, story_id))
            db.executemany(
                "UPDATE stories SET read = ?, starred = ?, remote_read = ?, remote_starred = ? WHERE id = ?", updates
            )
            db.executemany("UPDATE stories SET remote_read = ?, remote_starred = ? WHERE id = ?", baselines)
            db.execute("UPDATE sync_applying SET flag = 0")
        return changed

    def finish_sync(self, account_id: int, when: datetime, error: str | None) -> None:
        """Record the end of a sync (and its error)."""
        with self.transaction() as db:
            db.execute(
                """UPDATE accounts SET last_attempt = ?, last_error = ?,
                       last_sync = CASE WHEN ? IS NULL THEN ? ELSE last_sync END WHERE id = ?""",
                (to_db_time(when), error, error, to_db_time(when), account_id),
            )
