"""What a change to the rules or the analysers changes on all the shared data, verdict by verdict.

``dump`` records, for the code it runs with (the checkout, or another one on ``PYTHONPATH``):

- the sponsored verdict of every entry of ``shared/corpus/feeds`` and ``shared/corpus/sponsored-feeds``;
- the sponsored verdict of every page of ``shared/corpus/pages`` and ``shared/corpus/labelled-pages``
  read as an item (its title, and its whole visible text as the body);
- the related and sponsored lists ``analyze_page`` gives for each of those pages;
- the language told for each feed entry and page, and each feed entry's same-story terms.

``compare`` prints how many of each changed, and which. To measure a change against an earlier
commit::

    git worktree add /tmp/base REV
    PYTHONPATH=/tmp/base/src python bench/verdict_diff.py dump /tmp/old.json
    python bench/verdict_diff.py dump /tmp/new.json
    python bench/verdict_diff.py compare /tmp/old.json /tmp/new.json

usage: python bench/verdict_diff.py dump OUT | compare OLD NEW [--shared DIR]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import SHARED


def _feed_entries(shared: Path) -> list[tuple[str, Any]]:
    from newsreader.core.errors import NewsreaderError
    from newsreader.core.parse import parse_feed

    now = datetime.now(UTC)
    found = []
    for root in (shared / "corpus" / "feeds", shared / "corpus" / "sponsored-feeds"):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                parsed = parse_feed(path.read_bytes(), "http://feed.example/", {}, now=now)
            except NewsreaderError:
                continue
            name = str(path.relative_to(shared / "corpus"))
            found += [(f"{name}#{n}", entry) for n, entry in enumerate(parsed.entries)]
    return found


def _pages(shared: Path) -> list[Path]:
    corpus = shared / "corpus"
    return sorted([*corpus.glob("pages/*/*/source.html"), *corpus.glob("labelled-pages/*/*.html")])


def dump(shared: Path, out: Path) -> None:
    """Write every verdict, list and language of the code this runs with to *out* (JSON)."""
    from lxml import html

    from newsreader.core.classify import StoryFacts, classify, load_rules
    from newsreader.core.classify.sponsored import facts_of
    from newsreader.core.pages.analyze import analyze_page
    from newsreader.core.related.same_story import analyse_story, key_terms, lead_of
    from newsreader.core.related.terms import detect_language

    rules = load_rules()
    items: dict[str, Any] = {}
    languages: dict[str, Any] = {}
    terms: dict[str, Any] = {}
    for key, entry in _feed_entries(shared):
        items[key] = classify(facts_of(entry), rules).reason
        languages[key] = detect_language(f"{entry.title} {lead_of(entry.text)}")
        analysed = analyse_story(entry.title, entry.text)
        terms[key] = [sorted(analysed.title), sorted(analysed.text), sorted(analysed.names), key_terms(analysed)]
    pages: dict[str, Any] = {}
    for path in _pages(shared):
        key = str(path.relative_to(shared / "corpus"))
        data = path.read_bytes()
        try:
            document = html.fromstring(data)
        except (ValueError, html.etree.ParserError):
            continue
        title = (document.findtext(".//title") or "").strip()
        for dropped in document.xpath("//script|//style"):
            dropped.drop_tree()
        body = " ".join(document.text_content().split())
        items[key] = classify(StoryFacts(title, None, None, (), text=body[:20_000]), rules).reason
        paragraphs = " ".join(" ".join(p.text_content().split()) for p in document.iter("p"))
        languages[key] = detect_language(f"{title} {paragraphs[:600]}")
        analysis = analyze_page(data, "https://www.example.com/news/2020/01/01/a-story.html")
        pages[key] = {
            "related": sorted([r.title, r.href] for r in analysis.related),
            "sponsored": sorted([s.text, s.href] for s in analysis.sponsored),
        }
    out.write_text(
        json.dumps({"items": items, "pages": pages, "languages": languages, "terms": terms}, ensure_ascii=False)
    )


def compare(old_path: Path, new_path: Path) -> None:
    """Print what changed from the dump *old_path* to *new_path*."""
    old, new = json.loads(old_path.read_text()), json.loads(new_path.read_text())
    items = [k for k in new["items"] if k in old["items"] and bool(old["items"][k]) != bool(new["items"][k])]
    print(f"sponsored verdicts: {len(items)} of {len(new['items'])} changed")
    for key in items:
        print(f"  {key}: {old['items'][key]!r} -> {new['items'][key]!r}")
    changed: Counter[str] = Counter()
    for key, lists in new["pages"].items():
        before = old["pages"].get(key)
        for part in ("related", "sponsored"):
            if before is None or before[part] == lists[part]:
                continue
            changed[part] += 1
            added = [x for x in lists[part] if x not in before[part]]
            removed = [x for x in before[part] if x not in lists[part]]
            print(
                f"  {key} {part}: +{len(added)} {[a[0][:40] for a in added[:4]]} -{len(removed)} "
                f"{[r[0][:40] for r in removed[:4]]}"
            )
    print(
        f"pages: {len(new['pages'])}; related lists changed {changed['related']}, "
        f"sponsored lists {changed['sponsored']}"
    )
    terms = [k for k in new["terms"] if old["terms"].get(k) != new["terms"][k]]
    print(f"same-story terms: {len(terms)} of {len(new['terms'])} feed entries changed")
    for key in terms[:20]:
        print(f"  {key}: {new['languages'][key]}")
    languages = [k for k in new["languages"] if old["languages"].get(k) != new["languages"][k]]
    print(f"languages: {len(languages)} of {len(new['languages'])} changed")
    for key in languages:
        print(f"  {key}: {old['languages'].get(key)} -> {new['languages'][key]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("dump", "compare"))
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.shared, args.files[0])
    else:
        compare(args.files[0], args.files[1])


if __name__ == "__main__":
    main()
