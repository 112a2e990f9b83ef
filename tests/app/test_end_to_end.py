"""The real app: the Application object in this process, and the real ``newsreader`` process."""

from __future__ import annotations

import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from PySide6.QtGui import QImage

from newsreader.app.application import Application
from newsreader.core.library import open_library
from tests.app.conftest import populate, sponsored_feed
from tests.conftest import PYTHON, cli_env, shared_path
from tests.support.feeds import rss, simple_rss


def test_the_app_refreshes_on_start_and_reads_by_keyboard(qtbot, qapp, tmp_path: Path, server, browser) -> None:
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as library:
        library.subscribe(server.add("/alpha.xml", simple_rss(30, "alpha", "Alpha")), folder="News")
        library.subscribe(server.add("/beta.xml", sponsored_feed()))
        library.subscribe(server.add("/dead.xml", b"", status=503))
    app = Application(qapp, str(data))
    window = app.window
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.refresher.finished, timeout=30000) as done:
            app.show()
            app.start_refreshing()
        assert len(done.args[0].new_story_ids) == 35
        assert done.args[0].failures and "503" in done.args[0].failures[0][1]
        assert window.errors_button.text() == "1 feed failed"
        assert window.story_model.rowCount() == 34  # the sponsored story is not listed

        for _ in range(3):
            with qtbot.waitSignal(window.story_displayed, timeout=10000):
                qtbot.keyClick(window.story_view, "j")
        assert window.reading.current_row() == 2
        shown = window.story_model.story_at(2)
        assert window.story_pane.story is not None and window.story_pane.story.id == shown.id
        assert shown.title in window.story_pane.browser.toPlainText()
        assert window.related_pane.entries()
        assert app.library.story(shown.id).read

        qtbot.keyClick(window.story_view, "h")
        assert not window.sponsored_pane.isVisible()
        qtbot.keyClick(window.story_view, "h")
        assert window.sponsored_pane.isVisible()
        beta = next(s for s in app.library.stories(limit=None) if s.feed_title == "Beta")
        with qtbot.waitSignal(window.story_displayed, timeout=10000):
            window.reading.show_story_by_id(beta.id)
        assert [item.title for item in window.sponsored_pane.items.from_source] == ["Buy our zebra-striped laptops"]
        qtbot.keyClick(window.story_view, "h")
        assert window.hidden_line.isVisible() and "1 sponsored item hidden" in window.hidden_line.text()
        assert browser.opened == []
    finally:
        window.close()
        app.shut_down()
    assert (data / "gui.ini").exists()  # window state kept for the next start


def gui_env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "data")  # without a display


def test_screenshot_of_the_seed_story_from_the_real_process(tmp_path: Path, server) -> None:
    page = shared_path("seed", "register-2014-article.html")
    with open_library(tmp_path / "data", parse_processes=0) as library:
        ids = populate(library, server)
        story = library.stories(feed_id=ids["alpha"], limit=1)[0]
        library.store_page(story.id, page.read_bytes(), "http://www.theregister.co.uk/2014/08/01/x/")
    picture = tmp_path / "window.png"
    result = subprocess.run(
        [PYTHON, "-m", "newsreader", "gui", "--screenshot", str(picture), "--select", str(story.id)],
        env=gui_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(picture))
    assert image.width() >= 1000 and image.height() >= 600
    with open_library(tmp_path / "data", parse_processes=0) as library:
        assert not library.story(story.id).read  # taking a picture changes nothing
    assert not (tmp_path / "data" / "gui.ini").exists() or "geometry" not in (tmp_path / "data" / "gui.ini").read_text()


