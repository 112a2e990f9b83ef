"""Sync accounts in the settings: adding one (after a connection test, off the GUI thread, the password
to the keyring or — the user's explicit choice without one — to the unencrypted password file),
removing one, and syncing one now."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from newsreader.app.views.dialogs.accounts import AccountDialog, AccountsPage
from newsreader.core.errors import CredentialsError, NewsreaderError
from newsreader.core.models import Account

if TYPE_CHECKING:
    from newsreader.app.views.main_window import MainWindow


class AccountsController(QObject):
    """What the Accounts tab of the settings does; the window owns the settings dialog."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.page: AccountsPage | None = None
        self.dialog: AccountDialog | None = None
        """The open Add account dialog, if any."""

    def make_page(self, sync_minutes: int, parent: QWidget | None = None) -> AccountsPage:
        """The Accounts tab, filled in and wired here."""
        page = AccountsPage(sync_minutes, parent)
        page.add_clicked.connect(self.add_account)
        page.remove_clicked.connect(self.remove_account)
        page.sync_clicked.connect(self.window.sync.sync_account)
        self.page = page
        self.window.syncer.finished.connect(self._synced)
        page.destroyed.connect(lambda *_: self._page_closed())
        self.show_accounts()
        return page

    def _page_closed(self) -> None:
        self.page = None
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.window.syncer.finished.disconnect(self._synced)

    def _synced(self, _results: object) -> None:
        self.show_accounts()

    def show_accounts(self) -> None:
        """Bring the Accounts tab up to date (when it is open)."""
        if self.page is not None:
            self.page.show_accounts(self.library.accounts())

    def add_account(self) -> AccountDialog:
        """Open the Add account dialog (window-modal, so the app keeps running); returns it."""
        parent = self.page.window() if self.page is not None else self.window
        dialog = AccountDialog(parent)
        dialog.test_requested.connect(lambda: self._test(dialog))
        dialog.add_requested.connect(lambda: self._add(dialog))
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: AccountDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _test(self, dialog: AccountDialog) -> None:
        _name, kind, url, user, password = dialog.values()
        library = self.library

        def work() -> None:
            library.check_account(kind, url, user, password)

        def done(_result: None) -> None:
            dialog.show_result(True, f"Connected: the server accepted {user}.")

        self.window.tasks.submit(work, done, lambda message: dialog.show_result(False, message))

    def _add(self, dialog: AccountDialog, *, unencrypted: bool = False) -> None:
        name, kind, url, user, password = dialog.values()
        library = self.library

        def work() -> Account | CredentialsError:
            try:
                return library.add_account(name, kind, url, user, password, unencrypted=unencrypted)
            except CredentialsError as exc:
                return exc

        def ask_to_keep_unencrypted(problem: str) -> None:
            if not unencrypted and self.window.subscriptions.keep_password_unencrypted(problem):
                self._add(dialog, unencrypted=True)
            else:
                dialog.show_result(False, problem)

        def done(result: Account | CredentialsError) -> None:
            if isinstance(result, CredentialsError):
                QTimer.singleShot(0, lambda: ask_to_keep_unencrypted(str(result)))  # a dialog: from the event loop
                return
            dialog.show_result(True, f"Account {result.name} added.")
            dialog.accept()
            self.show_accounts()
            self.window.subscriptions.reload_feeds()
            self.window.statusBar().showMessage(f"Account {result.name} added; syncing it…", 4000)
            self.window.sync.sync_account(result.name)

        self.window.tasks.submit(work, done, lambda message: dialog.show_result(False, message))

    def remove_account(self, name: str) -> None:
        """Forget an account after asking (its server keeps everything)."""
        question = (
            f"Remove the account “{name}” from newsreader? Its feeds and stories here, changes not yet "
            "sent and its stored password are deleted; the server keeps everything."
        )
        if not self.window.confirm("Remove account", question, "Remove account"):
            return
        if self.window.sync.running:
            self.window.sync.cancel()
            self.window.syncer.wait(10)
        try:
            self.library.remove_account(name)
        except NewsreaderError as exc:
            self.window.report(str(exc))
        self.show_accounts()
        self.window.subscriptions.reload_feeds()
