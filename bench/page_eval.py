"""Story, related and sponsored quality on the labelled pages, scored by the shared scorer.

Every page of ../shared/corpus/labelled-pages is analysed in this process (``analyze_page`` with the
shipped filter list, as ``newsreader page FILE --url URL --json`` does) and scored with the matching
functions of ../shared/eval/score_pages.py, so the figures are the scorer's: story recall,
boilerplate leak, related and sponsored precision / recall, per page and macro (mean over the pages
where a figure is defined). ``--by-site`` adds the leave-one-site-out view: the pages grouped by site,
each site's figures computed as if it were the only one, and the spread of the macro figures over
the sites (what a held-out site can expect). The time is the wall time of ``analyze_page`` per page.

Nothing is learned from these pages (no trained weights), so there is nothing to hold out; what
could still be fitted to them are the hand-set thresholds. ``--sensitivity`` re-scores the pages
with each threshold halved and doubled: figures that hold across that range were not tuned to
this set.

The same figures come from the scorer's own command (slower, one process per page):
``python ../shared/eval/score_pages.py --cmd 'newsreader page {html} --url {url} --json'``.

usage: python bench/page_eval.py [--only NAME …] [-v] [--write] [--sensitivity]
  --write   replace the "Labelled pages" section of docs/benchmarks.md with this run's tables
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from harness import REPO, SHARED, machine
from newsreader.cli.output import page_json
from newsreader.core.pages import analyze_page

PAGES = SHARED / "corpus" / "labelled-pages"
SCORER = SHARED / "eval" / "score_pages.py"
COLUMNS = (
    "story_recall",
    "boiler_leak",
    "related_precision",
    "related_recall",
    "sponsored_precision",
    "sponsored_recall",
)
HEADERS = ("story R", "leak", "related P", "related R", "sponsored P", "sponsored R")
REQUIRED = {"story_recall": 0.97, "boiler_leak": 0.03, "related_precision": 0.85, "related_recall": 0.85}
REQUIRED |= {"sponsored_precision": 0.85, "sponsored_recall": 0.85}
SECTION = "### Labelled pages: story, related and sponsored"


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_pages", SCORER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {SCORER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def score_page(scorer: ModuleType, folder: Path) -> dict[str, Any]:
    """One page analysed and scored: the scorer's per-page row plus the time and the details."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    url = labels.get("url") or ""
    source = (folder / "source.html").read_bytes()
    start = time.perf_counter()
    analysis = analyze_page(source, url or None)
    elapsed = (time.perf_counter() - start) * 1000
    out = page_json(analysis)
    story = out["story_text"] or ""
    hits = [s for s in labels["story_text_snippets"] if scorer.contains(story, s)]
    leaks = [s for s in labels["boilerplate_snippets"] if scorer.contains(story, s)]
    r = scorer.match_items(out["related"], labels["related"], labels.get("related_optional", []), "title", url)
    s = scorer.match_items(out["sponsored"], labels["sponsored"], labels.get("sponsored_optional", []), "text", url)
    return {
        "page": folder.name,
        "site": site_of(url),
        "ms": elapsed,
        "story_recall": ratio(len(hits), len(labels["story_text_snippets"])),
        "boiler_leak": ratio(len(leaks), len(labels["boilerplate_snippets"])),
        "related_precision": ratio(r[0], r[1]),
        "related_recall": ratio(r[0], r[2]),
        "sponsored_precision": ratio(s[0], s[1]),
        "sponsored_recall": ratio(s[0], s[2]),
        "story_missed": [x for x in labels["story_text_snippets"] if x not in hits],
        "leaked": leaks,
        "details": [("related", *d) for d in r[3] if d[0] != "TP"] + [("sponsored", *d) for d in s[3] if d[0] != "TP"],
        "reasons": {i["href"]: i.get("reason", "") for i in out["related"] + out["sponsored"]},
    }


THRESHOLDS = (
    ("blocks", "MAX_SCOPE_LINKS"),
    ("blocks", "MAX_SCOPE_TEXT"),
    ("blocks", "CARD_LINKS"),
    ("blocks", "MAX_CLIMB"),
    ("blocks", "MAX_LABEL_CHARS"),
    ("related", "MIN_HEADLINE_WORDS"),
    ("story", "MIN_ARTICLE_TEXT"),
)
"""The hand-set thresholds of page analysis (module of newsreader.core.pages, name)."""


