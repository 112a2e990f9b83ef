"""Related stories: prev/next, more from the source, the same story elsewhere, topical neighbours."""

from __future__ import annotations

from pathlib import Path

from newsreader.core.library import Library
from tests.conftest import shared_path
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer
from tests.support.storing import store_fetched

DAY = "Tue, 14 Oct 2025"

QUAKE = [
    (
        "wire",
        "Magnitude 7.1 earthquake strikes off coast of Japan, tsunami warning issued",
        "A magnitude 7.1 earthquake struck off the northeast coast of Japan on Tuesday, prompting a tsunami "
        "warning for Miyagi and Fukushima prefectures, the Japan Meteorological Agency said.",
        "09:10",
    ),
    (
        "daily",
        "Tsunami warning after strong earthquake hits Japan's northeast coast",
        "Japan's Meteorological Agency issued a tsunami warning for Miyagi and Fukushima after a strong "
        "earthquake of magnitude 7.1 hit off the northeast coast early on Tuesday.",
        "09:40",
    ),
    (
        "tech",
        "Japan earthquake: 7.1 quake triggers tsunami alert, factories pause",
        "Chip plants in Miyagi paused production after a magnitude 7.1 earthquake off Japan's northeast coast "
        "triggered a tsunami warning from the Meteorological Agency.",
        "10:05",
    ),
]
UNRELATED = [
    (
        "wire",
        "Bank of Japan raises interest rates for the first time in months",
        "The Bank of Japan raised its benchmark interest rate on Tuesday, citing persistent inflation.",
        "11:00",
    ),
    (
        "daily",
        "Earthquake insurance premiums climb in California",
        "Californian homeowners face higher earthquake insurance premiums as insurers reprice risk.",
        "12:00",
    ),
    (
        "tech",
        "New smartphone ships with bigger battery",
        "The phone maker said its new model has a bigger battery and a brighter screen.",
        "13:00",
    ),
]


def _subscribe_three_feeds(library: Library, server: FeedServer) -> dict[str, int]:
    ids = {}
    for source in ("wire", "daily", "tech"):
        items = [
            {
                "title": title,
                "guid": f"{source}-{i}",
                "link": f"https://{source}.example/{i}",
                "description": f"<p>{lead}</p>",
                "pubDate": f"{DAY} {time}:00 GMT",
            }
            for i, (src, title, lead, time) in enumerate(QUAKE + UNRELATED)
            if src == source
        ]
        ids[source] = library.subscribe(server.add(f"/{source}.xml", rss(items, title=source.title())))
    list(library.refresh())
    return ids


def _by_title(library: Library) -> dict[str, int]:
    return {s.title: s.id for s in library.stories(limit=None)}


def test_same_event_from_three_feeds_is_one_group(library: Library, server: FeedServer) -> None:
    _subscribe_three_feeds(library, server)
    ids = _by_title(library)
    quake_ids = [ids[title] for _, title, _, _ in QUAKE]
    groups = {library.story(i).group_id for i in quake_ids}
    assert len(groups) == 1 and None not in groups
    for _, title, _, _ in UNRELATED:
        assert library.story(ids[title]).group_id is None, title
    related = library.related(quake_ids[0])
    assert {i.story_id for i in related.same_story} == set(quake_ids[1:])
    assert all("same event" in i.reason for i in related.same_story)
    assert not {i.story_id for i in related.related} & set(quake_ids)


def test_group_can_be_read_at_once_and_collapsed(library: Library, server: FeedServer) -> None:
    _subscribe_three_feeds(library, server)
    ids = _by_title(library)
    assert len(library.stories(limit=None)) == 6
    collapsed = library.stories(limit=None, collapse_groups=True)
    assert len(collapsed) == 4
    assert library.mark_group_read(ids[QUAKE[1][1]]) == 3
    assert library.feed(library.feeds()[0].id).unread == 1


