"""Add a feed: a feed URL or a site's address, a folder, an optional title."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from newsreader.core.models import DiscoveredFeed


class AddFeedDialog(QDialog):
    """Asks for the address; the window subscribes (with discovery) off the GUI thread."""

    def __init__(
        self,
        folders: list[str],
        parent: QWidget | None = None,
        folder: str | None = None,
        *,
        url: str = "",
        title: str = "",
        ask_password: str | None = None,
        problem: str | None = None,
    ) -> None:
        """*ask_password*: why a user name and password are asked for (the server answered 401); the
        fields are shown only then. *problem*: why the last attempt failed (the dialog opens again with
        what was typed, to correct it or cancel)."""
        super().__init__(parent)
        self.setWindowTitle("Add feed")
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://example.org/ or https://example.org/feed.xml")
        self.url_edit.setAccessibleName("Feed or site address")
        self.url_edit.setText(url)
        self.folder_box = QComboBox(self)
        self.folder_box.setEditable(True)
        self.folder_box.addItem("")
        self.folder_box.addItems(folders)
        self.folder_box.setCurrentText(folder or "")
        self.folder_box.setAccessibleName("Folder")
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("the feed's own title")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setText(title)
        self.user_edit = QLineEdit(self)
        self.user_edit.setAccessibleName("User name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        form = QFormLayout()
        form.addRow("&Address:", self.url_edit)
        form.addRow("&Folder:", self.folder_box)
        form.addRow("&Title:", self.title_edit)
        if ask_password is not None:
            form.addRow("&User name:", self.user_edit)
            form.addRow("&Password:", self.password_edit)
        else:
            self.user_edit.hide()
            self.password_edit.hide()
        hint = QLabel(
            ask_password or "A site's address works too: newsreader finds the feeds it offers.",
            self,
        )
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.problem_label = QLabel(problem or "", self)
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_label.setVisible(problem is not None)
        self.problem_label.setStyleSheet("font-weight: bold")
        layout.addWidget(self.problem_label)
        if ask_password is not None:  # why it asks comes first
            layout.addWidget(hint)
        layout.addLayout(form)
        if ask_password is None:
            layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

        if ask_password is not None:
            self.user_edit.setFocus()

    def _accept(self) -> None:
        if not self.url_edit.text().strip():
            self.url_edit.setFocus()
        elif self.user_edit.isVisibleTo(self) and not self.user_edit.text().strip():
            self.user_edit.setFocus()
        else:
            self.accept()

    def credentials(self) -> tuple[str, str] | None:
        """(user, password) when they were asked for and typed, else None."""
        user = self.user_edit.text().strip()
        return (user, self.password_edit.text()) if user and self.user_edit.isVisibleTo(self) else None

    def url(self) -> str:
        """The address typed (a scheme is added when missing)."""
        text = self.url_edit.text().strip()
        return text if "://" in text else f"https://{text}"

    def folder(self) -> str | None:
        """The chosen folder, or None for the top level."""
        return self.folder_box.currentText().strip() or None

    def title(self) -> str | None:
        """The title typed, or None."""
        return self.title_edit.text().strip() or None


def choose_feed(parent: QWidget | None, candidates: tuple[DiscoveredFeed, ...]) -> DiscoveredFeed | None:
    """Ask which of a page's feeds to subscribe to."""
    labels = [f"{c.title or 'Untitled'} — {c.url}" for c in candidates]
    label, ok = QInputDialog.getItem(parent, "Choose a feed", "This page offers several feeds:", labels, 0, False)
    if not ok:
        return None
    return candidates[labels.index(label)]
