"""Classifying stored stories again (after the rules, a feed's conventions or a verdict changed)."""

from __future__ import annotations

import json

from newsreader.core.classify import FeedRules, StoryFacts, classify
from newsreader.core.classify.rules import Rules
from newsreader.core.storage.db import Storage


def reclassify(storage: Storage, rules: Rules, *, feed_id: int | None = None, story_id: int | None = None) -> int:
    """Run *rules* over the stored stories (of a feed, or one story) the user did not decide on;
    returns how many verdicts changed."""
    feed_rules = {
        s.id: FeedRules.from_json(s.sponsored_never, s.sponsored_rules)
        for s in storage.feed_states(None if feed_id is None else [feed_id], enabled_only=False)
    }
    verdicts = [
        (
            row.story_id,
            classify(
                StoryFacts(
                    row.title,
                    row.link,
                    row.author,
                    tuple(json.loads(row.categories)),
                    row.link_count,
                    row.sponsored_link_count,
                ),
                rules,
                feed_rules.get(row.feed_id),
            ),
        )
        for row in storage.classification_inputs(feed_id, story_id)
    ]
    return storage.set_verdicts(verdicts)