def test_grouping_is_incremental_across_refreshes(library: Library, server: FeedServer) -> None:
    first = [{"title": QUAKE[0][1], "guid": "w0", "description": QUAKE[0][2], "pubDate": f"{DAY} 09:10:00 GMT"}]
    library.subscribe(server.add("/a.xml", rss(first, title="A")))
    list(library.refresh())
    later = [{"title": QUAKE[1][1], "guid": "d0", "description": QUAKE[1][2], "pubDate": f"{DAY} 09:40:00 GMT"}]
    library.subscribe(server.add("/b.xml", rss(later, title="B")))
    list(library.refresh())
    stories = library.stories(limit=None)
    assert len({s.group_id for s in stories}) == 1 and stories[0].group_id is not None


def test_same_link_and_same_headline_group(library: Library, server: FeedServer) -> None:
    a = [
        {
            "title": "Parliament passes the budget",
            "guid": "1",
            "link": "https://news.example/budget?utm_source=rss",
            "pubDate": f"{DAY} 08:00:00 GMT",
        },
        {"title": "Zoo welcomes twin pandas!", "guid": "2", "pubDate": f"{DAY} 08:00:00 GMT"},
    ]
    b = [
        {
            "title": "MPs approve spending plan",
            "guid": "x",
            "link": "http://www.news.example/budget/",
            "pubDate": f"{DAY} 09:00:00 GMT",
        },
        {"title": "zoo welcomes twin pandas", "guid": "y", "pubDate": f"{DAY} 20:00:00 GMT"},
    ]
    library.subscribe(server.add("/a.xml", rss(a, title="A")))
    library.subscribe(server.add("/b.xml", rss(b, title="B")))
    list(library.refresh())
    ids = _by_title(library)
    assert (
        library.story(ids["Parliament passes the budget"]).group_id
        == library.story(ids["MPs approve spending plan"]).group_id
        is not None
    )
    reasons = {i.reason for i in library.related(ids["Zoo welcomes twin pandas!"]).same_story}
    assert reasons == {"The same headline in another feed."}


def test_prev_next_follow_the_list_and_more_from_source(library: Library, server: FeedServer) -> None:
    feeds = _subscribe_three_feeds(library, server)
    listing = library.stories(limit=None)
    middle = listing[2]
    related = library.related(middle.id)
    assert [i.story_id for i in related.prev] == [listing[1].id]
    assert [i.story_id for i in related.next] == [listing[3].id]
    in_feed = library.stories(feed_id=middle.feed_id, limit=None)
    assert [i.story_id for i in related.more_from_source] == [s.id for s in in_feed if s.id != middle.id]
    scoped = library.related(middle.id, feed_id=feeds["wire"])
    assert all(i.feed_id == feeds["wire"] for i in scoped.prev + scoped.next)
    top = library.related(listing[0].id)
    assert top.prev == () and top.from_page == ()


def test_the_seed_feed(library: Library, server: FeedServer) -> None:
    data = shared_path("seed", "register-headlines.atom").read_bytes()
    feed_id = library.subscribe(server.add("/headlines.atom", data, content_type="application/atom+xml"))
    list(library.refresh())
    stories = library.stories(feed_id=feed_id, limit=None)
    assert len(stories) == 8
    titles = [s.title for s in stories]
    assert titles[0] == "Docker's app containers are coming to Windows Server, says Microsoft"
    docker = stories[0]
    related = library.related(docker.id, feed_id=feed_id, limit=7)
    assert related.prev == ()
    assert [i.title for i in related.next] == [titles[1]]
    assert [i.title for i in related.more_from_source] == titles[1:]
    assert related.same_story == ()  # one feed: nothing to group
    assert all(s.group_id is None for s in stories)
    assert not any(s.sponsored for s in library.stories(limit=None, include_sponsored=True))


