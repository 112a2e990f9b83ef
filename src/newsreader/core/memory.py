"""Process-wide memory tuning that a client may opt into at start-up."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's per-thread malloc arenas (Linux only); returns whether the cap was applied.

    glibc gives each thread that allocates its own arena (up to eight per core); with dozens of
    network threads that multiplies idle, fragmented memory. Call before starting threads.
    """
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
