"""Qt fixtures: an offscreen QApplication (pytest-qt), a library served by the loopback server, the
main window on it, and a recorder standing in for the system browser."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from newsreader.app.settings import SettingsStore
from newsreader.app.views.main_window import MainWindow
from newsreader.core.library import Library, open_library
from tests.support.feeds import rss, simple_rss
from tests.support.httpserver import FeedServer

ALPHA_STORIES = 250


@pytest.fixture(autouse=True)
def _application(qapp):  # type: ignore[no-untyped-def]
    """Every app test runs with the (offscreen) QApplication."""
    return qapp


class UrlRecorder(QObject):
    """Receives what would have gone to the system browser or mailer."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser() -> Iterator[UrlRecorder]:
    recorder = UrlRecorder()
    for scheme in ("http", "https", "mailto"):
        QDesktopServices.setUrlHandler(scheme, recorder, "open")
    yield recorder
    for scheme in ("http", "https", "mailto"):
        QDesktopServices.unsetUrlHandler(scheme)


def sponsored_feed() -> str:
    items = [
        {
            "title": f"Beta news {i}",
            "link": f"http://127.0.0.1:9/beta/{i}",
            "guid": f"beta-{i}",
            "description": f"<p>Beta story {i} about zebras and giraffes.</p>",
            "pubDate": f"Tue, {10 + i:02d} Jun 2025 09:00:00 GMT",
        }
        for i in range(4)
    ]
    items.append(
        {
            "title": "Buy our zebra-striped laptops",
            "link": "http://127.0.0.1:9/beta/ad",
            "guid": "beta-ad",
            "description": "<p>A message from our partner.</p>",
            "category": "Sponsored",
            "pubDate": "Wed, 18 Jun 2025 09:00:00 GMT",
        }
    )
    return rss(items, title="Beta")


def populate(library: Library, server: FeedServer) -> dict[str, int]:
    """Three feeds: Alpha (many stories, folder News), Beta (with a sponsored item), Broken (HTTP 500)."""
    ids = {
        "alpha": library.subscribe(
            server.add("/alpha.xml", simple_rss(ALPHA_STORIES, "alpha", "Alpha")), folder="News"
        ),
        "beta": library.subscribe(server.add("/beta.xml", sponsored_feed())),
        "broken": library.subscribe(server.add("/broken.xml", "oops", status=500)),
    }
    for _ in library.refresh():
        pass
    return ids


@pytest.fixture
def gui_library(tmp_path: Path, server: FeedServer) -> Iterator[tuple[Library, dict[str, int]]]:
    lib = open_library(tmp_path / "data", parse_processes=0)
    ids = populate(lib, server)
    yield lib, ids
    lib.close()


def open_window(library: Library) -> MainWindow:
    store = SettingsStore(library)
    window = MainWindow(library, store, store.load())
    window.restore_state()
    window.show()
    return window


@contextmanager
def shown_window(qtbot, library: Library) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """The main window on *library*, shown; its refresh and workers stopped afterwards."""
    win = open_window(library)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        win.refresher.cancel()
        win.refresher.wait(10)
        win.tasks.close()


@pytest.fixture
def window(qtbot, gui_library, browser) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    library, _ = gui_library
    with shown_window(qtbot, library) as win:
        yield win