def test_topical_neighbours_share_distinctive_words(tmp_path: Path, server: FeedServer, library: Library) -> None:
    items = [
        {
            "title": "Volcano on Iceland's Reykjanes peninsula erupts again",
            "guid": "1",
            "description": "Lava from the Reykjanes volcano reached the Grindavik defences.",
            "pubDate": f"{DAY} 01:00:00 GMT",
        },
        {
            "title": "Grindavik residents evacuated as Reykjanes lava advances",
            "guid": "2",
            "description": "Police evacuated Grindavik overnight.",
            "pubDate": "Mon, 06 Oct 2025 01:00:00 GMT",
        },
        {
            "title": "Football club signs striker",
            "guid": "3",
            "description": "A striker joined the club.",
            "pubDate": f"{DAY} 02:00:00 GMT",
        },
        {
            "title": "Cheese prices rise",
            "guid": "4",
            "description": "Dairy costs rose again.",
            "pubDate": f"{DAY} 03:00:00 GMT",
        },
    ]
    library.subscribe(server.add("/t.xml", rss(items)))
    list(library.refresh())
    ids = _by_title(library)
    related = library.related(ids["Volcano on Iceland's Reykjanes peninsula erupts again"])
    assert [i.title for i in related.related][:1] == ["Grindavik residents evacuated as Reykjanes lava advances"]
    assert "reykjanes" in related.related[0].reason
    assert "Football club signs striker" not in [i.title for i in related.related]


def test_from_the_page_marks_links_that_are_in_the_library(library: Library, server: FeedServer) -> None:
    seed = shared_path("seed", "register-2014-article.html").read_bytes()
    article = server.add("/2014/08/01/us_judge_rules/", seed, content_type="text/html")
    docker = server.url("/2014/10/15/docker_windows_server/")
    items = [
        {"title": "Microsoft's Euro cloud darkens", "guid": "ms", "link": article, "pubDate": f"{DAY} 10:00:00 GMT"},
        {
            "title": "Docker's app containers are coming to Windows Server",
            "guid": "dk",
            "link": docker,
            "pubDate": f"{DAY} 09:00:00 GMT",
        },
    ]
    library.subscribe(server.add("/reg.xml", rss(items, title="The Register")))
    list(library.refresh())
    ids = _by_title(library)
    story_id = ids["Microsoft's Euro cloud darkens"]
    assert library.related(story_id).from_page == ()
    analysis = library.fetch_story_page(story_id)
    assert len(analysis.related) == 7 and len(analysis.sponsored) == 7
    from_page = library.related(story_id).from_page
    assert len(from_page) == 7
    assert from_page[0].story_id == ids["Docker's app containers are coming to Windows Server"]
    # each entry says why the page lists it, and whether it is in the library
    assert from_page[0].reason == f"{analysis.related[0].reason} In your library."
    assert all(i.story_id is None for i in from_page[1:])
    assert [i.reason for i in from_page[1:]] == [link.reason for link in analysis.related[1:]]
    assert all(i.reason for i in from_page)
    assert library.page(story_id) == analysis  # kept: reads offline
    server.close()
    assert library.reanalyze_pages() == 1  # from the stored page, no network
    assert library.page(story_id) == analysis


def test_a_page_that_cannot_be_fetched_keeps_the_feed_content(library: Library, server: FeedServer) -> None:
    import pytest

    from newsreader.core.errors import FetchError

    items = [{"title": "Gone", "guid": "g", "link": server.url("/missing-page"), "description": "<p>feed text</p>"}]
    library.subscribe(server.add("/f.xml", rss(items)))
    list(library.refresh())
    story_id = library.stories()[0].id
    with pytest.raises(FetchError, match="404"):
        library.fetch_story_page(story_id)
    assert library.page(story_id) is None
    assert "feed text" in library.story(story_id).summary_html
    assert library.related(story_id).from_page == ()


