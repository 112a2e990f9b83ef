"""Findings of issue #16 that were tested only below the window, now by keys and clicks on real
widgets: the feed's own icon in the tree after a refresh, "Open in browser" on a desktop where no
browser opens, a password asked for when a feed answers 401, images and captions in a story, and
related and sponsored entries that open on a click or Enter."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QTimer
from PySide6.QtGui import QColor, QDesktopServices, QImage
from PySide6.QtWidgets import QApplication, QToolButton

from newsreader.app.models.feeds import Selection
from newsreader.app.views.dialogs.add_feed import AddFeedDialog
from newsreader.app.views.item_list import ItemRole
from newsreader.app.views.main_window import MainWindow
from newsreader.core.library import Library, open_library
from tests.app.conftest import shown_window
from tests.app.test_main_window import key, open_with
from tests.core.test_credentials import PASSWORD, guarded_feed
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer

SITE_COLOUR = QColor(200, 30, 40)


def solid_png(colour: QColor, size: int = 32) -> bytes:
    """A PNG of one colour (what the tree shows can be told from the default document icon)."""
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(colour)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def tree_icon_colour(window: MainWindow, feed_id: int) -> QColor:
    index = window.feed_model.index_of(Selection("feed", feed_id))
    icon = index.data(Qt.ItemDataRole.DecorationRole)
    image = icon.pixmap(16, 16).toImage()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def answer_add_dialog(asking_password: bool, act: Callable[[AddFeedDialog], None]) -> None:
    """Run *act* on the next add-feed dialog, with (or without) its password fields, once it is
    open; a dialog left open 30 s is closed, so that a test fails instead of hanging."""
    started = time.monotonic()

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, AddFeedDialog) and dialog.user_edit.isVisible() == asking_password:
            try:
                act(dialog)
            finally:
                if dialog.isVisible():  # the act went wrong: the test fails on what it recorded
                    dialog.reject()
        elif time.monotonic() - started > 30:
            if dialog is not None:
                dialog.close()
        else:
            QTimer.singleShot(10, attempt)

    QTimer.singleShot(0, attempt)


@pytest.fixture
def own_window(qtbot, tmp_path: Path) -> Iterator[tuple[MainWindow, Library]]:  # type: ignore[no-untyped-def]
    with open_library(tmp_path / "data", parse_processes=0) as library, shown_window(qtbot, library) as window:
        yield window, library


def test_after_r_the_tree_shows_the_icon_the_feeds_site_declares(qtbot, own_window, server: FeedServer) -> None:
    window, library = own_window
    server.add(
        "/site/",
        '<html><head><link rel="icon" href="/static/logo.png"></head><body>A site</body></html>',
        content_type="text/html",
    )
    server.add("/static/logo.png", solid_png(SITE_COLOUR), content_type="image/png")
    feed_url = server.add(
        "/feed.xml", rss([{"title": "Hello", "guid": "h", "link": server.url("/p/1")}], link=server.url("/site/"))
    )
    feed_id = library.subscribe(feed_url)
    window.subscriptions.reload_feeds()
    before = tree_icon_colour(window, feed_id)
    assert before != SITE_COLOUR  # the default document icon until the refresh
    with qtbot.waitSignal(window.refresher.finished, timeout=30000):
        key(qtbot, window, "r")
    qtbot.waitUntil(lambda: tree_icon_colour(window, feed_id) == SITE_COLOUR, timeout=10000)
    assert len(server.hits_for("/static/logo.png")) == 1
    assert not server.hits_for("/favicon.ico")  # the declared icon was enough


def test_open_in_browser_with_no_browser_says_so_and_copies_the_link(qtbot, window, gui_library) -> None:
    library, _ids = gui_library
    for scheme in ("http", "https", "mailto"):
        QDesktopServices.unsetUrlHandler(scheme)  # the offscreen desktop then has no way to open a link
    story_id = open_with(qtbot, window, "j")
    link = library.story(story_id).link
    QApplication.clipboard().clear()
    key(qtbot, window, "o")
    assert window.statusBar().currentMessage().startswith(f"No browser could open {link}")
    assert QApplication.clipboard().text() == link
    # the toolbar's button, clicked, says the same (and the story stays open)
    window.statusBar().clearMessage()
    assert window.toolbar is not None
    button = window.toolbar.widgetForAction(window.actions_by_name["open_original"])
    assert isinstance(button, QToolButton) and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage().startswith(f"No browser could open {link}")
    assert window.reading.current_story is not None and window.reading.current_story.id == story_id


def test_adding_a_feed_that_answers_401_asks_for_a_password_by_keys_and_keeps_it_out_of_the_library(
    qtbot, own_window, server: FeedServer, keyring_file: Path
) -> None:
    window, library = own_window
    url = guarded_feed(server)
    asked: list[str] = []
    focus: list[bool] = []

    def type_address(dialog: AddFeedDialog) -> None:
        answer_add_dialog(True, type_credentials)  # the server will answer 401: the dialog comes back
        qtbot.keyClicks(dialog.url_edit, url)
        qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)

    def type_credentials(dialog: AddFeedDialog) -> None:
        asked.append(dialog.url_edit.text())
        focus.append(dialog.focusWidget() is dialog.user_edit)  # ready to type the user name
        qtbot.keyClicks(dialog.user_edit, "ann")
        qtbot.keyClick(dialog.user_edit, Qt.Key.Key_Tab)
        focus.append(dialog.focusWidget() is dialog.password_edit)  # Tab goes on to the password
        qtbot.keyClicks(dialog.password_edit, PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    answer_add_dialog(False, type_address)
    key(qtbot, window, "n", Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(f.total == 2 for f in library.feeds()), timeout=20000)
    assert asked == [url]  # the same address, now with user name and password fields
    assert focus == [True, True]
    feed = library.feeds()[0]
    assert feed.url == url and feed.auth_user == "ann"
    assert PASSWORD in keyring_file.read_text()
    library.close_thread()
    database = sqlite3.connect(library.path)
    try:
        dumped = "\n".join(database.iterdump())
    finally:
        database.close()
    assert PASSWORD not in dumped and "s3cr" not in dumped  # nowhere in the library
    assert "s3cr" not in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.feed_model.index_of(Selection("feed", feed.id)).isValid(), timeout=10000)


def test_a_story_opened_by_j_shows_images_on_their_own_lines_and_the_figure_caption(
    qtbot, own_window, server: FeedServer
) -> None:
    window, library = own_window
    server.add("/img/a.png", solid_png(QColor(0, 120, 0)), content_type="image/png")
    server.add("/img/b.png", solid_png(QColor(0, 0, 160)), content_type="image/png")
    content = (
        f'<p>Text before <img src="{server.url("/img/a.png")}"> and after</p>'
        f'<figure><img src="{server.url("/img/b.png")}"><figcaption>The caption</figcaption></figure>'
    )
    library.subscribe(server.add("/feed.xml", rss([{"title": "Pictures", "guid": "p", "description": content}])))
    for _ in library.update():  # the images are kept for offline reading
        pass
    window.subscriptions.reload_feeds()
    window.reading.load_list()
    qtbot.waitUntil(lambda: window.story_model.rowCount() == 1, timeout=10000)
    open_with(qtbot, window, "j")
    document = window.story_pane.browser.document()
    lines: list[tuple[str, int]] = []  # each block's text and how many images it holds
    block = document.begin()
    while block.isValid():
        images = 0
        fragments = block.begin()
        while not fragments.atEnd():
            images += fragments.fragment().charFormat().isImageFormat()
            fragments += 1
        lines.append((block.text().replace("\ufffc", "").strip(), images))
        block = block.next()
    assert [images for text, images in lines if images] == [1, 1]  # each image alone on its line
    assert all(text == "" for text, images in lines if images)
    assert ("The caption", 0) in lines  # the figure's caption, under its image
    assert any(text.startswith("Text before") and text.endswith("and after") for text, _ in lines)


def test_a_sponsored_entry_opens_on_ctrl_5_and_enter_and_a_related_one_on_one_click(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    first = open_with(qtbot, window, "j")
    ad = window.sponsored_pane.items.from_source[0]
    key(qtbot, window, "5", Qt.KeyboardModifier.ControlModifier)
    tree = window.sponsored_pane.tree
    assert tree.hasFocus() and tree.currentItem() is not None
    with qtbot.waitSignal(window.story_displayed, timeout=10000) as shown:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert shown.args[0] == ad.id != first

    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        window.reading.show_story_by_id(first)
    related = window.related_pane.tree
    target = next(
        item
        for row in range(related.topLevelItemCount())
        if (item := related.topLevelItem(row)) is not None and item.data(0, ItemRole) is not None
    )
    wanted = window.related_pane.entries()[0][1].story_id
    with qtbot.waitSignal(window.story_displayed, timeout=10000) as shown:
        qtbot.mouseClick(related.viewport(), Qt.MouseButton.LeftButton, pos=related.visualItemRect(target).center())
    assert shown.args[0] == wanted != first
    assert library.story(wanted).read


def test_the_readme_lists_every_shortcut_the_window_has(window) -> None:
    import re

    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| keys | action |") : readme.index("`F1` lists them all.")]
    listed = set(re.findall(r"`([^`]+)`", table))
    for low, high in re.findall(r"`Ctrl\+(\d)` … `Ctrl\+(\d)`", table):
        listed.update(f"Ctrl+{n}" for n in range(int(low), int(high) + 1))
    shortcuts = {keys for spec in window.action_specs for keys in spec.shortcuts}
    assert shortcuts - listed == set()
