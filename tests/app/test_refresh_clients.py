"""The app and the CLI run the same refresh: both store the same things, and the app's progress
never goes back while Cancel stays offered."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from newsreader.app.workers import RefreshWorker
from newsreader.core.library import open_library
from newsreader.core.models import Stage, StageProgress
from tests.conftest import PYTHON, cli_env
from tests.core.test_page_fetching import png, serve_articles, summary_feed
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer


def offline_state(data: Path) -> dict[str, object]:
    """What a refresh stored, without ids or times: stories, pages, images, icons."""
    db = sqlite3.connect(data / "library.sqlite3")
    try:
        return {
            "stories": sorted(db.execute("SELECT key, title, images_checked FROM stories")),
            "pages": sorted(
                db.execute(
                    "SELECT s.key, p.url, p.error IS NULL, p.analysis IS NOT NULL FROM story_pages p "
                    "JOIN stories s ON s.id = p.story_id"
                )
            ),
            "images": sorted(db.execute("SELECT url, digest, error IS NULL FROM images")),
            "icons": sorted(db.execute("SELECT url, icon_url FROM feeds")),
        }
    finally:
        db.close()


def library_with_feeds(data: Path, server: FeedServer) -> None:
    with open_library(data, parse_processes=0) as library:
        library.subscribe(server.url("/teasers.xml"))
        library.subscribe(server.url("/pictures.xml"))


def test_the_app_and_the_cli_store_the_same_refresh(qtbot, tmp_path: Path, server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    names = ["north", "south", "east"]
    serve_articles(server, names)
    server.add("/teasers.xml", summary_feed(server, names))
    picture = server.add("/pics/one.png", png(seed=9), content_type="image/png")
    body = "<p>" + "A long story with its picture. " * 80 + f'</p><img src="{picture}">'
    items = [{"title": "Pictured", "guid": "p1", "link": server.url("/p1"), "description": body}]
    server.add("/pictures.xml", rss(items, link=server.url("/")))
    server.add("/favicon.ico", b"\x00\x00\x01\x00" + b"\x00" * 60, content_type="image/x-icon")

    by_cli = tmp_path / "cli"
    library_with_feeds(by_cli, server)
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", "refresh"], env=cli_env(by_cli), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr

    by_app = tmp_path / "app"
    library_with_feeds(by_app, server)
    library = open_library(by_app, parse_processes=0)
    worker = RefreshWorker(library)
    steps: list[StageProgress] = []
    worker.stage_progress.connect(steps.append)
    try:
        with qtbot.waitSignal(worker.finished, timeout=60000) as done:
            worker.start()
        summary = done.args[0]
    finally:
        library.close()
    assert summary.error is None and not summary.cancelled
    assert [s.stage for s in summary.stages] == list(Stage)
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions)

    stored = offline_state(by_app)
    assert stored == offline_state(by_cli)
    assert len(stored["pages"]) == 3 and len(stored["images"]) == 5  # type: ignore[arg-type]


def test_cancel_ends_the_app_refresh_at_once_during_the_pages(qtbot, tmp_path: Path, server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_pipeline import hanging

    serve_articles(server, ["quick"])
    server.add("/articles/stuck.html", handler=hanging)
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as setup:
        feed_id = setup.subscribe(server.add("/teasers.xml", summary_feed(server, ["quick", "stuck"])))
        setup.set_feed_options(feed_id, full_articles=True)
    library = open_library(data, parse_processes=0)
    worker = RefreshWorker(library)
    worker.page_progress.connect(lambda _page: worker.cancel())  # the stuck page is in flight by now
    try:
        # the stuck page's own deadline is 60 s and the pages stage's budget 15 s: finishing well
        # before either means Cancel cut it
        with qtbot.waitSignal(worker.finished, timeout=10000) as done:
            worker.start()
        summary = done.args[0]
    finally:
        library.close()
    assert summary.cancelled and summary.error is None
    pages = next(s for s in summary.stages if s.stage is Stage.PAGES)
    assert pages.added == 1 and pages.left == 1 and pages.failed == 0
