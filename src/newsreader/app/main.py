"""Start the desktop app: ``newsreader``, ``newsreader gui …`` and ``newsreader-gui``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

NO_DISPLAY = (
    "newsreader: no display is available (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot "
    "open; use the command line instead ('newsreader --help')."
)


ALREADY_RUNNING = "newsreader is already open on this library; its window has been brought to the front."


def display_available(environ: os._Environ[str] | dict[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt can open a window here: always on Windows and macOS; on X11/Wayland systems only
    with a display (or an explicit ``QT_QPA_PLATFORM`` such as ``offscreen``)."""
    if platform.startswith(("win", "darwin")):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY") or environ.get("QT_QPA_PLATFORM"))


def add_gui_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``newsreader gui`` (shared with ``newsreader-gui``)."""
    parser.add_argument("--screenshot", metavar="FILE.png", help="save a picture of the window once painted, then exit")
    parser.add_argument("--select", type=int, metavar="STORY_ID", help="open this story on start")
    parser.add_argument("--no-refresh", action="store_true", help="do not refresh on start")
    parser.add_argument(
        "--size", type=window_size, metavar="WxH", help="open the window at this size (e.g. 1024x700), for screenshots"
    )


def window_size(text: str) -> tuple[int, int]:
    """``"1024x700"`` → ``(1024, 700)``; raises :class:`argparse.ArgumentTypeError` otherwise."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()) or not (100 <= int(width) <= 10000 and 100 <= int(height) <= 10000):
        raise argparse.ArgumentTypeError(f"{text!r} is not a window size such as 1024x700.")
    return int(width), int(height)


def run_gui(
    data_dir: str | None,
    screenshot: str | None = None,
    select: int | None = None,
    refresh: bool = True,
    size: tuple[int, int] | None = None,
) -> int:
    """Open the main window on the library in *data_dir* and run until it closes; returns the exit code."""
    if screenshot and not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a picture needs no screen
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_FAILED
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        print(
            f"newsreader: the desktop app cannot start because Qt is missing ({exc}); "
            "run ./scripts/setup.sh, or use the command line ('newsreader --help').",
            file=sys.stderr,
        )
        return EXIT_FAILED

    from PySide6.QtCore import qInstallMessageHandler

    from newsreader.app.application import Application
    from newsreader.app.instance import SingleInstance, server_name
    from newsreader.core.errors import NewsreaderError
    from newsreader.core.paths import database_path

    qInstallMessageHandler(_quiet_platform_notes)
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    instance = None
    if screenshot is None:  # a picture may be taken while the app runs on the same library
        instance = SingleInstance(server_name(database_path(data_dir)))
        if instance.ask_running_to_raise():
            print(ALREADY_RUNNING, file=sys.stderr)
            return EXIT_OK
    try:
        app = Application(qt_app, data_dir, auto_refresh=refresh and screenshot is None)  # type: ignore[arg-type]
    except NewsreaderError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if instance is not None and instance.listen():
        instance.raise_requested.connect(app.show_window)
    try:
        return app.run(screenshot=screenshot, select=select, size=size)
    finally:
        if instance is not None:
            instance.close()


def _quiet_platform_notes(_kind: object, _context: object, message: str) -> None:
    """Qt's messages go to stderr, except the offscreen platform's note that it cannot resize windows
    to their hints (printed on every start without a screen, and meaningless to a user)."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """``newsreader-gui``: the desktop app's own entry point."""
    parser = argparse.ArgumentParser(prog="newsreader-gui", description="The newsreader desktop app.")
    parser.add_argument("--data-dir", help="library folder (default: $NEWSREADER_DATA_DIR or the user data dir)")
    add_gui_arguments(parser)
    args = parser.parse_args(argv)
    return run_gui(args.data_dir, args.screenshot, args.select, not args.no_refresh, args.size)


if __name__ == "__main__":
    sys.exit(main())
