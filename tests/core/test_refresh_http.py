"""Refresh against a real loopback HTTP server: every case of the issue's "Refresh" list."""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsreader.core.fetch.http import FetchLimits
from newsreader.core.library import Library, open_library
from newsreader.core.models import RefreshStatus
from tests.support.feeds import rss, simple_rss
from tests.support.httpserver import FeedServer


def refresh_one(library: Library, feed_id: int) -> RefreshStatus:
    results = [p.result for p in library.refresh([feed_id])]
    assert len(results) == 1
    return results[0].status


def test_first_fetch_stores_stories_and_second_is_conditional(library: Library, server: FeedServer) -> None:
    url = server.add("/feed.xml", simple_rss(5))
    feed_id = library.subscribe(url)
    assert refresh_one(library, feed_id) is RefreshStatus.UPDATED
    assert library.feed(feed_id).total == 5
    assert refresh_one(library, feed_id) is RefreshStatus.NOT_MODIFIED
    hits = server.hits_for("/feed.xml")
    assert "if-none-match" not in hits[0].headers
    assert hits[1].headers["if-none-match"].startswith('"')
    assert library.feed(feed_id).total == 5


def test_user_agent_names_the_app(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(server.add("/feed.xml", simple_rss(1)))
    refresh_one(library, feed_id)
    assert server.hits_for("/feed.xml")[0].headers["user-agent"].startswith("newsreader/")


def test_same_body_without_validators_is_not_reparsed(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(server.add("/feed.xml", simple_rss(3), etag=False))
    assert refresh_one(library, feed_id) is RefreshStatus.UPDATED
    assert refresh_one(library, feed_id) is RefreshStatus.UNCHANGED


def test_last_modified_is_sent_back(library: Library, server: FeedServer) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
    feed_id = library.subscribe(server.add("/feed.xml", simple_rss(1), etag=False, headers={"Last-Modified": stamp}))
    refresh_one(library, feed_id)
    refresh_one(library, feed_id)
    assert server.hits_for("/feed.xml")[1].headers["if-modified-since"] == stamp


def test_gzip_body_is_decoded(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(server.add("/feed.xml", simple_rss(4), gzip=True))
    assert refresh_one(library, feed_id) is RefreshStatus.UPDATED
    assert library.feed(feed_id).total == 4
    assert "gzip" in server.hits_for("/feed.xml")[0].headers["accept-encoding"]


def test_permanent_redirect_updates_stored_url(library: Library, server: FeedServer) -> None:
    new_url = server.add("/new.xml", simple_rss(2))
    old_url = server.add("/old.xml", status=301, headers={"Location": "/new.xml"}, etag=False)
    feed_id = library.subscribe(old_url)
    assert refresh_one(library, feed_id) is RefreshStatus.UPDATED
    assert library.feed(feed_id).url == new_url


def test_308_also_updates_but_temporary_redirect_does_not(library: Library, server: FeedServer) -> None:
    server.add("/target.xml", simple_rss(2))
    perm = library.subscribe(server.add("/perm.xml", status=308, headers={"Location": "/target.xml"}, etag=False))
    temp_url = server.add("/temp.xml", status=302, headers={"Location": "/target.xml"}, etag=False)
    temp = library.subscribe(temp_url)
    for feed_id in (perm, temp):
        assert refresh_one(library, feed_id) is RefreshStatus.UPDATED
    assert library.feed(perm).url.endswith("/target.xml")
    assert library.feed(temp).url == temp_url


def test_redirect_loop_fails_with_clear_error(library: Library, server: FeedServer) -> None:
    server.add("/a.xml", status=302, headers={"Location": "/b.xml"}, etag=False)
    server.add("/b.xml", status=302, headers={"Location": "/a.xml"}, etag=False)
    feed_id = library.subscribe(server.url("/a.xml"))
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    assert "redirected more than" in (library.feed(feed_id).last_error or "")


def test_redirect_to_file_scheme_is_refused(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(
        server.add("/evil.xml", status=301, headers={"Location": "file:///etc/passwd"}, etag=False)
    )
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    feed = library.feed(feed_id)
    assert "not an http or https address" in (feed.last_error or "")
    assert feed.url.startswith("http://")


def test_410_gone_disables_the_feed_with_reason(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(server.add("/gone.xml", "gone", status=410, etag=False))
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    feed = library.feed(feed_id)
    assert not feed.enabled
    assert "gone (HTTP 410)" in (feed.disabled_reason or "")
    assert [p.result.feed_id for p in library.refresh()] == []  # disabled feeds are not refreshed


def test_429_retry_after_is_honoured_by_explicit_and_scheduled_refresh(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(
        server.add("/busy.xml", "slow down", status=429, etag=False, headers={"Retry-After": "3600"})
    )
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    feed = library.feed(feed_id)
    assert "429" in (feed.last_error or "")
    assert feed.next_check is not None and feed.next_check > datetime.now(UTC) + timedelta(minutes=50)
    assert refresh_one(library, feed_id) is RefreshStatus.SKIPPED
    assert [p.result.status for p in library.refresh(due_only=True)] == []
    assert len(server.hits_for("/busy.xml")) == 1


def test_503_with_http_date_retry_after(library: Library, server: FeedServer) -> None:
    when = (datetime.now(UTC) + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    feed_id = library.subscribe(server.add("/down.xml", "down", status=503, etag=False, headers={"Retry-After": when}))
    refresh_one(library, feed_id)
    assert refresh_one(library, feed_id) is RefreshStatus.SKIPPED
    assert len(server.hits_for("/down.xml")) == 1


def test_cache_control_max_age_postpones_scheduled_check(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(server.add("/cc.xml", simple_rss(1), headers={"Cache-Control": "max-age=14400"}))
    refresh_one(library, feed_id)
    next_check = library.feed(feed_id).next_check
    assert next_check is not None and next_check > datetime.now(UTC) + timedelta(hours=3, minutes=50)
    assert [p.result.feed_id for p in library.refresh(due_only=True)] == []
    assert refresh_one(library, feed_id) is RefreshStatus.NOT_MODIFIED  # an explicit refresh still asks


def test_due_refresh_asks_only_feeds_whose_interval_passed(tmp_path: Path, server: FeedServer) -> None:
    now = [datetime(2030, 1, 1, tzinfo=UTC)]
    library = open_library(tmp_path, clock=lambda: now[0], parse_processes=0)
    a = library.subscribe(server.add("/a.xml", simple_rss(1)))
    b = library.subscribe(server.add("/b.xml", simple_rss(1, "b")))
    library.set_feed_options(b, update_interval=7200)
    assert {p.result.feed_id for p in library.refresh(due_only=True)} == {a, b}
    now[0] += timedelta(seconds=3700)
    assert {p.result.feed_id for p in library.refresh(due_only=True)} == {a}
    now[0] += timedelta(seconds=3600)
    assert {p.result.feed_id for p in library.refresh(due_only=True)} == {a, b}
    library.close()


def test_slow_server_hits_the_total_deadline(tmp_path: Path, server: FeedServer) -> None:
    library = open_library(tmp_path, limits=FetchLimits(deadline=1.0, read_timeout=5.0), parse_processes=0)
    feed_id = library.subscribe(server.add("/slow.xml", simple_rss(50), drip_seconds=0.05))
    started = datetime.now(UTC)
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    assert datetime.now(UTC) - started < timedelta(seconds=10)
    assert library.feed(feed_id).last_error
    library.close()


def test_read_timeout(tmp_path: Path, server: FeedServer) -> None:
    gate = threading.Event()

    def stall(request: BaseHTTPRequestHandler) -> None:
        gate.wait(10)

    server.add("/stall.xml", handler=stall)
    library = open_library(tmp_path, limits=FetchLimits(read_timeout=0.5, deadline=5.0), parse_processes=0)
    feed_id = library.subscribe(server.url("/stall.xml"))
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    gate.set()
    assert "stopped answering" in (library.feed(feed_id).last_error or "") or "exceeded" in (
        library.feed(feed_id).last_error or ""
    )
    library.close()


def test_oversized_body_is_refused_while_streaming(tmp_path: Path, server: FeedServer) -> None:
    library = open_library(tmp_path, limits=FetchLimits(max_bytes=100_000), parse_processes=0)
    big = library.subscribe(server.add("/big.xml", simple_rss(2000)))
    endless = library.subscribe(server.add("/endless.xml", endless=True))
    bomb_body = gzip.compress(b" " * 50_000_000)
    bomb = library.subscribe(server.add("/bomb.xml", handler=lambda r: _send_raw_gzip(r, bomb_body)))
    for feed_id in (big, endless, bomb):
        assert refresh_one(library, feed_id) is RefreshStatus.FAILED
        assert "larger than" in (library.feed(feed_id).last_error or "")
    library.close()


def _send_raw_gzip(request: BaseHTTPRequestHandler, body: bytes) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "application/rss+xml")
    request.send_header("Content-Encoding", "gzip")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def test_html_page_is_not_a_feed(library: Library, server: FeedServer) -> None:
    feed_id = library.subscribe(
        server.add("/page", "<!doctype html><html><body>Hi</body></html>", content_type="text/html")
    )
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    assert "is a web page, not a feed" in (library.feed(feed_id).last_error or "")


def test_http_error_and_refused_connection(library: Library, server: FeedServer) -> None:
    missing = library.subscribe(server.url("/missing.xml"))
    refused = library.subscribe("http://127.0.0.1:9/feed.xml")
    good = library.subscribe(server.add("/good.xml", simple_rss(2)))
    results = {p.result.feed_id: p.result for p in library.refresh()}
    assert results[missing].status is RefreshStatus.FAILED and "404" in (results[missing].error or "")
    assert results[refused].status is RefreshStatus.FAILED and "refused" in (results[refused].error or "")
    assert results[good].status is RefreshStatus.UPDATED
    assert library.feed(refused).last_error_at is not None


def test_basic_auth_uses_the_keyring(library: Library, server: FeedServer, keyring_file: Path) -> None:
    import base64

    expected = "Basic " + base64.b64encode(b"ann:s3cret").decode()

    def guarded(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("Authorization") != expected:
            FeedServer._send(request, 401, {"WWW-Authenticate": 'Basic realm="x"'}, b"")
        else:
            FeedServer._send(request, 200, {"Content-Type": "application/rss+xml"}, simple_rss(2).encode())

    feed_id = library.subscribe(server.add("/private.xml", handler=guarded))
    assert refresh_one(library, feed_id) is RefreshStatus.FAILED
    assert "user name and password" in (library.feed(feed_id).last_error or "")
    library.set_feed_auth(feed_id, "ann", "s3cret")
    assert "s3cret" in keyring_file.read_text()
    assert refresh_one(library, feed_id) is RefreshStatus.UPDATED
    assert library.feed(feed_id).auth_user == "ann"


def test_per_host_connection_cap(tmp_path: Path, server: FeedServer) -> None:
    library = open_library(tmp_path, limits=FetchLimits(per_host=2), parse_processes=0)
    ids = [library.subscribe(server.add(f"/f{i}.xml", simple_rss(1, f"f{i}"), drip_seconds=0.001)) for i in range(12)]
    results = [p.result for p in library.refresh(workers=8)]
    assert all(r.status is RefreshStatus.UPDATED for r in results) and len(results) == len(ids)
    assert server.max_in_flight <= 2
    library.close()


def test_progress_is_reported_per_feed(library: Library, server: FeedServer) -> None:
    for i in range(5):
        library.subscribe(server.add(f"/p{i}.xml", simple_rss(1, f"p{i}")))
    steps = list(library.refresh())
    assert [s.done for s in steps] == [1, 2, 3, 4, 5]
    assert {s.total for s in steps} == {5}


def test_cancel_stops_starting_new_feeds(library: Library, server: FeedServer) -> None:
    for i in range(30):
        library.subscribe(server.add(f"/c{i}.xml", simple_rss(1, f"c{i}")))
    cancel = threading.Event()
    statuses = []
    for step in library.refresh(workers=2, cancel=cancel):
        statuses.append(step.result.status)
        cancel.set()
    assert len(statuses) == 30
    # feeds already started finish and are stored; none is started after the cancel
    assert len(server.hits) < 30
    assert statuses.count(RefreshStatus.SKIPPED) == 30 - len(server.hits)


def test_updated_entry_keeps_read_state_and_reordering_never_duplicates(library: Library, server: FeedServer) -> None:
    items = [{"title": f"t{i}", "guid": f"g{i}", "description": f"v1 {i}"} for i in range(3)]
    feed_id = library.subscribe(server.add("/f.xml", rss(items), etag=False))
    library.refresh([feed_id]).__next__()
    story = next(s for s in library.stories(feed_id=feed_id) if s.title == "t1")
    library.mark_read([story.id])
    library.mark_starred([story.id])
    items[1]["description"] = "v2 changed"
    server.add("/f.xml", rss(list(reversed(items))), etag=False)
    result = next(iter(library.refresh([feed_id]))).result
    assert result.updated_stories == 1 and result.new_stories == 0
    again = library.story(story.id)
    assert again.read and again.starred and "v2 changed" in again.summary_html
    assert library.feed(feed_id).total == 3


def test_entries_per_feed_are_capped(library: Library, server: FeedServer) -> None:
    library.set_setting("max_entries", "10")
    feed_id = library.subscribe(server.add("/many.xml", simple_rss(50)))
    refresh_one(library, feed_id)
    assert library.feed(feed_id).total == 10


def test_failed_feed_never_stops_the_others(library: Library, server: FeedServer) -> None:
    ok = [library.subscribe(server.add(f"/ok{i}.xml", simple_rss(2, f"ok{i}"))) for i in range(3)]
    bad = library.subscribe(server.add("/bad.xml", "<rss><channel><item><title>x</broken>"))
    results = {p.result.feed_id: p.result.status for p in library.refresh()}
    assert all(results[i] is RefreshStatus.UPDATED for i in ok)
    assert bad in results
    assert library.check_integrity()


@pytest.mark.parametrize("processes", [1])
def test_process_pool_parsing_gives_the_same_stories(tmp_path: Path, server: FeedServer, processes: int) -> None:
    urls = [server.add(f"/pp{i}.xml", simple_rss(3, f"pp{i}")) for i in range(4)]
    library = open_library(tmp_path / "a", parse_processes=processes)
    for url in urls:
        library.subscribe(url)
    assert all(p.result.status is RefreshStatus.UPDATED for p in library.refresh())
    threaded = open_library(tmp_path / "b", parse_processes=0)
    for url in urls:
        threaded.subscribe(url)
    list(threaded.refresh())
    strip = lambda s: (s.title, s.link, s.published, s.guid)  # noqa: E731
    assert sorted(map(strip, library.stories(limit=None))) == sorted(map(strip, threaded.stories(limit=None)))
    library.close()
    threaded.close()
