"""The fast path (lxml) must give exactly the stories feedparser gives, wherever it accepts a feed.

Run over every feed file in ../shared/corpus/feeds/ and the shared benchmark corpus. The fast
path may decline any document (feedparser then reads it); it may never disagree.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.core.errors import ParseError
from newsreader.core.parse import parse_feed
from tests.conftest import shared_path

NOW = datetime(2026, 11, 1, tzinfo=UTC)
_HEADER_RE = re.compile(rb"^Header:\s*([A-Za-z-]+):\s*(.+?)\s*$", re.MULTILINE)


def feed_files(root: Path) -> list[Path]:
    skip = {".md", ".tsv", ".opml", ".html", ".htm", ".txt"}
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in skip and p.name != "LICENSE")


def read_feed(path: Path) -> tuple[bytes, dict[str, str]]:
    """The document's bytes, plus the HTTP headers feedparser's test files declare in a comment."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    headers = {m.group(1).decode(): m.group(2).decode("latin-1") for m in _HEADER_RE.finditer(data[:2000])}
    return data, headers


def assert_same(path: Path, data: bytes, headers: dict[str, str]) -> bool:
    url = "http://example.com/feeds/" + path.name
    try:
        fast = parse_feed(data, url, headers, now=NOW)
    except ParseError:
        return False
    if fast.parser != "fast":
        return False
    try:
        reference = parse_feed(data, url, headers, now=NOW, fast=False)
    except ParseError:
        pytest.fail(f"{path}: feedparser rejects a document the fast path accepts")
    assert fast.title == reference.title, path
    assert fast.site_url == reference.site_url, path
    assert len(fast.entries) == len(reference.entries), path
    for mine, theirs in zip(fast.entries, reference.entries, strict=True):
        assert mine == theirs, f"{path}: {mine.key}"
    return True


def test_fast_path_matches_feedparser_on_the_shared_corpus() -> None:
    root = shared_path("corpus", "feeds")
    files = feed_files(root)
    accepted = sum(assert_same(path, *read_feed(path)) for path in files)
    assert len(files) > 2000
    # the fast path must actually be used on real feeds, or it proves nothing
    assert accepted > 400


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    make_corpus = shared_path("bench", "make_corpus.py")
    out = tmp_path_factory.mktemp("bench-corpus")
    subprocess.run(
        [sys.executable, str(make_corpus), "--n", "1000", "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def test_fast_path_matches_feedparser_on_the_bench_corpus(bench_corpus: Path) -> None:
    files = feed_files(bench_corpus / "feeds")
    assert len(files) == 1000
    accepted = sum(assert_same(path, path.read_bytes(), {}) for path in files)
    assert accepted == len(files)
