"""Sync accounts in the app, driven by keys and clicks against real servers on 127.0.0.1: the FreshRSS
model (Google Reader API, checked against recorded FreshRSS traffic), coldsweat (a real Fever server)
and Tiny Tiny RSS where the suite runs it — adding an account after a connection test, the account's
node in the subscriptions tree, syncing from the refresh action, a dead server in the status bar,
marking read reaching the server, and moving an account's feed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton

from newsreader.app.models.feeds import FEED_IDS_MIME, Selection
from newsreader.app.views.dialogs.add_feed import AddFeedDialog
from newsreader.app.views.dialogs.feed_properties import FeedPropertiesDialog
from newsreader.app.views.main_window import MainWindow
from newsreader.core.fetch import Fetcher
from newsreader.core.library import Library, open_library
from newsreader.core.sync.fever import FeverClient
from tests.app.conftest import open_window
from tests.support.feeds import simple_rss
from tests.support.freshrss import Entry, FreshRSS
from tests.support.httpserver import FeedServer
from tests.support.syncservers import Coldsweat, coldsweat, free_port
from tests.sync.test_coldsweat_server import subscribe

SYNC_TIMEOUT_MS = 60_000


@pytest.fixture
def freshrss() -> Iterator[FreshRSS]:
    model = FreshRSS()
    for n, folder in ((1, "Tech"), (2, "Hardware"), (3, "Tech")):
        model.add_feed(f"Feed {n}", f"https://f{n}.example/feed", f"https://f{n}.example/", folder)
    model.crawl(
        {
            n: [
                Entry(
                    f"F{n} story {k}",
                    f"https://f{n}.example/{k}",
                    "W",
                    f"<p>Story {k} of feed {n}.</p>",
                    1_790_000_000 + k * 60 + n,
                )
                for k in range(12)
            ]
            for n in (1, 2, 3)
        },
        1_795_000_000_000_000,
    )
    yield model
    model.close()


@pytest.fixture
def fever_server(tmp_path: Path) -> Iterator[Coldsweat]:
    yield from coldsweat(tmp_path / "coldsweat")


@pytest.fixture
def empty_library(tmp_path: Path, keyring_file: Path) -> Iterator[Library]:
    lib = open_library(tmp_path / "data", parse_processes=0)
    # the servers' items link to made-up hosts: no article pages or icons from them (one test below
    # turns pages on, with links to the loopback server)
    lib.set_setting("full_articles", "off")
    lib.set_setting("feed_icons", "off")
    yield lib
    lib.close()


@pytest.fixture
def app(qtbot, empty_library: Library, browser) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win = open_window(empty_library)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    yield win
    win.refresher.cancel()
    win.syncer.cancel()
    win.refresher.wait(10)
    win.syncer.wait(30)
    win.tasks.close()


def sync_done(qtbot, window: MainWindow, action) -> None:  # type: ignore[no-untyped-def]
    """Run *action* (a key press, a click) and wait for the sync it starts to end."""
    with qtbot.waitSignal(window.syncer.finished, timeout=SYNC_TIMEOUT_MS):
        action()


def press_refresh(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.feed_view.setFocus()
    qtbot.keyClick(window.feed_view, Qt.Key.Key_R)


def account_children(window: MainWindow, name: str) -> dict[str, list[str]]:
    """The account node's folders with their feeds' titles (feeds outside a folder under "")."""
    model = window.feed_model
    node = model.index_of(Selection("account", name))
    shape: dict[str, list[str]] = {}
    for row in range(model.rowCount(node)):
        child = model.index(row, 0, node)
        selection = child.data(model.SelectionRole)
        if selection.kind == "folder":
            shape[child.data()] = [model.index(r, 0, child).data() for r in range(model.rowCount(child))]
        else:
            shape.setdefault("", []).append(child.data())
    return shape


def test_adding_an_account_tests_the_connection_and_the_tree_shows_its_feeds(
    qtbot, app: MainWindow, freshrss: FreshRSS, server: FeedServer, keyring_file: Path
) -> None:
    dialog = app.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.show_accounts()
    dialog.show()
    page = dialog.accounts
    assert page is not None
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    add = app.accounts.dialog
    assert add is not None and add.isVisible()
    qtbot.keyClicks(add.name_edit, "fresh")
    add.kind_box.setFocus()
    add.kind_box.setCurrentIndex(add.kind_box.findData("greader"))
    qtbot.keyClicks(add.url_edit, freshrss.url())
    qtbot.keyClicks(add.user_edit, "alice")
    qtbot.keyClicks(add.password_edit, "not-her-password")

    def result() -> str:
        qtbot.waitUntil(lambda: add.test_button.isEnabled(), timeout=SYNC_TIMEOUT_MS)
        return add.status_label.text()

    qtbot.mouseClick(add.test_button, Qt.MouseButton.LeftButton)
    assert result() == f"✘ {freshrss.url()} refused the user name or password of alice."
    qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)  # adding tests first too
    assert result().startswith("✘ ") and add.isVisible()
    assert app.library.accounts() == []

    # not that kind of server, and no server at all: one sentence each, nothing stored
    add.kind_box.setCurrentIndex(add.kind_box.findData("ttrss"))
    page_url = server.add("/", "<html><body>A blog</body></html>", content_type="text/html")
    add.url_edit.setText(page_url)
    qtbot.mouseClick(add.test_button, Qt.MouseButton.LeftButton)
    assert result() == (
        f"✘ {page_url} did not answer as a Tiny Tiny RSS API server; check the kind of server and the address "
        "(it answered HTTP 404)."
    )
    dead = f"http://127.0.0.1:{free_port()}/api/greader.php"
    add.kind_box.setCurrentIndex(add.kind_box.findData("greader"))
    add.url_edit.setText(dead)
    qtbot.mouseClick(add.test_button, Qt.MouseButton.LeftButton)
    assert (
        result()
        == f"✘ {dead.removesuffix('/api/greader.php')}/api/greader.php/accounts/ClientLogin refused the connection."
    )

    add.url_edit.setText(freshrss.url())
    add.password_edit.clear()
    qtbot.keyClicks(add.password_edit, freshrss.password)
    qtbot.mouseClick(add.test_button, Qt.MouseButton.LeftButton)
    assert result() == "✔ Connected: the server accepted alice."
    assert app.library.accounts() == []  # a test stores nothing

    # adding it syncs it, and the tree fills in under the account's own node
    with qtbot.waitSignal(app.syncer.finished, timeout=SYNC_TIMEOUT_MS):
        qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
    assert app.accounts.dialog is None  # closed (and deleted)
    [account] = app.library.accounts()
    assert (account.name, account.kind, account.user) == ("fresh", "greader", "alice")
    assert freshrss.password in keyring_file.read_text()
    assert freshrss.password.encode() not in Path(app.library.path).read_bytes()
    assert page.tree.topLevelItem(0).text(0) == "fresh"
    assert page.tree.topLevelItem(0).text(3).startswith("Synced ")
    assert account_children(app, "fresh") == {"Hardware": ["Feed 2"], "Tech": ["Feed 1", "Feed 3"]}
    node = app.feed_model.index_of(Selection("account", "fresh"))
    assert app.feed_model.index(node.row(), 1, QModelIndex()).data() == "36"
    assert "fresh synced: 36 new stories." in app.sync_label.text()
    dialog.reject()

    # the account's stories read like local ones: select its node, open a story, search finds it
    local = app.library.subscribe(server.add("/local.xml", simple_rss(3, "local", "Local")))
    for _ in app.library.refresh([local]):
        pass
    app.subscriptions.reload_feeds()
    app.subscriptions.select(Selection("view", "all"))
    qtbot.waitUntil(lambda: app.story_model.rowCount() == 39)
    app.subscriptions.select(Selection("account", "fresh"))
    qtbot.waitUntil(lambda: app.story_model.rowCount() == 36)
    with qtbot.waitSignal(app.story_displayed, timeout=20000):
        qtbot.mouseClick(
            app.story_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=app.story_view.visualRect(app.story_model.index(0, 0)).center(),
        )
    assert "Story 11 of feed 3" in app.story_pane.browser.toPlainText()
    qtbot.keyClicks(app.search_edit, "F2")
    qtbot.keyClick(app.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.story_model.rowCount() == 12, timeout=10000)


def test_refresh_syncs_accounts_and_reading_reaches_the_server(
    qtbot, app: MainWindow, fever_server: Coldsweat, server: FeedServer, tmp_path: Path
) -> None:
    subscribe(fever_server, server, tmp_path, {"Alpha": ("News", 5), "Beta": ("Misc", 3)})
    app.library.add_account("cs", "fever", fever_server.fever, fever_server.email, fever_server.password)
    app.subscriptions.reload_feeds()
    assert account_children(app, "cs") == {}

    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert account_children(app, "cs") == {"Misc": ["Beta"], "News": ["Alpha"]}
    assert app.sync_label.text() == "cs synced: 8 new stories."

    # opening a story marks it read: queued at once, on the server after the next refresh
    alpha = next(f for f in app.library.feeds() if f.title == "Alpha")
    app.subscriptions.select(Selection("feed", alpha.id))
    qtbot.waitUntil(lambda: app.story_model.rowCount() == 5)
    app.story_view.setFocus()
    with qtbot.waitSignal(app.story_displayed, timeout=20000):
        qtbot.keyClick(app.story_view, Qt.Key.Key_J)
    opened = app.reading.current_story
    assert opened is not None
    qtbot.waitUntil(lambda: app.library.story(opened.id).read)
    read = {s.title for s in app.library.stories(account="cs", limit=None) if s.read}
    assert opened.title in read
    assert {(c.op, c.title) for c in app.library.queued_changes()} == {("read", title) for title in read}
    # …and S stars it
    qtbot.keyClick(app.story_view, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: len(app.library.queued_changes()) == len(read) + 1)
    fever = FeverClient(fever_server.fever, fever_server.email, fever_server.password, Fetcher())
    remote = {item.title: item.id for page in fever.items_since("0") for item in page}
    assert remote[opened.title] in fever.unread_ids()

    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert not {remote[title] for title in read} & set(fever.unread_ids())
    assert fever.saved_ids() == (remote[opened.title],)
    assert app.library.queued_changes() == []
    assert app.sync_label.text() == f"cs synced: no new stories, {len(read) + 1} changes sent."

    # mark all read on the account's node: every item, through the server
    app.subscriptions.select(Selection("account", "cs"))
    app.feed_view.setFocus()
    qtbot.keyClick(app.feed_view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    node = app.feed_model.index_of(Selection("account", "cs"))
    qtbot.waitUntil(lambda: app.feed_model.index(node.row(), 1, QModelIndex()).data() == "")
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert fever.unread_ids() == ()


def test_a_dead_server_is_one_sentence_in_the_status_bar(qtbot, app: MainWindow) -> None:
    dead = f"http://127.0.0.1:{free_port()}/fever/"
    app.library.add_account("gone", "fever", dead, "ann", "pw", check=False)
    app.subscriptions.reload_feeds()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    sentence = f"gone: {dead}?api&groups&feeds refused the connection."
    assert app.sync_label.text() == sentence
    assert app.statusBar().currentMessage() == sentence
    assert "Traceback" not in app.sync_label.text()
    node = app.feed_model.index_of(Selection("account", "gone"))
    assert "Last sync failed:" in node.data(Qt.ItemDataRole.ToolTipRole)
    assert app.sync_cancel_button.isHidden()


def drop_onto(window: MainWindow, feed_id: int, target: Selection) -> None:
    """What dropping a dragged feed onto a tree node does (the view hands the model its mime data)."""
    data = QMimeData()
    data.setData(FEED_IDS_MIME, str(feed_id).encode())
    window.feed_model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, window.feed_model.index_of(target))


def test_moving_an_account_feed_goes_to_its_server(qtbot, app: MainWindow, freshrss: FreshRSS) -> None:
    app.library.add_account("fresh", "greader", freshrss.url(), "alice", freshrss.password)
    app.subscriptions.reload_feeds()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    feed1 = next(f for f in app.library.feeds() if f.title == "Feed 1")
    assert feed1.folder == "fresh/Tech"

    drop_onto(app, feed1.id, Selection("folder", "fresh/Hardware"))
    assert account_children(app, "fresh") == {"Hardware": ["Feed 1", "Feed 2"], "Tech": ["Feed 3"]}
    [change] = app.library.queued_changes()
    assert change.op == "move"
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert next(f for f in freshrss.feeds.values() if f.title == "Feed 1").folder == "Hardware"
    assert app.library.queued_changes() == []
    assert account_children(app, "fresh") == {"Hardware": ["Feed 1", "Feed 2"], "Tech": ["Feed 3"]}

    # a local feed cannot be dropped into an account: one sentence, nothing moves
    local = app.library.subscribe("https://example.org/feed.xml", title="Local")
    app.subscriptions.reload_feeds()
    drop_onto(app, local, Selection("folder", "fresh/Tech"))
    assert app.statusBar().currentMessage() == (
        "A feed cannot move into account fresh: feeds move only between the folders of their own account."
    )
    assert app.library.feed(local).folder is None


def test_a_fever_feed_cannot_move_and_says_so(
    qtbot, app: MainWindow, fever_server: Coldsweat, server: FeedServer, tmp_path: Path
) -> None:
    subscribe(fever_server, server, tmp_path, {"Alpha": ("News", 2), "Beta": ("Misc", 1)})
    app.library.add_account("cs", "fever", fever_server.fever, fever_server.email, fever_server.password)
    app.subscriptions.reload_feeds()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    alpha = next(f for f in app.library.feeds() if f.title == "Alpha")
    # from the feed's context menu: Move to ▸ Misc
    menu = app.subscriptions.feed_menu(Selection("feed", alpha.id))
    move = next(a for a in menu.actions() if a.text() == "Move to").menu()
    assert [a.text() for a in move.actions()] == ["cs (top level)", "Misc", "News"]
    next(a for a in move.actions() if a.text() == "Misc").trigger()
    assert app.statusBar().currentMessage() == (
        "The Fever API has no way to move a feed; move it on the server's own page."
    )
    assert app.library.feed(alpha.id).folder == "cs/News"
    assert app.library.queued_changes() == []


def test_removing_an_account_after_asking(qtbot, app: MainWindow, freshrss: FreshRSS, keyring_file: Path) -> None:
    app.library.add_account("fresh", "greader", freshrss.url(), "alice", freshrss.password)
    app.subscriptions.reload_feeds()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    dialog = app.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    page = dialog.accounts
    assert page is not None
    page.tree.setCurrentItem(page.tree.topLevelItem(0))

    def confirm() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            button = next(b for b in box.findChildren(QPushButton) if b.text() == "Remove account")
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
            confirm()

    QTimer.singleShot(0, confirm)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert app.library.accounts() == []
    assert page.tree.topLevelItemCount() == 0
    assert not app.feed_model.index_of(Selection("account", "fresh")).isValid()
    assert app.library.feeds() == []
    assert freshrss.password not in keyring_file.read_text()


def test_a_tiny_tiny_rss_account_in_the_app(qtbot, app: MainWindow) -> None:
    from newsreader.core.sync.ttrss import TTRSSClient
    from tests.support.syncservers import ttrss_user
    from tests.sync.test_ttrss_server import rss

    ttrss = ttrss_user()
    client = TTRSSClient(ttrss.url, ttrss.user, ttrss.password, Fetcher())
    feed = client.subscribe(ttrss.feed_url(f"{ttrss.user}-app.xml", rss("Appfeed", 4)))
    client.call("updateFeed", feed_id=int(feed.feed_id))

    add = app.accounts.add_account()
    qtbot.keyClicks(add.name_edit, "tt")
    add.kind_box.setCurrentIndex(add.kind_box.findData("ttrss"))
    qtbot.keyClicks(add.url_edit, ttrss.url)
    qtbot.keyClicks(add.user_edit, ttrss.user)
    qtbot.keyClicks(add.password_edit, "wrong")
    qtbot.mouseClick(add.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: add.test_button.isEnabled(), timeout=SYNC_TIMEOUT_MS)
    assert add.status_label.text().startswith("✘ ") and "refused the user name or password" in add.status_label.text()
    add.password_edit.setText(ttrss.password)
    with qtbot.waitSignal(app.syncer.finished, timeout=SYNC_TIMEOUT_MS):
        qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
    assert account_children(app, "tt") == {"": ["Appfeed"]}
    assert app.sync_label.text() == "tt synced: 4 new stories."

    # the dialog has closed: back to the window, whose shortcuts apply
    qtbot.waitUntil(lambda: app.accounts.dialog is None)
    app.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app)
    appfeed = next(f for f in app.library.feeds() if f.account == "tt")
    app.subscriptions.select(Selection("feed", appfeed.id))
    qtbot.waitUntil(lambda: app.story_model.rowCount() == 4)
    app.feed_view.setFocus()
    qtbot.keyClick(app.feed_view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # mark all read
    qtbot.waitUntil(lambda: app.library.feed(appfeed.id).unread == 0)
    assert app.library.queued_changes()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert client.item_ids(view_mode="unread") == ()


def test_stop_sync_cancels_it_and_the_next_one_finishes(
    qtbot, app: MainWindow, freshrss: FreshRSS, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.library.add_account("fresh", "greader", freshrss.url(), "alice", freshrss.password)
    app.subscriptions.reload_feeds()
    asked = threading.Event()
    serve = freshrss._serve

    def noting(request: Any, body: bytes) -> None:
        asked.set()
        serve(request, body)

    monkeypatch.setattr(freshrss, "_serve", noting)
    freshrss.lock.acquire()  # the server holds its first answer until the user has pressed Stop
    held = True
    try:
        press_refresh(qtbot, app)
        qtbot.waitUntil(asked.is_set)  # the sync waits for the server's first answer
        # The account's name reaches the label by a queued signal, which may land after the request.
        qtbot.waitUntil(lambda: app.sync_label.text() == "Syncing fresh…")
        assert app.sync_cancel_button.isVisible()
        with qtbot.waitSignal(app.syncer.finished, timeout=SYNC_TIMEOUT_MS) as finished:
            qtbot.mouseClick(app.sync_cancel_button, Qt.MouseButton.LeftButton)
            freshrss.lock.release()
            held = False
    finally:
        if held:
            freshrss.lock.release()
    [result] = finished.args[0]
    assert result.report.error == "The sync was cancelled."
    assert app.sync_label.text() == "fresh: The sync was cancelled."
    assert app.sync_cancel_button.isHidden()
    assert app.library.stories(account="fresh", limit=None) == []
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert len(app.library.stories(account="fresh", limit=None)) == 36


def test_new_account_stories_get_their_article_pages(qtbot, app: MainWindow, server: FeedServer) -> None:
    body = "<p>The whole text of the article, long enough to be the story rather than its summary.</p>" * 20
    page = server.add(
        "/article/1", f"<html><body><article><h1>Full</h1>{body}</article></body></html>", content_type="text/html"
    )
    model = FreshRSS()
    try:
        model.add_feed("Summaries", "https://f.example/feed", "https://f.example/", "Tech")
        model.crawl({1: [Entry("Only a summary", page, "W", "<p>Short.</p>", 1_790_000_000)]}, 1_795_000_000_000_000)
        app.library.set_setting("full_articles", None)  # auto: summary-only feeds get their pages
        app.library.add_account("fresh", "greader", model.url(), "alice", model.password)
        app.subscriptions.reload_feeds()
        with qtbot.waitSignal(app.refresher.finished, timeout=SYNC_TIMEOUT_MS):
            sync_done(qtbot, app, lambda: app.sync.sync_account("fresh"))
        [story] = app.library.stories(account="fresh")
        assert app.library.reading_view(story.id).body_origin == "article"
        assert "1 article downloaded" in app.progress_label.text()
    finally:
        model.close()


def fill_add_feed(qtbot, url: str, seen: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Type *url* into the Add feed dialog once it is open, and press Add."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, AddFeedDialog):
        QTimer.singleShot(20, lambda: fill_add_feed(qtbot, url, seen))
        return
    seen.extend([dialog.windowTitle(), dialog.folder() or ""])
    qtbot.keyClicks(dialog.url_edit, url)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_adding_a_feed_to_an_account_subscribes_on_its_server(
    qtbot, app: MainWindow, freshrss: FreshRSS, fever_server: Coldsweat, server: FeedServer, tmp_path: Path
) -> None:
    app.library.add_account("fresh", "greader", freshrss.url(), "alice", freshrss.password)
    app.subscriptions.reload_feeds()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    url = "https://new.example/feed"
    freshrss.offered[url] = (
        "New feed",
        "https://new.example/",
        "",
        [Entry("New story", "https://new.example/1", "W", "<p>n</p>", 1_790_000_500)],
    )
    app.subscriptions.select(Selection("folder", "fresh/Tech"))
    app.feed_view.setFocus()
    seen: list[str] = []
    QTimer.singleShot(0, lambda: fill_add_feed(qtbot, url, seen))
    sync_done(qtbot, app, lambda: qtbot.keyClick(app.feed_view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier))
    assert seen == ["Add feed to fresh", "Tech"]
    assert account_children(app, "fresh")["Tech"] == ["Feed 1", "Feed 3", "New feed"]
    assert next(f for f in freshrss.feeds.values() if f.title == "New feed").folder == "Tech"
    assert [s.title for s in app.library.stories(account="fresh", limit=None) if s.feed_title == "New feed"] == [
        "New story"
    ]

    # Fever has no subscribe call: said at once, nothing queued
    subscribe(fever_server, server, tmp_path, {"Alpha": ("News", 1)})
    app.library.add_account("cs", "fever", fever_server.fever, fever_server.email, fever_server.password)
    app.subscriptions.reload_feeds()
    app.subscriptions.select(Selection("account", "cs"))
    app.activateWindow()  # back from the dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app)
    app.feed_view.setFocus()
    seen.clear()
    QTimer.singleShot(0, lambda: fill_add_feed(qtbot, "https://other.example/feed", seen))
    qtbot.keyClick(app.feed_view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["Add feed to cs", ""]
    assert app.statusBar().currentMessage() == (
        "The Fever API has no way to subscribe; add the feed on the server's own page."
    )
    assert app.library.queued_changes("cs") == []


def test_the_app_syncs_on_start_and_on_its_timer(
    qtbot, qapp, tmp_path: Path, freshrss: FreshRSS, keyring_file: Path
) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from newsreader.app.application import Application

    data = tmp_path / "timer"
    with open_library(data, parse_processes=0) as library:
        library.set_setting("full_articles", "off")
        library.set_setting("feed_icons", "off")
        library.add_account("fresh", "greader", freshrss.url(), "alice", freshrss.password)
    application = Application(qapp, str(data))
    window = application.window
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.syncer.finished, timeout=SYNC_TIMEOUT_MS):
            application.show()
            application.start_refreshing()
        assert len(application.library.stories(account="fresh", limit=None)) == 36
        assert application.sync_timer.isActive() and application.sync_timer.interval() == 30 * 60_000

        settings = dataclasses.replace(window.settings, sync_minutes=5)
        window.store.save(settings)
        window.settings_changed(settings)
        assert application.sync_timer.isActive() and application.sync_timer.interval() == 5 * 60_000
        freshrss.crawl(
            {1: [Entry("Later", "https://f1.example/later", "W", "<p>l</p>", 1_790_100_000)]}, 1_796_000_000_000_000
        )
        with qtbot.waitSignal(window.syncer.finished, timeout=SYNC_TIMEOUT_MS):
            application.sync_timer.timeout.emit()  # what the timer does when its interval has passed
        assert window.sync_label.text() == "fresh synced: 1 new story."

        off = dataclasses.replace(settings, sync_minutes=0)
        window.settings_changed(off)
        assert not application.sync_timer.isActive()
    finally:
        window.close()
        application.shut_down()


def press_button(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Press the button called *text* of the modal box once it is open."""
    box = QApplication.activeModalWidget()
    buttons = [b for b in box.findChildren(QPushButton) if b.text() == text] if box is not None else []
    if not buttons:
        QTimer.singleShot(20, lambda: press_button(qtbot, text))
        return
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)


