"""Story extraction on the trafilatura evaluation pages: snippets that must / must not be in the story.

usage: python bench/page_quality.py   (reads ../shared/corpus/pages/trafilatura)
"""

from __future__ import annotations

import datetime
import json
import time

from harness import REPO, machine, median
from newsreader.core.pages import analyze_page
from newsreader.core.parse.sanitize import collapse_space

ROOT = REPO.parent / "shared" / "corpus" / "pages" / "trafilatura"


def main() -> None:
    found = missed = leaked = kept_out = pages = 0
    timings = []
    for folder in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        notes = json.loads((folder / "annotations.json").read_text())
        source = (folder / "source.html").read_bytes()
        start = time.perf_counter()
        story = collapse_space(analyze_page(source, notes.get("url")).story_text)
        timings.append((time.perf_counter() - start) * 1000)
        pages += 1
        for snippet in notes.get("with", []):
            hit = collapse_space(snippet) in story
            found += hit
            missed += not hit
        for snippet in notes.get("without", []):
            hit = collapse_space(snippet) in story
            leaked += hit
            kept_out += not hit
    print(f"{datetime.date.today()} · {machine()}")
    print(f"`python bench/page_quality.py` ({pages} pages)")
    print()
    print("| must-contain found | must-not-contain kept out | median ms per page |")
    print("|---|---|---|")
    print(
        f"| {found}/{found + missed} ({found / max(1, found + missed):.0%}) | "
        f"{kept_out}/{kept_out + leaked} ({kept_out / max(1, kept_out + leaked):.0%}) | {median(timings):.1f} |"
    )


if __name__ == "__main__":
    main()
