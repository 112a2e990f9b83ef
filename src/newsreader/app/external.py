"""Opening links outside the app: only http, https and mailto reach the system browser or mailer."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})


def open_external(url: str | QUrl) -> bool:
    """Open *url* with the system's handler; False (and nothing opened) for any other scheme."""
    target = url if isinstance(url, QUrl) else QUrl(url)
    if not target.isValid() or target.scheme().lower() not in EXTERNAL_SCHEMES:
        return False
    return bool(QDesktopServices.openUrl(target))
