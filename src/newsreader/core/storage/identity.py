"""Which stored story each entry of a fetched feed is: the rule that no item is ever dropped, merged
with another or takes over another's row (and its read and starred flags).

An entry's *base key* is what the feed says identifies it: its guid, else its link, else a hash of
its content (``ParsedEntry.key``). Base keys are not unique in real feeds: items without a guid
share the site's home page as their link, and some feeds give every item the same guid. The
stored key of a story is its base key, or — when another story of the feed already holds that —
the base key, :data:`SEPARATOR` and what tells the item apart (its title, else its content).

Matching goes by base key, then by what the reader sees, never by position, so the answer does not
depend on the order of the feed:

* one entry and one stored story with the same base key are the same story when nothing but
  details changed: for a link or content key the title or the text is unchanged (an item whose
  title *and* text changed under a reused link is a new item: "deal of the day" feeds do that); for
  a guid also the link or the date may be what stayed (a guid reused for a different item changes
  all four);
* otherwise the entries and stored stories of a base key are paired by everything stored, then by
  title and text, and then — only where the pairing is unique on both sides — by title alone or by
  text alone; with a guid, then by link alone or date alone where unique (the item edited);
* every entry left over is a new story.

Stored keys never change, so libraries written before this rule keep their rows and flags: a row
that absorbed several items is matched to the item it shows now, and the others become new stories.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsreader.core.models import ParsedEntry

SEPARATOR = "\x1f"
"""Between a base key and the discriminator of a stored key (a control character no XML feed can
put in a guid or link)."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A stored story as the matcher first sees it."""

    id: int
    key: str
    digest: str


@dataclass(frozen=True, slots=True)
class StoredDetail:
    """What a reader sees of a stored story, loaded only for ambiguous base keys."""

    title: str
    summary_html: str
    content_html: str
    published: str | None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """For one entry: the stored story it is (``story_id``), or the key a new story gets."""

    story_id: int | None
    key: str


def base_key(stored_key: str) -> str:
    """The base key of a stored key (the part before :data:`SEPARATOR`)."""
    return stored_key.split(SEPARATOR, 1)[0]


def clean_base_key(key: str) -> str:
    """A base key that cannot be mistaken for a discriminated one."""
    return key.replace(SEPARATOR, " ") if SEPARATOR in key else key


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


def _guid_based(entry: ParsedEntry) -> bool:
    return entry.guid is not None and entry.key == clean_base_key(entry.guid)


def _body(summary_html: str, content_html: str) -> str:
    return f"{summary_html}\x00{content_html}"


def _time(entry: ParsedEntry) -> str | None:
    return entry.published.strftime("%Y-%m-%dT%H:%M:%SZ") if entry.published else None


def assign(
    entries: Sequence[ParsedEntry],
    stored: Sequence[StoredKey],
    details: Callable[[Sequence[int]], Mapping[int, StoredDetail]],
) -> list[Assignment]:
    """Decide, for each of *entries* (one feed document, exact repeats already removed), which of the
    feed's *stored* stories it is, or the key of the new story it becomes.

    *details* loads what a reader sees of the stored stories whose ids it is given; it is called
    at most once, and only for base keys that more than one entry or story share, or whose one
    entry changed. No stored story is given to two entries; new keys are unique in the feed.
    """
    by_base_entries: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        by_base_entries[entry.key].append(index)
    by_base_stored: dict[str, list[StoredKey]] = defaultdict(list)
    for story in stored:
        by_base_stored[base_key(story.key)].append(story)

    result: list[Assignment | None] = [None] * len(entries)
    pending: list[str] = []
    for base, indices in by_base_entries.items():
        candidates = by_base_stored.get(base, [])
        if len(indices) == 1 and len(candidates) <= 1:
            entry = entries[indices[0]]
            if not candidates:
                continue  # a new story: keyed below
            story = candidates[0]
            if story.digest == entry.digest:
                result[indices[0]] = Assignment(story.id, story.key)
                continue
        pending.append(base)

    if pending:
        wanted = [story.id for base in pending for story in by_base_stored.get(base, [])]
        loaded = details(wanted) if wanted else {}
        for base in pending:
            _match_group(entries, by_base_entries[base], by_base_stored.get(base, []), loaded, result)

    taken = {story.key for story in stored}
    final: list[Assignment] = []
    for index, assignment in enumerate(result):
        if assignment is None:
            assignment = Assignment(None, _new_key(entries[index], taken))
            taken.add(assignment.key)
        final.append(assignment)
    return final


