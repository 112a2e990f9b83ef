"""Dangerous HTML in feed stories and article pages: nothing dangerous is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newsreader.core.library import open_library
from newsreader.core.pages.analyze import analysis_from_json
from tests.hostile.conftest import hostile_library
from tests.support.feeds import rss
from tests.support.httpserver import FeedServer
from tests.support.safety import dangers


def dangerous_fragments(server: FeedServer) -> dict[str, str]:
    """One story per danger; every remote reference points at the loopback server."""
    here = server.url("/leak")
    return {
        "script": f"<p>a</p><script>fetch('{here}/script')</script><p>b</p>",
        "event handler": f'<p onclick="x()">c</p><img src="{here}/img.png" onerror="alert(1)" onload="y()">',
        "javascript: URL": '<a href="javascript:alert(1)">click</a><a href=" JaVaScRiPt:alert(2)">again</a>',
        "data: URL": '<a href="data:text/html,<script>alert(1)</script>">d</a><img src="data:image/png;base64,AAAA">',
        "file: URL": '<a href="file:///etc/passwd">f</a><img src="file:///etc/hostname">',
        "base tag": f'<base href="{here}/base/"><a href="relative">rel</a>',
        "CSS loading remote resources": (
            f'<p style="background:url({here}/css)">s</p><style>@import "{here}/import.css";</style>'
            f'<link rel="stylesheet" href="{here}/sheet.css">'
        ),
        "meta refresh": f'<meta http-equiv="refresh" content="0;url={here}/refresh"><p>m</p>',
        "form": f'<form action="{here}/form" method="post"><input name="q"><button>go</button></form>',
        "SVG with script": f'<svg onload="alert(1)"><script>alert(2)</script><image href="{here}/svg.png"/></svg>',
        "1x1 tracker": f'<p>t</p><img src="{here}/pixel.gif" width="1" height="1">',
        "iframe and object": f'<iframe src="{here}/frame"></iframe><object data="{here}/object"></object>',
        "100 MB image": f'<img src="{server.url("/huge.png")}" alt="huge">',
        "50,000 px image": f'<img src="{server.url("/wide.png")}" width="50000" height="50000">',
    }


def test_dangerous_story_html_is_never_stored(tmp_path: Path, server: FeedServer) -> None:
    fragments = dangerous_fragments(server)
    items = [
        {"title": f"<b>{name}</b><script>x</script>", "guid": name, "description": html, "link": server.url(f"/a/{i}")}
        for i, (name, html) in enumerate(fragments.items())
    ]
    library = hostile_library(tmp_path, server, server.add("/hostile.xml", rss(items, link=server.url("/"))))
    outcome = library.refresh()
    assert outcome.returncode == 0, outcome.stderr
    db = sqlite3.connect(library.data / "library.sqlite3")
    rows = db.execute("SELECT guid, title, summary_html, content_html FROM stories WHERE feed_id = 3").fetchall()
    db.close()
    assert len(rows) == len(fragments)
    for guid, title, summary, content in rows:
        assert "<" not in title, title
        assert dangers(summary) == [] and dangers(content) == [], (guid, summary)
    assert server.hits_for("/leak") == []


def test_dangerous_article_pages_are_stored_safe(tmp_path: Path, server: FeedServer) -> None:
    fragments = dangerous_fragments(server)
    paragraphs = "".join(f"<p>Paragraph {i} of the article, long enough to be the story text.</p>" for i in range(6))
    body = "".join(fragments.values())
    page = (
        f"<html><head><title>Page</title></head><body><article><h1>Page</h1>{paragraphs}{body}</article></body></html>"
    )
    server.add("/article.html", page, content_type="text/html")
    server.add("/huge.png", endless=True, content_type="image/png")
    items = [{"title": "teaser", "guid": "t", "link": server.url("/article.html"), "description": "short"}]
    library = hostile_library(tmp_path, server, server.add("/hostile.xml", rss(items, link=server.url("/"))))
    outcome = library.refresh(pages=True)
    assert outcome.returncode == 0, outcome.stderr
    with open_library(library.data, parse_processes=0) as lib:
        story_id = next(s.id for s in lib.stories(limit=None) if s.title == "teaser")
        assert {"story": story_id, "error": None} in outcome.json()["pages"]
        page_json = lib._storage().page(story_id)
        assert page_json is not None and page_json[1] is not None
        analysis = analysis_from_json(page_json[1])
        assert "Paragraph 5 of the article" in analysis.story_text
        assert dangers(analysis.story_html) == []
    # the only reference followed is the story's one real image, into the offline cache; never the
    # scripts, style sheets, frames, forms, refresh targets or the tracking pixel
    followed = {h.path for h in server.hits if h.path.startswith("/leak")}
    assert followed <= {"/leak/img.png"}
    assert all("image/" in h.headers.get("accept", "") for h in server.hits_for("/leak/img.png"))
