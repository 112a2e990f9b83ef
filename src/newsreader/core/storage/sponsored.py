"""The sponsored classifier's inputs, verdicts and the user's overrides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from newsreader.core.errors import StoryNotFoundError
from newsreader.core.models import Verdict
from newsreader.core.storage.base import StorageBase


class ClassificationInput(NamedTuple):
    """A stored story's facts the sponsored classifier reads (``categories``: a JSON list)."""

    story_id: int
    feed_id: int
    title: str
    link: str | None
    author: str | None
    categories: str
    link_count: int
    sponsored_link_count: int
    body_text: str
    enclosures: str
    """JSON list of the story's enclosures."""


class SponsoredStorage(StorageBase):
    """Sponsored verdicts of stored stories."""

    def classification_inputs(
        self, feed_id: int | None = None, story_id: int | None = None
    ) -> list[ClassificationInput]:
        """(id, feed_id, title, link, author, categories JSON, link_count, sponsored_link_count,
        body_text, enclosures JSON) of stories whose verdict is not overridden by the user."""
        sql = """SELECT id, feed_id, title, link, author, categories, link_count, sponsored_link_count,
                        coalesce(body_text, ''), coalesce(enclosures, '[]')
                 FROM stories WHERE sponsored_override IS NULL"""
        params: list[Any] = []
        if feed_id is not None:
            sql += " AND feed_id = ?"
            params.append(feed_id)
        if story_id is not None:
            sql += " AND id = ?"
            params.append(story_id)
        return [ClassificationInput(*row) for row in self.execute(sql, params).fetchall()]

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
                raise StoryNotFoundError(story_id)
