"""The app without a network, by keys: one "offline" line in the status bar, no feed marked failed,
and a refresh by itself when the platform says the network is back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QNetworkInformation

from newsreader.app.controllers.subscriptions import LOST_LABEL, OFFLINE_LABEL
from newsreader.app.models.feeds import Selection
from newsreader.app.views.main_window import MainWindow
from newsreader.core.library import Library, open_library
from newsreader.core.models import Stage
from tests.app.conftest import shown_window
from tests.app.test_main_window import key
from tests.support.feeds import rss, simple_rss
from tests.support.httpserver import FeedServer

Reachability = QNetworkInformation.Reachability


@pytest.fixture
def sites() -> Iterator[list[FeedServer]]:
    """Three news sites, each its own server (a network down leaves them all unreachable)."""
    servers = [FeedServer() for _ in range(3)]
    for n, site in enumerate(servers):
        site.add("/feed.xml", simple_rss(3, f"site{n}", f"Site {n}"))
    yield servers
    for site in servers:
        site.close()


@pytest.fixture
def offline_window(qtbot, tmp_path: Path, sites: list[FeedServer]) -> Iterator[tuple[MainWindow, Library]]:  # type: ignore[no-untyped-def]
    library = open_library(tmp_path / "data", parse_processes=0)
    for site in sites:
        library.subscribe(site.url("/feed.xml"))
    for _ in library.update(offline=False):
        pass
    with library, shown_window(qtbot, library) as window:
        yield window, library


def test_a_refresh_that_reaches_no_feed_says_offline_once_and_runs_again_when_the_network_is_back(
    qtbot, offline_window, sites: list[FeedServer]
) -> None:
    window, library = offline_window
    before = {f.id: (f.last_checked, f.last_error, f.next_check) for f in library.feeds()}
    ports = [site.port for site in sites]
    for site in sites:  # the network goes, and the platform has not noticed (or cannot tell)
        site.close()
    with qtbot.waitSignal(window.refresher.finished, timeout=30000):
        key(qtbot, window, "r")
    assert window.progress_label.text() == OFFLINE_LABEL
    assert window.errors_button.isHidden()
    assert {f.id: (f.last_checked, f.last_error, f.next_check) for f in library.feeds()} == before
    for feed in library.feeds():
        index = window.feed_model.index_of(Selection("feed", feed.id))
        assert index.data(window.feed_model.ErrorRole) is None
        assert "failed" not in index.data()
    assert window.subscriptions._retry_timer.isActive()  # tries again by itself, too

    window.network.reachability_changed(Reachability.Disconnected)  # now the platform knows
    key(qtbot, window, "r")
    assert window.progress_label.text().startswith("Offline")
    assert not window.refresher.running

    back = [FeedServer(port) for port in ports]
    try:
        for n, site in enumerate(back):
            site.add("/feed.xml", simple_rss(4, f"site{n}", f"Site {n}"))  # one new story each
        with qtbot.waitSignal(window.refresher.finished, timeout=30000):
            window.network.reachability_changed(Reachability.Online)
        assert window.progress_label.text().startswith("Refresh done: 3 new stories from 3 feeds")
        assert not window.subscriptions.offline
        assert all(f.last_error is None and f.unread == 4 for f in library.feeds())
    finally:
        for site in back:
            site.close()


def test_when_the_platform_cannot_tell_the_app_tries_again_quietly_and_recovers(
    qtbot, offline_window, sites: list[FeedServer]
) -> None:
    window, library = offline_window
    ports = [site.port for site in sites]
    for site in sites:
        site.close()
    with qtbot.waitSignal(window.refresher.finished, timeout=30000):
        key(qtbot, window, "r")
    timer = window.subscriptions._retry_timer
    assert timer.isActive() and timer.interval() == 60_000  # the first pause: one minute
    with qtbot.waitSignal(window.refresher.finished, timeout=30000):
        timer.timeout.emit()  # the minute is up (still no network)
    assert window.progress_label.text() == OFFLINE_LABEL  # said once: the retry did not say more
    assert window.progress.isHidden()
    assert timer.isActive() and timer.interval() == 120_000  # the pause doubles

    back = [FeedServer(port) for port in ports]
    try:
        for n, site in enumerate(back):
            site.add("/feed.xml", simple_rss(4, f"site{n}", f"Site {n}"))
        with qtbot.waitSignal(window.refresher.finished, timeout=30000):
            timer.timeout.emit()
        assert window.progress_label.text().startswith("Refresh done: 3 new stories from 3 feeds")
        assert not window.subscriptions.offline and not timer.isActive()
        assert all(f.last_error is None and f.unread == 4 for f in library.feeds())
    finally:
        for site in back:
            site.close()


def test_a_network_lost_during_a_refresh_keeps_what_came_and_says_so(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first two feeds come in, then every name look-up says "try again" (the train entered a
    tunnel; the name server is played in this process, the servers are real): the new stories are
    listed and counted, no feed is marked failed, the status line says the network was lost, and the
    app refreshes again when the platform says it is back."""
    real = socket.getaddrinfo

    def name_server(host: str, *args: object, **kwargs: object) -> object:
        if str(host).endswith(".down.test"):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real("127.0.0.1" if str(host).endswith(".net.test") else host, *args, **kwargs)  # type: ignore[arg-type]

    from newsreader.core.fetch import http

    monkeypatch.setattr(http._RESOLVER, "_lookup", name_server)  # the fetcher's one look-up function
    site = FeedServer()
    try:
        library = open_library(tmp_path / "data", parse_processes=0)
        library.set_setting("workers", "1")  # one request at a time: the two live feeds come first
        live = []
        for n in range(2):
            site.add(f"/live{n}.xml", simple_rss(2, f"live{n}", f"Live {n}"))
            live.append(library.subscribe(f"http://live{n}.net.test:{site.port}/live{n}.xml"))
        list(library.update(live, offline=False))  # read yesterday, on a network
        for n in range(2):
            site.add(f"/live{n}.xml", simple_rss(4, f"live{n}", f"Live {n}"))  # two new stories each
        for n in range(12):
            library.subscribe(f"http://gone{n}.down.test:{site.port}/gone{n}.xml")
        with library, shown_window(qtbot, library) as window:
            qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # shortcuts need the active window
            with qtbot.waitSignal(window.refresher.finished, timeout=30000):
                key(qtbot, window, "r")
            assert window.progress_label.text() == LOST_LABEL.format(new="4 new stories", feeds="2 feeds")
            assert window.errors_button.isHidden()
            assert all(f.last_error is None for f in library.feeds())
            assert sorted(f.unread for f in library.feeds()) == [0] * 12 + [4, 4]
            assert window.subscriptions.offline  # it tries again when the network is back
    finally:
        site.close()


