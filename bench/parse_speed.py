"""Where a cold refresh's CPU goes: parsing throughput of each path, single core.

Parses the 1000-feed benchmark corpus with the fast path (lxml + nh3), with newsreader's feedparser
path, with plain feedparser as a plain loop would call it (sanitising on), times the whole job a
cold refresh gives its parser process for each feed (``parse_job.parse_in_thread``: parsing, each
story's same-story terms, sponsored classification, the result pickled as it travels back), and
times storing the result in SQLite (with the full-text index).

usage: python bench/parse_speed.py [--corpus /tmp/bench-corpus]
"""

from __future__ import annotations

import argparse
import datetime
import pickle
import shutil
import tempfile
import time
from datetime import UTC
from pathlib import Path

import feedparser

from harness import ensure_corpus, print_table, store_parsed
from newsreader.core.parse import parse_feed
from newsreader.core.parse_job import parse_in_thread
from newsreader.core.storage.db import Storage


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="/tmp/bench-corpus")
    args = ap.parse_args()
    corpus = ensure_corpus(1000, Path(args.corpus))
    files = sorted((corpus / "feeds").iterdir())
    bodies = [(f"http://bench.example/{p.name}", p.read_bytes()) for p in files]
    megabytes = sum(len(b) for _, b in bodies) / 1e6
    rows = []

    def timed(label: str, work) -> object:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
        rows.append((label, seconds, megabytes / seconds))
        return result

    parsed = timed("newsreader fast path (lxml + nh3 + normalise)", lambda: [parse_feed(b, u) for u, b in bodies])
    timed("newsreader feedparser path (same normaliser)", lambda: [parse_feed(b, u, fast=False) for u, b in bodies])
    timed("feedparser.parse() as a plain loop calls it", lambda: [feedparser.parse(b) for _, b in bodies])
    now = datetime.datetime.now(UTC)
    job = (None, False, None, None)  # the default rules and filter lists, no feed's own rules
    first_url, first_body = bodies[0]
    parse_in_thread(first_body, first_url, {}, now, 1000, job)  # rules and filter lists load once a process
    timed(
        "a parser process's whole job: parse, analyse headline and lead, classify, pickle back",
        lambda: [pickle.dumps(parse_in_thread(b, u, {}, now, 1000, job)) for u, b in bodies],
    )
    with tempfile.TemporaryDirectory() as tmp:
        storage = Storage(Path(tmp) / "library.sqlite3")
        ids = [storage.add_feed(u, "", None, now) for u, _ in bodies]

        def store() -> None:
            for feed_id, feed in zip(ids, parsed, strict=True):  # type: ignore[call-overload]
                store_parsed(storage, feed_id, feed, now)

        timed("storing the parsed stories (SQLite + FTS5)", store)
        storage.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(
        str(datetime.date.today()),
        f"`python bench/parse_speed.py` ({len(files)} feeds, {megabytes:.1f} MB, one core)",
        ["step", "seconds", "MB/s"],
        [(label, f"{seconds:.2f}", f"{rate:.1f}") for label, seconds, rate in rows],
    )


if __name__ == "__main__":
    main()
