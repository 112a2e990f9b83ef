"""Related and sponsored detection beyond the seed, and page analysis speed.

On every page of ../shared/corpus/pages with gold story text (scrapinghub-aeb, newspaper,
readability), each related or sponsored item newsreader finds is checked against the gold text: an
item whose text is part of the story would be story text taken away from the reader (a false
positive) — unless it is a paid link inside a sentence of the story (an affiliate link), which is
listed as sponsored while its words stay in the story: those are counted apart. Other items are
also checked against our own story text (a leak: shown twice). The
postlight-parser pages have no gold text and are only counted. Speed: wall time of
``analyze_page`` per page on one core, median over all pages.

usage: python bench/page_blocks.py [--limit N]
"""

from __future__ import annotations

import argparse
import datetime
import re
import statistics
import time

from harness import print_table
from newsreader.core.pages.analyze import analyze_page
from page_gold import PAGES, _gold

WORD = re.compile(r"\w+", re.UNICODE)
MIN_WORDS = 4
"""Shorter item texts ("More", "Next story") say nothing about where they came from."""


def words(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="pages per corpus (0: all)")
    args = ap.parse_args()
    rows = []
    timings: list[float] = []
    for corpus in ("scrapinghub-aeb", "newspaper", "readability", "postlight-parser"):
        folders = sorted(p for p in (PAGES / corpus).iterdir() if p.is_dir() and (p / "source.html").exists())
        if args.limit:
            folders = folders[: args.limit]
        pages = with_related = with_sponsored = items = checked = in_gold = kept = leaked = 0
        for folder in folders:
            gold = _gold(folder, corpus) if corpus != "postlight-parser" else None
            source = (folder / "source.html").read_bytes()
            started = time.perf_counter()
            analysis = analyze_page(source, gold[1] if gold else None)
            timings.append(time.perf_counter() - started)
            pages += 1
            with_related += bool(analysis.related or analysis.next or analysis.prev)
            with_sponsored += bool(analysis.sponsored)
            texts = [(link.title, False) for link in analysis.related]
            texts += [(item.text, item.placement == "in-story") for item in analysis.sponsored]
            items += len(texts)
            story = words(analysis.story_text)
            gold_words = words(gold[0]) if gold else ""
            for text, in_story in texts:
                normal = words(text)
                if len(normal.split()) < MIN_WORDS:
                    continue
                checked += 1
                if in_story and normal in story:
                    kept += 1  # a paid link in a sentence: listed, and its words stay in the story
                    continue
                leaked += normal in story
                in_gold += bool(gold_words) and normal in gold_words
        rows.append(
            (
                corpus,
                pages,
                with_related,
                with_sponsored,
                items,
                checked,
                kept,
                f"{in_gold} ({100 * in_gold / max(1, checked):.1f} %)" if corpus != "postlight-parser" else "no gold",
                leaked,
            )
        )
    median_ms = statistics.median(timings) * 1000
    print_table(
        str(datetime.date.today()),
        f"`python bench/page_blocks.py` — page analysis median {median_ms:.1f} ms a page on one core "
        f"= {1000 / median_ms:.0f} pages/s ({len(timings)} pages; p90 "
        f"{sorted(timings)[int(len(timings) * 0.9)] * 1000:.0f} ms)",
        [
            "corpus",
            "pages",
            "with related",
            "with sponsored",
            "items found",
            f"items of ≥ {MIN_WORDS} words",
            "of those, in-story paid links (words kept in the story)",
            "others, part of the gold story",
            "also left in our story text",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