def sensitivity(scorer: ModuleType, folders: list[Path]) -> list[str]:
    """The macro figures with each threshold at half and twice its shipped value."""
    import importlib

    from newsreader.core.pages.blocks import classify_label

    columns = COLUMNS[2:]
    lines = [
        "| threshold | shipped | value | " + " | ".join(HEADERS[2:]) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    for module_name, name in THRESHOLDS:
        module = importlib.import_module(f"newsreader.core.pages.{module_name}")
        shipped = getattr(module, name)
        for value in (max(1, shipped // 2), shipped, shipped * 2):
            setattr(module, name, value)
            classify_label.cache_clear()
            try:
                total = macro([score_page(scorer, folder) for folder in folders])
            finally:
                setattr(module, name, shipped)
                classify_label.cache_clear()
            label = f"{value} (shipped)" if value == shipped else str(value)
            lines.append(f"| {name} | {shipped} | {label} | " + " | ".join(fmt(total[c]) for c in columns) + " |")
    return lines


def site_of(url: str) -> str:
    """The site a page belongs to: its host without ``www.`` and without the first label of hosts
    with more than two (``money.cnn.com`` and ``cnn.com`` are one site; ``bbc.co.uk`` stays whole)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = host.split(".")
    if len(labels) > 2 and len(labels[-1]) > 2 and labels[-2] not in ("co", "com", "org"):
        return ".".join(labels[-2:])
    return host


def macro(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for column in COLUMNS:
        values = [row[column] for row in rows if row[column] is not None]
        result[column] = sum(values) / len(values) if values else None
    return result


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def meets(column: str, value: float | None) -> bool:
    if value is None:
        return True
    return value <= REQUIRED[column] if column == "boiler_leak" else value >= REQUIRED[column]


def tables(rows: list[dict[str, Any]], by_site: bool) -> list[str]:
    lines = ["| page | " + " | ".join(HEADERS) + " | ms |", "|---|" + "---|" * (len(HEADERS) + 1)]
    for row in rows:
        lines.append(f"| {row['page']} | " + " | ".join(fmt(row[c]) for c in COLUMNS) + f" | {row['ms']:.1f} |")
    total = macro(rows)
    timings = [row["ms"] for row in rows]
    lines.append(
        "| **macro** | "
        + " | ".join(f"**{fmt(total[c])}**" for c in COLUMNS)
        + f" | median {statistics.median(timings):.1f} |"
    )
    lines.append("| required | ≥ 0.97 | ≤ 0.03 | ≥ 0.85 | ≥ 0.85 | ≥ 0.85 | ≥ 0.85 | ≤ 30 |")
    lines.append("| met? | " + " | ".join("yes" if meets(c, total[c]) else "**no**" for c in COLUMNS) + " | |")
    if by_site:
        sites: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            sites.setdefault(row["site"], []).append(row)
        per_site = [macro(group) for group in sites.values()]
        lines += ["", f"Per site ({len(sites)} sites, each scored alone): macro over sites, and the worst site", ""]
        lines += ["| | " + " | ".join(HEADERS) + " |", "|---|" + "---|" * len(HEADERS)]
        site_macro = {c: [m[c] for m in per_site if m[c] is not None] for c in COLUMNS}
        lines.append(
            "| mean over sites | "
            + " | ".join(fmt(statistics.mean(v) if v else None) for v in site_macro.values())
            + " |"
        )
        worst = [(max(v) if c == "boiler_leak" else min(v)) if v else None for c, v in site_macro.items()]
        lines.append("| worst site | " + " | ".join(fmt(w) for w in worst) + " |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="page folder names")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    ap.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    ap.add_argument("--json", help="write the per-page rows to this file")
    ap.add_argument("--sensitivity", action="store_true", help="each hand-set threshold halved and doubled")
    args = ap.parse_args()
    if not PAGES.is_dir():
        raise SystemExit(f"{PAGES} is missing: the labelled pages live in the shared folder (NEWSREADER_SHARED)")
    scorer = load_scorer()
    folders = sorted(p for p in PAGES.iterdir() if (p / "labels.json").is_file())
    if args.only:
        folders = [f for f in folders if f.name in set(args.only)]
    rows = [score_page(scorer, folder) for folder in folders]
    if args.verbose:
        for row in rows:
            print(row["page"], " ".join(f"{h}={fmt(row[c])}" for h, c in zip(HEADERS, COLUMNS, strict=True)))
            for text in row["story_missed"]:
                print(f"    story missed: {text[:100]}")
            for text in row["leaked"]:
                print(f"    leaked: {text[:100]}")
            for kind, verdict, text, href in row["details"]:
                reason = row["reasons"].get(href, "") if verdict in ("FP", "opt") else ""
                print(f"    {kind[:3]} {verdict:3} {(text or '')[:60]!r} {(href or '')[:80]} {reason[:60]}")
    command = "python bench/page_eval.py"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = f"{datetime.date.today().isoformat()} · {machine()} · load average {load} (the time column moves with it)"
    lines = [SECTION, "", f"`{command}` · {stamp}", "", *tables(rows, by_site=True)]
    if args.sensitivity:
        lines += ["", "Each hand-set threshold halved and doubled (`--sensitivity`), macro figures:", ""]
        lines += sensitivity(scorer, folders)
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write:
        write_section(REPO / "docs" / "benchmarks.md", lines)


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this benchmark's section (up to the next heading of the same level) or append it."""
    text = path.read_text(encoding="utf-8")
    block = "\n".join(lines) + "\n"
    if SECTION in text:
        head, rest = text.split(SECTION, 1)
        nxt = rest.find("\n### ")
        text = head + block + (rest[nxt + 1 :] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
