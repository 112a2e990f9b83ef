"""Subscriptions: the feeds tree (selecting, counting, folders, moving), subscribing (with discovery,
a choice of feeds and passwords), feed properties, OPML, and refreshing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QIcon,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QMenu,
    QMessageBox,
)

from newsreader.app.models.feeds import FeedTreeModel, Selection
from newsreader.app.views.dialogs.add_feed import AddFeedDialog, choose_feed
from newsreader.app.views.dialogs.feed_properties import FeedProperties, FeedPropertiesDialog
from newsreader.app.views.dialogs.text_dialogs import TableDialog
from newsreader.app.workers import RefreshSummary
from newsreader.core.credentials import split_credentials
from newsreader.core.errors import CredentialsError, FetchError, NewsreaderError
from newsreader.core.library import MultipleFeedsError
from newsreader.core.models import Feed, PageProgress, RefreshProgress, Stage, StageProgress
from newsreader.wording import plural, why_left

if TYPE_CHECKING:
    from newsreader.app.views.main_window import MainWindow

OFFLINE_LABEL = "Offline — no feed could be reached, none marked failed; newsreader refreshes when the network is back."
"""The status bar's one line while the network is down."""
LOST_LABEL = (
    "Offline — the network was lost during the refresh: {new} from {feeds}; the rest refresh when the network is back."
)
"""The status bar's line when the network went after some feeds were refreshed."""
OFFLINE_RETRY_MS = 60_000
"""The first retry of a refresh that found no network while the platform says it is up …"""
OFFLINE_RETRY_MAX_MS = 30 * 60_000
"""… and the longest pause between such retries (each pause doubles)."""
COUNT_UPDATE_MS = 500
"""During a refresh, the subscription counts are brought up to date at most this often."""


