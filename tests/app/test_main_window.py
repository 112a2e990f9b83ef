"""The main window driven by the keyboard and mouse, on a real library refreshed from the loopback server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from newsreader.app.models.feeds import Selection
from tests.app.conftest import ALPHA_STORIES, open_window


def key(qtbot, window, key_text: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.story_view, key_text, modifier)


def open_with(qtbot, window, key_text: str) -> int:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.story_displayed, timeout=10000) as shown:
        key(qtbot, window, key_text)
    return int(shown.args[0])


def test_the_window_shows_subscriptions_and_the_newest_stories(window, gui_library) -> None:
    _library, _ids = gui_library
    assert window.stack.currentWidget() is window.main_splitter
    assert window.feed_model.rowCount() == 4 + 1 + 2  # views, the News folder, Beta and Broken
    assert window.story_model.rowCount() == 200  # one page; the rest loads as the list scrolls
    assert window.story_model.canFetchMore()
    assert window.story_pane.story is None


def test_keyboard_reading_fills_all_three_panes(qtbot, window, gui_library) -> None:
    library, _ids = gui_library
    first = open_with(qtbot, window, "j")
    assert window.reading.current_row() == 0
    story = library.story(first)
    assert story.read  # opening marks it read
    assert story.title in window.story_pane.browser.toPlainText()
    sections = {section for section, _ in window.related_pane.entries()}
    assert "Next" in sections and any(s.startswith("More from") for s in sections)
    second = open_with(qtbot, window, "j")
    assert second != first and window.reading.current_row() == 1
    assert open_with(qtbot, window, "k") == first

    key(qtbot, window, "m")  # toggle read: back to unread
    assert not library.story(first).read
    key(qtbot, window, "s")
    assert library.story(first).starred
    assert window.story_model.index(0, 0).data().startswith("★ ")

    unread = open_with(qtbot, window, "n")  # the next unread story skips the one read above
    assert unread not in (first, second) and window.reading.current_row() == 2
    assert open_with(qtbot, window, "p") == first  # the previous unread is the one marked unread again


def test_space_pages_then_moves_to_the_next_unread(qtbot, window) -> None:
    first = open_with(qtbot, window, "j")
    window.story_pane.browser.setHtml("<p>long</p>" * 400)
    bar = window.story_pane.browser.verticalScrollBar()
    assert bar.maximum() > 0
    key(qtbot, window, " ")
    assert bar.value() > 0 and window.story_pane.story is not None and window.story_pane.story.id == first
    bar.setValue(bar.maximum())
    with qtbot.waitSignal(window.story_displayed, timeout=10000) as shown:
        key(qtbot, window, " ")
    assert shown.args[0] != first


def test_h_hides_the_sponsored_pane_and_says_how_much_is_hidden(qtbot, window, gui_library) -> None:
    _library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        window.reading.show_story_by_id(window.story_model.story_at(0).id)
    assert window.sponsored_pane.isVisible()
    assert window.sponsored_pane.items.count == 1  # the feed's sponsored story, with its reason
    assert "Sponsored" in window.sponsored_pane.tree.topLevelItem(0).text(0)
    key(qtbot, window, "h")
    assert not window.sponsored_pane.isVisible()
    assert window.hidden_line.isVisible()
    assert window.hidden_line.text() == "1 sponsored item hidden — press H to show"
    key(qtbot, window, "h")
    assert window.sponsored_pane.isVisible() and not window.hidden_line.isVisible()


def test_sponsored_stories_are_hidden_from_lists_and_can_be_released(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    assert window.story_model.rowCount() == 4
    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        window.reading.show_story_by_id(window.story_model.story_at(0).id)
    ad = window.sponsored_pane.items.from_source[0]
    window.sponsored_pane.tree.setCurrentItem(window.sponsored_pane.tree.topLevelItem(0))
    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        qtbot.mouseClick(window.sponsored_pane.not_sponsored_button, Qt.MouseButton.LeftButton)
    assert not library.story(ad.id).sponsored
    assert window.story_model.rowCount() == 5  # the list shows it at once, no reselecting needed
    window.subscriptions.select(Selection("view", "unread"))
    window.subscriptions.select(Selection("feed", ids["beta"]))
    assert window.story_model.rowCount() == 5


def test_shift_a_marks_the_selection_read_and_updates_counts(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("folder", "News"))
    key(qtbot, window, "a", Qt.KeyboardModifier.ShiftModifier)
    assert library.feed(ids["alpha"]).unread == 0
    assert library.feed(ids["beta"]).unread == 4
    news = window.feed_model.index_of(Selection("folder", "News"))
    assert news.siblingAtColumn(1).data() == ""
    unread = window.feed_model.index_of(Selection("view", "unread"))
    assert unread.siblingAtColumn(1).data() == "4"


def test_search_finds_stories_off_the_gui_thread(qtbot, window) -> None:
    key(qtbot, window, "/")
    assert QApplication.focusWidget() is window.search_edit
    qtbot.keyClicks(window.search_edit, "giraffes")
    qtbot.waitUntil(lambda: window.story_model.rowCount() == 4, timeout=10000)
    assert all("Beta news" in window.story_model.story_at(r).title for r in range(4))
    window.search_edit.clear()
    qtbot.waitUntil(lambda: window.story_model.rowCount() == 200, timeout=10000)


def test_refresh_reports_progress_errors_and_new_stories(qtbot, window, gui_library, server) -> None:
    from tests.support.feeds import simple_rss

    _library, ids = gui_library
    server.add("/alpha.xml", simple_rss(ALPHA_STORIES + 3, "alpha", "Alpha"))
    steps: list[object] = []
    window.refresher.progress.connect(steps.append)
    with qtbot.waitSignal(window.refresher.finished, timeout=30000) as done:
        key(qtbot, window, "r")
        assert window.progress_label.text().startswith("Refreshing")  # the key started it at once
    summary = done.args[0]
    assert len(summary.new_story_ids) == 3
    assert len(steps) == 3
    assert window.errors_button.isVisible() and window.errors_button.text() == "1 feed failed"
    assert "3 new stories from 3 feeds" in window.progress_label.text()
    assert not window.progress.isVisible()
    assert (
        window.story_model.story_at(0).title == f"alpha number {ALPHA_STORIES + 2}"
        or window.story_model.rowCount() == 200
    )
    alpha = window.feed_model.index_of(Selection("feed", ids["alpha"]))
    # counted on a worker
    qtbot.waitUntil(lambda: alpha.siblingAtColumn(1).data() == str(ALPHA_STORIES + 3), timeout=10000)


def test_window_state_is_restored_on_the_next_start(qtbot, window, gui_library) -> None:
    library, ids = gui_library
    window.subscriptions.select(Selection("feed", ids["beta"]))
    key(qtbot, window, "h")
    window.close()
    again = open_window(library)
    qtbot.addWidget(again)
    assert not again.reading.sponsored_visible
    assert again.feed_view.currentIndex().data(again.feed_model.SelectionRole) == Selection("feed", ids["beta"])
    assert again.story_model.rowCount() == 4
    again.close()


def test_open_in_browser_sends_only_the_story_link(qtbot, window, browser) -> None:
    story_id = open_with(qtbot, window, "j")
    key(qtbot, window, "o")
    window.activateWindow()
    window.story_view.setFocus()
    qtbot.waitUntil(window.story_view.hasFocus)
    qtbot.keyClick(window.story_view, Qt.Key.Key_Return)
    window.search_edit.setFocus()
    qtbot.waitUntil(window.search_edit.hasFocus)
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)  # Enter in the search field searches, opens nothing
    link = window.library.story(story_id).link
    assert browser.opened == [link, link]


def test_every_shortcut_is_listed_in_help(window) -> None:
    listed = {keys for keys, _ in window.shortcut_rows()}
    for expected in ("J", "K", "N", "P", "Space", "M", "S", "O", "R", "H", "Shift+A"):
        assert any(expected in keys.split(", ") for keys in listed), expected
    assert any("/" in keys for keys in listed)
    assert all(widget.accessibleName() for widget in (window.feed_view, window.story_view, window.search_edit))


def test_a_page_link_marked_not_sponsored_leaves_the_pane(qtbot, window, gui_library) -> None:
    from tests.conftest import shared_path

    library, ids = gui_library
    page = shared_path("seed", "register-2014-article.html").read_bytes()
    story = library.stories(feed_id=ids["alpha"], limit=1)[0]
    library.store_page(story.id, page, "http://www.theregister.co.uk/2014/08/01/x/")
    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        window.reading.show_story_by_id(story.id)
    assert len(window.sponsored_pane.items.on_page) == 7
    first = window.sponsored_pane.items.on_page[0]
    window.sponsored_pane.tree.setCurrentItem(window.sponsored_pane.tree.topLevelItem(0))
    with qtbot.waitSignal(window.story_displayed, timeout=10000):
        qtbot.mouseClick(window.sponsored_pane.not_sponsored_button, Qt.MouseButton.LeftButton)
    assert [item.href for item in window.sponsored_pane.items.on_page].count(first.href) == 0
    assert len(window.sponsored_pane.items.on_page) == 6
    assert first.href not in {item.href for item in library.page(story.id).sponsored}
    library.set_link_sponsored(first.href, True)
    assert len(library.page(story.id).sponsored) == 7
