"""Desktop app responsiveness and footprint (offscreen Qt, the real main window).

Measures, each in a fresh process:
- GUI event-loop latency during a refresh of the 1000-feed benchmark corpus served on loopback: how late
  a 10 ms timer fires (p50/p99/max). The app refreshes on its worker thread; for contrast, the same
  refresh driven from the GUI thread with the event loop run between feeds (what a simple app does).
- Launch to first paint with a 100,000-story library (whole process, wall clock, median of runs).
- Selecting a story to all three panes filled (related stories ranked on a worker), 100 stories.
- Resident memory of the app process with the 100,000-story library after those selections.
- GUI event-loop latency during a first sync of a Google Reader API account (the FreshRSS model of
  ``bench/sync.py``, in the parent process, holding the first SYNC_FEEDS corpus feeds' items): the
  same 10 ms timer while the app syncs from its Refresh action, on its sync thread.

usage: python bench/gui.py [--feeds 1000] [--stories 100000] [--runs 5] [--library DIR] [--sync-feeds 578]
       python bench/gui.py --only-sync [--sync-feeds 578]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ensure_corpus, feed_server, print_table, require_extras

HERE = Path(__file__).resolve().parent
OFFSCREEN = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "qt.qpa.*=false"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# child processes ---------------------------------------------------------------------------------


def child_latency(data_dir: str, urls_file: str, mode: str) -> None:
    """Refresh every feed while a 10 ms timer records its lateness; print JSON."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from newsreader.app.settings import SettingsStore
    from newsreader.app.views.main_window import MainWindow
    from newsreader.core.library import open_library

    app = QApplication([])
    library = open_library(data_dir)
    for url in Path(urls_file).read_text().split():
        library.subscribe(url)
    # the corpus links to sites that do not exist: feeds only, no article pages or icons
    library.set_setting("full_articles", "off")
    library.set_setting("feed_icons", "off")
    store = SettingsStore(library)
    window = MainWindow(library, store, store.load())
    window.show()
    app.processEvents()
    lateness: list[float] = []
    state = {"expected": 0.0}

    spikes: list[tuple[float, float]] = []

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - state["expected"]) * 1000))
        if lateness[-1] > 50:
            spikes.append((round(now - started, 2), round(lateness[-1])))
        state["expected"] = now + 0.010

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    started = time.perf_counter()
    state["expected"] = started + 0.010
    timer.start()
    if mode == "worker":
        window.refresher.finished.connect(lambda _summary: app.quit())
        window.subscriptions.refresh_all()
        app.exec()
    else:
        for step in library.refresh():
            window.subscriptions._refresh_progress(step)
            app.processEvents()
    elapsed = time.perf_counter() - started
    timer.stop()
    print(
        json.dumps(
            {
                "p50": percentile(lateness, 0.50),
                "p99": percentile(lateness, 0.99),
                "max": max(lateness),
                "samples": len(lateness),
                "seconds": elapsed,
                "stories": library.story_count(),
                "spikes": spikes[:20],
            }
        )
    )


def child_sync_latency(data_dir: str, url: str, user: str, password: str) -> None:
    """Sync one Google Reader API account from the Refresh action while a 10 ms timer records its
    lateness; print JSON."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from newsreader.app.settings import SettingsStore
    from newsreader.app.views.main_window import MainWindow
    from newsreader.app.workers import AccountSynced
    from newsreader.core.library import open_library

    app = QApplication([])
    library = open_library(data_dir)
    # the password file rather than a keyring: a benchmark machine may have none
    library.add_account("bench", "greader", url, user, password, unencrypted=True)
    store = SettingsStore(library)
    window = MainWindow(library, store, store.load())
    window.show()
    app.processEvents()
    lateness: list[float] = []
    state = {"expected": 0.0}

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - state["expected"]) * 1000))
        state["expected"] = now + 0.010

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    results: list[AccountSynced] = []

    def finished(synced: list[AccountSynced]) -> None:
        results.extend(synced)
        app.quit()

    window.syncer.finished.connect(finished)
    started = time.perf_counter()
    state["expected"] = started + 0.010
    timer.start()
    window.actions_by_name["refresh"].trigger()
    app.exec()
    elapsed = time.perf_counter() - started
    timer.stop()
    errors = [r.report.error for r in results if r.report.error]
    if errors:
        raise SystemExit(f"the sync failed: {errors[0]}")
    print(
        json.dumps(
            {
                "p50": percentile(lateness, 0.50),
                "p99": percentile(lateness, 0.99),
                "max": max(lateness),
                "samples": len(lateness),
                "seconds": elapsed,
                "stories": library.story_count(),
            }
        )
    )


def sync_latency(sync_feeds: int, corpus: Path, work: Path) -> tuple[str, str, str]:
    """The table row of the sync scenario (the FreshRSS model runs here, the app in a child)."""
    sys.path.insert(0, str(HERE))
    from sync import freshrss_model

    model = freshrss_model(sorted((corpus / "feeds").iterdir())[:sync_feeds])
    try:
        result = run_child("sync-latency", str(work / "sync"), model.url(), model.user, model.password)
    finally:
        model.close()
    return (
        f"timer lateness during a first sync of {sync_feeds} feeds (Google Reader API, FreshRSS model)",
        f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, max {result['max']:.0f} ms",
        f"{result['samples']:.0f} ticks over {result['seconds']:.1f} s, {result['stories']:.0f} stories",
    )


def child_select(data_dir: str, count: int) -> None:
    """Select *count* stories (random rows of the first 2,000) and time each until its panes are full."""
    import psutil
    from PySide6.QtWidgets import QApplication

    from newsreader.app.settings import SettingsStore
    from newsreader.app.views.main_window import MainWindow
    from newsreader.core.library import open_library

    app = QApplication([])
    library = open_library(data_dir)
    store = SettingsStore(library)
    window = MainWindow(library, store, store.load())
    window.show()
    app.processEvents()
    while window.story_model.rowCount() < 2000 and window.story_model.canFetchMore():
        window.story_model.fetchMore()
    rng = random.Random(7)
    rows = [rng.randrange(window.story_model.rowCount()) for _ in range(count)]
    timings: list[float] = []
    done = {"id": -1}
    window.story_displayed.connect(lambda story_id: done.__setitem__("id", story_id))
    for row in rows:
        story = window.story_model.story_at(row)
        assert story is not None
        started = time.perf_counter()
        window.reading._select_row(row) if window.reading.current_row() != row else window.reading.show_story_by_id(
            story.id
        )
        while done["id"] != story.id:
            app.processEvents()
        window.story_view.viewport().repaint()
        timings.append((time.perf_counter() - started) * 1000)
        done["id"] = -1
    rss = psutil.Process().memory_info().rss / 2**20
    print(
        json.dumps(
            {
                "p50": statistics.median(timings),
                "p95": percentile(timings, 0.95),
                "max": max(timings),
                "rss_mib": rss,
                "stories": library.story_count(),
            }
        )
    )


# the parent --------------------------------------------------------------------------------------


def run_child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", *args], env=OFFSCREEN, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def first_paint(library: Path, runs: int) -> list[float]:
    """Wall time from starting ``newsreader gui`` to the window's first paint."""
    env = {**OFFSCREEN, "NEWSREADER_REPORT_FIRST_PAINT": "1"}
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "newsreader", "--data-dir", str(library), "gui", "--no-refresh"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("first paint"):
                samples.append((time.perf_counter() - started) * 1000)
                break
        process.terminate()
        process.wait(30)
    return samples


