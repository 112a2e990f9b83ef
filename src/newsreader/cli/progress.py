"""A one-line progress bar for refreshes on a terminal."""

from __future__ import annotations

import shutil
import sys
from typing import TextIO


class ProgressLine:
    """Draws ``refreshing 312/1000 [#####   ]`` on one terminal line (nothing when not a TTY)."""

    def __init__(self, stream: TextIO | None = None, label: str = "refreshing") -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.enabled = self.stream.isatty()
        self._shown = False

    def update(self, done: int, total: int) -> None:
        """Redraw with the current counts."""
        if not self.enabled or total == 0:
            return
        width = max(10, min(40, shutil.get_terminal_size().columns - 30))
        filled = width * done // total
        self.stream.write(f"\r{self.label} {done}/{total} [{'#' * filled}{' ' * (width - filled)}]")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the line (before printing a message, and at the end)."""
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
