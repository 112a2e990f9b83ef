"""Dialogs filled in as a user would, and what the window does with them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QInputDialog

from newsreader.app.models.feeds import Selection
from newsreader.app.settings import AppSettings, SettingsStore
from newsreader.app.views.dialogs.add_feed import AddFeedDialog
from newsreader.app.views.dialogs.feed_properties import FeedPropertiesDialog
from newsreader.app.views.dialogs.settings_dialog import SettingsDialog
from newsreader.core.credentials import load_password
from newsreader.core.library import open_library
from tests.app.conftest import open_window
from tests.support.feeds import HTML_PAGE_WITH_FEEDS, simple_rss


def click_ok(qtbot, buttons: QDialogButtonBox) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_add_feed_dialog_needs_an_address_and_completes_it(qtbot) -> None:
    dialog = AddFeedDialog(["News", "Tech"], folder="Tech")
    qtbot.addWidget(dialog)
    click_ok(qtbot, dialog.buttons)
    assert dialog.result() != AddFeedDialog.DialogCode.Accepted  # nothing typed: stays open
    qtbot.keyClicks(dialog.url_edit, "example.org/feed.xml")
    qtbot.keyClicks(dialog.title_edit, "  Mine ")
    click_ok(qtbot, dialog.buttons)
    assert dialog.result() == AddFeedDialog.DialogCode.Accepted
    assert (dialog.url(), dialog.folder(), dialog.title()) == ("https://example.org/feed.xml", "Tech", "Mine")


def test_subscribing_to_a_site_with_two_feeds_asks_which(qtbot, window, server) -> None:
    server.add("/feed.xml", simple_rss(3, "gamma", "Gamma"))
    server.add("/comments.atom", simple_rss(1, "comments", "Comments"))
    site = server.add("/", HTML_PAGE_WITH_FEEDS, content_type="text/html")
    asked: list[list[str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            asked.append([dialog.comboBoxItems()[i] for i in range(len(dialog.comboBoxItems()))])
            dialog.setTextValue(dialog.comboBoxItems()[0])
            dialog.accept()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    window.subscriptions.subscribe(site, "Reading", None)
    qtbot.waitUntil(lambda: window.feed_model.index_of(Selection("folder", "Reading")).isValid(), timeout=15000)
    assert len(asked) == 1 and len(asked[0]) == 2 and "Main feed" in asked[0][0]
    feed = next(f for f in window.library.feeds() if f.folder == "Reading")
    assert feed.url.endswith("/feed.xml") and feed.total == 3
    assert window.story_model.rowCount() == 3  # the new feed is selected


def test_a_failed_subscription_opens_the_dialog_again_saying_why(qtbot, window, server) -> None:
    from tests.app.test_subscriptions import focus

    missing = server.add("/missing.xml", "gone", status=404)
    good = server.add("/good.xml", simple_rss(2, "good", "Good news"))
    seen: list[str] = []

    def type_address(address: str, again: bool = False) -> Callable[[], None]:
        def act() -> None:
            dialog = QApplication.activeModalWidget()
            if (
                not isinstance(dialog, AddFeedDialog)
                or not dialog.isVisible()
                or dialog.problem_label.isVisibleTo(dialog) != again
            ):
                QTimer.singleShot(10, act)  # not yet the dialog this answer is for
                return
            seen.append(dialog.problem_label.text() if dialog.problem_label.isVisibleTo(dialog) else "")
            seen.append(dialog.url_edit.text())
            dialog.url_edit.selectAll()
            qtbot.keyClicks(dialog.url_edit, address)
            add = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
            qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
            if address == missing:
                QTimer.singleShot(0, type_address(good, again=True))  # the dialog that comes back

        return act

    focus(qtbot, window, window.story_view)
    QTimer.singleShot(0, type_address(missing))
    qtbot.keyClick(window.story_view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(f.url == good for f in window.library.feeds()), timeout=15000)
    assert seen[0] == "" and seen[1] == ""
    assert seen[2].startswith(f"Could not add {missing}:") and "404" in seen[2]
    assert seen[3] == missing  # what was typed is kept, to correct it
    assert missing not in [f.url for f in window.library.feeds()]


def test_feed_properties_change_the_feed(qtbot, window, gui_library, keyring_file) -> None:
    library, ids = gui_library
    feed = library.feed(ids["beta"])
    dialog = FeedPropertiesDialog(feed, ["News"], library.feed_sponsored_rules(feed.id))
    qtbot.addWidget(dialog)
    dialog.title_edit.clear()
    qtbot.keyClicks(dialog.title_edit, "Beta renamed")
    dialog.folder_box.setCurrentText("Animals")
    dialog.interval_spin.setValue(90)
    dialog.full_box.setCurrentIndex(1)
    dialog.keep_days_spin.setValue(30)
    qtbot.mouseClick(dialog.never_box, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.patterns_edit, "[Deal], Partner:")
    qtbot.keyClicks(dialog.user_edit, "ann")
    qtbot.keyClicks(dialog.password_edit, "s3cret")
    window.subscriptions.apply_feed_properties(feed, dialog.values())
    changed = library.feed(feed.id)
    assert (changed.title, changed.folder, changed.update_interval) == ("Beta renamed", "Animals", 5400)
    assert changed.full_articles is True and changed.retention_max_age_days == 30
    rules = library.feed_sponsored_rules(feed.id)
    assert rules.never and rules.title_patterns == ("[Deal]", "Partner:")
    assert changed.auth_user == "ann" and load_password(changed.url, "ann") == "s3cret"
    assert library.stories(feed_id=feed.id, sponsored_only=True, include_sponsored=True) == []  # never flagged
    assert window.feed_model.index_of(Selection("folder", "Animals")).isValid()


def test_a_moved_feed_gets_its_new_address_and_keeps_stories_and_password(
    qtbot, window, gui_library, server, keyring_file
) -> None:
    from tests.core.test_credentials import PASSWORD, guarded_feed

    library, ids = gui_library
    library.set_feed_auth(ids["beta"], "ann", PASSWORD)
    before = library.feed(ids["beta"])
    moved = guarded_feed(server)  # the publisher moved the feed behind a login
    dialog = FeedPropertiesDialog(before, ["News"], library.feed_sponsored_rules(before.id))
    qtbot.addWidget(dialog)
    dialog.url_edit.selectAll()
    qtbot.keyClicks(dialog.url_edit, moved)
    window.subscriptions.apply_feed_properties(before, dialog.values())
    after = library.feed(before.id)
    assert after.url == moved and after.auth_user == "ann" and after.total == before.total
    assert load_password(moved, "ann") == PASSWORD and load_password(before.url, "ann") is None
    results = list(library.refresh([before.id]))
    assert results[0].result.error is None and library.feed(before.id).total == before.total + 2

    dialog = FeedPropertiesDialog(after, ["News"], library.feed_sponsored_rules(after.id))
    qtbot.addWidget(dialog)
    dialog.url_edit.setText(library.feed(ids["alpha"]).url)  # another feed's address is refused
    window.subscriptions.apply_feed_properties(after, dialog.values())
    assert library.feed(after.id).url == moved and "already subscribed" in window.statusBar().currentMessage()


def test_settings_round_trip_and_take_effect(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    dialog = SettingsDialog(window.settings)
    qtbot.addWidget(dialog)
    dialog.refresh_spin.setValue(15)
    dialog.workers_spin.setValue(8)
    dialog.keep_days_spin.setValue(60)
    dialog.theme_box.setCurrentIndex(2)
    dialog.font_spin.setValue(14)
    dialog.sponsored_box.setCurrentIndex(1)
    qtbot.mouseClick(dialog.remote_images_box, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.proxy_edit, "http://127.0.0.1:3128")
    values = dialog.values()
    window.store.save(values)
    window.apply_settings(values)
    assert SettingsStore(library).load() == values
    assert values == AppSettings(
        refresh_minutes=15,
        workers=8,
        keep_days=60,
        theme="dark",
        font_size=14,
        sponsored_in_lists="mark",
        remote_images=True,
        proxy="http://127.0.0.1:3128",
    )
    assert library.get_setting("keep_days") == "60" and library.default_interval() == 900
    window.subscriptions.select(Selection("feed", ids["beta"]))
    assert window.story_model.rowCount() == 5  # sponsored stories now listed, marked
    assert window.story_pane.font_size == 14


def test_empty_library_offers_add_and_import(qtbot, tmp_path: Path, server, browser) -> None:
    library = open_library(tmp_path / "empty", parse_processes=0)
    win = open_window(library)
    qtbot.addWidget(win)
    assert win.stack.currentWidget() is win.empty_state
    assert win.empty_add_button.isVisible() and win.empty_import_button.isVisible()
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">'
        f'<outline type="rss" text="Delta" xmlUrl="{server.add("/delta.xml", simple_rss(2, "delta", "Delta"))}"/>'
        "</outline></body></opml>"
    )
    with qtbot.waitSignal(win.refresher.finished, timeout=30000):
        win.subscriptions.import_opml(str(opml))
    assert win.stack.currentWidget() is win.main_splitter
    assert win.feed_model.index_of(Selection("folder", "Tech")).isValid()
    out = tmp_path / "out.opml"
    win.subscriptions.export_opml(str(out))
    assert "delta.xml" in out.read_text()
    win.subscriptions.import_opml(str(tmp_path / "nope.opml"))
    assert "nope.opml" in win.statusBar().currentMessage()
    win.close()
    library.close()


def test_dropping_a_feed_on_a_folder_moves_it(window, gui_library) -> None:
    library, ids = gui_library
    window.feed_model.feeds_dropped.emit([ids["beta"]], "News")
    assert library.feed(ids["beta"]).folder == "News"
    news = window.feed_model.index_of(Selection("folder", "News"))
    assert window.feed_model.rowCount(news) == 2
