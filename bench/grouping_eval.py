"""Same-story grouping quality: pairwise precision and recall on labelled pairs of real stories.

The pairs come from the real feeds of ``shared/corpus/feeds/real`` (``--shared DIR`` or
``NEWSREADER_SHARED`` for another shared folder), in two sets, each pair recorded with its source
in ``tests/data/same-story-pairs.json`` (``--write`` remakes that file):

- **natural**: pairs of different items that report one event, or that share a subject, a name or a
  kind of event without being one event — read and labelled by hand
  (``tests/data/same-story-natural.json`` says how they were chosen);
- **rewritten**: every item of the news feeds listed below whose lead opens with a sentence of at
  least 8 words gives a *same* pair — its headline alone (as from a feed without descriptions)
  against its lead's first three sentences (the first as the headline), two wordings of one event
  (the editor's and the reporter's) — and a *near-miss* pair: its headline against the opening
  sentences of the item of the same feed, within 3 days, that shares the most names with it (no
  pair when none shares a name).

The natural pairs come in tranches, each labelled before the method was run on it; the rows say
which tranches were read to find kinds of mistakes and which is held out. Two more figures: the
threshold chosen on one half of the sources (alternately split) and scored on the other, and every
pair of the week of news pages (their groups in ``tests/data/same-story-events.json`` are the only
same-event pairs among them; needs ``shared/corpus/pages``).

A pair is predicted *same* as grouping decides it: the two share enough key terms for the index to
find one from the other, and ``same_story.compare`` scores them at or above the threshold (language
and the time window are part of it). The threshold is reported as
shipped and chosen with each source feed held out (chosen on the others, scored on it).

usage: python bench/grouping_eval.py [--shared DIR] [--write] [-v]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness import REPO, SHARED, machine
from newsreader.core.errors import ParseError
from newsreader.core.parse import parse_feed
from newsreader.core.related import same_story
from newsreader.core.related.same_story import compare, key_terms, story_terms

NATURAL = REPO / "tests" / "data" / "same-story-natural.json"
EVENTS = REPO / "tests" / "data" / "same-story-events.json"
PAIRS = REPO / "tests" / "data" / "same-story-pairs.json"
NEWS_FEEDS = (
    "rss-parser/guardian.rss",
    "node-feedparser/tpm.atom",
    "feedjira/TechCrunch.xml",
    "rsparser/pxlnv.json",
    "rsparser/OneFootTsunami.atom",
    "laminas-feed/h-online.com-atom10.xml",
    "rss-parser/customfields.rss",
    "rsparser/livemint.xml",
    "feedjira/google_alerts_atom.xml",
    "laminas-feed/laut.de-rdf.xml",
    "rss-parser/heise.atom",
    "miniflux/encoding_ISO-8859-1.xml",
    "rss-parser/itunes-href.rss",
    "rss-parser/encoding.rss",
    "miniflux/no_encoding_ISO-8859-1.xml",
    "rsparser/aktuality.rss",
    "rsparser/phpxml.rss",
)
"""The news feeds of the real corpus (headline + news lead) the rewritten set is made from."""
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")
_NAME = re.compile(r"\b[A-ZÀ-Ý][\w'’-]+")
GRID = [round(0.2 + i * 0.01, 2) for i in range(61)]


def shared_dir(option: str | None = None) -> Path:
    """The shared folder: *option*, else ``NEWSREADER_SHARED``, else ``../shared`` beside the checkout."""
    return Path(option) if option else SHARED


def _items(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        feed = parse_feed(data, "http://127.0.0.1/", {}, now=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    except ParseError:
        return []
    return [
        {"key": e.key, "title": e.title, "text": e.text, "day": e.published.date().isoformat() if e.published else None}
        for e in feed.entries
    ]


def _opening(text: str) -> tuple[str, str] | None:
    """The lead's first sentence (8 words or more) and its first three sentences."""
    sentences = [m.group(1).strip() for m in _SENTENCE.finditer(text.strip()[:1500])][:3]
    if not sentences or len(sentences[0].split()) < 8:
        return None
    return sentences[0], " ".join(sentences)


def _days_apart(a: str | None, b: str | None) -> int:
    if not a or not b:
        return 0
    return abs((datetime.date.fromisoformat(a) - datetime.date.fromisoformat(b)).days)


_SITE_SUFFIX = re.compile(r"\s+(?:[-|–—]|::)\s+[^-|–—]{1,60}$")


