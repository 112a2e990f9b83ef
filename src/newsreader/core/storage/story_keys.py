"""Where same-story grouping finds its candidates: each stored story's key terms (``story_keys``, one
row a story) and, for the writer, the same postings by (term, day) in memory.

Grouping a new story asks which stories of other feeds, within :data:`~same_story.WINDOW_DAYS` of it,
share at least :data:`~same_story.MIN_SHARED_KEYS` of its key terms. A cold refresh asks that 35,000
times; answering from an SQL index cost the single writer ~10 CPU-seconds (a row written per key term
and an index seek per term and day, bench/writer_profile.py). In memory it is a few dictionary
look-ups a term, and the table is written once a story.

The memory copy is loaded day by day from ``story_keys`` as new stories need those days, and kept in
step by the writer adding what it stores. It is dropped (and reloaded when next needed) when another
connection has committed (``PRAGMA data_version``), when the writer's transaction rolls back, when a
refresh ends, and when it grows past :data:`MAX_POSTINGS_HELD`. It may still name a story this
connection deleted since (retention), whose id SQLite can give to a new story: grouping reads its
candidates again from ``stories`` and keeps only those of other feeds.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence

SEPARATOR = "\x1f"
"""Between the key terms of one ``story_keys.keys`` value (terms are words: they never hold it)."""

MAX_POSTINGS_HELD = 1_500_000
"""More (term, day) postings than this in memory (~150 MiB) and the copy is dropped and reloaded as
needed: a long-running app loads a window of days at a time, a cold refresh of 1,000 feeds holds
~400,000."""


class StoryKeyIndex:
    """Stored stories' key terms by (term, day), for one connection (the writer's)."""

    def __init__(self) -> None:
        self._postings: dict[tuple[str, int], list[int]] = {}
        self._terms: set[str] = set()
        self._feed_of: dict[int, int] = {}
        self._days: set[int] = set()
        self._held = 0
        self._version: int | None = None

    def reset(self) -> None:
        """Forget everything held (it is reloaded from ``story_keys`` as needed)."""
        self._postings.clear()
        self._terms.clear()
        self._feed_of.clear()
        self._days.clear()
        self._held = 0

    def prepare(self, db: sqlite3.Connection, days: Iterable[int], window: int) -> None:
        """Make sure every story stored within *window* days of *days* is held, loading the days not
        held yet; drop the copy first when another connection committed since it was loaded."""
        version = int(db.execute("PRAGMA data_version").fetchone()[0])
        if version != self._version or self._held > MAX_POSTINGS_HELD:
            self.reset()
            self._version = version
        wanted = sorted({day + step for day in set(days) for step in range(-window, window + 1)} - self._days)
        for first, last in _runs(wanted):
            for story_id, feed_id, day, keys in db.execute(
                "SELECT story_id, feed_id, day, keys FROM story_keys WHERE day BETWEEN ? AND ?", (first, last)
            ):
                self._hold(story_id, feed_id, day, keys.split(SEPARATOR))
        self._days.update(wanted)

    def add(self, db: sqlite3.Connection, rows: Sequence[tuple[int, int, int, Sequence[str]]]) -> None:
        """Store ``(story_id, feed_id, day, key_terms)`` rows in ``story_keys`` and hold them (their
        days must have been prepared: a day loaded later would hold them twice)."""
        db.executemany(
            "INSERT OR REPLACE INTO story_keys(story_id, feed_id, day, keys) VALUES (?, ?, ?, ?)",
            [(story_id, feed_id, day, SEPARATOR.join(keys)) for story_id, feed_id, day, keys in rows],
        )
        for story_id, feed_id, day, keys in rows:
            self._hold(story_id, feed_id, day, keys)

    def _hold(self, story_id: int, feed_id: int, day: int, keys: Iterable[str]) -> None:
        self._feed_of[story_id] = feed_id
        postings = self._postings
        self._terms.update(keys)
        for term in keys:
            found = postings.get((term, day))
            if found is None:
                postings[term, day] = [story_id]
            else:
                found.append(story_id)
            self._held += 1

    def candidates(
        self,
        feed_id: int,
        day: int,
        keys: Iterable[str],
        *,
        window: int,
        cap: int,
        min_shared: int,
    ) -> Counter[int]:
        """Stories of feeds other than *feed_id* within *window* days of *day* that share at least
        *min_shared* of *keys*, with how many they share. A term held by more than *cap* stories of
        the window is too common to find candidates by and is not counted."""
        get, held = self._postings.get, self._terms
        days = range(day - window, day + window + 1)
        sharing: list[int] = []
        for term in keys:
            if term not in held:
                continue
            buckets = [bucket for near in days if (bucket := get((term, near)))]
            if sum(map(len, buckets)) <= cap:
                for bucket in buckets:
                    sharing += bucket
        feed_of = self._feed_of
        return Counter(
            {
                other: shared
                for other, shared in Counter(sharing).items()
                if shared >= min_shared and feed_of[other] != feed_id
            }
        )


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Sorted *days* as (first, last) runs of consecutive days."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
