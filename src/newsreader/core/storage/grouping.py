"""Incremental same-story grouping, run inside the transaction that stores a feed's new stories.

Only the new stories are matched against the library (indexed look-ups by canonical link, headline
key and key terms of the headline and lead within a few days, confirmed by
``same_story.compare``), never a full recompute. A group is identified by its
smallest story id; merging two groups relabels the smaller one.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from newsreader.core.related.same_story import (
    LEAD_WORDS,
    MIN_SHARED_KEYS,
    SAME_TITLE_DAYS,
    WINDOW_DAYS,
    compare,
    day_number,
    key_terms,
    story_terms,
)

if TYPE_CHECKING:
    from newsreader.core.related.terms import Terms

_LEAD_CHARS = 600
"""Enough text for the lead's first ``same_story.LEAD_WORDS`` words."""
MAX_GROUP = 50
"""A same-story group never grows past this many stories (merging look-alikes step by step would)."""
MAX_CANDIDATES = 12
"""Stories compared with each new one at most (those sharing the most key terms)."""


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def group_new_stories(db: sqlite3.Connection, feed_id: int, after_id: int) -> None:
    """Index and group the stories of *feed_id* stored after id *after_id*."""
    new = db.execute(
        """SELECT id, canonical_link, title_key, title, substr(body_text, 1, ?), published
           FROM stories WHERE feed_id = ? AND id > ?""",
        (_LEAD_CHARS, feed_id, after_id),
    ).fetchall()
    if not new:
        return
    terms = {story[0]: story_terms(str(story[3]), " ".join(str(story[4] or "").split()[:LEAD_WORDS])) for story in new}
    pair_rows = [
        (term, day_number(story[5]), story[0], feed_id) for story in new for term in key_terms(terms[story[0]])
    ]
    pairs: set[tuple[int, int]] = set()
    links = [s[1] for s in new if s[1]]
    if links:
        by_link: dict[str, list[int]] = defaultdict(list)
        for other_id, link in db.execute(
            f"SELECT id, canonical_link FROM stories WHERE canonical_link IN ({_marks(links)}) AND feed_id != ?",
            [*links, feed_id],
        ):
            by_link[link].append(other_id)
        pairs.update((s[0], o) for s in new if s[1] for o in by_link.get(s[1], ()))
    keys = [s[2] for s in new if s[2]]
    if keys:
        by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for other_id, key, published in db.execute(
            f"SELECT id, title_key, published FROM stories WHERE title_key IN ({_marks(keys)}) AND title_key != ''"
            " AND feed_id != ?",
            [*keys, feed_id],
        ):
            by_key[key].append((other_id, day_number(published)))
        for story in new:
            day = day_number(story[5])
            pairs.update((story[0], o) for o, d in by_key.get(story[2], ()) if abs(d - day) <= SAME_TITLE_DAYS)
    pairs.update(_word_matches(db, feed_id, terms, pair_rows))
    db.executemany("INSERT OR IGNORE INTO title_pairs(pair, day, story_id, feed_id) VALUES (?, ?, ?, ?)", pair_rows)
    for story_id, other_id in pairs:
        _union(db, story_id, other_id)


def _word_matches(
    db: sqlite3.Connection, feed_id: int, terms: dict[int, Terms], pair_rows: list[tuple[str, int, int, int]]
) -> set[tuple[int, int]]:
    """Stories of other feeds that share key terms (headline and lead) with a new one, within the
    window, confirmed by ``same_story.compare``."""
    if not pair_rows:
        return set()
    pairs_of_new: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pair, day, story_id, _ in pair_rows:
        pairs_of_new[pair].append((story_id, day))
    pairs = sorted(pairs_of_new)
    days = [d for _, d, _, _ in pair_rows]
    window = (min(days) - WINDOW_DAYS, max(days) + WINDOW_DAYS)
    candidates: dict[int, Counter[int]] = defaultdict(Counter)
    for start in range(0, len(pairs), 400):
        chunk = pairs[start : start + 400]
        for pair, day, other_id in db.execute(
            f"""SELECT pair, day, story_id FROM title_pairs
                WHERE pair IN ({_marks(chunk)}) AND day BETWEEN ? AND ? AND feed_id != ?""",
            [*chunk, *window, feed_id],
        ):
            for story_id, story_day in pairs_of_new[pair]:
                if abs(story_day - day) <= WINDOW_DAYS:
                    candidates[story_id][other_id] += 1
    if not candidates:
        return set()
    # the stories sharing the most key terms first (at least MIN_SHARED_KEYS), at most MAX_CANDIDATES
    # each: bounded work
    chosen = {
        story_id: [o for o, count in found.most_common(MAX_CANDIDATES) if count >= MIN_SHARED_KEYS]
        for story_id, found in candidates.items()
    }
    wanted = sorted({o for others in chosen.values() for o in others})
    others: dict[int, tuple[str, str]] = {}
    for start in range(0, len(wanted), 400):
        chunk_ids = wanted[start : start + 400]
        for row in db.execute(
            f"SELECT id, title, substr(body_text, 1, ?) FROM stories WHERE id IN ({_marks(chunk_ids)})",
            [_LEAD_CHARS, *chunk_ids],
        ):
            others[row[0]] = (row[1], row[2])
    found: set[tuple[int, int]] = set()
    other_terms: dict[int, Terms] = {}
    for story_id, other_ids in chosen.items():
        for other_id in other_ids:
            if other_id in others:
                if other_id not in other_terms:
                    title, text = others[other_id]
                    other_terms[other_id] = story_terms(title, " ".join((text or "").split()[:LEAD_WORDS]))
                if compare(terms[story_id], other_terms[other_id]).same:
                    found.add((story_id, other_id))
    return found


def _group_of(db: sqlite3.Connection, story_id: int) -> int | None:
    row = db.execute("SELECT group_id FROM stories WHERE id = ?", (story_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _size(db: sqlite3.Connection, group: int | None) -> int:
    if group is None:
        return 1
    return int(db.execute("SELECT count(*) FROM stories WHERE group_id = ?", (group,)).fetchone()[0])


def _union(db: sqlite3.Connection, a: int, b: int) -> None:
    group_a, group_b = _group_of(db, a), _group_of(db, b)
    if group_a is not None and group_a == group_b:
        return
    # one event is reported a few dozen times at most; a larger group is a chain of look-alikes
    if _size(db, group_a) + _size(db, group_b) > MAX_GROUP:
        return
    target = min(x for x in (group_a, group_b, a, b) if x is not None)
    for group in {group_a, group_b} - {None, target}:
        db.execute("UPDATE stories SET group_id = ? WHERE group_id = ?", (target, group))
    db.execute("UPDATE stories SET group_id = ? WHERE id IN (?, ?)", (target, a, b))
