"""The subscriptions tree: smart views, folders and feeds with unread counts and errors, then one node
per sync account holding that account's folders and feeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from newsreader.core.models import Account, Feed, Folder
from newsreader.core.sync.models import KIND_NAMES
from newsreader.wording import plural

FEED_IDS_MIME = "application/x-newsreader-feed-ids"
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Selection:
    """What the story list shows: a smart view (``all``, ``unread``, ``starred``, ``today``), a folder
    (by name), a feed (by id) or a sync account (by name: all its feeds)."""

    kind: str
    value: str | int

    def to_text(self) -> str:
        """A string to remember the selection across runs."""
        return f"{self.kind}:{self.value}"

    @staticmethod
    def from_text(text: str) -> Selection | None:
        """The selection :meth:`to_text` wrote, or None for anything else."""
        kind, _, value = text.partition(":")
        if kind == "feed" and value.isdigit():
            return Selection("feed", int(value))
        if kind in ("folder", "account") and value:
            return Selection(kind, value)
        if kind == "view" and value in SMART_VIEWS:
            return Selection("view", value)
        return None


SMART_VIEWS = {"all": "All stories", "unread": "All unread", "starred": "Starred", "today": "Today"}


@dataclass(eq=False, slots=True)
class _Node:
    selection: Selection | None
    title: str
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    count: int = 0
    feed: Feed | None = None
    account: Account | None = None
    """The sync account this node is (an account's own node)."""
    owner: str | None = None
    """The sync account a folder or feed belongs to (None: the local library)."""
    position: int = 0
    """Row under the parent (the tree's shape only changes in :meth:`FeedTreeModel.load`)."""

    def row(self) -> int:
        return self.position

    def add(self, child: _Node) -> None:
        child.parent = self
        child.position = len(self.children)
        self.children.append(child)


class FeedTreeModel(QAbstractItemModel):
    """Smart views first, then folders (with their feeds), then feeds outside any folder, then each
    sync account with its own folders and feeds.

    Column 0 is the name, column 1 the unread count. Feeds can be dragged onto folders (or the empty
    area below the tree, meaning "no folder"); the model only emits :attr:`feeds_dropped` and the
    window applies the move.
    """

    feeds_dropped = Signal(list, object)
    """(feed ids, folder name or None)."""
    drop_refused = Signal(str)
    """Why some dragged feeds were not moved (one sentence)."""

    SelectionRole = Qt.ItemDataRole.UserRole + 1
    FeedIdRole = Qt.ItemDataRole.UserRole + 2
    ErrorRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _Node(None, "")
        self._feed_nodes: dict[int, _Node] = {}
        self._icons: dict[int, QIcon] = {}
        style = QApplication.style()
        self._folder_icon = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self._feed_icon = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        self._error_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._view_icon = style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView)
        self._account_icon = style.standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
        self._bold = QFont()
        self._bold.setBold(True)

    # building --------------------------------------------------------------------------------

    def load(
        self,
        feeds: list[Feed],
        folders: Sequence[str | Folder],
        view_counts: dict[str, int],
        accounts: Sequence[Account] = (),
    ) -> None:
        """Replace the whole tree (after adding/removing feeds, folders or accounts). The local library
        is the top level, as in RSS Guard; each account is a node below it with its folders (shown
        without the ``ACCOUNT/`` prefix of their library names) and feeds."""
        self.beginResetModel()
        root = _Node(None, "")
        for key, title in SMART_VIEWS.items():
            root.add(_Node(Selection("view", key), title, count=view_counts.get(key, 0)))
        parents: dict[str | None, _Node] = {None: root}
        account_nodes: list[_Node] = []
        for account in accounts:
            node = _Node(Selection("account", account.name), account.name, account=account, owner=account.name)
            parents[account.name] = node
            account_nodes.append(node)
        folder_nodes: dict[str, _Node] = {}
        named = [f if isinstance(f, Folder) else Folder(0, f) for f in folders]
        for folder in sorted(named, key=lambda f: f.name.casefold()):
            owner = folder.account if folder.account in parents else None
            title = folder.name.removeprefix(f"{owner}/") if owner else folder.name
            node = _Node(Selection("folder", folder.name), title, owner=owner)
            folder_nodes[folder.name] = node
            parents[owner].add(node)
        self._feed_nodes = {}
        for feed in sorted(feeds, key=lambda f: f.title.casefold()):
            owner = feed.account if feed.account in parents else None
            node = _Node(Selection("feed", feed.id), feed.title or feed.url, count=feed.unread, feed=feed, owner=owner)
            home = folder_nodes.get(feed.folder or "")
            (home if home is not None and home.owner == owner else parents[owner]).add(node)
            self._feed_nodes[feed.id] = node
        for node in folder_nodes.values():
            node.count = sum(child.count for child in node.children)
        for node in account_nodes:
            node.count = sum(child.count for child in node.children)
            root.add(node)
        self._root = root
        self.endResetModel()

    def update_feeds(self, feeds: list[Feed], view_counts: dict[str, int]) -> None:
        """Update counts, titles and errors of feeds already shown (during a refresh or sync), without a
        reset; their folders' and accounts' counts follow."""
        parents: dict[int, _Node] = {}
        for feed in feeds:
            node = self._feed_nodes.get(feed.id)
            if node is None:
                continue
            node.feed = feed
            node.title = feed.title or feed.url
            node.count = feed.unread
            self._changed(node)
            parent = node.parent
            while parent is not None and parent is not self._root:
                parents[id(parent)] = parent
                parent = parent.parent
        # innermost first: a folder's count before its account's
        for parent in sorted(parents.values(), key=lambda n: n.account is not None):
            parent.count = sum(child.count for child in parent.children)
            self._changed(parent)
        for node in self._root.children:
            if node.selection is not None and node.selection.kind == "view":
                node.count = view_counts.get(str(node.selection.value), 0)
                self._changed(node)

    def update_accounts(self, accounts: Sequence[Account]) -> None:
        """Show the accounts' latest sync state (last sync, error, queue) without a reset."""
        by_name = {account.name: account for account in accounts}
        for node in self._root.children:
            if node.account is not None and node.account.name in by_name:
                node.account = by_name[node.account.name]
                self._changed(node)

    def set_icon(self, feed_id: int, icon: QIcon) -> None:
        """Show a feed's favicon."""
        self._icons[feed_id] = icon
        node = self._feed_nodes.get(feed_id)
        if node is not None:
            self._changed(node)

    def _changed(self, node: _Node) -> None:
        left = self.createIndex(node.row(), 0, node)
        right = self.createIndex(node.row(), 1, node)
        self.dataChanged.emit(left, right)

    # lookups -----------------------------------------------------------------------------------

    def index_of(self, selection: Selection) -> QModelIndex:
        """The index showing *selection*, or an invalid index."""
        for node in self._walk(self._root):
            if node.selection == selection:
                return self.createIndex(node.row(), 0, node)
        return QModelIndex()

    def feed(self, feed_id: int) -> Feed | None:
        """The feed as last loaded."""
        node = self._feed_nodes.get(feed_id)
        return node.feed if node else None

    def feeds_in(self, selection: Selection) -> list[int]:
        """The ids of the feeds a selection covers (a feed, a folder's or an account's feeds; empty for
        views)."""
        if selection.kind == "view":
            return []
        index = self.index_of(selection)
        if not index.isValid():
            return []
        node = self._node(index)
        if node.feed is not None:
            return [node.feed.id]
        return [child.feed.id for child in self._walk(node) if child.feed is not None]

    def account(self, name: str) -> Account | None:
        """A sync account as last loaded."""
        node = self._node(self.index_of(Selection("account", name)))
        return node.account

    def account_names(self) -> list[str]:
        """The sync accounts in the tree, in order."""
        return [node.account.name for node in self._root.children if node.account is not None]

    def owner(self, selection: Selection) -> str | None:
        """The sync account a folder, feed or account node belongs to (None: the local library)."""
        index = self.index_of(selection)
        return self._node(index).owner if index.isValid() else None

    def next_with_unread(self, selection: Selection) -> Selection | None:
        """The next feed below *selection* in the tree (wrapping round to the top) that has unread
        stories, as NetNewsWire and RSS Guard move on; None when no other feed has any."""
        nodes = self._walk(self._root)
        current = next((n for n in nodes if n.selection == selection), None)
        if current is None:
            return None
        start = nodes.index(current) + 1
        if current.feed is None:  # a folder or an account: continue after what it holds
            start += len(self._walk(current))
        inside = set(self.feeds_in(selection))
        for node in nodes[start:] + nodes[:start]:
            if node.feed is not None and node.count and node.feed.id not in inside:
                return node.selection
        return None

    def _walk(self, node: _Node) -> list[_Node]:
        found = []
        for child in node.children:
            found.append(child)
            found.extend(self._walk(child))
        return found

    def _node(self, index: AnyIndex) -> _Node:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _Node)
            return node
        return self._root

    # QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        node = self._node(parent)
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index)
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row(), 0, parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Subscriptions", "Unread")[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        column = index.column()
        feed = node.feed
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return node.title
            return str(node.count) if node.count else ""
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node.title}, {node.count} unread" if column == 0 else None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._decoration(node)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.ItemDataRole.FontRole and node.count:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.SelectionRole:
            return node.selection
        if role == self.FeedIdRole:
            return feed.id if feed else None
        if role == self.ErrorRole:
            return feed.last_error if feed else None
        return None

    def _tooltip(self, node: _Node) -> str:
        """The full name (the tree elides long ones), the unread count, and a feed's address and error."""
        lines = [node.title, plural(node.count, "unread story", "unread stories")]
        feed = node.feed
        account = node.account
        if account is not None:
            lines[0] = f"{account.name} — {KIND_NAMES.get(account.kind, account.kind)} account of {account.user}"
            lines.append(account.url)
            if account.last_sync is not None:
                lines.append(f"Last synced {account.last_sync.astimezone():%d %b %H:%M}")
            if account.last_error:
                lines.append(f"Last sync failed: {account.last_error}")
            if account.queued:
                lines.append(plural(account.queued, "change waits", "changes wait") + " for the server")
            if account.refused:
                lines.append(plural(account.refused, "change", "changes") + " refused by the server")
        if feed is not None:
            lines.append(feed.url)
            if feed.last_error:
                lines.append(f"Last refresh failed: {feed.last_error}")
            elif not feed.enabled:
                lines.append(f"Not checked: {feed.disabled_reason or 'disabled in its properties'}")
        return "\n".join(lines)

    def _decoration(self, node: _Node) -> QIcon:
        feed = node.feed
        if feed is not None:
            if feed.last_error:
                return self._error_icon
            return self._icons.get(feed.id, self._feed_icon)
        if node.account is not None:
            return self._error_icon if node.account.last_error else self._account_icon
        if node.selection is not None and node.selection.kind == "folder":
            return self._folder_icon
        return self._view_icon

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        node = self._node(index)
        if node.feed is not None:
            return base | Qt.ItemFlag.ItemIsDragEnabled
        if node.selection is not None and node.selection.kind in ("folder", "account"):
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base

    # drag and drop -----------------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [FEED_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        ids = sorted({self._node(i).feed.id for i in indexes if self._node(i).feed is not None})  # type: ignore[union-attr]
        data = QMimeData()
        data.setData(FEED_IDS_MIME, QByteArray(",".join(map(str, ids)).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex) -> bool:
        return data.hasFormat(FEED_IDS_MIME) and self._drop_folder(parent) is not False

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex) -> bool:
        if not data.hasFormat(FEED_IDS_MIME):
            return False
        folder = self._drop_folder(parent)
        if folder is False:
            return False
        raw = bytes(data.data(FEED_IDS_MIME).data()).decode()
        ids = [int(part) for part in raw.split(",") if part.isdigit()]
        target = self._node(parent)
        if target is not self._root:
            # a feed moves within its own account (or the local library), as on its server
            strangers = [i for i in ids if i in self._feed_nodes and self._feed_nodes[i].owner != target.owner]
            if strangers:
                where = f"account {target.owner}" if target.owner else "the local library"
                self.drop_refused.emit(
                    f"A feed cannot move into {where}: feeds move only between the folders of their own account."
                )
                ids = [i for i in ids if i not in strangers]
        if ids:
            self.feeds_dropped.emit(ids, folder)
        # the window moves the feeds and reloads the tree; Qt must not remove the dragged rows itself
        return False

    def _drop_folder(self, parent: AnyIndex) -> str | bool | None:
        """The folder a drop onto *parent* means: a folder's name, None for the top level (of the local
        library or, onto an account's node, of that account), False for none."""
        node = self._node(parent)
        if node is self._root or node.account is not None:
            return None
        if node.selection is not None and node.selection.kind == "folder":
            return str(node.selection.value)
        return False
