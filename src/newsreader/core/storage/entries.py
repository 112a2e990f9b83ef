"""Storing a parsed feed's entries: insert, update in place, mark gone, index, group, retain."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsreader.core.models import ParsedEntry, Verdict
from newsreader.core.storage.base import StorageBase, chunks, marks, to_db_time
from newsreader.core.storage.grouping import group_new_stories
from newsreader.core.storage.identity import StoredDetail, StoredKey
from newsreader.core.storage.identity import assign as assign_stories

if TYPE_CHECKING:
    from newsreader.core.related.terms import Terms


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


class EntryStorage(StorageBase):
    """Writing what a refresh parsed."""

    def store_entries(
        self,
        feed_id: int,
        entries: Sequence[ParsedEntry],
        now: datetime,
        *,
        title: str,
        site_url: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        next_check: datetime | None = None,
        retry_after: datetime | None = None,
        new_url: str | None = None,
        max_count: int | None = None,
        max_age_days: int | None = None,
        verdicts: Sequence[Verdict] | None = None,
        partial: bool = False,
        search_index: bool = True,
    ) -> StoreOutcome:
        """Store a successfully parsed feed in one transaction.

        New entries are inserted, changed ones updated (keeping read/starred), unchanged ones left
        alone; stories no longer served are marked as such and become subject to retention. The
        validators (*etag*, *last_modified*, *body_hash*) and the schedule (*next_check*,
        *retry_after*) default to none, as for a first fetch without them or a sync account's items.
        With *partial* (a page of a sync account's items, not a whole feed document) only the given
        entries are written: nothing is marked gone and the feed's own record is left alone. Without
        *search_index*, the new stories are left for the caller to add to the search index, in the same
        transaction (:meth:`index_stories_after`).
        """
        now_text = to_db_time(now)
        with self.transaction() as db:
            stored = db.execute("SELECT key, id, content_hash, in_feed FROM stories WHERE feed_id = ?", (feed_id,))
            existing = {row[0]: (row[1], row[2], row[3]) for row in stored}
            assignments = assign_stories(
                entries,
                [StoredKey(story_id, key, digest) for key, (story_id, digest, _) in existing.items()],
                lambda ids: _story_details(db, ids),
            )
            inserts: list[tuple[Any, ...]] = []
            insert_terms: list[tuple[Terms, tuple[str, ...]] | None] = []
            changes: list[tuple[Any, ...]] = []
            back_in_feed: list[int] = []
            seen: set[int] = set()
            for index, (entry, assignment) in enumerate(zip(entries, assignments, strict=True)):
                verdict = verdicts[index] if verdicts is not None else _NOT_SPONSORED
                found = existing.get(assignment.key) if assignment.story_id is not None else None
                if found is None:
                    published = to_db_time(entry.published) or now_text
                    inserts.append(
                        (
                            feed_id,
                            assignment.key,
                            *_row_values(entry),
                            published,
                            now_text,
                            entry.digest,
                            *_classification_values(entry, verdict),
                        )
                    )
                    insert_terms.append((entry.terms, entry.key_terms) if entry.terms is not None else None)
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
            for rows in chunks(inserts, _ROWS_PER_INSERT):
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
            if inserts and search_index:
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
                # the multi-row INSERTs number the new stories in the order they were listed
                analysed = {i: t for i, t in zip(new_ids, insert_terms, strict=False) if t is not None}
                group_new_stories(
                    db, feed_id, last_id, self.story_keys, analysed if len(new_ids) == len(inserts) else {}
                )
            if partial:
                for chunk in chunks(back_in_feed):
                    db.execute(f"UPDATE stories SET in_feed = 1 WHERE id IN ({marks(chunk)})", chunk)
                return StoreOutcome(tuple(new_ids), len(changes))
            gone = [story_id for story_id, _, in_feed in existing.values() if in_feed and story_id not in seen]
            flag_updates: tuple[tuple[list[int], int], ...] = ((gone, 0), (back_in_feed, 1))
            for flagged, flag in flag_updates:
                for chunk in chunks(flagged):
                    db.execute(
                        f"UPDATE stories SET in_feed = {flag} WHERE id IN ({marks(chunk)})",
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

    def last_story_id(self) -> int:
        """The highest story id stored (0 for none): stories stored after it have higher ids."""
        return int(self._db.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()[0])

    def index_stories_after(self, story_id: int) -> None:
        """Add the stories stored after *story_id* to the search index, in the transaction that stored
        them with ``search_index=False`` (one statement for many feeds builds fewer, larger index segments:
        a cold refresh of 1,000 feeds indexes in ~30 % less CPU than feed by feed). No story stored
        since may have been changed or deleted before this: the index's triggers would be asked to
        remove what it never held."""
        self._db.execute(
            "INSERT INTO stories_fts(rowid, title, body_text) SELECT id, title, body_text FROM stories WHERE id > ?",
            (story_id,),
        )

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
        for chunk in chunks(ids):
            db.execute(f"DELETE FROM stories WHERE id IN ({marks(chunk)})", chunk)


def _story_details(db: sqlite3.Connection, story_ids: Sequence[int]) -> dict[int, StoredDetail]:
    """What a reader sees of some stored stories, for telling apart items that share a key."""
    found: dict[int, StoredDetail] = {}
    for chunk in chunks(story_ids):
        for row in db.execute(
            f"""SELECT id, title, summary_html, content_html, published, link FROM stories
                WHERE id IN ({marks(chunk)})""",
            chunk,
        ):
            found[row[0]] = StoredDetail(row[1], row[2], row[3], row[4], row[5])
    return found
