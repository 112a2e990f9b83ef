"""The window's actions in one table: menus, shortcuts, the toolbar and Help → Keyboard shortcuts all
come from :func:`action_specs`; :func:`install_actions` builds them on the window."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from newsreader.app.icons import action_icon

if TYPE_CHECKING:
    from newsreader.app.views.main_window import MainWindow

TOOLBAR = (
    "refresh",
    "add_feed",
    "mark_all_read",
    None,
    "toggle_read",
    "toggle_star",
    "open_original",
    "fetch_article",
    None,
    "toggle_sponsored",
)
"""The toolbar's actions in order (None: a separator)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ActionSpec:
    """One entry of the window's action table (menus, toolbar and Help → Keyboard shortcuts)."""

    name: str
    text: str
    shortcuts: tuple[str, ...]
    slot: Callable[[], object]
    menu: str
    checkable: bool = False


def action_specs(window: MainWindow) -> list[ActionSpec]:
    """Every action of the window, wired to the window or its reading and subscriptions controllers."""
    return [
        ActionSpec("refresh", "&Refresh all feeds and sync", ("R", "F5"), window.subscriptions.refresh_all, "&Feeds"),
        ActionSpec("add_feed", "&Add feed…", ("Ctrl+N",), window.subscriptions.add_feed, "&Feeds"),
        ActionSpec("new_folder", "New &folder…", ("Ctrl+Shift+N",), window.subscriptions.new_folder, "&Feeds"),
        ActionSpec("import_opml", "&Import OPML…", (), window.subscriptions.import_opml, "&Feeds"),
        ActionSpec("export_opml", "&Export OPML…", (), window.subscriptions.export_opml, "&Feeds"),
        ActionSpec("mark_all_read", "Mark &all read", ("Shift+A",), window.subscriptions.mark_all_read, "&Feeds"),
        ActionSpec("settings", "&Settings…", ("Ctrl+,",), window.edit_settings, "&Feeds"),
        ActionSpec("accounts", "Sync a&ccounts…", (), window.edit_accounts, "&Feeds"),
        ActionSpec("quit", "&Quit", ("Ctrl+Q",), window.quit, "&Feeds"),
        ActionSpec("next_story", "&Next story", ("J",), window.reading.next_story, "&Story"),
        ActionSpec("previous_story", "&Previous story", ("K",), window.reading.previous_story, "&Story"),
        ActionSpec("next_unread", "Next &unread", ("N",), window.reading.next_unread, "&Story"),
        ActionSpec("previous_unread", "Previous u&nread", ("P",), window.reading.previous_unread, "&Story"),
        ActionSpec("page_down", "Page down, then next unread", ("Space",), window.reading.page_down_or_next, "&Story"),
        ActionSpec("toggle_read", "Toggle &read", ("M",), window.reading.toggle_read, "&Story"),
        ActionSpec("toggle_star", "Toggle &star", ("S",), window.reading.toggle_star, "&Story"),
        ActionSpec("open_original", "&Open in browser", ("O",), window.reading.open_original, "&Story"),
        ActionSpec("fetch_article", "&Fetch full article", ("F",), window.reading.fetch_article, "&Story"),
        ActionSpec("search", "&Search", ("/", "Ctrl+F"), window.reading.focus_search, "&Story"),
        ActionSpec("toggle_sponsored", "&Sponsored pane", ("H",), window.reading.toggle_sponsored, "&View", True),
        ActionSpec("toggle_feeds", "Su&bscriptions pane", ("Ctrl+Shift+B",), window._toggle_feed_pane, "&View", True),
        ActionSpec("toggle_story_pane", "S&tory pane", (), window._toggle_story_pane, "&View", True),
        ActionSpec("toggle_related", "&Related pane", (), window._toggle_related_pane, "&View", True),
        ActionSpec("focus_feeds", "Go to subscriptions", ("Ctrl+1",), lambda: window.focus_pane(0), "&View"),
        ActionSpec("focus_stories", "Go to the story list", ("Ctrl+2",), lambda: window.focus_pane(1), "&View"),
        ActionSpec("focus_story", "Go to the story", ("Ctrl+3",), lambda: window.focus_pane(2), "&View"),
        ActionSpec("focus_related", "Go to related stories", ("Ctrl+4",), lambda: window.focus_pane(3), "&View"),
        ActionSpec("focus_sponsored", "Go to sponsored items", ("Ctrl+5",), lambda: window.focus_pane(4), "&View"),
        ActionSpec("bigger_text", "&Bigger text", ("Ctrl++", "Ctrl+="), window.reading.bigger_text, "&View"),
        ActionSpec("smaller_text", "S&maller text", ("Ctrl+-",), window.reading.smaller_text, "&View"),
        ActionSpec("shortcuts", "&Keyboard shortcuts", ("F1",), window.show_shortcuts, "&Help"),
        ActionSpec("about", "&About newsreader", (), window.show_about, "&Help"),
    ]


def install_actions(window: MainWindow) -> None:
    """Create the actions, the menus and the toolbar on *window* (``actions_by_name``, ``action_specs``,
    ``toolbar``)."""
    specs = action_specs(window)
    window.actions_by_name = {}
    menus: dict[str, QMenu] = {}
    for spec in specs:
        action = QAction(spec.text, window)
        action.setObjectName(spec.name)
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        if spec.checkable:
            action.setChecked(True)
        action.triggered.connect(spec.slot)
        keys = f" ({spec.shortcuts[0]})" if spec.shortcuts else ""
        action.setToolTip(spec.text.replace("&", "").rstrip("…") + keys)
        window.addAction(action)
        menu = menus.get(spec.menu)
        if menu is None:
            menu = window.menuBar().addMenu(spec.menu)
            menus[spec.menu] = menu
        menu.addAction(action)
        window.actions_by_name[spec.name] = action
    window.action_specs = specs
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    toolbar.setIconSize(QSize(20, 20))
    for name in TOOLBAR:
        if name is None:
            toolbar.addSeparator()
        else:
            toolbar.addAction(window.actions_by_name[name])
    window.toolbar = toolbar
    window.reading.update_story_actions()
    apply_icons(window)


def apply_icons(window: MainWindow) -> None:
    """Give the actions their icons in the current palette's colours (again after a theme change)."""
    for name, action in window.actions_by_name.items():
        action.setIcon(action_icon(name, window))
