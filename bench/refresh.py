"""Refresh speed and memory: newsreader against Newsboat, ``reader`` and the plain-HTTP floor.

Same corpus, same loopback server, same run. Cold = first fetch into an empty cache; warm = every
feed answers 304. Prints a Markdown table with ratios (newsreader / peer) for docs/benchmarks.md.

usage: python bench/refresh.py [--feeds 1000] [--latency-ms 50] [--workers 16] [--rounds 1]
                               [--skip newsboat,reader] [--only newsreader,default]

``newsreader`` is the feeds-only refresh (``--no-pages``), like the peers; ``newsreader default``
the refresh users run (article pages, images and icons too).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from harness import Measurement, ensure_corpus, feed_server, machine, median, require_extras, run_measured

HERE = Path(__file__).resolve().parent


def newsreader(urls: list[str], work: Path, workers: int | None) -> dict[str, Measurement]:
    """newsreader at its defaults (48 concurrent requests, at most 4 per host)."""
    data = work / "newsreader"
    opml = work / "feeds.opml"
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{u}"/>\n' for u in urls)
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>\n{outlines}</body></opml>\n')
    cli = [sys.executable, "-m", "newsreader", "--data-dir", str(data)]
    run_measured([*cli, "import", str(opml)])
    # feeds only, like the peers: no article pages
    refresh = [*cli, "refresh", "--no-pages"] + (["--workers", str(workers)] if workers else [])
    cold = run_measured(refresh)
    stories = sqlite3.connect(data / "library.sqlite3").execute("SELECT count(*) FROM stories").fetchone()[0]
    warm = run_measured(refresh)
    print(f"  newsreader stored {stories} stories", file=sys.stderr)
    return {"cold": cold, "warm": warm}


def newsboat(urls: list[str], work: Path, workers: int) -> dict[str, Measurement]:
    home = work / "newsboat"
    home.mkdir()
    (home / "urls").write_text("\n".join(urls) + "\n")
    (home / "config").write_text(f"reload-threads {workers}\nshow-read-feeds yes\n")
    argv = [
        "newsboat",
        "-x",
        "reload",
        "-u",
        str(home / "urls"),
        "-c",
        str(home / "cache.db"),
        "-C",
        str(home / "config"),
    ]
    env = {**os.environ, "HOME": str(home)}
    cold = run_measured(argv, env=env)
    run_measured(argv, env=env)  # Newsboat sends conditional requests only from its third reload on
    warm = run_measured(argv, env=env)
    return {"cold": cold, "warm": warm}


def reader_lib(urls: list[str], work: Path, workers: int) -> dict[str, Measurement]:
    urls_file = work / "reader-urls.txt"
    urls_file.write_text("\n".join(urls))
    argv = [
        sys.executable,
        str(HERE / "peer_reader.py"),
        str(work / "reader.sqlite"),
        str(urls_file),
        str(workers),
    ]
    cold = run_measured(argv)
    warm = run_measured(argv)
    return {"cold": cold, "warm": warm}


def floor(urls: list[str], work: Path, workers: int) -> dict[str, Measurement]:
    urls_file = work / "floor-urls.txt"
    urls_file.write_text("\n".join(urls))
    etags = work / "etags.json"
    cold = run_measured(
        [sys.executable, str(HERE / "peer_floor.py"), str(urls_file), str(workers), "--save", str(etags)]
    )
    warm = run_measured(
        [
            sys.executable,
            str(HERE / "peer_floor.py"),
            str(urls_file),
            str(workers),
            "--conditional",
            str(etags),
        ]
    )
    return {"cold": cold, "warm": warm}


def newsreader_default(urls: list[str], work: Path, workers: int) -> dict[str, Measurement]:
    """newsreader's default refresh, as users run it: feeds, then article pages, images and icons
    (whose hosts, on this machine, do not resolve: the corpus links to the real web)."""
    data = work / "newsreader-default"
    opml = work / "feeds-default.opml"
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{u}"/>\n' for u in urls)
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>\n{outlines}</body></opml>\n')
    cli = [sys.executable, "-m", "newsreader", "--data-dir", str(data)]
    run_measured([*cli, "import", str(opml)])
    cold = run_measured([*cli, "refresh"])
    warm = run_measured([*cli, "refresh"])
    return {"cold": cold, "warm": warm}


def newsreader_same_workers(urls: list[str], work: Path, workers: int) -> dict[str, Measurement]:
    """newsreader held to the peers' worker count."""
    return newsreader(urls, work, workers)