def test_one_shared_word_is_not_a_topic_and_reasons_read_as_words(library: Library, server: FeedServer) -> None:
    items = [
        {
            "title": "Zebra herd crosses the Mara river",
            "guid": "1",
            "description": "The zebra herd crossed the Mara at dawn, watched by crocodiles.",
            "pubDate": f"{DAY} 01:00:00 GMT",
        },
        {
            "title": "Crocodiles wait as the Mara migration peaks",
            "guid": "2",
            "description": "Zebra and wildebeest crowd the Mara crossing.",
            "pubDate": f"{DAY} 02:00:00 GMT",
        },
        {
            "title": "Auction item: a zebra-print sofa",
            "guid": "3",
            "description": "One item sold for a record.",
            "pubDate": f"{DAY} 03:00:00 GMT",
        },
        {
            "title": "Cheese prices rise",
            "guid": "4",
            "description": "Dairy costs rose.",
            "pubDate": f"{DAY} 04:00:00 GMT",
        },
        {
            "title": "Football club signs striker",
            "guid": "5",
            "description": "A striker joined.",
            "pubDate": f"{DAY} 05:00:00 GMT",
        },
    ]
    library.subscribe(server.add("/z.xml", rss(items)))
    list(library.refresh())
    ids = _by_title(library)
    related = library.related(ids["Zebra herd crosses the Mara river"]).related
    assert [i.title for i in related] == ["Crocodiles wait as the Mara migration peaks"]
    assert related[0].reason.startswith("Its headline also mentions “mara”")
    assert "Also about" not in related[0].reason


NORTHWIND = [
    (
        "wire",
        "Regulator fines Northwind Air $40m over refund delays",
        "The transport regulator fined Northwind Air on Monday for delaying refunds to passengers whose flights "
        "were cancelled last spring.",
        "08:00",
    ),
    (
        "daily",
        "Northwind hit with record penalty for keeping passengers' money",
        "Northwind Air must pay the largest sum ever imposed on an airline after passengers waited months for "
        "refunds of cancelled flights, the transport department said.",
        "09:30",
    ),
    (
        "tech",
        "Transport department orders airline to pay forty million dollars after refund probe",
        "Northwind Air was ordered to pay the penalty after an investigation into refunds for cancelled flights.",
        "11:15",
    ),
]
NORTHWIND_APART = [
    ("wire", "Northwind Air adds routes to Lisbon", "The airline will fly to Lisbon twice a week from May.", "12:00"),
    (
        "daily",
        "Northwind pilots vote on strike",
        "Pilots at Northwind Air began voting on a walkout over pay.",
        "13:00",
    ),
]


def test_one_event_in_other_words_is_grouped_and_shared_names_are_not(library: Library, server: FeedServer) -> None:
    for source in ("wire", "daily", "tech"):
        items = [
            {
                "title": title,
                "guid": f"{source}-{i}",
                "link": f"https://{source}.example/n{i}",
                "description": f"<p>{lead}</p>",
                "pubDate": f"{DAY} {time}:00 GMT",
            }
            for i, (src, title, lead, time) in enumerate(NORTHWIND + NORTHWIND_APART)
            if src == source
        ]
        library.subscribe(server.add(f"/n-{source}.xml", rss(items, title=source.title())))
    list(library.refresh())
    ids = _by_title(library)
    fine = [ids[title] for _, title, _, _ in NORTHWIND]
    assert len({library.story(i).group_id for i in fine}) == 1 and library.story(fine[0]).group_id is not None
    for _, title, _, _ in NORTHWIND_APART:
        assert library.story(ids[title]).group_id is None, title
    same = library.related(fine[0]).same_story
    assert {i.story_id for i in same} == set(fine[1:])
    reasons = {i.story_id: i.reason for i in same}
    # the reason names what both say, in each story's own words
    assert "Northwind" in reasons[fine[1]] and "refund" in reasons[fine[1]].lower()
    assert all(r.startswith("Another feed's report of the same event") for r in reasons.values())


