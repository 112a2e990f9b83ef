"""Sync servers that misbehave: expired tokens and sessions, garbage answers, a server that dies
mid-sync, one that never stops paging, one that drips. Each ends in one sentence, in bounded time."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

import pytest

from newsreader.core.errors import SyncAuthError, SyncOfflineError, SyncProtocolError, SyncRefusedError
from newsreader.core.fetch import Fetcher, FetchLimits
from newsreader.core.sync.fever import FeverClient, api_key
from newsreader.core.sync.greader import READ, GReaderClient
from newsreader.core.sync.ttrss import TTRSSClient
from tests.support.httpserver import FeedServer

Answer = tuple[int, str, bytes]


def respond(request: BaseHTTPRequestHandler, answer: Answer) -> None:
    status, content_type, body = answer
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def route(server: FeedServer, path: str, answer: Callable[[BaseHTTPRequestHandler], Answer | None]) -> str:
    def handler(request: BaseHTTPRequestHandler) -> None:
        result = answer(request)
        if result is None:  # the server dies: the connection closes without an answer
            request.close_connection = True
            request.connection.shutdown(2)
            return
        respond(request, result)

    return server.add(path, handler=handler)


def form(request: BaseHTTPRequestHandler) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode()))  # type: ignore[attr-defined]


def json_answer(document: object, status: int = 200) -> Answer:
    return status, "application/json", json.dumps(document).encode()


def greader(server: FeedServer, fetcher: Fetcher) -> GReaderClient:
    route(server, "/api/accounts/ClientLogin", lambda r: (200, "text/plain", b"SID=x\nLSID=null\nAuth=alice/abc\n"))
    return GReaderClient(server.url("/api"), "alice", "pw", fetcher, page_size=2)


def item(number: int) -> dict[str, object]:
    return {
        "id": f"tag:google.com,2005:reader/item/{number:016x}",
        "title": f"Item {number}",
        "origin": {"streamId": "feed/1"},
        "categories": ["user/-/state/com.google/reading-list"],
        "summary": {"content": "<p>x</p>"},
        "published": 1700000000,
    }


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(FetchLimits(connect_timeout=2, read_timeout=2, deadline=3))


def test_an_expired_token_is_renewed_once(server: FeedServer, fetcher: Fetcher) -> None:
    tokens = iter(["token-1", "token-2"])
    current: list[str] = []

    def token(request: BaseHTTPRequestHandler) -> Answer:
        current.append(next(tokens))
        return 200, "text/html", current[-1].encode() + b"\n"

    def edit(request: BaseHTTPRequestHandler) -> Answer:
        # the first token expires as soon as it is given out, as a long-lived one would overnight
        if form(request)["T"] != "token-2":
            return 401, "text/plain", b"Unauthorized!"
        return 200, "text/html", b"OK"

    reader = greader(server, fetcher)
    route(server, "/api/reader/api/0/token", token)
    route(server, "/api/reader/api/0/edit-tag", edit)
    reader.edit_tag(["1", "2"], add=READ)
    sent = [dict(parse_qsl(hit.body.decode()))["T"] for hit in server.hits_for("/api/reader/api/0/edit-tag")]
    assert sent == ["token-1", "token-2"]
    assert reader.token == "token-2"


def test_a_token_refused_after_a_new_login_is_an_auth_error(server: FeedServer, fetcher: Fetcher) -> None:
    reader = greader(server, fetcher)
    route(server, "/api/reader/api/0/token", lambda r: (200, "text/html", b"tok\n"))
    route(server, "/api/reader/api/0/edit-tag", lambda r: (401, "text/plain", b"Unauthorized!"))
    with pytest.raises(SyncAuthError, match=r"refused the user name, password or session \(HTTP 401\)\."):
        reader.edit_tag(["1"], add=READ)
    assert len(server.hits_for("/api/reader/api/0/edit-tag")) == 3  # old token, new token, new login
    assert len(server.hits_for("/api/accounts/ClientLogin")) == 2


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ((200, "text/html", b"<html><body>Please log in to the hotel Wi-Fi</body></html>"), "subscription list"),
        (json_answer({"subscriptions": "none"}), "subscription list"),
        (json_answer([1, 2, 3]), "subscription list"),
        ((200, "application/json", b'{"subscriptions": [' * 100_000), "subscription list"),
        ((200, "application/json", b"\xff\xfe\x00garbage"), "subscription list"),
    ],
)
def test_garbage_is_one_sentence(server: FeedServer, fetcher: Fetcher, answer: Answer, what: str) -> None:
    reader = greader(server, fetcher)
    route(server, "/api/reader/api/0/subscription/list", lambda r: answer)
    with pytest.raises(SyncProtocolError) as caught:
        reader.subscriptions()
    assert str(caught.value) == f"{server.url('/api')} answered something that is not a Google Reader API {what}."
    assert caught.value.transient


def test_values_of_the_wrong_type_are_skipped(server: FeedServer, fetcher: Fetcher) -> None:
    reader = greader(server, fetcher)
    broken = [
        7,
        {"id": 5},
        {"id": "tag:google.com,2005:reader/item/zz", "origin": {"streamId": "feed/1"}},
        {**item(3), "title": ["not", "a", "title"], "published": "yesterday", "categories": "read"},
        item(2),
    ]
    route(
        server,
        "/api/reader/api/0/stream/contents/user/-/state/com.google/reading-list",
        lambda r: json_answer({"items": broken}),
    )
    page = reader.stream_page()
    assert [(i.id, i.title) for i in page.items] == [("3", ""), ("2", "Item 2")]
    assert page.items[0].published is None and page.continuation is None


def test_a_server_that_dies_mid_sync_keeps_the_pages_already_read(server: FeedServer, fetcher: Fetcher) -> None:
    reader = greader(server, fetcher)

    def contents(request: BaseHTTPRequestHandler) -> Answer | None:
        if "c=" in (urlsplit(request.path).query):
            return None
        return json_answer({"items": [item(9), item(8)], "continuation": "8"})

    route(server, "/api/reader/api/0/stream/contents/user/-/state/com.google/reading-list", contents)
    pages = reader.stream()
    first = next(pages)
    with pytest.raises(SyncOfflineError) as caught:
        next(pages)
    assert [i.id for i in first.items] == ["9", "8"]
    assert caught.value.transient
    assert "cut off" in str(caught.value) or "failed" in str(caught.value)


def test_a_server_that_pages_forever_is_stopped(server: FeedServer, fetcher: Fetcher) -> None:
    reader = greader(server, fetcher)
    route(
        server,
        "/api/reader/api/0/stream/contents/user/-/state/com.google/reading-list",
        lambda r: json_answer({"items": [item(1)], "continuation": "same"}),
    )
    pages = list(reader.stream())
    assert len(pages) == 2  # the continuation came back a second time: going round in circles
    asked = [hit for hit in server.hits if hit.path.startswith("/api/reader/api/0/stream/contents/")]
    assert len(asked) == 2


def test_a_dripping_server_is_cut_at_the_deadline(server: FeedServer, fetcher: Fetcher) -> None:
    server.add("/api/accounts/ClientLogin", b"SID=x\nLSID=null\nAuth=alice/abc\n" * 50, drip_seconds=0.05)
    started = time.monotonic()
    with pytest.raises(SyncOfflineError):
        GReaderClient(server.url("/api"), "alice", "pw", fetcher).login()
    assert time.monotonic() - started < 6


def test_a_refused_subscribe_names_the_reason(server: FeedServer, fetcher: Fetcher) -> None:
    reader = greader(server, fetcher)
    route(server, "/api/reader/api/0/token", lambda r: (200, "text/html", b"tok\n"))
    route(
        server,
        "/api/reader/api/0/subscription/quickadd",
        lambda r: json_answer({"numResults": 0, "query": "x", "error": "Feed not found"}),
    )
    with pytest.raises(SyncRefusedError, match=r"could not subscribe to http://nowhere.example/feed: Feed not found\."):
        reader.subscribe("http://nowhere.example/feed")


def test_fever_garbage_and_refusals(server: FeedServer, fetcher: Fetcher) -> None:
    answers: list[Answer] = [
        (200, "text/html", b"<html>Fever has moved</html>"),
        json_answer({"hello": "world"}),
        json_answer({"api_version": 3, "auth": 1, "items": "lots"}),
        (404, "text/plain", b"no such item"),
    ]
    route(server, "/fever/", lambda r: answers.pop(0))
    fever = FeverClient(server.url("/fever/"), "alice", "pw", fetcher)
    with pytest.raises(SyncProtocolError, match="not a Fever API answer"):
        fever.check()
    with pytest.raises(SyncProtocolError, match="not a Fever API answer"):
        fever.check()
    with pytest.raises(SyncProtocolError, match="not a Fever API item list"):
        fever.items(max_id="10")
    with pytest.raises(SyncRefusedError) as caught:
        fever.mark_item("99", "read")
    assert not caught.value.transient
    hit = server.hits[-1]
    assert hit.method == "POST" and hit.path == "/fever/?api"
    assert dict(parse_qsl(hit.body.decode())) == {
        "api_key": api_key("alice", "pw"),
        "mark": "item",
        "as": "read",
        "id": "99",
    }


def test_fever_paging_stops_when_the_server_ignores_since_id(server: FeedServer, fetcher: Fetcher) -> None:
    page = [{"id": n, "feed_id": 1, "title": f"t{n}", "html": "", "is_read": 0, "is_saved": 0} for n in (1, 2, 3)]
    route(server, "/fever/", lambda r: json_answer({"api_version": 3, "auth": 1, "items": page}))
    fever = FeverClient(server.url("/fever/"), "alice", "pw", fetcher)
    pages = list(fever.items_since("0"))
    assert [[i.id for i in p] for p in pages] == [["1", "2", "3"]]


def ttrss_server(server: FeedServer, answers: Callable[[dict[str, object]], object]) -> TTRSSClient:
    def api(request: BaseHTTPRequestHandler) -> Answer:
        call = json.loads(request.body.decode())  # type: ignore[attr-defined]
        return json_answer(answers(call))

    route(server, "/tt-rss/api/", api)
    return TTRSSClient(server.url("/tt-rss"), "alice", "pw", Fetcher(FetchLimits(deadline=3)))


def test_ttrss_renews_an_expired_session(server: FeedServer) -> None:
    sessions = iter(["s1", "s2"])

    def answers(call: dict[str, object]) -> object:
        if call["op"] == "login":
            return {"seq": 0, "status": 0, "content": {"session_id": next(sessions), "api_level": 15}}
        if call.get("sid") != "s2":
            return {"seq": 0, "status": 1, "content": {"error": "NOT_LOGGED_IN"}}
        return {"seq": 0, "status": 0, "content": {"status": "OK", "updated": 2}}

    client = ttrss_server(server, answers)
    assert client.mark_read(["10", "11"]) == 2
    calls = [json.loads(hit.body) for hit in server.hits]
    assert [c["op"] for c in calls] == ["login", "updateArticle", "login", "updateArticle"]
    assert calls[-1] == {"op": "updateArticle", "sid": "s2", "article_ids": "10,11", "mode": 0, "field": 2}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("LOGIN_ERROR", "refused the user name or password of alice."),
        ("API_DISABLED", "has API access turned off for alice (Preferences → Enable API access)."),
    ],
)
def test_ttrss_login_refusals(server: FeedServer, error: str, message: str) -> None:
    client = ttrss_server(server, lambda call: {"seq": 0, "status": 1, "content": {"error": error}})
    with pytest.raises(SyncAuthError) as caught:
        client.check()
    assert str(caught.value) == f"{server.url('/tt-rss')} {message}"


def test_ttrss_garbage(server: FeedServer) -> None:
    client = ttrss_server(
        server,
        lambda call: (
            {"seq": 0, "status": 0, "content": {"session_id": "s", "api_level": 15}}
            if call["op"] == "login"
            else {"status": 7}
        ),
    )
    with pytest.raises(SyncProtocolError, match="not a Tiny Tiny RSS API answer"):
        client.feeds()
