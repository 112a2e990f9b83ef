"""A refresh process killed with SIGKILL at any moment leaves a consistent library that holds every
story committed before the kill; the next refresh completes and duplicates nothing.

Twenty moments: right after the first story, at two fixed points, and at seventeen drawn at random
(from a fixed seed, so a failure can be replayed) between the first and the last of 300 stories."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer

FEEDS = 60
ITEMS = 5


def _slow_feed(body: bytes):  # type: ignore[no-untyped-def]
    def answer(request: BaseHTTPRequestHandler) -> None:
        time.sleep(0.03)  # server-side latency, so the refresh is still running when it is killed
        FeedServer._send(request, 200, {"Content-Type": "application/rss+xml"}, body)

    return answer


def committed(db_path: Path) -> set[tuple[int, str]]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        return set(db.execute("SELECT feed_id, key FROM stories"))
    finally:
        db.close()


MOMENTS = [1, 40, 150, *sorted(random.Random(2026).sample(range(2, FEEDS * ITEMS), 17))]


@pytest.mark.parametrize("kill_after_stories", MOMENTS)
def test_sigkill_mid_refresh_loses_nothing_committed(
    tmp_path: Path, server: FeedServer, kill_after_stories: int
) -> None:
    data = tmp_path / "data"
    env = cli_env(data)
    opml = "".join(
        f'<outline xmlUrl="{server.add(f"/k{i}.xml", handler=_slow_feed(simple_rss(ITEMS, f"k{i}").encode()))}"/>'
        for i in range(FEEDS)
    )
    (tmp_path / "f.opml").write_text(f"<opml version='2.0'><body>{opml}</body></opml>")
    cli = [sys.executable, "-m", "newsreader"]
    subprocess.run([*cli, "import", str(tmp_path / "f.opml")], env=env, check=True, capture_output=True)
    db_path = data / "library.sqlite3"

    process = subprocess.Popen(
        [*cli, "refresh", "--workers", "4", "--no-pages"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: set[tuple[int, str]] = set()
    deadline = time.monotonic() + 60
    try:
        while len(seen) < kill_after_stories and process.poll() is None and time.monotonic() < deadline:
            seen = committed(db_path)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # parser worker processes, if any are left
    assert len(seen) >= kill_after_stories

    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("INSERT INTO stories_fts(stories_fts, rank) VALUES ('integrity-check', 1)") is not None
    db.close()
    after_kill = committed(db_path)
    assert seen <= after_kill

    again = subprocess.run(
        [*cli, "refresh", "--workers", "4", "--no-pages"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    final = committed(db_path)
    assert after_kill <= final
    assert len(final) == FEEDS * ITEMS
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == FEEDS * ITEMS
    assert db.execute("SELECT count(*) FROM stories_fts").fetchone()[0] == FEEDS * ITEMS
    db.close()
