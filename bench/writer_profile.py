"""Where the single writer's time goes when a cold refresh stores feeds: CPU seconds per SQL
statement (CPU time, so that other load on the machine matters less than for wall time).

Parses the first N feeds of the benchmark corpus, then stores them as a cold refresh does (groups
of 8 feeds per transaction, one savepoint each) with every statement timed.

usage: python bench/writer_profile.py [--feeds 200] [--corpus /tmp/bench-corpus] [--automerge N]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import re
import sqlite3
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import ensure_corpus, machine, store_parsed
from newsreader.core.parse import parse_feed
from newsreader.core.parse_job import with_story_terms
from newsreader.core.storage.db import Storage

GROUP = 8


class TimedConnection:
    """Stands in for the storage's connection and adds each statement's CPU time to *spent*."""

    def __init__(self, db: sqlite3.Connection, spent: dict[str, float]) -> None:
        self._db = db
        self._spent = spent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def _timed(self, label: str, call: Any, sql: str, args: tuple[Any, ...]) -> Any:
        started = time.process_time()
        try:
            return call(sql, *args)
        finally:
            self._spent[label + re.sub(r"\s+", " ", sql.strip())[:60]] += time.process_time() - started

    def execute(self, sql: str, *args: Any) -> Any:
        return self._timed("", self._db.execute, sql, args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return self._timed("many: ", self._db.executemany, sql, args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--corpus", default="/tmp/bench-corpus")
    ap.add_argument("--automerge", type=int, help="FTS5 automerge setting to try (SQLite's default: 4)")
    args = ap.parse_args()
    corpus = ensure_corpus(1000, Path(args.corpus))
    now = datetime.now(UTC)
    files = sorted((corpus / "feeds").iterdir())[: args.feeds]
    # as the refresh's parser processes hand them over: parsed, with each entry's terms analysed
    parsed = [
        with_story_terms(parse_feed(f.read_bytes(), f"http://bench.example/{f.name}", {}, now=now)) for f in files
    ]
    gc.collect()
    gc.freeze()  # the parsed feeds are many objects: keep the collector's passes over them out of the timing
    spent: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory() as tmp:
        storage = Storage(Path(tmp) / "library.sqlite3")
        if args.automerge is not None:
            storage.execute(f"INSERT INTO stories_fts(stories_fts, rank) VALUES ('automerge', {args.automerge})")
        ids = [storage.add_feed(f"http://bench.example/{i}", "", None, now) for i in range(len(parsed))]
        storage._db = TimedConnection(storage._db, spent)  # type: ignore[assignment]
        started = time.process_time()
        pairs = list(zip(ids, parsed, strict=True))
        for start in range(0, len(pairs), GROUP):
            with storage.transaction():
                before = storage.last_story_id()  # as the refresh's writer: search index once a group
                for feed_id, feed in pairs[start : start + GROUP]:
                    store_parsed(storage, feed_id, feed, now, search_index=False)
                storage.index_stories_after(before)
        total = time.process_time() - started
        grouped = storage.execute("SELECT id, group_id FROM stories WHERE group_id IS NOT NULL ORDER BY id").fetchall()
        storage.close()
    stories = sum(len(p.entries) for p in parsed)
    print(f"{datetime.now(UTC):%Y-%m-%d} · {machine()}")
    print(f"`python bench/writer_profile.py --feeds {args.feeds}` ({stories} stories)")
    print()
    print(f"writer CPU in all: {total:.2f} s")
    digest = hashlib.sha256(repr(grouped).encode()).hexdigest()[:12]
    print(f"grouped: {len(grouped)} stories in {len({g for _, g in grouped})} groups (digest {digest})")
    print()
    print("| CPU s | share | statement |")
    print("|---|---|---|")
    for sql, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:8]:
        print(f"| {seconds:.2f} | {seconds / total:.0%} | `{sql}` |")


if __name__ == "__main__":
    main()