def test_renaming_and_unsubscribing_an_account_feed_go_to_its_server(
    qtbot, app: MainWindow, freshrss: FreshRSS
) -> None:
    app.library.add_account("fresh", "greader", freshrss.url(), "alice", freshrss.password)
    app.subscriptions.reload_feeds()
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    feed2 = next(f for f in app.library.feeds() if f.title == "Feed 2")

    # Properties: a new title (the address is the server's, so it cannot be edited here)
    folders = [f.name for f in app.library.folders() if f.account == "fresh"]
    dialog = FeedPropertiesDialog(feed2, folders, app.library.feed_sponsored_rules(feed2.id), app)
    qtbot.addWidget(dialog)
    dialog.title_edit.selectAll()
    qtbot.keyClicks(dialog.title_edit, "Hardware news")
    app.subscriptions.apply_feed_properties(feed2, dialog.values())
    assert [c.op for c in app.library.queued_changes()] == ["rename"]
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert next(f for f in freshrss.feeds.values() if f.url == feed2.url).title == "Hardware news"
    assert account_children(app, "fresh")["Hardware"] == ["Hardware news"]

    # Delete on the feed, confirmed: unsubscribed here at once and on the server at the next sync
    app.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app)
    app.subscriptions.select(Selection("feed", feed2.id))
    app.feed_view.setFocus()
    QTimer.singleShot(0, lambda: press_button(qtbot, "Unsubscribe"))
    qtbot.keyClick(app.feed_view, Qt.Key.Key_Delete)
    assert "Hardware news" not in str(account_children(app, "fresh"))
    assert [c.op for c in app.library.queued_changes()] == ["unsubscribe"]
    app.activateWindow()  # back from the question
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app)
    sync_done(qtbot, app, lambda: press_refresh(qtbot, app))
    assert all(f.url != feed2.url for f in freshrss.feeds.values())
    assert account_children(app, "fresh") == {"Tech": ["Feed 1", "Feed 3"]}


