"""Shared benchmark plumbing: the shared corpus and loopback server, and peak-memory sampling.

Measured on the same work as every other reader: ``../shared/bench/make_corpus.py`` and
``../shared/bench/serve.py`` (loopback only, ETag/304, gzip, artificial latency, 16 hosts).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSREADER_SHARED", REPO.parent / "shared"))
"""The shared folder: ``$NEWSREADER_SHARED``, else ``../shared`` beside the checkout (as tests/conftest.py)."""
SHARED_BENCH = SHARED / "bench"
BENCH_EXTRAS = ("psutil", "reader", "readability")
"""Modules of the ``bench`` extra (pyproject.toml), installed by ``./scripts/setup.sh --bench``;
the benchmarks that need them call :func:`require_extras` first."""


def require_extras(*modules: str) -> None:
    """Exit with one sentence, not a traceback, when a benchmark needs bench extras that are missing."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        sys.exit(f"bench: {', '.join(missing)} not installed; install the bench extras with ./scripts/setup.sh --bench")


def _check_shared() -> None:
    """One sentence, not a traceback, when the shared folder is missing."""
    if not SHARED.is_dir():
        sys.exit(f"bench: the shared folder {SHARED} is absent; set NEWSREADER_SHARED to where it is")


# Only the shared folder is checked on import: tests import the quality scorers (sponsored_eval,
# page_eval) without the bench extras, which only the timing and peer benchmarks need.
_check_shared()


def ensure_corpus(n: int, out: Path) -> Path:
    """Generate the deterministic corpus of *n* feeds once (the same seed gives the same bytes)."""
    manifest = out / "manifest.json"
    if manifest.exists() and len(json.loads(manifest.read_text())["feeds"]) >= n:
        return out
    subprocess.run(
        [sys.executable, str(SHARED_BENCH / "make_corpus.py"), "--n", str(n), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


@dataclass
class Server:
    """A running ``serve.py``: its feed URLs and a stats endpoint."""

    urls: list[str]
    port: int
    process: subprocess.Popen[bytes]

    def stats(self) -> dict[str, object]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__stats", timeout=5) as r:
            return dict(json.loads(r.read()))

    def reset(self) -> None:
        urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__reset", timeout=5).read()


@contextmanager
def feed_server(corpus: Path, *, port: int, latency_ms: float, hosts: int, limit: int) -> Iterator[Server]:
    """Start ``serve.py`` on loopback; stop it afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "ready"
        urls_file = Path(tmp) / "urls.txt"
        process = subprocess.Popen(
            [
                sys.executable,
                str(SHARED_BENCH / "serve.py"),
                "--corpus",
                str(corpus),
                "--port",
                str(port),
                "--latency-ms",
                str(latency_ms),
                "--gzip",
                "--hosts",
                str(hosts),
                "--urls",
                str(urls_file),
                "--ready-file",
                str(ready),
                "--max-seconds",
                "5400",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not ready.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark feed server did not start")
                time.sleep(0.05)
            urls = urls_file.read_text().split()[:limit]
            yield Server(urls, port, process)
        finally:
            process.terminate()
            process.wait(10)


@dataclass
class Measurement:
    """Wall time, peak resident memory and CPU time of a command (its whole process tree)."""

    seconds: float
    peak_mib: float
    returncode: int
    cpu_seconds: float = 0.0
    """User + system CPU of the command and every process it waited for (its parser processes), from
    ``getrusage(RUSAGE_CHILDREN)``: what the work costs, however many cores it had."""


def run_measured(
    argv: Sequence[str], *, env: dict[str, str] | None = None, cwd: str | None = None, timeout: float = 1800
) -> Measurement:
    """Run *argv*, sampling the summed RSS of it and its children every 20 ms."""
    import resource

    import psutil

    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(list(argv), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
            except psutil.Error:
                pass
            peak = max(peak, total)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, err = process.communicate(timeout=timeout)
    finally:
        stop.set()
        sampler.join()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        sys.stderr.write(f"{argv[0]} exited {process.returncode}: {err.decode(errors='replace')[-2000:]}\n")
    return Measurement(seconds, peak / (1024 * 1024), process.returncode, cpu)


def machine() -> str:
    """One line naming the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def print_table(heading: str, command: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a result as Markdown for docs/benchmarks.md: machine and date, the command, a table."""
    print(f"{heading} · {machine()}")
    print(command)
    print()
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def store_parsed(storage: Any, feed_id: int, feed: Any, now: Any, entries: Any = None, **options: Any) -> None:
    """Store a parsed feed as a first fetch would (no validators, no schedule); *options* go to
    ``store_entries``."""
    storage.store_entries(
        feed_id,
        feed.entries if entries is None else entries,
        now,
        title=feed.title,
        site_url=feed.site_url,
        **options,
    )