def _page_story(folder: Path) -> dict[str, Any]:
    html = (folder / "source.html").read_text("utf-8", errors="replace")
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    import html as html_module

    title = html_module.unescape(" ".join((match.group(1) if match else "").split()))
    while _SITE_SUFFIX.search(title) and len(_SITE_SUFFIX.sub("", title).split()) >= 4:
        title = _SITE_SUFFIX.sub("", title)
    body = json.loads((folder / "ground-truth.json").read_text())["articleBody"]
    return {"key": folder.name[:10], "title": title, "text": " ".join(body.split()[:60]), "day": None}


def _event_pairs(shared: Path) -> list[dict[str, Any]]:
    pages = shared / "corpus" / "pages" / "scrapinghub-aeb"
    labels = json.loads(EVENTS.read_text())
    folders = {p.name[:10]: p for p in pages.iterdir() if p.is_dir()}
    stories = {key: _page_story(folder) for key, folder in folders.items()}
    pairs = []
    for group in labels["same_groups"]:
        ids = group["ids"]
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.append(
                    {
                        "set": "events",
                        "file": f"pages/scrapinghub-aeb/{a}",
                        "label": "same",
                        "how": f"hand-labelled event: {group['event']}",
                        "a": stories[a],
                        "b": stories[b],
                    }
                )
    for a, b, note in labels["different"]:
        pairs.append(
            {
                "set": "events",
                "file": f"pages/scrapinghub-aeb/{a}",
                "label": "different",
                "how": f"hand-labelled near miss: {note}",
                "a": stories[a],
                "b": stories[b],
            }
        )
    return pairs


def make_pairs(shared: Path) -> list[dict[str, Any]]:
    """The labelled pairs, each with its source and texts (see the module's docstring)."""
    corpus = shared / "corpus" / "feeds" / "real"
    natural = json.loads(NATURAL.read_text())["pairs"]
    files = sorted({*NEWS_FEEDS, *(p["file"] for p in natural)})
    items = {name: _items(corpus / name) for name in files}
    pairs: list[dict[str, Any]] = []
    same_titles = set()
    for p in natural:
        by_title = {i["title"]: i for i in items[p["file"]]}
        a, b = by_title.get(p["a"]), by_title.get(p["b"])
        if a is None or b is None:
            sys.exit(f"{p['file']}: a labelled title is not in the feed ({p['a']!r} / {p['b']!r})")
        if p["label"] == "same":
            same_titles.add((p["a"], p["b"]))
            same_titles.add((p["b"], p["a"]))
        pairs.append(
            {
                "set": "natural",
                "tranche": p.get("tranche", 1),
                "file": p["file"],
                "label": p["label"],
                "how": f"hand-labelled: {p['note']}",
                "a": {"key": a["key"], "title": a["title"], "text": a["text"][:1500], "day": a["day"]},
                "b": {"key": b["key"], "title": b["title"], "text": b["text"][:1500], "day": b["day"]},
            }
        )
    for name in NEWS_FEEDS:
        feed = items[name]
        openings = {i["key"]: _opening(i["text"]) for i in feed}
        for item in feed:
            opening = openings[item["key"]]
            if opening is None or opening[0] == item["title"].strip():
                continue
            pairs.append(
                {
                    "set": "rewritten",
                    "file": name,
                    "label": "same",
                    "how": "headline alone against the opening sentences of its own lead",
                    "a": {"key": item["key"], "title": item["title"], "text": "", "day": item["day"]},
                    "b": {"key": item["key"], "title": opening[0], "text": opening[1], "day": item["day"]},
                }
            )
            names = set(_NAME.findall(item["title"])[1:]) | {w for w in _NAME.findall(item["title"]) if w.isupper()}
            best, best_shared = None, 0
            for other in feed:
                other_opening = openings[other["key"]]
                if other is item or other_opening is None or _days_apart(item["day"], other["day"]) > 3:
                    continue
                if (item["title"], other["title"]) in same_titles:
                    continue
                count = len(names & set(_NAME.findall(other_opening[1])))
                if count > best_shared:
                    best, best_shared = other, count
            if best is not None:
                pairs.append(
                    {
                        "set": "rewritten",
                        "file": name,
                        "label": "different",
                        "how": f"near miss: headline against another story's opening sentences sharing {best_shared} "
                        "name(s)",
                        "a": {"key": item["key"], "title": item["title"], "text": "", "day": item["day"]},
                        "b": {
                            "key": best["key"],
                            "title": openings[best["key"]][0],  # type: ignore[index]
                            "text": openings[best["key"]][1],  # type: ignore[index]
                            "day": best["day"],
                        },
                    }
                )
    return _event_pairs(shared) + pairs