def test_without_a_keyring_adding_an_account_asks_before_keeping_its_password_unencrypted(
    qtbot, app: MainWindow, freshrss: FreshRSS
) -> None:
    import keyring
    from keyring.backends import fail

    from tests.app.test_subscriptions import click_button

    def answer_question(act: Any) -> None:
        """*act* on the next message box (the Add account dialog, window-modal, stays open under it)."""

        def attempt() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(10, attempt)
                return
            act(box)

        QTimer.singleShot(0, attempt)

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        app.accounts.add_account()
        add = app.accounts.dialog
        assert add is not None and add.isVisible()
        qtbot.keyClicks(add.name_edit, "fresh")
        add.kind_box.setCurrentIndex(add.kind_box.findData("greader"))
        qtbot.keyClicks(add.url_edit, freshrss.url())
        qtbot.keyClicks(add.user_edit, "alice")
        qtbot.keyClicks(add.password_edit, freshrss.password)
        asked: list[str] = []

        def decline(dialog: object) -> None:
            assert isinstance(dialog, QMessageBox)
            asked.append(dialog.text())
            dialog.reject()  # the user keeps no password on disk

        answer_question(decline)
        qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: add.status_label.text().startswith("✘ "), timeout=SYNC_TIMEOUT_MS)
        assert len(asked) == 1 and app.library.accounts() == [] and add.isVisible()

        with qtbot.waitSignal(app.syncer.finished, timeout=SYNC_TIMEOUT_MS):
            answer_question(click_button("Keep it unencrypted"))
            qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
        [account] = app.library.accounts()
        assert account.name == "fresh"
    finally:
        keyring.set_keyring(previous)
