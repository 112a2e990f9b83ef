"""The main window: it builds the widgets (subscriptions, the story list and the three reading panes),
lays them out, remembers their state, and wires them to the reading and subscriptions controllers and
the actions table; what the parts do lives in :mod:`newsreader.app.controllers`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QKeySequence,
    QMouseEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from newsreader import __version__
from newsreader.app.controllers.accounts import AccountsController
from newsreader.app.controllers.reading import SHOW_FILTERS, ReadingController
from newsreader.app.controllers.subscriptions import SubscriptionsController
from newsreader.app.controllers.sync import SyncController
from newsreader.app.models.feeds import FeedTreeModel, Selection
from newsreader.app.models.stories import StoryListModel
from newsreader.app.network import NetworkWatch
from newsreader.app.settings import AppSettings, SettingsStore
from newsreader.app.views.actions import ActionSpec, apply_icons, install_actions
from newsreader.app.views.dialogs.settings_dialog import SettingsDialog
from newsreader.app.views.dialogs.text_dialogs import TableDialog
from newsreader.app.views.related_pane import RelatedPane
from newsreader.app.views.sponsored_pane import SponsoredPane
from newsreader.app.views.story_pane import StoryPane
from newsreader.app.workers import RefreshWorker, SyncWorker, TaskRunner
from newsreader.core.library import Library

MIN_WINDOW_SIZE = QSize(760, 520)
"""Small enough for an 800×600 screen with a panel; every pane still usable."""
MIN_FEED_PANE = 190
MIN_STORY_PANE = 260
MIN_SIDE_PANE = 180


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def default_window_size(available: QSize) -> QSize:
    """The first window: 1280×800 where it fits, else the screen's available area less a margin."""
    return QSize(
        max(MIN_WINDOW_SIZE.width(), min(1280, available.width() - 40)),
        max(MIN_WINDOW_SIZE.height(), min(800, available.height() - 40)),
    )


class StoryTable(QTableView):
    """The story list. A right-click opens the context menu without selecting (so without opening and
    marking read) the story under the pointer."""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            event.accept()
            return
        super().mousePressEvent(event)


