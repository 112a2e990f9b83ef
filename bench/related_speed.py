"""Ranking related stories against a library of ~100,000 stories: ``Library.related()`` per story.

Uses the library that ``bench/cli_latency.py`` builds (the 1000-feed corpus stored three times under
different feed URLs, so every story also has reports "in other feeds"). Times ``related()`` for
random stories in one process after a warm-up, and the grouping work a refresh adds.

usage: python bench/related_speed.py [--library DIR] [--samples 200]
"""

from __future__ import annotations

import argparse
import datetime
import random
import tempfile
import time
from pathlib import Path

from cli_latency import build_library
from harness import ensure_corpus, machine, median
from newsreader.core.library import Library


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--library", help="reuse (or build) the library here")
    ap.add_argument("--stories", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--corpus", default="/tmp/bench-corpus")
    args = ap.parse_args()
    corpus = ensure_corpus(1000, Path(args.corpus))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.library or tmp)
        build_seconds = None
        if not (folder / "library.sqlite3").exists():
            start = time.perf_counter()
            build_library(folder, corpus, args.stories)
            build_seconds = time.perf_counter() - start
        library = Library(folder / "library.sqlite3")
        count = library.story_count()
        ids = [s.id for s in library.stories(limit=None, include_sponsored=True)]
        rng = random.Random(42)
        sample = [rng.choice(ids) for _ in range(args.samples)]
        for story_id in sample[:10]:
            library.related(story_id)
        timings = []
        sizes = {"same_story": 0, "related": 0}
        for story_id in sample:
            start = time.perf_counter()
            result = library.related(story_id)
            timings.append((time.perf_counter() - start) * 1000)
            sizes["same_story"] += bool(result.same_story)
            sizes["related"] += bool(result.related)
        library.close()
    timings.sort()
    print(f"{datetime.date.today()} · {machine()}")
    print(f"`python bench/related_speed.py --samples {args.samples}` ({count} stories, one process, after warm-up)")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| `related()` median | {median(timings):.1f} ms |")
    print(f"| `related()` p99 | {timings[int(len(timings) * 0.99) - 1]:.1f} ms |")
    print(f"| `related()` max | {timings[-1]:.1f} ms |")
    print(f"| stories with a same-story group | {sizes['same_story']} of {len(sample)} |")
    print(f"| stories with topical neighbours | {sizes['related']} of {len(sample)} |")
    if build_seconds is not None:
        print(f"| storing {count} stories with grouping (library build) | {build_seconds:.1f} s |")


if __name__ == "__main__":
    main()
