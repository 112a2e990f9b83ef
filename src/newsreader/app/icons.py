"""Icons of the window's actions: the desktop's icon theme where it has one (freedesktop names), else
simple line drawings of our own in the palette's text colour, so every toolbar button has an icon
that reads on light and dark themes alike, on any platform."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QWidget

DRAWINGS: dict[str, tuple[str, str]] = {
    "refresh": ("view-refresh", "M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5"),
    "add_feed": ("list-add", "M12 5v14M5 12h14"),
    "mark_all_read": ("mail-mark-read", "M3 13l4 4 8-9M10 16l1.5 1.5L21 8"),
    "toggle_read": ("mail-mark-unread", "M3 7h18v11H3zM3 7l9 6 9-6"),
    "toggle_star": ("starred", "M12 3l2.8 5.8 6.2.9-4.5 4.4 1.1 6.2-5.6-3-5.6 3 1.1-6.2L3 9.7l6.2-.9z"),
    "open_original": ("internet-web-browser", "M14 4h6v6M20 4l-9 9M18 14v6H4V6h6"),
    "fetch_article": ("document-save", "M12 4v11M7 10l5 5 5-5M5 20h14"),
    "toggle_sponsored": ("view-hidden", "M3 12V4h8l10 10-8 8zM7.5 7.5h.01"),
}
"""Action name → (theme icon name, an SVG path on a 24×24 grid drawn with a 2 px stroke)."""
SIZES = (16, 24, 32, 48)


def drawn_icon(path: str, color: str) -> QIcon:
    """An icon from an SVG *path* stroked in *color*, rendered at the usual sizes."""
    icon = QIcon()
    for size in SIZES:
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" '
            f'fill="none" stroke="{color}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
            f'<path d="{path}"/></svg>'
        )
        pixmap = QPixmap()
        if pixmap.loadFromData(QByteArray(svg.encode()), "SVG"):
            icon.addPixmap(pixmap)
    return icon


def action_icon(name: str, widget: QWidget) -> QIcon:
    """The icon for the action *name* (an empty icon for actions without one)."""
    found = DRAWINGS.get(name)
    if found is None:
        return QIcon()
    theme_name, path = found
    if QIcon.hasThemeIcon(theme_name):
        return QIcon.fromTheme(theme_name)
    return drawn_icon(path, widget.palette().color(QPalette.ColorRole.WindowText).name())
