"""Run an installed or frozen newsreader the way a user would, and fail loudly when it does not work.

    python packaging/smoke.py PROGRAM [GUI_PROGRAM]

PROGRAM is the ``newsreader`` command (a venv's entry point, the frozen executable, or the one a package
installed); GUI_PROGRAM, when given, is ``newsreader-gui``. Checked, each in a new temporary library:
``--version``; ``page`` on the seed article page (the story's first paragraph, the related and sponsored
panes as ``../shared/seed`` expects); ``classify`` on the seed feed; a 40-feed refresh from a loopback server
(starts the parsing worker processes, which a frozen build must be able to do); and the window, offscreen,
with the seed feed loaded from a local file over a loopback server and its first story open: its three panes
must be painted. The seed comes from ``$NEWSREADER_SHARED`` (default ``../shared``); without it a generated
feed and page stand in, and the run says so.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NEWSREADER_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seed"
sys.path.insert(0, str(ROOT / "src"))
from newsreader import __version__  # noqa: E402


class SmokeError(AssertionError):
    """The program did not do what a user asked of it."""


def clean_env(home: Path) -> dict[str, str]:
    """No display (the window must cope offscreen), no inherited library, a throw-away home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "PYTHONPATH", "PYTHONHOME")
        and not k.startswith("NEWSREADER_")
    }
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"))
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    return env


