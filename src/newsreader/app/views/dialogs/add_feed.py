"""Add a feed: a feed URL or a site's address, a folder, an optional title."""

from __future__ import annotations

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

    def __init__(self, folders: list[str], parent: QWidget | None = None, folder: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add feed")
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://example.org/ or https://example.org/feed.xml")
        self.url_edit.setAccessibleName("Feed or site address")
        self.folder_box = QComboBox(self)
        self.folder_box.setEditable(True)
        self.folder_box.addItem("")
        self.folder_box.addItems(folders)
        self.folder_box.setCurrentText(folder or "")
        self.folder_box.setAccessibleName("Folder")
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText("the feed's own title")
        self.title_edit.setAccessibleName("Title")
        form = QFormLayout()
        form.addRow("&Address:", self.url_edit)
        form.addRow("&Folder:", self.folder_box)
        form.addRow("&Title:", self.title_edit)
        hint = QLabel("A site's address works too: newsreader finds the feeds it offers.", self)
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)

    def _accept(self) -> None:
        if self.url_edit.text().strip():
            self.accept()
        else:
            self.url_edit.setFocus()

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
