"""One refresh in core: stages in order, whatever stories lack fetched, bounded tail, cancel."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsreader.core.library import Library, open_library
from newsreader.core.models import Stage, StageProgress
from newsreader.core.pool import Cancel
from tests.conftest import PYTHON, cli_env
from tests.core.test_page_fetching import serve_articles, summary_feed
from tests.support.httpserver import FeedServer


def stages_of(steps: list[StageProgress]) -> list[Stage]:
    return [s.stage for s in steps if s.finished]


def test_one_update_runs_every_stage_in_order_and_progress_never_goes_back(
    library: Library, server: FeedServer
) -> None:
    names = ["alpha", "beta", "gamma"]
    serve_articles(server, names)
    server.add("/favicon.ico", b"\x00\x00\x01\x00" + b"\x00" * 60, content_type="image/x-icon")
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    steps = list(library.update())
    assert stages_of(steps) == [Stage.FEEDS, Stage.PAGES, Stage.IMAGES, Stage.ICONS]
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    summary = {s.stage: s for s in steps if s.finished}
    assert summary[Stage.FEEDS].added == 3 and summary[Stage.PAGES].added == 3
    assert summary[Stage.ICONS].added == 1
    for story in library.stories(feed_id=feed_id):
        assert library.page(story.id) is not None
    assert library.feed_icons().keys() == {feed_id}
    again = {s.stage: s for s in library.update() if s.finished}
    assert again[Stage.PAGES].total == 0 and again[Stage.IMAGES].total == 0 and again[Stage.ICONS].total == 0


def test_what_a_story_lacks_is_fetched_by_the_next_refresh(library: Library, server: FeedServer) -> None:
    names = ["one", "two"]
    serve_articles(server, names)
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    library.set_feed_options(feed_id, full_articles=False)
    list(library.update())
    assert all(library.page(s.id) is None for s in library.stories(feed_id=feed_id))
    # the finding: turned on afterwards, a refresh ("0 new stories") filled nothing
    library.set_feed_options(feed_id, full_articles=True)
    steps = {s.stage: s for s in library.update() if s.finished}
    assert steps[Stage.FEEDS].added == 0 and steps[Stage.PAGES].added == 2
    assert all(library.page(s.id) is not None for s in library.stories(feed_id=feed_id))


def test_a_new_subscription_is_complete_for_offline_reading(tmp_path: Path, server: FeedServer) -> None:
    names = ["first", "second"]
    serve_articles(server, names)
    url = server.add("/teasers.xml", summary_feed(server, names))
    data = tmp_path / "data"
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", "add", url], env=cli_env(data), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    server.close()
    with open_library(data, parse_processes=0) as library:
        stories = library.stories()
        assert len(stories) == 2
        for story in stories:
            page = library.page(story.id)
            assert page is not None and "Paragraph 7" in page.story_text
        urls = [f"{stories[0].link.rsplit('/', 2)[0]}/img/{name}.png" for name in names]
        assert set(library.cached_images(urls)) == set(urls)


def hanging(request: BaseHTTPRequestHandler) -> None:
    """Headers, then a body that never comes (until the client goes away)."""
    request.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
    request.wfile.flush()
    request.rfile.read(1)  # the client never sends more: blocks until it closes


@pytest.mark.parametrize("kind", [Cancel, threading.Event])
def test_cancel_cuts_the_pages_in_flight_and_leaves_them_for_next_time(
    library: Library, server: FeedServer, kind: type[threading.Event]
) -> None:
    names = ["quick", "stuck"]
    serve_articles(server, ["quick"])
    server.add("/articles/stuck.html", handler=hanging)
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    library.set_feed_options(feed_id, full_articles=True)
    cancel = kind()
    seen: list[StageProgress] = []
    started = time.monotonic()
    for step in library.update(cancel=cancel, budget=30):
        seen.append(step)
        if step.stage is Stage.PAGES and step.page is not None and step.page.requested:
            cancel.set()  # the stuck page is in flight now
    took = time.monotonic() - started
    assert took < 25  # the request's own deadline is 60 s, the budget 30 s: cut, not waited for
    pages = next(s for s in seen if s.stage is Stage.PAGES and s.finished)
    assert pages.added == 1 and pages.left == 1 and pages.failed == 0
    assert not pages.out_of_time  # the user stopped it: not the budget
    stuck = next(s for s in library.stories(feed_id=feed_id) if s.title == "stuck")
    assert library.page(stuck.id) is None and library.page_error(stuck.id) is None  # nothing recorded
    serve_articles(server, ["stuck"])
    again = {s.stage: s for s in library.update() if s.finished}
    assert again[Stage.PAGES].added == 1 and library.page(stuck.id) is not None


def test_the_tail_has_a_time_budget(library: Library, server: FeedServer) -> None:
    server.add("/articles/stuck.html", handler=hanging)
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, ["stuck"])))
    library.set_feed_options(feed_id, full_articles=True)
    started = time.monotonic()
    steps = {s.stage: s for s in library.update(budget=1.0) if s.finished}
    assert time.monotonic() - started < 30
    assert steps[Stage.PAGES].left == 1 and steps[Stage.PAGES].failed == 0
    assert steps[Stage.PAGES].out_of_time and steps[Stage.PAGES].waiting_hosts == ()


def test_the_cli_prints_one_line_per_stage(tmp_path: Path, server: FeedServer) -> None:
    serve_articles(server, ["alpha"])
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as library:
        library.subscribe(server.add("/teasers.xml", summary_feed(server, ["alpha"])))
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", "refresh"], env=cli_env(data), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Feeds", "Article pages", "Images", "Icons"]
    assert lines[0] == "Feeds: 1 of 1 refreshed, 1 new story, 0 failed."
    assert lines[1] == "Article pages: 1 downloaded, 0 failed."
    json_run = subprocess.run(
        [PYTHON, "-m", "newsreader", "--json", "refresh"], env=cli_env(data), capture_output=True, text=True
    )
    printed = json.loads(json_run.stdout)
    assert [r["status"] for r in printed["feeds"]] == ["not_modified"]
    assert [s["stage"] for s in printed["stages"]] == ["feeds", "pages", "images", "icons"]


def test_the_cli_names_the_story_whose_article_page_failed(tmp_path: Path, server: FeedServer) -> None:
    serve_articles(server, ["alpha"])
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as library:
        library.subscribe(server.add("/teasers.xml", summary_feed(server, ["alpha", "gone"])))
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", "refresh"], env=cli_env(data), capture_output=True, text=True, timeout=120
    )
    with open_library(data, parse_processes=0) as library:
        gone = next(s for s in library.stories(limit=None) if s.link and s.link.endswith("/gone.html"))
    failure = [line for line in result.stderr.splitlines() if "gone" in line]
    assert len(failure) == 1 and failure[0].startswith(f"newsreader: Article page of story {gone.id} ({gone.link}): ")
    assert "Article pages: 1 downloaded, 1 failed." in result.stdout.splitlines()


def test_stopping_iteration_early_ends_the_refresh(library: Library, server: FeedServer) -> None:
    server.add("/articles/stuck.html", handler=hanging)
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, ["stuck"])))
    library.set_feed_options(feed_id, full_articles=True)
    done = threading.Event()
    steps = library.update()
    for step in steps:
        if step.stage is Stage.FEEDS and step.finished:
            break
    closer = threading.Thread(target=lambda: (steps.close(), done.set()))
    closer.start()
    assert done.wait(30)