def _match_group(
    entries: Sequence[ParsedEntry],
    indices: list[int],
    candidates: list[StoredKey],
    loaded: Mapping[int, StoredDetail],
    result: list[Assignment | None],
) -> None:
    """Pair the entries and stored stories of one base key (see the module's rules)."""
    # order-independent: entries by their digest, stored stories by id
    open_entries = sorted(indices, key=lambda i: entries[i].digest)
    open_stories = sorted((s for s in candidates if s.id in loaded), key=lambda s: s.id)

    def pair(
        signature_entry: Callable[[ParsedEntry], object],
        signature_story: Callable[[StoredKey], object],
        *,
        unique: bool,
    ) -> None:
        nonlocal open_entries, open_stories
        stories_by: dict[object, list[StoredKey]] = defaultdict(list)
        for story in open_stories:
            stories_by[signature_story(story)].append(story)
        entries_by: dict[object, list[int]] = defaultdict(list)
        for index in open_entries:
            entries_by[signature_entry(entries[index])].append(index)
        used: set[int] = set()
        paired: set[int] = set()
        for signature, group in entries_by.items():
            if signature is None:
                continue
            matches = stories_by.get(signature, [])
            if unique and (len(group) != 1 or len(matches) != 1):
                continue
            for index, story in zip(group, matches, strict=False):
                result[index] = Assignment(story.id, story.key)
                paired.add(index)
                used.add(story.id)
        open_entries = [i for i in open_entries if i not in paired]
        open_stories = [s for s in open_stories if s.id not in used]

    def detail(story: StoredKey) -> StoredDetail:
        return loaded[story.id]

    pair(lambda e: e.digest, lambda s: s.digest, unique=False)
    pair(
        lambda e: (e.title, _body(e.summary_html, e.content_html), _time(e)),
        lambda s: (detail(s).title, _body(detail(s).summary_html, detail(s).content_html), detail(s).published),
        unique=False,
    )
    pair(
        lambda e: (e.title, _body(e.summary_html, e.content_html)),
        lambda s: (detail(s).title, _body(detail(s).summary_html, detail(s).content_html)),
        unique=False,
    )
    pair(lambda e: e.title or None, lambda s: detail(s).title or None, unique=True)
    pair(
        lambda e: _body(e.summary_html, e.content_html) if e.summary_html or e.content_html else None,
        lambda s: _body(detail(s).summary_html, detail(s).content_html),
        unique=True,
    )
    if open_entries and _guid_based(entries[open_entries[0]]):
        # the feed says these are the same items: one whose link or date stayed is the item edited
        pair(lambda e: e.link, lambda s: detail(s).link, unique=True)
        pair(_time, lambda s: detail(s).published, unique=True)


def _new_key(entry: ParsedEntry, taken: set[str]) -> str:
    """A key no story of the feed holds: the base key, else base + title, else base + content."""
    base = entry.key
    for key in (
        base,
        f"{base}{SEPARATOR}t:{_short_hash(entry.title)}",
        f"{base}{SEPARATOR}d:{entry.digest}",
    ):
        if key not in taken:
            return key
    serial = 2
    while f"{base}{SEPARATOR}d:{entry.digest}:{serial}" in taken:
        serial += 1
    return f"{base}{SEPARATOR}d:{entry.digest}:{serial}"