def _scores(pairs: list[dict[str, Any]]) -> list[float]:
    scores = []
    for p in pairs:
        if _days_apart(p["a"]["day"], p["b"]["day"]) > same_story.WINDOW_DAYS:
            scores.append(0.0)
            continue
        a = story_terms(p["a"]["title"], p["a"]["text"])
        b = story_terms(p["b"]["title"], p["b"]["text"])
        # grouping only compares stories its index finds: those sharing enough key terms
        found = len(set(key_terms(a)) & set(key_terms(b))) >= same_story.MIN_SHARED_KEYS
        scores.append(compare(a, b).score if found else 0.0)
    return scores


def _counts(pairs: list[dict[str, Any]], scores: list[float], threshold: float) -> tuple[int, int, int, int]:
    tp = fp = fn = tn = 0
    for p, s in zip(pairs, scores, strict=True):
        said, truth = s >= threshold, p["label"] == "same"
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
        tn += not said and not truth
    return tp, fp, fn, tn


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _best_threshold(pairs: list[dict[str, Any]], scores: list[float]) -> float:
    def key(t: float) -> tuple[bool, float, float]:
        p, _, f1 = _pr(*_counts(pairs, scores, t)[:3])
        return (p >= 0.9, f1, -abs(t - same_story.THRESHOLD))

    return max(GRID, key=key)


