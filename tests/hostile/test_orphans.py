"""No worker process outlives a refresh killed with SIGKILL (a crash, a logout, the OOM killer)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsreader.core.library import open_library
from tests.conftest import cli_env
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")

FEEDS = 60
"""Enough for the refresh to parse in worker processes."""
WAIT = 60.0


def parents() -> dict[int, int]:
    """pid → parent pid of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int) -> set[int]:
    table = parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in table.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_end_when_a_refresh_is_killed(tmp_path: Path, server: FeedServer) -> None:
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as library:
        for i in range(FEEDS):
            body = simple_rss(30, f"o{i}")
            # a third of the feeds drip, so that the refresh is still running once the workers parse
            library.subscribe(server.add(f"/o{i}.xml", body, drip_seconds=0.05 if i % 3 == 0 else 0.0))
    process = subprocess.Popen(
        [sys.executable, "-m", "newsreader", "refresh"],
        env=cli_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        ends = time.monotonic() + WAIT
        while time.monotonic() < ends and process.poll() is None:
            workers = descendants(process.pid)
            if len(workers) >= 2:  # a parser and the resource tracker at least
                break
        assert process.poll() is None and len(workers) >= 2, "the refresh started no worker processes"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        ends = time.monotonic() + WAIT
        while time.monotonic() < ends and any(alive(pid) for pid in workers):
            time.sleep(0.1)  # polling the process table for a condition, not timing anything
        assert not [pid for pid in workers if alive(pid)], "worker processes outlived the killed refresh"
    finally:
        if process.poll() is None:
            process.kill()
        for pid in workers:  # never leave them behind, whatever the outcome
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
