"""The hostile suite's harness: every case runs the real library (or CLI) in a child process under
an address-space limit and a timeout, against the loopback server, with a second "bystander" server
that must never be contacted."""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsreader.core.library import open_library
from tests.conftest import PYTHON, cli_env
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer

ADDRESS_SPACE = 3 * 1024**3
"""A child may map at most this much: a client that inflates a bomb dies instead of the machine."""
TIME_LIMIT = 90.0
GOOD_FEEDS = 2
GOOD_ITEMS = 5


@dataclass
class Outcome:
    """What one limited child run did."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> dict[str, object]:
        return dict(json.loads(self.stdout.strip().splitlines()[-1]))


def _limits(address_space: int, file_size: int | None) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    if file_size is not None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))


def run_limited(args: list[str], data: Path, *, timeout: float = TIME_LIMIT, file_size: int | None = None) -> Outcome:
    """Run ``python ARGS`` with the newsreader environment, an address-space limit and a timeout."""
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, *args],
        env=cli_env(data),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: _limits(ADDRESS_SPACE, file_size),
    )
    return Outcome(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


@pytest.fixture
def bystander() -> Iterator[FeedServer]:
    """A server nothing may ask: entity and DTD references point here."""
    srv = FeedServer()
    yield srv
    assert srv.hits == [], f"something was fetched from the bystander: {[h.path for h in srv.hits]}"
    srv.close()


@dataclass
class Library:
    """A library on disk with good feeds and one hostile feed, ready for a limited refresh."""

    data: Path
    good: list[str]
    hostile: str

    def refresh(self, *, deadline: float = 10, read_timeout: float = 5, pages: bool = False) -> Outcome:
        args = ["-m", "tests.hostile.refresh_child", str(self.data), str(deadline), str(read_timeout)]
        return run_limited([*args, "--pages"] if pages else args, self.data)

    def stories(self) -> list[tuple[int, str]]:
        db = sqlite3.connect(self.data / "library.sqlite3")
        try:
            return list(db.execute("SELECT feed_id, key FROM stories ORDER BY feed_id, key"))
        finally:
            db.close()


def hostile_library(tmp_path: Path, server: FeedServer, hostile_url: str) -> Library:
    """Two good feeds and the hostile one, subscribed (not yet fetched)."""
    data = tmp_path / "data"
    good = [server.add(f"/good{i}.xml", simple_rss(GOOD_ITEMS, f"good{i}", f"Good {i}")) for i in range(GOOD_FEEDS)]
    with open_library(data, parse_processes=0) as library:
        for url in [*good, hostile_url]:
            library.subscribe(url)
    return Library(data, good, hostile_url)


def check_survived(library: Library, outcome: Outcome, *, hostile_fails: bool | None = None) -> dict[str, object]:
    """The shared assertions: finished in bounds, good feeds updated, database sound, and a second
    refresh adds no duplicates. Returns the hostile feed's result."""
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    report = outcome.json()
    assert report["integrity"] is True
    feeds = report["feeds"]
    assert isinstance(feeds, dict)
    for url in library.good:
        assert feeds[url]["status"] == "updated", feeds[url]
    hostile = feeds[library.hostile]
    if hostile_fails is True:
        assert hostile["status"] == "failed" and hostile["error"], hostile
        assert "\n" not in hostile["error"] and "Traceback" not in hostile["error"]
    elif hostile_fails is False:
        assert hostile["status"] != "failed", hostile
    before = library.stories()
    assert len(before) == len(set(before))
    again = library.refresh()
    assert again.returncode == 0, again.stderr[-2000:]
    assert library.stories() == before  # nothing lost, nothing duplicated
    return dict(hostile)
