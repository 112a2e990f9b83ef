"""Story extraction against gold article text: token precision, recall and F1 per corpus.

Corpora of ../shared/corpus/pages with gold text: scrapinghub-aeb (articleBody), newspaper
(expected.txt), readability (expected.html). Each extractor's story text is compared with the gold
text as bags of words (lower case); scores are averaged over pages. Peers run when installed.

usage: python bench/page_gold.py [--limit N]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html

from harness import SHARED, print_table, require_extras
from page_quality import _newsreader, _readability, _trafilatura

PAGES = SHARED / "corpus" / "pages"
WORD = re.compile(r"\w+", re.UNICODE)


def _gold(folder: Path, corpus: str) -> tuple[str, str | None] | None:
    if corpus == "scrapinghub-aeb":
        path = folder / "ground-truth.json"
        if not path.exists():
            return None
        return json.loads(path.read_text()).get("articleBody") or "", None
    if corpus == "newspaper":
        path = folder / "expected.txt"
        meta = folder / "metadata.json"
        url = json.loads(meta.read_text()).get("url") if meta.exists() else None
        return (path.read_text(errors="replace"), url) if path.exists() else None
    if corpus == "readability":
        path = folder / "expected.html"
        if not path.exists():
            return None
        return lxml_html.fromstring(path.read_bytes()).text_content(), None
    return None


def _scores(got: str, gold: str) -> tuple[float, float, float]:
    a, b = Counter(WORD.findall(got.lower())), Counter(WORD.findall(gold.lower()))
    overlap = sum((a & b).values())
    precision = overlap / max(1, sum(a.values()))
    recall = overlap / max(1, sum(b.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    require_extras("readability")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="pages per corpus (0: all)")
    args = ap.parse_args()
    extractors: dict[str, Callable[[bytes, str | None], str]] = {"newsreader": _newsreader}
    for name, module, function in (
        ("trafilatura", "trafilatura", _trafilatura),
        ("readability-lxml", "readability", _readability),
    ):
        if importlib.util.find_spec(module) is not None:
            extractors[name] = function
    rows = []
    for corpus in ("scrapinghub-aeb", "newspaper", "readability"):
        folders = sorted(p for p in (PAGES / corpus).iterdir() if p.is_dir())
        if args.limit:
            folders = folders[: args.limit]
        cases = [(f, g) for f in folders if (g := _gold(f, corpus)) is not None and g[0].strip()]
        for name, extract in extractors.items():
            totals = [0.0, 0.0, 0.0]
            for folder, (gold, url) in cases:
                try:
                    got = extract((folder / "source.html").read_bytes(), url)
                except Exception:  # a peer that crashes on a page scores zero on it
                    got = ""
                for i, value in enumerate(_scores(got, gold)):
                    totals[i] += value
            n = max(1, len(cases))
            rows.append((corpus, len(cases), name, *(f"{t / n:.3f}" for t in totals)))
    print_table(
        str(datetime.date.today()),
        "`python bench/page_gold.py`",
        ["corpus", "pages", "extractor", "precision", "recall", "F1"],
        rows,
    )


if __name__ == "__main__":
    main()
