"""The main window: subscriptions, the story list and the three reading panes."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QMouseEvent,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from newsreader import __version__
from newsreader.app.external import open_external
from newsreader.app.icons import action_icon
from newsreader.app.models.feeds import FeedTreeModel, Selection
from newsreader.app.models.stories import StoryListModel, StoryQuery, fetch_page
from newsreader.app.settings import AppSettings, SettingsStore
from newsreader.app.story_html import story_images
from newsreader.app.text import plural
from newsreader.app.views.dialogs.add_feed import AddFeedDialog, choose_feed
from newsreader.app.views.dialogs.feed_properties import FeedProperties, FeedPropertiesDialog
from newsreader.app.views.dialogs.settings_dialog import SettingsDialog
from newsreader.app.views.dialogs.text_dialogs import TableDialog
from newsreader.app.views.related_pane import RelatedPane
from newsreader.app.views.sponsored_pane import SponsoredItems, SponsoredPane
from newsreader.app.views.story_pane import StoryPane
from newsreader.app.workers import RefreshSummary, RefreshWorker, TaskRunner
from newsreader.core.credentials import split_credentials
from newsreader.core.errors import CredentialsError, FetchError, NewsreaderError
from newsreader.core.library import Library, MultipleFeedsError
from newsreader.core.models import (
    Feed,
    PageProgress,
    RefreshProgress,
    RelatedItem,
    RelatedStories,
    StageProgress,
    Story,
)

SHOW_FILTERS = (("All", "all"), ("Unread", "unread"), ("Starred", "starred"))
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


COUNT_UPDATE_MS = 500
"""During a refresh, the subscription counts are brought up to date at most this often."""


@dataclasses.dataclass(frozen=True, slots=True)
class ActionSpec:
    """One entry of the window's action table (menus, toolbar and Help → Keyboard shortcuts)."""

    name: str
    text: str
    shortcuts: tuple[str, ...]
    slot: Callable[[], object]
    menu: str
    checkable: bool = False


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
        self.refresher.stage_progress.connect(self._stage_progress)
        self.refresher.progress.connect(self._refresh_progress)
        self.refresher.page_progress.connect(self._page_progress)
        self.refresher.finished.connect(self._refresh_finished)
        self._selection = Selection("view", "all")
        self._current_story: Story | None = None
        self._related_token = 0
        self._pending_count_ids: set[int] = set()
        self._last_failures: list[tuple[str, str]] = []
        self._last_refresh: datetime | None = None
        self.sponsored_visible = True
        self.on_new_stories: Callable[[list[int]], None] | None = None
        """Called with the ids of the stories a refresh added (notifications)."""
        self.hide_on_close: Callable[[], bool] = lambda: False
        """Whether closing the window only hides it (close to tray); Quit always quits."""
        self._quitting = False
        self._icons_loaded = False
        self.remember_state = True
        """Save geometry, splitters and selection on close (off for screenshots)."""

        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_UPDATE_MS)
        self._count_timer.timeout.connect(self._update_counts)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._run_search)
        self.apply_settings(settings)
        self.reload_feeds()
        self.load_icons()

    # construction ------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.feed_model = FeedTreeModel(self)
        self.feed_model.feeds_dropped.connect(self._move_feeds)
        self.feed_view = QTreeView(self)
        self.feed_view.setModel(self.feed_model)
        self.feed_view.setAccessibleName("Subscriptions")
        self.feed_view.setHeaderHidden(True)
        self.feed_view.setUniformRowHeights(True)
        self.feed_view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.feed_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.feed_view.setDropIndicatorShown(True)
        self.feed_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.feed_view.customContextMenuRequested.connect(self._feed_context_menu)
        self.feed_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.feed_view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.feed_view.header().setStretchLastSection(False)
        self.feed_view.header().setMinimumSectionSize(8)
        self.feed_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.feed_view.setIndentation(max(12, self.fontMetrics().horizontalAdvance("M")))
        self.feed_view.setMinimumWidth(MIN_FEED_PANE)
        # measuring 1,000 rows on every count update would stall the GUI: room for "9999" instead
        self.feed_view.header().resizeSection(1, self.fontMetrics().horizontalAdvance("9999") + 10)
        self.feed_view.selectionModel().currentChanged.connect(self._feed_selected)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.feed_view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)

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
        self.story_view.selectionModel().currentRowChanged.connect(self._story_row_changed)
        self.story_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.story_view.customContextMenuRequested.connect(self._story_context_menu)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.story_view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.open_original)

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search stories (/)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search stories")
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._run_search)
        self.show_box = QComboBox(self)
        self.show_box.addItems([label for label, _ in SHOW_FILTERS])
        self.show_box.setAccessibleName("Show")
        self.show_box.currentIndexChanged.connect(self._filter_changed)

        self.story_pane = StoryPane(self)
        self.story_pane.browser.image_loader = self.library.image_data
        self.story_pane.open_original.connect(self.open_original)
        self.story_pane.fetch_article.connect(self.fetch_article)
        self.related_pane = RelatedPane(self)
        self.related_pane.story_requested.connect(self.show_story_by_id)
        self.related_pane.link_requested.connect(self.open_link)
        self.related_pane.previous_requested.connect(self.previous_story)
        self.related_pane.next_requested.connect(self.next_story)
        self.sponsored_pane = SponsoredPane(self)
        self.sponsored_pane.story_requested.connect(self.show_story_by_id)
        self.sponsored_pane.link_requested.connect(self.open_link)
        self.sponsored_pane.not_sponsored_requested.connect(self._not_sponsored)
        self.sponsored_pane.link_not_sponsored_requested.connect(self._link_not_sponsored)
        self.hidden_line = QPushButton("", self)
        self.hidden_line.setFlat(True)
        self.hidden_line.setAccessibleName("Sponsored items hidden; activate to show them")
        self.hidden_line.clicked.connect(self.toggle_sponsored)

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
        self.empty_add_button.clicked.connect(self.add_feed)
        self.empty_import_button = QPushButton("Import OPML…", self.empty_state)
        self.empty_import_button.clicked.connect(self.import_opml)
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

    def _build_actions(self) -> None:
        specs = [
            ActionSpec("refresh", "&Refresh all feeds", ("R", "F5"), self.refresh_all, "&Feeds"),
            ActionSpec("add_feed", "&Add feed…", ("Ctrl+N",), self.add_feed, "&Feeds"),
            ActionSpec("new_folder", "New &folder…", ("Ctrl+Shift+N",), self.new_folder, "&Feeds"),
            ActionSpec("import_opml", "&Import OPML…", (), self.import_opml, "&Feeds"),
            ActionSpec("export_opml", "&Export OPML…", (), self.export_opml, "&Feeds"),
            ActionSpec("mark_all_read", "Mark &all read", ("Shift+A",), self.mark_all_read, "&Feeds"),
            ActionSpec("settings", "&Settings…", ("Ctrl+,",), self.edit_settings, "&Feeds"),
            ActionSpec("quit", "&Quit", ("Ctrl+Q",), self.quit, "&Feeds"),
            ActionSpec("next_story", "&Next story", ("J",), self.next_story, "&Story"),
            ActionSpec("previous_story", "&Previous story", ("K",), self.previous_story, "&Story"),
            ActionSpec("next_unread", "Next &unread", ("N",), self.next_unread, "&Story"),
            ActionSpec("previous_unread", "Previous u&nread", ("P",), self.previous_unread, "&Story"),
            ActionSpec("page_down", "Page down, then next unread", ("Space",), self.page_down_or_next, "&Story"),
            ActionSpec("toggle_read", "Toggle &read", ("M",), self.toggle_read, "&Story"),
            ActionSpec("toggle_star", "Toggle &star", ("S",), self.toggle_star, "&Story"),
            ActionSpec("open_original", "&Open in browser", ("O",), self.open_original, "&Story"),
            ActionSpec("fetch_article", "&Fetch full article", ("F",), self.fetch_article, "&Story"),
            ActionSpec("search", "&Search", ("/", "Ctrl+F"), self.focus_search, "&Story"),
            ActionSpec("toggle_sponsored", "&Sponsored pane", ("H",), self.toggle_sponsored, "&View", True),
            ActionSpec("toggle_feeds", "Su&bscriptions pane", ("Ctrl+Shift+B",), self._toggle_feed_pane, "&View", True),
            ActionSpec("toggle_story_pane", "S&tory pane", (), self._toggle_story_pane, "&View", True),
            ActionSpec("toggle_related", "&Related pane", (), self._toggle_related_pane, "&View", True),
            ActionSpec("focus_feeds", "Go to subscriptions", ("Ctrl+1",), lambda: self.focus_pane(0), "&View"),
            ActionSpec("focus_stories", "Go to the story list", ("Ctrl+2",), lambda: self.focus_pane(1), "&View"),
            ActionSpec("focus_story", "Go to the story", ("Ctrl+3",), lambda: self.focus_pane(2), "&View"),
            ActionSpec("focus_related", "Go to related stories", ("Ctrl+4",), lambda: self.focus_pane(3), "&View"),
            ActionSpec("focus_sponsored", "Go to sponsored items", ("Ctrl+5",), lambda: self.focus_pane(4), "&View"),
            ActionSpec("bigger_text", "&Bigger text", ("Ctrl++", "Ctrl+="), self.bigger_text, "&View"),
            ActionSpec("smaller_text", "S&maller text", ("Ctrl+-",), self.smaller_text, "&View"),
            ActionSpec("shortcuts", "&Keyboard shortcuts", ("F1",), self.show_shortcuts, "&Help"),
            ActionSpec("about", "&About newsreader", (), self.show_about, "&Help"),
        ]
        self.actions_by_name: dict[str, QAction] = {}
        menus: dict[str, QMenu] = {}
        for spec in specs:
            action = QAction(spec.text, self)
            action.setObjectName(spec.name)
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setCheckable(spec.checkable)
            if spec.checkable:
                action.setChecked(True)
            action.triggered.connect(spec.slot)
            keys = f" ({spec.shortcuts[0]})" if spec.shortcuts else ""
            action.setToolTip(spec.text.replace("&", "").rstrip("…") + keys)
            self.addAction(action)
            menu = menus.get(spec.menu)
            if menu is None:
                menu = self.menuBar().addMenu(spec.menu)
                menus[spec.menu] = menu
            menu.addAction(action)
            self.actions_by_name[spec.name] = action
        self.action_specs = specs
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.setIconSize(QSize(20, 20))
        for name in ("refresh", "add_feed", "mark_all_read", None, "toggle_read", "toggle_star", "open_original"):
            if name is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self.actions_by_name[name])
        toolbar.addAction(self.actions_by_name["fetch_article"])
        toolbar.addSeparator()
        toolbar.addAction(self.actions_by_name["toggle_sponsored"])
        self.toolbar = toolbar
        self._update_story_actions()
        self.apply_icons()

    def apply_icons(self) -> None:
        """Give the actions their icons in the current palette's colours (again after a theme change)."""
        for name, action in self.actions_by_name.items():
            action.setIcon(action_icon(name, self))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "actions_by_name"):
            self.apply_icons()

    STORY_ACTIONS = ("toggle_read", "toggle_star", "open_original", "fetch_article")
    """Actions that need a story shown; disabled without one."""

    def _update_story_actions(self) -> None:
        story = self._current_story
        for name in self.STORY_ACTIONS:
            needs_link = name in ("open_original", "fetch_article")
            self.actions_by_name[name].setEnabled(story is not None and (bool(story.link) or not needs_link))

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
        self.errors_button.clicked.connect(self.show_errors)
        self.errors_button.hide()
        self.last_refresh_label = QLabel("", self)
        bar.addWidget(self.progress_label)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.errors_button)
        bar.addPermanentWidget(self.last_refresh_label)

    # settings and state --------------------------------------------------------------------------

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings (font size, images, sponsored stories in lists)."""
        changed_list = settings.sponsored_in_lists != self.settings.sponsored_in_lists
        self.settings = settings
        self.story_pane.set_font_size(settings.font_size)
        if changed_list:
            self._load_list()

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
        self.set_sponsored_visible(self.store.flag("window/sponsored_visible", True))
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
            self.select(selection)

    def save_state(self) -> None:
        """Remember what :meth:`restore_state` restores."""
        qs = self.store.qsettings
        qs.setValue("window/geometry", self.saveGeometry())
        for name, splitter in self._splitters().items():
            qs.setValue(f"window/{name}", splitter.saveState())
        qs.setValue("window/sponsored_visible", self.sponsored_visible)
        qs.setValue("window/feeds_visible", not self.feed_view.isHidden())
        qs.setValue("window/story_visible", not self.story_pane.isHidden())
        qs.setValue("window/related_visible", not self.related_pane.isHidden())
        qs.setValue("window/selection", self._selection.to_text())
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

    # subscriptions -------------------------------------------------------------------------------

    def reload_feeds(self) -> None:
        """Rebuild the subscriptions tree (after adding, removing or moving feeds)."""
        feeds = self.library.feeds()
        self.feed_model.load(feeds, [f.name for f in self.library.folders()], self.library.view_counts())
        checked = [f.last_checked for f in feeds if f.last_checked is not None]
        if checked and self._last_refresh is None:
            self.last_refresh_label.setText(f"Last refresh {max(checked).astimezone():%d %b %H:%M}")
        self.feed_view.expandAll()
        self.stack.setCurrentWidget(self.main_splitter if feeds else self.empty_state)
        if self.feed_model.index_of(self._selection).isValid():
            self._mark_current(self._selection)
        else:
            self.select(Selection("view", "all"))

    def select(self, selection: Selection) -> None:
        """Show a smart view, folder or feed in the story list."""
        index = self.feed_model.index_of(selection)
        if not index.isValid():
            return
        if self.feed_view.currentIndex() == index:
            self._show_selection(selection)
        else:
            self.feed_view.setCurrentIndex(index)

    def _mark_current(self, selection: Selection) -> None:
        index = self.feed_model.index_of(selection)
        self.feed_view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _feed_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        selection = current.data(FeedTreeModel.SelectionRole) if current.isValid() else None
        if isinstance(selection, Selection) and selection != self._selection:
            self._show_selection(selection)

    def _show_selection(self, selection: Selection) -> None:
        self._selection = selection
        if self.search_edit.text():
            self.search_edit.blockSignals(True)
            self.search_edit.clear()
            self.search_edit.blockSignals(False)
        self._load_list()

    def _query(self) -> StoryQuery:
        current = self.story_model.query
        return StoryQuery(
            selection=self._selection,
            show=SHOW_FILTERS[self.show_box.currentIndex()][1],
            order=current.order,
            reverse=current.reverse,
            include_sponsored=self.settings.sponsored_in_lists == "mark",
            search=self.search_edit.text().strip(),
        )

    def _load_list(self, keep_story: int | None = None) -> None:
        self.story_model.set_query(self._query())
        if keep_story is not None and self._reselect(keep_story):
            return
        self._clear_reading()

    def _filter_changed(self, _index: int) -> None:
        self._load_list()

    def _update_counts(self, everything: bool = False) -> None:
        """Bring unread counts up to date; the counting queries run on a worker."""
        ids = None if everything else sorted(self._pending_count_ids)
        self._pending_count_ids.clear()
        library = self.library

        def count() -> tuple[list[Feed], dict[str, int]]:
            feeds = library.feeds(ids) if ids is None or ids else []
            return feeds, library.view_counts()

        def show(result: tuple[list[Feed], dict[str, int]]) -> None:
            self.feed_model.update_feeds(*result)

        self.tasks.submit(count, show, self.report)

    def _count_later(self, feed_ids: list[int]) -> None:
        self._pending_count_ids.update(feed_ids)
        if not self._count_timer.isActive():
            self._count_timer.start()

    def _move_feeds(self, feed_ids: list[int], folder: str | None) -> None:
        try:
            for feed_id in feed_ids:
                self.library.move_feed(feed_id, folder)
        except NewsreaderError as exc:
            self.report(str(exc))
        self.reload_feeds()

    def _feed_context_menu(self, position: QPoint) -> None:
        index = self.feed_view.indexAt(position)
        selection = index.data(FeedTreeModel.SelectionRole) if index.isValid() else None
        if isinstance(selection, Selection):
            self.select(selection)
        self.feed_menu(selection if isinstance(selection, Selection) else None).popup(
            self.feed_view.viewport().mapToGlobal(position)
        )

    def feed_menu(self, selection: Selection | None) -> QMenu:
        """The subscriptions' context menu for a feed, a folder, a smart view or the empty area."""
        menu = QMenu(self)
        if selection is not None:
            menu.addAction("Refresh", lambda: self.refresh_selection(selection))
            menu.addAction("Mark all read", self.mark_all_read)
        feed = (
            self.feed_model.feed(int(selection.value)) if selection is not None and selection.kind == "feed" else None
        )
        if feed is not None:
            menu.addSeparator()
            site = menu.addAction("Open site", lambda: self.open_link(feed.site_url))
            site.setEnabled(bool(feed.site_url))
            menu.addAction("Copy feed address", lambda: self.copy_text(feed.url))
            menu.addSeparator()
            menu.addAction("Properties…", lambda: self.edit_feed(feed.id))
            menu.addAction("Unsubscribe…", lambda: self.remove_feed(feed.id))
        if selection is not None and selection.kind == "folder":
            menu.addSeparator()
            menu.addAction("Rename folder…", lambda: self.rename_folder(str(selection.value)))
            menu.addAction("Delete folder…", lambda: self.delete_folder(str(selection.value)))
        menu.addSeparator()
        menu.addAction(self.actions_by_name["add_feed"])
        menu.addAction(self.actions_by_name["new_folder"])
        return menu

    def delete_selected(self) -> None:
        """Delete in the subscriptions: unsubscribe from the feed or delete the folder, after asking."""
        selection = self._selection
        if selection.kind == "feed":
            self.remove_feed(int(selection.value))
        elif selection.kind == "folder":
            self.delete_folder(str(selection.value))

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

    def new_folder(self) -> None:
        """Feeds → New folder: create an empty folder (and select it)."""
        name = self.ask_text("New folder", "Folder name:")
        if name is None:
            return
        try:
            self.library.create_folder(name)
        except NewsreaderError as exc:
            self.report(str(exc))
            return
        self.reload_feeds()
        self.select(Selection("folder", name))

    def rename_folder(self, old: str) -> None:
        """Rename a folder (its feeds stay in it)."""
        new = self.ask_text("Rename folder", "New name:", old)
        if new is None or new == old:
            return
        try:
            self.library.rename_folder(old, new)
        except NewsreaderError as exc:
            self.report(str(exc))
            return
        if self._selection == Selection("folder", old):
            self._selection = Selection("folder", new)
        self.reload_feeds()

    def delete_folder(self, name: str) -> None:
        """Delete a folder after asking; its feeds move to the top level, nothing is unsubscribed."""
        count = len(self.feed_model.feeds_in(Selection("folder", name)))
        where = f" Its {plural(count, 'feed')} move to the top level." if count else ""
        if not self.confirm("Delete folder", f"Delete the folder “{name}”?{where}", "Delete folder"):
            return
        try:
            self.library.delete_folder(name)
        except NewsreaderError as exc:
            self.report(str(exc))
        self.reload_feeds()

    # story list ----------------------------------------------------------------------------------

    def _run_search(self) -> None:
        self._search_timer.stop()
        text = self.search_edit.text().strip()
        query = self._query()
        if not text:
            self.story_model.set_query(query)
            return
        self.story_model.set_query(query)
        include = query.include_sponsored

        def done(found: list[Story]) -> None:
            if self.story_model.query == query:
                self.story_model.show_results(found)
                self.statusBar().showMessage(f"{plural(len(found), 'story', 'stories')} match “{text}”.", 4000)

        self.tasks.submit(lambda: self.library.search(text, limit=500, include_sponsored=include), done, self.report)

    def current_row(self) -> int:
        """The selected row of the story list, or -1."""
        return self.story_view.currentIndex().row()

    def _select_row(self, row: int | None) -> bool:
        if row is None or row < 0 or row >= self.story_model.rowCount():
            return False
        index = self.story_model.index(row, 0)
        self.story_view.setCurrentIndex(index)
        self.story_view.scrollTo(index)
        return True

    def next_story(self) -> None:
        """J: the story below."""
        row = self.current_row()
        if row + 1 >= self.story_model.rowCount() and self.story_model.canFetchMore():
            self.story_model.fetchMore()
        self._select_row(row + 1)

    def previous_story(self) -> None:
        """K: the story above."""
        self._select_row(max(0, self.current_row() - 1) if self.current_row() > 0 else None)

    def next_unread(self) -> bool:
        """N: the next unread story below; at the end of a feed's (or folder's) list, the first unread
        story of the next feed that has any. False when there is none anywhere."""
        row = self.story_model.find_row(self.current_row(), 1, lambda s: not s.read)
        if row is not None:
            return self._select_row(row)
        target = self.feed_model.next_with_unread(self._selection) if self._selection.kind != "view" else None
        if target is not None:
            self.select(target)
            row = self.story_model.find_row(-1, 1, lambda s: not s.read)
            if row is not None:
                return self._select_row(row)
        self.statusBar().showMessage("No more unread stories.", 3000)
        return False

    def previous_unread(self) -> None:
        """P: the previous unread story above."""
        self._select_row(self.story_model.find_row(self.current_row(), -1, lambda s: not s.read))

    def page_down_or_next(self) -> None:
        """Space: scroll the story; at its end, the next unread story."""
        if self._current_story is None or not self.story_pane.page_down():
            self.next_unread()

    def story_menu(self, story: Story) -> QMenu:
        """The story list's context menu for *story*; it acts on that story without opening it (so a
        right-click marks nothing read)."""
        menu = QMenu(self)
        menu.addAction("Mark as unread" if story.read else "Mark as read", lambda: self._flag(story, "read"))
        menu.addAction("Unstar" if story.starred else "Star", lambda: self._flag(story, "starred"))
        menu.addAction("Mark older as read", lambda: self.mark_older_read(story))
        menu.addAction("Mark read in every feed", lambda: self._mark_group_read(story.id))
        menu.addSeparator()
        open_action = menu.addAction("Open in browser", lambda: self.open_link(story.link))
        copy_action = menu.addAction("Copy link", lambda: self.copy_text(story.link))
        fetch_action = menu.addAction("Fetch full article", lambda: self.fetch_article(story))
        for action in (open_action, copy_action, fetch_action):
            action.setEnabled(bool(story.link))
        menu.addSeparator()
        if story.sponsored:
            menu.addAction("Not sponsored", lambda: self._not_sponsored(story.id))
        else:
            menu.addAction("Sponsored", lambda: self._sponsored(story.id))
        return menu

    def _story_context_menu(self, position: QPoint) -> None:
        index = self.story_view.indexAt(position)
        story = self.story_model.story_at(index.row()) if index.isValid() else None
        if story is not None:
            self.story_menu(story).popup(self.story_view.viewport().mapToGlobal(position))

    def _flag(self, story: Story, flag: str) -> None:
        """Toggle read or starred on a story of the list (the one shown, or another)."""
        shown = self._current_story
        current = shown if shown is not None and shown.id == story.id else story
        changed = self._set_flag(current, flag, not getattr(current, flag))
        if shown is not None and shown.id == story.id:
            self._current_story = changed

    def mark_older_read(self, story: Story) -> None:
        """Mark read every story of the current list published before *story*, and *story* (on a worker)."""
        query = self._query()
        library = self.library

        def work() -> list[int]:
            older = [
                s.id
                for s in fetch_page(library, dataclasses.replace(query, show="unread"), 0, limit=None)
                if (s.published, s.id) <= (story.published, story.id)  # the list's own order breaks ties
            ]
            library.mark_read(older)
            return older

        def done(ids: list[int]) -> None:
            self.story_model.set_flags(ids, read=True)
            self._count_later([])
            self.statusBar().showMessage(f"{plural(len(ids), 'story', 'stories')} marked read.", 4000)

        self.tasks.submit(work, done, self.report)

    def copy_text(self, text: str | None) -> None:
        """Put *text* (a link) on the clipboard."""
        if text:
            QApplication.clipboard().setText(text)
            self.statusBar().showMessage(f"Copied {text}", 3000)

    def _mark_group_read(self, story_id: int) -> None:
        self.library.mark_group_read(story_id)
        keep = self._current_story.id if self._current_story is not None else None
        self._load_list(keep_story=keep)
        self._count_later([])

    def _story_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        story = self.story_model.story_at(current.row()) if current.isValid() else None
        if story is not None:
            self._open(story.id)

    def _reselect(self, story_id: int) -> bool:
        row = self.story_model.row_of(story_id)
        if row is None:
            row = self.story_model.find_row(-1, 1, lambda s: s.id == story_id, max_pages=10)
        if row is None:
            return False
        self.story_view.selectionModel().blockSignals(True)
        self.story_view.setCurrentIndex(self.story_model.index(row, 0))
        self.story_view.selectionModel().blockSignals(False)
        return True

    def show_story_by_id(self, story_id: int) -> None:
        """Open a story: selected in the list when it is there, else shown on its own."""
        row = self.story_model.row_of(story_id)
        if row is not None:
            self._select_row(row)
        else:
            self.story_view.selectionModel().clearCurrentIndex()
            self._open(story_id)

    # reading -------------------------------------------------------------------------------------

    def _clear_reading(self) -> None:
        self._current_story = None
        self._update_story_actions()
        self._related_token += 1
        self.story_pane.show_empty()
        self.related_pane.clear()
        self.sponsored_pane.show_items(SponsoredItems())
        self._update_hidden_line()

    def _open(self, story_id: int) -> None:
        try:
            story = self.library.story(story_id)
            page = self.library.page(story_id)
            page_error = self.library.page_error(story_id) if page is None else None
        except NewsreaderError as exc:
            self.report(str(exc))
            return
        if self.settings.mark_read_on_select and not story.read:
            story = self._set_flag(story, "read", True)
        self._current_story = story
        self._update_story_actions()
        shown, on_page = story, page.sponsored if page is not None else ()
        if page is None:  # the feed's own HTML, split like a page: paid links and pixels go to the sponsored pane
            content = self.library.story_content(story.id)
            if story.content_html:
                shown = dataclasses.replace(story, content_html=content.html)
            else:
                shown = dataclasses.replace(story, summary_html=content.html)
            on_page = content.sponsored
        images = story_images(shown, page)
        cached = self.library.cached_images(images) if images else {}
        self.story_pane.show_story(shown, page, page_error, cached)
        missing = [url for url in images if url not in cached]
        if missing and self.settings.remote_images:
            self._download_images(story.id, missing)
        source_sponsored = self.library.stories(
            feed_id=story.feed_id, sponsored_only=True, include_sponsored=True, limit=10
        )
        self.sponsored_pane.show_items(
            SponsoredItems(
                on_page=on_page,
                from_source=tuple(s for s in source_sponsored if s.id != story.id),
                this_story=story if story.sponsored else None,
            )
        )
        self._update_hidden_line()
        self.related_pane.clear("Finding related stories…")
        self._related_token += 1
        token = self._related_token
        prev_next = self._list_neighbours(story.id)
        include = self.settings.sponsored_in_lists == "mark"

        def rank() -> RelatedStories:
            return self.library.related(story.id, include_sponsored=include)

        def done(result: RelatedStories) -> None:
            if token != self._related_token:
                return
            related = dataclasses.replace(result, prev=prev_next[0], next=prev_next[1])
            self.related_pane.show_related(related, story.feed_title)
            self.story_displayed.emit(story.id)

        def failed(message: str) -> None:
            if token == self._related_token:
                self.related_pane.clear(message)
                self.story_displayed.emit(story.id)

        self.tasks.submit(rank, done, failed)

    def _download_images(self, story_id: int, urls: list[str]) -> None:
        """Images the user allowed: into the offline cache on a worker, then shown."""

        def shown(_cached: dict[str, str]) -> None:
            if self._current_story is not None and self._current_story.id == story_id and _cached:
                self._open(story_id)

        self.tasks.submit(lambda: self.library.cache_images(urls), shown, self.report)

    def _list_neighbours(self, story_id: int) -> tuple[tuple[RelatedItem, ...], tuple[RelatedItem, ...]]:
        """Previous and next as the list shows them (whatever its sort or search)."""
        row = self.story_model.row_of(story_id)
        if row is None:
            return (), ()

        def item(other: Story | None, reason: str) -> tuple[RelatedItem, ...]:
            if other is None:
                return ()
            return (
                RelatedItem(
                    other.id, other.title, other.link, other.feed_id, other.feed_title, other.published, reason
                ),
            )

        return (
            item(self.story_model.story_at(row - 1), "The story above this one in the list."),
            item(self.story_model.story_at(row + 1), "The story below this one in the list."),
        )

    def toggle_read(self) -> None:
        """M: read ↔ unread."""
        if self._current_story is not None:
            self._current_story = self._set_flag(self._current_story, "read", not self._current_story.read)

    def toggle_star(self) -> None:
        """S: star ↔ unstar."""
        if self._current_story is not None:
            self._current_story = self._set_flag(self._current_story, "starred", not self._current_story.starred)

    def _set_flag(self, story: Story, flag: str, value: bool) -> Story:
        """Store a read/starred change, show it in the list, and recount; returns the changed story."""
        mark = self.library.mark_read if flag == "read" else self.library.mark_starred
        mark([story.id], value)
        self.story_model.set_flags([story.id], **{flag: value})
        self._count_later([story.feed_id])
        return dataclasses.replace(story, **{flag: value})  # type: ignore[arg-type]

    def open_original(self) -> None:
        """O / Enter: the story's page in the system browser."""
        if self._current_story is not None:
            self.open_link(self._current_story.link)

    def open_link(self, link: str | None) -> None:
        """Open a web link in the system browser, saying so when none could open it."""
        if link and not open_external(link):
            self.report(f"No browser could open {link}; the link is on the clipboard instead.")
            QApplication.clipboard().setText(link)

    def fetch_article(self, story: Story | None = None) -> None:
        """Download and analyse a story's (by default the current one's) article page off the GUI thread."""
        story = story if isinstance(story, Story) else self._current_story
        if story is None or not story.link:
            return
        self.statusBar().showMessage(f"Fetching the article “{story.title}”…")

        def done(_result: object) -> None:
            self.statusBar().showMessage("Article downloaded; it reads offline now.", 4000)
            if self._current_story is not None and self._current_story.id == story.id:
                self._open(story.id)

        def failed(message: str) -> None:
            self.report(f"The article could not be fetched: {message}")
            if self._current_story is not None and self._current_story.id == story.id:
                self._open(story.id)

        self.tasks.submit(lambda: self.library.fetch_story_page(story.id), done, failed)

    def _sponsored(self, story_id: int) -> None:
        self._set_sponsored(story_id, True)

    def _not_sponsored(self, story_id: int) -> None:
        self._set_sponsored(story_id, False)

    def _link_not_sponsored(self, href: str) -> None:
        self.library.set_link_sponsored(href, False)
        self.statusBar().showMessage(f"{href} will not be shown as sponsored again.", 4000)
        if self._current_story is not None:
            self._open(self._current_story.id)

    def _set_sponsored(self, story_id: int, sponsored: bool) -> None:
        try:
            changed = self.library.set_story_sponsored(story_id, sponsored)
        except NewsreaderError as exc:
            self.report(str(exc))
            return
        self._count_later([changed.feed_id])
        keep = self._current_story.id if self._current_story is not None else None
        listed = self.settings.sponsored_in_lists == "mark" or self.search_edit.text()
        if listed:
            self.story_model.replace_story(changed)
        else:  # hidden sponsored stories: the list gains (or loses) this one now, not on the next reload
            self.story_model.reload()
            if keep is not None:
                self._reselect(keep)
        if keep is not None:
            self._open(keep)

    # panes ---------------------------------------------------------------------------------------

    def toggle_sponsored(self) -> None:
        """H: hide or show the sponsored pane (the choice is remembered)."""
        self.set_sponsored_visible(not self.sponsored_visible)

    def set_sponsored_visible(self, visible: bool) -> None:
        """Show or hide the sponsored pane."""
        self.sponsored_visible = visible
        self.sponsored_pane.setVisible(visible)
        self.actions_by_name["toggle_sponsored"].setChecked(visible)
        self._update_hidden_line()

    def _update_hidden_line(self) -> None:
        count = self.sponsored_pane.items.count
        if self.sponsored_visible or not count:
            self.hidden_line.hide()
            return
        self.hidden_line.setText(f"{plural(count, 'sponsored item')} hidden — press H to show")
        self.hidden_line.show()

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

    def bigger_text(self) -> None:
        """Ctrl++: a larger story font."""
        self._set_font_size(self.story_pane.font_size + 1)

    def smaller_text(self) -> None:
        """Ctrl+-: a smaller story font."""
        self._set_font_size(self.story_pane.font_size - 1)

    def _set_font_size(self, points: int) -> None:
        self.story_pane.set_font_size(points)
        self.settings = dataclasses.replace(self.settings, font_size=self.story_pane.font_size)
        self.store.qsettings.setValue("font_size", self.story_pane.font_size)

    def focus_search(self) -> None:
        """/: type a search."""
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # refreshing ----------------------------------------------------------------------------------

    def refresh_all(self) -> None:
        """R: check every enabled feed now."""
        self._start_refresh(None, due_only=False)

    def refresh_due(self) -> None:
        """The scheduled refresh: feeds whose interval has passed."""
        self._start_refresh(None, due_only=True)

    def refresh_selection(self, selection: Selection) -> None:
        """Refresh a feed or a folder's feeds (everything for a smart view)."""
        ids = self.feed_model.feeds_in(selection) if selection.kind != "view" else None
        self._start_refresh(ids, due_only=False)

    def _start_refresh(self, feed_ids: list[int] | None, *, due_only: bool) -> None:
        if not self.refresher.start(feed_ids, due_only=due_only):
            self.statusBar().showMessage("A refresh is already running.", 3000)
            return
        self._refresh_started_at = time.monotonic()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.progress_label.setText("Refreshing…")

    def _stage_progress(self, step: StageProgress) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(max(self.progress.value(), round(step.fraction * 1000)))
        self.progress_label.setText(f"{step.stage.label} {step.done}/{step.total}")

    def _refresh_progress(self, step: RefreshProgress) -> None:
        self._count_later([step.result.feed_id])

    def _page_progress(self, step: PageProgress) -> None:
        if self._current_story is not None and self._current_story.id == step.story_id:
            self._open(step.story_id)

    def _refresh_finished(self, summary: RefreshSummary) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self._last_refresh = datetime.now()
        self._last_failures = summary.failures
        if summary.error:
            self.progress_label.setText(f"Refresh failed: {summary.error}")
        else:
            state = "cancelled" if summary.cancelled else "done"
            pages = f" {plural(summary.pages - summary.page_failures, 'article')} downloaded." if summary.pages else ""
            self.progress_label.setText(
                f"Refresh {state}: {plural(len(summary.new_story_ids), 'new story', 'new stories')} from "
                f"{plural(summary.done, 'feed')}.{pages}"
            )
        self.last_refresh_label.setText(f"Last refresh {self._last_refresh:%H:%M}")
        if summary.failures:
            self.errors_button.setText(f"{plural(len(summary.failures), 'feed')} failed")
            self.errors_button.show()
        else:
            self.errors_button.hide()
        self._count_timer.stop()
        self._update_counts(everything=True)
        if summary.icons or not self._icons_loaded:
            self.load_icons()
        if summary.new_story_ids and not self.search_edit.text():
            keep = self._current_story.id if self._current_story is not None else None
            self._load_list(keep_story=keep)
        if summary.new_story_ids and self.on_new_stories is not None:
            self.on_new_stories(summary.new_story_ids)

    def load_icons(self) -> None:
        """Show the feeds' cached icons (read on a worker)."""
        self._icons_loaded = True
        self.tasks.submit(self.library.feed_icons, self._show_icons)

    def _show_icons(self, icons: dict[int, bytes]) -> None:
        for feed_id, data in icons.items():
            pixmap = QPixmap()
            if pixmap.loadFromData(data) and not pixmap.isNull():
                self.feed_model.set_icon(
                    feed_id,
                    QIcon(
                        pixmap.scaled(
                            16, 16, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                        )
                    ),
                )

    def show_errors(self) -> None:
        """The feeds that failed in the last refresh, with their errors."""
        TableDialog("Feeds that failed", ("Feed", "Error"), self._last_failures, self).exec()

    # feeds: add, edit, remove, OPML ------------------------------------------------------------

    def add_feed(self) -> None:
        """Ask for an address and subscribe (discovery and the first fetch run on a worker)."""
        folder = str(self._selection.value) if self._selection.kind == "folder" else None
        dialog = AddFeedDialog([f.name for f in self.library.folders()], self, folder)
        if dialog.exec() != AddFeedDialog.DialogCode.Accepted:
            return
        self.subscribe(dialog.url(), dialog.folder(), dialog.title())

    def subscribe(
        self,
        url: str,
        folder: str | None,
        title: str | None,
        auth: tuple[str, str] | None = None,
        *,
        unencrypted: bool = False,
    ) -> None:
        """Subscribe to *url* off the GUI thread; a page offering several feeds asks which one, a
        server that answers 401 asks for a user name and password, and without a keyring to keep the
        password the user chooses whether to keep it unencrypted."""
        shown_url = split_credentials(url)[0]
        self.statusBar().showMessage(f"Looking for feeds at {shown_url}…")

        def work() -> Feed | NewsreaderError:
            try:
                return self.library.add_feed(
                    url, folder=folder, title=title, auth=auth, unencrypted_password=unencrypted
                )
            except MultipleFeedsError as exc:
                return exc
            except FetchError as exc:
                if exc.status == 401:
                    return exc
                raise
            except CredentialsError as exc:
                return exc

        def done(result: object) -> None:
            if isinstance(result, MultipleFeedsError):
                chosen = choose_feed(self, result.candidates)
                if chosen is not None:
                    self.subscribe(chosen.url, folder, title, auth, unencrypted=unencrypted)
                return
            if isinstance(result, FetchError):
                self.statusBar().clearMessage()
                self._ask_credentials(url, folder, title, wrong=auth is not None)
                return
            if isinstance(result, CredentialsError):
                self.statusBar().clearMessage()
                has_password = auth is not None or split_credentials(url)[1] is not None
                if has_password and self.keep_password_unencrypted(str(result)):
                    self.subscribe(url, folder, title, auth, unencrypted=True)
                return
            if isinstance(result, Feed):
                self.statusBar().showMessage(f"Subscribed to {result.title or result.url}.", 4000)
                self.reload_feeds()
                self.select(Selection("feed", result.id))

        self.tasks.submit(work, done, lambda message: self.report(f"Could not add {shown_url}: {message}"))

    def _ask_credentials(self, url: str, folder: str | None, title: str | None, *, wrong: bool) -> None:
        clean, in_url = split_credentials(url)
        why = (
            "The server did not accept that user name and password; try again."
            if wrong or in_url
            else "The server asks for a user name and password. The password is kept in your system's keyring."
        )
        dialog = AddFeedDialog(
            [f.name for f in self.library.folders()], self, folder, url=clean, title=title or "", ask_password=why
        )
        if dialog.exec() == AddFeedDialog.DialogCode.Accepted:
            self.subscribe(dialog.url(), dialog.folder(), dialog.title(), dialog.credentials())

    def keep_password_unencrypted(self, problem: str) -> bool:
        """No keyring: say so, and ask whether to keep the password unencrypted in a file of the user's."""
        box = QMessageBox(QMessageBox.Icon.Warning, "No keyring for the password", problem, parent=self)
        box.setInformativeText(
            f"newsreader can instead keep the password unencrypted in {self.library.password_file}, "
            "readable only by your user account — or you can cancel and set up a keyring first."
        )
        box.addButton("Keep it unencrypted", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole

    def edit_feed(self, feed_id: int) -> None:
        """The feed's properties dialog."""
        try:
            feed = self.library.feed(feed_id)
            rules = self.library.feed_sponsored_rules(feed_id)
        except NewsreaderError as exc:
            self.report(str(exc))
            return
        dialog = FeedPropertiesDialog(feed, [f.name for f in self.library.folders()], rules, self)
        if dialog.exec() == FeedPropertiesDialog.DialogCode.Accepted:
            self.apply_feed_properties(feed, dialog.values())

    def apply_feed_properties(self, feed: Feed, values: FeedProperties) -> None:
        """Store what the properties dialog changed."""
        lib = self.library
        try:
            if values.title != feed.title:
                lib.rename_feed(feed.id, values.title or None)
            if values.folder != feed.folder:
                lib.move_feed(feed.id, values.folder)
            lib.set_feed_options(
                feed.id,
                enabled=values.enabled,
                update_interval=values.interval_minutes * 60 or None,
                full_articles=values.full_articles,
                retention_max_age_days=values.keep_days or None,
                retention_max_count=values.keep_count or None,
            )
            rules = lib.feed_sponsored_rules(feed.id)
            if (values.never_sponsored, values.title_patterns, values.categories) != (
                rules.never,
                rules.title_patterns,
                rules.categories,
            ):
                lib.set_feed_sponsored_rules(
                    feed.id,
                    never=values.never_sponsored,
                    title_patterns=values.title_patterns,
                    categories=values.categories,
                )
            if values.auth_user != (feed.auth_user or "") or values.password:
                user, password = values.auth_user or None, values.password or None
                try:
                    lib.set_feed_auth(feed.id, user, password)
                except CredentialsError as exc:
                    if not self.keep_password_unencrypted(str(exc)):
                        raise
                    lib.set_feed_auth(feed.id, user, password, unencrypted=True)
        except NewsreaderError as exc:
            self.report(str(exc))
        self.reload_feeds()
        self._load_list()

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe after asking."""
        feed = self.feed_model.feed(feed_id)
        name = (feed.title or feed.url) if feed is not None else f"feed {feed_id}"
        stories = f" and delete its {plural(feed.total, 'story', 'stories')}" if feed is not None and feed.total else ""
        if not self.confirm("Unsubscribe", f"Unsubscribe from “{name}”{stories}?", "Unsubscribe"):
            return
        try:
            self.library.remove_feed(feed_id)
        except NewsreaderError as exc:
            self.report(str(exc))
        self.reload_feeds()

    def mark_all_read(self) -> None:
        """Shift+A: everything in the selected feed, folder or view."""
        selection = self._selection
        if selection.kind == "feed":
            self.library.mark_all_read(int(selection.value))
        elif selection.kind == "folder":
            for feed_id in self.feed_model.feeds_in(selection):
                self.library.mark_all_read(feed_id)
        elif selection.value in ("all", "unread"):
            self.library.mark_all_read(None)
        else:
            stories = self.library.stories(
                unread=True, starred=selection.value == "starred", today=selection.value == "today", limit=None
            )
            self.library.mark_read([s.id for s in stories])
        self.reload_feeds()
        keep = self._current_story.id if self._current_story is not None else None
        self._load_list(keep_story=keep)

    def import_opml(self, path: str | None = None) -> None:
        """Subscribe to the feeds of an OPML file (then refresh them)."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import OPML", "", "OPML files (*.opml *.xml);;All files (*)")
        if not path:
            return
        try:
            report = self.library.import_opml_file(path)
        except NewsreaderError as exc:
            self.report(str(exc))
            return
        skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
        self.statusBar().showMessage(f"Imported {plural(len(report.added), 'feed')}{skipped}.", 6000)
        self.reload_feeds()
        if report.added:
            self.refresh_all()

    def export_opml(self, path: str | None = None) -> None:
        """Write every subscription to an OPML file."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export OPML", "subscriptions.opml", "OPML files (*.opml)")
        if not path:
            return
        try:
            with open(path, "w", encoding="utf-8") as out:
                out.write(self.library.export_opml())
        except OSError as exc:
            self.report(f"Could not write {path}: {exc.strerror or exc}.")
            return
        self.statusBar().showMessage(f"Subscriptions saved to {path}.", 4000)

    # settings and help ---------------------------------------------------------------------------

    def edit_settings(self) -> None:
        """The settings dialog."""
        dialog = SettingsDialog(self.settings, self)
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

    # closing -------------------------------------------------------------------------------------

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
        self.tasks.close()
        super().closeEvent(event)
