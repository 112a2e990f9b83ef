"""The database schema and its migrations.

``PRAGMA user_version`` holds the schema version. Each migration takes the database from version
N-1 to N inside one transaction; a database newer than this code is refused, never downgraded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from newsreader.core.errors import StorageError, UnusableLibraryError

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


_V2 = """
ALTER TABLE stories ADD COLUMN link_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN sponsored_link_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN sponsored_override INTEGER;
ALTER TABLE stories ADD COLUMN canonical_link TEXT;
ALTER TABLE stories ADD COLUMN title_key TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN group_id INTEGER;
ALTER TABLE feeds ADD COLUMN sponsored_never INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN sponsored_rules TEXT;
CREATE INDEX stories_canonical_link ON stories(canonical_link) WHERE canonical_link IS NOT NULL;
CREATE INDEX stories_title_key ON stories(title_key) WHERE title_key != '';
CREATE INDEX stories_group ON stories(group_id) WHERE group_id IS NOT NULL;
CREATE TABLE title_pairs (
    pair TEXT NOT NULL,
    day INTEGER NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL,
    PRIMARY KEY (pair, day, story_id)
) WITHOUT ROWID;
CREATE INDEX title_pairs_story ON title_pairs(story_id);
CREATE VIRTUAL TABLE stories_fts_vocab USING fts5vocab(stories_fts, 'row');
"""


def _migrate_to_2(db: sqlite3.Connection) -> None:
    """Sponsored classification inputs and overrides; same-story grouping keys."""
    _run_script(db, _V2)
    # stories stored by version 1 get their grouping keys now; link counts stay 0 until refreshed
    from newsreader.core.related.keys import canonical_link, title_key
    from newsreader.core.related.same_story import title_pair_rows

    rows = db.execute("SELECT id, feed_id, link, title, published FROM stories").fetchall()
    db.executemany(
        "UPDATE stories SET canonical_link = ?, title_key = ? WHERE id = ?",
        [(canonical_link(link), title_key(title), story_id) for story_id, _, link, title, _ in rows],
    )
    db.executemany(
        "INSERT OR IGNORE INTO title_pairs(pair, day, story_id, feed_id) VALUES (?, ?, ?, ?)",
        [
            row
            for story_id, feed_id, _, title, published in rows
            for row in title_pair_rows(story_id, feed_id, title, published)
        ],
    )


_V3 = """
CREATE TABLE story_pages (
    story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    analysis TEXT,
    error TEXT,
    html BLOB
);
"""


def _migrate_to_3(db: sqlite3.Connection) -> None:
    """Article pages fetched for stories: the page itself (zlib), its analysis (JSON) or the error."""
    _run_script(db, _V3)


_V4 = """
CREATE TABLE images (
    url TEXT PRIMARY KEY,
    digest TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    content_type TEXT,
    fetched_at TEXT NOT NULL,
    error TEXT
);
CREATE INDEX images_by_digest ON images(digest);
CREATE INDEX images_by_age ON images(fetched_at);
ALTER TABLE feeds ADD COLUMN icon_url TEXT;
ALTER TABLE feeds ADD COLUMN icon_checked TEXT;
ALTER TABLE story_pages ADD COLUMN analyzed_at TEXT;
UPDATE story_pages SET analyzed_at = fetched_at WHERE analysis IS NOT NULL;
"""


def _migrate_to_4(db: sqlite3.Connection) -> None:
    """The offline image cache's index (files live in the cache folder), each feed's icon, and when
    each stored page was last analysed."""
    _run_script(db, _V4)


_V5 = """
CREATE TABLE hosts (
    host TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    retry_at TEXT NOT NULL,
    error TEXT
);
"""


def _migrate_to_5(db: sqlite3.Connection) -> None:
    """Hosts that did not resolve, connect or answer in time, and when to ask them again."""
    _run_script(db, _V5)


_V6 = """
ALTER TABLE stories ADD COLUMN images_checked INTEGER NOT NULL DEFAULT 0;
"""


def _migrate_to_6(db: sqlite3.Connection) -> None:
    """Whether every image a story shows was tried for the offline cache (until then a refresh
    takes it up again)."""
    _run_script(db, _V6)


def _migrate_to_7(db: sqlite3.Connection) -> None:
    """The names of imported feeds are the user's. Earlier versions kept an OPML file's names in
    ``title``, which the first refresh replaced with the feed's own; a feed never read yet still
    has the imported name there, so it becomes the user's title. (Names a refresh already replaced
    are not recoverable.)"""
    db.execute(
        """UPDATE feeds SET user_title = title
           WHERE user_title IS NULL AND title != '' AND body_hash IS NULL AND last_updated IS NULL"""
    )


_V8 = """
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    user TEXT NOT NULL,
    added_at TEXT NOT NULL,
    cursor TEXT,
    last_sync TEXT,
    last_attempt TEXT,
    last_error TEXT
);
CREATE TABLE sync_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    op TEXT NOT NULL,
    target TEXT NOT NULL,
    argument TEXT,
    created TEXT NOT NULL,
    refused TEXT
);
CREATE INDEX sync_queue_account ON sync_queue(account_id, id);
ALTER TABLE folders ADD COLUMN account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE;
ALTER TABLE folders ADD COLUMN remote_id TEXT;
CREATE UNIQUE INDEX folders_remote ON folders(account_id, remote_id) WHERE account_id IS NOT NULL;
ALTER TABLE stories ADD COLUMN remote_id TEXT;
ALTER TABLE stories ADD COLUMN remote_read INTEGER;
ALTER TABLE stories ADD COLUMN remote_starred INTEGER;
CREATE INDEX stories_remote ON stories(remote_id) WHERE remote_id IS NOT NULL;
-- 1 only inside a sync's own transaction, while it applies the server's state: those changes are not
-- queued back to the server (no other connection can see it set, and a crash rolls it back)
CREATE TABLE sync_applying (flag INTEGER NOT NULL);
INSERT INTO sync_applying VALUES (0);
"""


_V8_TRIGGERS = """
-- every local read/star change of an account's story is queued in the same transaction, whichever
-- code path made it (one story, a whole feed, a same-story group)
CREATE TRIGGER stories_queue_read AFTER UPDATE OF read ON stories
WHEN new.remote_id IS NOT NULL AND new.read != old.read AND (SELECT flag FROM sync_applying) = 0
BEGIN
    INSERT INTO sync_queue(account_id, op, target, created)
    SELECT account_id, CASE WHEN new.read THEN 'read' ELSE 'unread' END, new.remote_id,
           strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM feeds WHERE id = new.feed_id AND account_id IS NOT NULL;
