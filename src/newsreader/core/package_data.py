"""The data files that ship inside the ``newsreader`` package (default rules, filter list, stylesheet).

Every read of such a file goes through :func:`read_text`, so an incomplete installation stops with one
sentence that names the missing file instead of a traceback.
"""

from __future__ import annotations

from importlib import resources

from newsreader.core.errors import MissingDataError


def read_text(package: str, name: str) -> str:
    """The UTF-8 text of the data file *name* (a ``/``-separated path) inside *package* (a dotted name
    such as ``"newsreader.core.classify"``); raises :class:`MissingDataError` when it is absent or unreadable.
    """
    where = f"{package.replace('.', '/')}/{name}"
    try:
        return resources.files(package).joinpath(name).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise MissingDataError(
            f"newsreader is installed incompletely: its data file {where} is missing or unreadable; "
            "reinstall newsreader."
        ) from exc
