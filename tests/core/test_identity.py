"""Story identity: no item of a feed is ever dropped, merged with another or takes over another's
row and flags, whatever the feed reuses (guid, link, date, title) and however it orders its items."""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsreader.core.library import Library, open_library
from newsreader.core.models import Story
from newsreader.core.parse import parse_feed
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer
from tests.support.storing import store_fetched

Signature = tuple[str | None, str | None, str, str, datetime]


def _signature(story: Story) -> Signature:
    return (story.guid, story.link, story.title, story.summary_html, story.published)


def _stored(library: Library, feed_id: int) -> dict[int, Signature]:
    return {s.id: _signature(library.story(s.id)) for s in library.stories(feed_id=feed_id, limit=None)}


def _distinct_items(document: str, url: str) -> list[Signature]:
    """The items of a feed document that differ in anything stored (an exact repeat is one item)."""
    entries = parse_feed(document.encode(), url).entries
    return [(e.guid, e.link, e.title, e.summary_html, e.published) for e in entries]  # type: ignore[misc]


def _refresh(library: Library, feed_id: int) -> None:
    assert [p.result.error for p in library.refresh([feed_id])] == [None]


_ITEM = st.fixed_dictionaries(
    {},
    optional={
        "guid": st.sampled_from(["g1", "g2", "http://127.0.0.1:9/"]),
        "link": st.sampled_from(["http://127.0.0.1:9/", "http://127.0.0.1:9/a"]),
        "title": st.sampled_from(["Alpha", "Bravo", "Alpha"]),
        "description": st.sampled_from(["one", "two", ""]),
    },
)
_DATE = st.sampled_from(["Fri, 07 Mar 2025 22:00:00 +0000", "Sat, 08 Mar 2025 22:00:00 +0000"])
# every item has a date: a stored story without one is dated when it was first seen
_ITEM = st.tuples(_ITEM, _DATE).map(lambda pair: {**pair[0], "pubDate": pair[1]})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(_ITEM, min_size=1, max_size=9),
    extra=st.lists(_ITEM, max_size=4),
    keep=st.lists(st.booleans(), min_size=9, max_size=9),
    seed=st.integers(0, 2**16),
)
def test_stored_stories_are_the_distinct_items_whatever_is_shared_or_reordered(
    server: FeedServer, first: list[dict[str, str]], extra: list[dict[str, str]], keep: list[bool], seed: int
) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        library = open_library(Path(folder), parse_processes=0)
        url = server.add(f"/p{seed}.xml", rss(first), etag=False)
        feed_id = library.subscribe(url)
        _refresh(library, feed_id)
        stored = _stored(library, feed_id)
        assert Counter(stored.values()) == Counter(_distinct_items(rss(first), url))
        ids = {signature: story_id for story_id, signature in stored.items()}
        read = [story_id for story_id in stored if rng.random() < 0.5]
        library.mark_read(read)

        # the same items shuffled: the same rows, the same flags
        shuffled = first[:]
        rng.shuffle(shuffled)
        server.add(f"/p{seed}.xml", rss(shuffled), etag=False)
        _refresh(library, feed_id)
        assert _stored(library, feed_id) == stored
        assert {s.id for s in library.stories(feed_id=feed_id, limit=None) if s.read} == set(read)

        # some items gone, new ones added, all reordered: survivors keep their rows
        later = [item for item, kept in zip(first, keep, strict=False) if kept] + extra
        rng.shuffle(later)
        server.add(f"/p{seed}.xml", rss(later), etag=False)
        _refresh(library, feed_id)
        now_stored = _stored(library, feed_id)
        survivors = set(_distinct_items(rss(later), url))
        for signature in survivors & set(ids):
            assert now_stored[ids[signature]] == signature
            assert library.story(ids[signature]).read == (ids[signature] in read)
        # every item now in the feed is a story of its own; no earlier story was deleted (an item
        # that left may have been updated by an edited item with its guid: that is the same item)
        assert Counter(now_stored.values()) >= Counter(_distinct_items(rss(later), url))
        assert set(now_stored) >= set(stored)
        library.close()


def test_items_sharing_link_and_date_stay_apart_and_keep_their_flags(library: Library, server: FeedServer) -> None:
    items = [
        {"title": f"Tee design {name}", "link": "http://127.0.0.1:9/", "description": f"Design {name}"}
        for name in ("Alpha", "Bravo", "Charlie")
    ]
    feed_id = library.subscribe(server.add("/tees.xml", rss(items), etag=False))
    _refresh(library, feed_id)
    by_title = {s.title: s.id for s in library.stories(feed_id=feed_id)}
    assert len(by_title) == 3
    library.mark_read([by_title["Tee design Alpha"]])
    # tomorrow the only item is a new design under the same link: a new story, not Alpha's row
    server.add("/tees.xml", rss([{"title": "Tee design Delta", "link": "http://127.0.0.1:9/", "description": "D"}]))
    _refresh(library, feed_id)
    stories = {s.title: s for s in library.stories(feed_id=feed_id)}
    assert set(stories) == {"Tee design Alpha", "Tee design Bravo", "Tee design Charlie", "Tee design Delta"}
    assert stories["Tee design Alpha"].read and not stories["Tee design Delta"].read