END;
CREATE TRIGGER stories_queue_star AFTER UPDATE OF starred ON stories
WHEN new.remote_id IS NOT NULL AND new.starred != old.starred AND (SELECT flag FROM sync_applying) = 0
BEGIN
    INSERT INTO sync_queue(account_id, op, target, created)
    SELECT account_id, CASE WHEN new.starred THEN 'star' ELSE 'unstar' END, new.remote_id,
           strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM feeds WHERE id = new.feed_id AND account_id IS NOT NULL;
END;
"""


def _migrate_to_8(db: sqlite3.Connection) -> None:
    """Sync accounts: the accounts, the queue of changes waiting for their server, remote ids and the
    server state at the last sync. ``feeds`` is rebuilt (SQLite cannot drop a constraint) so that an
    address is unique among the local subscriptions and within each account, not across them."""
    _run_script(db, _V8)
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'feeds'").fetchone()
    create = str(row[0])
    if "url TEXT NOT NULL UNIQUE" not in create:  # pragma: no cover - every version-7 file has it
        raise StorageError("The library's feeds table is not the one newsreader created.")
    columns = [r[1] for r in db.execute("PRAGMA table_info(feeds)")]
    listed = ", ".join(columns)
    db.execute(
        create.replace("CREATE TABLE feeds", "CREATE TABLE feeds_v8", 1).replace(
            "url TEXT NOT NULL UNIQUE", "url TEXT NOT NULL", 1
        )
    )
    db.execute(f"INSERT INTO feeds_v8 ({listed}) SELECT {listed} FROM feeds")
    db.execute("DROP TABLE feeds")
    db.execute("ALTER TABLE feeds_v8 RENAME TO feeds")
    _run_script(
        db,
        """
