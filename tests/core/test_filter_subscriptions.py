"""Filter lists subscribed to by URL, kept current like feeds: fetched again when they expire, with
a conditional request; a failed update keeps the copy in use; the shipped list is always there."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsreader.core.library import open_library
from newsreader.core.pages.filters import load_filters
from tests.conftest import cli_env
from tests.support.httpserver import FeedServer

LIST = "[Adblock Plus 2.0]\n! Title: Test list\n! Expires: 2 days\n||ads.example^\n||tracker.example^\n##.promo-box\n"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_subscribed_list_is_kept_current_like_a_feed(tmp_path: Path, server: FeedServer) -> None:
    clock = Clock()
    library = open_library(tmp_path / "data", parse_processes=0, clock=clock)
    url = server.add("/lists/easylist.txt", LIST, content_type="text/plain")
    assert library.subscribe_filter_list(url) == ("easylist.txt", 3)
    assert library.page_filters().names == ("default_filters.txt", "easylist.txt")
    [record] = library.filter_subscriptions().values()
    assert record["url"] == url and record["expires"] == (clock.now + timedelta(days=2)).isoformat()

    hits = len(server.hits_for("/lists/easylist.txt"))
    assert [u.status for u in library.refresh_filter_lists()] == ["unchanged"]  # not due: not asked
    assert len(server.hits_for("/lists/easylist.txt")) == hits

    clock.now += timedelta(days=2, minutes=1)
    assert [u.status for u in library.refresh_filter_lists()] == ["unchanged"]  # due: asked, 304
    last = server.hits_for("/lists/easylist.txt")[-1]
    assert {k.lower(): v for k, v in last.headers.items()}.get("if-none-match")

    server.add("/lists/easylist.txt", LIST + "||more-ads.example^\n", content_type="text/plain")
    [update] = library.refresh_filter_lists(force=True)
    assert (update.status, update.rules) == ("updated", 4)
    assert library.page_filters().rule_count == load_filters(library.filters_dir).rule_count
    rules = library.page_filters().rule_count

    server.add("/lists/easylist.txt", "gone", status=500)
    [failed] = library.refresh_filter_lists(force=True)
    assert failed.status == "failed" and failed.error
    assert library.page_filters().rule_count == rules  # the copy already kept stays in use
    assert library.filter_subscriptions()["easylist.txt"]["error"] == failed.error

    library.remove_filter_list("easylist")
    assert library.filter_subscriptions() == {}
    assert library.page_filters().names == ("default_filters.txt",)  # the shipped list, offline too
    library.close()


def test_cli_subscribes_by_url_and_refreshes(tmp_path: Path, server: FeedServer) -> None:
    env = cli_env(tmp_path / "data")
    url = server.add("/easylist.txt", LIST, content_type="text/plain")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsreader", *args], env=env, capture_output=True, text=True, timeout=120
        )

    added = run("filters", "add", url, "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"added": "easylist.txt", "rules": 3, "url": url}
    listed = json.loads(run("filters", "--json").stdout)
    assert [(item["name"], item["url"]) for item in listed["lists"]] == [
        ("default_filters.txt", None),
        ("easylist.txt", url),
    ]
    refreshed = run("filters", "refresh", "--force", "--json")
    assert refreshed.returncode == 0, refreshed.stderr
    assert json.loads(refreshed.stdout) == [
        {"name": "easylist.txt", "url": url, "status": "unchanged", "rules": 0, "error": None}
    ]
    server.add("/easylist.txt", "<html>moved</html>", content_type="text/html")
    failed = run("filters", "refresh", "--force")
    assert failed.returncode == 3 and "is not an ad-blocking filter list" in failed.stderr


def test_a_refresh_updates_expired_lists_before_analysing_pages(tmp_path: Path, server: FeedServer) -> None:
    clock = Clock()
    library = open_library(tmp_path / "data", parse_processes=0, clock=clock)
    url = server.add("/lists/regional.txt", LIST, content_type="text/plain")
    library.subscribe_filter_list(url)
    server.add("/lists/regional.txt", LIST + "||regional-ads.example^\n", content_type="text/plain")
    list(library.update())
    kept = library.filters_dir / "regional.txt"
    assert "regional-ads" not in kept.read_text(encoding="utf-8")  # not expired yet: not asked
    clock.now += timedelta(days=3)
    list(library.update())
    assert library.filter_subscriptions()["regional.txt"]["checked"] == clock.now.isoformat()
    assert "||regional-ads.example^" in kept.read_text(encoding="utf-8")
    library.close()
