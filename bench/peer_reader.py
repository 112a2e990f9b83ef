"""Refresh with the Python library ``reader`` (a peer): ``update_feeds(workers=N)``.

usage: peer_reader.py DB URLS_FILE WORKERS   (adds the feeds on first use)
"""

import sys
from pathlib import Path

from reader import make_reader


def main() -> None:
    db, urls_file, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    reader = make_reader(db)
    existing = {feed.url for feed in reader.get_feeds()}
    for url in Path(urls_file).read_text().split():
        if url not in existing:
            reader.add_feed(url)
    # scheduled=False: ask every feed now, as newsreader's explicit refresh does
    reader.update_feeds(workers=workers, scheduled=False)
    reader.close()


if __name__ == "__main__":
    main()
