"""Sync speed: a first sync of many feeds and items, then an incremental sync of a few hundred changes,
with the real ``newsreader`` process against the FreshRSS model (Google Reader API, checked against
the recorded FreshRSS traffic: ``tests/support/freshrss.py``) and against coldsweat (a real Fever
server) on 127.0.0.1.

Workload: the first FEEDS feeds of the shared benchmark corpus (``../shared/bench``, the refresh
benchmark's feeds; 578 feeds hold 20,000 items). Set-up (not measured): the model is filled with their
items, parsed; coldsweat (``scripts/sync-servers.sh start`` installs it in .venv-coldsweat) imports
them from a loopback server and fetches them. Then, for each server:

- first sync: ``newsreader sync`` into an empty library (every folder, feed, item and state);
- incremental: CHANGES/2 stories marked read here and CHANGES/2 other items marked read on the server,
  then ``newsreader sync`` (sends the queue, fetches what changed).

usage: python bench/sync.py [--feeds 578] [--changes 200] [--servers freshrss,coldsweat] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from harness import Measurement, ensure_corpus, machine, run_measured

REPO = Path(__file__).resolve().parent.parent
COLDSWEAT = Path(os.environ.get("NEWSREADER_COLDSWEAT", REPO / ".venv-coldsweat"))
BASE = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def fever_call(url: str, key: str, query: str, body: str = "") -> dict[str, object]:
    data = f"api_key={key}{body}".encode()
    with urllib.request.urlopen(f"{url}?api{query}", data, timeout=120) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def reader_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
        "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.FileKeyring",
        "NEWSREADER_TEST_KEYRING": str(work / "keyring.json"),
    }


def first_and_incremental(
    work: Path, kind: str, url: str, user: str, password: str, changes: int, server_side: Any
) -> tuple[Measurement, Measurement, int, int]:
    """``account add``, a measured first sync, *changes*/2 local reads plus *changes*/2 server-side
    reads (``server_side(count)``), a measured second sync."""
    data = work / f"newsreader-{kind}"
    env = reader_env(work)
    cli = [sys.executable, "-m", "newsreader", "--data-dir", str(data)]
    subprocess.run(
        [*cli, "account", "add", kind, "--kind", kind, "--url", url, "--user", user, "--password-stdin"],
        input=password + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    first = run_measured([*cli, "sync"], env=env)
    db = sqlite3.connect(data / "library.sqlite3")
    stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    feeds = db.execute("SELECT count(*) FROM feeds").fetchone()[0]
    local = [row[0] for row in db.execute("SELECT id FROM stories ORDER BY id LIMIT ?", (changes // 2,))]
    db.close()
    subprocess.run([*cli, "read", *map(str, local)], env=env, check=True, capture_output=True)
    server_side(changes // 2)
    incremental = run_measured([*cli, "sync"], env=env)
    return first, incremental, feeds, stories


def corpus_feeds(args: argparse.Namespace) -> list[Path]:
    """The first FEEDS feed files of the shared benchmark corpus (the refresh benchmark's workload)."""
    corpus = ensure_corpus(1000, Path(args.corpus))
    return sorted((corpus / "feeds").iterdir())[: args.feeds]


def freshrss_model(feeds: list[Path]) -> Any:
    """A running FreshRSS model (``tests/support/freshrss.py``) holding the items of *feeds* (corpus
    files), in 12 folders, crawled at once; the caller closes it."""
    sys.path.insert(0, str(REPO))
    from tests.support.freshrss import Entry, FreshRSS

    from newsreader.core.parse import parse_feed

    model = FreshRSS()
    batches = {}
    for index, path in enumerate(feeds):
        feed = parse_feed(path.read_bytes(), f"http://bench.example/{path.name}")
        feed_id = model.add_feed(
            feed.title or path.name,
            f"http://bench.example/{path.name}",
            feed.site_url or "",
            f"Folder {index % 12}",
        )
        batches[feed_id] = [
            Entry(
                e.title,
                e.link or f"http://bench.example/{path.name}#{e.key}",
                e.author or "",
                e.content_html or e.summary_html,
                int((e.published or BASE).timestamp()),
                list(e.categories),
            )
            for e in feed.entries
        ]
    model.crawl(batches, 1_795_000_000_000_000)
    return model


def freshrss(args: argparse.Namespace, work: Path) -> tuple[Measurement, Measurement, int, int]:
    model = freshrss_model(corpus_feeds(args))
    try:

        def server_side(count: int) -> None:
            for item in sorted(model.items.values(), key=lambda i: -i.id)[:count]:
                item.read = True

        return first_and_incremental(
            work, "greader", model.url(), model.user, model.password, args.changes, server_side
        )
    finally:
        model.close()


def coldsweat(args: argparse.Namespace, work: Path) -> tuple[Measurement, Measurement, int, int]:
    flask = COLDSWEAT / "bin" / "flask"
    if not flask.exists():
        sys.exit(f"{flask} is missing: run scripts/sync-servers.sh start")
    site = work / "site"
    site.mkdir()
    feed_port = free_port()
    outlines = []
    for index, path in enumerate(corpus_feeds(args)):
        (site / path.name).write_bytes(path.read_bytes())
        outline = f'<outline type="rss" text="{path.name}" xmlUrl="http://127.0.0.1:{feed_port}/{path.name}"/>'
        outlines.append((f"Folder {index % 12}", outline))
    body = "".join(
        f'<outline text="{folder}">' + "".join(o for f, o in outlines if f == folder) + "</outline>"
        for folder in sorted({f for f, _ in outlines})
    )
    (work / "feeds.opml").write_text(f'<?xml version="1.0"?><opml version="1.0"><head/><body>{body}</body></opml>')
    httpd = ThreadingHTTPServer(("127.0.0.1", feed_port), partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = free_port()
    email, password = "bench@example.org", "bench-password"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "FLASK_DATABASE_URL": f"sqlite:///{work / 'coldsweat.db'}",
        "FLASK_SECRET_KEY": secrets.token_hex(16),
    }
    flask_cli = [str(flask), "--app", "coldsweat"]
    subprocess.run([*flask_cli, "setup", email, "--password", password], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [*flask_cli, "import", str(work / "feeds.opml"), email, "--fetch"], env=env, check=True, capture_output=True
    )
    print(f"  coldsweat fetched {args.feeds} feeds in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    server = subprocess.Popen(
        [*flask_cli, "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    fever = f"http://127.0.0.1:{port}/fever"
    key = hashlib.md5(f"{email}:{password}".encode(), usedforsecurity=False).hexdigest()
    try:
        for _ in range(300):
            try:
                fever_call(fever, key, "")
                break
            except OSError:
                time.sleep(0.1)

        def server_side(count: int) -> None:
            unread = str(fever_call(fever, key, "&unread_item_ids")["unread_item_ids"]).split(",")
            for item in unread[-count:]:
                fever_call(fever, key, "", f"&mark=item&as=read&id={item}")

        return first_and_incremental(work, "fever", fever, email, password, args.changes, server_side)
    finally:
        server.terminate()
        server.wait(10)
        httpd.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=578)
    parser.add_argument("--corpus", default="/tmp/bench-corpus")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--servers", default="freshrss,coldsweat")
    args = parser.parse_args()
    names = {"freshrss": "FreshRSS model (Google Reader API)", "coldsweat": "coldsweat 0.10.2 (Fever)"}
    rows = []
    for server in args.servers.split(","):
        with tempfile.TemporaryDirectory() as scratch:
            measure = freshrss if server == "freshrss" else coldsweat
            first, incremental, feeds, stories = measure(args, Path(scratch))
            rows.append((names[server], first, incremental, feeds, stories))
    load = os.getloadavg()
    print(f"\nMachine: {machine()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {datetime.date.today()}\n")
    print(f"`python bench/sync.py --feeds {args.feeds} --changes {args.changes}`\n")
    half = args.changes // 2
    incremental = f"incremental ({half} sent + {half} from the server) s"
    print(f"| server | first sync s | peak RSS MiB | stored | {incremental} | peak RSS MiB |")
    print("|---|---:|---:|---|---:|---:|")
    for name, first, incremental, feeds, stories in rows:
        print(
            f"| {name} | {first.seconds:.1f} | {first.peak_mib:.0f} | {feeds} feeds, {stories} stories | "
            f"{incremental.seconds:.1f} | {incremental.peak_mib:.0f} |"
        )


if __name__ == "__main__":
    main()
