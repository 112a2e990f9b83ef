"""Which queued local changes still go to the server: the conflict rules of ``docs/sync.md``.

Pure functions of values: the queued changes, the server's read and starred state now, and the state
the server had at the last sync (the *baseline*, kept per item). An item "changed on the server since
the last sync" is one whose current server state differs from its baseline.

- **Read state: the server wins** for an item changed on both sides since the last sync: the local
  read/unread change is superseded (dropped, and the server's state is applied locally).
- **A local star is never lost**: a queued star is always sent, whatever the server did meanwhile.
  A queued unstar loses to a server-side change like a read change does.
- Everything else (feed-level and subscription changes) is sent in the order it was made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

READ, UNREAD, STAR, UNSTAR = "read", "unread", "star", "unstar"
MARK_FEED_READ, SUBSCRIBE, UNSUBSCRIBE, RENAME, MOVE = "mark_feed_read", "subscribe", "unsubscribe", "rename", "move"
ITEM_OPS = frozenset({READ, UNREAD, STAR, UNSTAR})
OPS = ITEM_OPS | {MARK_FEED_READ, SUBSCRIBE, UNSUBSCRIBE, RENAME, MOVE}


@dataclass(frozen=True, slots=True)
class Change:
    """One queued local change, in the order it was made (``id`` ascending)."""

    id: int
    op: str
    """One of :data:`OPS`."""
    target: str
    """The server's id of the item or feed (for ``subscribe``: the feed's address)."""
    argument: str | None
    """``rename``: the new title; ``move``: ``old\\nnew`` folder ids; ``mark_feed_read``: the time
    (ISO 8601) up to which the user saw the feed; ``subscribe``: the folder id, if any."""
    created: datetime
    refused: str | None = None
    """The server's reason, once it refused the change (kept, shown, not sent again)."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """An item's state on the server at the last sync (None: the item was not on the server then)."""

    read: bool | None
    starred: bool | None


@dataclass(frozen=True, slots=True)
class Resolution:
    """What to do with the queue: send ``send`` in order; drop ``superseded`` (the server won)."""

    send: tuple[Change, ...]
    superseded: tuple[Change, ...]


def resolve(
    changes: Iterable[Change],
    server_unread: frozenset[str],
    server_starred: frozenset[str],
    known: frozenset[str],
    baselines: Mapping[str, Baseline],
) -> Resolution:
    """Apply the conflict rules to *changes* (already refused ones are left out of both lists).

    *known* holds the ids of every item the server's unread and starred lists could mention (the
    items stored for the account): an item in *known* but not in *server_unread* is read there."""
    send: list[Change] = []
    superseded: list[Change] = []
    for change in changes:
        if change.refused is not None:
            continue
        if change.op not in ITEM_OPS or change.target not in known:
            send.append(change)
            continue
        baseline = baselines.get(change.target, Baseline(None, None))
        if change.op in (READ, UNREAD):
            server_read = change.target not in server_unread
            changed_there = baseline.read is not None and baseline.read != server_read
        elif change.op == STAR:
            changed_there = False  # a local star is never lost
        else:
            server_star = change.target in server_starred
            changed_there = baseline.starred is not None and baseline.starred != server_star
        (superseded if changed_there else send).append(change)
    return Resolution(tuple(send), tuple(superseded))


def coalesce(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Collapse item changes that cancel out or repeat (read then unread of one item leaves only the
    last) so that a long offline session sends each item's final state once; other changes keep
    their order. Returns the changes to send, ordered as the survivors were made."""
    last: dict[tuple[str, str], Change] = {}
    others: list[Change] = []
    for change in changes:
        if change.op in (READ, UNREAD):
            last[("read", change.target)] = change
        elif change.op in (STAR, UNSTAR):
            last[("star", change.target)] = change
        else:
            others.append(change)
    return tuple(sorted([*last.values(), *others], key=lambda change: change.id))
