"""Classify every item of a feed document without a library (``newsreader classify FILE``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from newsreader.core.classify.rules import Rules
from newsreader.core.classify.sponsored import StoryFacts, classify
from newsreader.core.models import Verdict
from newsreader.core.parse import parse_raw
from newsreader.core.parse.normalize import normalize_entry


@dataclass(frozen=True, slots=True)
class ItemVerdict:
    """One item of a document: its id exactly as the document gives it, and the verdict."""

    id: str | None
    link: str | None
    title: str
    verdict: Verdict


def classify_document(body: bytes, rules: Rules, url: str = "") -> list[ItemVerdict]:
    """Every item of a feed document with its sponsored verdict; raises ``ParseError`` for a non-feed.

    With no *url*, nothing is resolved against a base, so ids stay exactly as written.
    """
    raw = parse_raw(body, url)
    now = datetime.now(UTC)
    items = []
    for raw_entry in raw.entries:
        entry = normalize_entry(raw_entry, url, now)
        facts = StoryFacts(
            entry.title,
            entry.link or raw_entry.link,
            entry.author,
            entry.categories,
            entry.link_count,
            entry.sponsored_link_count,
        )
        items.append(ItemVerdict(raw_entry.guid, entry.link or raw_entry.link, entry.title, classify(facts, rules)))
    return items
