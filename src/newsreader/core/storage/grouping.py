"""Incremental same-story grouping, run inside the transaction that stores a feed's new stories.

Only the new stories are matched against the library (indexed look-ups by canonical link, headline
key and key terms of the headline and lead within a few days, confirmed by
``same_story.compare``), never a full recompute. A group is identified by its
smallest story id; merging two groups relabels the smaller one.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from newsreader.core.related.same_story import (
    LEAD_CHARS,
    LEAD_WORDS,
    MIN_SHARED_KEYS,
    SAME_TITLE_DAYS,
    WINDOW_DAYS,
    compare,
    day_number,
    grouping_terms,
    key_terms,
    remember,
)

if TYPE_CHECKING:
    from newsreader.core.related.terms import Terms
    from newsreader.core.storage.story_keys import StoryKeyIndex

MAX_GROUP = 50
"""A same-story group never grows past this many stories (merging look-alikes step by step would)."""
MAX_CANDIDATES = 12
"""Stories compared with each new one at most (those sharing the most key terms); also the most
stories a new one is joined to by the same link or headline."""
MAX_POSTINGS = 100
"""A key term found in more stories than this within the window is too common to find candidates
by (its inverse document frequency is low: "government", "said", a big event's main name); the
rarer terms a report shares with its peers still find them. Bounds the writer's work per story to
``KEY_TERMS × MAX_POSTINGS`` index rows however repetitive the library is."""


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def group_new_stories(
    db: sqlite3.Connection,
    feed_id: int,
    after_id: int,
    index: StoryKeyIndex,
    analysed: Mapping[int, tuple[Terms, tuple[str, ...]]] | None = None,
) -> None:
    """Index and group the stories of *feed_id* stored after id *after_id*; *index* is the
    connection's key terms in memory (``story_keys``); *analysed* holds the terms and key terms a
    parser process already found for some of them (by story id)."""
    new = db.execute(
        """SELECT id, canonical_link, title_key, title, substr(body_text, 1, ?), published
           FROM stories WHERE feed_id = ? AND id > ?""",
        (LEAD_CHARS, feed_id, after_id),
    ).fetchall()
    if not new:
        return
    terms: dict[int, Terms] = {}
    keys_of: dict[int, Sequence[str]] = {}
    for story in new:
        title, lead = str(story[3]), " ".join(str(story[4] or "").split()[:LEAD_WORDS])
        known = analysed.get(story[0]) if analysed else None
        if known is None:
            terms[story[0]] = grouping_terms(title, lead)
            keys_of[story[0]] = key_terms(terms[story[0]])
        else:
            terms[story[0]], keys_of[story[0]] = known
            remember(title, lead, known[0])  # for the stories stored after it, which compare with it
    days = {story[0]: day_number(story[5]) for story in new}
    index.prepare(db, days.values(), WINDOW_DAYS)
    pairs: set[tuple[int, int]] = set()
    links = [s[1] for s in new if s[1]]
    if links:
        by_link: dict[str, list[int]] = defaultdict(list)
        for other_id, link in db.execute(
            f"SELECT id, canonical_link FROM stories WHERE canonical_link IN ({_marks(links)}) AND feed_id != ?",
            [*links, feed_id],
        ):
            by_link[link].append(other_id)
        pairs.update((s[0], o) for s in new if s[1] for o in _latest(by_link.get(s[1], [])))
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
            day = days[story[0]]
            near = [o for o, d in by_key.get(story[2], ()) if abs(d - day) <= SAME_TITLE_DAYS]
            pairs.update((story[0], o) for o in _latest(near))
    pairs.update(_word_matches(db, feed_id, terms, keys_of, days, index))
    index.add(db, [(story[0], feed_id, days[story[0]], keys_of[story[0]]) for story in new])
    for story_id, other_id in pairs:
        _union(db, story_id, other_id)


def _latest(ids: list[int]) -> list[int]:
    """At most :data:`MAX_CANDIDATES` of *ids*, the most recently stored first: joining one member of
    a group joins the group, so thousands of copies of one headline need not all be visited."""
    return sorted(ids, reverse=True)[:MAX_CANDIDATES]


def _word_matches(
    db: sqlite3.Connection,
    feed_id: int,
    terms: Mapping[int, Terms],
    keys_of: Mapping[int, Sequence[str]],
    days: Mapping[int, int],
    index: StoryKeyIndex,
) -> set[tuple[int, int]]:
    """Stories of other feeds that share key terms (headline and lead) with a new one, within the
    window, confirmed by ``same_story.compare``."""
    candidates = {
        story_id: sharing
        for story_id in terms
        if (
            sharing := index.candidates(
                feed_id,
                days[story_id],
                keys_of[story_id],
                window=WINDOW_DAYS,
                cap=MAX_POSTINGS,
                min_shared=MIN_SHARED_KEYS,
            )
        )
    }
    if not candidates:
        return set()
    # the stories sharing the most key terms first (the earliest stored among equals), at most
    # MAX_CANDIDATES each: bounded work
    chosen = {
        story_id: [o for o, _ in sorted(found.items(), key=lambda item: (-item[1], item[0]))[:MAX_CANDIDATES]]
        for story_id, found in candidates.items()
    }
    other_ids = sorted({o for others in chosen.values() for o in others})
    # the key index may hold a story deleted since, its id given to a new story of any feed (this
    # one's included): the candidates are read again here, and only those of other feeds kept
    others: dict[int, tuple[str, str]] = {}
    for start in range(0, len(other_ids), 400):
        chunk_ids = other_ids[start : start + 400]
        for row in db.execute(
            f"SELECT id, title, substr(body_text, 1, ?) FROM stories WHERE id IN ({_marks(chunk_ids)})"
            " AND feed_id != ?",
            [LEAD_CHARS, *chunk_ids, feed_id],
        ):
            others[row[0]] = (row[1], row[2])
    found: set[tuple[int, int]] = set()
    other_terms: dict[int, Terms] = {}
    for story_id, other_ids in chosen.items():
        for other_id in other_ids:
            if other_id in others:
                if other_id not in other_terms:
                    title, text = others[other_id]
                    other_terms[other_id] = grouping_terms(title, " ".join((text or "").split()[:LEAD_WORDS]))
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
