"""Where newsreader keeps its files: the only module that uses ``platformdirs``."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "newsreader"
DATA_DIR_ENV = "NEWSREADER_DATA_DIR"
DATABASE_NAME = "library.sqlite3"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The library folder: *override*, else ``$NEWSREADER_DATA_DIR``, else the platform's user data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The SQLite file inside :func:`data_dir`."""
    return data_dir(override) / DATABASE_NAME


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where downloaded images live: ``cache`` inside a library folder given explicitly (or by
    ``$NEWSREADER_DATA_DIR``), else the platform's user cache dir."""
    if override or os.environ.get(DATA_DIR_ENV):
        return data_dir(override) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where crash reports go: ``logs`` inside a library folder given explicitly (or by
    ``$NEWSREADER_DATA_DIR``), else the platform's user log dir."""
    if override or os.environ.get(DATA_DIR_ENV):
        return data_dir(override) / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
