"""One sync of one account: send the queued changes, then bring the server's state home.

The order (``docs/sync.md``):

1. Read the server's unread and starred ids, and settle conflicts with the queue
   (:mod:`newsreader.core.sync.conflicts`): superseded changes leave the queue.
2. Send the queue, in order. A change the server accepted leaves the queue; one it refused stays,
   marked with the reason, and is not sent again; a transient failure (offline, time-out, garbage)
   stops sending and keeps the rest for next time.
3. Folders and feeds.
4. Items stored on the server after the account's cursor, a page at a time; each page and the cursor
   it moves to are stored together (a protocol paging newest first moves the cursor only after its
   last page), so a sync cut short (a server dying, the process killed) asks again for what it did
   not finish and never stores an item twice.
5. The read and starred state of every stored item, from fresh id lists, except items whose change
   is still queued (their local state stands until it is sent).

:func:`sync_account` does all of it through a :class:`SyncStore` (the library's storage) and a
:class:`SyncService` (the server), and reports what happened as a :class:`SyncReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from newsreader.core.errors import SyncCancelledError, SyncError
from newsreader.core.sync.conflicts import (
    MARK_FEED_READ,
    MOVE,
    READ,
    RENAME,
    STAR,
    SUBSCRIBE,
    UNREAD,
    UNSTAR,
    UNSUBSCRIBE,
    Baseline,
    Change,
    coalesce,
    resolve,
)
from newsreader.core.sync.models import RemoteItem
from newsreader.core.sync.service import Structure, SyncService


class SyncStore(Protocol):
    """What a sync needs from the library, for one account. Every write is its own transaction."""

    def pending_changes(self) -> Sequence[Change]:
        """The queue, oldest first, refused changes included."""

    def remove_changes(self, ids: Sequence[int]) -> None:
        """Drop changes that were sent, superseded or collapsed."""

    def refuse_change(self, change_id: int, reason: str) -> None:
        """Keep a change the server refused, with its reason."""

    def baselines(self) -> Mapping[str, Baseline]:
        """Each stored item's server state at the last sync, by remote id."""

    def apply_structure(self, structure: Structure) -> None:
        """Make the account's folders and feeds those of the server."""

    def cursor(self) -> str | None:
        """Where the last item fetch stopped (None before the first)."""

    def store_items(self, items: Sequence[RemoteItem], cursor: str | None) -> int:
        """Store a page of items and the cursor after it, together; returns how many were new."""

    def apply_states(self, unread: frozenset[str], starred: frozenset[str], keep: frozenset[str]) -> int:
        """Set read/starred (and the baseline) of every stored item from the server's lists, except the
        items in *keep*, whose baseline only is set; returns how many local states changed."""

    def finish(self, when: datetime, error: str | None) -> None:
        """Record the end of a sync (and its error, if it failed)."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did."""

    sent: int = 0
    superseded: int = 0
    refused: tuple[tuple[Change, str], ...] = ()
    """Changes the server refused during this sync, with its reasons."""
    new_items: int = 0
    states_changed: int = 0
    error: str | None = None
    """Why the sync stopped early (the queue and everything stored so far are kept)."""


BATCH = 250
"""Item changes of one kind sent in one request (where the protocol takes several ids)."""
STORE_BATCH = 2000
"""Items stored in one transaction: pages are gathered up to this many, so that a page spread over
hundreds of feeds does not cost one write per feed per page (measured: a 500-feed first sync stored
~17 items/s page by page under load)."""


def batches(changes: Sequence[Change]) -> list[list[Change]]:
    """*changes* in order, consecutive item changes of the same kind grouped (at most :data:`BATCH`)."""
    grouped: list[list[Change]] = []
    for change in changes:
        last = grouped[-1] if grouped else None
        if (
            last is not None
            and change.op in (READ, UNREAD, STAR, UNSTAR)
            and last[0].op == change.op
            and len(last) < BATCH
        ):
            last.append(change)
        else:
            grouped.append([change])
    return grouped


def _send(service: SyncService, batch: Sequence[Change]) -> None:
    change = batch[0]
    targets = [c.target for c in batch]
    if change.op in (READ, UNREAD):
        service.set_read(targets, change.op == READ)
    elif change.op in (STAR, UNSTAR):
        service.set_starred(targets, change.op == STAR)
    elif change.op == MARK_FEED_READ:
        service.mark_feed_read(change.target, datetime.fromisoformat(change.argument or datetime.now(UTC).isoformat()))
    elif change.op == SUBSCRIBE:
        service.subscribe(change.target, change.argument or None)
    elif change.op == UNSUBSCRIBE:
        service.unsubscribe(change.target)
    elif change.op == RENAME:
        service.rename(change.target, change.argument or "")
    elif change.op == MOVE:
        old, _, new = (change.argument or "").partition("\n")
        service.move(change.target, old or None, new or None)
    else:  # pragma: no cover - the queue only holds known operations
        raise ValueError(f"unknown queued change {change.op!r}")


def sync_account(
    service: SyncService,
    store: SyncStore,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    cancelled: Callable[[], bool] = lambda: False,
) -> SyncReport:
    """Sync one account (the steps above). Never raises :class:`SyncError`: a failure ends the sync
    early and is the report's ``error`` (and recorded with :meth:`SyncStore.finish`). *cancelled* is
    asked between requests: once it answers True the sync stops there (a request in flight ends within
    the fetch deadline), keeping what was stored and the rest of the queue, as any failure does."""
    sent = superseded_count = new_items = states_changed = 0
    refused: list[tuple[Change, str]] = []

    def check_cancelled() -> None:
        if cancelled():
            raise SyncCancelledError("", "The sync was cancelled.")

    try:
        check_cancelled()
        baselines = store.baselines()
        queue = store.pending_changes()
        open_changes = [change for change in queue if change.refused is None]
        survivors = coalesce(open_changes)
        collapsed = {change.id for change in open_changes} - {change.id for change in survivors}
        if survivors:
            resolution = resolve(
                survivors, service.unread_ids(), service.starred_ids(), frozenset(baselines), baselines
            )
        else:
            resolution = resolve((), frozenset(), frozenset(), frozenset(), baselines)
        store.remove_changes(sorted(collapsed | {change.id for change in resolution.superseded}))
        superseded_count = len(resolution.superseded)

        for batch in batches(resolution.send):
            check_cancelled()
            try:
                _send(service, batch)
            except SyncError as exc:
                if exc.transient:
                    raise
                for change in batch:
                    store.refuse_change(change.id, str(exc))
                    refused.append((change, str(exc)))
                continue
            store.remove_changes([change.id for change in batch])
            sent += len(batch)

        check_cancelled()
        store.apply_structure(service.structure())
        pending: list[RemoteItem] = []
        start = store.cursor()
        cursor = start
        for page, cursor in service.items_after(start):
            check_cancelled()
            pending.extend(page)
            if len(pending) >= STORE_BATCH:
                new_items += store.store_items(pending, cursor)
                pending = []
        if pending or cursor != start:
            new_items += store.store_items(pending, cursor)
        check_cancelled()
        still_queued = frozenset(
            change.target
            for change in store.pending_changes()
            if change.refused is None and change.op in (READ, UNREAD, STAR, UNSTAR)
        )
        states_changed = store.apply_states(service.unread_ids(), service.starred_ids(), still_queued)
    except SyncError as exc:
        store.finish(now(), str(exc))
        return SyncReport(sent, superseded_count, tuple(refused), new_items, states_changed, str(exc))
    store.finish(now(), None)
    return SyncReport(sent, superseded_count, tuple(refused), new_items, states_changed)
