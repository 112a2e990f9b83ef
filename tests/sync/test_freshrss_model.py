"""The FreshRSS model server (``tests/support/freshrss.py``) answers every recorded Google Reader
API request exactly as FreshRSS 1.24.3 did: same status, content type and JSON (or text)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import shared_path
from tests.support.freshrss import Entry, FreshRSS
from tests.support.replay import WRONG_PASSWORD

RECORDED_NOW = 1795754829


def load(directory: Path) -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text(encoding="utf-8")) | {"file": path.stem} for path in sorted(directory.glob("*.json"))
    ]


def entry(item: dict[str, Any]) -> Entry:
    return Entry(
        title=item["title"],
        url=item["canonical"][0]["href"],
        author=item.get("author", ""),
        html=item["summary"]["content"],
        published=item["published"],
        tags=[c for c in item["categories"] if not c.startswith("user/")],
        enclosures=item.get("enclosure", []),
    )


def seeded(exchanges: list[dict[str, Any]], fever: Path) -> FreshRSS:
    """The model with the recording's first state: two feeds, their first crawl, Planet on offer."""
    server = FreshRSS(now=RECORDED_NOW)
    subscriptions = json.loads(next(e for e in exchanges if e["file"].startswith("10-"))["response"]["body"])
    items = [
        item for e in exchanges if "reading-list-n2" in e["file"] for item in json.loads(e["response"]["body"])["items"]
    ]
    feeds = {s["id"]: s for s in subscriptions["subscriptions"]}
    for remote_id in ("feed/1", "feed/2"):
        s = feeds[remote_id]
        server.add_feed(s["title"], s["url"], s["htmlUrl"], s["categories"][0]["label"], s["iconUrl"])
    first = [i for i in items if i["origin"]["streamId"] in ("feed/1", "feed/2")]
    server.crawl(
        {n: [entry(i) for i in first if i["origin"]["streamId"] == f"feed/{n}"] for n in (1, 2)},
        min(int(i["timestampUsec"]) for i in first),
    )
    planet = [i for i in items if i["origin"]["streamId"] == "feed/3"]
    s = feeds["feed/3"]
    server.offered[s["url"]] = (s["title"], s["htmlUrl"], s["iconUrl"], [entry(i) for i in planet])
    server.next_crawl = min(int(i["timestampUsec"]) for i in planet)
    # the second crawl's two Lakeside items, as the Fever recording of the same feed shows them
    later = json.loads((fever / "23-items-since-id-new.json").read_text())["response"]
    server.second_crawl = [  # type: ignore[attr-defined]
        Entry(i["title"], i["url"], i["author"], i["html"], i["created_on_time"])
        for i in json.loads(later["body"])["items"]
    ]
    return server


def send(server: FreshRSS, exchange: dict[str, Any]) -> tuple[int, str, bytes]:
    request = exchange["request"]
    fill = {
        "<AUTH>": server.auth,
        "<TOKEN>": server.token,
        "<PASSWORD>": server.password,
        "<WRONG_PASSWORD>": WRONG_PASSWORD,
        "<INVALID_AUTH>": f"{server.user}/{'0' * 40}",
    }

    def filled(text: str) -> str:
        for placeholder, value in fill.items():
            text = text.replace(placeholder, value)
        return text

    from urllib.parse import quote, urlencode

    url = server.url("/api/greader.php" + quote(request["path"].removeprefix("/api/greader.php")))
    if request["query"]:
        url += "?" + urlencode({k: filled(v) for k, v in request["query"].items()})
    headers = {k: filled(v) for k, v in request["headers"].items()}
    body = filled(request["body"]).encode() if request["body"] is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers, method=request["method"])) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_the_model_answers_every_recorded_request_as_freshrss_did() -> None:
    directory = shared_path("sync", "freshrss-greader")
    exchanges = load(directory)
    assert len(exchanges) == 61
    server = seeded(exchanges, shared_path("sync", "freshrss-fever"))
    try:
        for exchange in exchanges:
            if exchange["file"].startswith("49-"):
                lakeside = server.second_crawl  # type: ignore[attr-defined]
                server.crawl({1: lakeside}, 1795754833196103)
            status, content_type, body = send(server, exchange)
            recorded = exchange["response"]
            fill = {"<AUTH>": server.auth, "<TOKEN>": server.token}
            expected = recorded["body"]
            for placeholder, value in fill.items():
                expected = expected.replace(placeholder, value)
            assert (status, content_type) == (recorded["status"], recorded["headers"]["Content-Type"]), exchange["file"]
            try:
                want: Any = json.loads(expected)
            except ValueError:
                assert body.decode() == expected, exchange["file"]
                continue
            assert json.loads(body) == want, exchange["file"]
    finally:
        server.close()
