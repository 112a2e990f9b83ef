"""Deciding that two stories from different feeds report the same event (pure).

Signals, strongest first: the same canonical link; the same headline (case, accents and
punctuation aside) within a few days; or headlines sharing distinctive words *and* leads that
overlap, within two days.
"""

from __future__ import annotations

from datetime import datetime

from newsreader.core.related.keys import content_words, words

SAME_TITLE_DAYS = 3
"""The same headline this many days apart still counts as the same story."""
WINDOW_DAYS = 2
"""Stories further apart than this are never grouped on word overlap."""
MIN_SHARED_TITLE_WORDS = 2
THRESHOLD = 0.5
LEAD_WORDS = 60


def day_number(published: str | datetime) -> int:
    """Days since 1970 for a stored (``YYYY-MM-DD…``) or aware timestamp."""
    text = published.strftime("%Y-%m-%d") if isinstance(published, datetime) else published[:10]
    return datetime.strptime(text, "%Y-%m-%d").toordinal() - 719163


KEY_WORDS = 4
"""A headline's longest words (long words are mostly rare: names, places, subjects) index it."""


def title_pairs(title: str) -> list[str]:
    """Every pair of the headline's key words: two headlines sharing a pair share two telling words."""
    key = sorted(content_words(title), key=lambda w: (-len(w), w))[:KEY_WORDS]
    key.sort()
    return [f"{a} {b}" for i, a in enumerate(key) for b in key[i + 1 :]]


def title_pair_rows(story_id: int, feed_id: int, title: str, published: str) -> list[tuple[str, int, int, int]]:
    """Rows of the ``title_pairs`` index for one story."""
    day = day_number(published)
    return [(pair, day, story_id, feed_id) for pair in title_pairs(title)]


def lead_words(text: str) -> set[str]:
    """Meaningful words of the start of a story's text."""
    return content_words(" ".join(words(text)[:LEAD_WORDS]))


def similarity(title_a: str, lead_a: str, title_b: str, lead_b: str) -> float:
    """0–1: how likely two stories report the same event, from headline and lead overlap."""
    words_a, words_b = content_words(title_a), content_words(title_b)
    if not words_a or not words_b:
        return 0.0
    shared = words_a & words_b
    if len(shared) < MIN_SHARED_TITLE_WORDS:
        return 0.0
    title_overlap = len(shared) / min(len(words_a), len(words_b))
    lead_a_words, lead_b_words = lead_words(title_a + " " + lead_a), lead_words(title_b + " " + lead_b)
    union = lead_a_words | lead_b_words
    lead_overlap = len(lead_a_words & lead_b_words) / len(union) if union else 0.0
    return 0.6 * title_overlap + 0.4 * min(1.0, lead_overlap * 2.5)


def same_story_reason(kind: str) -> str:
    """Words for why stories were grouped."""
    return {
        "link": "The same article, linked from another feed.",
        "title": "The same headline in another feed.",
        "words": "Another feed's report of the same event (headline and lead overlap).",
    }[kind]