def test_articles_left_for_a_site_that_did_not_answer_are_named_in_the_status_bar(
    qtbot, tmp_path: Path, server: FeedServer
) -> None:
    closed = socket.socket()  # a port nothing listens on: the article site refuses every connection
    closed.bind(("127.0.0.1", 0))
    site = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    items = [
        {"title": f"Story {n}", "link": f"http://{site}/story/{n}", "guid": f"s{n}", "description": "<p>Short.</p>"}
        for n in range(12)
    ]
    library = open_library(tmp_path / "data", parse_processes=0)
    library.set_setting("full_articles", "on")
    library.subscribe(server.add("/feed.xml", rss(items, title="Summaries")))
    with library, shown_window(qtbot, library) as window:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # shortcuts reach the active window only
        with qtbot.waitSignal(window.refresher.finished, timeout=30000) as finished:
            key(qtbot, window, "r")
        [pages] = [s for s in finished.args[0].stages if s.stage is Stage.PAGES]
        # of the newest 10 stories, the per-host cap of 4 were asked at most, together: the rest wait
        assert pages.total == 10 and pages.left >= 6 and pages.waiting_hosts == (site,)
        label = window.progress_label.text()
        assert label.startswith("Refresh done: 12 new stories from 1 feed.")
        assert label.endswith(f"{pages.left} articles left for later: {site} did not answer lately.")
