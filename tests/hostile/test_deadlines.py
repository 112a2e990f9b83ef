"""Every request's total deadline holds whatever shape the answer takes, through the real
``newsreader add`` and ``newsreader refresh`` processes; a host that does not answer is asked once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.core.library import open_library
from tests.conftest import PYTHON, REPO, cli_env
from tests.support import rawserver
from tests.support.feeds import rss, simple_rss
from tests.support.httpserver import FeedServer

DEADLINE = 3
"""The library's ``request_timeout`` in these tests (seconds)."""
BOUND = 40.0
"""A command facing one hostile server must end well within this (the finding: > 150 s)."""
FEED = simple_rss(40, "drip").encode()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def newsreader(data: Path, *args: str, dns: Path | None = None) -> Run:
    env = cli_env(data)
    if dns is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests" / "support" / "dns_shim"), env["PYTHONPATH"]])
        env["NEWSREADER_TEST_DNS"] = str(dns)
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", *args], env=env, capture_output=True, text=True, timeout=BOUND * 3
    )
    return Run(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def prepared(tmp_path: Path, *urls: str) -> Path:
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as library:
        library.set_setting("request_timeout", str(DEADLINE))
        for url in urls:
            library.subscribe(url)
    return data


SHAPES = {
    "no length, dripping until close": (rawserver.no_length_drip(FEED), "http"),
    "chunked, dripping": (rawserver.chunked_drip(FEED), "http"),
    "dripping headers": (rawserver.header_drip, "http"),
    "stalled TLS handshake": (rawserver.tls_stall, "https"),
    "dripping TLS handshake": (rawserver.tls_drip, "https"),
}


@pytest.fixture(params=list(SHAPES))
def hostile(request: pytest.FixtureRequest) -> Iterator[rawserver.RawServer]:
    behaviour, scheme = SHAPES[request.param]
    server = rawserver.RawServer(behaviour, scheme)
    yield server
    server.close()


def test_add_ends_within_the_deadline(tmp_path: Path, hostile: rawserver.RawServer) -> None:
    data = prepared(tmp_path)
    run = newsreader(data, "add", hostile.url())
    assert run.returncode != 0
    assert run.seconds < BOUND, run
    message = run.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message, message
    assert hostile.url() in message
    with open_library(data, parse_processes=0) as library:
        assert library.feeds() == []


def test_refresh_ends_within_the_deadline_and_stores_the_good_feed(
    tmp_path: Path, hostile: rawserver.RawServer, server: FeedServer
) -> None:
    good = server.add("/good.xml", simple_rss(3, "good"))
    data = prepared(tmp_path, good, hostile.url())
    run = newsreader(data, "--json", "refresh")
    assert run.seconds < BOUND, run
    results = {r["url"]: r for r in json.loads(run.stdout)["feeds"]}
    assert results[good]["status"] == "updated" and results[good]["new"] == 3
    failed = results[hostile.url()]
    assert failed["status"] == "failed" and "\n" not in failed["error"], failed


def dns_rules(tmp_path: Path, **rules: object) -> tuple[Path, Path]:
    log = tmp_path / "dns.log"
    log.touch()
    config = tmp_path / "dns.json"
    config.write_text(json.dumps({**rules, "log": str(log)}))
    return config, log


def test_a_name_server_that_never_answers_is_asked_once_and_bounded(tmp_path: Path, server: FeedServer) -> None:
    config, log = dns_rules(tmp_path, slow=["slow.test"])
    good = server.add("/good.xml", simple_rss(2, "good"))
    slow = [f"http://news.slow.test:{server.port}/feed{i}.xml" for i in range(3)]
    data = prepared(tmp_path, good, *slow)
    run = newsreader(data, "--json", "refresh", dns=config)
    assert run.seconds < BOUND, run
    results = {r["url"]: r for r in json.loads(run.stdout)["feeds"]}
    assert results[good]["status"] == "updated"
    errors = [results[url]["error"] for url in slow]
    assert all(results[url]["status"] == "failed" for url in slow)
    assert sum("name server" in e for e in errors) >= 1, errors
    assert log.read_text().split().count("news.slow.test") == 1  # asked once in this refresh

    run = newsreader(data, "add", f"http://other.slow.test:{server.port}/feed.xml", dns=config)
    assert run.returncode != 0 and run.seconds < BOUND
    assert "name server" in run.stderr and "Traceback" not in run.stderr


def offline_feed(feed: int, stories: int, hosts: str) -> str:
    """Stories whose article pages and images live on hosts that do not resolve (*hosts*)."""
    return rss(
        [
            {
                "title": f"Story {feed}-{i}",
                "link": f"http://pages.{hosts}/{feed}/{i}",
                "guid": f"{feed}-{i}",
                "description": "<p>A summary.</p>"
                + "".join(f'<img src="http://img{k}.{hosts}/{feed}/{i}.png">' for k in range(3)),
            }
            for i in range(stories)
        ],
        title=f"Feed {feed}",
    )


def test_hosts_that_do_not_resolve_are_asked_once_per_refresh_then_paused(tmp_path: Path, server: FeedServer) -> None:
    config, log = dns_rules(tmp_path, fail=["nxdomain.test"])
    feeds = [server.add(f"/f{n}.xml", offline_feed(n, 10, "nxdomain.test")) for n in range(5)]
    data = prepared(tmp_path, *feeds)
    with open_library(data, parse_processes=0) as library:
        library.set_setting("full_articles", "on")
    run = newsreader(data, "refresh", dns=config)
    assert run.returncode == 0 and run.seconds < BOUND, run
    asked = log.read_text().split()
    hosts = ["pages.nxdomain.test", "img0.nxdomain.test", "img1.nxdomain.test", "img2.nxdomain.test"]
    assert {h: asked.count(h) for h in hosts} == dict.fromkeys(hosts, 1)  # 50 pages and 150 images: 4 look-ups
    with open_library(data, parse_processes=0) as library:
        assert library.story_count() == 50
        paused = library._storage().backed_off_hosts(datetime.now(UTC))
    assert {f"{h}:80" for h in hosts} <= set(paused)
    # the next refresh: the paused hosts are not asked, and what the stories lack waits for them
    log.write_text("")
    again = newsreader(data, "refresh", dns=config)
    assert again.returncode == 0 and again.seconds < BOUND, again
    assert [h for h in log.read_text().split() if h.endswith("nxdomain.test")] == []
    # at most the per-host cap of requests were in flight when the host failed; the rest wait
    failed = int(re.findall(r"Article pages: 0 downloaded, (\d+) failed", run.stdout)[0])
    assert 1 <= failed <= 4
    assert (
        f"Article pages: 0 downloaded, 0 failed, {50 - failed} left for the next refresh: "
        "pages.nxdomain.test did not answer lately." in again.stdout
    )
    # the first refresh names the host that did not answer as well, for the pages it did not ask it for
    assert f"{50 - failed} left for the next refresh: pages.nxdomain.test did not answer lately." in run.stdout
