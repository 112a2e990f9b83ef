"""Managing subscriptions by keys and clicks: folders, unsubscribing with Delete, the context menus;
closing to the tray, one window per library, notifications."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMenu, QMessageBox, QPushButton

from newsreader.app.instance import SingleInstance, server_name
from newsreader.app.main import ALREADY_RUNNING
from newsreader.app.models.feeds import Selection
from newsreader.app.notify import new_stories_message
from newsreader.core.paths import database_path
from tests.app.test_main_window import key


def answer_dialog(qtbot, act: Callable[[object], None]) -> None:  # type: ignore[no-untyped-def]
    """Run *act* on the next modal dialog once it is open (a user typing and clicking in it)."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, attempt)
            return
        act(dialog)

    QTimer.singleShot(0, attempt)


def type_and_accept(text: str) -> Callable[[object], None]:
    def act(dialog: object) -> None:
        assert isinstance(dialog, QInputDialog)
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        edit.selectAll()
        for char in text:
            edit.insert(char)
        dialog.accept()  # Enter in the field

    return act


def click_button(text: str) -> Callable[[object], None]:
    def act(dialog: object) -> None:
        assert isinstance(dialog, QMessageBox)
        button = next(b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == text)
        button.click()

    return act


def focus(qtbot, window, widget) -> None:  # type: ignore[no-untyped-def]
    """Give *widget* the keyboard focus (after a dialog closed, the window must be activated again)."""
    window.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def test_new_folder_rename_and_delete(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    answer_dialog(qtbot, type_and_accept("Science"))
    key(qtbot, window, "n", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "Science" in {f.name for f in library.folders()}
    assert window.feed_view.currentIndex().data(window.feed_model.SelectionRole) == Selection("folder", "Science")

    answer_dialog(qtbot, type_and_accept("Nature"))
    window.subscriptions.rename_folder("Science")
    assert {f.name for f in library.folders()} == {"News", "Nature"}

    window.subscriptions.select(Selection("folder", "News"))
    focus(qtbot, window, window.feed_view)
    answer_dialog(qtbot, click_button("Cancel"))
    qtbot.keyClick(window.feed_view, Qt.Key.Key_Delete)
    assert "News" in {f.name for f in library.folders()}
    answer_dialog(qtbot, click_button("Delete folder"))
    focus(qtbot, window, window.feed_view)
    qtbot.keyClick(window.feed_view, Qt.Key.Key_Delete)
    assert {f.name for f in library.folders()} == {"Nature"}
    assert library.feed(ids["alpha"]).folder is None  # its feed moved to the top level, still subscribed


def test_delete_unsubscribes_after_asking(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    focus(qtbot, window, window.feed_view)
    answer_dialog(qtbot, click_button("Cancel"))
    qtbot.keyClick(window.feed_view, Qt.Key.Key_Delete)
    assert ids["beta"] in {f.id for f in library.feeds()}
    answer_dialog(qtbot, click_button("Unsubscribe"))
    focus(qtbot, window, window.feed_view)
    qtbot.keyClick(window.feed_view, Qt.Key.Key_Delete)
    assert ids["beta"] not in {f.id for f in library.feeds()}
    assert not window.feed_model.index_of(Selection("feed", ids["beta"])).isValid()


def test_the_feed_menu_copies_the_address_and_offers_folder_actions(qtbot, window, gui_library) -> None:
    _library, ids = gui_library
    rect = window.feed_view.visualRect(window.feed_model.index_of(Selection("feed", ids["beta"])))
    window.feed_view.customContextMenuRequested.emit(rect.center())  # the right-click's request
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert {"Refresh", "Mark all read", "Open site", "Copy feed address", "Properties…", "Unsubscribe…"} <= set(texts)
    copy = next(a for a in menu.actions() if a.text() == "Copy feed address")
    menu.close()
    copy.trigger()
    assert QApplication.clipboard().text() == window.library.feed(ids["beta"]).url
    folder = window.subscriptions.feed_menu(Selection("folder", "News"))
    assert {"Rename folder…", "Delete folder…", "New folder…"} <= {a.text().replace("&", "") for a in folder.actions()}


def test_closing_can_leave_the_app_in_the_tray_and_quit_still_quits(qtbot, window) -> None:
    window.hide_on_close = lambda: True
    window.close()
    assert not window.isVisible()
    assert not window.tasks._closed  # still running: it was only hidden
    window.show()
    quits: list[bool] = []
    QApplication.instance().aboutToQuit.connect(lambda: quits.append(True))
    key(qtbot, window, "q", Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible() and window.tasks._closed


def test_a_second_launch_on_the_same_library_raises_the_first(qtbot, tmp_path: Path) -> None:
    from tests.app.test_end_to_end import gui_env

    data = tmp_path / "data"
    first = SingleInstance(server_name(database_path(data)))
    assert first.listen()
    try:
        with qtbot.waitSignal(first.raise_requested, timeout=20000):
            second = subprocess.Popen(
                [sys.executable, "-m", "newsreader", "--data-dir", str(data), "gui", "--no-refresh"],
                env={**gui_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
                stderr=subprocess.PIPE,
                text=True,
            )
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 0 and ALREADY_RUNNING in err
        other = SingleInstance(server_name(database_path(tmp_path / "other")))
        assert not other.ask_running_to_raise()  # another library is not the same instance
    finally:
        first.close()


def test_notifications_name_the_new_stories() -> None:
    assert new_stories_message(["Zebras return"]) == ("1 new story", "• Zebras return")
    summary, body = new_stories_message(["A", "B", "C", "D"], 12)
    assert summary == "12 new stories" and body == "• A\n• B\n• C\n…and 9 more"


def test_without_a_keyring_the_user_chooses_to_keep_the_password_unencrypted(qtbot, window, server) -> None:
    import keyring
    from keyring.backends import fail

    from tests.core.test_credentials import PASSWORD, guarded_feed

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        url = guarded_feed(server).replace("http://", "http://ann:s3cr%3At%2Fpw@")
        asked: list[str] = []

        def keep(dialog: object) -> None:
            assert isinstance(dialog, QMessageBox)
            asked.append(dialog.text() + dialog.informativeText())
            click_button("Keep it unencrypted")(dialog)

        answer_dialog(qtbot, keep)
        window.subscriptions.subscribe(url, None, None)
        qtbot.waitUntil(lambda: any(f.total == 2 for f in window.library.feeds() if f.auth_user), timeout=15000)
        assert "No system keyring" in asked[0] and "passwords.json" in asked[0]
        assert PASSWORD in window.library.password_file.read_text()
        assert "s3cr" not in window.statusBar().currentMessage()
    finally:
        keyring.set_keyring(previous)
