"""The SQLite library: schema migrations, retention, full-text search, deletion, integrity."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsreader.core.errors import StorageError, UnknownIdError
from newsreader.core.library import Library, fts_query, open_library
from newsreader.core.storage import schema
from newsreader.core.storage.db import Storage
from tests.support.feeds import rss, simple_rss
from tests.support.httpserver import FeedServer


def test_new_file_is_migrated_to_the_current_version(tmp_path: Path) -> None:
    Storage(tmp_path / "lib.sqlite3").close()
    db = sqlite3.connect(tmp_path / "lib.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_every_version_migrates_step_by_step(tmp_path: Path) -> None:
    """Build a database at each older version with the migrations up to it, then open it."""
    for version in range(schema.SCHEMA_VERSION + 1):
        path = tmp_path / f"v{version}.sqlite3"
        db = sqlite3.connect(path, isolation_level=None)
        for step in schema.MIGRATIONS[:version]:
            step(db)
        db.execute(f"PRAGMA user_version = {version}")
        db.close()
        storage = Storage(path)
        assert schema.schema_version(storage._db) == schema.SCHEMA_VERSION
        assert storage.integrity_ok()
        storage.close()


def test_a_newer_database_is_refused_not_downgraded(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    Storage(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    with pytest.raises(StorageError, match="newer newsreader"):
        Storage(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION + 5


def test_foreign_and_corrupt_files_are_reported_and_left_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE photos (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(StorageError, match="does not belong to newsreader"):
        Storage(foreign)
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="not a newsreader library or is damaged"):
        Storage(garbage)
    assert garbage.read_bytes() == b"this is not a database" * 100


def test_search_finds_words_in_titles_and_bodies(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(
        server.add(
            "/f.xml",
            rss(
                [
                    {
                        "title": "Volcano erupts in Iceland",
                        "guid": "1",
                        "description": "<p>Lava flows near Grindavík.</p>",
                    },
                    {
                        "title": "Markets calm",
                        "guid": "2",
                        "description": "<p>Investors shrug off volcano news.</p>",
                    },
                    {"title": "Cats", "guid": "3", "description": "<p>Nothing to see.</p>"},
                ]
            ),
        )
    )
    list(library.refresh([feed_id]))
    assert [s.title for s in library.search("volcano")] == ["Volcano erupts in Iceland", "Markets calm"]
    assert [s.title for s in library.search("lava grindavik")] == ["Volcano erupts in Iceland"]
    assert [s.title for s in library.search("investor")] == ["Markets calm"]  # a word's beginning
    assert [s.title for s in library.search("invest shru")] == ["Markets calm"]  # every word's, not the last only
    assert library.search('"; DROP TABLE stories; --') == []


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('a "b" OR c*') == '"a"* "b"* "OR"* "c"*'
    assert fts_query("  ") == ""


def test_updating_a_story_keeps_the_index_in_step(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(server.add("/f.xml", rss([{"title": "Old words", "guid": "1"}]), etag=False))
    list(library.refresh([feed_id]))
    server.add("/f.xml", rss([{"title": "Fresh wording", "guid": "1"}]), etag=False)
    list(library.refresh([feed_id]))
    assert library.search("old") == []
    assert [s.title for s in library.search("fresh")] == ["Fresh wording"]


def test_removing_a_feed_removes_its_stories_and_their_index(library: Library, server: FeedServer) -> None:
    keep = library.subscribe(server.add("/keep.xml", simple_rss(3, "keep")))
    drop = library.subscribe(server.add("/drop.xml", simple_rss(4, "drop")))
    list(library.refresh())
    library.remove_feed(drop)
    assert library.story_count() == 3
    assert {s.feed_id for s in library.search("zebras")} == {keep}
    with pytest.raises(UnknownIdError):
        library.feed(drop)
    assert library.check_integrity()


def _retention_library(tmp_path: Path, server: FeedServer) -> tuple[Library, int, list[datetime]]:
    now = [datetime(2030, 6, 1, tzinfo=UTC)]
    library = open_library(tmp_path, clock=lambda: now[0], parse_processes=0)
    feed_id = library.subscribe(server.add("/r.xml", simple_rss(6, "old"), etag=False))
    list(library.refresh([feed_id]))
    return library, feed_id, now


def test_default_retention_keeps_everything(tmp_path: Path, server: FeedServer) -> None:
    library, feed_id, now = _retention_library(tmp_path, server)
    server.add("/r.xml", simple_rss(2, "new"), etag=False)
    now[0] += timedelta(days=3650)
    list(library.refresh([feed_id]))
    assert library.feed(feed_id).total == 8
    library.close()


def test_retention_by_count_spares_starred_and_current_stories(tmp_path: Path, server: FeedServer) -> None:
    library, feed_id, _ = _retention_library(tmp_path, server)
    starred = library.stories(feed_id=feed_id, limit=None)[-1]
    library.mark_starred([starred.id])
    library.set_feed_options(feed_id, retention_max_count=2)
    server.add("/r.xml", simple_rss(3, "new"), etag=False)
    list(library.refresh([feed_id]))
    titles = {s.title for s in library.stories(feed_id=feed_id, limit=None)}
    assert {"new number 0", "new number 1", "new number 2"} <= titles  # still in the feed: never purged
    assert starred.title in titles  # starred: kept forever
    assert len(titles) == 3 + 1 + 2
    library.close()


def test_retention_by_age(tmp_path: Path, server: FeedServer) -> None:
    library, feed_id, _ = _retention_library(tmp_path, server)
    library.set_feed_options(feed_id, retention_max_age_days=30)
    server.add("/r.xml", simple_rss(1, "new"), etag=False)
    list(library.refresh([feed_id]))
    # the old stories are dated June 2025; "now" is 2030
    assert [s.title for s in library.stories(feed_id=feed_id, limit=None)] == ["new number 0"]
    library.close()


def test_dates_are_utc_never_future_and_missing_dates_are_first_seen(tmp_path: Path, server: FeedServer) -> None:
    now = datetime(2030, 1, 1, 12, tzinfo=UTC)
    library = open_library(tmp_path, clock=lambda: now, parse_processes=0)
    feed_id = library.subscribe(
        server.add(
            "/d.xml",
            rss(
                [
                    {"title": "future", "guid": "f", "pubDate": "Tue, 01 Jan 2999 00:00:00 +0000"},
                    {"title": "undated", "guid": "u"},
                    {"title": "offset", "guid": "o", "pubDate": "Mon, 31 Dec 2029 23:00:00 -0500"},
                ]
            ),
        )
    )
    list(library.refresh([feed_id]))
    by_title = {s.title: s for s in library.stories(limit=None)}
    assert by_title["future"].published == now  # clamped to the moment it was fetched
    assert by_title["undated"].published == by_title["undated"].first_seen
    assert by_title["offset"].published == datetime(2030, 1, 1, 4, tzinfo=UTC)
    library.close()


def test_flags_require_existing_ids_and_change_nothing_otherwise(library: Library, server: FeedServer) -> None:
    library.subscribe(server.add("/f.xml", simple_rss(2)))
    list(library.refresh())
    ids = [s.id for s in library.stories()]
    with pytest.raises(UnknownIdError):
        library.mark_read([ids[0], 999_999])
    assert not library.story(ids[0]).read
    assert library.mark_read(ids) == 2
    assert library.feed(library.feeds()[0].id).unread == 0
    assert library.mark_read(ids, False) == 2


def test_version_1_library_with_stories_migrates_to_current(tmp_path: Path) -> None:
    """A library written by schema 1 keeps its stories and gains grouping keys and title words."""
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    schema.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO feeds(id, url, added_at) VALUES (1, 'http://a.example/f', '2025-01-01T00:00:00Z')")
    db.execute(
        """INSERT INTO stories(id, feed_id, key, link, title, published, first_seen, content_hash, body_text, read)
           VALUES (7, 1, 'k', 'https://www.a.example/story/?utm_source=x', 'Volcano erupts near Grindavík',
                   '2025-01-02T00:00:00Z', '2025-01-02T00:00:00Z', 'h', 'lava', 1)"""
    )
    db.execute("INSERT INTO stories_fts(rowid, title, body_text) VALUES (7, 'Volcano erupts near Grindavík', 'lava')")
    db.close()
    storage = Storage(path)
    row = storage.execute("SELECT canonical_link, title_key, read, sponsored_override FROM stories").fetchone()
    assert row == ("a.example/story", "volcano erupts near grindavik", 1, None)
    (keys_text,) = storage.execute("SELECT keys FROM story_keys WHERE story_id = 7").fetchone()
    keys = set(keys_text.split("\x1f"))
    assert {"volcano", "erupt", "grindavik"} <= keys  # the headline's key terms, stemmed and folded
    assert [s.id for s in storage.search('"lava"')] == [7]
    assert storage.integrity_ok()
    storage.close()


def test_folders_are_created_empty_renamed_and_deleted(tmp_path: Path) -> None:
    from newsreader.core.errors import SettingsError

    with open_library(tmp_path, parse_processes=0) as library:
        library.create_folder("  Science ")
        assert [f.name for f in library.folders()] == ["Science"]
        with pytest.raises(SettingsError):
            library.create_folder("Science")
        with pytest.raises(SettingsError):
            library.create_folder(" ")
        feed = library.subscribe("https://example.org/feed.xml", folder="Science")
        library.rename_folder("Science", "Nature")
        assert library.feed(feed).folder == "Nature"
        library.delete_folder("Nature")
        assert library.folders() == [] and library.feed(feed).folder is None
