"""Reading as a user does, by keys and clicks: moving on between feeds, context menus that do not open
what they act on, sorting and searching, pane sizes from 800×600 to 4K, the story's text size."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMenu

from newsreader.app.application import dark_palette
from newsreader.app.models.feeds import Selection
from newsreader.app.story_html import images_as_blocks, story_document
from newsreader.app.views.main_window import MIN_WINDOW_SIZE
from newsreader.wording import plural
from tests.app.conftest import open_window
from tests.app.test_main_window import key, open_with
from tests.app.test_panes import make_story


def test_n_moves_on_to_the_next_feed_with_unread_stories(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    seen = [open_with(qtbot, window, "n") for _ in range(4)]
    assert {library.story(s).feed_id for s in seen} == {ids["beta"]}
    moved = open_with(qtbot, window, "n")  # Beta is read: Broken has nothing, so on (round) to Alpha
    assert library.story(moved).feed_id == ids["alpha"]
    assert window.feed_view.currentIndex().data(window.feed_model.SelectionRole) == Selection("feed", ids["alpha"])
    assert window.reading.current_row() == 0


def test_space_at_the_end_of_a_feed_moves_on_too(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    for _ in range(4):
        open_with(qtbot, window, "n")
    moved = open_with(qtbot, window, " ")  # the short story fits: Space moves on, to the next feed
    assert library.story(moved).feed_id == ids["alpha"]


def _context_menu(qtbot, window, row: int) -> QMenu:  # type: ignore[no-untyped-def]
    rect = window.story_view.visualRect(window.story_model.index(row, 0))
    qtbot.mouseClick(window.story_view.viewport(), Qt.MouseButton.RightButton, pos=rect.center())
    window.story_view.customContextMenuRequested.emit(rect.center())  # what the platform sends on a right-click
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    return menu


def _trigger(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled()
    menu.close()
    action.trigger()


def test_right_click_acts_on_a_story_without_opening_it(qtbot, window, gui_library, browser) -> None:
    library, _ids = gui_library
    first = open_with(qtbot, window, "j")
    target = window.story_model.story_at(5)
    menu = _context_menu(qtbot, window, 5)
    assert not library.story(target.id).read  # the right-click marked nothing read
    assert window.story_pane.story is not None and window.story_pane.story.id == first
    _trigger(menu, "Copy link")
    assert QApplication.clipboard().text() == target.link
    _trigger(_context_menu(qtbot, window, 5), "Star")
    assert library.story(target.id).starred and not library.story(target.id).read

    _trigger(_context_menu(qtbot, window, 5), "Mark older as read")
    qtbot.waitUntil(lambda: window.story_model.story_at(11).read, timeout=10000)  # the list shows it
    below = [window.story_model.story_at(row) for row in range(5, 12)]
    assert all(library.story(s.id).read for s in below)
    above = [window.story_model.story_at(row) for row in range(1, 5)]
    assert not any(library.story(s.id).read for s in above)


def test_search_results_follow_the_chosen_sort(qtbot, window) -> None:
    header = window.story_view.horizontalHeader()
    key(qtbot, window, "/")
    qtbot.keyClicks(window.search_edit, "alpha")
    qtbot.waitUntil(lambda: window.story_model.rowCount() > 100, timeout=10000)
    dates = [window.story_model.story_at(r).published for r in range(window.story_model.rowCount())]
    assert dates == sorted(dates, reverse=True)  # newest first, as the list is sorted, not by relevance
    count = window.story_model.rowCount()
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(0) + 20, 5)
    )
    titles = [window.story_model.story_at(r).title.casefold() for r in range(window.story_model.rowCount())]
    assert window.story_model.rowCount() == count and titles == sorted(titles)


def test_the_sort_order_is_restored_after_a_restart(qtbot, window, gui_library) -> None:
    library, _ids = gui_library
    header = window.story_view.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(0) + 20, 5)
    )
    assert window.story_model.query.order == "title"
    first_title = window.story_model.story_at(0).title
    window.close()
    again = open_window(library)
    qtbot.addWidget(again)
    assert again.story_model.query.order == "title"
    assert again.story_view.horizontalHeader().sortIndicatorSection() == 0
    assert again.story_model.story_at(0).title == first_title
    again.close()


def test_the_window_works_from_800_by_600_to_4k(qtbot, window, gui_library) -> None:
    _library, ids = gui_library
    assert window.minimumSize().width() <= 800 and window.minimumSize().height() <= 600
    for size in (QSize(800, 600), QSize(1024, 700), QSize(3840, 2160)):
        window.resize(size.expandedTo(MIN_WINDOW_SIZE))
        window.default_pane_sizes()
        qtbot.waitUntil(lambda s=size: window.width() == s.width())
        feeds = window.main_splitter.sizes()[0]
        assert 190 <= feeds <= 320
        name_width = window.feed_view.header().sectionSize(0)
        assert name_width >= feeds - 60  # the unread column stays narrow
        row = window.story_view.verticalHeader().defaultSectionSize()
        assert window.story_view.viewport().height() >= 8 * row  # at least eight stories in view
        assert window.story_pane.width() >= 260 and window.related_pane.width() >= 170
    beta = window.feed_model.index_of(Selection("feed", ids["beta"]))
    tooltip = beta.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Beta\n4 unread stories\nhttp://127.0.0.1")  # the whole name, even when elided


def test_panes_collapse_and_come_back(qtbot, window) -> None:
    key(qtbot, window, "b", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not window.feed_view.isVisible()
    key(qtbot, window, "4", Qt.KeyboardModifier.ControlModifier)  # go to related: opens nothing hidden
    assert QApplication.focusWidget() is window.related_pane.tree
    key(qtbot, window, "1", Qt.KeyboardModifier.ControlModifier)  # go to subscriptions shows them again
    assert window.feed_view.isVisible() and QApplication.focusWidget() is window.feed_view


def test_related_entries_open_from_the_keyboard(qtbot, window, gui_library) -> None:
    library, _ids = gui_library
    first = open_with(qtbot, window, "j")
    key(qtbot, window, "4", Qt.KeyboardModifier.ControlModifier)
    tree = window.related_pane.tree
    assert tree.hasFocus() and tree.currentItem() is not None  # the first entry is current at once
    expected = window.related_pane.entries()[0][1].story_id
    with qtbot.waitSignal(window.story_displayed, timeout=10000) as shown:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert shown.args[0] == expected != first
    assert library.story(expected).read


def test_story_actions_are_disabled_with_nothing_shown_and_have_icons(qtbot, window) -> None:
    names = ("toggle_read", "toggle_star", "open_original", "fetch_article")
    assert not any(window.actions_by_name[n].isEnabled() for n in names)
    assert all(not window.actions_by_name[n].icon().isNull() for n in (*names, "refresh", "add_feed"))
    open_with(qtbot, window, "j")
    assert all(window.actions_by_name[n].isEnabled() for n in names)


def test_bigger_text_scales_the_headline_too(qtbot, window) -> None:
    open_with(qtbot, window, "j")
    document = window.story_pane.browser.document()

    def headline_size() -> float:
        return document.firstBlock().begin().fragment().charFormat().fontPointSize()

    def body_size() -> float:
        return document.lastBlock().charFormat().fontPointSize() or document.defaultFont().pointSizeF()

    before, body_before = headline_size(), window.story_pane.font_size
    for _ in range(4):
        key(qtbot, window, "+", Qt.KeyboardModifier.ControlModifier)
    assert window.story_pane.font_size == body_before + 4
    assert headline_size() >= before + 5  # the headline grows with the text


def test_images_stand_on_their_own_lines_and_figures_keep_captions() -> None:
    html = images_as_blocks(
        '<p>Text before <img src="nr-image:a"> and after</p>'
        '<figure><img src="nr-image:b"><figcaption>The caption</figcaption></figure>'
        '<p><a href="https://e.com/"><img src="nr-image:c"></a></p>'
    )
    assert html == (
        '<p>Text before  and after</p><p class="image"><img src="nr-image:a"></p>'
        '<div class="figure"><p class="image"><img src="nr-image:b"></p><p class="caption">The caption</p></div>'
        '<p class="image"><a href="https://e.com/"><img src="nr-image:c"></a></p>'
    )
    document = story_document(make_story(content_html="<figure><figcaption>Shown</figcaption></figure>"), None)
    assert '<p class="caption">Shown</p>' in document


def test_dark_theme_placeholders_are_readable() -> None:
    palette = dark_palette()
    base = palette.color(QPalette.ColorRole.Base).lightness()
    assert palette.color(QPalette.ColorRole.PlaceholderText).lightness() - base > 90
    assert palette.color(QPalette.ColorRole.Mid).lightness() - base > 60  # check box outlines


def test_counts_read_as_english() -> None:
    assert plural(1, "feed") == "1 feed" and plural(2, "feed") == "2 feeds"
    assert plural(1, "new story", "new stories") == "1 new story" and plural(0, "story", "stories") == "0 stories"


def test_urdu_titles_fall_back_to_a_font_that_has_their_letters(qtbot, window) -> None:
    import pytest
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QTextLayout

    arabic = QFontDatabase.families(QFontDatabase.WritingSystem.Arabic)
    if not any(QFontMetrics(QFont(family)).inFontUcs4(0x06D2) for family in arabic):
        pytest.skip("no font with Urdu letters on this machine (scripts/setup.sh installs fonts-noto-core)")
    title = "ہمارے ملک کے بارے میں"  # heh goal and yeh barree, which DejaVu Sans lacks
    layout = QTextLayout(title, window.story_view.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    glyphs = [index for run in layout.glyphRuns() for index in run.glyphIndexes()]
    assert glyphs and 0 not in glyphs  # glyph 0 is the missing-glyph box


def test_the_list_fills_while_the_refresh_runs_and_keeps_the_story_read(qtbot, window, gui_library, server) -> None:
    from tests.support.feeds import rss, simple_rss

    library, _ids = gui_library
    fresh = rss(
        [
            {
                "title": f"Fresh {i}",
                "link": f"http://127.0.0.1:9/fresh/{i}",
                "guid": f"fresh-{i}",
                "pubDate": f"Mon, 0{i + 1} Jan 2035 10:00:00 GMT",
            }
            for i in range(3)
        ],
        title="Fresh",
    )
    library.subscribe(server.add("/fresh.xml", fresh))
    library.subscribe(server.add("/slow.xml", simple_rss(1, "slow", "Slow"), drip_seconds=0.01))  # ~5 s
    window.subscriptions.reload_feeds()
    reading = open_with(qtbot, window, "j")
    with qtbot.waitSignal(window.refresher.finished, timeout=60000):
        key(qtbot, window, "r")
        qtbot.waitUntil(lambda: window.story_model.story_at(0).title == "Fresh 2", timeout=20000)
        assert window.refresher.running  # shown while the slow feed is still being read
        assert window.reading.current_story is not None and window.reading.current_story.id == reading
        assert window.story_model.story_at(window.reading.current_row()).id == reading  # still selected


def test_a_page_that_could_not_be_downloaded_is_a_quiet_note_above_the_feeds_text() -> None:
    story = make_story(link="https://news.example/a", content_html="<p>The feed's own words.</p>")
    document = story_document(story, None, page_error="The host of https://news.example/a could not be found.")
    assert '<p class="error"' not in document
    assert (
        '<p class="note">The feed\'s text: the full article could not be downloaded (The host of '
        "https://news.example/a could not be found). “Fetch full article” tries again.</p>"
    ) in document
    assert "The feed's own words." in document
