"""The key terms that same-story grouping finds candidates by: one ``story_keys`` row a story, held in
memory by the writing connection and kept true to the file when others write or a write rolls back."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.core.library import open_library
from newsreader.core.parse_job import parse_in_thread
from newsreader.core.storage.db import Storage
from newsreader.core.storage.story_keys import StoryKeyIndex
from tests.conftest import shared_path
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer
from tests.support.storing import store_fetched

DAY = "Tue, 14 Oct 2025"
FINE = (
    "Regulator fines Northwind Air $40m over refund delays",
    "The aviation regulator fined Northwind Air $40m on Tuesday for keeping passengers' refunds for months.",
)
FINE_AGAIN = (
    "Northwind Air hit with $40m fine for slow refunds",
    "Northwind Air must pay a $40m fine after the regulator found it kept passengers' refunds for months.",
)
OTHER = ("Storm closes schools across the county", "Every school in the county shut on Tuesday as the storm hit.")


def _item(source: str, story: tuple[str, str], number: int = 0) -> dict[str, str]:
    return {
        "title": story[0],
        "guid": f"{source}-{number}",
        "link": f"https://{source}.example/{number}",
        "description": f"<p>{story[1]}</p>",
        "pubDate": f"{DAY} 09:{10 + number:02d}:00 GMT",
    }


def test_a_story_another_process_stored_is_found(tmp_path: Path, server: FeedServer) -> None:
    """The app's writer holds the key terms of the days it stored; the CLI refreshes in between: the
    app's next refresh must see the CLI's stories (SQLite's data_version tells it to reload)."""
    app = open_library(tmp_path / "data", parse_processes=0)
    cli = open_library(tmp_path / "data", parse_processes=0)
    try:
        app.subscribe(server.add("/weather.xml", rss([_item("weather", OTHER)], title="Weather")))
        list(app.refresh())  # the app's writer now holds that day
        cli.subscribe(server.add("/wire.xml", rss([_item("wire", FINE)], title="Wire")))
        list(cli.refresh())
        app.subscribe(server.add("/daily.xml", rss([_item("daily", FINE_AGAIN)], title="Daily")))
        list(app.refresh())
        by_title = {s.title: s for s in app.stories(limit=None)}
        fine, again = by_title[FINE[0]], by_title[FINE_AGAIN[0]]
        assert fine.group_id is not None and fine.group_id == again.group_id
        assert by_title[OTHER[0]].group_id is None
    finally:
        app.close()
        cli.close()


NOW = datetime(2025, 10, 14, 12, tzinfo=UTC)


def _store(storage: Storage, feed_id: int, source: str, story: tuple[str, str]) -> None:
    now = NOW
    parsed, _ = parse_in_thread(rss([_item(source, story)], title=source).encode(), "http://127.0.0.1:9/", {}, now, 9)
    store_fetched(storage, feed_id, parsed.entries, now, source)


def test_a_rolled_back_story_is_not_a_candidate(tmp_path: Path) -> None:
    """SQLite gives a rolled-back story's id to the next story stored: a key index still holding the
    rolled-back one would compare the new story with itself and put it in a group of its own."""
    storage = Storage(tmp_path / "library.sqlite3")
    try:
        wire = storage.add_feed("http://127.0.0.1:9/wire", "", None, NOW)
        daily = storage.add_feed("http://127.0.0.1:9/daily", "", None, NOW)

        def stopped_while_storing() -> None:
            with storage.transaction():
                _store(storage, wire, "wire", FINE)
                raise RuntimeError("the refresh was stopped")

        with pytest.raises(RuntimeError):
            stopped_while_storing()
        _store(storage, daily, "daily", FINE)
        rows = storage.execute("SELECT id, group_id FROM stories").fetchall()
        assert len(rows) == 1 and rows[0][1] is None
        (keys,) = storage.execute("SELECT keys FROM story_keys WHERE story_id = ?", (rows[0][0],)).fetchone()
        assert {"northwind", "#4.0e+07"} <= set(keys.split("\x1f"))
    finally:
        storage.close()


def test_candidates_share_two_key_terms_from_another_feed_within_the_window() -> None:
    index = StoryKeyIndex()
    index._hold(1, 10, 100, ["fine", "northwind", "refund"])
    index._hold(2, 10, 100, ["fine", "northwind", "storm"])  # the asking feed's own story
    index._hold(3, 11, 103, ["fine", "northwind", "refund"])  # three days away
    index._hold(4, 12, 101, ["northwind", "pilot"])  # one shared term
    found = index.candidates(10 + 5, 100, ["fine", "northwind", "refund"], window=2, cap=100, min_shared=2)
    assert found == {1: 3, 2: 2}
    assert index.candidates(10, 100, ["fine", "northwind", "refund"], window=2, cap=100, min_shared=2) == {}
    # a term more stories hold than the cap finds nothing: "northwind" and "fine" are too common here
    assert index.candidates(15, 100, ["fine", "northwind", "refund"], window=2, cap=1, min_shared=2) == {}


def test_number_words_are_sent_to_text2num_only_when_there_may_be_some() -> None:
    from newsreader.core.related.terms import _may_write_numbers, analyse

    assert not _may_write_numbers("Regulator fines airline over refund delays", "en")
    for text, language in [
        ("forty million dollars", "en"),
        ("Forty-One passengers", "en"),
        ("zweihundertfünfzig Menschen", "de"),
        ("ventitré persone", "it"),
        ("tweeënveertig mensen", "nl"),
        ("quarante-deux personnes", "fr"),
        ("to hundrede mennesker", "da"),
    ]:
        assert _may_write_numbers(text, language), text
    assert "#4.0e+07" in analyse("Transport department orders airline to pay forty million dollars").text


def test_every_number_word_of_the_corpus_is_recognised() -> None:
    """Each word of the shared corpus's feeds that ``text2num`` reads as a number, alone, in a language
    whose number words are filtered, begins as the filter expects (else its numbers would be lost)."""
    from text_to_num import alpha2digit

    from newsreader.core.related.terms import _NUMBER_WORD_STARTS, _may_write_numbers

    words: set[str] = set()
    texts = [*shared_path("corpus", "feeds", "real").rglob("*"), *shared_path("corpus", "pages").rglob("*.txt")]
    for path in texts:
        if path.is_file():
            words.update(w.lower() for w in re.findall(r"[^\W\d_]+", path.read_text(errors="ignore")))
    assert len(words) > 20_000
    checked = 0
    for language in _NUMBER_WORD_STARTS:
        for word in words:
            probe = f"xq {word} xq"
            if alpha2digit(probe, language, threshold=0) != probe:
                checked += 1
                assert _may_write_numbers(word, language), (language, word)
    assert checked > 150


def test_a_deleted_storys_id_given_to_a_new_story_of_the_same_feed_is_not_its_candidate(tmp_path: Path) -> None:
    """The key index keeps a story deleted by the same connection (retention, or a feed removed); SQLite
    gives its id to the next story stored, which may be of the very feed asking."""
    storage = Storage(tmp_path / "library.sqlite3")
    try:
        wire = storage.add_feed("http://127.0.0.1:9/wire", "", None, NOW)
        daily = storage.add_feed("http://127.0.0.1:9/daily", "", None, NOW)
        _store(storage, wire, "wire", FINE)
        with storage.transaction() as db:
            db.execute("DELETE FROM stories WHERE feed_id = ?", (wire,))  # the index still holds it
        _store(storage, daily, "daily", FINE_AGAIN)  # the same id, now a story of "daily"
        _store(storage, daily, "daily2", FINE)  # daily's own look-alike: never its candidate
        rows = storage.execute("SELECT feed_id, group_id FROM stories").fetchall()
        assert len(rows) == 2 and {group for _, group in rows} == {None}
    finally:
        storage.close()


def test_the_search_index_stays_true_to_the_stories_when_feeds_are_stored_in_groups(
    tmp_path: Path, server: FeedServer
) -> None:
    """A refresh indexes each group of feeds' new stories for search in one statement; changed,
    purged and new stories of later refreshes keep the index true to the stories (FTS5's own
    integrity check against its content table)."""
    library = open_library(tmp_path / "data", parse_processes=0)
    try:
        urls = [server.add(f"/g{n}.xml", rss([_item(f"g{n}", OTHER, i) for i in range(4)])) for n in range(6)]
        ids = [library.subscribe(url) for url in urls]
        library.set_feed_options(ids[1], retention_max_count=2)
        list(library.update(offline=False))
        changed = [_item("g0", FINE, 0), *[_item("g0", OTHER, i) for i in range(1, 4)]]
        server.add("/g0.xml", rss(changed))  # a story's headline and text changed
        server.add("/g1.xml", rss([_item("g1", FINE_AGAIN, 9)]))  # the old ones left the feed: purged
        server.add("/g2.xml", rss([_item("g2", OTHER, i) for i in range(6)]))  # two new
        list(library.update(offline=False))
        db = library._storage()
        db.execute("INSERT INTO stories_fts(stories_fts, rank) VALUES ('integrity-check', 1)")
        assert [s.feed_id for s in library.search("regulator fines")] == [ids[0]]
        assert {s.feed_id for s in library.search("Northwind")} == {ids[0], ids[1]}
        assert library.story_count() == 4 + 3 + 6 + 4 * 3
    finally:
        library.close()
