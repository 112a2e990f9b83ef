"""Story lists, single stories, read/starred state and full-text search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from newsreader.core.errors import StoryNotFoundError
from newsreader.core.models import Story
from newsreader.core.storage.base import SEARCH_WINDOW, StorageBase, chunks, marks, to_db_time
from newsreader.core.storage.rows import (
    STORY_COLUMNS,
    list_filter,
    order_clause,
    story_from_row,
)


class StoryStorage(StorageBase):
    """Reading stories and changing their state."""

    def stories(
        self,
        *,
        feed_id: int | None = None,
        folder: str | None = None,
        account: str | None = None,
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
        order_by = order_clause(order, reverse)
        clauses, params = list_filter(feed_id, folder, unread, include_sponsored, account=account)
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
        sql = f"""SELECT {STORY_COLUMNS} FROM stories s JOIN feeds f ON f.id = s.feed_id{where}
                  ORDER BY {order_by} LIMIT ? OFFSET ?"""
        params += [limit if limit is not None else -1, offset]
        return [story_from_row(row) for row in self.execute(sql, params).fetchall()]

    def story(self, story_id: int) -> Story:
        """One story with its summary and content HTML; raises :class:`UnknownIdError`."""
        row = self.execute(
            f"""SELECT {STORY_COLUMNS}, s.summary_html, s.content_html
                FROM stories s JOIN feeds f ON f.id = s.feed_id WHERE s.id = ?""",
            (story_id,),
        ).fetchone()
        if row is None:
            raise StoryNotFoundError(story_id)
        return story_from_row(row, row[18], row[19])

    def existing_story_ids(self, story_ids: Sequence[int]) -> set[int]:
        """Which of *story_ids* exist."""
        found: set[int] = set()
        for chunk in chunks(story_ids):
            rows = self.execute(f"SELECT id FROM stories WHERE id IN ({marks(chunk)})", chunk)
            found.update(r[0] for r in rows)
        return found

    def group_sizes(self, story_ids: Sequence[int], *, include_sponsored: bool = False) -> dict[int, int]:
        """How many stories (sponsored ones only with *include_sponsored*) each of *story_ids* stands for
        in its same-story group: 1 for a story in no group."""
        sizes = dict.fromkeys(story_ids, 1)
        shown = "" if include_sponsored else "AND g.sponsored = 0"
        for chunk in chunks(story_ids):
            rows = self.execute(
                f"""SELECT s.id, COUNT(g.id) FROM stories s JOIN stories g ON g.group_id = s.group_id {shown}
                    WHERE s.id IN ({marks(chunk)}) GROUP BY s.id""",
                chunk,
            )
            sizes.update({story_id: max(1, count) for story_id, count in rows})
        return sizes

    def set_flag(self, story_ids: Sequence[int], column: str, value: bool) -> int:
        """Set ``read`` or ``starred`` on stories; returns how many rows changed."""
        if column not in ("read", "starred"):
            raise ValueError(column)
        changed = 0
        with self.transaction() as db:
            for chunk in chunks(story_ids):
                cursor = db.execute(
                    f"UPDATE stories SET {column} = ? WHERE id IN ({marks(chunk)}) AND {column} != ?",
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
        sql = f"""SELECT {STORY_COLUMNS} FROM (
                      SELECT rowid AS hit, bm25(stories_fts, 5.0, 1.0) AS score FROM stories_fts
                      WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT ?
                  ) JOIN stories s ON s.id = hit JOIN feeds f ON f.id = s.feed_id
                  WHERE 1 = 1 {sponsored}
                  ORDER BY score, s.id DESC LIMIT ?"""
        return [story_from_row(row) for row in self.execute(sql, (match, SEARCH_WINDOW, limit)).fetchall()]

    def view_counts(self, since: datetime) -> dict[str, int]:
        """Unread, starred and unread-since-*since* story counts (sponsored stories not counted unread)."""
        row = self.execute(  # three index searches: a sum over the table read every story's row
            """SELECT (SELECT count(*) FROM stories WHERE read = 0 AND sponsored = 0),
                      (SELECT count(*) FROM stories WHERE starred = 1),
                      (SELECT count(*) FROM stories WHERE published >= ? AND read = 0 AND sponsored = 0)""",
            (to_db_time(since),),
        ).fetchone()
        return {"unread": int(row[0]), "starred": int(row[1]), "today": int(row[2])}

    def story_count(self) -> int:
        """How many stories the library holds."""
        return int(self.execute("SELECT count(*) FROM stories").fetchone()[0])
