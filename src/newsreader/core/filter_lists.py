"""The user's ad-blocking filter lists (EasyList syntax), kept as files in ``filters/`` beside the
library; :func:`newsreader.core.pages.filters.load_filters` reads them."""

from __future__ import annotations

import re
from pathlib import Path

from newsreader.core.errors import FilterListNotFoundError, SettingsError


def add_filter_list(directory: Path, text: str, name: str) -> int:
    """Keep a filter list under *name*; returns its number of rules. Raises :class:`SettingsError`
    when the text is not a filter list or the file cannot be written."""
    from newsreader.core.pages.filters import check_list

    count = check_list(text, name)
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-.") or "list"
    target = directory / (safe if safe.endswith(".txt") else f"{safe}.txt")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"The filter list could not be saved to {target} ({exc.strerror}).") from exc
    return count


def remove_filter_list(directory: Path, name: str) -> None:
    """Delete one of the user's filter lists (by file name or stem); raises
    :class:`FilterListNotFoundError`."""
    from newsreader.core.pages.filters import user_lists

    for path in user_lists(directory):
        if name in (path.name, path.stem):
            path.unlink()
            return
    raise FilterListNotFoundError(name)
