"""Classify every item of a feed document without a library (``newsreader classify FILE``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsreader.core.classify.convention import apply_convention
from newsreader.core.classify.rules import Rules
from newsreader.core.classify.sponsored import classify, facts_of
from newsreader.core.models import Verdict
from newsreader.core.parse import parse_raw
from newsreader.core.parse.normalize import normalize_entry

if TYPE_CHECKING:
    from newsreader.core.pages.filters import PageFilters


@dataclass(frozen=True, slots=True)
class ItemVerdict:
    """One item of a document: its id exactly as the document gives it, and the verdict."""

    id: str | None
    link: str | None
    title: str
    verdict: Verdict


def classify_document(
    body: bytes, rules: Rules, url: str = "", filters: PageFilters | None = None
) -> list[ItemVerdict]:
    """Every item of a feed document with its sponsored verdict; raises ``ParseError`` for a non-feed.

    With no *url*, nothing is resolved against a base, so ids stay exactly as written. Links are
    checked against *filters* (default: the shipped filter list), and the document's own convention
    is learned from its items (``convention.apply_convention``).
    """
    raw = parse_raw(body, url)
    now = datetime.now(UTC)
    link_blocked = link_filter(filters)
    entries = [(raw_entry, normalize_entry(raw_entry, url, now)) for raw_entry in raw.entries]
    facts = [facts_of(entry, raw_entry.link) for raw_entry, entry in entries]
    verdicts = apply_convention(facts, [classify(f, rules, link_blocked=link_blocked) for f in facts])
    return [
        ItemVerdict(raw_entry.guid, entry.link or raw_entry.link, entry.title, verdict)
        for (raw_entry, entry), verdict in zip(entries, verdicts, strict=True)
    ]


def link_filter(filters: PageFilters | None) -> Callable[[str], bool]:
    """``url -> bool``: whether a network rule of *filters* (default: the shipped list) matches a link."""
    if filters is None:
        from newsreader.core.pages.filters import default_filters

        filters = default_filters()
    chosen = filters

    def blocked(url: str) -> bool:
        return chosen.blocks(url, None, "other")

    return blocked
