"""The story pane renders hostile stories without requesting anything or decoding bombs."""

from __future__ import annotations

from pathlib import Path

from newsreader.core.library import open_library
from tests.app.conftest import open_window
from tests.app.test_panes import png_header
from tests.hostile.test_html import dangerous_fragments
from tests.support.feeds import rss
from tests.support.safety import dangers


def test_hostile_stories_render_without_requests(qtbot, tmp_path: Path, server, browser) -> None:
    fragments = dangerous_fragments(server)
    server.add("/wide.png", png_header(50_000, 50_000), content_type="image/png")
    server.add("/huge.png", endless=True, content_type="image/png")
    items = [
        {"title": name, "guid": name, "description": html, "link": server.url(f"/a/{i}")}
        for i, (name, html) in enumerate(fragments.items())
    ]
    library = open_library(tmp_path / "data", parse_processes=0)
    feed_id = library.subscribe(server.add("/hostile.xml", rss(items, link=server.url("/"))))
    list(library.refresh())
    cached = library.cache_images([server.url("/wide.png"), server.url("/huge.png")])
    assert list(cached) == [server.url("/wide.png")]  # the endless image hit the 5 MB cap
    requests_before = len(server.hits)
    window = open_window(library)
    qtbot.addWidget(window)
    stories = library.stories(feed_id=feed_id, limit=None)
    for story in stories:
        with qtbot.waitSignal(window.story_displayed, timeout=10000):
            window.reading.show_story_by_id(story.id)
        window.story_pane.browser.grab()  # lay out and paint, loading every resource it asks for
        html = window.story_pane.browser.toHtml()
        lowered = html.lower()
        assert "<script" not in lowered and 'href="javascript:' not in lowered and 'src="file:' not in lowered
        assert dangers(library.story(story.id).summary_html) == []
    assert len(server.hits) == requests_before  # rendering asked the network for nothing
    assert browser.opened == []
    window.close()
    window.tasks.close()
    library.close()
