"""The index of the offline image cache (``images``) and feed icons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from newsreader.core.storage.base import StorageBase, chunks, marks, to_db_time


class ImageRecordInput(Protocol):
    """What :meth:`ImageStorage.record_images` reads of one download (``ImageOutcome`` has it)."""

    @property
    def url(self) -> str: ...
    @property
    def digest(self) -> str | None: ...
    @property
    def size(self) -> int: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...


class ImageRecord(NamedTuple):
    """What the last download of an image URL gave: its cached file, or the error."""

    digest: str | None
    error: str | None


class StoryHtml(NamedTuple):
    """A story's link and the HTML its images are read from."""

    story_id: int
    link: str | None
    html: str


class StoryImagesWanted(NamedTuple):
    """A story whose images are not all in the offline cache yet: its link and HTML, and its
    analysed article page (JSON) when it has one."""

    story_id: int
    link: str | None
    html: str
    analysis_json: str | None


class FeedSite(NamedTuple):
    """Where a feed's icon is looked for."""

    feed_id: int
    url: str
    site_url: str | None


class ImageStorage(StorageBase):
    """The ``images`` table and the icon columns of ``feeds``."""

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

    def record_images(self, outcomes: Sequence[ImageRecordInput], now: datetime) -> None:
        """Remember what downloading each image gave, all in one transaction."""
        if not outcomes:
            return
        with self.transaction() as db:
            db.executemany(
                """INSERT INTO images(url, digest, size, content_type, fetched_at, error) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET digest = excluded.digest, size = excluded.size,
                   content_type = excluded.content_type, fetched_at = excluded.fetched_at, error = excluded.error""",
                [(o.url, o.digest, o.size, o.content_type, to_db_time(now), o.error) for o in outcomes],
            )

    def images_for(self, urls: Sequence[str]) -> dict[str, ImageRecord]:
        """(digest, error) of each of *urls* already tried."""
        found: dict[str, ImageRecord] = {}
        for chunk in chunks(urls):
            rows = self.execute(f"SELECT url, digest, error FROM images WHERE url IN ({marks(chunk)})", chunk)
            found.update({row[0]: ImageRecord(row[1], row[2]) for row in rows})
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

    def stories_for_images(self, story_ids: Sequence[int], per_feed: int) -> list[StoryHtml]:
        """(id, link, HTML) of the newest *per_feed* stories of each feed among *story_ids* that have no
        analysed article page (their images come from the feed's own content)."""
        rows: list[tuple[int, int, str | None, str]] = []
        for chunk in chunks(story_ids):
            rows.extend(
                self.execute(
                    f"""SELECT feed_id, id, link, CASE WHEN content_html != '' THEN content_html ELSE summary_html END
                        FROM stories s WHERE id IN ({marks(chunk)}) AND sponsored = 0
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
                chosen.append(StoryHtml(story_id, link, html))
        return chosen

    def stories_needing_images(self, feed_ids: Sequence[int] | None, per_feed: int) -> list[StoryImagesWanted]:
        """The newest *per_feed* stories of each feed (of *feed_ids*, else all enabled) whose images
        were not all tried yet, newest first."""
        feed_filter = ""
        params: list[Any] = []
        if feed_ids is not None:
            feed_filter = f"AND f.id IN ({marks(feed_ids)})"
            params.extend(feed_ids)
        rows = self.execute(
            f"""WITH ranked AS (
                    SELECT s.id, s.link, s.images_checked,
                           CASE WHEN s.content_html != '' THEN s.content_html ELSE s.summary_html END AS html,
                           row_number() OVER (PARTITION BY s.feed_id ORDER BY s.published DESC, s.id DESC) AS n
                    FROM stories s JOIN feeds f ON f.id = s.feed_id
                    WHERE f.enabled = 1 {feed_filter} AND s.sponsored = 0
                )
                SELECT r.id, r.link, r.html, p.analysis FROM ranked r
                LEFT JOIN story_pages p ON p.story_id = r.id
                WHERE r.n <= ? AND r.images_checked = 0 ORDER BY r.n, r.id DESC""",
            [*params, per_feed],
        )
        return [StoryImagesWanted(row[0], row[1], row[2], row[3]) for row in rows]

    def mark_images_checked(self, story_ids: Sequence[int]) -> None:
        """Record that every image of these stories was tried."""
        with self.transaction() as db:
            for chunk in chunks(story_ids):
                db.execute(f"UPDATE stories SET images_checked = 1 WHERE id IN ({marks(chunk)})", chunk)

    def feeds_needing_icons(self, checked_before: datetime, missing_before: datetime | None = None) -> list[FeedSite]:
        """(id, url, site_url) of feeds whose icon was never looked for, or not since *checked_before*
        (for a feed that has none: since *missing_before*, when given)."""
        missing = to_db_time(missing_before if missing_before is not None else checked_before)
        rows = self.execute(
            """SELECT id, url, site_url FROM feeds WHERE icon_checked IS NULL OR icon_checked < ?
               OR (icon_url IS NULL AND icon_checked < ?)""",
            (to_db_time(checked_before), missing),
        )
        return [FeedSite(row[0], row[1], row[2]) for row in rows]

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
