"""Article pages kept for offline reading (``story_pages``), and which stories still lack one."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from newsreader.core.storage.base import StorageBase, from_db_time, to_db_time

SUMMARY_ONLY_CHARS = 1500
"""A feed none of whose stored stories has this much HTML (content or summary) carries summaries only (so its
article pages are downloaded when its "full articles" setting is automatic)."""


class StoredPage(NamedTuple):
    """A story's article page as stored: where it came from, its analysis (JSON) or the error."""

    url: str
    analysis_json: str | None
    error: str | None


class PageWanted(NamedTuple):
    """A story whose article page is to be downloaded."""

    story_id: int
    feed_id: int
    link: str


class PageStorage(StorageBase):
    """The ``story_pages`` table."""

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

    def page(self, story_id: int) -> StoredPage | None:
        """(url, analysis JSON, error) of a story's page, if one was fetched."""
        row = self.execute("SELECT url, analysis, error FROM story_pages WHERE story_id = ?", (story_id,)).fetchone()
        return StoredPage(row[0], row[1], row[2]) if row else None

    def stories_needing_pages(
        self, feed_ids: Sequence[int] | None, per_feed: int, default: str = "auto"
    ) -> list[PageWanted]:
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
        return [PageWanted(row[0], row[1], row[2]) for row in rows]
