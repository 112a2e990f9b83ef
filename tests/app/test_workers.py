"""The app's background jobs: once a job says it has finished, it no longer counts as running, so
a slot of ``finished`` can start the next job (the sync that waited for a refresh) at once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from newsreader.app.workers import RefreshWorker, SyncWorker, _JobThread
from newsreader.core.library import open_library


def running_when_finished(qtbot, worker: _JobThread, start) -> list[bool]:  # type: ignore[no-untyped-def]
    """Start *worker* and note, from a direct slot of its ``finished`` (called on the job's thread,
    as the job ends), whether it still said it was running."""
    seen: list[bool] = []
    worker.finished.connect(lambda _value: seen.append(worker.running), Qt.ConnectionType.DirectConnection)  # type: ignore[attr-defined]
    with qtbot.waitSignal(worker.finished, timeout=30_000):  # type: ignore[attr-defined]
        assert start()
    assert worker.wait(30)
    return seen


def test_a_finished_refresh_is_not_running(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with open_library(tmp_path, parse_processes=0) as library:
        worker = RefreshWorker(library)
        assert running_when_finished(qtbot, worker, worker.start) == [False]
        assert worker.start()  # and the next one may start
        assert worker.wait(30)


def test_a_finished_sync_is_not_running(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with open_library(tmp_path, parse_processes=0) as library:
        worker = SyncWorker(library)
        assert running_when_finished(qtbot, worker, worker.start) == [False]
