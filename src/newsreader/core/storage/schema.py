"""The database schema and its migrations.

``PRAGMA user_version`` holds the schema version. Each migration takes the database from version
N-1 to N inside one transaction; a database newer than this code is refused, never downgraded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from newsreader.core.errors import StorageError

_V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    user_title TEXT,
    site_url TEXT,
    folder_id INTEGER REFERENCES folders(id) ON DELETE SET NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    update_interval INTEGER,
    auth_user TEXT,
    full_articles INTEGER,
    retention_max_age_days INTEGER,
    retention_max_count INTEGER,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    added_at TEXT NOT NULL,
    last_checked TEXT,
    last_updated TEXT,
    next_check TEXT,
    retry_after TEXT,
    last_error TEXT,
    last_error_at TEXT,
    disabled_reason TEXT
);
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    guid TEXT,
    link TEXT,
    title TEXT NOT NULL,
    author TEXT,
    published TEXT NOT NULL,
    updated TEXT,
    first_seen TEXT NOT NULL,
    summary_html TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    body_text TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '[]',
    enclosures TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    sponsored INTEGER NOT NULL DEFAULT 0,
    sponsored_reason TEXT,
    in_feed INTEGER NOT NULL DEFAULT 1,
    UNIQUE (feed_id, key)
);
CREATE INDEX stories_feed_read ON stories(feed_id, read);
CREATE INDEX stories_published ON stories(published DESC, id DESC);
CREATE INDEX stories_starred ON stories(starred) WHERE starred = 1;
CREATE VIRTUAL TABLE stories_fts USING fts5(
    title, body_text, content='stories', content_rowid='id', tokenize='unicode61 remove_diacritics 2',
    detail='column'
);
-- New stories are indexed by Storage.store_entries with one INSERT ... SELECT per feed (far cheaper
-- than a row trigger); changed and deleted stories keep the index in step through these triggers.
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts(stories_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, body_text ON stories BEGIN
    INSERT INTO stories_fts(stories_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text);
    INSERT INTO stories_fts(rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
"""


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one (``executescript`` would commit the migration's transaction)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _migrate_to_1(db: sqlite3.Connection) -> None:
    _run_script(db, _V1)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_to_1,)
"""``MIGRATIONS[n]`` takes a database from version n to n + 1."""

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version recorded in the database file (0 for a new file)."""
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Bring the database at *path* to :data:`SCHEMA_VERSION`, one transaction per step."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The library {path} was written by a newer newsreader (schema {version}, this version reads "
            f"up to {SCHEMA_VERSION}); upgrade newsreader to open it."
        )
    if version == 0:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise StorageError(f"{path} is an SQLite database that does not belong to newsreader.")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        version += 1