CONTESTANTS = {
    "newsreader": lambda urls, work, workers: newsreader(urls, work, None),
    "newsreader --workers N": newsreader_same_workers,
    "newsreader default (pages, images, icons)": newsreader_default,
    "newsboat": newsboat,
    "reader": reader_lib,
    "floor": floor,
}


def short_name(contestant: str) -> str:
    """``newsreader``, ``workers``, ``default``, ``newsboat``, ``reader``, ``floor``."""
    words = contestant.split()
    return words[1].strip("-") if len(words) > 1 and words[0] == "newsreader" else words[0]


def main() -> None:
    require_extras("psutil", "reader")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--port", type=int, default=8731)
    ap.add_argument("--corpus", default="/tmp/bench-corpus")
    ap.add_argument("--skip", default="", help="comma-separated contestants to leave out")
    ap.add_argument("--only", default="", help="comma-separated contestants to run: newsreader, workers, default, …")
    ap.add_argument("--json", help="also write the raw numbers here")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    only = set(filter(None, args.only.split(",")))
    if only:
        skip |= {name for name in CONTESTANTS if short_name(name) not in only}
    if shutil.which("newsboat") is None:
        skip.add("newsboat")
    corpus = ensure_corpus(args.feeds, Path(args.corpus))
    results: dict[str, dict[str, list[Measurement]]] = {}
    with feed_server(corpus, port=args.port, latency_ms=args.latency_ms, hosts=16, limit=args.feeds) as server:
        for _ in range(args.rounds):
            for name, run in CONTESTANTS.items():
                if name in skip:
                    continue
                print(f"{name} …", file=sys.stderr)
                with tempfile.TemporaryDirectory() as tmp:
                    for kind, m in run(server.urls, Path(tmp), args.workers).items():
                        results.setdefault(name, {}).setdefault(kind, []).append(m)
    table = summarise(results, args)
    print(table)
    if args.json:
        Path(args.json).write_text(
            json.dumps({n: {k: [vars(m) for m in ms] for k, ms in r.items()} for n, r in results.items()}, indent=1)
        )


def summarise(results: dict[str, dict[str, list[Measurement]]], args: argparse.Namespace) -> str:
    def med(name: str, kind: str, attr: str) -> float:
        return median([getattr(m, attr) for m in results[name][kind]])

    lines = [
        f"{datetime.date.today()} · {machine()}",
        f"`python bench/refresh.py --feeds {args.feeds} --latency-ms {args.latency_ms:g} --workers {args.workers}"
        f" --rounds {args.rounds}` (medians of {args.rounds} round(s); 16 loopback hosts, gzip)",
        "",
        "| contestant | cold s | warm s | peak MiB (cold) | peak MiB (warm) | CPU s (cold) | CPU s (warm) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in results:
        lines.append(
            f"| {name} | {med(name, 'cold', 'seconds'):.2f} | {med(name, 'warm', 'seconds'):.2f} | "
            f"{med(name, 'cold', 'peak_mib'):.0f} | {med(name, 'warm', 'peak_mib'):.0f} | "
            f"{med(name, 'cold', 'cpu_seconds'):.1f} | {med(name, 'warm', 'cpu_seconds'):.1f} |"
        )
    default = "newsreader default (pages, images, icons)"
    if "newsreader" in results and default in results:
        feeds_only, whole = med("newsreader", "cold", "seconds"), med(default, "cold", "seconds")
        bound = 2 * feeds_only + 15
        lines += [
            "",
            f"Default refresh (cold) {whole:.2f} s against feeds-only {feeds_only:.2f} s: the bound "
            f"2 × feeds-only + 15 s is {bound:.2f} s ({'met' if whole <= bound else 'MISSED'}).",
        ]
    if "newsreader" in results:
        lines += [
            "",
            "| ratio (newsreader / peer) | cold time | warm time | peak memory |",
            "|---|---|---|---|",
        ]
        for peer in results:
            if peer.startswith("newsreader"):
                continue
            ratio = [med("newsreader", k, a) / med(peer, k, a) for k, a in (("cold", "seconds"), ("warm", "seconds"))]
            mem = max(med("newsreader", "cold", "peak_mib"), med("newsreader", "warm", "peak_mib")) / max(
                med(peer, "cold", "peak_mib"), med(peer, "warm", "peak_mib")
            )
            lines.append(f"| {peer} | {ratio[0]:.2f} | {ratio[1]:.2f} | {mem:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
