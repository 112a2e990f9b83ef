"""The app's settings: library-wide ones live in the library, window state in ``gui.ini`` beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from newsreader.core.library import DEFAULT_WORKERS, Library

THEMES = ("system", "light", "dark")
SPONSORED_IN_LISTS = ("hide", "mark")
FULL_ARTICLES = ("auto", "on", "off")


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Everything the settings dialog edits."""

    refresh_minutes: int = 60
    refresh_on_start: bool = True
    workers: int = DEFAULT_WORKERS
    keep_days: int = 0
    """0: keep stories that left their feed for ever (per-feed settings still apply)."""
    keep_count: int = 0
    full_articles: str = "auto"
    """Download article pages for feeds without their own setting: ``auto`` (summary-only feeds), ``on``, ``off``."""
    download_images: bool = True
    """Keep the images of downloaded articles for offline reading."""
    remote_images: bool = False
    theme: str = "system"
    font_size: int = 11
    proxy: str = ""
    sponsored_in_lists: str = "hide"
    notify_new: bool = False
    """Desktop notifications of new stories (off by default)."""
    close_to_tray: bool = False
    """Closing the window leaves newsreader running in the tray."""
    mark_read_on_select: bool = True
    sync_minutes: int = 30
    """Sync the accounts on their own this often (0: only with a full refresh)."""


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


class SettingsStore:
    """Reads and writes :class:`AppSettings` and the window's state."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self.qsettings = QSettings(str(Path(library.path).parent / "gui.ini"), QSettings.Format.IniFormat)

    def load(self) -> AppSettings:
        """The current settings (defaults for anything unset or unreadable)."""
        qs = self.qsettings
        stored = self._library.settings()
        defaults = AppSettings()
        theme = str(qs.value("theme", defaults.theme))
        sponsored = str(qs.value("sponsored_in_lists", defaults.sponsored_in_lists))
        return AppSettings(
            refresh_minutes=max(1, stored.update_interval // 60),
            refresh_on_start=self.flag("refresh_on_start", defaults.refresh_on_start),
            workers=stored.workers,
            keep_days=stored.keep_days or 0,
            keep_count=stored.keep_count or 0,
            full_articles=stored.full_articles,
            download_images=stored.download_images,
            remote_images=self.flag("remote_images", defaults.remote_images),
            theme=theme if theme in THEMES else defaults.theme,
            font_size=_int(str(qs.value("font_size", defaults.font_size)), defaults.font_size),
            proxy=stored.proxy or "",
            sponsored_in_lists=sponsored if sponsored in SPONSORED_IN_LISTS else defaults.sponsored_in_lists,
            notify_new=self.flag("notify_new", defaults.notify_new),
            close_to_tray=self.flag("close_to_tray", defaults.close_to_tray),
            mark_read_on_select=self.flag("mark_read_on_select", defaults.mark_read_on_select),
            sync_minutes=max(0, _int(str(qs.value("sync_minutes", defaults.sync_minutes)), defaults.sync_minutes)),
        )

    def save(self, settings: AppSettings) -> None:
        """Store every setting."""
        lib, qs = self._library, self.qsettings
        lib.set_setting("update_interval", str(settings.refresh_minutes * 60))
        lib.set_setting("workers", str(settings.workers))
        lib.set_setting("keep_days", str(settings.keep_days) if settings.keep_days else None)
        lib.set_setting("keep_count", str(settings.keep_count) if settings.keep_count else None)
        lib.set_setting("proxy", settings.proxy.strip() or None)
        lib.set_setting("full_articles", None if settings.full_articles == "auto" else settings.full_articles)
        lib.set_setting("download_images", None if settings.download_images else "off")
        for key in (
            "refresh_on_start",
            "remote_images",
            "theme",
            "font_size",
            "sponsored_in_lists",
            "notify_new",
            "close_to_tray",
            "mark_read_on_select",
            "sync_minutes",
        ):
            qs.setValue(key, getattr(settings, key))
        qs.sync()

    def flag(self, key: str, default: bool) -> bool:
        """A boolean from ``gui.ini`` (INI files store them as text)."""
        value = self.qsettings.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return bool(value)
