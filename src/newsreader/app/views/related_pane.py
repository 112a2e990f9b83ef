"""The related pane: previous/next, more from the source, the same story elsewhere, related
stories and the article page's own links, each entry with its source, date and reason."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from newsreader.app.views.item_list import ItemRole, entry, entry_list, heading
from newsreader.core.models import RelatedItem, RelatedStories


def section_titles(related: RelatedStories, source: str) -> list[tuple[str, tuple[RelatedItem, ...]]]:
    """The pane's sections in order, empty ones left out."""
    sections = [
        ("Previous", related.prev),
        ("Next", related.next),
        (f"More from {source}", related.more_from_source),
        ("Same story elsewhere", related.same_story),
        ("Related", related.related),
        ("From the page", related.from_page),
    ]
    return [(title, items) for title, items in sections if items]


class RelatedPane(QWidget):
    """Lists what to read next. Activating an entry emits :attr:`story_requested` for a story in the
    library, else :attr:`link_requested` with the page link."""

    story_requested = Signal(int)
    link_requested = Signal(str)
    previous_requested = Signal()
    next_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.previous_button = QPushButton("◀ Previous", self)
        self.previous_button.setAccessibleName("Previous story")
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button = QPushButton("Next ▶", self)
        self.next_button.setAccessibleName("Next story")
        self.next_button.clicked.connect(self.next_requested)
        self.status = QLabel("", self)
        self.tree = entry_list(self, "Related stories")
        self.tree.entry_opened.connect(self._open)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        self.clear()

    def clear(self, message: str = "") -> None:
        """Nothing to show (no story, or while ranking)."""
        self.tree.clear()
        self.status.setText(message)
        self.previous_button.setEnabled(False)
        self.next_button.setEnabled(False)

    def show_related(self, related: RelatedStories, source: str) -> None:
        """Fill the pane."""
        self.tree.clear()
        self.previous_button.setEnabled(bool(related.prev))
        self.next_button.setEnabled(bool(related.next))
        sections = section_titles(related, source)
        for title, items in sections:
            self.tree.addTopLevelItem(heading(title))
            for item in items:
                when = item.published.astimezone().strftime("%d %b %H:%M") if item.published else ""
                where = " · ".join(part for part in (item.feed_title or "", when) if part)
                if item.story_id is None and item.link:
                    where = where or (urlsplit(item.link).hostname or "on the web")
                tooltip = f"{item.title}\n{item.link or ''}\n{item.reason}".strip()
                self.tree.addTopLevelItem(
                    entry(item.title or item.link or "(untitled)", where, item.reason, item, tooltip)
                )
        count = sum(len(items) for _, items in sections)
        self.status.setText("" if count else "Nothing related yet.")

    def entries(self) -> list[tuple[str, RelatedItem]]:
        """(section title, item) pairs as shown, for tests and accessibility checks."""
        found = []
        section = ""
        for row in range(self.tree.topLevelItemCount()):
            widget_item = self.tree.topLevelItem(row)
            if widget_item is None:
                continue
            item = widget_item.data(0, ItemRole)
            if item is None:
                section = widget_item.text(0)
            else:
                found.append((section, item))
        return found

    def _open(self, item: object) -> None:
        if not isinstance(item, RelatedItem):
            return
        if item.story_id is not None:
            self.story_requested.emit(item.story_id)
        elif item.link:
            self.link_requested.emit(item.link)
