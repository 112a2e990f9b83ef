"""Is a feed item paid content? A pure function of the item's facts, the rules and the feed's own rules.

Only markers that publishers use to *label* paid content count: a label in front of or behind the
title, a category or author that is such a label, a link into an ad network, or an item whose links
are nearly all ``rel="sponsored"``. Words in the body never count, so articles about advertising
and podcast episodes that thank a sponsor are not flagged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsreader.core.classify.rules import Rules
from newsreader.core.errors import SettingsError
from newsreader.core.models import Verdict

NOT_SPONSORED = Verdict(False, None)


@dataclass(frozen=True)
class StoryFacts:
    """What the classifier looks at."""

    title: str
    link: str | None
    author: str | None
    categories: tuple[str, ...]
    link_count: int = 0
    sponsored_link_count: int = 0


@dataclass(frozen=True)
class FeedRules:
    """A feed's own conventions, set by the user: never flag it, or extra title/category markers."""

    never: bool = False
    title_patterns: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    @staticmethod
    def build(never: bool = False, title_patterns: Sequence[str] = (), categories: Sequence[str] = ()) -> FeedRules:
        """Validate and compile; raises :class:`SettingsError` for a bad regular expression."""
        try:
            compiled = tuple(re.compile(p, re.IGNORECASE) for p in title_patterns)
        except re.error as exc:
            raise SettingsError(f"A sponsored title pattern is not a valid regular expression ({exc}).") from exc
        return FeedRules(never, tuple(title_patterns), tuple(c.strip().lower() for c in categories), compiled)

    def to_json(self) -> str | None:
        """Stored form (None when there is nothing to store)."""
        if not self.title_patterns and not self.categories:
            return None
        return json.dumps({"title_patterns": list(self.title_patterns), "categories": list(self.categories)})

    @staticmethod
    def from_json(never: bool, text: str | None) -> FeedRules:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text) if text else {}
        return FeedRules.build(never, data.get("title_patterns", ()), data.get("categories", ()))


def _host_matches(host: str, domains: Sequence[str]) -> str | None:
    for domain in domains:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def classify(facts: StoryFacts, rules: Rules, feed: FeedRules | None = None) -> Verdict:
    """Decide whether the item is sponsored and say why."""
    feed = feed or FeedRules()
    if feed.never:
        return NOT_SPONSORED
    title = facts.title.strip()
    for pattern in feed._compiled:
        if pattern.search(title):
            return Verdict(True, f"The title matches this feed's sponsored pattern “{pattern.pattern}”.")
    match = rules.title_prefix.search(title) or rules.title_suffix.search(title)
    if match:
        label = next(g for g in match.groups() if g)
        return Verdict(True, f"The title is labelled “{label.strip()}”.")
    for category in facts.categories:
        folded = category.strip().lower()
        if folded in feed.categories:
            return Verdict(True, f"Its category “{category}” marks sponsored items in this feed.")
        if folded in rules.category_labels:
            return Verdict(True, f"Its category is “{category}”.")
    if facts.author:
        for pattern in rules.author_patterns:
            if pattern.fullmatch(facts.author.strip()):
                return Verdict(True, f"Its author is “{facts.author.strip()}”.")
    if facts.link:
        try:
            parts = urlsplit(facts.link)
        except ValueError:
            parts = None
        if parts is not None and parts.hostname:
            host = parts.hostname.lower()
            domain = _host_matches(host, rules.ad_domains)
            if domain:
                return Verdict(True, f"Its link goes to the ad network {domain}.")
            where = (host + parts.path).lower()
            for path in rules.ad_link_paths:
                if where.startswith(path):
                    return Verdict(True, f"Its link is an ad placement ({path}…).")
    if facts.link_count >= rules.rel_min_links and facts.sponsored_link_count / facts.link_count >= rules.rel_min_share:
        return Verdict(
            True,
            f'{facts.sponsored_link_count} of its {facts.link_count} links are marked as paid (rel="sponsored").',
        )
    return NOT_SPONSORED
