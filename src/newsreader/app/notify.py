"""Desktop notifications of new stories: the freedesktop notification service on Linux and other
free desktops (over D-Bus with jeepney, so they show even without a tray), else the tray icon's
message, which on Windows and macOS is the platform's own notification."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from newsreader.wording import plural

log = logging.getLogger(__name__)

MAX_TITLES = 3
DBUS_TIMEOUT_S = 2.0


def new_stories_message(titles: Sequence[str], count: int | None = None) -> tuple[str, str]:
    """(summary, body) for *count* new stories (default: as many as *titles*): the first few titles,
    then how many more."""
    total = len(titles) if count is None else count
    summary = plural(total, "new story", "new stories")
    shown = [t.strip() or "(untitled)" for t in titles[:MAX_TITLES]]
    more = total - len(shown)
    body = "\n".join(f"• {title}" for title in shown)
    if more > 0:
        body += f"\n…and {more} more"
    return summary, body


def notify_freedesktop(summary: str, body: str, app_name: str = "newsreader") -> bool:
    """Send a notification to the session's notification service; False when there is none (no
    session bus, no service, or not a free desktop). Blocks at most about two seconds: call it off the
    GUI thread."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return False
    address = DBusAddress(
        "/org/freedesktop/Notifications",
        bus_name="org.freedesktop.Notifications",
        interface="org.freedesktop.Notifications",
    )
    message = new_method_call(address, "Notify", "susssasa{sv}i", (app_name, 0, "", summary, body, [], {}, -1))
    try:
        with open_dbus_connection(bus="SESSION") as connection:
            connection.send_and_get_reply(message, timeout=DBUS_TIMEOUT_S)
    except Exception as exc:  # no bus, no service, a timeout: the caller falls back to the tray
        log.info("no desktop notification service: %s", exc)
        return False
    return True
