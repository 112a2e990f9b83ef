"""Assembling what to read after a story: list neighbours, the feed's newest, the same story
elsewhere, topical neighbours and the links of its article page, each with its reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsreader.core.models import RelatedItem, RelatedStories, Story
from newsreader.core.related.same_story import compare, same_story_reason, story_terms
from newsreader.core.related.topical import (
    candidate_terms,
    distinctive_terms,
    is_close,
    or_query,
    shared_terms_reason,
)
from newsreader.core.storage.db import SEARCH_WINDOW, Storage

if TYPE_CHECKING:
    from newsreader.core.pages.analyze import PageAnalysis
    from newsreader.core.related.terms import Terms
    from newsreader.core.storage.related import GroupMember


def related_stories(
    storage: Storage,
    story_id: int,
    page: PageAnalysis | None,
    *,
    feed_id: int | None = None,
    folder: str | None = None,
    unread: bool = False,
    include_sponsored: bool = False,
    limit: int = 5,
) -> RelatedStories:
    """What to read after *story_id*, by kind; *page* is the story's stored page analysis (its
    related links). ``prev``/``next`` follow the list filtered by *feed_id*/*folder*/*unread*.
    Raises :class:`StoryNotFoundError`."""
    story = storage.story(story_id)
    above, below = storage.neighbours(
        story, feed_id=feed_id, folder=folder, unread=unread, include_sponsored=include_sponsored
    )
    prev = (_item(above, "The story above this one in the list."),) if above else ()
    nxt = (_item(below, "The story below this one in the list."),) if below else ()
    more = tuple(
        _item(s, f"Newest from {s.feed_title}.")
        for s in storage.newest_of_feed(story.feed_id, story.id, limit, include_sponsored)
    )
    keys = storage.grouping_keys(story.id)
    same: tuple[RelatedItem, ...] = ()
    group_ids: set[int] = {story.id}
    if story.group_id is not None:
        members = storage.group_members(story.group_id, story.id)
        group_ids.update(m.story.id for m in members)
        story_terms_ = story_terms(story.title, keys.text)
        same = tuple(
            _item(m.story, _same_reason(keys.canonical_link, keys.title_key, story_terms_, m)) for m in members
        )
    terms = candidate_terms(story.title, keys.text)
    frequencies = storage.document_frequencies(terms)
    chosen = distinctive_terms(story.title, keys.text, frequencies, max(1, storage.story_count()))
    topical: list[RelatedItem] = []
    if chosen:
        for candidate, candidate_text in storage.topical_candidates(
            or_query(chosen),
            window=SEARCH_WINDOW,
            limit=4 * limit + len(group_ids),  # some are not close enough
        ):
            if candidate.id in group_ids or (candidate.group_id is not None and candidate.group_id in group_ids):
                continue
            if not is_close(chosen, candidate.title, candidate_text):
                continue
            topical.append(_item(candidate, shared_terms_reason(chosen, candidate.title, candidate_text)))
            if len(topical) == limit:
                break
    return RelatedStories(prev, nxt, more, same, tuple(topical), _from_page(storage, story, page))


def _from_page(storage: Storage, story: Story, page: PageAnalysis | None) -> tuple[RelatedItem, ...]:
    from newsreader.core.related.keys import canonical_link

    if page is None:
        return ()
    keys = {link.href: canonical_link(link.href) for link in page.related}
    local = storage.stories_by_canonical_link([k for k in keys.values() if k])
    items = []
    for link in page.related:
        found = local.get(keys[link.href] or "")
        why = link.reason or "Linked from the article page."  # analyses stored before reasons existed
        if found is not None and found.id != story.id:
            items.append(_item(found, f"{why} In your library."))
        elif found is None:
            items.append(RelatedItem(None, link.title, link.href, None, None, None, why))
    return tuple(items)


def _item(story: Story, reason: str) -> RelatedItem:
    return RelatedItem(story.id, story.title, story.link, story.feed_id, story.feed_title, story.published, reason)


def _same_reason(link_key: str | None, title_key: str, terms: Terms, member: GroupMember) -> str:
    if link_key and link_key == member.canonical_link:
        return same_story_reason("link")
    if title_key and title_key == member.title_key:
        return same_story_reason("title")
    match = compare(terms, story_terms(member.story.title, member.lead))
    return same_story_reason("words", match if match.same else None)
