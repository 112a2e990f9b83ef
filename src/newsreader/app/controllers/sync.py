"""Syncing the accounts from the app: with every full refresh, on its own timer, or one account from
its node; off the GUI thread (:class:`~newsreader.app.workers.SyncWorker`), cancellable, with each
account's state and error in the status bar and the tree filling in as items arrive; then the new
stories' article pages, images and icons, as a refresh gets them for local feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from newsreader.app.models.feeds import Selection
from newsreader.app.workers import AccountSynced
from newsreader.core.models import Account
from newsreader.wording import plural

if TYPE_CHECKING:
    from newsreader.app.views.main_window import MainWindow


def account_status(result: AccountSynced) -> str:
    """One sentence for the status bar about how an account's sync ended."""
    report = result.report
    name = result.account.name
    if report.error:
        return f"{name}: {report.error.rstrip('.')}."
    parts = [plural(report.new_items, "new story", "new stories") if report.new_items else "no new stories"]
    if report.sent:
        parts.append(f"{plural(report.sent, 'change')} sent")
    if report.refused:
        parts.append(f"{plural(len(report.refused), 'change')} refused")
    return f"{name} synced: {', '.join(parts)}."


class SyncController(QObject):
    """What the window does about sync accounts; the window owns the widgets and wires them here."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.worker = window.syncer
        self.worker.account_started.connect(self._account_started)
        self.worker.stored.connect(self._stored)
        self.worker.account_finished.connect(self._account_finished)
        self.worker.finished.connect(self._finished)
        self.worker.error.connect(self._failed)
        window.refresher.finished.connect(self._refresh_finished)
        window.network.back_online.connect(self._back_online)
        self._waiting = False
        """A sync waits for the refresh (or the network) to allow it."""
        self._pending: list[str] | None = None
        """What it is for: these accounts, or None for all."""
        self._reloaded: set[str] = set()
        self._statuses: list[str] = []
        self.last_results: list[AccountSynced] = []
        """How each account's last sync from the app ended."""

    @property
    def running(self) -> bool:
        return self.worker.running

    def sync_all(self) -> None:
        """Sync every account (nothing to do without any)."""
        if self.library.accounts():
            self._request(None)

    def sync_account(self, name: str) -> None:
        """Sync one account now."""
        self._request([name])

    def _request(self, names: list[str] | None) -> None:
        if self._waiting and self._pending != names:
            names = None  # two different requests wait: sync everything
        if not self.window.network.online:
            self._waiting, self._pending = True, names
            self.window.sync_label.setText("Offline — accounts sync when the network is back.")
            return
        if self.window.refresher.running:
            # one writer at a time: the sync follows the refresh
            self._waiting, self._pending = True, names
            return
        self._start(names)

    def _start(self, names: list[str] | None) -> None:
        self._waiting, self._pending = False, None
        if not self.worker.start(names):
            self.window.statusBar().showMessage("A sync is already running.", 3000)
            return
        self._reloaded = set()
        self._statuses = []
        self.window.sync_label.setText("Syncing…")
        self.window.sync_cancel_button.show()

    def _refresh_finished(self, _summary: object) -> None:
        if self._waiting:
            self._request(self._pending)

    def _back_online(self) -> None:
        if self._waiting:
            self._request(self._pending)

    def cancel(self) -> None:
        """Stop the sync at its next request (what it stored stays, the queue waits for next time)."""
        self.worker.cancel()
        self._waiting, self._pending = False, None

    def _account_started(self, name: str) -> None:
        self.window.sync_label.setText(f"Syncing {name}…")

    def _stored(self, name: str, added: int) -> None:
        if name not in self._reloaded:
            # the first batch follows the account's folders and feeds: show them once
            self._reloaded.add(name)
            self.window.subscriptions.reload_feeds()
        else:
            self.window.subscriptions.count_later(self.window.feed_model.feeds_in(Selection("account", name)))
        if added:
            self.window.sync_label.setText(f"Syncing {name}… {plural(added, 'new story', 'new stories')} stored")
            selection = self.window.subscriptions.selection
            if selection.kind == "view" or self.window.feed_model.owner(selection) == name:
                self.window.reading.refresh_list_later()

    def _account_finished(self, result: AccountSynced) -> None:
        self._statuses.append(account_status(result))
        self.window.sync_label.setText(" ".join(self._statuses))
        self.window.feed_model.update_accounts([result.account])

    def _failed(self, message: str) -> None:
        self._statuses.append(f"Sync failed: {message.rstrip('.')}.")
        self.window.sync_label.setText(" ".join(self._statuses))

    def _finished(self, results: list[AccountSynced]) -> None:
        self.window.sync_cancel_button.hide()
        self.last_results = results
        if not self._statuses:
            self.window.sync_label.setText("Sync cancelled." if results == [] else "")
        self.window.subscriptions.reload_feeds()
        if any(r.report.new_items or r.report.states_changed for r in results):
            self.window.reading.refresh_list()
        fresh = {r.account.name for r in results if r.report.new_items}
        if fresh:
            # new stories of an account get what a refresh gives local ones: article pages, images
            # and icons for offline reading (a refresh of account feeds fetches no feed)
            self.window.subscriptions.complete_for_offline(self.library.account_feed_ids(fresh))
        failed = [r for r in results if r.report.error]
        self.window.sync_label.setToolTip("\n".join(self._statuses))
        if failed:
            # the status bar also says it in full for a while, as a refresh failure does
            self.window.report(account_status(failed[0]))

    def accounts(self) -> list[Account]:
        """The accounts as the library has them now."""
        return self.library.accounts()