def _filler(source: str, count: int) -> list[dict[str, str]]:
    """*count* stories of *source* that share with each other only common words ("government",
    "minister", "plan", …: more often than ``grouping.MAX_POSTINGS``), each otherwise about its own
    made-up place."""
    return [
        {
            "title": f"Government minister visits {source}x{i}ton",
            "guid": f"{source}-filler-{i}",
            "link": f"https://{source}.example/filler/{i}",
            "description": f"<p>The government minister said the {source}q{i}ville plan is ready.</p>",
            "pubDate": f"{DAY} 08:{i % 60:02d}:00 GMT",
        }
        for i in range(count)
    ]


def test_words_too_common_to_tell_do_not_stop_rarer_ones_from_grouping(library: Library, server: FeedServer) -> None:
    from newsreader.core.storage.grouping import MAX_POSTINGS

    for source in ("wire", "daily", "tech"):
        items = [
            {
                "title": title,
                "guid": f"{source}-{i}",
                "link": f"https://{source}.example/q{i}",
                "description": f"<p>{lead}</p>",
                "pubDate": f"{DAY} {time}:00 GMT",
            }
            for i, (src, title, lead, time) in enumerate(QUAKE)
            if src == source
        ]
        filler = _filler(source, MAX_POSTINGS + 10)
        library.subscribe(server.add(f"/c-{source}.xml", rss(items + filler, title=source.title())))
    list(library.refresh())
    ids = _by_title(library)
    quake = [ids[title] for _, title, _, _ in QUAKE]
    assert len({library.story(i).group_id for i in quake}) == 1 and library.story(quake[0]).group_id is not None
    # the filler shares only words every other filler story has: never grouped on them
    grouped_filler = [s for s in library.stories(limit=None) if "filler" in (s.link or "") and s.group_id]
    assert grouped_filler == []


def test_many_copies_of_one_headline_make_one_bounded_group(library: Library, server: FeedServer) -> None:
    from newsreader.core.storage.grouping import MAX_GROUP

    headline = "Storm closes every school in the county"
    for source in range(MAX_GROUP + 20):
        item = {
            "title": headline,
            "guid": f"s{source}",
            "link": f"https://s{source}.example/storm",
            "description": "<p>Schools shut as the storm arrives.</p>",
            "pubDate": f"{DAY} 07:00:00 GMT",
        }
        library.subscribe(server.add(f"/storm-{source}.xml", rss([item], title=f"Paper {source}")))
    list(library.refresh())
    groups: dict[int | None, int] = {}
    for story in library.stories(limit=None):
        groups[story.group_id] = groups.get(story.group_id, 0) + 1
    assert None not in groups or groups[None] <= 20
    assert max(count for group, count in groups.items() if group is not None) == MAX_GROUP


def test_the_parser_process_finds_the_terms_the_writer_would(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from newsreader.core.errors import NewsreaderError
    from newsreader.core.parse_job import parse_in_thread
    from newsreader.core.related.same_story import LEAD_CHARS, LEAD_WORDS, grouping_terms, key_terms
    from newsreader.core.storage.db import Storage

    feeds = sorted(shared_path("corpus", "feeds", "real").rglob("*.xml"))[:80]
    storage = Storage(tmp_path / "library.sqlite3")
    now = datetime.now(UTC)
    checked = 0
    for number, path in enumerate(feeds):
        try:
            parsed, _ = parse_in_thread(path.read_bytes(), f"http://127.0.0.1:9/{number}", {}, now, 200)
        except NewsreaderError:
            continue  # the corpus keeps some broken documents on purpose
        feed_id = storage.add_feed(f"http://127.0.0.1:9/{number}", "", None, now)
        store_fetched(storage, feed_id, parsed.entries, now, "f")
        stored = storage.execute(
            "SELECT title, substr(body_text, 1, ?) FROM stories WHERE feed_id = ? ORDER BY id", (LEAD_CHARS, feed_id)
        ).fetchall()
        for entry, (title, lead) in zip(parsed.entries, stored, strict=True):
            from_store = grouping_terms(title, " ".join((lead or "").split()[:LEAD_WORDS]))
            assert entry.terms == from_store
            assert list(entry.key_terms) == key_terms(from_store)
            checked += 1
    storage.close()
    assert checked > 100
