"""The connection under every storage domain: opening, migrating, transactions, errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from newsreader.core.errors import LibraryFullError, StorageError, UnusableLibraryError
from newsreader.core.storage.schema import check_ours, migrate
from newsreader.core.storage.story_keys import StoryKeyIndex

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000


SQLITE_IOERR = 10


SQLITE_FULL = 13


CHUNK = 500
"""Ids per statement in ``IN (…)`` lists (see :func:`chunks`)."""
SEARCH_WINDOW = 1_000
"""A search ranks at most this many of the most recent matching stories."""


def to_db_time(value: datetime | None) -> str | None:
    """UTC timestamps as sortable text: ``2026-01-31T12:00:00Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """*values* in lists of at most *size*: SQLite caps the parameters of one statement (32,766),
    and an ``IN (…)`` list of a few hundred stays fast."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def marks(values: Sequence[object]) -> str:
    """``?,?,?`` for an ``IN (…)`` list of *values*."""
    return ",".join("?" * len(values))


def from_db_time(value: str | None) -> datetime | None:
    """Inverse of :func:`to_db_time`."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)  # 20× faster than strptime on this format


class StorageBase:
    """A connection to one library database file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._savepoints = 0
        self.story_keys = StoryKeyIndex()
        """Stored stories' key terms in memory, for same-story grouping as this connection writes."""
        if path.parent.exists() and not path.parent.is_dir():
            raise StorageError(f"The library folder {path.parent} is a file, not a folder; choose another.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise StorageError(f"The library folder {path.parent} could not be created ({reason}).") from exc
        try:
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
            )
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StorageError(f"The library {path} could not be opened ({reason.lower()}).") from exc
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            check_ours(self._db, str(path))  # before anything writes to a file that may not be ours
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"The library {path} cannot use write-ahead logging (journal mode {mode}).")
            self._db.execute("PRAGMA synchronous = NORMAL")
            # checkpoint every ~16 MB of WAL rather than 4 MB: a cold refresh writes hundreds of MB
            self._db.execute("PRAGMA wal_autocheckpoint = 4000")
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db, str(path))
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise UnusableLibraryError(f"{path} is not a newsreader library or is damaged ({exc}).") from exc
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` takes the write lock up front).

        Nested use opens a savepoint, so a caller can group several units of work in one commit
        and still roll back just the unit that failed.
        """
        if self._db.in_transaction:
            self._savepoints += 1
            name = f"unit{self._savepoints}"
            self._db.execute(f"SAVEPOINT {name}")
            try:
                yield self._db
            except BaseException:
                # A full disk or an I/O error makes SQLite roll the whole transaction back, taking the
                # savepoint with it: then the original error is what the caller must see.
                self.story_keys.reset()  # it may hold what was rolled back
                if self._db.in_transaction:
                    with suppress(sqlite3.Error):
                        self._db.execute(f"ROLLBACK TO {name}")
                        self._db.execute(f"RELEASE {name}")
                raise
            self._db.execute(f"RELEASE {name}")
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from exc
        try:
            yield self._db
        except sqlite3.Error as exc:
            self._rollback_if_open()
            raise self._write_error(exc) from exc
        except BaseException:
            self._rollback_if_open()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback_if_open()
            raise self._write_error(exc) from exc

    def _write_error(self, exc: sqlite3.Error) -> StorageError:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (SQLITE_FULL, SQLITE_IOERR) or "disk" in str(exc).lower():
            return LibraryFullError(
                f"The library {self.path} could not be written: the disk is full or failing ({exc}). "
                "Nothing already stored was lost; free some space and try again."
            )
        return StorageError(f"The library {self.path} could not be written ({exc}).")

    def _rollback_if_open(self) -> None:
        self.story_keys.reset()  # it may hold what was rolled back
        # a failed statement or COMMIT (disk full, I/O error) may or may not have ended the transaction
        if self._db.in_transaction:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one read statement, wrapping SQLite errors."""
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StorageError(f"Reading the library {self.path} failed ({exc}).") from exc

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` says ok."""
        return bool(self.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
