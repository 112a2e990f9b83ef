"""CLI latency on a large offline library: whole ``newsreader`` processes, start to exit.

Builds a library of ~100,000 stories from the shared benchmark corpus (the 1000 feeds, stored
three times under different feed URLs), then times ``stories --limit 50`` and ``search`` with
two-word queries, each run repeatedly in a fresh process.

usage: python bench/cli_latency.py [--stories 100000] [--runs 15] [--library DIR]
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC
from pathlib import Path

from harness import ensure_corpus, median, print_table, store_parsed
from newsreader.core.parse import parse_feed
from newsreader.core.storage.db import Storage


def build_library(path: Path, corpus: Path, target: int) -> int:
    storage = Storage(path / "library.sqlite3")
    now = datetime.datetime.now(UTC)
    parsed = [
        parse_feed(p.read_bytes(), f"http://bench.example/{p.name}") for p in sorted((corpus / "feeds").iterdir())
    ]
    total = 0
    copy = 0
    while total < target:
        for index, feed in enumerate(parsed):
            if total >= target:
                break
            feed_id = storage.add_feed(f"http://copy{copy}.example/{index}.xml", feed.title, None, now)
            entries = [replace(e, key=f"{e.key}#{copy}") for e in feed.entries[: target - total]]
            store_parsed(storage, feed_id, feed, now, entries)
            total += len(entries)
        copy += 1
    storage.close()
    return total


def time_command(args: list[str], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return median(samples), samples[int(len(samples) * 0.9) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--corpus", default="/tmp/bench-corpus")
    ap.add_argument("--library", help="reuse (or build) the library here")
    args = ap.parse_args()
    corpus = ensure_corpus(1000, Path(args.corpus))
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(args.library or tmp)
        if not (library / "library.sqlite3").exists():
            count = build_library(library, corpus, args.stories)
        else:
            count = Storage(library / "library.sqlite3").story_count()
        cli = [sys.executable, "-m", "newsreader", "--data-dir", str(library)]
        queries = [
            ("search zereioner qutawibe (21 matches)", ["search", "zereioner", "qutawibe"]),
            ("search ingunqune thplqupa (thousands of matches)", ["search", "ingunqune", "thplqupa"]),
            ("search the and (matches nearly every story)", ["search", "the", "and"]),
        ]
        rows = [("stories --limit 50", *time_command([*cli, "stories", "--limit", "50"], args.runs))]
        rows.append(
            ("stories --unread --limit 50", *time_command([*cli, "stories", "--unread", "--limit", "50"], args.runs))
        )
        for label, query in queries:
            rows.append((label, *time_command([*cli, *query], args.runs)))
        rows.append(("python -c pass (interpreter floor)", *time_command([sys.executable, "-c", "pass"], args.runs)))
    print_table(
        str(datetime.date.today()),
        f"`python bench/cli_latency.py --stories {args.stories} --runs {args.runs}` ({count} stories, "
        f"whole process wall time, {args.runs} runs each)",
        ["command", "median ms", "p90 ms"],
        [(f"`{label}`", f"{med:.0f}", f"{p90:.0f}") for label, med, p90 in rows],
    )


if __name__ == "__main__":
    main()
