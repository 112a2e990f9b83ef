"""The sponsored pane: the article page's sponsored links and blocks, and the source's sponsored
stories, each with the reason it was flagged and a "Not sponsored" action."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from newsreader.app.views.item_list import ItemRole, entry, entry_list
from newsreader.core.models import Story
from newsreader.core.pages.model import SponsoredLink
from newsreader.core.reading import SponsoredItems


class SponsoredPane(QWidget):
    """Lists sponsored items. ``story_requested``/``link_requested`` open one;
    ``not_sponsored_requested`` carries the story id, ``link_not_sponsored_requested`` the page link,
    the user says is not sponsored."""

    story_requested = Signal(int)
    link_requested = Signal(str)
    not_sponsored_requested = Signal(int)
    link_not_sponsored_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Sponsored", self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.tree = entry_list(self, "Sponsored content")
        self.tree.entry_opened.connect(self._open)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.not_sponsored_button = QPushButton("Not sponsored", self)
        self.not_sponsored_button.setAccessibleName("Mark the selected item as not sponsored")
        self.not_sponsored_button.setEnabled(False)
        self.not_sponsored_button.clicked.connect(self._not_sponsored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.not_sponsored_button)
        self._items = SponsoredItems()

    @property
    def items(self) -> SponsoredItems:
        """What is shown."""
        return self._items

    def show_items(self, items: SponsoredItems) -> None:
        """Fill the pane."""
        self._items = items
        self.tree.clear()
        self.title.setText(f"Sponsored ({items.count})" if items.count else "Sponsored: nothing flagged")
        if items.this_story is not None:
            story = items.this_story
            self._add(story.title, "This story", story.sponsored_reason or "Flagged by the rules.", story)
        for link in items.on_page:
            text = link.text + (f" — {link.summary}" if link.summary else "")
            host = urlsplit(link.href).hostname if link.href else None
            where = " · ".join(part for part in (f"On the page, {link.placement}", host) if part)
            self._add(text, where, link.reason, link)
        for story in items.from_source:
            when = story.published.astimezone().strftime("%d %b %H:%M")
            reason = story.sponsored_reason or "Flagged by the rules."
            self._add(story.title, f"{story.feed_title} · {when}", reason, story)
        self.not_sponsored_button.setEnabled(False)

    def _add(self, text: str, where: str, reason: str, value: object) -> None:
        self.tree.addTopLevelItem(entry(text, where, reason, value, f"{text}\n{where}\n{reason}"))

    def _selected(self) -> object:
        current = self.tree.currentItem()
        return current.data(0, ItemRole) if current is not None else None

    def _current_changed(self, *_: object) -> None:
        self.not_sponsored_button.setEnabled(isinstance(self._selected(), Story | SponsoredLink))

    def _not_sponsored(self) -> None:
        value = self._selected()
        if isinstance(value, Story):
            self.not_sponsored_requested.emit(value.id)
        elif isinstance(value, SponsoredLink):
            self.link_not_sponsored_requested.emit(value.href)

    def _open(self, value: object) -> None:
        if isinstance(value, Story):
            self.story_requested.emit(value.id)
        elif isinstance(value, SponsoredLink) and value.href:
            self.link_requested.emit(value.href)
