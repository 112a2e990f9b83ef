"""A feed's own way of marking sponsored items, learned from the items it already had flagged.

A feed that marks its sponsors one way keeps doing so: when most of the items carrying one marker
(a title prefix such as ``Partner:``, a bracketed title ending, a category, an author, the link's
host or first path section) were flagged by the classifier's own signals, the feed's other items
with that marker are flagged too, with the marker and the counts as the reason. Pure: facts and
verdicts in, verdicts out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlsplit

from newsreader.core.classify.sponsored import StoryFacts
from newsreader.core.models import Verdict

MIN_FLAGGED = 3
"""A marker is learned from at least this many flagged items (one could be a coincidence)."""
MIN_SHARE = 0.75
"""…that are at least this share of the items carrying it."""
MAX_FEED_SHARE = 0.5
"""A marker carried by more than this share of the feed's items describes the feed, not its ads."""

_PREFIX_RE = re.compile(r"^\s*(?:[\[【(（]\s*([^\]】)）]{1,24}?)\s*[\]】)）]|([^:：|\[\]【】]{1,24}?)\s*[:：|])")
_ENDING_RE = re.compile(r"[\[(（【]\s*([^\])）】]{1,24}?)\s*[\])）】]\s*$")

_KIND_TEXT = {
    "prefix": "its titles start with “{}”",
    "ending": "its titles end with “({})”",
    "category": "its category is “{}”",
    "author": "its author is “{}”",
    "host": "its links go to {}",
    "section": "its links are under /{}/",
}


def markers(facts: StoryFacts) -> set[tuple[str, str]]:
    """The (kind, value) pairs a feed could use to mark an item, lower-cased."""
    found: set[tuple[str, str]] = set()
    match = _PREFIX_RE.match(facts.title)
    if match:
        value = (match[1] or match[2]).strip().lower()
        if value and len(value.split()) <= 3 and not value.isdigit():
            found.add(("prefix", value))
    match = _ENDING_RE.search(facts.title)
    if match and len(match[1].split()) <= 3:
        found.add(("ending", match[1].strip().lower()))
    found.update(("category", c.strip().lower()) for c in facts.categories if c.strip())
    if facts.author and facts.author.strip():
        found.add(("author", facts.author.strip().lower()))
    if facts.link and "://" in facts.link:
        try:
            parts = urlsplit(facts.link)
        except ValueError:
            return found
        if parts.hostname:
            found.add(("host", parts.hostname.lower()))
        segments = [s for s in parts.path.lower().split("/") if s]
        if len(segments) >= 2 and not segments[0].isdigit():
            found.add(("section", segments[0]))
    return found


def apply_convention(
    facts: Sequence[StoryFacts],
    verdicts: Sequence[Verdict],
    *,
    min_flagged: int = MIN_FLAGGED,
    min_share: float = MIN_SHARE,
) -> list[Verdict]:
    """*verdicts* (one per item of one feed, in the same order) with the feed's learned convention
    applied: items carrying a marker that mostly flagged items carry are flagged as well.
    Raises ``ValueError`` when the two sequences differ in length."""
    if len(facts) != len(verdicts):
        raise ValueError("one verdict per item is needed")
    item_markers = [markers(f) for f in facts]
    carried: Counter[tuple[str, str]] = Counter()
    flagged: Counter[tuple[str, str]] = Counter()
    for found, verdict in zip(item_markers, verdicts, strict=True):
        carried.update(found)
        if verdict.sponsored:
            flagged.update(found)
    limit = max(min_flagged, MAX_FEED_SHARE * len(facts))
    learned = {
        marker
        for marker, count in flagged.items()
        if count >= min_flagged and count / carried[marker] >= min_share and carried[marker] <= limit
    }
    if not learned:
        return list(verdicts)
    result = []
    for found, verdict in zip(item_markers, verdicts, strict=True):
        hits = sorted(found & learned) if not verdict.sponsored else []
        if hits:
            kind, value = hits[0]
            result.append(
                Verdict(
                    True,
                    f"This feed marks sponsored items this way: {_KIND_TEXT[kind].format(value)} "
                    f"({flagged[hits[0]]} of the {carried[hits[0]]} items that do are flagged).",
                )
            )
        else:
            result.append(verdict)
    return result
