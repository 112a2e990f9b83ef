"""The running app: library, main window, theme, tray icon, refresh timer and screenshots."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QSystemTrayIcon,
    QWidget,
)

from newsreader.app.crash import CrashReporter
from newsreader.app.notify import MAX_TITLES, new_stories_message, notify_freedesktop
from newsreader.app.settings import AppSettings, SettingsStore
from newsreader.app.views.main_window import MainWindow
from newsreader.core.library import open_library
from newsreader.core.paths import log_dir

SCREENSHOT_TIMEOUT_MS = 30000
SCREENSHOT_SIZE = (1280, 800)
QUIT_WAIT_SECONDS = 5.0
FIRST_PAINT_ENV = "NEWSREADER_REPORT_FIRST_PAINT"
"""When set, the app prints ``first paint`` to stderr as the window first paints (benchmarks)."""


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style."""
    palette = QPalette()
    window, base, text = QColor(37, 37, 40), QColor(28, 28, 30), QColor(230, 230, 232)
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.ToolTipBase, base),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Highlight, QColor(64, 110, 190)),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.Link, QColor(130, 170, 255)),
        (QPalette.ColorRole.PlaceholderText, QColor(150, 150, 158)),
        (QPalette.ColorRole.Light, QColor(90, 90, 96)),
        (QPalette.ColorRole.Midlight, QColor(70, 70, 76)),
        (QPalette.ColorRole.Mid, QColor(110, 110, 118)),
        (QPalette.ColorRole.Dark, QColor(20, 20, 22)),
        (QPalette.ColorRole.Shadow, QColor(0, 0, 0)),
    ):
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(140, 140, 146))
    return palette


class OutlinedIndicators(QProxyStyle):
    """Fusion draws check box and radio button outlines a shade darker than the window, which vanishes on
    a dark one; this draws them again in the palette's ``Mid`` colour, visible on light and dark."""

    def drawPrimitive(
        self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter, widget: QWidget | None = None
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in (
            QStyle.PrimitiveElement.PE_IndicatorCheckBox,
            QStyle.PrimitiveElement.PE_IndicatorRadioButton,
        ):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 1.5, 1.5)
        painter.restore()


def app_icon(unread: int = 0) -> QIcon:
    """The app's icon, with the unread count on it when there is one (for the tray)."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(232, 119, 34))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(4, 4, 56, 56, 12, 12)
    painter.setBrush(QColor(255, 255, 255))
    painter.drawEllipse(14, 40, 10, 10)
    pen = painter.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(QColor(255, 255, 255))
    pen.setWidth(6)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(-2, 24, 40, 40, 0 * 16, 90 * 16)
    painter.drawArc(-18, 8, 72, 72, 0 * 16, 90 * 16)
    if unread:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(200, 30, 30))
        painter.drawEllipse(30, 0, 34, 34)
        painter.setPen(QColor(255, 255, 255))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(16 if unread < 100 else 12)
        painter.setFont(font)
        painter.drawText(30, 0, 34, 34, Qt.AlignmentFlag.AlignCenter, str(unread) if unread < 1000 else "999+")
    painter.end()
    return QIcon(pixmap)


class _FirstPaint(QObject):
    """Notes when the window first paints."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            if os.environ.get(FIRST_PAINT_ENV):
                print(f"first paint {1000 * (time.perf_counter() - self.started):.0f} ms", file=sys.stderr, flush=True)
        return False


