"""Sponsored-item classification quality on the real feeds of ../shared/corpus/feeds/real.

Labels: tests/data/sponsored-labels.json (positives listed by file and title; everything else is
labelled not sponsored). Prints precision and recall, and every false positive and negative.

usage: python bench/sponsored_eval.py
"""

from __future__ import annotations

import datetime
import gzip
import json
import sys
from pathlib import Path

from harness import REPO, SHARED, machine
from newsreader.core.classify import load_rules
from newsreader.core.classify.document import ItemVerdict, classify_document
from newsreader.core.errors import ParseError

CORPUS = SHARED / "corpus" / "feeds" / "real"
LABELS = REPO / "tests" / "data" / "sponsored-labels.json"


def evaluate(corpus: Path = CORPUS) -> tuple[dict[str, int], list[tuple[str, ItemVerdict, bool]]]:
    """Counts (tp, fp, fn, tn, items, feeds) and the misclassified items."""
    labels = json.loads(LABELS.read_text())
    positives = {(p["file"], p["title"]) for p in labels["positives"]}
    rules = load_rules()
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "items": 0, "feeds": 0}
    wrong: list[tuple[str, ItemVerdict, bool]] = []
    skip = {".md", ".tsv", ".opml", ".html", ".htm"}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix not in skip and p.name != "LICENSE"):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        try:
            items = classify_document(data, rules)
        except ParseError:
            continue
        counts["feeds"] += 1
        rel = str(path.relative_to(corpus))
        for item in items:
            counts["items"] += 1
            truth = (rel, item.title) in positives
            said = item.verdict.sponsored
            key = ("t" if truth == said else "f") + ("p" if said else "n")
            counts[key] += 1
            if truth != said:
                wrong.append((rel, item, truth))
    return counts, wrong


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is not available")
    counts, wrong = evaluate()
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"{datetime.date.today()} · {machine()}")
    print("`python bench/sponsored_eval.py`")
    print()
    print(
        "| feeds | items | labelled sponsored | flagged | true positives | false positives | false negatives "
        "| precision | recall |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {counts['feeds']} | {counts['items']} | {tp + fn} | {tp + fp} | {tp} | {fp} | {fn} | "
        f"{precision:.2f} | {recall:.2f} |"
    )
    for rel, item, truth in wrong:
        kind = "missed" if truth else "wrongly flagged"
        print(f"- {kind}: {rel}: {item.title} ({item.verdict.reason or 'no reason'})")


if __name__ == "__main__":
    main()
