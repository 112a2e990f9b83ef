"""Sync accounts in the settings: the list of accounts, and the dialog that adds one after a connection
test. Views only: the accounts controller does the work off the GUI thread and fills them in."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.models import Account
from newsreader.core.sync.models import KIND_NAMES, KINDS

KIND_LABELS = {
    "greader": "Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux)",
    "fever": "Fever API (FreshRSS, Miniflux, coldsweat…)",
    "ttrss": "Tiny Tiny RSS",
}
URL_HINTS = {
    "greader": "https://example.org/api/greader.php",
    "fever": "https://example.org/api/fever.php",
    "ttrss": "https://example.org/tt-rss/",
}


def account_state(account: Account) -> str:
    """The state column: the last sync's error, what waits, or when it last synced."""
    if account.last_error:
        return f"Failed: {account.last_error}"
    waiting = f"; {account.queued} waiting" if account.queued else ""
    refused = f"; {account.refused} refused" if account.refused else ""
    if account.last_sync is None:
        return f"Not synced yet{waiting}{refused}"
    return f"Synced {account.last_sync.astimezone():%d %b %H:%M}{waiting}{refused}"


class AccountDialog(QDialog):
    """Name, kind, server address, user and password of a new account, a *Test connection* button and
    one line saying how the test (or the adding) went. The controller answers :attr:`test_requested`
    and :attr:`add_requested`; the dialog closes only once the account is added."""

    test_requested = Signal()
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add sync account")
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Account name")
        self.name_edit.setPlaceholderText("e.g. work")
        self.kind_box = QComboBox(self)
        for kind in KINDS:
            self.kind_box.addItem(KIND_LABELS[kind], kind)
        self.kind_box.setAccessibleName("Kind of server")
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.url_edit = QLineEdit(self)
        self.url_edit.setAccessibleName("Server address")
        self.user_edit = QLineEdit(self)
        self.user_edit.setAccessibleName("User name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.test_button = QPushButton("&Test connection", self)
        self.test_button.clicked.connect(self._test)
        self.status_label = QLabel("The password is kept in your system's keyring, never in the library.", self)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Connection test result")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Kind:", self.kind_box)
        form.addRow("&Server:", self.url_edit)
        form.addRow("&User:", self.user_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", self.test_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add_button = self.buttons.addButton("&Add account", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setDefault(True)
        self.buttons.accepted.connect(self._add)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.url_edit.setPlaceholderText(URL_HINTS[self.kind()])

    def kind(self) -> str:
        return str(self.kind_box.currentData())

    def values(self) -> tuple[str, str, str, str, str]:
        """(name, kind, server address, user, password) as typed (the name and address trimmed)."""
        return (
            self.name_edit.text().strip(),
            self.kind(),
            self.url_edit.text().strip(),
            self.user_edit.text().strip(),
            self.password_edit.text(),
        )

    def _missing(self) -> str | None:
        name, _kind, url, user, _password = self.values()
        for value, field in ((url, "the server's address"), (user, "the user name")):
            if not value:
                return f"Fill in {field} first."
        if self.sender() is not self.test_button and not name:
            return "Give the account a name first."
        return None

    def _test(self) -> None:
        missing = self._missing()
        if missing:
            self.show_result(False, missing)
            return
        self.set_busy("Testing the connection…")
        self.test_requested.emit()

    def _add(self) -> None:
        missing = self._missing()
        if missing:
            self.show_result(False, missing)
            return
        self.set_busy("Testing the connection and adding the account…")
        self.add_requested.emit()

    def set_busy(self, message: str) -> None:
        """A test or the adding runs: say so, and keep it from being started twice."""
        self.status_label.setText(message)
        self.test_button.setEnabled(False)
        self.add_button.setEnabled(False)

    def show_result(self, ok: bool, message: str) -> None:
        """How the test or the adding went, in one sentence."""
        self.test_button.setEnabled(True)
        self.add_button.setEnabled(True)
        self.status_label.setText(("✔ " if ok else "✘ ") + message)


class AccountsPage(QWidget):
    """The Accounts tab of the settings: the accounts with their state, Add…, Remove…, Sync now, and
    how often accounts sync on their own."""

    add_clicked = Signal()
    remove_clicked = Signal(str)
    sync_clicked = Signal(str)

    def __init__(self, sync_minutes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Sync accounts")
        self.tree.setHeaderLabels(["Account", "Kind", "Server", "State"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.add_button = QPushButton("&Add account…", self)
        self.add_button.clicked.connect(self.add_clicked)
        self.remove_button = QPushButton("&Remove…", self)
        self.remove_button.clicked.connect(lambda: self._emit("remove"))
        self.sync_button = QPushButton("S&ync now", self)
        self.sync_button.clicked.connect(lambda: self._emit("sync"))
        self.sync_spin = QSpinBox(self)
        self.sync_spin.setRange(0, 7 * 24 * 60)
        self.sync_spin.setSuffix(" min")
        self.sync_spin.setSpecialValueText("only with Refresh")
        self.sync_spin.setValue(sync_minutes)
        self.sync_spin.setAccessibleName("Sync accounts every, in minutes")
        self.sync_spin.setMaximumWidth(200)
        intro = QLabel(
            "Feeds, folders and read and starred state of an account live on its server; newsreader keeps "
            "a copy to read offline and sends what you change at the next sync. Adding or removing an "
            "account takes effect at once.",
            self,
        )
        intro.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.sync_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        every = QFormLayout()
        every.addRow("Sync accounts &every:", self.sync_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addLayout(every)
        self._selection_changed()

    def show_accounts(self, accounts: list[Account]) -> None:
        """Fill the list (keeping the selected account selected)."""
        current = self.selected()
        self.tree.clear()
        for account in accounts:
            item = QTreeWidgetItem(
                [account.name, KIND_NAMES.get(account.kind, account.kind), account.url, account_state(account)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, account.name)
            item.setToolTip(3, account_state(account))
            self.tree.addTopLevelItem(item)
            if account.name == current:
                self.tree.setCurrentItem(item)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self._selection_changed()

    def selected(self) -> str | None:
        item = self.tree.currentItem()
        return str(item.data(0, Qt.ItemDataRole.UserRole)) if item is not None else None

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.remove_button.setEnabled(chosen)
        self.sync_button.setEnabled(chosen)

    def _emit(self, what: str) -> None:
        name = self.selected()
        if name is not None:
            (self.remove_clicked if what == "remove" else self.sync_clicked).emit(name)