def main() -> None:
    require_extras("psutil")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--stories", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--selections", type=int, default=100)
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--port", type=int, default=8732)
    ap.add_argument("--corpus", default="/tmp/bench-corpus")
    ap.add_argument("--library", help="reuse (or build) the 100,000-story library here")
    ap.add_argument("--sync-feeds", type=int, default=578, help="feeds of the sync scenario (0: skip it)")
    ap.add_argument("--only-sync", action="store_true", help="run the sync scenario alone")
    args = ap.parse_args()
    corpus = ensure_corpus(max(args.feeds, 1000 if args.sync_feeds else 0), Path(args.corpus))
    rows: list[tuple[str, ...]] = []
    if args.only_sync:
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(sync_latency(args.sync_feeds, corpus, Path(tmp)))
        print_table(
            str(datetime.date.today()),
            f"`python bench/gui.py --only-sync --sync-feeds {args.sync_feeds}` (offscreen Qt)",
            ["measure", "result", "how"],
            rows,
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with feed_server(corpus, port=args.port, latency_ms=args.latency_ms, hosts=16, limit=args.feeds) as server:
            urls = work / "urls.txt"
            urls.write_text("\n".join(server.urls))
            for mode, label in (
                ("worker", "newsreader (refresh on its worker thread)"),
                ("gui-thread", "same refresh driven from the GUI thread"),
            ):
                server.reset()
                result = run_child("latency", str(work / mode), str(urls), mode)
                rows.append(
                    (
                        f"timer lateness during a {args.feeds}-feed refresh: {label}",
                        f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, max {result['max']:.0f} ms",
                        f"{result['samples']:.0f} ticks over {result['seconds']:.1f} s, "
                        f"{result['stories']:.0f} stories",
                    )
                )
        if args.sync_feeds:
            rows.append(sync_latency(args.sync_feeds, corpus, work))
        library = Path(args.library) if args.library else work / "big"
        if not (library / "library.sqlite3").exists():
            sys.path.insert(0, str(HERE))
            from cli_latency import build_library

            build_library(library, corpus, args.stories)
        paints = first_paint(library, args.runs)
        rows.append(
            (
                f"launch to first paint, {args.stories:,} stories",
                f"median {statistics.median(paints):.0f} ms, max {max(paints):.0f} ms",
                f"{len(paints)} launches of `newsreader gui` (whole process)",
            )
        )
        selected = run_child("select", str(library), str(args.selections))
        rows.append(
            (
                "select a story → story, related and sponsored panes filled",
                f"median {selected['p50']:.1f} ms, p95 {selected['p95']:.1f} ms, max {selected['max']:.0f} ms",
                f"{args.selections} random stories of the first 2,000 rows",
            )
        )
        rows.append(
            (
                f"resident memory, {selected['stories']:,.0f} stories",
                f"{selected['rss_mib']:.0f} MiB",
                "after the selections above (2,000 rows loaded)",
            )
        )
    print_table(
        str(datetime.date.today()),
        f"`python bench/gui.py --feeds {args.feeds} --stories {args.stories} --runs {args.runs}` (offscreen Qt)",
        ["measure", "result", "how"],
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] == "latency":
            child_latency(sys.argv[3], sys.argv[4], sys.argv[5])
        elif sys.argv[2] == "sync-latency":
            child_sync_latency(sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6])
        else:
            child_select(sys.argv[3], int(sys.argv[4]))
    else:
        main()