ALTER TABLE feeds ADD COLUMN account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE;
ALTER TABLE feeds ADD COLUMN remote_id TEXT;
CREATE UNIQUE INDEX feeds_local_url ON feeds(url) WHERE account_id IS NULL;
CREATE UNIQUE INDEX feeds_remote ON feeds(account_id, remote_id) WHERE account_id IS NOT NULL;
""",
    )
    _run_script(db, _V8_TRIGGERS)


def _migrate_to_9(db: sqlite3.Connection) -> None:
    """Unread counts from the index alone: the feed list's unread count leaves sponsored stories out,
    which with an index on (feed, read) read every unread story's row — 1.4 s for the window's first
    paint on 100,000 stories. An index that also holds ``sponsored`` answers it without the table."""
    _run_script(
        db,
        """
DROP INDEX IF EXISTS stories_feed_read;
CREATE INDEX stories_feed_unread ON stories(feed_id, read, sponsored);
""",
    )


def _migrate_to_10(db: sqlite3.Connection) -> None:
    """Key terms one row a story (``story_keys``) instead of one row a term (``title_pairs``): the
    writer finds grouping candidates in memory (``story_keys.StoryKeyIndex``) and stores a tenth of
    the rows; a cold refresh of 1,000 feeds spent ~10 of its writer's CPU-seconds on the old table."""
    _run_script(
        db,
        """
CREATE TABLE story_keys (
    story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    keys TEXT NOT NULL
);
CREATE INDEX story_keys_day ON story_keys(day);
INSERT INTO story_keys(story_id, feed_id, day, keys)
    SELECT story_id, min(feed_id), min(day), group_concat(pair, char(31)) FROM title_pairs GROUP BY story_id;
DROP TABLE title_pairs;
""",
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
    _migrate_to_5,
    _migrate_to_6,
    _migrate_to_7,
    _migrate_to_8,
    _migrate_to_9,
    _migrate_to_10,
)
"""``MIGRATIONS[n]`` takes a database from version n to n + 1."""

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version recorded in the database file (0 for a new file)."""
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_ours(db: sqlite3.Connection, path: str) -> int:
    """Read-only checks before anything is written: the file is an SQLite database, newsreader's (or
    empty), and not newer than this code. Returns its schema version."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"The library {path} was written by a newer newsreader (schema {version}, this version reads "
            f"up to {SCHEMA_VERSION}); upgrade newsreader to open it."
        )
    if version == 0:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise UnusableLibraryError(f"{path} is an SQLite database that does not belong to newsreader.")
    return version


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Bring the database at *path* to :data:`SCHEMA_VERSION`, one transaction per step."""
    version = check_ours(db, path)
    if version == SCHEMA_VERSION:
        return
    # SQLite's procedure for rebuilding a table: foreign keys off (outside any transaction), rebuild,
    # check every reference by hand before committing, foreign keys back on
    enforced = bool(db.execute("PRAGMA foreign_keys").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        while version < SCHEMA_VERSION:
            step = MIGRATIONS[version]
            db.execute("BEGIN IMMEDIATE")
            try:
                step(db)
                broken = db.execute("PRAGMA foreign_key_check").fetchone()
                if broken is not None:
                    raise StorageError(f"Upgrading the library {path} would break a reference in {broken[0]}.")
                db.execute(f"PRAGMA user_version = {version + 1}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            version += 1
    finally:
        if enforced:
            db.execute("PRAGMA foreign_keys = ON")
