"""Sync accounts end to end: the real ``newsreader`` process, a real library file, coldsweat (a real
Fever server) on 127.0.0.1 — wrong password, the password kept out of the library, read/star going to
the server, the offline queue replayed after a restart, the conflict rules, a refused change shown with
its reason, incremental sync, and SIGKILL at any moment of a sync."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsreader.core.fetch import Fetcher
from newsreader.core.sync.fever import FeverClient
from tests.conftest import cli_env
from tests.support.httpserver import FeedServer
from tests.support.syncservers import Coldsweat, coldsweat
from tests.sync.test_coldsweat_server import atom, subscribe

CLI = [sys.executable, "-m", "newsreader"]


@pytest.fixture
def fever_server(tmp_path: Path) -> Iterator[Coldsweat]:
    yield from coldsweat(tmp_path / "server")


class Reader:
    """The newsreader command on one library."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.env = cli_env(data)

    def run(
        self, *args: str, stdin: str | None = None, ok: bool = True, pages: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run ``newsreader *args*``; a ``sync`` downloads no article pages unless *pages* (these
        tests' stories link to hosts that are not ours to ask)."""
        if args[:1] == ("sync",) and not pages:
            args = (*args, "--no-pages")
        result = subprocess.run(
            [*CLI, *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=180, check=False
        )
        assert "Traceback" not in result.stderr, result.stderr
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        db = sqlite3.connect(self.data / "library.sqlite3", timeout=10)
        try:
            with db:
                return db.execute(statement).fetchall()
        finally:
            db.close()


def add_freshrss(reader: Reader, model: Any) -> None:
    """Add the FreshRSS model as the Google Reader API account "fr" of alice."""
    reader.run(
        "account",
        "add",
        "fr",
        "--kind",
        "greader",
        "--url",
        model.url(),
        "--user",
        "alice",
        "--password-stdin",
        stdin="alice-api-pw\n",
    )


@pytest.fixture
def reader(tmp_path: Path, keyring_file: Path) -> Reader:
    return Reader(tmp_path / "data")


def add(reader: Reader, server: Coldsweat, name: str = "cs") -> None:
    reader.run(
        "account",
        "add",
        name,
        "--kind",
        "fever",
        "--url",
        server.fever,
        "--user",
        server.email,
        "--password-stdin",
        stdin=server.password + "\n",
    )


def fever(server: Coldsweat) -> FeverClient:
    return FeverClient(server.fever, server.email, server.password, Fetcher())


def test_wrong_password_and_where_the_password_lives(
    reader: Reader, fever_server: Coldsweat, keyring_file: Path
) -> None:
    refused = reader.run(
        "account",
        "add",
        "cs",
        "--kind",
        "fever",
        "--url",
        fever_server.fever,
        "--user",
        fever_server.email,
        "--password-stdin",
        stdin="not-the-password\n",
        ok=False,
    )
    assert refused.returncode == 1
    assert refused.stderr == (
        f"newsreader: {fever_server.fever} refused the user name or password of {fever_server.email}.\n"
    )
    assert reader.json("account", "list") == []
    add(reader, fever_server)
    [account] = reader.json("account", "list")
    assert (account["name"], account["kind"], account["url"]) == ("cs", "fever", fever_server.fever)
    assert "password" not in json.dumps(account)
    assert fever_server.password in keyring_file.read_text()
    library = (reader.data / "library.sqlite3").read_bytes()
    assert fever_server.password.encode() not in library
    again = reader.run(
        "account",
        "add",
        "CS",
        "--kind",
        "fever",
        "--url",
        fever_server.fever,
        "--user",
        "x",
        "--password-stdin",
        stdin="x\n",
        ok=False,
    )
    assert again.stderr == "newsreader: There is already an account named 'CS'.\n"
    reader.run("account", "remove", "cs")
    assert reader.json("account", "list") == []
    assert fever_server.password not in keyring_file.read_text()


def test_sync_read_star_offline_queue_and_conflicts(
    reader: Reader, fever_server: Coldsweat, server: FeedServer, tmp_path: Path
) -> None:
    subscribe(fever_server, server, tmp_path, {"Alpha": ("News", 6), "Beta": ("Misc", 4)})
    add(reader, fever_server)
    [report] = reader.json("sync")
    assert (report["new_stories"], report["error"]) == (10, None)
    feeds = {f["title"]: f for f in reader.json("feeds")}
    assert feeds["Alpha"]["account"] == "cs"
    assert feeds["Alpha"]["folder"] == "cs/News"
    stories = {s["title"]: s for s in reader.json("stories", "--limit", "100")}
    assert len(stories) == 10
    assert all(s["account"] == "cs" for s in stories.values())
    a0, a1, b0 = stories["Alpha story 0"], stories["Alpha story 1"], stories["Beta story 0"]
    remote = {item.title: item.id for page in fever(fever_server).items_since("0") for item in page}

    # read and star go to the server at the next sync
    reader.run("read", str(a0["id"]))
    reader.run("star", str(b0["id"]))
    assert [(c["op"], c["title"]) for c in reader.json("account", "changes")] == [
        ("read", "Alpha story 0"),
        ("star", "Beta story 0"),
    ]
    [report] = reader.json("sync")
    assert report["sent"] == 2
    assert remote["Alpha story 0"] not in fever(fever_server).unread_ids()
    assert fever(fever_server).saved_ids() == (remote["Beta story 0"],)
    assert reader.json("account", "changes") == []

    # offline: changes wait in the library, through a restart of the program, until the server answers
    fever_server.stop()
    reader.run("star", str(a1["id"]))
    failed = reader.run("sync", ok=False)
    assert failed.returncode == 1
    assert "stopped:" in failed.stdout and "(1 change still queued)" in failed.stdout
    [account] = reader.json("account", "list")
    assert (account["queued"], account["last_error"] is not None) == (1, True)
    fever_server.start()
    [report] = reader.json("sync")
    assert (report["sent"], report["error"]) == (1, None)
    assert set(fever(fever_server).saved_ids()) == {remote["Beta story 0"], remote["Alpha story 1"]}

    # conflict: read here, then unread on the server since the last sync → the server wins
    reader.run("unread", str(a0["id"]))
    reader.run("read", str(a0["id"]))  # net: read again, after the server marked it unread
    fever(fever_server).mark_item(remote["Alpha story 0"], "unread")
    # …but a local star is never lost: unstarred on the server, starred again here
    fever(fever_server).mark_item(remote["Beta story 0"], "unsaved")
    reader.run("unstar", str(b0["id"]))
    reader.run("star", str(b0["id"]))
    [report] = reader.json("sync")
    assert report["superseded"] == 1
    after = {s["title"]: s for s in reader.json("stories", "--limit", "100")}
    assert after["Alpha story 0"]["read"] is False
    assert remote["Alpha story 0"] in fever(fever_server).unread_ids()
    assert after["Beta story 0"]["starred"] is True
    assert remote["Beta story 0"] in fever(fever_server).saved_ids()

    # changes made on the server come home; new items arrive incrementally
    fever(fever_server).mark_item(remote["Beta story 1"], "read")
    server.add("/Alpha.atom", atom(server, "Alpha", 8), content_type="application/atom+xml")
    fever_server.fetch()
    [report] = reader.json("sync")
    assert report["new_stories"] == 2
    after = {s["title"]: s for s in reader.json("stories", "--limit", "100")}
    assert after["Beta story 1"]["read"] is True
    assert {"Alpha story 6", "Alpha story 7"} <= set(after)
    assert len(after) == 12

    # Fever cannot unsubscribe or rename: said at once, nothing changes here
    refused = reader.run("remove", str(feeds["Beta"]["id"]), ok=False)
    assert refused.stderr == (
        "newsreader: The Fever API has no way to unsubscribe; remove the feed on the server's own page.\n"
    )
    assert reader.run("rename", str(feeds["Beta"]["id"]), "B", ok=False).returncode == 1
    assert {f["title"] for f in reader.json("feeds")} == {"Alpha", "Beta"}

    # a change the server refuses is kept with its reason and not sent again
    # (an item the server no longer knows and never reported a state for)
    reader.sql(
        "UPDATE stories SET remote_id = '987654321', remote_read = NULL, remote_starred = NULL "
        f"WHERE id = {after['Beta story 2']['id']}"
    )
    reader.run("read", str(after["Beta story 2"]["id"]))
    result = reader.run("sync")
    assert "refused: read 987654321:" in result.stdout
    [change] = reader.json("account", "changes")
    assert change["op"] == "read" and change["refused"].startswith(fever_server.fever)
    assert reader.json("sync")[0]["refused"] == []  # not sent again


def coldsweat_reads(server: Coldsweat) -> int:
    database = server.env["FLASK_DATABASE_URL"].removeprefix("sqlite:///")
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return int(db.execute("SELECT count(*) FROM read").fetchone()[0])
    finally:
        db.close()


@pytest.mark.parametrize("kill_at", [1, 17, 45])
def test_sigkill_during_a_sync_loses_no_change(
    reader: Reader, fever_server: Coldsweat, server: FeedServer, tmp_path: Path, kill_at: int
) -> None:
    subscribe(fever_server, server, tmp_path, {"Many": ("News", 60)})
    add(reader, fever_server)
    reader.run("sync")
    reader.run("mark-all-read")
    assert len(reader.json("account", "changes")) == 60

    process = subprocess.Popen(
        [*CLI, "sync", "--no-pages"],
        env=reader.env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        # killed once the server has applied kill_at of the 60 changes (Fever marks one item a request)
        while coldsweat_reads(fever_server) < kill_at and process.poll() is None and time.monotonic() < deadline:
            pass
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert coldsweat_reads(fever_server) >= kill_at
    assert reader.sql("PRAGMA integrity_check") == [("ok",)]
    waiting = len(reader.json("account", "changes"))
    assert waiting in (0, 60)  # a batch leaves the queue only once the server took all of it

    reader.run("sync")
    assert reader.json("account", "changes") == []
    assert fever(fever_server).unread_ids() == ()
    assert all(s["read"] for s in reader.json("stories", "--limit", "100"))
    assert reader.sql("SELECT count(*) FROM stories")[0][0] == 60


def test_a_tiny_tiny_rss_account(reader: Reader) -> None:
    from newsreader.core.sync.ttrss import STARRED, TTRSSClient
    from tests.support.syncservers import ttrss_user
    from tests.sync.test_ttrss_server import rss

    ttrss = ttrss_user()
    client = TTRSSClient(ttrss.url, ttrss.user, ttrss.password, Fetcher())
    feed = client.subscribe(ttrss.feed_url(f"{ttrss.user}-acct.xml", rss("Acct", 5)))
    client.call("updateFeed", feed_id=int(feed.feed_id))
    reader.run(
        "account",
        "add",
        "tt",
        "--kind",
        "ttrss",
        "--url",
        ttrss.url,
        "--user",
        ttrss.user,
        "--password-stdin",
        stdin=ttrss.password + "\n",
    )
    [report] = reader.json("sync")
    assert (report["new_stories"], report["error"]) == (5, None)
    stories = {s["title"]: s for s in reader.json("stories")}
    assert {s["account"] for s in stories.values()} == {"tt"}
    reader.run("read", str(stories["Acct story 0"]["id"]), str(stories["Acct story 1"]["id"]))
    reader.run("star", str(stories["Acct story 2"]["id"]))
    [report] = reader.json("sync")
    assert report["sent"] == 3
    assert len(client.item_ids(view_mode="unread")) == 3
    assert len(client.item_ids(STARRED)) == 1


def test_a_google_reader_account(reader: Reader, tmp_path: Path) -> None:
    """Against the FreshRSS model (checked against the recorded traffic): paging, edits both ways,
    a stale Auth renewed, the conflict rules."""
    from tests.support.freshrss import Entry, FreshRSS

    model = FreshRSS()
    try:
        for n, folder in ((1, "Tech"), (2, "Hardware"), (3, "Tech")):
            model.add_feed(f"Feed {n}", f"https://f{n}.example/feed", f"https://f{n}.example/", folder)
        model.crawl(
            {
                n: [
                    Entry(
                        f"F{n} story {k} & more",
                        f"https://f{n}.example/{k}",
                        "W",
                        "<p>x</p>",
                        1_790_000_000 + k * 60 + n,
                    )
                    for k in range(110)
                ]
                for n in (1, 2, 3)
            },
            1_795_000_000_000_000,
        )
        add_freshrss(reader, model)
        [report] = reader.json("sync")
        assert (report["new_stories"], report["error"]) == (330, None)  # two pages of 250 and a last empty one
        # nothing new: one page says so (the 330 items share one crawl second, which `ot` alone resends)
        before = model.stream_pages
        assert reader.json("sync")[0]["new_stories"] == 0
        assert model.stream_pages - before == 1
        feeds = {f["title"]: f for f in reader.json("feeds")}
        assert (feeds["Feed 1"]["folder"], feeds["Feed 1"]["account"]) == ("fr/Tech", "fr")
        stories = {s["title"]: s for s in reader.json("stories", "--limit", "400")}
        assert "F1 story 0 ＆ more" in stories
        first, second = stories["F1 story 0 ＆ more"], stories["F2 story 5 ＆ more"]

        reader.run("read", str(first["id"]))
        reader.run("star", str(second["id"]))
        model.items[max(model.items)].read = True  # read on another device
        model.auth = "alice/" + "f" * 40  # the server forgot the session: the client logs in again
        [report] = reader.json("sync")
        assert (report["sent"], report["states_changed"], report["error"]) == (2, 1, None)
        remote = {item.title: item for item in model.items.values()}
        assert remote["F1 story 0 ＆ more"].read and remote["F2 story 5 ＆ more"].starred

        # both sides changed the same story: the server wins; a local star is never lost
        reader.run("unread", str(first["id"]))
        reader.run("read", str(first["id"]))
        remote["F1 story 0 ＆ more"].read = False
        reader.run("unstar", str(second["id"]))
        reader.run("star", str(second["id"]))
        remote["F2 story 5 ＆ more"].starred = False
        [report] = reader.json("sync")
        assert report["superseded"] == 1
        after = {s["title"]: s for s in reader.json("stories", "--limit", "400")}
        assert after["F1 story 0 ＆ more"]["read"] is False
        assert not remote["F1 story 0 ＆ more"].read
        assert after["F2 story 5 ＆ more"]["starred"] is True and remote["F2 story 5 ＆ more"].starred

        # new items since the last sync only
        model.crawl(
            {3: [Entry("Fresh", "https://f3.example/fresh", "W", "<p>new</p>", 1_795_100_000)]}, 1_900_000_000_000_000
        )
        [report] = reader.json("sync")
        assert report["new_stories"] == 1

        # subscribe, rename and unsubscribe go to the server at the next sync
        offered = [Entry("Offered story", "https://new.example/1", "W", "<p>o</p>", 1_795_200_000)]
        model.offered["https://new.example/feed"] = ("New feed", "https://new.example/", "", offered)
        reader.run("add", "https://new.example/feed", "--account", "fr", "--folder", "fr/Hardware")
        reader.run("rename", str(feeds["Feed 1"]["id"]), "Renamed here")
        reader.run("remove", str(feeds["Feed 3"]["id"]))
        [report] = reader.json("sync")
        assert (report["sent"], report["refused"], report["error"]) == (3, [], None)
        titles = {feed.title: feed.folder for feed in model.feeds.values()}
        assert titles == {"Renamed here": "Tech", "Feed 2": "Hardware", "New feed": "Hardware"}
        feeds = {f["title"]: f for f in reader.json("feeds")}
        assert set(feeds) == {"Renamed here", "Feed 2", "New feed"}
        assert feeds["New feed"]["folder"] == "fr/Hardware"
        assert any(s["title"] == "Offered story" for s in reader.json("stories", "--limit", "500"))
    finally:
        model.close()


def test_sigkill_during_a_first_sync_resumes_without_losing_or_doubling(reader: Reader) -> None:
    """Killed once the first batch of a newest-first stream (the Google Reader API) is stored: the
    next sync asks again for what the first did not finish, and stores each item once."""
    kill_after = 1
    from tests.support.freshrss import Entry, FreshRSS

    model = FreshRSS()
    try:
        for n in range(1, 11):
            model.add_feed(f"Feed {n}", f"https://f{n}.example/feed", f"https://f{n}.example/", "News")
        for n in range(1, 11):  # ten crawls, ten seconds apart: the stream's pages span them
            entries = [
                Entry(f"F{n}-{k}", f"https://f{n}.example/{k}", "W", "<p>x</p>", 1_790_000_000 + k) for k in range(250)
            ]
            model.crawl({n: entries}, 1_795_000_000_000_000 + n * 10_000_000)
        add_freshrss(reader, model)
        process = subprocess.Popen(
            [*CLI, "sync", "--no-pages"],
            env=reader.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        stored = 0
        try:
            while stored < kill_after and process.poll() is None and time.monotonic() < deadline:
                stored = reader.sql("SELECT count(*) FROM stories")[0][0]
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        assert reader.sql("PRAGMA integrity_check") == [("ok",)]
        [report] = reader.json("sync")
        assert report["error"] is None
        assert 0 < stored < 2500
        assert reader.sql("SELECT count(*), count(DISTINCT remote_id) FROM stories") == [(2500, 2500)]
        assert reader.sql("SELECT count(*) FROM stories_fts") == [(2500,)]
    finally:
        model.close()


def test_a_sync_makes_its_new_stories_complete_for_offline_reading(reader: Reader, server: FeedServer) -> None:
    """As a refresh does for local feeds and the app does after a sync: the command downloads the new
    stories' article pages and images."""
    from tests.core.test_page_fetching import serve_articles
    from tests.support.freshrss import Entry, FreshRSS

    names = ["alpha", "beta"]
    serve_articles(server, [*names, "gamma"])
    model = FreshRSS()
    try:
        model.add_feed("Teasers", server.url("/teasers.xml"), server.url("/"), "News")
        entries = [
            Entry(name, server.url(f"/articles/{name}.html"), "W", "<p>A teaser.</p>", 1_790_000_000) for name in names
        ]
        model.crawl({1: entries}, 1_795_000_000_000_000)
        add_freshrss(reader, model)
        reader.run("sync")  # the account's feeds arrive with their first stories
        feed = reader.json("feeds")[0]
        reader.run("set", str(feed["id"]), "--full-articles", "on")
        model.crawl(
            {1: [Entry("gamma", server.url("/articles/gamma.html"), "W", "<p>A teaser.</p>", 1_790_000_100)]},
            1_796_000_000_000_000,
        )
        result = reader.run("sync", pages=True)
        assert "Article pages: 3 downloaded, 0 failed." in result.stdout.splitlines()
        assert reader.sql("SELECT count(*) FROM story_pages WHERE html IS NOT NULL") == [(3,)]
        paths = {h.path for h in server.hits}
        assert {"/articles/alpha.html", "/articles/gamma.html", "/img/gamma.png"} <= paths
    finally:
        model.close()
