"""The real-world failure cases of ``tests/data/cases/`` (copied from ``../shared/cases/``), served
over the loopback test server exactly as their ``routes.json`` says."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.httpserver import FeedServer

CASES = Path(__file__).resolve().parent.parent / "data" / "cases"


def serve_case(server: FeedServer, case: str, routes: str = "routes.json") -> dict[str, str]:
    """Register every route of *case*'s routes file on *server*; returns path → URL."""
    folder = CASES / case
    urls: dict[str, str] = {}
    for path, route in json.loads((folder / routes).read_text()).items():
        headers = dict(route.get("headers", {}))
        content_type = headers.pop("Content-Type", "application/octet-stream")
        body = (folder / route["body"]).read_bytes() if "body" in route else route.get("body_text", "").encode()
        urls[path] = server.add(
            path, body, status=route.get("status", 200), headers=headers, content_type=content_type, etag=False
        )
    return urls
