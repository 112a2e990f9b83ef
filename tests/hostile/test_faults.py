"""Faults around the database: a full disk, damaged or foreign files, reads during a refresh."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from newsreader.core.library import Library, open_library
from tests.hostile.conftest import run_limited
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer

FEEDS = 30


def subscribe_many(data: Path, server: FeedServer, items: int = 40) -> list[str]:
    urls = [server.add(f"/f{i}.xml", simple_rss(items, f"f{i}", f"Feed {i}")) for i in range(FEEDS)]
    with open_library(data, parse_processes=0) as library:
        for url in urls:
            library.subscribe(url)
    return urls


def test_a_full_disk_gives_a_clear_error_and_a_usable_library(tmp_path: Path, server: FeedServer) -> None:
    data = tmp_path / "data"
    subscribe_many(data, server)
    database = data / "library.sqlite3"
    limit = database.stat().st_size + 96 * 1024  # room for a little, not for 1,200 stories
    full = run_limited(["-m", "newsreader", "refresh", "--no-pages"], data, file_size=limit)
    assert full.returncode == 1, full.stdout + full.stderr
    message = full.stderr.strip().splitlines()
    assert len(message) == 1 and "Traceback" not in full.stderr
    assert "disk" in message[0].lower() or "space" in message[0].lower()

    db = sqlite3.connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    db.close()
    again = run_limited(["-m", "newsreader", "refresh", "--no-pages"], data)
    assert again.returncode == 0, again.stderr
    with open_library(data, parse_processes=0) as library:
        assert library.story_count() == FEEDS * 40 >= kept
        assert library.check_integrity()


def test_damaged_and_foreign_files_are_set_aside_never_overwritten(tmp_path: Path) -> None:
    for name, make in (("damaged", _damaged), ("foreign", _foreign)):
        data = tmp_path / name
        data.mkdir()
        original = make(data / "library.sqlite3")
        result = run_limited(["-m", "newsreader", "feeds", "--json"], data)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"
        note = result.stderr.strip()
        assert note.count("\n") == 0 and "was moved to" in note and "a new, empty library was started" in note
        [aside] = [p for p in data.iterdir() if ".unusable-" in p.name and not p.name.endswith(("-wal", "-shm"))]
        assert aside.read_bytes() == original
        again = run_limited(["-m", "newsreader", "feeds"], data)
        assert again.returncode == 0 and again.stderr == ""  # the new library is used from now on


def _damaged(path: Path) -> bytes:
    content = b"SQLite format 3\x00" + bytes(range(256)) * 64
    path.write_bytes(content)
    return content


def _foreign(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO photos(name) VALUES ('holiday')")
    db.commit()
    db.close()
    return path.read_bytes()


def test_reads_and_small_writes_during_a_refresh_never_hit_a_locked_database(
    library: Library, server: FeedServer
) -> None:
    for i in range(FEEDS):
        library.subscribe(server.add(f"/f{i}.xml", simple_rss(60, f"f{i}", f"Feed {i}")))
    errors: list[BaseException] = []
    done = threading.Event()

    def refresh() -> None:
        try:
            for _ in library.refresh(workers=8):
                pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            library.close_thread()
            done.set()

    worker = threading.Thread(target=refresh)
    worker.start()
    reads = 0
    while not done.is_set() or reads < 20:
        try:
            stories = library.stories(limit=50)
            library.feeds()
            library.view_counts()
            if stories:
                library.mark_read([stories[0].id])
                library.search("zebras")
        except BaseException as exc:
            errors.append(exc)
            break
        reads += 1
    worker.join(60)
    assert errors == []
    assert reads >= 20
    assert library.story_count() == FEEDS * 60
