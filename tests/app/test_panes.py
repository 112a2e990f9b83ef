"""The reading panes on their own: what the story pane renders and loads, related and sponsored lists."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QFont, QFontMetrics, QImage, QTextDocument

from newsreader.app.story_html import IMAGE_SCHEME, story_document, without_remote_images
from newsreader.app.views.item_list import PADDING, REASON_LINES, ReasonRole, SourceRole, TitleRole, wrapped
from newsreader.app.views.related_pane import RelatedPane
from newsreader.app.views.sponsored_pane import SponsoredItems, SponsoredPane
from newsreader.app.views.story_pane import StoryBrowser, StoryPane
from newsreader.core.models import Enclosure, RelatedItem, RelatedStories, Story
from newsreader.core.pages.analyze import SponsoredLink

WHEN = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


def make_story(**changes: object) -> Story:
    values: dict[str, object] = {
        "id": 7,
        "feed_id": 1,
        "feed_title": "Alpha",
        "guid": "g",
        "link": "https://example.com/a",
        "title": "A <b>title</b>",
        "author": "Ann",
        "published": WHEN,
        "updated": None,
        "first_seen": WHEN,
        "read": False,
        "starred": False,
        "sponsored": False,
        "sponsored_reason": None,
        "content_html": (
            '<p>Hello <a href="https://example.com/x">x</a></p><img src="https://tracker.example/p.gif" alt="pixel">'
        ),
    }
    values.update(changes)
    return Story(**values)  # type: ignore[arg-type]


def test_the_story_document_escapes_the_header_and_keeps_remote_images_out() -> None:
    html = story_document(make_story(), None)
    assert "A &lt;b&gt;title&lt;/b&gt;" in html
    assert "<img" not in html
    assert 'href="https://tracker.example/p.gif"' in html and "[image: pixel]" in html
    assert "Ann" in html and "Alpha" in html
    digest = "a" * 64
    cached_doc = story_document(make_story(), None, cached={"https://tracker.example/p.gif": digest})
    assert f'src="{IMAGE_SCHEME}:{digest}"' in cached_doc and "tracker.example" not in cached_doc
    cached = f'<p>x</p><img src="{IMAGE_SCHEME}:abc" alt="a">'
    assert without_remote_images(cached) == cached
    assert without_remote_images('<img src="file:///etc/passwd">') == '<span class="image-placeholder">[image]</span>'


def test_the_browser_reads_no_files_and_no_remote_resources(qtbot, tmp_path) -> None:
    secret = tmp_path / "secret.png"
    QImage(4, 4, QImage.Format.Format_RGB32).save(str(secret))
    browser = StoryBrowser()
    qtbot.addWidget(browser)
    image = QTextDocument.ResourceType.ImageResource.value
    for refused in (QUrl.fromLocalFile(str(secret)), QUrl("https://example.com/a.png"), QUrl("qrc:/x.png")):
        assert browser.loadResource(image, refused).size().width() == 1  # a blank pixel, not the file
    css = QTextDocument.ResourceType.StyleSheetResource.value
    assert browser.loadResource(css, QUrl.fromLocalFile(str(secret))).size() == 0
    cached = QImage(2, 2, QImage.Format.Format_RGB32)
    browser.add_image(f"{IMAGE_SCHEME}:abc", cached)
    assert browser.loadResource(image, QUrl(f"{IMAGE_SCHEME}:abc")) is cached
    # rendering goes through the same door: the document never falls back to reading the file
    browser.setHtml(f'<img src="{QUrl.fromLocalFile(str(secret)).toString()}">')
    browser.grab()
    loaded = browser.document().resource(image, QUrl.fromLocalFile(str(secret)))
    assert loaded is not None and loaded.width() == 1


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG claiming this size (enough for a reader to ask its size)."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_cached_images_are_decoded_within_bounds(qtbot) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from newsreader.app.views.story_pane import decode_image

    picture = QImage(3000, 100, QImage.Format.Format_RGB32)
    picture.fill(0xFF336699)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture.save(buffer, "PNG")
    wide = decode_image(bytes(data.data()), 600)
    assert wide is not None and wide.width() == 600 and wide.height() == 20
    assert decode_image(png_header(50_000, 50_000), 600) is None  # refused before decoding 10 GB
    assert decode_image(b"not an image", 600) is None

    browser = StoryBrowser()
    qtbot.addWidget(browser)
    served: list[str] = []
    browser.image_loader = lambda digest: served.append(digest) or bytes(data.data())
    image = QTextDocument.ResourceType.ImageResource.value
    assert browser.loadResource(image, QUrl(f"{IMAGE_SCHEME}:{'b' * 64}")).width() > 1
    browser.loadResource(image, QUrl(f"{IMAGE_SCHEME}:{'b' * 64}"))
    assert served == ["b" * 64]  # decoded once, then kept


def test_links_open_outside_only_for_web_and_mail(qtbot, browser) -> None:
    pane = StoryPane()
    qtbot.addWidget(pane)
    pane.show_story(make_story(), None)
    for target in ("https://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "mailto:ann@example.com"):
        pane.browser.anchorClicked.emit(QUrl(target))
    assert browser.opened == ["https://example.com/x", "mailto:ann@example.com"]


def test_the_story_pane_lists_the_storys_media_files(qtbot) -> None:
    pane = StoryPane()
    qtbot.addWidget(pane)
    media = (
        Enclosure("https://example.com/v/hq.mp4", "video/mp4", 734003200),
        Enclosure("https://example.com/a/episode.mp3", None, None),
    )
    pane.show_story(make_story(enclosures=media), None)
    text = pane.browser.toPlainText()
    assert "Attachments" in text
    assert "hq.mp4 (video/mp4, 700.0 MB)" in text and "episode.mp3" in text
    assert 'href="https://example.com/a/episode.mp3"' in pane.browser.toHtml()


def test_font_size_changes_the_rendered_text(qtbot) -> None:
    pane = StoryPane()
    qtbot.addWidget(pane)
    pane.show_story(make_story(), None)
    pane.set_font_size(20)
    assert "font-size: 20pt" in pane.browser.document().defaultStyleSheet()
    pane.set_font_size(100)
    assert pane.font_size == 40


def test_related_pane_lists_sections_and_routes_activation(qtbot) -> None:
    pane = RelatedPane()
    qtbot.addWidget(pane)
    local = RelatedItem(3, "Local story", "https://e.com/3", 1, "Alpha", WHEN, "Newest from Alpha.")
    remote = RelatedItem(None, "On the page", "https://e.com/page", None, None, None, "Linked from the article page.")
    pane.show_related(RelatedStories((), (local,), (local,), (), (), (remote,)), "Alpha")
    assert [(section, item.title) for section, item in pane.entries()] == [
        ("Next", "Local story"),
        ("More from Alpha", "Local story"),
        ("From the page", "On the page"),
    ]
    assert pane.next_button.isEnabled() and not pane.previous_button.isEnabled()
    assert "Newest from Alpha." in pane.tree.topLevelItem(1).text(0)
    stories: list[int] = []
    links: list[str] = []
    pane.story_requested.connect(stories.append)
    pane.link_requested.connect(links.append)
    pane.resize(360, 500)
    pane.show()
    qtbot.waitExposed(pane)

    def click(row: int) -> None:
        rect = pane.tree.visualItemRect(pane.tree.topLevelItem(row))
        qtbot.mouseClick(pane.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    click(1)  # one click opens an entry
    click(0)  # a section heading does nothing
    assert stories == [3] and links == []
    pane.tree.setFocus()
    qtbot.keyClick(pane.tree, Qt.Key.Key_Down)
    qtbot.keyClick(pane.tree, Qt.Key.Key_End)
    qtbot.keyClick(pane.tree, Qt.Key.Key_Return)  # and so does Enter
    assert links == ["https://e.com/page"]


def test_related_entries_show_title_source_time_and_reason_readably(qtbot) -> None:
    pane = RelatedPane()
    qtbot.addWidget(pane)
    title = "A rather long headline about the zebras of the savannah and the giraffes that live beside them"
    local = RelatedItem(3, title, "https://e.com/3", 1, "Alpha", WHEN, "Newest from Alpha.")
    pane.show_related(RelatedStories((), (), (local,), (), (), ()), "Alpha")
    pane.resize(300, 400)
    pane.show()
    qtbot.waitExposed(pane)
    row = pane.tree.topLevelItem(1)
    assert row.data(0, TitleRole) == title and row.data(0, ReasonRole) == "Newest from Alpha."
    assert row.data(0, SourceRole).startswith("Alpha · ")
    line = pane.fontMetrics().lineSpacing()
    height = pane.tree.visualItemRect(row).height()
    assert height >= 4 * line - 4  # two lines of title, the source and time, the reason
    assert title in row.toolTip(0)
    pane.resize(1200, 400)
    qtbot.waitUntil(lambda: pane.tree.visualItemRect(row).height() < height)  # one line of title when wide


def test_a_long_reason_wraps_instead_of_being_cut(qtbot) -> None:
    pane = RelatedPane()
    qtbot.addWidget(pane)
    reason = "Same event: Northwind, refund, fine and forty million dollars in the headline and the lead of both"
    item = RelatedItem(4, "Northwind fined", "https://e.com/4", 2, "Beta", WHEN, reason)
    pane.show_related(RelatedStories((), (), (), (item,), (), ()), "Alpha")
    pane.resize(290, 400)  # the related pane's width in a 1024×700 window
    pane.show()
    qtbot.waitExposed(pane)
    row = pane.tree.topLevelItem(1)
    assert row.data(0, ReasonRole) == reason
    font = QFont(pane.tree.font())
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.88))
    font.setItalic(True)
    width = pane.tree.viewport().width() - 2 * PADDING
    shown, height = wrapped(QFontMetrics(font), reason, width, REASON_LINES)
    assert "…" not in shown and shown.replace("\n", " ") == reason and shown.count("\n") >= 1
    one_line = pane.tree.visualItemRect(row).height()
    assert one_line >= height + QFontMetrics(pane.tree.font()).lineSpacing()  # the row makes room for it
    assert wrapped(QFontMetrics(font), reason * 3, width, REASON_LINES)[0].endswith("…")  # cut only when too long


def test_sponsored_pane_shows_reasons_and_offers_not_sponsored_for_stories(qtbot) -> None:
    pane = SponsoredPane()
    qtbot.addWidget(pane)
    ad = make_story(id=9, title="Buy zebras", sponsored=True, sponsored_reason="Its category is “Sponsored”.")
    link = SponsoredLink(
        "Whitepaper", "Download it", "https://ads.example/wp", "sidebar", "In a block headed “Whitepapers”."
    )
    pane.show_items(SponsoredItems(on_page=(link,), from_source=(ad,)))
    assert pane.title.text() == "Sponsored (2)"
    texts = [pane.tree.topLevelItem(i).text(0) for i in range(pane.tree.topLevelItemCount())]
    assert "Whitepaper — Download it" in texts[0] and "sidebar" in texts[0] and "Whitepapers" in texts[0]
    assert "ads.example" in texts[0]  # where the link goes
    assert "Sponsored" in texts[1]
    asked: list[int] = []
    links: list[str] = []
    pane.not_sponsored_requested.connect(asked.append)
    pane.link_not_sponsored_requested.connect(links.append)
    pane.tree.setCurrentItem(pane.tree.topLevelItem(0))
    assert pane.not_sponsored_button.isEnabled()
    qtbot.mouseClick(pane.not_sponsored_button, Qt.MouseButton.LeftButton)
    assert links == ["https://ads.example/wp"]
    pane.tree.setCurrentItem(pane.tree.topLevelItem(1))
    assert pane.not_sponsored_button.isEnabled()
    qtbot.mouseClick(pane.not_sponsored_button, Qt.MouseButton.LeftButton)
    assert asked == [9]