class MainWindow(QMainWindow):
    """Everything the user sees. All network, parsing, page analysis and ranking run on workers."""

    story_displayed = Signal(int)
    """A story's panes are all filled (related stories ranked): for tests, benchmarks, screenshots."""

    def __init__(self, library: Library, store: SettingsStore, settings: AppSettings) -> None:
        super().__init__()
        self.library = library
        self.store = store
        self.settings = settings
        self.setWindowTitle("newsreader")
        self.setAccessibleName("newsreader")
        self.tasks = TaskRunner(self)
        self.refresher = RefreshWorker(library, self)
        self.syncer = SyncWorker(library, self)
        self.on_new_stories: Callable[[list[int]], None] | None = None
        """Called with the ids of the stories a refresh added (notifications)."""
        self.hide_on_close: Callable[[], bool] = lambda: False
        """Whether closing the window only hides it (close to tray); Quit always quits."""
        self._quitting = False
        self.remember_state = True
        """Save geometry, splitters and selection on close (off for screenshots)."""
        self.network = NetworkWatch(self)
        self.actions_by_name: dict[str, QAction] = {}
        self.action_specs: list[ActionSpec] = []
        self.toolbar: QToolBar | None = None
        self.reading = ReadingController(self)
        self.subscriptions = SubscriptionsController(self)
        self.sync = SyncController(self)
        self.accounts = AccountsController(self)

        self._build_widgets()
        install_actions(self)
        self._build_status_bar()
        self.apply_settings(settings)
        self.subscriptions.reload_feeds()
        self.subscriptions.load_icons()

    def _build_widgets(self) -> None:
        self.feed_model = FeedTreeModel(self)
        self.feed_model.feeds_dropped.connect(self.subscriptions.move_feeds)
        self.feed_model.drop_refused.connect(self.report)
        self.feed_view = QTreeView(self)
        self.feed_view.setModel(self.feed_model)
        self.feed_view.setAccessibleName("Subscriptions")
        self.feed_view.setHeaderHidden(True)
        self.feed_view.setUniformRowHeights(True)
        self.feed_view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.feed_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.feed_view.setDropIndicatorShown(True)
        self.feed_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.feed_view.customContextMenuRequested.connect(self.subscriptions.feed_context_menu)
        self.feed_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.feed_view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.feed_view.header().setStretchLastSection(False)
        self.feed_view.header().setMinimumSectionSize(8)
        self.feed_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.feed_view.setIndentation(max(12, self.fontMetrics().horizontalAdvance("M")))
        self.feed_view.setMinimumWidth(MIN_FEED_PANE)
        # measuring 1,000 rows on every count update would stall the GUI: room for "9999" instead
        self.feed_view.header().resizeSection(1, self.fontMetrics().horizontalAdvance("9999") + 10)
        self.feed_view.selectionModel().currentChanged.connect(self.subscriptions.feed_selected)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.feed_view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.subscriptions.delete_selected)

        self.story_model = StoryListModel(self.library, self)
        self.story_view = StoryTable(self)
        self.story_view.setModel(self.story_model)
        self.story_view.setAccessibleName("Stories")
        self.story_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.story_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.story_view.setShowGrid(False)
        self.story_view.setWordWrap(False)
        self.story_view.verticalHeader().setVisible(False)
        self.story_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.story_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.story_view.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
        self.story_view.setSortingEnabled(True)
        self.story_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        bold = QFont(self.font())
        bold.setBold(True)  # unread rows are bold; "30 Sep 00:00" is the widest date the list shows
        self.story_view.setColumnWidth(2, QFontMetrics(bold).horizontalAdvance("30 Sep 00:00") + 16)
        self.story_view.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.story_view.selectionModel().currentRowChanged.connect(self.reading.story_row_changed)
        self.story_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.story_view.customContextMenuRequested.connect(self.reading.story_context_menu)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.story_view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.reading.open_original)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search stories (/)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search stories")
        self.search_edit.textChanged.connect(lambda _text: self.reading.search_timer.start())
        self.search_edit.returnPressed.connect(self.reading.run_search)
        self.show_box = QComboBox(self)
        self.show_box.addItems([label for label, _ in SHOW_FILTERS])
        self.show_box.setAccessibleName("Show")
        self.show_box.currentIndexChanged.connect(self.reading.filter_changed)

        self.story_pane = StoryPane(self)
        self.story_pane.browser.image_loader = self.library.image_data
        self.story_pane.open_original.connect(self.reading.open_original)
        self.story_pane.fetch_article.connect(self.reading.fetch_article)
        self.related_pane = RelatedPane(self)
        self.related_pane.story_requested.connect(self.reading.show_story_by_id)
        self.related_pane.link_requested.connect(self.reading.open_link)
        self.related_pane.previous_requested.connect(self.reading.previous_story)
        self.related_pane.next_requested.connect(self.reading.next_story)
        self.sponsored_pane = SponsoredPane(self)
        self.sponsored_pane.story_requested.connect(self.reading.show_story_by_id)
        self.sponsored_pane.link_requested.connect(self.reading.open_link)
        self.sponsored_pane.not_sponsored_requested.connect(self.reading.not_sponsored)
        self.sponsored_pane.link_not_sponsored_requested.connect(self.reading.link_not_sponsored)
        self.hidden_line = QPushButton("", self)
        self.hidden_line.setFlat(True)
        self.hidden_line.setAccessibleName("Sponsored items hidden; activate to show them")
        self.hidden_line.clicked.connect(self.reading.toggle_sponsored)

        self.side_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.side_splitter.addWidget(self.related_pane)
        self.side_splitter.addWidget(self.sponsored_pane)
        self.reading_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.reading_splitter.addWidget(self.story_pane)
        self.reading_splitter.addWidget(self.side_splitter)
        self.reading_splitter.setStretchFactor(0, 3)
        self.reading_splitter.setStretchFactor(1, 2)
        reading = QWidget(self)
        reading_layout = QVBoxLayout(reading)
        reading_layout.setContentsMargins(0, 0, 0, 0)
        reading_layout.setSpacing(0)
        reading_layout.addWidget(self.reading_splitter, 1)
        reading_layout.addWidget(self.hidden_line)

        list_area = QWidget(self)
        list_layout = QVBoxLayout(list_area)
        list_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.show_box)
        list_layout.addLayout(filters)
        list_layout.addWidget(self.story_view, 1)

        self.content_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.content_splitter.addWidget(list_area)
        self.content_splitter.addWidget(reading)
        self.content_splitter.setStretchFactor(0, 2)
        self.content_splitter.setStretchFactor(1, 3)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.addWidget(self.feed_view)
        self.main_splitter.addWidget(self.content_splitter)
        self.main_splitter.setStretchFactor(0, 1)
        self.main_splitter.setStretchFactor(1, 4)

        self.empty_state = QWidget(self)
        empty_layout = QVBoxLayout(self.empty_state)
        empty_layout.addStretch(1)
        welcome = QLabel(
            "<h2>No subscriptions yet</h2><p>Add a feed (or a site that has one), or import the OPML file "
            "another reader exported.</p>",
            self.empty_state,
        )
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(welcome)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.empty_add_button = QPushButton("Add feed…", self.empty_state)
        self.empty_add_button.clicked.connect(self.subscriptions.add_feed)
        self.empty_import_button = QPushButton("Import OPML…", self.empty_state)
        self.empty_import_button.clicked.connect(self.subscriptions.import_opml)
        buttons.addWidget(self.empty_add_button)
        buttons.addWidget(self.empty_import_button)
        buttons.addStretch(1)
        empty_layout.addLayout(buttons)
        empty_layout.addStretch(2)

        self.story_view.setMinimumHeight(self.story_view.verticalHeader().defaultSectionSize() * 4)
        self.story_pane.setMinimumWidth(MIN_STORY_PANE)
        self.side_splitter.setMinimumWidth(MIN_SIDE_PANE)
        for splitter in (self.main_splitter, self.content_splitter, self.reading_splitter, self.side_splitter):
            splitter.setChildrenCollapsible(True)
            splitter.setHandleWidth(6)
        self.content_splitter.setCollapsible(0, False)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.main_splitter)
        self.setCentralWidget(self.stack)
        self.setMinimumSize(MIN_WINDOW_SIZE)
        self.resize(default_window_size(self.screen().availableGeometry().size()))
        self.default_pane_sizes()

    def default_pane_sizes(self) -> None:
        """Pane sizes for the window's current size: a subscriptions column wide enough for real names
        (a quarter of the width, 190–320 px), a story list of about a third of the height (at least eight
        rows), and the story about three fifths of the reading area."""
        width = max(self.width(), MIN_WINDOW_SIZE.width())
        height = max(self.height(), MIN_WINDOW_SIZE.height())
        feeds = max(MIN_FEED_PANE, min(320, width // 4))
        content = width - feeds
        self.main_splitter.setSizes([feeds, content])
        row = self.story_view.verticalHeader().defaultSectionSize()
        usable = height - 110  # menu, toolbar and status bar
        chrome = 2 * row + 24  # the search field and the column headers above the rows
        rows = max(8 * row + chrome, min(16 * row + chrome, usable * 2 // 5))
        self.content_splitter.setSizes([rows, usable - rows])
        side = max(MIN_SIDE_PANE, min(420, content * 2 // 5))
        self.reading_splitter.setSizes([content - side, side])
        self.story_view.setColumnWidth(1, max(90, min(220, content // 5)))
        self.side_splitter.setSizes([3 * usable // 5, 2 * usable // 5])

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "actions_by_name"):
            apply_icons(self)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setAccessibleName("Refresh progress")
        self.progress.hide()
        self.progress_label = QLabel("", self)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel the refresh")
        self.cancel_button.clicked.connect(self.refresher.cancel)
        self.cancel_button.hide()
        self.errors_button = QPushButton("", self)
        self.errors_button.setFlat(True)
        self.errors_button.setAccessibleName("Show the feeds that failed")
        self.errors_button.clicked.connect(self.subscriptions.show_errors)
        self.errors_button.hide()
        self.last_refresh_label = QLabel("", self)
        self.sync_label = QLabel("", self)
        self.sync_label.setAccessibleName("Sync status")
        self.sync_cancel_button = QToolButton(self)
        self.sync_cancel_button.setText("Stop sync")
        self.sync_cancel_button.setAccessibleName("Cancel the sync")
        self.sync_cancel_button.clicked.connect(self.sync.cancel)
        self.sync_cancel_button.hide()
        bar.addWidget(self.progress_label)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.errors_button)
        bar.addPermanentWidget(self.sync_label)
        bar.addPermanentWidget(self.sync_cancel_button)
        bar.addPermanentWidget(self.last_refresh_label)

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings (font size, images, sponsored stories in lists)."""
        changed_list = settings.sponsored_in_lists != self.settings.sponsored_in_lists
        self.settings = settings
        self.story_pane.set_font_size(settings.font_size)
        if changed_list:
            self.reading.load_list()

    def restore_state(self, *, geometry: bool = True) -> None:
        """Window geometry (unless *geometry* is False), splitter sizes, pane visibility and the selected
        feed from the last run."""
        qs = self.store.qsettings
        saved = qs.value("window/geometry") if geometry else None
        if saved is not None:
            self.restoreGeometry(saved)
        if saved is None:
            self.default_pane_sizes()
        for name, splitter in self._splitters().items():
            sizes = qs.value(f"window/{name}")
            if sizes is not None:
                splitter.restoreState(sizes)
        column = _int(qs.value("window/sort_column"), -1)
        if 0 <= column < self.story_model.columnCount():
            order = (
                Qt.SortOrder.AscendingOrder
                if self.store.flag("window/sort_ascending", False)
                else (Qt.SortOrder.DescendingOrder)
            )
            self.story_view.horizontalHeader().setSortIndicator(column, order)
        self.reading.set_sponsored_visible(self.store.flag("window/sponsored_visible", True))
        for key, pane, action in (
            ("feeds_visible", self.feed_view, "toggle_feeds"),
            ("story_visible", self.story_pane, "toggle_story_pane"),
            ("related_visible", self.related_pane, "toggle_related"),
        ):
            visible = self.store.flag(f"window/{key}", True)
            pane.setVisible(visible)
            self.actions_by_name[action].setChecked(visible)
        selection = Selection.from_text(str(qs.value("window/selection", "view:all")))
        if selection is not None:
            self.subscriptions.select(selection)

    def save_state(self) -> None:
        """Remember what :meth:`restore_state` restores."""
        qs = self.store.qsettings
        qs.setValue("window/geometry", self.saveGeometry())
        for name, splitter in self._splitters().items():
            qs.setValue(f"window/{name}", splitter.saveState())
        qs.setValue("window/sponsored_visible", self.reading.sponsored_visible)
        qs.setValue("window/feeds_visible", not self.feed_view.isHidden())
        qs.setValue("window/story_visible", not self.story_pane.isHidden())
        qs.setValue("window/related_visible", not self.related_pane.isHidden())
        qs.setValue("window/selection", self.subscriptions.selection.to_text())
        header = self.story_view.horizontalHeader()
        qs.setValue("window/sort_column", header.sortIndicatorSection())
        qs.setValue("window/sort_ascending", header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder)
        qs.sync()

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "main_splitter": self.main_splitter,
            "content_splitter": self.content_splitter,
            "reading_splitter": self.reading_splitter,
            "side_splitter": self.side_splitter,
        }

    def confirm(self, title: str, question: str, action: str) -> bool:
        """Ask before something that cannot be undone; *action* names the button that does it."""
        box = QMessageBox(QMessageBox.Icon.Question, title, question, QMessageBox.StandardButton.Cancel, self)
        box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """A one-line question; None when cancelled or left empty."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        if dialog.exec() != QInputDialog.DialogCode.Accepted:
            return None
        return dialog.textValue().strip() or None

    def _toggle_feed_pane(self) -> None:
        self.feed_view.setVisible(self.actions_by_name["toggle_feeds"].isChecked())

    def focus_pane(self, number: int) -> None:
        """Ctrl+1…5: move the keyboard focus to subscriptions, the list, the story, related or sponsored
        (showing the pane first when it was hidden)."""
        widgets: list[tuple[QWidget, str | None]] = [
            (self.feed_view, "toggle_feeds"),
            (self.story_view, None),
            (self.story_pane.browser, "toggle_story_pane"),
            (self.related_pane.tree, "toggle_related"),
            (self.sponsored_pane.tree, "toggle_sponsored"),
        ]
        widget, action = widgets[number]
        if action is not None and not self.actions_by_name[action].isChecked():
            self.actions_by_name[action].trigger()
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _toggle_story_pane(self) -> None:
        self.story_pane.setVisible(self.actions_by_name["toggle_story_pane"].isChecked())

    def _toggle_related_pane(self) -> None:
        self.related_pane.setVisible(self.actions_by_name["toggle_related"].isChecked())

    def settings_dialog(self) -> SettingsDialog:
        """The settings dialog, with its Accounts tab."""
        dialog = SettingsDialog(self.settings, self)
        page = self.accounts.make_page(self.settings.sync_minutes, dialog)
        dialog.accounts = page
        dialog.tabs.addTab(page, "A&ccounts")
        return dialog

    def edit_accounts(self) -> None:
        """The settings dialog, open on its Accounts tab."""
        self.edit_settings(accounts=True)

    def edit_settings(self, accounts: bool = False) -> None:
        """The settings dialog."""
        dialog = self.settings_dialog()
        if accounts:
            dialog.show_accounts()
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            settings = dialog.values()
            self.store.save(settings)
            self.apply_settings(settings)
            self.settings_changed(settings)

    def settings_changed(self, settings: AppSettings) -> None:
        """Hook for the application (theme, refresh timer)."""

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every action with a shortcut."""
        rows = []
        for spec in self.action_specs:
            if spec.shortcuts:
                rows.append((", ".join(spec.shortcuts), spec.text.replace("&", "").rstrip("…")))
        rows.append(("Enter", "Open in browser (story list)"))
        return rows

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts."""
        TableDialog("Keyboard shortcuts", ("Keys", "Action"), self.shortcut_rows(), self).exec()

    def show_about(self) -> None:
        """Help → About."""
        QMessageBox.about(
            self,
            "About newsreader",
            f"<h3>newsreader {__version__}</h3><p>An offline-first feed reader that separates the story, related "
            "stories and sponsored content.</p><p>Licensed under the GNU GPL, version 3 or later.</p>",
        )

    def report(self, message: str) -> None:
        """Tell the user about a failure in the status bar (one sentence; the app carries on)."""
        self.statusBar().showMessage(message, 10000)

    def quit(self) -> None:
        """Ctrl+Q: close the window and end the app, even when closing would only hide it."""
        self._quitting = True
        self.close()
        QApplication.quit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self.hide_on_close():
            if self.remember_state:
                self.save_state()
            self.hide()
            event.ignore()
            self.statusBar().showMessage("newsreader is still running in the tray.", 4000)
            return
        if self.remember_state:
            self.save_state()
        self.refresher.cancel()
        self.syncer.cancel()
        self.tasks.close()
        super().closeEvent(event)
