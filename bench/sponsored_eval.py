"""Sponsored-item classification quality, on two sets of real feeds.

1. ``shared/corpus/sponsored-feeds/`` (27 feeds, every item labelled sponsored / hard negative /
   uncertain / ordinary), scored exactly as ``shared/eval/score_items.py`` scores
   ``newsreader classify {feed} --json`` (its matching and metrics are imported, not copied), with
   per-file rows, and leave-one-publisher-out figures for the one tuned part: the thresholds of the
   feed-convention learner (chosen on the other publishers, scored on the held-out one).
2. ``shared/corpus/feeds/real/`` (~140 ordinary real feeds; positives listed in
   ``tests/data/sponsored-labels.json``): false positives on everyday feeds.

usage: python bench/sponsored_eval.py [--shared DIR] [--labels FILE] [-v]
       (or NEWSREADER_SHARED=DIR; default ../shared beside the checkout)
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import importlib.util
import itertools
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from newsreader.core.classify import load_rules
from newsreader.core.classify.convention import MIN_FLAGGED, MIN_SHARE, apply_convention
from newsreader.core.classify.document import ItemVerdict, classify_document, link_filter
from newsreader.core.classify.sponsored import StoryFacts, classify, is_episode
from newsreader.core.errors import ParseError
from newsreader.core.models import Verdict
from newsreader.core.parse import parse_raw
from newsreader.core.parse.normalize import normalize_entry

# not from harness: the tests import this module's scoring, and harness wants the bench extras
REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSREADER_SHARED", REPO.parent / "shared"))
LABELS = REPO / "tests" / "data" / "sponsored-labels.json"
GRID = tuple(itertools.product((2, 3, 4), (0.5, 0.67, 0.75, 0.9)))
"""Convention-learner thresholds tried in the leave-one-publisher-out run: (min flagged, min share)."""


def shared_dir(option: str | None = None) -> Path:
    """The shared folder: *option*, else ``NEWSREADER_SHARED``, else ``../shared`` beside the checkout."""
    return Path(option) if option else SHARED


def _scorer(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_items", shared / "eval" / "score_items.py")
    if spec is None or spec.loader is None:
        sys.exit(f"{shared / 'eval' / 'score_items.py'} is not available")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _document_facts(body: bytes) -> tuple[list[Any], list[StoryFacts]]:
    raw = parse_raw(body, "")
    now = datetime.datetime.now(datetime.UTC)
    entries = [(r, normalize_entry(r, "", now)) for r in raw.entries]
    facts = [
        StoryFacts(
            e.title,
            e.link or r.link,
            e.author,
            e.categories,
            e.link_count,
            e.sponsored_link_count,
            e.text,
            is_episode(e.enclosures),
        )
        for r, e in entries
    ]
    return [r for r, _ in entries], facts


def score_labelled(shared: Path, labels_file: Path | None = None) -> dict[str, Any]:
    """Score the labelled set; returns totals, per-file results and the leave-one-publisher-out run."""
    scorer = _scorer(shared)
    folder = shared / "corpus" / "sponsored-feeds"
    labels = scorer.load_labels(str(labels_file or folder / "labels.json"))
    rules = load_rules()
    blocked = link_filter(None)
    per_file: dict[str, tuple[list[Any], list[StoryFacts], list[Verdict]]] = {}
    for name in sorted(labels):
        try:
            raws, facts = _document_facts((folder / name).read_bytes())
        except (OSError, ParseError):
            raws, facts = [], []
        per_file[name] = (raws, facts, [classify(f, rules, link_blocked=blocked) for f in facts])

    def run(names: Sequence[str], min_flagged: int, min_share: float) -> list[dict[str, Any]]:
        results = []
        for name in names:
            raws, facts, base = per_file[name]
            verdicts = apply_convention(facts, base, min_flagged=min_flagged, min_share=min_share)
            preds = [
                {"id": r.guid, "link": f.link, "sponsored": v.sponsored, "reason": v.reason or ""}
                for r, f, v in zip(raws, facts, verdicts, strict=True)
            ]
            results.append(scorer.score_file(name, labels[name], preds))
        return results

    names = sorted(per_file)
    shipped = run(names, MIN_FLAGGED, MIN_SHARE)
    held_out = []
    choices = []
    for name in names:
        others = [n for n in names if n != name]
        best = max(GRID, key=lambda g: (_f1(run(others, *g)), g == (MIN_FLAGGED, MIN_SHARE)))
        choices.append(best)
        held_out.extend(run([name], *best))
    return {"files": shipped, "lopo": held_out, "choices": choices}


def _totals(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    tp = sum(len(r["tp"]) for r in results)
    fp = sum(len(r["fp"]) for r in results)
    fn = sum(len(r["fn"]) for r in results)
    hard = sum(r["hard"] for r in results)
    hard_fp = sum(len(r["hard_fp"]) for r in results)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    flagged = sum(r["predicted_sponsored"] for r in results)
    reasons = sum(r["with_reason"] for r in results)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "p": precision,
        "r": recall,
        "f1": f1,
        "hard": hard,
        "hard_fp": hard_fp,
        "flagged": flagged,
        "reasons": reasons,
        "uncertain": sum(len(r["unc_flagged"]) for r in results),
    }


def _f1(results: Sequence[dict[str, Any]]) -> float:
    return _totals(results)["f1"]


def evaluate(corpus: Path) -> tuple[dict[str, int], list[tuple[str, ItemVerdict, bool]]]:
    """Ordinary real feeds: counts (tp, fp, fn, tn, items, feeds) and the misclassified items."""
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", help="the shared folder (default: $NEWSREADER_SHARED or ../shared)")
    parser.add_argument("--labels", type=Path, help="another labels.json in the scorer's format")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args()
    shared = shared_dir(args.shared)
    if not (shared / "corpus" / "sponsored-feeds").is_dir():
        sys.exit(f"{shared / 'corpus' / 'sponsored-feeds'} is not available")
    from harness import machine

    print(f"{datetime.date.today()} · {machine()}")
    print("`python bench/sponsored_eval.py`")
    print()
    scored = score_labelled(shared, args.labels)
    print("**Labelled real feeds** (`shared/corpus/sponsored-feeds`, scored as `shared/eval/score_items.py`)")
    print()
    print("| file | items | sponsored | TP | FP | FN | hard-negative FP |")
    print("|---|---|---|---|---|---|---|")
    for r in scored["files"]:
        print(
            f"| {r['file']} | {r['items']} | {r['gold']} | {len(r['tp'])} | {len(r['fp'])} | {len(r['fn'])} "
            f"| {len(r['hard_fp'])}/{r['hard']} |"
        )
    print()
    print("| run | precision | recall | F1 | hard-negative FP | uncertain flagged | flags with a reason |")
    print("|---|---|---|---|---|---|---|")
    for label, results in (
        ("shipped rules", scored["files"]),
        ("leave one publisher out (convention thresholds)", scored["lopo"]),
    ):
        t = _totals(results)
        print(
            f"| {label} | {t['p']:.2f} | {t['r']:.2f} | {t['f1']:.2f} | {t['hard_fp']:.0f}/{t['hard']:.0f} "
            f"({t['hard_fp'] / max(t['hard'], 1):.1%}) | {t['uncertain']:.0f} | {t['reasons']:.0f}/{t['flagged']:.0f} |"
        )
    chosen = sorted(set(scored["choices"]))
    print()
    print(f"Thresholds chosen per held-out publisher (min flagged, min share): {chosen}")
    if args.verbose:
        for r in scored["files"]:
            for kind in ("fn", "fp"):
                for _key, title, reason in r[kind]:
                    print(f"- {'missed' if kind == 'fn' else 'wrongly flagged'}: {r['file']}: {title} ({reason})")
    corpus = shared / "corpus" / "feeds" / "real"
    if corpus.is_dir():
        counts, wrong = evaluate(corpus)
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print()
        print("**Ordinary real feeds** (`shared/corpus/feeds/real`, positives in `tests/data/sponsored-labels.json`)")
        print()
        print("| feeds | items | labelled sponsored | flagged | TP | FP | FN | precision | recall |")
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
