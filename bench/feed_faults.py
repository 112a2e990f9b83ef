"""How often the faults of issue 13 occur in real feeds, and what newsreader makes of them.

Reads every feed of $NEWSREADER_SHARED/corpus/feeds/real (default ../shared; with --all also the
feedparser conformance files) and counts, per kind:

- identity: entries that share their base key (guid, else link, else content hash) with another,
  different entry of the same document — each was dropped before stories were told apart by what
  the reader sees;
- dates: entry dates given in the document that the date parser cannot read (None), and dates that
  only the fallbacks (dateutil, feedparser, dateparser) read, by the form's shape;
- text: titles, authors and categories that still hold a character reference or an invisible
  character after normalisation (must be 0);
- media: entries with enclosures, and how many of them are in Media RSS / podcast-namespace feeds.

usage: python bench/feed_faults.py [--all]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import re
import sys

from harness import SHARED, print_table
from newsreader.core.errors import ParseError
from newsreader.core.parse import parse_feed, parse_raw
from newsreader.core.parse.dates import _ISO_RE, _RFC822_RE, parse_date

CORPUS = SHARED / "corpus" / "feeds"
DATE_RE = re.compile(rb"<(pubDate|dc:date|published|updated|issued|modified)>\s*([^<]{1,80}?)\s*</\1>")
LEFTOVER_RE = re.compile("&(#\\d+|#x[0-9a-f]+|[a-z]+);|[\u00ad\u200b\u2060\ufeff\u200e\u200f]", re.I)


def shape(text: str) -> str:
    """A date's form with the digits and letters folded: ``Dd, 00 Mmm 0000 00:00:00 CEST``."""
    folded = re.sub(r"\d", "0", text)
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0) if m.group(0).isupper() else "Aa", folded)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="also the feedparser conformance files")
    args = ap.parse_args()
    root = CORPUS if args.all else CORPUS / "real"
    if not root.exists():
        sys.exit(f"{root} is not available")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".md", ".opml", ".html", ".htm"))
    counts: collections.Counter[str] = collections.Counter()
    loose_forms: collections.Counter[str] = collections.Counter()
    unread_forms: collections.Counter[str] = collections.Counter()
    for path in files:
        data = path.read_bytes()
        url = "http://example.com/" + path.name
        try:
            raw = parse_raw(data, url)
            feed = parse_feed(data, url, now=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
        except ParseError:
            continue
        counts["documents"] += 1
        counts["entries"] += len(raw.entries)
        keys = collections.Counter(entry.key for entry in feed.entries)
        counts["entries sharing a base key with another entry"] += sum(n for n in keys.values() if n > 1)
        counts["exact repeats stored once"] += len(raw.entries) - len(feed.entries)
        for entry in feed.entries:
            fields = [entry.title, entry.author or "", *entry.categories]
            counts["plain-text fields with a reference or invisible character"] += sum(
                1 for f in fields if LEFTOVER_RE.search(f)
            )
        with_media = sum(1 for entry in feed.entries if entry.enclosures)
        counts["entries with enclosures"] += with_media
        if b"search.yahoo.com/mrss" in data or b"podcastindex" in data:
            counts["of which in Media RSS / podcast-namespace feeds"] += with_media
        for match in DATE_RE.finditer(data[:2_000_000]):
            text = match.group(2).decode("utf-8", "replace").strip()
            counts["dates"] += 1
            if _ISO_RE.match(text) or _RFC822_RE.match(text):
                continue
            if parse_date(text) is None:
                counts["dates nothing reads"] += 1
                unread_forms[shape(text)] += 1
            else:
                counts["dates read by the fallbacks"] += 1
                loose_forms[shape(text)] += 1
    command = "python bench/feed_faults.py" + (" --all" if args.all else "")
    print_table(
        f"Real-feed faults, {len(files)} files under {root.name}/", command, ["count", "value"], list(counts.items())
    )
    print()
    print_table("Date forms only the fallbacks read", command, ["form", "dates"], loose_forms.most_common(15))
    print()
    print_table("Date forms nothing reads", command, ["form", "dates"], unread_forms.most_common(15))


if __name__ == "__main__":
    main()
