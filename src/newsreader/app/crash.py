"""Bugs, not errors: an exception nobody caught is written to the log folder with its traceback and
shown once in a dialog; the app keeps running."""

from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from newsreader import __version__


def write_report(folder: Path, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> Path:
    """Append the traceback to ``crash.log`` in *folder*; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "crash.log"
    text = "".join(traceback.format_exception(kind, value, tb))
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now().isoformat(timespec='seconds')} newsreader {__version__}\n{text}\n")
    return path


class CrashReporter:
    """Installed as ``sys.excepthook`` while the app runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reports: list[Path] = []
        self._showing = False
        self._previous = sys.excepthook

    def install(self) -> None:
        """Catch what nothing else caught."""
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        """Put the previous hook back."""
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        try:
            path = write_report(self.folder, kind, value, tb)
        except OSError:
            traceback.print_exception(kind, value, tb)
            return
        self.reports.append(path)
        print(f"newsreader: a bug ({kind.__name__}: {value}); details in {path}.", file=sys.stderr)
        if self._showing or QApplication.instance() is None or QApplication.platformName() == "offscreen":
            return
        self._showing = True
        try:
            QMessageBox.warning(
                None,
                "newsreader hit a bug",
                f"Something went wrong that should not have ({kind.__name__}: {value}).\n\n"
                f"newsreader carries on; the details were saved to {path}. Please include them in a bug report.",
            )
        finally:
            self._showing = False
