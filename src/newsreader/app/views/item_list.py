"""The entry lists of the related and sponsored panes: section headings, and entries of a title (up
to two lines), where it is from and when, and why it is listed. An entry opens on a click or Enter."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

ItemRole = Qt.ItemDataRole.UserRole + 1
"""Where each row keeps the value it shows (None for a section heading)."""
TitleRole = Qt.ItemDataRole.UserRole + 2
SourceRole = Qt.ItemDataRole.UserRole + 3
ReasonRole = Qt.ItemDataRole.UserRole + 4
AnyIndex = QModelIndex | QPersistentModelIndex
PADDING = 6
TITLE_LINES = 2
REASON_LINES = 3
"""A reason ("Same event: …", "The link goes to …") wraps to this many lines before it is cut."""


class EntryDelegate(QStyledItemDelegate):
    """Paints an entry as a title (wrapped, at most two lines), a muted "source · time" line and the
    reason in italics (wrapped, at most three lines); a section heading as a bold line with space above it."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        title = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, title.pointSizeF() * 0.88))
        reason = QFont(small)
        reason.setItalic(True)
        return title, small, reason

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        view = self.parent()
        width = (view.viewport().width() if isinstance(view, QAbstractItemView) else 300) - 2 * PADDING
        title_font, small_font, reason_font = self._fonts(option)
        if index.data(ItemRole) is None:
            heading = QFont(title_font)
            heading.setBold(True)
            return QSize(width, QFontMetrics(heading).lineSpacing() + 2 * PADDING)
        height = wrapped(QFontMetrics(title_font), str(index.data(TitleRole) or ""), width, TITLE_LINES)[1]
        if index.data(SourceRole):
            height += QFontMetrics(small_font).lineSpacing()
        if index.data(ReasonRole):
            height += wrapped(QFontMetrics(reason_font), str(index.data(ReasonRole)), width, REASON_LINES)[1]
        return QSize(width, height + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = opt.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = text_color if selected else palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if muted == text_color and not selected:
            muted = palette.color(QPalette.ColorRole.PlaceholderText)
        title_font, small_font, reason_font = self._fonts(opt)
        painter.save()
        if index.data(ItemRole) is None:
            heading = QFont(title_font)
            heading.setBold(True)
            painter.setFont(heading)
            painter.setPen(text_color)
            painter.drawText(
                rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), index.data(TitleRole)
            )
            painter.restore()
            return
        title, height = wrapped(QFontMetrics(title_font), str(index.data(TitleRole) or ""), rect.width(), TITLE_LINES)
        painter.setFont(title_font)
        painter.setPen(text_color)
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), height), 0, title)
        top = rect.top() + height
        for role, font, lines in ((SourceRole, small_font, 1), (ReasonRole, reason_font, REASON_LINES)):
            if not index.data(role):
                continue
            text, height = wrapped(QFontMetrics(font), str(index.data(role)), rect.width(), lines)
            painter.setFont(font)
            painter.setPen(muted)
            painter.drawText(QRect(rect.left(), top, rect.width(), height), 0, text)
            top += height
        painter.restore()


def wrapped(metrics: QFontMetrics, text: str, width: int, lines: int) -> tuple[str, int]:
    """*text* broken into at most *lines* lines of *width* pixels (at spaces when it can; the last line
    ends with an ellipsis when the text goes on), and the height they take."""
    shown: list[str] = []
    rest = " ".join(text.split())
    width = max(40, width)
    while rest and len(shown) < lines - 1:
        end = _first_line_end(metrics, rest, width)
        if end >= len(rest):
            break
        shown.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    if rest or not shown:
        shown.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return "\n".join(shown), len(shown) * metrics.lineSpacing()


def _first_line_end(metrics: QFontMetrics, text: str, width: int) -> int:
    """Where the first wrapped line of *text* ends (at a space when there is one)."""
    end = len(text)
    while end > 1 and metrics.horizontalAdvance(text[:end]) > width:
        space = text.rfind(" ", 0, end - 1)
        end = space if space > 0 else end - 1
    return end


class EntryList(QTreeWidget):
    """A flat list of entries and headings. :attr:`entry_opened` carries an entry's value when it is
    clicked or Enter is pressed on it (headings do nothing); arrows and Tab move as usual."""

    entry_opened = Signal(object)

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setColumnCount(1)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setUniformRowHeights(False)
        self.setWordWrap(True)
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setItemDelegate(EntryDelegate(self))

    def open_current(self) -> bool:
        """Open the current entry; False on a heading or with nothing current."""
        item = self.currentItem()
        value = item.data(0, ItemRole) if item is not None else None
        if value is None:
            return False
        self.entry_opened.emit(value)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.open_current():
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and item is not None and item is self.currentItem():
            self.open_current()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        current = self.currentItem()
        if current is None or current.data(0, ItemRole) is None:
            first = next(
                (
                    item
                    for row in range(self.topLevelItemCount())
                    if (item := self.topLevelItem(row)) is not None and item.data(0, ItemRole) is not None
                ),
                None,
            )
            if first is not None:
                self.setCurrentItem(first)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # wrapped titles take another number of lines


def entry_list(parent: QWidget, name: str) -> EntryList:
    """An :class:`EntryList` named for accessibility."""
    return EntryList(parent, name)


def heading(title: str) -> QTreeWidgetItem:
    """A section heading (not selectable)."""
    row = QTreeWidgetItem([title])
    row.setData(0, TitleRole, title)
    row.setFlags(Qt.ItemFlag.ItemIsEnabled)
    return row


def entry(title: str, source: str, reason: str, value: object, tooltip: str) -> QTreeWidgetItem:
    """An entry: *title*, *source* ("where · when") and *reason*; its text (for screen readers and
    tests) joins the three."""
    row = QTreeWidgetItem([" — ".join(part for part in (title, source, reason) if part)])
    row.setData(0, ItemRole, value)
    row.setData(0, TitleRole, title)
    row.setData(0, SourceRole, source)
    row.setData(0, ReasonRole, reason)
    row.setToolTip(0, tooltip)
    return row
