"""Look-ups behind the related-stories panes: list neighbours, same-story groups, topical matches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from newsreader.core.errors import StoryNotFoundError
from newsreader.core.models import Story
from newsreader.core.storage.base import StorageBase, to_db_time
from newsreader.core.storage.rows import (
    STORY_COLUMNS,
    list_filter,
    story_from_row,
)


class GroupingKeys(NamedTuple):
    """What same-story grouping compares: canonical link, headline key, the start of the text."""

    canonical_link: str | None
    title_key: str
    text: str


class GroupMember(NamedTuple):
    """Another story of a same-story group, with its grouping keys."""

    story: Story
    canonical_link: str | None
    title_key: str
    lead: str = ""
    """The start of its text (for the reason it is grouped)."""


class RelatedStorage(StorageBase):
    """Queries of the related-stories assembly."""

    def neighbours(
        self, story: Story, *, feed_id: int | None, folder: str | None, unread: bool, include_sponsored: bool
    ) -> tuple[Story | None, Story | None]:
        """The stories just above (newer) and below (older) *story* in a list sorted newest first."""
        clauses, params = list_filter(feed_id, folder, unread, include_sponsored, keep=story.id)
        where = " AND ".join(["1 = 1", *clauses])
        published = to_db_time(story.published)
        base = f"SELECT {STORY_COLUMNS} FROM stories s JOIN feeds f ON f.id = s.feed_id WHERE {where}"
        above = self.execute(
            base + " AND (s.published, s.id) > (?, ?) ORDER BY s.published, s.id LIMIT 1",
            [*params, published, story.id],
        ).fetchone()
        below = self.execute(
            base + " AND (s.published, s.id) < (?, ?) ORDER BY s.published DESC, s.id DESC LIMIT 1",
            [*params, published, story.id],
        ).fetchone()
        return (story_from_row(above) if above else None, story_from_row(below) if below else None)

    def newest_of_feed(self, feed_id: int, exclude: int, limit: int, include_sponsored: bool) -> list[Story]:
        """The newest stories of a feed other than *exclude*."""
        sponsored = "" if include_sponsored else "AND s.sponsored = 0"
        return [
            story_from_row(row)
            for row in self.execute(
                f"""SELECT {STORY_COLUMNS} FROM stories s JOIN feeds f ON f.id = s.feed_id
                    WHERE s.feed_id = ? AND s.id != ? {sponsored} ORDER BY s.published DESC, s.id DESC LIMIT ?""",
                (feed_id, exclude, limit),
            )
        ]

    def group_members(self, group_id: int, exclude: int, limit: int = 50) -> list[GroupMember]:
        """Other stories of a same-story group (the newest *limit*), with their canonical link, title
        key and lead."""
        return [
            GroupMember(story_from_row(row), row[18], row[19], row[20] or "")
            for row in self.execute(
                f"""SELECT {STORY_COLUMNS}, s.canonical_link, s.title_key, substr(s.body_text, 1, 600)
                    FROM stories s
                    JOIN feeds f ON f.id = s.feed_id WHERE s.group_id = ? AND s.id != ?
                    ORDER BY s.published DESC, s.id DESC LIMIT ?""",
                (group_id, exclude, limit),
            )
        ]

    def grouping_keys(self, story_id: int) -> GroupingKeys:
        """A story's canonical link, title key and the start of its text."""
        row = self.execute(
            "SELECT canonical_link, title_key, substr(body_text, 1, 2000) FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise StoryNotFoundError(story_id)
        return GroupingKeys(row[0], row[1], row[2])

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
        sql = f"""SELECT {STORY_COLUMNS}, substr(s.body_text, 1, 2000) FROM (
                      SELECT rowid AS hit, bm25(stories_fts, 3.0, 1.0) AS score FROM stories_fts
                      WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT ?
                  ) JOIN stories s ON s.id = hit JOIN feeds f ON f.id = s.feed_id
                  WHERE s.sponsored = 0 ORDER BY score LIMIT ?"""
        return [(story_from_row(row), row[18]) for row in self.execute(sql, (match, window, limit))]

    def stories_by_canonical_link(self, links: Sequence[str]) -> dict[str, Story]:
        """Stored stories whose canonical link is one of *links* (newest wins)."""
        if not links:
            return {}
        found: dict[str, Story] = {}
        rows = self.execute(
            f"""SELECT {STORY_COLUMNS}, s.canonical_link FROM stories s JOIN feeds f ON f.id = s.feed_id
                WHERE s.canonical_link IN ({",".join("?" * len(links))}) ORDER BY s.published""",
            list(links),
        )
        for row in rows:
            found[row[18]] = story_from_row(row)
        return found

    def mark_group_read(self, group_id: int, read: bool = True) -> int:
        """Mark every story of a same-story group read (or unread)."""
        with self.transaction() as db:
            return db.execute(
                "UPDATE stories SET read = ? WHERE group_id = ? AND read != ?", (int(read), group_id, int(read))
            ).rowcount
