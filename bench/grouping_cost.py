"""CPU time of same-story grouping's pure work per story: ``terms.analyse`` and ``same_story.compare``.

Grouping runs inside the single writer while a refresh stores stories, so its cost is part of every
cold refresh. This measures only the pure functions (no SQLite), on real stories: every item of the
feeds of ``shared/corpus/feeds/real`` and ``shared/corpus/sponsored-feeds`` and, when it is there,
of the 1000-feed benchmark corpus (``bench/refresh.py`` makes it; ``--corpus``). Each story is
analysed once (no cache), then compared with the stories sharing at least
``same_story.MIN_SHARED_KEYS`` key terms with it, at most ``MAX_CANDIDATES`` of them, as
``storage/grouping.py`` does. Figures are ``time.process_time`` (CPU, not wall), best of
``--repeat`` runs, so other work on the machine disturbs them little.

usage: python bench/grouping_cost.py [--corpus DIR] [--repeat 3] [--limit N]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import time
from collections import Counter, defaultdict
from pathlib import Path

from harness import SHARED, machine
from newsreader.core.errors import ParseError
from newsreader.core.parse import parse_feed
from newsreader.core.related import same_story, terms

MAX_CANDIDATES = 12
"""As ``storage/grouping.py``: stories compared with each new one at most."""


def _stories(folders: list[Path], limit: int) -> list[tuple[str, str]]:
    stories: list[tuple[str, str]] = []
    now = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            try:
                feed = parse_feed(data, "http://127.0.0.1/", {}, now=now)
            except (ParseError, ValueError):
                continue
            for entry in feed.entries:
                if entry.title:
                    lead = " ".join(entry.text.split()[: same_story.LEAD_WORDS])
                    stories.append((entry.title, lead))
            if len(stories) >= limit:
                return stories[:limit]
    return stories


def measure(stories: list[tuple[str, str]]) -> tuple[float, float, int]:
    """(analyse CPU seconds, compare CPU seconds, comparisons) over *stories*."""
    terms._stem.cache_clear()
    start = time.process_time()
    analysed = [terms.analyse(title, lead, lead_words=same_story.LEAD_WORDS) for title, lead in stories]
    analyse_seconds = time.process_time() - start
    index: dict[str, list[int]] = defaultdict(list)
    keys = [same_story.key_terms(t) for t in analysed]
    for i, story_keys in enumerate(keys):
        for key in story_keys:
            index[key].append(i)
    pairs = []
    for i, story_keys in enumerate(keys):
        found: Counter[int] = Counter(j for key in story_keys for j in index[key] if j < i)
        pairs.extend((i, j) for j, count in found.most_common(MAX_CANDIDATES) if count >= same_story.MIN_SHARED_KEYS)
    start = time.process_time()
    for i, j in pairs:
        same_story.compare(analysed[i], analysed[j])
    return analyse_seconds, time.process_time() - start, len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="/tmp/bench-corpus", help="the 1000-feed corpus, if made")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=6000, help="stories at most per source")
    args = parser.parse_args()
    sources = {
        "real feeds (shared/corpus)": [SHARED / "corpus" / "feeds" / "real", SHARED / "corpus" / "sponsored-feeds"],
    }
    if (Path(args.corpus) / "feeds").is_dir():
        sources["1000-feed benchmark corpus"] = [Path(args.corpus) / "feeds"]
    print(f"{datetime.date.today()} · {machine()}")
    print(f"`python bench/grouping_cost.py --repeat {args.repeat}` (CPU time, best of {args.repeat})")
    print()
    print("| stories | count | analyse µs/story | compare µs/story | comparisons/story | total µs/story |")
    print("|---|---|---|---|---|---|")
    for label, folders in sources.items():
        stories = _stories(folders, args.limit)
        runs = [measure(stories) for _ in range(args.repeat)]
        analyse_s = min(r[0] for r in runs)
        compare_s = min(r[1] for r in runs)
        n = len(stories)
        print(
            f"| {label} | {n} | {analyse_s / n * 1e6:.0f} | {compare_s / n * 1e6:.0f} | {runs[0][2] / n:.2f} "
            f"| {(analyse_s + compare_s) / n * 1e6:.0f} |"
        )


if __name__ == "__main__":
    main()
