"""Article pages and images downloaded for offline reading, from the loopback server."""

from __future__ import annotations

import hashlib
import json
import random
import struct
import subprocess
import zlib
from pathlib import Path

from newsreader.core.library import Library, open_library
from tests.conftest import PYTHON, cli_env
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer


def png(width: int = 4, height: int = 3, seed: int = 0) -> bytes:
    """A real, small PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([(seed + x) % 256 for x in range(width * 3)]) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def article(server: FeedServer, name: str, image: str) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the {name} story, which is long enough to be the story.</p>" for i in range(8)
    )
    return f"""<!doctype html><html><head><title>{name}</title></head><body>
      <nav><a href="/">Home</a></nav>
      <article><h1>{name}</h1><img src="{image}" alt="lead">{paragraphs}</article>
      <aside><h3>Sponsored</h3><ul><li><a href="https://ads.example/buy">Buy things</a></li></ul></aside>
      <img src="https://tracker.example/pixel.gif" width="1" height="1">
    </body></html>"""


def summary_feed(server: FeedServer, names: list[str]) -> str:
    items = [
        {"title": name, "guid": name, "link": server.url(f"/articles/{name}.html"), "description": "A short teaser."}
        for name in names
    ]
    return rss(items, title="Teasers", link=server.url("/"))


def serve_articles(server: FeedServer, names: list[str]) -> None:
    for index, name in enumerate(names):
        image = server.add(f"/img/{name}.png", png(seed=index), content_type="image/png")
        server.add(f"/articles/{name}.html", article(server, name, image), content_type="text/html")


def test_pages_and_images_of_a_summary_feed_are_kept_offline(library: Library, server: FeedServer) -> None:
    names = ["alpha", "beta", "gamma"]
    serve_articles(server, names)
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    new_ids = [i for step in library.refresh() for i in step.result.new_story_ids]
    steps = list(library.fetch_pages(story_ids=new_ids))
    assert [s.error for s in steps] == [None, None, None]
    assert all(s.images == 1 for s in steps)
    assert steps[-1].done == steps[-1].total == 3
    server.close()  # everything below reads offline

    for story in library.stories(feed_id=feed_id):
        page = library.page(story.id)
        assert page is not None and f"Paragraph 7 of the {story.title} story" in page.story_text
        assert [s.text for s in page.sponsored] == ["Buy things"]
        image_url = next(iter(library.cached_images([f"{story.link.rsplit('/', 2)[0]}/img/{story.title}.png"])))
        digest = library.cached_images([image_url])[image_url]
        data = library.image_data(digest)
        assert data is not None and hashlib.sha256(data).hexdigest() == digest
        assert (library.cache_dir / "images" / digest[:2] / digest).exists()
    assert list(library.fetch_pages()) == []  # nothing left to fetch


def test_full_content_feeds_are_left_alone_unless_asked(library: Library, server: FeedServer) -> None:
    serve_articles(server, ["long"])
    body = "<p>" + "Full text of the story. " * 100 + "</p>"
    items = [{"title": "long", "guid": "long", "link": server.url("/articles/long.html"), "description": body}]
    feed_id = library.subscribe(server.add("/full.xml", rss(items, link=server.url("/"))))
    list(library.refresh())
    assert list(library.fetch_pages()) == []
    assert server.hits_for("/articles/long.html") == []
    library.set_feed_options(feed_id, full_articles=True)
    assert [s.error for s in library.fetch_pages()] == [None]
    library.set_feed_options(feed_id, full_articles=False)
    summary_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, ["long"])))
    library.set_feed_options(summary_id, full_articles=False)
    list(library.refresh([summary_id]))
    assert list(library.fetch_pages()) == []


def test_failures_keep_the_feed_text_and_the_error(library: Library, server: FeedServer) -> None:
    names = ["gone", "badimage", "bigimage"]
    server.add("/articles/gone.html", "missing", status=404, content_type="text/html")
    server.add("/img/bad.png", "<html>not an image</html>", content_type="image/png")
    server.add("/img/big.png", png() + b"\x00" * (6 * 1024 * 1024), content_type="image/png")
    server.add(
        "/articles/badimage.html", article(server, "badimage", server.url("/img/bad.png")), content_type="text/html"
    )
    server.add(
        "/articles/bigimage.html", article(server, "bigimage", server.url("/img/big.png")), content_type="text/html"
    )
    library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    list(library.refresh())
    steps = {library.story(s.story_id).title: s for s in library.fetch_pages()}
    assert "404" in (steps["gone"].error or "")
    gone = library.story(steps["gone"].story_id)
    assert library.page(gone.id) is None and "404" in (library.page_error(gone.id) or "")
    assert gone.summary_html  # the feed's text stays
    assert steps["badimage"].error is None and steps["badimage"].images == 0
    assert steps["bigimage"].images == 0
    found = library._storage().images_for([server.url("/img/bad.png"), server.url("/img/big.png")])
    assert "not a PNG" in (found[server.url("/img/bad.png")][1] or "")
    assert "5 MB limit" in (found[server.url("/img/big.png")][1] or "")
    assert library.check_integrity()


def test_the_image_cache_keeps_to_its_quota(library: Library, server: FeedServer) -> None:
    big = [png(seed=i) + random.Random(i).randbytes(480 * 1024) for i in range(3)]  # ~480 KB each
    urls = [server.add(f"/img/{i}.png", data, content_type="image/png") for i, data in enumerate(big)]
    library.set_setting("image_cache_mb", "1")
    cached = library.cache_images(urls)
    assert len(cached) == 2  # the third pushed the oldest out
    kept = set(cached.values())
    files = {p.name for p in (library.cache_dir / "images").rglob("*") if p.is_file()}
    assert files == kept


def test_feed_icons_are_found_once(library: Library, server: FeedServer) -> None:
    icon = png(16, 16)
    server.add("/favicon.ico", icon, content_type="image/x-icon")
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, [])))
    list(library.refresh())
    assert library.refresh_icons() == 1
    assert library.feed_icons() == {feed_id: icon}
    assert library.refresh_icons() == 0 and len(server.hits_for("/favicon.ico")) == 1


def test_cli_fetches_pages_after_a_refresh_and_on_request(tmp_path: Path, server: FeedServer) -> None:
    names = ["one", "two"]
    serve_articles(server, names)
    data = tmp_path / "data"
    with open_library(data) as library:
        library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    env = cli_env(data)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PYTHON, "-m", "newsreader", *args], env=env, capture_output=True, text=True, timeout=120)

    first = run("refresh", "--no-pages")
    assert first.returncode == 0 and "article" not in first.stdout
    assert server.hits_for("/articles/one.html") == []
    fetched = run("fetch-pages", "--json")
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout) == {"downloaded": 2, "failed": 0}
    server.add("/teasers.xml", summary_feed(server, [*names, "three"]))
    serve_articles(server, ["three"])
    again = run("refresh")
    assert again.returncode == 0 and "Article pages: 1 downloaded, 0 failed." in again.stdout
    assert (data / "cache" / "images").is_dir()


def test_library_defaults_for_full_articles_and_images(library: Library, server: FeedServer) -> None:
    serve_articles(server, ["east", "west"])
    feed_id = library.subscribe(server.add("/teasers.xml", summary_feed(server, ["east"])))
    list(library.refresh())
    library.set_setting("full_articles", "off")
    assert list(library.fetch_pages()) == []
    library.set_setting("full_articles", "on")
    library.set_setting("download_images", "off")
    [step] = library.fetch_pages()
    assert step.error is None and step.images == 0 and not (library.cache_dir / "images").exists()
    fetched, analysed = library.page_times(step.story_id)
    assert fetched is not None and analysed == fetched
    assert library.reanalyze_pages() == 1
    assert library.page_times(step.story_id)[1] is not None
    library.set_feed_options(feed_id, full_articles=False)  # the feed's own setting wins
    server.add("/teasers.xml", summary_feed(server, ["east", "west"]))
    list(library.refresh())
    assert list(library.fetch_pages()) == []


def test_images_of_full_content_feeds_are_cached_too(tmp_path: Path, server: FeedServer) -> None:
    body = "<p>" + "A full story told in the feed itself. " * 60 + "</p>"
    images = [server.add(f"/img/full-{i}.png", png(seed=i), content_type="image/png") for i in range(3)]
    items = [
        {
            "title": f"full {i}",
            "guid": f"full-{i}",
            "link": server.url(f"/articles/full-{i}.html"),
            "description": f'{body}<img src="{images[i]}">',
        }
        for i in range(3)
    ]
    data = tmp_path / "data"
    with open_library(data) as library:
        feed_id = library.subscribe(server.add("/full.xml", rss(items, link=server.url("/"))))
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", "refresh"], env=cli_env(data), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert server.hits_for("/articles/full-0.html") == []  # a full-content feed: no article pages
    with open_library(data) as library:
        urls = [server.url(f"/img/full-{i}.png") for i in range(3)]
        assert set(library.cached_images(urls)) == set(urls)
        story = library.stories(feed_id=feed_id, limit=1)[0]
        assert library.page(story.id) is None


def test_a_new_proxy_setting_takes_effect_with_the_next_request(library: Library) -> None:
    first = library.fetcher()
    assert first.proxy is None
    library.set_setting("proxy", "http://127.0.0.1:9")
    second = library.fetcher()
    assert second is not first and second.proxy == "http://127.0.0.1:9"
    library.set_setting("workers", "8")
    assert library.fetcher() is second  # other settings keep the fetcher