class Application:
    """Owns the library and the main window for the life of the process."""

    def __init__(self, qt_app: QApplication, data_dir: str | None, *, auto_refresh: bool = True) -> None:
        self.qt_app = qt_app
        qt_app.setApplicationName("newsreader")
        qt_app.setApplicationDisplayName("newsreader")
        qt_app.setWindowIcon(app_icon())
        self.library = open_library(data_dir)
        self.crashes = CrashReporter(log_dir(data_dir))
        self.crashes.install()
        self.store = SettingsStore(self.library)
        settings = self.store.load()
        self._default_style = qt_app.style().name()
        self._default_palette = qt_app.palette()
        self.apply_theme(settings.theme)
        self.window = MainWindow(self.library, self.store, settings)
        self.window.settings_changed = self._settings_changed  # type: ignore[method-assign]
        self.window.on_new_stories = self._notify
        self.window.hide_on_close = self._hide_on_close
        self.notifications: list[tuple[str, str]] = []
        """(summary, body) of every notification sent, newest last."""
        self._first_paint = _FirstPaint(time.perf_counter())
        self.window.installEventFilter(self._first_paint)
        self.timer = QTimer(self.window)
        self.timer.timeout.connect(self.window.subscriptions.refresh_due)
        self.timer.setInterval(settings.refresh_minutes * 60_000)
        self.sync_timer = QTimer(self.window)
        self.sync_timer.timeout.connect(self.window.sync.sync_all)
        self.sync_timer.setInterval(max(1, settings.sync_minutes) * 60_000)
        self.auto_refresh = auto_refresh
        self.tray = self._make_tray()
        if self.library.set_aside_message:
            self.window.report(self.library.set_aside_message)

    def apply_theme(self, theme: str) -> None:
        """``system`` keeps the platform's look; ``light``/``dark`` use Fusion with a fixed palette."""
        if theme == "system":
            self.qt_app.setStyle(self._default_style)
            self.qt_app.setPalette(self._default_palette)
            return
        self.qt_app.setStyle(OutlinedIndicators(QStyleFactory.create("Fusion")))
        self.qt_app.setPalette(dark_palette() if theme == "dark" else self.qt_app.style().standardPalette())

    def _settings_changed(self, settings: AppSettings) -> None:
        self.apply_theme(settings.theme)
        self.window.story_pane.set_font_size(settings.font_size)
        self.timer.setInterval(settings.refresh_minutes * 60_000)
        self.sync_timer.setInterval(max(1, settings.sync_minutes) * 60_000)
        if settings.sync_minutes and self.timer.isActive():
            self.sync_timer.start()
        elif not settings.sync_minutes:
            self.sync_timer.stop()

    def _make_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(app_icon(), self.window)
        menu = QMenu(self.window)
        menu.addAction("Show newsreader", self.show_window)
        menu.addAction(self.window.actions_by_name["refresh"])
        menu.addAction(self.window.actions_by_name["quit"])  # quits even when closing hides to the tray
        tray.setContextMenu(menu)
        tray.activated.connect(lambda _reason: self.show_window())
        self.window.feed_model.modelReset.connect(self._update_tray)
        self.window.feed_model.dataChanged.connect(self._update_tray)
        tray.show()
        return tray

    def _update_tray(self, *_: object) -> None:
        if self.tray is None:
            return
        unread = self.library.view_counts()["unread"]
        self.tray.setIcon(app_icon(unread))
        self.tray.setToolTip(f"newsreader — {unread} unread")

    def _notify(self, story_ids: list[int]) -> None:
        """New stories after a refresh: a desktop notification with their titles (when the setting is on
        and the window is not in front)."""
        if not story_ids or not self.window.settings.notify_new or self.window.isActiveWindow():
            return
        library = self.library

        def send() -> tuple[bool, str, str]:
            titles = [library.story(story_id).title for story_id in story_ids[:MAX_TITLES]]
            summary, body = new_stories_message(titles, len(story_ids))
            return notify_freedesktop(summary, body), summary, body

        def fall_back(result: tuple[bool, str, str]) -> None:
            sent, summary, body = result
            self.notifications.append((summary, body))
            if not sent and self.tray is not None:
                self.tray.showMessage(summary, body, app_icon(), 8000)

        self.window.tasks.submit(send, fall_back)

    def _hide_on_close(self) -> bool:
        """Closing the window leaves the app in the tray when the setting says so and there is a tray."""
        return self.tray is not None and self.window.settings.close_to_tray

    def show_window(self) -> None:
        """Bring the window to the front (from the tray, or when a second launch asks)."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def run(
        self, *, screenshot: str | None = None, select: int | None = None, size: tuple[int, int] | None = None
    ) -> int:
        """Show the window and run the event loop; with *screenshot*, save a picture once painted and exit
        (a picture changes nothing: no window state saved, the story shown stays unread)."""
        if screenshot:
            self.window.settings = dataclasses.replace(self.window.settings, mark_read_on_select=False)
            size = size or SCREENSHOT_SIZE  # the same picture whatever the screen
        self.show(select=select, remember=not screenshot, size=size)
        if screenshot:
            return self._screenshot(Path(screenshot))
        self.start_refreshing()
        code = self.qt_app.exec()
        self.shut_down()
        return int(code)

    def show(self, *, select: int | None = None, remember: bool = True, size: tuple[int, int] | None = None) -> None:
        """Open the window as the user left it (or, with *remember* False, at its default size; *size*
        (width, height) overrides either, with pane sizes to match)."""
        self.window.restore_state(geometry=remember)
        if size is not None:
            self.window.resize(*size)
            self.window.default_pane_sizes()
        self.window.remember_state = remember
        self.window.show()
        if select is not None:
            self.window.reading.show_story_by_id(select)

    def start_refreshing(self) -> None:
        """Refresh the due feeds and sync the accounts now (if the settings say so), then on the timers."""
        if self.auto_refresh and self.window.settings.refresh_on_start and self.library.feeds():
            QTimer.singleShot(0, self.window.subscriptions.refresh_due)
        if self.auto_refresh and self.window.settings.refresh_on_start:
            QTimer.singleShot(0, self.window.sync.sync_all)
        self.timer.start()
        if self.window.settings.sync_minutes:
            self.sync_timer.start()

    def _screenshot(self, path: Path) -> int:
        result = {"code": 1}
        started = time.monotonic()

        def attempt() -> None:
            painted = self._first_paint.painted or self.qt_app.platformName() == "offscreen"
            if (self.window.tasks.pending or not painted) and time.monotonic() - started < SCREENSHOT_TIMEOUT_MS / 1000:
                QTimer.singleShot(20, attempt)
                return
            self.qt_app.processEvents()
            if self.window.grab().save(str(path)):
                result["code"] = 0
            else:
                print(f"newsreader: could not save the screenshot to {path}.", file=sys.stderr)
            self.window.close()
            self.qt_app.quit()

        QTimer.singleShot(0, attempt)
        self.qt_app.exec()
        self.shut_down()
        return result["code"]

    def shut_down(self) -> None:
        """Stop the refresh (waiting a bounded time), the workers and the library."""
        self.window.refresher.cancel()
        self.window.syncer.cancel()
        self.window.refresher.wait(QUIT_WAIT_SECONDS)
        self.window.syncer.wait(QUIT_WAIT_SECONDS)
        self.window.tasks.close()
        self.library.close()
        self.crashes.uninstall()
