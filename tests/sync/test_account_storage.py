"""Schema 8 (sync accounts): a version-7 library migrates with everything kept; addresses are unique
among local feeds and within an account, not across them; local read/star changes of an account's
stories are queued in the same transaction, and a sync's own writes are not."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.core.storage import schema
from newsreader.core.storage.db import Storage

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_version_7_library_with_stories_migrates(tmp_path: Path) -> None:
    path = tmp_path / "v7.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in schema.MIGRATIONS[:7]:
        step(db)
    db.execute("PRAGMA user_version = 7")
    db.execute("INSERT INTO folders(id, name) VALUES (3, 'Tech')")
    db.execute(
        """INSERT INTO feeds(id, url, title, folder_id, added_at, icon_url, sponsored_never)
           VALUES (1, 'http://a.example/f', 'A', 3, '2025-01-01T00:00:00Z', 'http://a.example/i.png', 1)"""
    )
    db.execute(
        """INSERT INTO stories(id, feed_id, key, title, published, first_seen, content_hash, read, starred)
           VALUES (7, 1, 'k', 'Kept', '2025-01-02T00:00:00Z', '2025-01-02T00:00:00Z', 'h', 1, 1)"""
    )
    db.execute("INSERT INTO stories_fts(rowid, title, body_text) VALUES (7, 'Kept', '')")
    db.execute("INSERT INTO story_pages(story_id, url, fetched_at) VALUES (7, 'http://a.example/p', 'x')")
    db.close()

    storage = Storage(path)
    assert schema.schema_version(storage._db) == schema.SCHEMA_VERSION
    assert storage.integrity_ok()
    assert storage.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    [feed] = storage.feeds()
    assert (feed.id, feed.url, feed.title, feed.folder, feed.account) == (1, "http://a.example/f", "A", "Tech", None)
    story = storage.story(7)
    assert (story.title, story.read, story.starred, story.account) == ("Kept", True, True, None)
    # the rebuilt table still cascades: removing the feed removes its story and the story's page
    storage.delete_feed(1)
    assert storage.execute("SELECT count(*) FROM stories").fetchone()[0] == 0
    assert storage.execute("SELECT count(*) FROM story_pages").fetchone()[0] == 0
    storage.close()


def test_addresses_are_unique_per_account_and_changes_are_queued(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "lib.sqlite3")
    storage.add_feed("http://a.example/f", "Local", None, NOW)
    with pytest.raises(Exception, match="UNIQUE"):
        storage.add_feed("http://a.example/f", "Again", None, NOW)
    account = storage.add_account("work", "fever", "https://rss.example/fever", "me", NOW)
    storage.apply_structure(
        account.id, "work", [("2", "Tech")], [("10", "Same address", "http://a.example/f", None, "2")], NOW
    )
    feeds = {f.title: f for f in storage.feeds()}
    assert feeds["Same address"].account == "work"
    assert feeds["Same address"].folder == "work/Tech"
    assert storage.feed_id_for_url("http://a.example/f") == feeds["Local"].id
    assert [state.id for state in storage.feed_states()] == [feeds["Local"].id]  # a refresh leaves accounts alone

    from newsreader.core.accounts import to_entry
    from newsreader.core.sync.models import RemoteItem

    item = RemoteItem(
        "555", "10", "Hello", "https://a.example/1", None, "<p>hi<script>x()</script></p>", NOW, False, False
    )
    assert storage.store_remote_entries(account.id, [("10", to_entry(item, "", NOW), False, False)], "555", NOW) == 1
    [story] = storage.stories(limit=10)
    assert story.account == "work" and "<script" not in storage.story(story.id).content_html
    assert storage.pending_changes(account.id) == []  # a sync's own writes are not queued
    storage.set_flag([story.id], "read", True)
    storage.set_flag([story.id], "starred", True)
    storage.mark_feed_read(None)  # already read: nothing more to queue
    assert [(c.op, c.target) for c in storage.pending_changes(account.id)] == [("read", "555"), ("star", "555")]
    storage.apply_remote_states(account.id, frozenset({"555"}), frozenset(), frozenset())
    assert len(storage.pending_changes(account.id)) == 2  # applying the server's state queues nothing
    assert not storage.story(story.id).read
    storage.remove_account("work")
    assert [f.title for f in storage.feeds()] == ["Local"]
    assert storage.execute("SELECT count(*) FROM sync_queue").fetchone()[0] == 0
    storage.close()
