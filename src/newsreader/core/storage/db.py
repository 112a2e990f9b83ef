"""SQLite storage: the only package that uses ``sqlite3``.

:class:`Storage` is one connection to a library file with every domain's queries: each domain is a
mixin over :class:`~newsreader.core.storage.base.StorageBase` in its own module —

- ``feeds.py``: subscriptions, folders, what a refresh records per feed;
- ``entries.py``: storing a parsed feed's entries (grouping and retention included);
- ``stories.py``: lists, one story, read/starred, search, counts;
- ``sponsored.py``: classifier inputs, verdicts, the user's overrides;
- ``related.py``: the related-stories look-ups;
- ``pages.py``: article pages kept offline;
- ``images.py``: the image cache's index and feed icons;
- ``settings.py``: library-wide settings;
- ``hosts.py``: hosts that did not answer, and when to ask them again;
- ``accounts.py``: sync accounts, their queue of local changes, what a sync stores.

One :class:`Storage` per thread (SQLite connections are per thread). WAL mode lets readers go on
while one writer commits; every write that belongs together is one transaction, so a process
killed at any moment leaves the last committed state.
"""

from __future__ import annotations

from newsreader.core.storage.accounts import AccountStorage
from newsreader.core.storage.base import SEARCH_WINDOW, StorageBase, chunks, from_db_time, marks, to_db_time
from newsreader.core.storage.entries import EntryStorage, StoreOutcome
from newsreader.core.storage.feeds import FeedState, FeedStorage
from newsreader.core.storage.hosts import HostStorage
from newsreader.core.storage.images import ImageStorage
from newsreader.core.storage.pages import SUMMARY_ONLY_CHARS, PageStorage
from newsreader.core.storage.related import RelatedStorage
from newsreader.core.storage.settings import SettingStorage
from newsreader.core.storage.sponsored import SponsoredStorage
from newsreader.core.storage.stories import StoryStorage

__all__ = [
    "SEARCH_WINDOW",
    "SUMMARY_ONLY_CHARS",
    "FeedState",
    "Storage",
    "StorageBase",
    "StoreOutcome",
    "chunks",
    "from_db_time",
    "marks",
    "to_db_time",
]


class Storage(
    AccountStorage,
    FeedStorage,
    EntryStorage,
    StoryStorage,
    SponsoredStorage,
    RelatedStorage,
    PageStorage,
    ImageStorage,
    SettingStorage,
    HostStorage,
    StorageBase,
):
    """A connection to one library database file, with the queries of every domain.

    Raises :class:`~newsreader.core.errors.StorageError` when the file cannot be opened,
    :class:`~newsreader.core.errors.UnusableLibraryError` when it is damaged or not ours.
    """