class SubscriptionsController(QObject):
    """What the subscriptions tree and the Feeds menu do; the window owns the widgets and wires them here."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.selection = Selection("view", "all")
        """What the story list shows: a smart view, a folder or a feed."""
        self._pending_count_ids: set[int] = set()
        self._last_failures: list[tuple[str, str]] = []
        self._last_refresh: datetime | None = None
        self._icons_loaded = False
        self._refresh_started_at = 0.0
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_UPDATE_MS)
        self._count_timer.timeout.connect(self._update_counts)
        window.refresher.stage_progress.connect(self._stage_progress)
        window.refresher.progress.connect(self._refresh_progress)
        window.refresher.page_progress.connect(self._page_progress)
        window.refresher.finished.connect(self._refresh_finished)
        self.offline = False
        """A refresh was asked for, or ran, without a network; it runs again when the network returns."""
        self._waiting: tuple[list[int] | None, bool] = (None, True)
        self._running: tuple[list[int] | None, bool] = (None, True)
        window.network.back_online.connect(self._back_online)
        self._retry_timer = QTimer(self)
        """Tries again while the refresh finds no network but the platform says it is up (it
        may not know: no backend, or a network without a way out)."""
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._retry)
        self._retry_ms = OFFLINE_RETRY_MS

    def _back_online(self) -> None:
        if self.offline:
            self.window.progress_label.setText("Back online.")
            self._retry_timer.stop()
            self._retry_ms = OFFLINE_RETRY_MS
            feed_ids, due_only = self._waiting
            self._start_refresh(feed_ids, due_only=due_only)

    def _retry(self) -> None:
        if self.offline and self.window.network.online:
            feed_ids, due_only = self._waiting
            self._start_refresh(feed_ids, due_only=due_only, quiet=True)

    def _went_offline(self, feed_ids: list[int] | None, due_only: bool) -> None:
        """Say "offline" once; the refresh runs again when the network returns (or, the platform
        not knowing, after a pause that doubles up to :data:`OFFLINE_RETRY_MAX_MS`)."""
        self.offline = True
        self._waiting = (feed_ids, due_only)
        self.window.progress_label.setText(OFFLINE_LABEL)
        self.window.errors_button.hide()
        if self.window.network.online:
            self._retry_timer.start(self._retry_ms)
            self._retry_ms = min(self._retry_ms * 2, OFFLINE_RETRY_MAX_MS)

    def reload_feeds(self) -> None:
        """Rebuild the subscriptions tree (after adding, removing or moving feeds)."""
        feeds = self.library.feeds()
        accounts = self.library.accounts()
        self.window.feed_model.load(feeds, self.library.folders(), self.library.view_counts(), accounts)
        checked = [f.last_checked for f in feeds if f.last_checked is not None]
        if checked and self._last_refresh is None:
            self.window.last_refresh_label.setText(f"Last refresh {max(checked).astimezone():%d %b %H:%M}")
        self.window.feed_view.expandAll()
        shown = feeds or accounts
        self.window.stack.setCurrentWidget(self.window.main_splitter if shown else self.window.empty_state)
        if self.window.feed_model.index_of(self.selection).isValid():
            self._mark_current(self.selection)
        else:
            self.select(Selection("view", "all"))

    def select(self, selection: Selection) -> None:
        """Show a smart view, folder or feed in the story list."""
        index = self.window.feed_model.index_of(selection)
        if not index.isValid():
            return
        if self.window.feed_view.currentIndex() == index:
            self._show_selection(selection)
        else:
            self.window.feed_view.setCurrentIndex(index)

    def _mark_current(self, selection: Selection) -> None:
        index = self.window.feed_model.index_of(selection)
        self.window.feed_view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def feed_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        selection = current.data(FeedTreeModel.SelectionRole) if current.isValid() else None
        if isinstance(selection, Selection) and selection != self.selection:
            self._show_selection(selection)

    def _show_selection(self, selection: Selection) -> None:
        self.selection = selection
        if self.window.search_edit.text():
            self.window.search_edit.blockSignals(True)
            self.window.search_edit.clear()
            self.window.search_edit.blockSignals(False)
        self.window.reading.load_list()

    def _update_counts(self, everything: bool = False) -> None:
        """Bring unread counts up to date; the counting queries run on a worker."""
        ids = None if everything else sorted(self._pending_count_ids)
        self._pending_count_ids.clear()
        library = self.library

        def count() -> tuple[list[Feed], dict[str, int]]:
            feeds = library.feeds(ids) if ids is None or ids else []
            return feeds, library.view_counts()

        def show(result: tuple[list[Feed], dict[str, int]]) -> None:
            self.window.feed_model.update_feeds(*result)

        self.window.tasks.submit(count, show, self.window.report)

    def count_later(self, feed_ids: list[int]) -> None:
        self._pending_count_ids.update(feed_ids)
        if not self._count_timer.isActive():
            self._count_timer.start()

    def move_feeds(self, feed_ids: list[int], folder: str | None) -> None:
        try:
            for feed_id in feed_ids:
                self.library.move_feed(feed_id, folder)
        except NewsreaderError as exc:
            self.window.report(str(exc))
        self.reload_feeds()

    def feed_context_menu(self, position: QPoint) -> None:
        index = self.window.feed_view.indexAt(position)
        selection = index.data(FeedTreeModel.SelectionRole) if index.isValid() else None
        if isinstance(selection, Selection):
            self.select(selection)
        self.feed_menu(selection if isinstance(selection, Selection) else None).popup(
            self.window.feed_view.viewport().mapToGlobal(position)
        )

    def local_folders(self) -> list[str]:
        """The local library's folders (an account's folders are its server's)."""
        return [f.name for f in self.library.folders() if f.account is None]

    def move_menu(self, feed: Feed, parent: QMenu) -> QMenu:
        """Move to ▸ the other folders of the feed's own account (or of the local library)."""
        menu = parent.addMenu("Move to")
        top = f"{feed.account} (top level)" if feed.account else "Top level"
        choices: list[tuple[str, str | None]] = [(top, None)]
        for folder in self.library.folders():
            if folder.account == feed.account:
                title = folder.name.removeprefix(f"{feed.account}/") if feed.account else folder.name
                choices.append((title, folder.name))

        def mover(folder: str | None) -> Callable[[], None]:
            return lambda: self.move_feeds([feed.id], folder)

        for title, name in choices:
            action = menu.addAction(title, mover(name))
            action.setEnabled(name != feed.folder)
        return menu

    def feed_menu(self, selection: Selection | None) -> QMenu:
        """The subscriptions' context menu for a feed, a folder, an account, a smart view or the empty area."""
        menu = QMenu(self.window)
        if selection is not None and selection.kind == "account":
            name = str(selection.value)
            menu.addAction("Sync now", lambda: self.window.sync.sync_account(name))
            menu.addAction("Mark all read", self.mark_all_read)
            menu.addSeparator()
            menu.addAction("Accounts…", self.window.edit_accounts)
            return menu
        if selection is not None:
            menu.addAction("Refresh", lambda: self.refresh_selection(selection))
            menu.addAction("Mark all read", self.mark_all_read)
        feed = (
            self.window.feed_model.feed(int(selection.value))
            if selection is not None and selection.kind == "feed"
            else None
        )
        if feed is not None:
            menu.addSeparator()
            site = menu.addAction("Open site", lambda: self.window.reading.open_link(feed.site_url))
            site.setEnabled(bool(feed.site_url))
            menu.addAction("Copy feed address", lambda: self.window.reading.copy_text(feed.url))
            self.move_menu(feed, menu)
            menu.addSeparator()
            menu.addAction("Properties…", lambda: self.edit_feed(feed.id))
            menu.addAction("Unsubscribe…", lambda: self.remove_feed(feed.id))
        if selection is not None and selection.kind == "folder" and self.window.feed_model.owner(selection) is None:
            menu.addSeparator()
            menu.addAction("Rename folder…", lambda: self.rename_folder(str(selection.value)))
            menu.addAction("Delete folder…", lambda: self.delete_folder(str(selection.value)))
        menu.addSeparator()
        menu.addAction(self.window.actions_by_name["add_feed"])
        menu.addAction(self.window.actions_by_name["new_folder"])
        return menu

    def delete_selected(self) -> None:
        """Delete in the subscriptions: unsubscribe from the feed or delete the folder, after asking."""
        selection = self.selection
        if selection.kind == "feed":
            self.remove_feed(int(selection.value))
        elif selection.kind == "folder" and self.window.feed_model.owner(selection) is None:
            self.delete_folder(str(selection.value))

    def new_folder(self) -> None:
        """Feeds → New folder: create an empty folder (and select it)."""
        name = self.window.ask_text("New folder", "Folder name:")
        if name is None:
            return
        try:
            self.library.create_folder(name)
        except NewsreaderError as exc:
            self.window.report(str(exc))
            return
        self.reload_feeds()
        self.select(Selection("folder", name))

    def rename_folder(self, old: str) -> None:
        """Rename a folder (its feeds stay in it)."""
        new = self.window.ask_text("Rename folder", "New name:", old)
        if new is None or new == old:
            return
        try:
            self.library.rename_folder(old, new)
        except NewsreaderError as exc:
            self.window.report(str(exc))
            return
        if self.selection == Selection("folder", old):
            self.selection = Selection("folder", new)
        self.reload_feeds()

    def delete_folder(self, name: str) -> None:
        """Delete a folder after asking; its feeds move to the top level, nothing is unsubscribed."""
        count = len(self.window.feed_model.feeds_in(Selection("folder", name)))
        where = f" Its {plural(count, 'feed')} move to the top level." if count else ""
        if not self.window.confirm("Delete folder", f"Delete the folder “{name}”?{where}", "Delete folder"):
            return
        try:
            self.library.delete_folder(name)
        except NewsreaderError as exc:
            self.window.report(str(exc))
        self.reload_feeds()

    def add_feed(self) -> None:
        """Ask for an address and subscribe (discovery and the first fetch run on a worker); with a sync
        account's node, folder or feed selected, the subscription goes to that account's server."""
        owner = self.window.feed_model.owner(self.selection) if self.selection.kind != "view" else None
        if owner is not None:
            self.add_feed_to_account(owner)
            return
        local = self.local_folders()
        folder = str(self.selection.value) if self.selection.kind == "folder" else None
        dialog = AddFeedDialog(local, self.window, folder if folder in local else None)
        if dialog.exec() != AddFeedDialog.DialogCode.Accepted:
            return
        self.subscribe(dialog.url(), dialog.folder(), dialog.title())

    def add_feed_to_account(self, account: str) -> None:
        """Ask for a feed's address and a folder of *account*; the subscription is queued for its server
        and sent by the sync that starts at once (the server fetches the feed; its stories follow). A
        protocol without a subscribe call (Fever) is said in one sentence."""
        prefix = f"{account}/"
        folders = [f.name.removeprefix(prefix) for f in self.library.folders() if f.account == account]
        selected = self.window.feed_model.feed(int(self.selection.value)) if self.selection.kind == "feed" else None
        folder = (
            str(self.selection.value) if self.selection.kind == "folder" else (selected.folder if selected else None)
        )
        dialog = AddFeedDialog(folders, self.window, folder.removeprefix(prefix) if folder else None)
        dialog.setWindowTitle(f"Add feed to {account}")
        dialog.title_edit.setEnabled(False)
        dialog.title_edit.setPlaceholderText("the server names it")
        if dialog.exec() != AddFeedDialog.DialogCode.Accepted:
            return
        try:
            self.library.subscribe_in_account(account, dialog.url(), folder=dialog.folder())
        except NewsreaderError as exc:
            self.window.report(str(exc))
            return
        self.window.statusBar().showMessage(f"Subscribing to {dialog.url()} on {account}…", 6000)
        self.window.sync.sync_account(account)

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
        self.window.statusBar().showMessage(f"Looking for feeds at {shown_url}…")

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
            # the questions below are dialogs with their own event loop: asked from the event loop,
            # not from inside the task's callback
            QTimer.singleShot(0, lambda: answered(result))

        def answered(result: object) -> None:
            if isinstance(result, MultipleFeedsError):
                chosen = choose_feed(self.window, result.candidates)
                if chosen is not None:
                    self.subscribe(chosen.url, folder, title, auth, unencrypted=unencrypted)
                return
            if isinstance(result, FetchError):
                self.window.statusBar().clearMessage()
                self._ask_credentials(url, folder, title, wrong=auth is not None)
                return
            if isinstance(result, CredentialsError):
                self.window.statusBar().clearMessage()
                has_password = auth is not None or split_credentials(url)[1] is not None
                if has_password and self.keep_password_unencrypted(str(result)):
                    self.subscribe(url, folder, title, auth, unencrypted=True)
                return
            if isinstance(result, Feed):
                self.window.statusBar().showMessage(f"Subscribed to {result.title or result.url}.", 4000)
                self.reload_feeds()
                self.select(Selection("feed", result.id))

        def failed(message: str) -> None:
            problem = f"Could not add {shown_url}: {message}"
            self.window.report(problem)
            QTimer.singleShot(0, lambda: self._add_again(url, folder, title, problem))  # as in done()

        self.window.tasks.submit(work, done, failed)

    def _add_again(self, url: str, folder: str | None, title: str | None, problem: str) -> None:
        """The Add feed dialog once more, saying why the last attempt failed, with what was typed."""
        dialog = AddFeedDialog(
            self.local_folders(), self.window, folder, url=split_credentials(url)[0], title=title or "", problem=problem
        )
        if dialog.exec() == AddFeedDialog.DialogCode.Accepted:
            self.subscribe(dialog.url(), dialog.folder(), dialog.title())

    def _ask_credentials(self, url: str, folder: str | None, title: str | None, *, wrong: bool) -> None:
        clean, in_url = split_credentials(url)
        why = (
            "The server did not accept that user name and password; try again."
            if wrong or in_url
            else "The server asks for a user name and password. The password is kept in your system's keyring."
        )
        dialog = AddFeedDialog(
            self.local_folders(),
            self.window,
            folder,
            url=clean,
            title=title or "",
            ask_password=why,
        )
        if dialog.exec() == AddFeedDialog.DialogCode.Accepted:
            self.subscribe(dialog.url(), dialog.folder(), dialog.title(), dialog.credentials())

    def keep_password_unencrypted(self, problem: str) -> bool:
        """No keyring: say so, and ask whether to keep the password unencrypted in a file of the user's."""
        box = QMessageBox(QMessageBox.Icon.Warning, "No keyring for the password", problem, parent=self.window)
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
            self.window.report(str(exc))
            return
        folders = [f.name for f in self.library.folders() if f.account == feed.account]
        dialog = FeedPropertiesDialog(feed, folders, rules, self.window)
        if feed.account is not None:
            # the server fetches an account's feed: its address and password are the server's business
            for field in (dialog.url_edit, dialog.user_edit, dialog.password_edit):
                field.setEnabled(False)
        if dialog.exec() == FeedPropertiesDialog.DialogCode.Accepted:
            self.apply_feed_properties(feed, dialog.values())

    def apply_feed_properties(self, feed: Feed, values: FeedProperties) -> None:
        """Store what the properties dialog changed."""
        lib = self.library
        try:
            if values.url and values.url != feed.url:
                lib.set_feed_url(feed.id, values.url)
                feed = lib.feed(feed.id)  # the password (if any) moved with it
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
            self.window.report(str(exc))
        self.reload_feeds()
        self.window.reading.load_list()

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe after asking."""
        feed = self.window.feed_model.feed(feed_id)
        name = (feed.title or feed.url) if feed is not None else f"feed {feed_id}"
        stories = f" and delete its {plural(feed.total, 'story', 'stories')}" if feed is not None and feed.total else ""
        if not self.window.confirm("Unsubscribe", f"Unsubscribe from “{name}”{stories}?", "Unsubscribe"):
            return
        try:
            self.library.remove_feed(feed_id)
        except NewsreaderError as exc:
            self.window.report(str(exc))
        self.reload_feeds()

    def mark_all_read(self) -> None:
        """Shift+A: everything in the selected feed, folder or view."""
        selection = self.selection
        if selection.kind == "feed":
            self.library.mark_all_read(int(selection.value))
        elif selection.kind in ("folder", "account"):
            for feed_id in self.window.feed_model.feeds_in(selection):
                self.library.mark_all_read(feed_id)
        elif selection.value in ("all", "unread"):
            self.library.mark_all_read(None)
        else:
            stories = self.library.stories(
                unread=True, starred=selection.value == "starred", today=selection.value == "today", limit=None
            )
            self.library.mark_read([s.id for s in stories])
        self.reload_feeds()
        keep = self.window.reading.current_story.id if self.window.reading.current_story is not None else None
        self.window.reading.load_list(keep_story=keep)

    def import_opml(self, path: str | None = None) -> None:
        """Subscribe to the feeds of an OPML file (then refresh them)."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Import OPML", "", "OPML files (*.opml *.xml);;All files (*)"
            )
        if not path:
            return
        try:
            report = self.library.import_opml_file(path)
        except NewsreaderError as exc:
            self.window.report(str(exc))
            return
        skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
        self.window.statusBar().showMessage(f"Imported {plural(len(report.added), 'feed')}{skipped}.", 6000)
        self.reload_feeds()
        if report.added:
            self.refresh_all()

    def export_opml(self, path: str | None = None) -> None:
        """Write every subscription to an OPML file."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Export OPML", "subscriptions.opml", "OPML files (*.opml)"
            )
        if not path:
            return
        try:
            with open(path, "w", encoding="utf-8") as out:
                out.write(self.library.export_opml())
        except OSError as exc:
            self.window.report(f"Could not write {path}: {exc.strerror or exc}.")
            return
        self.window.statusBar().showMessage(f"Subscriptions saved to {path}.", 4000)

    def refresh_all(self) -> None:
        """R: check every enabled feed now, then sync the accounts."""
        self._start_refresh(None, due_only=False)
        self.window.sync.sync_all()

    def refresh_due(self) -> None:
        """The scheduled refresh: feeds whose interval has passed."""
        self._start_refresh(None, due_only=True)

    def complete_for_offline(self, feed_ids: list[int]) -> None:
        """Article pages, images and icons of these feeds' new stories (after a sync brought an
        account's stories: the refresh fetches no account feed, only what they link to)."""
        if feed_ids and not self.window.refresher.running:
            self._start_refresh(feed_ids, due_only=False)

    def refresh_selection(self, selection: Selection) -> None:
        """Refresh a feed or a folder's feeds (everything for a smart view); an account's feed or folder
        syncs its account."""
        owner = self.window.feed_model.owner(selection) if selection.kind != "view" else None
        if owner is not None:
            self.window.sync.sync_account(owner)
            return
        ids = self.window.feed_model.feeds_in(selection) if selection.kind != "view" else None
        self._start_refresh(ids, due_only=False)
        if selection.kind == "view":
            self.window.sync.sync_all()

    def _start_refresh(self, feed_ids: list[int] | None, *, due_only: bool, quiet: bool = False) -> None:
        """Start a refresh; *quiet* (a retry while offline) keeps the "offline" line as it is."""
        if not self.window.network.online:
            # nothing is fetched, so no feed is marked failed; the refresh starts when the network returns
            self._went_offline(feed_ids, due_only)
            return
        if not self.window.refresher.start(feed_ids, due_only=due_only):
            if not quiet:
                self.window.statusBar().showMessage("A refresh is already running.", 3000)
            return
        self._running = (feed_ids, due_only)
        self._refresh_started_at = time.monotonic()
        if quiet:
            return
        self.offline = False
        self._retry_timer.stop()
        self._retry_ms = OFFLINE_RETRY_MS
        self.window.progress.setRange(0, 0)
        self.window.progress.show()
        self.window.cancel_button.show()
        self.window.progress_label.setText("Refreshing…")

    def _stage_progress(self, step: StageProgress) -> None:
        if self.offline and not self.window.progress.isVisible():
            return  # a quiet retry while offline
        self.window.progress.setRange(0, 1000)
        self.window.progress.setValue(max(self.window.progress.value(), round(step.fraction * 1000)))
        self.window.progress_label.setText(f"{step.stage.label} {step.done}/{step.total}")

    def _refresh_progress(self, step: RefreshProgress) -> None:
        self.count_later([step.result.feed_id])
        if step.result.new_story_ids and self.shows_feed(step.result.feed_id):
            self.window.reading.refresh_list_later()

    def shows_feed(self, feed_id: int) -> bool:
        """Whether the story list's selection covers *feed_id* (new stories there belong in the list)."""
        selection = self.selection
        if selection.kind == "view":
            return selection.value != "starred"
        return feed_id in self.window.feed_model.feeds_in(selection)

    def _page_progress(self, step: PageProgress) -> None:
        if self.window.reading.current_story is not None and self.window.reading.current_story.id == step.story_id:
            self.window.reading.open(step.story_id)

    def _refresh_finished(self, summary: RefreshSummary) -> None:
        self.window.progress.hide()
        self.window.cancel_button.hide()
        if summary.offline and not summary.cancelled:
            self._went_offline(*self._running)
            feeds = next((s for s in summary.stages if s.stage is Stage.FEEDS), None)
            if feeds is not None and feeds.left < feeds.total:  # lost after some feeds were refreshed
                reached = feeds.total - feeds.left
                new = plural(len(summary.new_story_ids), "new story", "new stories")
                self.window.progress_label.setText(LOST_LABEL.format(new=new, feeds=plural(reached, "feed")))
                self._show_new_stories(summary)
            return
        if self.offline:  # a quiet retry reached the network
            self.offline = False
            self._retry_timer.stop()
            self._retry_ms = OFFLINE_RETRY_MS
        self._last_refresh = datetime.now()
        self._last_failures = summary.failures
        if summary.error:
            self.window.progress_label.setText(f"Refresh failed: {summary.error}")
        else:
            self.window.progress_label.setText(finished_line(summary))
        self.window.last_refresh_label.setText(f"Last refresh {self._last_refresh:%H:%M}")
        if summary.failures:
            self.window.errors_button.setText(f"{plural(len(summary.failures), 'feed')} failed")
            self.window.errors_button.show()
        else:
            self.window.errors_button.hide()
        if summary.icons or not self._icons_loaded:
            self.load_icons()
        self._show_new_stories(summary)

    def _show_new_stories(self, summary: RefreshSummary) -> None:
        """Counts, the story list and the notification brought up to date after a refresh."""
        self._count_timer.stop()
        self._update_counts(everything=True)
        if summary.new_story_ids:
            self.window.reading.refresh_list()
        if summary.new_story_ids and self.window.on_new_stories is not None:
            self.window.on_new_stories(summary.new_story_ids)

    def load_icons(self) -> None:
        """Show the feeds' cached icons (read on a worker)."""
        self._icons_loaded = True
        self.window.tasks.submit(self.library.feed_icons, self._show_icons)

    def _show_icons(self, icons: dict[int, bytes]) -> None:
        for feed_id, data in icons.items():
            pixmap = QPixmap()
            if pixmap.loadFromData(data) and not pixmap.isNull():
                self.window.feed_model.set_icon(
                    feed_id,
                    QIcon(
                        pixmap.scaled(
                            16, 16, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                        )
                    ),
                )

    def show_errors(self) -> None:
        """The feeds that failed in the last refresh, with their errors."""
        TableDialog("Feeds that failed", ("Feed", "Error"), self._last_failures, self.window).exec()


def finished_line(summary: RefreshSummary) -> str:
    """The status bar's sentence for a refresh that ended: new stories from how many feeds, and the
    article pages downloaded for offline reading (a run that fetched no feed, such as the one completing a
    sync's or a new subscription's stories, speaks only of those)."""
    pages = ""
    if summary.pages:
        failed = f", {summary.page_failures} could not be" if summary.page_failures else ""
        pages = f"{plural(summary.pages - summary.page_failures, 'article')} downloaded{failed}."
    stage = next((s for s in summary.stages if s.stage is Stage.PAGES), None)
    if stage is not None and stage.left and (why := why_left(stage)):
        waiting = f"{plural(stage.left, 'article')} left for later: {why}."
        pages = f"{pages} {waiting}" if pages else waiting
    state = "cancelled" if summary.cancelled else "done"
    if not summary.total:
        what = pages or ("images kept." if summary.images else "nothing was missing.")
        return f"Offline copies {state}: {what}"
    new = plural(len(summary.new_story_ids), "new story", "new stories")
    return f"Refresh {state}: {new} from {plural(summary.done, 'feed')}.{' ' + pages if pages else ''}"
