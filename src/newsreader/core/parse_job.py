"""What a feed's body goes through before the writer stores it, in a parser process or the calling
thread: parsing, each entry's same-story terms, and the sponsored verdicts (pure values out).

:class:`ProcessParser` runs :func:`parse_in_thread` in the worker processes of a large refresh; the
feeds stage (:mod:`newsreader.core.update`) calls it, or :func:`parse_in_thread` itself, from its
fetch threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from newsreader.core.classify import FeedRules, Rules, classify
from newsreader.core.classify.convention import apply_convention
from newsreader.core.classify.sponsored import facts_of
from newsreader.core.errors import SettingsError
from newsreader.core.models import ParsedFeed, Verdict
from newsreader.core.parse import parse_feed
from newsreader.core.process_pool import WorkerPool
from newsreader.core.related.same_story import analyse_story, key_terms

ClassifyJob = tuple[str | None, bool, str | None, str | None]
"""How to classify a feed's entries: (user rules file, feed never flagged, feed's own rules as JSON,
folder of the user's filter lists). A plain tuple so that it crosses into parser processes cheaply."""
Parsed = tuple[ParsedFeed, tuple[Verdict, ...] | None]
ParseFunction = Callable[[bytes, str, dict[str, str], datetime, int, ClassifyJob | None], Parsed]

_RULES_CACHE: dict[tuple[str | None, float], Rules] = {}


def _rules_for(path: str | None) -> Rules:
    """Default rules plus the user's file, loaded once per process (and again if the file changes)."""
    from pathlib import Path

    from newsreader.core.classify import load_rules

    mtime = 0.0
    if path is not None:
        try:
            mtime = Path(path).stat().st_mtime
        except OSError:
            mtime = -1.0
    key = (path, mtime)
    if key not in _RULES_CACHE:
        _RULES_CACHE.clear()
        _RULES_CACHE[key] = load_rules(Path(path) if path else None)
    return _RULES_CACHE[key]


def parse_in_thread(
    body: bytes, url: str, headers: dict[str, str], now: datetime, max_entries: int, job: ClassifyJob | None = None
) -> Parsed:
    """Parse (and classify, when asked) in the calling thread or worker process, with each entry's
    terms for same-story grouping analysed here rather than in the single writer."""
    parsed = with_story_terms(parse_feed(body, url, headers, now=now, max_entries=max_entries))
    if job is None:
        return parsed, None
    rules_path, never, feed_rules_json, filters_dir = job
    feed_rules = FeedRules.from_json(never, feed_rules_json)
    rules = _rules_for(rules_path)
    link_blocked = _link_filter_for(filters_dir)
    facts = [facts_of(entry) for entry in parsed.entries]
    verdicts = [classify(f, rules, feed_rules, link_blocked) for f in facts]
    return parsed, tuple(apply_convention(facts, verdicts))


def with_story_terms(parsed: ParsedFeed) -> ParsedFeed:
    """*parsed* with each entry's ``terms`` (its headline and lead analysed, ``analyse_story``) and
    ``key_terms``."""
    entries = []
    for entry in parsed.entries:
        terms = analyse_story(entry.title, entry.text)
        entries.append(replace(entry, terms=terms, key_terms=tuple(key_terms(terms))))
    return replace(parsed, entries=tuple(entries))


def _link_filter_for(folder: str | None) -> Callable[[str], bool] | None:
    """The filter lists' network rules as a link test (the shipped list and the user's, if any);
    None when the lists cannot be read (the rules' own ad hosts still apply)."""
    from newsreader.core.classify.document import link_filter
    from newsreader.core.pages.filters import load_filters

    try:
        return link_filter(load_filters(Path(folder)) if folder else None)
    except (OSError, SettingsError):
        return None


def warm_up_worker() -> None:
    """Import the parsing modules once per worker process, before the first feed arrives (page
    analysis imports its own on first use)."""
    import newsreader.core.parse.fast
    import newsreader.core.parse.normalize
    import newsreader.core.related.same_story  # noqa: F401


class ProcessParser:
    """Parses in worker processes (a :class:`WorkerPool`), so the writer thread never waits for the
    GIL behind parsers."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool

    def __call__(
        self,
        body: bytes,
        url: str,
        headers: dict[str, str],
        now: datetime,
        max_entries: int,
        job: ClassifyJob | None = None,
    ) -> Parsed:
        return self.pool.run(parse_in_thread, body, url, headers, now, max_entries, job)
