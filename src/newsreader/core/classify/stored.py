"""Classifying stored stories again (after the rules, a feed's conventions or a verdict changed)."""

from __future__ import annotations

import json
from collections.abc import Callable

from newsreader.core.classify import FeedRules, StoryFacts, classify
from newsreader.core.classify.convention import apply_convention
from newsreader.core.classify.rules import Rules
from newsreader.core.classify.sponsored import is_episode
from newsreader.core.models import Enclosure, Verdict
from newsreader.core.storage.db import Storage


def reclassify(
    storage: Storage,
    rules: Rules,
    *,
    feed_id: int | None = None,
    story_id: int | None = None,
    link_blocked: Callable[[str], bool] | None = None,
) -> int:
    """Run *rules* over the stored stories (of a feed, or one story) the user did not decide on;
    returns how many verdicts changed. *link_blocked* is the filter lists' link test; each whole
    feed also gets its own convention, learned from its stored stories (``convention``)."""
    feed_rules = {
        s.id: FeedRules.from_json(s.sponsored_never, s.sponsored_rules)
        for s in storage.feed_states(None if feed_id is None else [feed_id], enabled_only=False, accounts=True)
    }
    by_feed: dict[int, list[tuple[int, StoryFacts]]] = {}
    for row in storage.classification_inputs(feed_id, story_id):
        enclosures = [Enclosure(e["url"], e.get("type")) for e in json.loads(row.enclosures or "[]")]
        facts = StoryFacts(
            row.title,
            row.link,
            row.author,
            tuple(json.loads(row.categories)),
            row.link_count,
            row.sponsored_link_count,
            row.body_text,
            is_episode(enclosures),
        )
        by_feed.setdefault(row.feed_id, []).append((row.story_id, facts))
    verdicts: list[tuple[int, Verdict]] = []
    for feed, items in by_feed.items():
        found = [classify(f, rules, feed_rules.get(feed), link_blocked) for _, f in items]
        if story_id is None:
            found = apply_convention([f for _, f in items], found)
        verdicts.extend((i, v) for (i, _), v in zip(items, found, strict=True))
    return storage.set_verdicts(verdicts)
