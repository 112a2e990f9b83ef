"""Hostile pages: page analysis must finish in bounded time and memory with a clear result.

Each case runs in a fresh process (so its peak memory is its own) under a 60 s limit.

usage: python bench/page_hostile.py
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import print_table, require_extras, run_measured

CASES = {
    "400,000 nested divs": b"<html><body>" + b"<div>" * 400_000 + b"<p>text</p>" * 100_000,
    "100,000 links": b"<html><body><div>" + b"".join(b'<a href="/p%d">link %d</a> ' % (i, i) for i in range(100_000)),
    "broken encoding": b'<html><head><meta charset="utf-8"></head><body><p>' + bytes(range(128, 256)) * 20_000,
    "NUL bytes": b"<html><body><p>" + b"\x00story\x00 " * 200_000 + b"</p>",
    "one 8 MB paragraph": b"<html><body><article><p>" + b"word " * 1_600_000 + b"</p></article>",
    "unclosed tags": b"<html><body>" + b"<p><b><i><span>" * 100_000,
}

SCRIPT = (
    "import sys; from newsreader.core.pages import analyze_page; "
    "r = analyze_page(open(sys.argv[1], 'rb').read(), 'https://hostile.example/');"
    "print(len(r.story_text), len(r.related), len(r.sponsored))"
)


def main() -> None:
    require_extras("psutil")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in CASES.items():
            path = Path(tmp) / "page.html"
            path.write_bytes(data)
            try:
                m = run_measured([sys.executable, "-c", SCRIPT, str(path)], timeout=60)
                outcome = "ok" if m.returncode == 0 else f"exit {m.returncode}"
                rows.append((name, f"{len(data) / 1e6:.1f}", f"{m.seconds:.2f}", f"{m.peak_mib:.0f}", outcome))
            except subprocess.TimeoutExpired:
                rows.append((name, f"{len(data) / 1e6:.1f}", "> 60", "-", "timed out"))
    print_table(
        str(datetime.date.today()),
        "`python bench/page_hostile.py` (a fresh process per case)",
        ["case", "MB", "seconds", "peak MiB", "result"],
        rows,
    )


if __name__ == "__main__":
    main()
