"""Build a demonstration library from ../shared: the seed feed with its article page stored, and a
few real feeds from the corpus in folders. Used for the README's screenshots.

    .venv/bin/python scripts/seed_library.py DATA_DIR

Feeds are served from 127.0.0.1 by a throw-away HTTP server; nothing leaves the machine.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

from newsreader.core.library import open_library

SHARED = Path(os.environ.get("NEWSREADER_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
FEEDS = [
    ("seed/register-headlines.atom", "Tech news"),
    ("corpus/feeds/real/feedjira/TechCrunch.xml", "Tech news"),
    ("corpus/feeds/real/feed-rs/rss2/rss_2.0_wirecutter.xml", "Shopping"),
    ("corpus/feeds/real/feedjira/HuffPostCanada.xml", "World"),
    ("corpus/feeds/real/feedjira/AmazonWebServicesBlog.xml", None),
    ("corpus/feeds/real/feedjira/SamRuby.xml", None),
]
SEED_PAGE = "seed/register-2014-article.html"
SEED_STORY_URL = (
    "http://www.theregister.co.uk/2014/08/01/us_judge_rules_microsoft_must_hand_over_data_stored_in_dublin/"
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build(data_dir: Path) -> int:
    """Create the library in *data_dir*; returns the id of the seed article's story."""
    handler = functools.partial(_Quiet, directory=str(SHARED))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with open_library(data_dir, parse_processes=0) as library:
            for path, folder in FEEDS:
                if (SHARED / path).exists():
                    library.subscribe(base + path, folder=folder)
            for _ in library.refresh():
                pass
            seed = next(s for s in library.stories(limit=None, include_sponsored=True) if s.link == SEED_STORY_URL)
            library.store_page(seed.id, (SHARED / SEED_PAGE).read_bytes(), SEED_STORY_URL)
            return seed.id
    finally:
        server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1])))
