"""A refresh without a network says "Offline" once and changes no feed; dead feeds among live ones
still fail — through the real ``newsreader refresh`` process and the loopback server."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

from newsreader.core.connectivity import LOST_MESSAGE, OFFLINE_MESSAGE
from newsreader.core.library import Library, open_library
from newsreader.core.models import RefreshStatus
from tests.hostile.test_deadlines import BOUND, dns_rules, newsreader, prepared
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def feed_rows(data: Path) -> dict[str, tuple[str | None, datetime | None, datetime | None]]:
    """url → (last error, last checked, next check)."""
    with open_library(data, parse_processes=0) as library:
        return {f.url: (f.last_error, f.last_checked, f.next_check) for f in library.feeds()}


def paused_hosts(data: Path) -> dict[str, datetime]:
    with open_library(data, parse_processes=0) as library:
        return library._storage().backed_off_hosts(datetime.now(UTC))


def test_no_network_says_offline_once_keeps_every_feed_and_refreshes_when_it_returns(
    tmp_path: Path, server: FeedServer
) -> None:
    hosts = [f"news{i}.net.test" for i in range(30)]
    for i in range(30):
        server.add(f"/f{i}.xml", simple_rss(3, f"f{i}"))
    urls = [f"http://{host}:{server.port}/f{i}.xml" for i, host in enumerate(hosts)]
    online, _ = dns_rules(tmp_path, loopback=["net.test"])
    data = prepared(tmp_path, *urls)
    first = newsreader(data, "refresh", "--no-pages", dns=online)
    assert first.returncode == 0, first
    before = feed_rows(data)
    assert all(error is None for error, _, _ in before.values())
    with open_library(data, parse_processes=0) as library:
        library.set_setting("workers", "4")

    offline_dir = tmp_path / "offline"
    offline_dir.mkdir()
    down, log = dns_rules(offline_dir, down=["net.test"])
    run = newsreader(data, "refresh", dns=down)
    assert run.returncode == 75, run
    assert run.stderr.strip() == f"newsreader: {OFFLINE_MESSAGE}"  # said once, and nothing else
    assert "Feeds: 30 not refreshed: the network is down." in run.stdout
    assert "Article pages" not in run.stdout  # the later stages do not run without a network
    assert feed_rows(data) == before  # no error, same last check, same schedule
    assert paused_hosts(data) == {}
    # it stopped early: 4 workers keep 12 requests in flight; at most those and the few started
    # before three servers had failed were made, not one for each of the 30 servers
    looked_up = set(log.read_text().split())
    assert 3 <= len(looked_up) <= 16, looked_up

    json_run = newsreader(data, "--json", "refresh", "--no-pages", dns=down)
    assert json_run.returncode == 75
    assert {r["status"] for r in json.loads(json_run.stdout)["feeds"]} == {"offline"}
    assert json_run.stderr.count(OFFLINE_MESSAGE) == 1

    server.add("/f0.xml", simple_rss(5, "f0"))  # news while we were away
    back = newsreader(data, "refresh", "--no-pages", dns=online)
    assert back.returncode == 0 and "Offline" not in back.stderr, back
    after = feed_rows(data)
    assert all(error is None for error, _, _ in after.values())
    assert all(after[url][1] > before[url][1] for url in urls)  # type: ignore[operator]
    assert "2 new stories" in back.stdout


def test_dead_servers_among_live_ones_fail_as_before(tmp_path: Path, server: FeedServer) -> None:
    good = [server.add(f"/g{i}.xml", simple_rss(2, f"g{i}")) for i in range(5)]
    dead = [f"http://127.0.0.1:{closed_port()}/feed.xml" for _ in range(4)]
    config, _ = dns_rules(tmp_path, fail=["gone.test"])
    missing = "http://news.gone.test/feed.xml"
    data = prepared(tmp_path, *dead, missing, *good)
    run = newsreader(data, "--json", "refresh", "--no-pages", dns=config)
    assert run.returncode == 3 and run.seconds < BOUND, run
    assert "Offline" not in run.stderr
    status = {r["url"]: r["status"] for r in json.loads(run.stdout)["feeds"]}
    assert {status[u] for u in good} == {"updated"}
    assert {status[u] for u in [*dead, missing]} == {"failed"}
    rows = feed_rows(data)
    assert all("refused" in (rows[u][0] or "") for u in dead)
    assert "could not be found" in (rows[missing][0] or "")
    assert {f"127.0.0.1:{u.split(':')[2].split('/')[0]}" for u in dead} <= set(paused_hosts(data))


def test_one_or_two_dead_servers_alone_are_their_own_failures_but_no_network_is_offline(
    tmp_path: Path, server: FeedServer
) -> None:
    refused = [f"http://127.0.0.1:{closed_port()}/feed.xml" for _ in range(2)]
    data = prepared(tmp_path, *refused)
    run = newsreader(data, "refresh", "--no-pages")
    assert run.returncode == 3 and "Offline" not in run.stderr, run
    assert all("refused" in (error or "") for error, _, _ in feed_rows(data).values())

    # a lone feed whose name server says "try again" (EAI_AGAIN): that is the network, not the feed
    other = tmp_path / "lone"
    other.mkdir()
    config, _ = dns_rules(other, down=["down.test"])
    lone = prepared(other, f"http://news.down.test:{server.port}/feed.xml")
    run = newsreader(lone, "refresh", "--no-pages", dns=config)
    assert run.returncode == 75 and OFFLINE_MESSAGE in run.stderr, run
    assert [error for error, _, _ in feed_rows(lone).values()] == [None]


def test_dead_servers_failing_before_any_live_one_answers_are_not_taken_for_a_network_down(
    tmp_path: Path, server: FeedServer
) -> None:
    """The live servers answer only once all of them have been asked, so the dead ones (refused at
    once) have all failed first: the answers in flight must still rule out a network down."""
    live = 4
    together = threading.Barrier(live, timeout=30)

    def answer_together(request: object) -> None:
        together.wait()
        body = simple_rss(2, request.path.strip("/")).encode()  # type: ignore[attr-defined]
        request.send_response(200)  # type: ignore[attr-defined]
        request.send_header("Content-Type", "application/rss+xml")  # type: ignore[attr-defined]
        request.send_header("Content-Length", str(len(body)))  # type: ignore[attr-defined]
        request.end_headers()  # type: ignore[attr-defined]
        request.wfile.write(body)  # type: ignore[attr-defined]

    good = [server.add(f"/l{i}.xml", handler=answer_together) for i in range(live)]
    dead = [f"http://127.0.0.1:{closed_port()}/feed.xml" for _ in range(6)]
    with open_library(tmp_path / "data", parse_processes=0) as library:
        for url in dead + good:
            library.subscribe(url)
        results = {s.feed.url: s.feed.status for s in library.update(offline=False, workers=10) if s.feed}
        assert {results[u] for u in good} == {RefreshStatus.UPDATED}
        assert {results[u] for u in dead} == {RefreshStatus.FAILED}
        assert all(f.last_error for f in library.feeds() if f.url in dead)


def test_a_refresh_cut_short_by_the_network_leaves_later_feeds_due(tmp_path: Path) -> None:
    """Feeds never asked because the network was found down keep their schedule: still due."""
    urls = [f"http://127.0.0.1:{closed_port()}/f{i}.xml" for i in range(20)]
    library: Library
    with open_library(tmp_path / "data", parse_processes=0) as library:
        for url in urls:
            library.subscribe(url)
        steps = list(library.update(workers=1))
        assert steps[-1].offline and steps[-1].finished
        assert {s.feed.status for s in steps if s.feed} == {RefreshStatus.OFFLINE}
        assert len(steps) == 21  # one per feed and the feeds' summary: no other stage ran
        due = list(library.update(due_only=True, workers=1))
        assert due[-1].total == 20  # every feed is still due


def test_a_network_lost_during_the_refresh_leaves_the_feeds_not_reached_as_they_were(
    tmp_path: Path, server: FeedServer
) -> None:
    """A train enters a tunnel: the first feeds were fetched, then every name look-up says "try
    again". The feeds not reached keep no error, stay due and their servers are not paused; the
    refresh says so once and ends early."""
    live = [server.add(f"/live{i}.xml", simple_rss(2, f"live{i}")) for i in range(2)]
    live = [url.replace("127.0.0.1", f"live{i}.net.test") for i, url in enumerate(live)]
    for i in range(20):
        server.add(f"/gone{i}.xml", simple_rss(2, f"gone{i}"))
    gone = [f"http://gone{i}.down.test:{server.port}/gone{i}.xml" for i in range(20)]
    config, log = dns_rules(tmp_path, loopback=["net.test"], down=["down.test"])
    data = prepared(tmp_path, *live, *gone)
    before = feed_rows(data)
    run = newsreader(data, "refresh", "--no-pages", "--workers", "1", dns=config)
    assert run.returncode == 75, run
    assert run.stderr.strip() == f"newsreader: {LOST_MESSAGE}"
    summary = "Feeds: 2 of 22 refreshed, 4 new stories, 0 failed; the network was lost, 20 left for the next refresh."
    assert summary in run.stdout, run.stdout
    rows = feed_rows(data)
    assert all(rows[url][0] is None and rows[url][1] is not None for url in live)
    assert {url: rows[url] for url in gone} == {url: before[url] for url in gone}  # no error, still due
    assert paused_hosts(data) == {}
    asked = [host for host in log.read_text().split() if host.endswith("down.test")]
    # it stopped asking once three servers had failed that way since the last answer (the requests
    # already queued, up to 9 with one worker, still ran)
    assert 3 <= len(set(asked)) < len(gone), asked


def test_a_name_server_failing_for_one_feed_among_answers_is_that_feeds_failure(
    tmp_path: Path, server: FeedServer
) -> None:
    """One or two look-ups saying "try again" among feeds that answer are not a lost network."""
    urls = [server.add(f"/ok{i}.xml", simple_rss(1, f"ok{i}")) for i in range(3)]
    urls = [url.replace("127.0.0.1", f"ok{i}.net.test") for i, url in enumerate(urls)]
    flaky = f"http://news.down.test:{server.port}/ok0.xml"
    config, _ = dns_rules(tmp_path, loopback=["net.test"], down=["down.test"])
    data = prepared(tmp_path, urls[0], flaky, *urls[1:])
    run = newsreader(data, "--json", "refresh", "--no-pages", "--workers", "1", dns=config)
    assert run.returncode == 3, run
    status = {r["url"]: r["status"] for r in json.loads(run.stdout)["feeds"]}
    assert status == {**dict.fromkeys(urls, "updated"), flaky: "failed"}
    assert "(DNS)" in (feed_rows(data)[flaky][0] or "")
