"""The Qt-free newsreader library: open a :class:`Library` with :func:`open_library`."""

from newsreader.core.errors import NewsreaderError
from newsreader.core.library import Library, MultipleFeedsError, open_library
from newsreader.core.models import Feed, RefreshProgress, RefreshResult, RefreshStatus, Story

__all__ = [
    "Feed",
    "Library",
    "MultipleFeedsError",
    "NewsreaderError",
    "RefreshProgress",
    "RefreshResult",
    "RefreshStatus",
    "Story",
    "open_library",
]
