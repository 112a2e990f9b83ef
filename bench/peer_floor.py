"""The floor: plain HTTP GETs of the same URLs with N threads and no parsing or storing.

usage: peer_floor.py URLS_FILE WORKERS [--conditional ETAGS_JSON]
With --conditional, the ETags saved by a first run are sent, so every answer is a 304.
"""

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

local = threading.local()


def session() -> requests.Session:
    s = getattr(local, "s", None)
    if s is None:
        s = local.s = requests.Session()
    return s


def main() -> None:
    urls = Path(sys.argv[1]).read_text().split()
    workers = int(sys.argv[2])
    etags_file = sys.argv[4] if len(sys.argv) > 4 else None
    conditional = etags_file is not None and sys.argv[3] == "--conditional"
    etags: dict[str, str] = json.loads(Path(etags_file).read_text()) if conditional and etags_file else {}

    def get(url: str) -> tuple[str, str | None]:
        headers = {"If-None-Match": etags[url]} if url in etags else {}
        r = session().get(url, headers=headers, timeout=30)
        r.content  # noqa: B018 - read the body
        return url, r.headers.get("etag")

    with ThreadPoolExecutor(workers) as pool:
        found = dict(pool.map(get, urls))
    if etags_file and sys.argv[3] == "--save":
        Path(etags_file).write_text(json.dumps(found))


if __name__ == "__main__":
    main()
