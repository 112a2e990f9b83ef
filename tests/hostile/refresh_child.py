"""Run one refresh of a library in this (limited) process and print what happened as JSON.

usage: python -m tests.hostile.refresh_child DATA_DIR DEADLINE_SECONDS READ_TIMEOUT [--pages]
"""

from __future__ import annotations

import json
import sys
import time

from newsreader.core.fetch.http import FetchLimits
from newsreader.core.library import open_library


def main() -> None:
    data_dir, deadline, read_timeout = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    limits = FetchLimits(connect_timeout=2, read_timeout=read_timeout, deadline=deadline)
    started = time.monotonic()
    with open_library(data_dir, limits=limits, parse_processes=0) as library:
        feeds = {}
        new_ids: list[int] = []
        for step in library.refresh():
            feeds[step.result.url] = {"status": step.result.status.value, "error": step.result.error}
            new_ids.extend(step.result.new_story_ids)
        pages = []
        if "--pages" in sys.argv:
            pages = [{"story": p.story_id, "error": p.error} for p in library.fetch_pages(story_ids=new_ids)]
        print(
            json.dumps(
                {
                    "feeds": feeds,
                    "pages": pages,
                    "stories": library.story_count(),
                    "integrity": library.check_integrity(),
                    "seconds": time.monotonic() - started,
                }
            )
        )


if __name__ == "__main__":
    main()
