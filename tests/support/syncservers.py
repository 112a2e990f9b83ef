"""The real sync servers of ``scripts/sync-servers.sh``: Tiny Tiny RSS (started by that script, found
through its address file) and coldsweat (installed by it, started here per test).

When a server is missing the tests skip, saying how to get it, unless ``NEWSREADER_REQUIRE_SYNC_SERVERS``
is set (CI sets it), in which case they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("NEWSREADER_SYNC_SERVERS", "/tmp/newsreader-sync-servers"))
COLDSWEAT = Path(os.environ.get("NEWSREADER_COLDSWEAT", REPO / ".venv-coldsweat"))


def unavailable(reason: str) -> NoReturn:
    """Skip (or, where the servers are required, fail) because a server is missing."""
    if os.environ.get("NEWSREADER_REQUIRE_SYNC_SERVERS"):
        pytest.fail(f"{reason} (NEWSREADER_REQUIRE_SYNC_SERVERS is set)")
    pytest.skip(f"{reason}: run scripts/sync-servers.sh start")


@dataclass(frozen=True)
class TTRSS:
    """The running Tiny Tiny RSS and one fresh user of it."""

    url: str
    pg: str
    feeds_dir: Path
    feeds_url: str | None
    user: str
    password: str

    def sql(self, statement: str) -> str:
        """Run SQL against tt-rss's database (to set up what its admin pages would); returns stdout."""
        result = subprocess.run(
            ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", self.pg, "-c", statement],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def uid(self) -> int:
        return int(self.sql(f"select id from ttrss_users where login = '{self.user}'"))

    def feed_url(self, name: str, document: str) -> str:
        """Serve *document* on the feed server tt-rss may fetch from; returns its address."""
        if self.feeds_url is None:
            unavailable("the feed server on 127.0.0.1:80 is not running (scripts/sync-servers.sh needs root for it)")
        (self.feeds_dir / name).write_text(document, encoding="utf-8")
        return f"{self.feeds_url}/{name}"

    def change_feed(self, name: str, document: str) -> None:
        """Replace a served feed so that tt-rss's next update reads it: the file's time moves past
        the If-Modified-Since tt-rss sends, and tt-rss's own 30-second copy of the feed is aged, as
        if the crawler ran a while later."""
        url = self.feed_url(name, document)
        later = time.time() + 5
        os.utime(self.feeds_dir / name, (later, later))
        cached = self.feeds_dir.parent / "cache" / "feeds" / f"{hashlib.sha1(url.encode()).hexdigest()}.xml"
        if cached.exists():
            earlier = time.time() - 3600
            os.utime(cached, (earlier, earlier))


def ttrss_user(api_access: bool = True) -> TTRSS:
    """A new user (with API access unless told otherwise) on the running Tiny Tiny RSS."""
    env_file = STATE / "ttrss.env"
    if not env_file.exists():
        unavailable(f"Tiny Tiny RSS is not running here ({env_file} is missing)")
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    user = f"t{secrets.token_hex(6)}"
    password = secrets.token_urlsafe(12)
    server = TTRSS(
        url=values["TTRSS_URL"],
        pg=values["TTRSS_PG"],
        feeds_dir=Path(values["TTRSS_FEEDS_DIR"]),
        feeds_url=values.get("TTRSS_FEEDS_URL") or None,
        user=user,
        password=password,
    )
    digest = hashlib.sha1(password.encode()).hexdigest()  # tt-rss's legacy form; it rehashes on first login
    server.sql(f"insert into ttrss_users (login, pwd_hash, access_level) values ('{user}', 'SHA1:{digest}', 0)")
    if api_access:
        server.sql(
            "insert into ttrss_user_prefs (owner_uid, pref_name, value) "
            f"select id, 'ENABLE_API_ACCESS', 'true' from ttrss_users where login = '{user}'"
        )
    return server


@dataclass(frozen=True)
class Coldsweat:
    """A coldsweat server started for one test: its Fever endpoint and its one user."""

    url: str
    fever: str
    email: str
    password: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [str(COLDSWEAT / "bin" / "flask"), "--app", "coldsweat", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def import_opml(self, opml: Path) -> None:
        """Subscribe the user to an OPML file's feeds and fetch them (Fever has no subscribe call)."""
        self.flask("import", str(opml), self.email, "--fetch")

    def start(self) -> None:
        """Run the server (again, on the same port and database) until it answers."""
        port = self.url.rpartition(":")[2]
        log_path = Path(self.env["HOME"]) / "coldsweat.log"
        log = log_path.open("ab")
        process = subprocess.Popen(
            [str(COLDSWEAT / "bin" / "flask"), "--app", "coldsweat", "run", "--host", "127.0.0.1", "--port", port],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.fever}?api", timeout=2).read()
                return
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text()) from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (the database stays)."""
        while self.processes:
            process = self.processes.pop()
            process.terminate()
            process.wait(timeout=10)

    def fetch(self) -> None:
        """Re-fetch every feed, as coldsweat's cron job would once its 3-minute minimum interval
        has passed (the last check is moved back so that it has)."""
        database = self.env["FLASK_DATABASE_URL"].removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(database)) as connection, connection:
            connection.execute("update feeds set last_checked_on = '2000-01-01 00:00:00'")
        self.flask("fetch")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def coldsweat(tmp_path: Path) -> Iterator[Coldsweat]:
    """Start coldsweat on 127.0.0.1 with a fresh database and user; stop it afterwards."""
    if not (COLDSWEAT / "bin" / "flask").exists():
        unavailable(f"coldsweat is not installed here ({COLDSWEAT} is missing)")
    tmp_path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "FLASK_DATABASE_URL": f"sqlite:///{tmp_path / 'coldsweat.db'}",
        "FLASK_SECRET_KEY": secrets.token_hex(16),
        "NO_PROXY": "*",
    }
    server = Coldsweat(
        f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/fever", "alice@example.org", "alice-pw-123", env
    )
    server.flask("setup", server.email, "--password", server.password)
    server.start()
    try:
        yield server
    finally:
        server.stop()
