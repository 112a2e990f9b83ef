"""Where newsreader keeps its files: the only module that uses ``platformdirs``.

Precedence, for the library (with its settings, ``gui.ini`` and filter lists), the image cache and the
crash logs alike: a folder given on the command line, else ``$NEWSREADER_DATA_DIR``, else portable mode
(a file named ``portable`` beside the frozen executable: everything lives in ``data/`` beside it, for a
USB stick), else the platform's user folders.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "newsreader"
DATA_DIR_ENV = "NEWSREADER_DATA_DIR"
DATABASE_NAME = "library.sqlite3"
PORTABLE_MARKER = "portable"
PORTABLE_DATA = "data"


def portable_root(executable: str | os.PathLike[str] | None = None, frozen: bool | None = None) -> Path | None:
    """The folder whose ``portable`` marker file turns portable mode on, or ``None``.

    The marker is looked for beside *executable* (default ``sys.executable``) and, for a macOS app, also
    beside the ``.app`` bundle. Only a frozen program (PyInstaller, *frozen* defaults to ``sys.frozen``) can
    be portable: a Python interpreter's folder is never the program's.
    """
    if not (getattr(sys, "frozen", False) if frozen is None else frozen):
        return None
    folder = Path(executable or sys.executable).resolve().parent
    candidates = [folder]
    if folder.name == "MacOS" and folder.parent.name == "Contents" and folder.parent.parent.suffix == ".app":
        candidates.append(folder.parent.parent.parent)
    return next((c for c in candidates if (c / PORTABLE_MARKER).is_file()), None)


def _explicit(override: str | os.PathLike[str] | None) -> Path | None:
    """The library folder given on the command line or by ``$NEWSREADER_DATA_DIR``, or in portable mode."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    root = portable_root()
    return root / PORTABLE_DATA if root is not None else None


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The library folder: *override*, else ``$NEWSREADER_DATA_DIR``, else ``data`` beside a portable
    executable, else the platform's user data dir."""
    explicit = _explicit(override)
    if explicit is not None:
        return explicit
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The SQLite file inside :func:`data_dir`."""
    return data_dir(override) / DATABASE_NAME


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where downloaded images live: ``cache`` inside a library folder given explicitly (by the command
    line, ``$NEWSREADER_DATA_DIR`` or portable mode), else the platform's user cache dir."""
    explicit = _explicit(override)
    if explicit is not None:
        return explicit / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where crash reports go: ``logs`` inside a library folder given explicitly (by the command line,
    ``$NEWSREADER_DATA_DIR`` or portable mode), else the platform's user log dir."""
    explicit = _explicit(override)
    if explicit is not None:
        return explicit / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
