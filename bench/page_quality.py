"""Story extraction on the trafilatura evaluation pages: snippets that must / must not be in the story.

Compares newsreader's analyser with the extractors it could adopt, on the same pages, when they are
installed (`pip install trafilatura readability-lxml`).

usage: python bench/page_quality.py   (reads ../shared/corpus/pages/trafilatura)
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import time
from collections.abc import Callable

from harness import SHARED, median, print_table, require_extras
from newsreader.core.pages import analyze_page
from newsreader.core.parse.sanitize import collapse_space

ROOT = SHARED / "corpus" / "pages" / "trafilatura"


def _newsreader(html: bytes, url: str | None) -> str:
    return analyze_page(html, url).story_text


def _trafilatura(html: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html.decode("utf-8", "replace"), url=url) or ""


def _readability(html: bytes, url: str | None) -> str:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(html.decode("utf-8", "replace"), url=url).summary(html_partial=True)
    return lxml_html.fromstring(summary).text_content() if summary.strip() else ""


def evaluate(extract: Callable[[bytes, str | None], str]) -> tuple[int, int, int, int, float]:
    """(must-contain found, of, must-not-contain kept out, of, median ms) over the pages."""
    found = wanted = kept_out = unwanted = 0
    timings = []
    for folder in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        notes = json.loads((folder / "annotations.json").read_text())
        source = (folder / "source.html").read_bytes()
        start = time.perf_counter()
        try:
            story = collapse_space(extract(source, notes.get("url")))
        except Exception:  # a peer that crashes on a page scores nothing on it
            story = ""
        timings.append((time.perf_counter() - start) * 1000)
        wanted += len(notes.get("with", []))
        found += sum(collapse_space(s) in story for s in notes.get("with", []))
        unwanted += len(notes.get("without", []))
        kept_out += sum(collapse_space(s) not in story for s in notes.get("without", []))
    return found, wanted, kept_out, unwanted, median(timings)


def main() -> None:
    require_extras("readability")
    extractors: dict[str, Callable[[bytes, str | None], str]] = {"newsreader (core/pages)": _newsreader}
    for name, module, function in (
        ("trafilatura", "trafilatura", _trafilatura),
        ("readability-lxml", "readability", _readability),
    ):
        if importlib.util.find_spec(module) is not None:
            extractors[name] = function
    pages = sum(1 for p in ROOT.iterdir() if p.is_dir())
    rows = []
    for name, extract in extractors.items():
        found, wanted, kept_out, unwanted, ms = evaluate(extract)
        rows.append(
            (
                name,
                f"{found}/{wanted} ({found / max(1, wanted):.0%})",
                f"{kept_out}/{unwanted} ({kept_out / max(1, unwanted):.0%})",
                f"{ms:.1f}",
            )
        )
    print_table(
        str(datetime.date.today()),
        f"`python bench/page_quality.py` ({pages} pages)",
        ["extractor", "must-contain found", "must-not-contain kept out", "median ms per page"],
        rows,
    )


if __name__ == "__main__":
    main()