def test_an_edited_item_without_guid_keeps_its_row(library: Library, server: FeedServer) -> None:
    item = {"title": "Storm warning", "link": "http://127.0.0.1:9/storm", "description": "Winds of 80 km/h."}
    feed_id = library.subscribe(server.add("/news.xml", rss([item]), etag=False))
    _refresh(library, feed_id)
    (story,) = library.stories(feed_id=feed_id)
    library.mark_starred([story.id])
    server.add("/news.xml", rss([{**item, "description": "Winds of 120 km/h."}]), etag=False)
    _refresh(library, feed_id)
    server.add("/news.xml", rss([{**item, "title": "Storm warning upgraded", "description": "Winds of 120 km/h."}]))
    _refresh(library, feed_id)
    (again,) = library.stories(feed_id=feed_id)
    assert again.id == story.id and again.starred and again.title == "Storm warning upgraded"


def test_a_guid_given_to_every_item_keeps_each_item(library: Library, server: FeedServer) -> None:
    items = [{"guid": "1", "title": f"Episode {n}", "description": f"Show {n}"} for n in range(4)]
    feed_id = library.subscribe(server.add("/same-guid.xml", rss(items), etag=False))
    _refresh(library, feed_id)
    first = {s.title: s.id for s in library.stories(feed_id=feed_id)}
    server.add("/same-guid.xml", rss(items[::-1]), etag=False)
    _refresh(library, feed_id)
    assert {s.title: s.id for s in library.stories(feed_id=feed_id)} == first
    assert len(first) == 4


def test_an_exact_repeat_is_one_story(library: Library, server: FeedServer) -> None:
    item = {"guid": "x", "title": "Once", "description": "body"}
    feed_id = library.subscribe(server.add("/repeat.xml", rss([item, item, item]), etag=False))
    _refresh(library, feed_id)
    assert library.feed(feed_id).total == 1


def test_a_library_whose_rows_absorbed_several_items_keeps_them(tmp_path: Path, server: FeedServer) -> None:
    """Before this rule items sharing a link were stored as one row keyed by the link; that row keeps
    its id and flags for the item it shows, and the other items become stories of their own."""
    items = [{"title": f"Tee {n}", "link": "http://127.0.0.1:9/", "description": f"Design {n}"} for n in "ABC"]
    url = server.add("/old.xml", rss(items), etag=False)
    library = open_library(tmp_path / "lib", parse_processes=0)
    feed_id = library.subscribe(url)
    parsed = parse_feed(rss(items[2:]).encode(), url)
    storage = library._storage()
    store_fetched(storage, feed_id, [parsed.entries[0]], datetime.now(UTC), "")
    (old,) = library.stories(feed_id=feed_id)
    assert storage.execute("SELECT key FROM stories WHERE id = ?", (old.id,)).fetchone()[0] == "http://127.0.0.1:9/"
    library.mark_read([old.id])
    _refresh(library, feed_id)
    stories = {s.title: s for s in library.stories(feed_id=feed_id)}
    assert set(stories) == {"Tee A", "Tee B", "Tee C"}
    assert stories["Tee C"].id == old.id and stories["Tee C"].read
    assert not stories["Tee A"].read and not stories["Tee B"].read
    library.close()


def test_a_guid_reused_for_a_different_item_is_a_new_story(library: Library, server: FeedServer) -> None:
    def episode(n: int) -> dict[str, str]:
        return {
            "guid": "episode",
            "title": f"Episode {n}",
            "link": f"http://127.0.0.1:9/e{n}",
            "description": f"Show {n}",
            "pubDate": f"Mon, 0{n} Jun 2025 10:00:00 GMT",
        }

    feed_id = library.subscribe(server.add("/reused.xml", rss([episode(1)]), etag=False))
    _refresh(library, feed_id)
    (first,) = library.stories(feed_id=feed_id)
    library.mark_read([first.id])
    server.add("/reused.xml", rss([episode(2)]), etag=False)
    _refresh(library, feed_id)
    stories = {s.title: s for s in library.stories(feed_id=feed_id)}
    assert set(stories) == {"Episode 1", "Episode 2"}
    assert stories["Episode 1"].id == first.id and stories["Episode 1"].read and not stories["Episode 2"].read
    # the same guid and link with a rewritten title and text: the publisher edited the item
    rewritten = {**episode(2), "title": "Episode 2 (corrected)", "description": "Show 2, corrected"}
    server.add("/reused.xml", rss([rewritten]), etag=False)
    _refresh(library, feed_id)
    assert {s.title: s.id for s in library.stories(feed_id=feed_id)} == {
        "Episode 1": first.id,
        "Episode 2 (corrected)": stories["Episode 2"].id,
    }
