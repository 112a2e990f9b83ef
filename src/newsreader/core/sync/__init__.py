"""Sync with aggregator servers: Google Reader API, Fever and Tiny Tiny RSS clients (HTTP through
:mod:`newsreader.core.fetch` only), returning the frozen values of :mod:`newsreader.core.sync.models`."""

from newsreader.core.sync.fever import FeverClient
from newsreader.core.sync.greader import GReaderClient
from newsreader.core.sync.models import ItemPage, RemoteEnclosure, RemoteFeed, RemoteFolder, RemoteItem, UnreadCount
from newsreader.core.sync.ttrss import TTRSSClient

__all__ = [
    "FeverClient",
    "GReaderClient",
    "ItemPage",
    "RemoteEnclosure",
    "RemoteFeed",
    "RemoteFolder",
    "RemoteItem",
    "TTRSSClient",
    "UnreadCount",
]