def test_without_a_display_the_app_points_to_the_command_line(tmp_path: Path) -> None:
    for command in ([], ["gui"]):
        result = subprocess.run(
            [PYTHON, "-m", "newsreader", *command], env=gui_env(tmp_path), capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "no display is available" in result.stderr
        assert "newsreader --help" in result.stderr
        assert "Traceback" not in result.stderr


def test_the_gui_entry_point_is_installed() -> None:
    script = Path(PYTHON).parent / "newsreader-gui"
    assert script.exists(), "pip install -e . creates the newsreader-gui launcher"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert result.returncode == 0 and "--screenshot" in result.stdout


def test_refresh_downloads_full_articles_and_shows_them_offline(qtbot, qapp, tmp_path: Path, server, browser) -> None:
    from tests.core.test_page_fetching import serve_articles, summary_feed

    names = ["north", "south"]
    serve_articles(server, names)
    server.add("/favicon.ico", png_icon(), content_type="image/x-icon")
    data = tmp_path / "data"
    with open_library(data, parse_processes=0) as library:
        library.subscribe(server.add("/teasers.xml", summary_feed(server, names)))
    app = Application(qapp, str(data))
    window = app.window
    qtbot.addWidget(window)
    pages: list[object] = []
    window.refresher.page_progress.connect(pages.append)
    try:
        with qtbot.waitSignal(window.refresher.finished, timeout=30000) as done:
            app.show()
            window.subscriptions.refresh_all()
        assert done.args[0].pages == 2 and done.args[0].icons == 1
        assert "2 articles downloaded" in window.progress_label.text()
        server.close()
        with qtbot.waitSignal(window.story_displayed, timeout=10000):
            qtbot.keyClick(window.story_view, "j")
        text = window.story_pane.browser.toPlainText()
        assert "Full article, downloaded for offline reading." in text and "Paragraph 7 of the" in text
        html = window.story_pane.browser.toHtml()
        assert 'src="nr-image:' in html and 'src="http' not in html  # the image comes from the cache
        assert [item.text for item in window.sponsored_pane.items.on_page] == ["Buy things"]
        qtbot.waitUntil(lambda: bool(window.feed_model._icons), timeout=10000)
        assert browser.opened == []
    finally:
        window.close()
        app.shut_down()


def png_icon() -> bytes:
    from tests.core.test_page_fetching import png

    return png(16, 16)


def test_a_bug_is_logged_and_the_app_carries_on(tmp_path: Path) -> None:
    import sys

    from newsreader.app.crash import CrashReporter

    reporter = CrashReporter(tmp_path / "logs")
    try:
        raise ValueError("an unexpected value")
    except ValueError:
        kind, value, tb = sys.exc_info()
    assert kind is not None and value is not None
    reporter(kind, value, tb)
    [report] = reporter.reports
    text = report.read_text()
    assert "ValueError: an unexpected value" in text and "Traceback" in text


def _contrast(image: QImage) -> int:
    """The spread of lightness over *image*'s pixels (0: one flat colour)."""
    values = {image.pixelColor(x, y).lightness() for x in range(image.width()) for y in range(image.height())}
    return max(values) - min(values)


def test_dark_theme_notifications_and_counts_as_a_user_sets_them(qtbot, qapp, tmp_path: Path, server) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QCheckBox, QDialogButtonBox, QStyle, QStyleOptionButton, QWidget

    from tests.app.test_subscriptions import answer_dialog, focus

    data = tmp_path / "data"
    url = server.add("/one.xml", simple_rss(1, "zebra", "Zebras"))
    with open_library(data, parse_processes=0) as library:
        library.subscribe(url)
        library.mark_read([s.id for s in library.stories(limit=None)])
    app = Application(qapp, str(data))
    window = app.window
    qtbot.addWidget(window)
    elsewhere = QWidget()  # the user's other window: the reader is not in front when the refresh ends
    qtbot.addWidget(elsewhere)
    try:
        app.show()
        focus(qtbot, window, window.story_view)

        def set_dark_and_notify(dialog: object) -> None:
            qtbot.keyClicks(dialog.theme_box, "Dark")  # type: ignore[attr-defined]
            box: QCheckBox = dialog.notify_box  # type: ignore[attr-defined]
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
            buttons = dialog.findChild(QDialogButtonBox)  # type: ignore[attr-defined]
            qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

        answer_dialog(qtbot, set_dark_and_notify)
        qtbot.keyClick(window.story_view, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
        assert window.settings.theme == "dark" and window.settings.notify_new
        palette = QApplication.palette()
        base = palette.color(QPalette.ColorRole.Base).lightness()
        assert base < 80, "the dark theme is dark"
        assert palette.color(QPalette.ColorRole.PlaceholderText).lightness() - base > 90  # "Search stories (/)"
        check = QCheckBox("Shown on the dark theme")
        check.resize(check.sizeHint())
        option = QStyleOptionButton()
        check.initStyleOption(option)
        box_rect = check.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, check)
        indicator = check.grab().toImage().copy(box_rect)
        assert _contrast(indicator) > 60, "the empty check box's outline stands out from the dark window"

        quokkas = {
            "title": "Quokka numbers rise on Rottnest",
            "link": "http://127.0.0.1:9/q",
            "guid": "quokka",
            "description": "<p>A census.</p>",
            "pubDate": "Tue, 01 Jul 2025 10:00:00 GMT",
        }
        switched = threading.Event()
        body = rss([quokkas], title="Zebras").encode()

        def answer_once_the_user_is_elsewhere(request: BaseHTTPRequestHandler) -> None:
            switched.wait(20)
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)

        server.add("/one.xml", handler=answer_once_the_user_is_elsewhere)  # one story more
        focus(qtbot, window, window.story_view)
        with qtbot.waitSignal(window.refresher.finished, timeout=30000):
            qtbot.keyClick(window.story_view, Qt.Key.Key_F5)
            elsewhere.show()
            elsewhere.activateWindow()
            qtbot.waitUntil(lambda: not window.isActiveWindow())
            switched.set()
        qtbot.waitUntil(lambda: bool(app.notifications), timeout=10000)
        assert app.notifications == [("1 new story", "• Quokka numbers rise on Rottnest")]
        finished = "Refresh done: 1 new story from 1 feed. 0 articles downloaded, 1 could not be."
        assert window.progress_label.text() == finished

        focus(qtbot, window, window.story_view)
        qtbot.keyClick(window.story_view, "/")
        qtbot.keyClicks(window.search_edit, "Rottnest")
        qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "match" in window.statusBar().currentMessage(), timeout=10000)
        assert window.statusBar().currentMessage() == "1 story matches “Rottnest”."
    finally:
        window.close()
        app.shut_down()
        app.apply_theme("system")
