"""The story list: a lazily filled table (title, source, date) over the library's stories."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QApplication

from newsreader.app.models.feeds import Selection
from newsreader.core.library import Library
from newsreader.core.models import Story

AnyIndex = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200
COLUMNS = ("Title", "Source", "Date")
ALL_STORIES = Selection("view", "all")
ORDER_OF_COLUMN = ("title", "source", "date")


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """What the list shows: a selection, the All/Unread/Starred filter, a sort, whether sponsored
    stories are listed (marked) or hidden, and an optional full-text search (which replaces paging)."""

    selection: Selection = field(default_factory=lambda: ALL_STORIES)
    show: str = "all"
    """``all``, ``unread`` or ``starred``."""
    order: str = "date"
    reverse: bool = False
    include_sponsored: bool = False
    search: str = ""


def sorted_stories(stories: Sequence[Story], order: str, reverse: bool) -> list[Story]:
    """*stories* in a list order (``date`` newest first, ``title``/``source`` A–Z; *reverse* flips it),
    as the library sorts a listing, for search results (which come ranked by relevance)."""
    if order == "title":
        return sorted(stories, key=lambda s: (s.title.casefold(), -s.id), reverse=reverse)
    if order == "source":
        return sorted(stories, key=lambda s: (s.feed_title.casefold(), s.published), reverse=reverse)
    return sorted(stories, key=lambda s: (s.published, s.id), reverse=not reverse)


def fetch_page(library: Library, query: StoryQuery, offset: int, limit: int | None = PAGE_SIZE) -> list[Story]:
    """One page of the list *query* describes (called in the GUI thread: an indexed, bounded query)."""
    selection = query.selection
    feed_id = int(selection.value) if selection.kind == "feed" else None
    folder = str(selection.value) if selection.kind == "folder" else None
    account = str(selection.value) if selection.kind == "account" else None
    view = str(selection.value) if selection.kind == "view" else ""
    return library.stories(
        feed_id=feed_id,
        folder=folder,
        account=account,
        unread=query.show == "unread" or view == "unread",
        starred=query.show == "starred" or view == "starred",
        today=view == "today",
        include_sponsored=query.include_sponsored,
        limit=limit,
        offset=offset,
        order=query.order,
        reverse=query.reverse,
    )


class StoryListModel(QAbstractTableModel):
    """Stories of a :class:`StoryQuery`, fetched a page at a time as the view scrolls.

    Nothing loads the whole table: ``canFetchMore``/``fetchMore`` ask for the next
    :data:`PAGE_SIZE` rows only when the view reaches the end of what is loaded.
    """

    StoryRole = Qt.ItemDataRole.UserRole + 1
    StoryIdRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, library: Library, parent: Any = None) -> None:
        super().__init__(parent)
        self._library = library
        self._query = StoryQuery()
        self._rows: list[Story] = []
        self._row_of: dict[int, int] = {}
        self._exhausted = True
        self._resetting = False
        self._page: Callable[[StoryQuery, int], list[Story]] = lambda q, offset: fetch_page(library, q, offset)
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._today = datetime.now().astimezone().date()

    # loading ---------------------------------------------------------------------------------

    @property
    def query(self) -> StoryQuery:
        """What the list currently shows."""
        return self._query

    def set_query(self, query: StoryQuery) -> None:
        """Show another list (first page now, the rest as the view scrolls)."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Load the first page again (after a refresh or a filter change)."""
        self._resetting = True
        self.beginResetModel()
        self._today = datetime.now().astimezone().date()
        if self._query.search:
            self._rows = []
            self._exhausted = True
        else:
            self._rows = self._page(self._query, 0)
            self._exhausted = len(self._rows) < PAGE_SIZE
        self._index_rows()
        self._end_reset()

    def _end_reset(self) -> None:
        # Listeners of modelReset (views, Qt's model tester) may call fetchMore while the reset is
        # still being announced; inserting rows then would interleave two changes, so it waits.
        try:
            self.endResetModel()
        finally:
            self._resetting = False

    def show_results(self, stories: Sequence[Story]) -> None:
        """Show search results (found off the GUI thread) for the current query, in its sort order."""
        self._resetting = True
        self.beginResetModel()
        self._rows = sorted_stories(stories, self._query.order, self._query.reverse)
        self._exhausted = True
        self._index_rows()
        self._end_reset()

    def _index_rows(self) -> None:
        self._row_of = {story.id: row for row, story in enumerate(self._rows)}

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._resetting:
            return
        more = [s for s in self._page(self._query, len(self._rows)) if s.id not in self._row_of]
        self._exhausted = len(more) < PAGE_SIZE
        if not more:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        for offset, story in enumerate(more):
            self._row_of[story.id] = first + offset
        self.endInsertRows()

    # lookups and in-place changes --------------------------------------------------------------

    def story_at(self, row: int) -> Story | None:
        """The story on *row*, if loaded."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, story_id: int) -> int | None:
        """The row showing *story_id*, if loaded."""
        return self._row_of.get(story_id)

    def find_row(self, start: int, step: int, accept: Callable[[Story], bool], max_pages: int = 50) -> int | None:
        """The first row after *start* (in direction *step*) whose story *accept* takes; loads more
        pages going down, at most *max_pages* of them."""
        row = start + step
        pages = 0
        while True:
            if row < 0:
                return None
            if row >= len(self._rows):
                if step < 0 or not self.canFetchMore() or pages >= max_pages:
                    return None
                self.fetchMore()
                pages += 1
                continue
            if accept(self._rows[row]):
                return row
            row += step

    def replace_story(self, story: Story) -> None:
        """Show a changed story (read, starred, sponsored) on its row."""
        row = self._row_of.get(story.id)
        if row is None:
            return
        self._rows[row] = story
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_flags(self, story_ids: Sequence[int], **changes: bool) -> None:
        """Set ``read``/``starred`` on loaded rows without asking the database."""
        for story_id in story_ids:
            row = self._row_of.get(story_id)
            if row is not None:
                self.replace_story(dataclasses.replace(self._rows[row], **changes))  # type: ignore[arg-type]

    # QAbstractTableModel -----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        story = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                prefix = ("★ " if story.starred else "") + ("[Sponsored] " if story.sponsored else "")
                return prefix + (story.title or "(untitled)")
            if column == 1:
                return story.feed_title
            return self._date_text(story.published)
        if role == Qt.ItemDataRole.ToolTipRole:
            if story.sponsored:
                return f"Sponsored: {story.sponsored_reason or 'flagged by the rules'}"
            return story.title if column == 0 else None
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            state = ", ".join(
                word
                for flag, word in (
                    (not story.read, "unread"),
                    (story.starred, "starred"),
                    (story.sponsored, "sponsored"),
                )
                if flag
            )
            return f"{story.title}, {story.feed_title}{', ' + state if state else ''}"
        if role == Qt.ItemDataRole.FontRole:
            if story.sponsored:
                return self._italic
            return None if story.read else self._bold
        if role == Qt.ItemDataRole.ForegroundRole and story.sponsored:
            return QBrush(QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == self.StoryRole:
            return story
        if role == self.StoryIdRole:
            return story.id
        return None

    def _date_text(self, when: datetime) -> str:
        local = when.astimezone()
        if local.date() == self._today:
            return local.strftime("%H:%M")
        if local.year == self._today.year:
            return local.strftime("%d %b %H:%M")
        return local.strftime("%Y-%m-%d")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = ORDER_OF_COLUMN[column]
        # "date" reads newest first naturally; a descending indicator on it means the natural order
        natural = Qt.SortOrder.DescendingOrder if key == "date" else Qt.SortOrder.AscendingOrder
        query = dataclasses.replace(self._query, order=key, reverse=order != natural)
        if query.search:  # search results are all loaded: sort them in place
            self._query = query
            self.show_results(self._rows)
        else:
            self.set_query(query)
