"""Sponsored-content classification: rules are data (``default_rules.json``), the classifier is pure."""

from newsreader.core.classify.rules import Rules, load_rules
from newsreader.core.classify.sponsored import FeedRules, StoryFacts, classify

__all__ = ["FeedRules", "Rules", "StoryFacts", "classify", "load_rules"]