def evaluate(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per set at the shipped threshold, and the pooled held-out-feed run."""
    scores = _scores(pairs)
    result: dict[str, Any] = {"rows": []}
    labelled = [i for i, p in enumerate(pairs) if p["set"] != "rewritten"]
    for label, chosen in (
        ("events (news pages, one week, many outlets)", [i for i, p in enumerate(pairs) if p["set"] == "events"]),
        ("natural (real feeds), tranche 1", _natural(pairs, 1)),
        ("natural, tranche 2 (series and templates; read for kinds of mistakes)", _natural(pairs, 2)),
        ("natural, tranche 3 (series and templates; read for kinds of mistakes after tranche 2's)", _natural(pairs, 3)),
        ("natural, tranche 4 (labelled before the last rules, then read for its mistakes)", _natural(pairs, 4)),
        (
            "natural, tranche 5 (held out: labelled after the rules were written, never used to change them)",
            _natural(pairs, 5),
        ),
        (
            "**news pairs (events + natural tranche 1)**",
            [i for i, p in enumerate(pairs) if p["set"] == "events"] + _natural(pairs, 1),
        ),
        ("labelled pairs (events + every natural tranche)", labelled),
        ("stress: headline alone vs its own lead", [i for i, p in enumerate(pairs) if p["set"] == "rewritten"]),
    ):
        sub = [pairs[i] for i in chosen]
        sub_scores = [scores[i] for i in chosen]
        result["rows"].append((label, sub, _counts(sub, sub_scores, same_story.THRESHOLD)))
    # held out: each source feed (natural), or each same-event group with its near misses (events)
    by_file: dict[str, list[int]] = defaultdict(list)
    for i in labelled:
        p = pairs[i]
        source = (
            p["file"] if p["set"] == "natural" else "events:" + (p["how"] if p["label"] == "same" else p["a"]["key"])
        )
        by_file[source].append(i)
    held = [0, 0, 0, 0]
    chosen_thresholds = []
    for indices in by_file.values():
        rest = [i for i in labelled if i not in set(indices)]
        threshold = _best_threshold([pairs[i] for i in rest], [scores[i] for i in rest])
        chosen_thresholds.append(threshold)
        counts = _counts([pairs[i] for i in indices], [scores[i] for i in indices], threshold)
        held = [h + c for h, c in zip(held, counts, strict=True)]
    result["held_out"] = tuple(held)
    result["thresholds"] = (min(chosen_thresholds), max(chosen_thresholds))
    # two halves by source: the threshold chosen on one half, scored on the other
    halves: list[list[int]] = [[], []]
    for n, source in enumerate(sorted(by_file)):
        halves[n % 2].extend(by_file[source])
    result["halves"] = []
    for tune, test in ((halves[0], halves[1]), (halves[1], halves[0])):
        threshold = _best_threshold([pairs[i] for i in tune], [scores[i] for i in tune])
        result["halves"].append(
            (threshold, _counts([pairs[i] for i in test], [scores[i] for i in test], threshold), len(test))
        )
    result["scores"] = scores
    return result


def _natural(pairs: list[dict[str, Any]], tranche: int) -> list[int]:
    return [i for i, p in enumerate(pairs) if p["set"] == "natural" and p.get("tranche", 1) == tranche]


def week_counts(shared: Path) -> tuple[int, int, int, int, int] | None:
    """(pairs, TP, FP, FN, TN) over every pair of the week of news pages: the events file's groups
    are the only same-event pairs among them (every page was read), so each other pair is a
    different-event pair. None when the pages are not there."""
    pages = shared / "corpus" / "pages" / "scrapinghub-aeb"
    if not pages.is_dir():
        return None
    labels = json.loads(EVENTS.read_text())
    same = {frozenset((a, b)) for g in labels["same_groups"] for a in g["ids"] for b in g["ids"] if a != b}
    stories = {p.name[:10]: _page_story(p) for p in sorted(pages.iterdir()) if p.is_dir()}
    terms = {k: story_terms(v["title"], v["text"]) for k, v in stories.items()}
    keys = {k: set(key_terms(t)) for k, t in terms.items()}
    tp = fp = fn = tn = 0
    ids = sorted(stories)
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            found = len(keys[a] & keys[b]) >= same_story.MIN_SHARED_KEYS
            said = found and compare(terms[a], terms[b]).same
            truth = frozenset((a, b)) in same
            tp += said and truth
            fp += said and not truth
            fn += truth and not said
            tn += not said and not truth
    return len(ids) * (len(ids) - 1) // 2, tp, fp, fn, tn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", help="the shared folder (default: $NEWSREADER_SHARED or ../shared)")
    parser.add_argument("--write", action="store_true", help=f"remake {PAIRS.relative_to(REPO)} from the feeds")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args()
    if args.write:
        shared = shared_dir(args.shared)
        if not (shared / "corpus" / "feeds" / "real").is_dir():
            sys.exit(f"{shared / 'corpus' / 'feeds' / 'real'} is not available")
        pairs = make_pairs(shared)
        PAIRS.write_text(
            json.dumps({"about": __doc__.split("usage:")[0].strip(), "pairs": pairs}, ensure_ascii=False, indent=1)
            + "\n"
        )
    pairs = json.loads(PAIRS.read_text())["pairs"]
    result = evaluate(pairs)
    print(f"{datetime.date.today()} · {machine()}")
    print("`python bench/grouping_eval.py`")
    print()
    print("| pairs | same | near miss | TP | FP | FN | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, sub, (tp, fp, fn, _tn) in result["rows"]:
        p, r, f1 = _pr(tp, fp, fn)
        same = sum(x["label"] == "same" for x in sub)
        print(f"| {label} | {same} | {len(sub) - same} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f1:.2f} |")
    tp, fp, fn, tn = result["held_out"]
    p, r, f1 = _pr(tp, fp, fn)
    low, high = result["thresholds"]
    print(
        f"| labelled pairs, threshold chosen with each source held out ({low:.2f}–{high:.2f}) | {tp + fn} | {fp + tn} "
        f"| {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f1:.2f} |"
    )
    for n, (threshold, (tp, fp, fn, tn), _size) in enumerate(result["halves"]):
        p, r, f1 = _pr(tp, fp, fn)
        print(
            f"| labelled half {'BA'[n]} (sources alternately split), threshold {threshold:.2f} chosen on half "
            f"{'AB'[n]} | {tp + fn} | {fp + tn} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f1:.2f} |"
        )
    week = week_counts(shared_dir(args.shared))
    if week is not None:
        total, tp, fp, fn, tn = week
        p, r, f1 = _pr(tp, fp, fn)
        print(
            f"| every pair of the week's {total:,} news-page pairs (all read; only the events' groups are one event) "
            f"| {tp + fn} | {fp + tn} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} | {f1:.2f} |"
        )
    print()
    print(f"Shipped threshold {same_story.THRESHOLD}; {len({p['file'] for p in pairs})} source feeds.")
    if args.verbose:
        for pair, score in zip(pairs, result["scores"], strict=True):
            said = score >= same_story.THRESHOLD
            if said != (pair["label"] == "same"):
                kind = "missed" if not said else "wrongly grouped"
                print(
                    f"- {kind} ({score:.2f}, {pair['set']}, {pair['file']}): "
                    f"{pair['a']['title']!r} / {pair['b']['title']!r}"
                )


if __name__ == "__main__":
    main()
