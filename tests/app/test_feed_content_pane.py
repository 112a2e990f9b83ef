"""A story read from the feed's own HTML gets the same split as a page: its paid links in the
sponsored pane with their reasons, out of the story pane."""

from __future__ import annotations

from tests.support.feeds import rss


def test_the_feeds_own_paid_links_go_to_the_sponsored_pane(qtbot, window, gui_library, server) -> None:  # type: ignore[no-untyped-def]
    library, _ids = gui_library
    html = (
        '<p>We tested kettles. Buy <a href="https://shop.example/kettle" rel="sponsored nofollow">the winner</a>'
        " today.</p><p>It boils water quickly and quietly, which is what a kettle is for.</p>"
        '<p><a href="https://ad.doubleclick.net/click;sz=1x1">Advertisement</a></p>'
        '<img src="https://pixel.example/t.gif" width="1" height="1">'
    )
    item = {"title": "The best kettle", "guid": "kettle", "link": "https://reviews.example/kettle", "description": html}
    feed = library.subscribe(server.add("/reviews.xml", rss([item], title="Reviews")))
    list(library.refresh([feed]))
    story = library.stories(feed_id=feed, limit=1)[0]
    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        window.reading.show_story_by_id(story.id)
    on_page = window.sponsored_pane.items.on_page
    assert [(s.text, s.href) for s in on_page] == [
        ("the winner", "https://shop.example/kettle"),
        ("Advertisement", "https://ad.doubleclick.net/click;sz=1x1"),
    ]
    assert [s.reason for s in on_page] == [
        'The link is marked rel="sponsored".',
        "The link goes to the ad network ad.doubleclick.net.",
    ]
    shown = window.story_pane.browser.toHtml()
    assert "shop.example" not in shown and "doubleclick" not in shown and "pixel.example" not in shown
    assert "Buy the winner today." in window.story_pane.browser.toPlainText()
