"""Sync speed: a first sync of many feeds and items, then an incremental sync of a few hundred changes,
with the real ``newsreader`` process against coldsweat (a real Fever server) on 127.0.0.1.

Set-up (not measured): a loopback server serves FEEDS Atom feeds of ITEMS entries each; coldsweat
(``scripts/sync-servers.sh start`` installs it in .venv-coldsweat) imports and fetches them. Then:

- first sync: ``newsreader sync`` into an empty library (every folder, feed, item and state);
- incremental: CHANGES/2 stories marked read here and CHANGES/2 other items marked read on the server,
  then ``newsreader sync`` (sends the queue, fetches what changed).

usage: python bench/sync.py [--feeds 500] [--items 40] [--changes 200]
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

from harness import machine, run_measured

REPO = Path(__file__).resolve().parent.parent
COLDSWEAT = Path(os.environ.get("NEWSREADER_COLDSWEAT", REPO / ".venv-coldsweat"))
BASE = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def atom(feed: int, items: int, icon: str) -> str:
    entries = "".join(
        f"<entry><id>urn:f{feed}:{n}</id><title>Feed {feed} story {n}</title>"
        f'<link href="https://f{feed}.example/{n}"/><author><name>Writer {n % 7}</name></author>'
        f"<updated>{(BASE + datetime.timedelta(minutes=feed + n * 37)).isoformat()}</updated>"
        f'<content type="html">&lt;p&gt;Story {n} of feed {feed}: ' + "words " * 60 + "&lt;/p&gt;</content></entry>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Feed {feed}</title>'
        f"<id>urn:f{feed}</id><updated>{BASE.isoformat()}</updated><icon>{icon}</icon>"
        f'<link href="https://f{feed}.example/"/>{entries}</feed>'
    )


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args()
    flask = COLDSWEAT / "bin" / "flask"
    if not flask.exists():
        sys.exit(f"{flask} is missing: run scripts/sync-servers.sh start")

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        site = work / "site"
        site.mkdir()
        feed_port = free_port()
        icon = f"http://127.0.0.1:{feed_port}/icon.png"
        (site / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        outlines = []
        for feed in range(args.feeds):
            (site / f"f{feed}.atom").write_text(atom(feed, args.items, icon))
            folder = f"Folder {feed % 12}"
            outlines.append(
                (folder, f'<outline type="rss" text="Feed {feed}" xmlUrl="http://127.0.0.1:{feed_port}/f{feed}.atom"/>')
            )
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
            data = work / "newsreader"
            keyring = work / "keyring.json"
            reader_env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
                "PYTHON_KEYRING_BACKEND": "tests.support.memory_keyring.FileKeyring",
                "NEWSREADER_TEST_KEYRING": str(keyring),
            }
            cli = [sys.executable, "-m", "newsreader", "--data-dir", str(data)]
            subprocess.run(
                [*cli, "account", "add", "cs", "--kind", "fever", "--url", fever, "--user", email, "--password-stdin"],
                input=password + "\n",
                text=True,
                env=reader_env,
                check=True,
                capture_output=True,
            )
            first = run_measured([*cli, "sync"], env=reader_env)
            db = sqlite3.connect(data / "library.sqlite3")
            stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
            feeds = db.execute("SELECT count(*) FROM feeds").fetchone()[0]
            local = [row[0] for row in db.execute("SELECT id FROM stories ORDER BY id LIMIT ?", (args.changes // 2,))]
            db.close()

            subprocess.run([*cli, "read", *map(str, local)], env=reader_env, check=True, capture_output=True)
            unread = str(fever_call(fever, key, "&unread_item_ids")["unread_item_ids"]).split(",")
            for item in unread[-(args.changes // 2) :]:
                fever_call(fever, key, "", f"&mark=item&as=read&id={item}")
            incremental = run_measured([*cli, "sync"], env=reader_env)
        finally:
            server.terminate()
            server.wait(10)
            httpd.shutdown()

    load = os.getloadavg()
    print(f"\nMachine: {machine()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {datetime.date.today()}\n")
    print(f"`python bench/sync.py --feeds {args.feeds} --items {args.items} --changes {args.changes}`\n")
    print("| sync against coldsweat 0.10.2 (Fever) | seconds | peak RSS MiB | stored |")
    print("|---|---:|---:|---|")
    print(f"| first sync | {first.seconds:.1f} | {first.peak_mib:.0f} | {feeds} feeds, {stories} stories |")
    print(
        f"| incremental: {args.changes // 2} sent + {args.changes // 2} from the server | "
        f"{incremental.seconds:.1f} | {incremental.peak_mib:.0f} | exit {incremental.returncode} |"
    )


if __name__ == "__main__":
    main()