def run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run *command*; returns its stdout, raises :class:`SmokeError` with its stderr on failure."""
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False)
    if result.returncode != 0:
        raise SmokeError(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result.stdout


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve *folder* on 127.0.0.1; yields the base URL (ending in ``/``)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def seed_files(work: Path) -> tuple[Path, Path, str]:
    """The seed feed, the seed article page and the first words of its story (generated when absent)."""
    if (SEED / "register-headlines.atom").exists():
        expected = json.loads((SEED / "register-2014-article.expected.json").read_text(encoding="utf-8"))
        return SEED / "register-headlines.atom", SEED / "register-2014-article.html", expected["story_first_paragraph"]
    print(f"smoke: {SEED} is absent; a generated feed and page stand in for the seed")
    feed = work / "seed.atom"
    entries = "".join(
        f"<entry><id>urn:s{n}</id><title>Story {n}</title><link href='https://example.org/{n}'/>"
        f"<updated>2026-01-0{n}T00:00:00Z</updated><summary>Summary {n}</summary></entry>"
        for n in range(1, 8)
    )
    feed.write_text(
        f"<feed xmlns='http://www.w3.org/2005/Atom'><title>Seed</title><id>urn:seed</id>"
        f"<updated>2026-01-07T00:00:00Z</updated>{entries}</feed>",
        encoding="utf-8",
    )
    first = "The story goes on and on. " * 30
    page = work / "page.html"
    page.write_text(
        f"<html><body><article><h1>Title</h1><p>{first}</p><p>{first}</p></article></body></html>", encoding="utf-8"
    )
    return feed, page, first.strip()


def check_cli(program: list[str], work: Path, env: dict[str, str], seed: tuple[Path, Path, str]) -> None:
    """``--version``, ``page`` on the seed page, ``classify`` on the seed feed, a 40-feed refresh."""
    version = run([*program, "--version"], env, work)
    if __version__ not in version:
        raise SmokeError(f"--version printed {version!r}, not {__version__}")
    feed, page, first_words = seed
    split = json.loads(run([*program, "page", "--json", str(page)], env, work))
    if first_words[:60] not in split["story_text"]:
        raise SmokeError("page: the story's first paragraph is missing from the story text")
    if feed.parent == SEED and (len(split["related"]) < 5 or len(split["sponsored"]) < 5):
        raise SmokeError(f"page: {len(split['related'])} related, {len(split['sponsored'])} sponsored (want 5+ each)")
    items = json.loads(run([*program, "classify", "--json", str(feed)], env, work))
    if len(items) != feed.read_text(encoding="utf-8").count("<entry>") or not all("sponsored" in i for i in items):
        raise SmokeError(f"classify: {len(items)} items for the feed's entries")
    refresh_many(program, work, env)


def refresh_many(program: list[str], work: Path, env: dict[str, str]) -> None:
    """Refresh 40 feeds from a loopback server: enough to start the parsing worker processes."""
    feeds = work / "feeds"
    feeds.mkdir()
    for i in range(40):
        items = "".join(
            f"<item><title>Story {i}.{n}</title><guid>s{i}-{n}</guid><description>Body {n}</description></item>"
            for n in range(3)
        )
        (feeds / f"{i}.xml").write_text(f'<rss version="2.0"><channel><title>Feed {i}</title>{items}</channel></rss>')
    with serve(feeds) as base:
        outlines = "".join(f'<outline xmlUrl="{base}{i}.xml"/>' for i in range(40))
        opml = work / "feeds.opml"
        opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
        library = [*program, "--data-dir", str(work / "many")]
        run([*library, "import", str(opml)], env, work)
        run([*library, "refresh", "--no-pages"], env, work)
        listed = json.loads(run([*library, "stories", "--limit", "500", "--json"], env, work))
    if len(listed) != 120:
        raise SmokeError(f"refresh stored {len(listed)} stories from 40 feeds of 3, not 120")


def check_window(program: list[str], gui: list[str], work: Path, env: dict[str, str], feed: Path) -> Path:
    """The seed feed in a new library, its first story open, the window painted offscreen; returns the PNG."""
    library = work / "window-library"
    with serve(feed.parent) as base:
        run([*program, "--data-dir", str(library), "add", base + feed.name], env, work)
    stories = json.loads(run([*program, "--data-dir", str(library), "stories", "--json"], env, work))
    picture = work / "window.png"
    run([*gui, "--data-dir", str(library), "--select", str(stories[0]["id"]), "--screenshot", str(picture)], env, work)
    unpainted = unpainted_panes(picture)
    if unpainted:
        raise SmokeError(f"the window's {', '.join(unpainted)} painted nothing (see {picture})")
    return picture


def unpainted_panes(picture: Path) -> list[str]:
    """The panes of a screenshot that hold no text: subscriptions (left), story list (top right) and story
    (bottom middle), each looked for as dark pixels in its share of the window."""
    from PySide6.QtGui import QImage

    image = QImage(str(picture))
    if image.isNull():
        return ["whole window (no image)"]
    width, height = image.width(), image.height()
    panes = {
        "subscriptions pane": (0.0, 0.12, 0.18, 0.9),
        "story list": (0.25, 0.12, 0.95, 0.38),
        "story pane": (0.22, 0.45, 0.68, 0.9),
    }
    empty = []
    for name, (left, top, right, bottom) in panes.items():
        dark = 0
        for y in range(int(top * height), int(bottom * height), 3):
            for x in range(int(left * width), int(right * width), 3):
                if image.pixelColor(x, y).lightness() < 90:
                    dark += 1
        if dark < 40:
            empty.append(name)
    return empty


def smoke(program: list[str], gui: list[str] | None = None) -> None:
    """Every check above; *gui* defaults to ``PROGRAM gui``. Raises :class:`SmokeError`."""
    with tempfile.TemporaryDirectory(prefix="newsreader-smoke-") as tmp:
        work = Path(tmp)
        env = clean_env(work / "home")
        seed = seed_files(work)
        check_cli(program, work, env, seed)
        check_window(program, gui or [*program, "gui"], work, env, seed[0])
    print(f"smoke test passed: {' '.join(program)}")


def check_portable(folder: Path, exe: str = "") -> None:
    """An unpacked portable archive (*folder* holds the executables and the ``portable`` marker) keeps its
    library in ``data/`` beside them, and neither the command line nor the window writes anything under the
    user's home (where the platform folders for cache, settings and logs would be; tests/core/test_paths.py
    checks that those follow the library)."""
    if not (folder / "portable").is_file():
        raise SmokeError(f"{folder} has no portable marker")
    with tempfile.TemporaryDirectory(prefix="newsreader-portable-") as tmp:
        work = Path(tmp)
        home = work / "home"
        env = clean_env(home)
        feed, _page, _first = seed_files(work)
        with serve(feed.parent) as base:
            run([str(folder / f"newsreader{exe}"), "add", base + feed.name], env, work)
        run([str(folder / f"newsreader-gui{exe}"), "--screenshot", str(work / "window.png")], env, work)
        data = folder / "data"
        if not (data / "library.sqlite3").is_file():
            raise SmokeError(f"portable mode: the library is not in {data}")
        stray = [p for p in home.rglob("*") if "newsreader" in p.name.lower()] if home.exists() else []
        if stray:
            raise SmokeError(f"portable mode wrote outside its folder: {stray[:3]}")
    print(f"portable mode passed: {folder}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    try:
        # the checks run in a temporary folder: a relative path given here must not change meaning
        given = [str(Path(arg).resolve()) if Path(arg).exists() else arg for arg in sys.argv[1:]]
        smoke(given[:1], given[1:] or None)
    except SmokeError as exc:
        sys.exit(f"smoke test FAILED: {exc}")
