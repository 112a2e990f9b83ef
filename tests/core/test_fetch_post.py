"""POST requests and origin-only headers in ``core/fetch`` (what the sync clients use)."""

from __future__ import annotations

import pytest

from newsreader.core.errors import FetchError
from newsreader.core.fetch import Fetcher, FetchLimits
from tests.support.httpserver import FeedServer


@pytest.fixture
def fetcher() -> Fetcher:
    return Fetcher(FetchLimits(deadline=5))


def test_post_sends_the_body_and_its_type(server: FeedServer, fetcher: Fetcher) -> None:
    url = server.add("/api", b"OK", content_type="text/plain")
    response = fetcher.post(url, b"a=1&a=2", headers={"Authorization": "GoogleLogin auth=x"})
    assert response.body == b"OK"
    hit = server.hits[-1]
    assert (hit.method, hit.body) == ("POST", b"a=1&a=2")
    assert hit.headers["content-type"] == "application/x-www-form-urlencoded"
    assert hit.headers["authorization"] == "GoogleLogin auth=x"


def test_a_307_keeps_the_method_and_body_on_the_same_origin(server: FeedServer, fetcher: Fetcher) -> None:
    server.add("/old", status=307, headers={"Location": "/new"})
    server.add("/new", b"done", content_type="text/plain")
    assert fetcher.post(server.url("/old"), b'{"op": "x"}', content_type="application/json").body == b"done"
    assert [(h.path, h.method, h.body) for h in server.hits] == [
        ("/old", "POST", b'{"op": "x"}'),
        ("/new", "POST", b'{"op": "x"}'),
    ]


def test_other_redirects_of_a_post_are_errors_naming_the_target(server: FeedServer, fetcher: Fetcher) -> None:
    url = server.add("/api", status=302, headers={"Location": "https://elsewhere.example/api"})
    with pytest.raises(FetchError) as caught:
        fetcher.post(url, b"x=1")
    assert (
        str(caught.value)
        == f"{url} redirected a POST request to https://elsewhere.example/api; use that address instead."
    )
    assert len(server.hits) == 1


def test_headers_go_to_the_origin_only(server: FeedServer, fetcher: Fetcher) -> None:
    other = FeedServer()
    try:
        target = other.add("/list", b"[]", content_type="application/json")
        url = server.add("/list", status=302, headers={"Location": target})
        assert fetcher.fetch(url, headers={"Authorization": "secret"}).body == b"[]"
        assert server.hits[-1].headers["authorization"] == "secret"
        assert "authorization" not in other.hits[-1].headers
    finally:
        other.close()
