"""Ad-blocking filter lists (EasyList syntax) evaluated by the ``adblock`` engine.

A small default list ships with newsreader (``default_filters.txt``); users add lists to the
library's ``filters/`` folder. Network rules say which iframes, scripts and images are ads or
trackers and which links go to ad servers; element-hiding rules say which page elements are ad
slots or paid placements.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import adblock

from newsreader.core.errors import SettingsError
from newsreader.core.package_data import read_text

DEFAULT_LIST = "default_filters.txt"
MAX_LIST_BYTES = 20 * 1024 * 1024


class PageFilters:
    """A compiled set of filter lists; safe to share between threads."""

    def __init__(self, lists: Sequence[str], names: Sequence[str] = ()) -> None:
        filter_set = adblock.FilterSet()
        for text in lists:
            filter_set.add_filter_list(text)
        self._engine = adblock.Engine(filter_set, optimize=True)
        self.names = tuple(names)
        self.rule_count = sum(len(_rules(text)) for text in lists)

    def blocks(self, url: str, page_url: str | None, kind: str) -> bool:
        """Whether a request for *url* of *kind* (``script``, ``subdocument``, ``image``, ``other``)
        made by the page at *page_url* matches a blocking rule."""
        try:
            result = self._engine.check_network_urls(url, page_url or url, kind)
        except (adblock.AdblockException, ValueError):
            return False
        return bool(result.matched)

    def hidden_selectors(self, page_url: str | None, classes: Iterable[str], ids: Iterable[str]) -> list[str]:
        """CSS selectors of the elements the lists hide on this page (site-specific and generic)."""
        specific: set[str] = set()
        exceptions: set[str] = set()
        generic_allowed = True
        if page_url and page_url.startswith(("http://", "https://")):
            found = self._engine.url_cosmetic_resources(page_url)
            specific = set(found.hide_selectors)
            exceptions = set(found.exceptions)
            generic_allowed = not getattr(found, "generichide", False)
        generic = (
            self._engine.hidden_class_id_selectors(sorted(set(classes)), sorted(set(ids)), exceptions)
            if generic_allowed
            else []
        )
        return sorted(specific | set(generic))


@cache
def default_list_text() -> str:
    """The list that ships with newsreader."""
    return read_text("newsreader.core.pages", DEFAULT_LIST)


@cache
def default_filters() -> PageFilters:
    """The shipped list alone (what pure page analysis uses when given no filters)."""
    return PageFilters([default_list_text()], [DEFAULT_LIST])


_loaded: dict[Path, tuple[tuple[tuple[str, int, int], ...], PageFilters]] = {}
_loaded_lock = threading.Lock()


def user_lists(folder: Path) -> list[Path]:
    """The user's filter lists: ``*.txt`` files in *folder*, by name."""
    return sorted(p for p in folder.glob("*.txt") if p.is_file()) if folder.is_dir() else []


def load_filters(folder: Path) -> PageFilters:
    """The shipped list plus every list in *folder*, compiled once and again only when a file changes."""
    files = user_lists(folder)
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    with _loaded_lock:
        cached = _loaded.get(folder)
        if cached is not None and cached[0] == signature:
            return cached[1]
    if not files:
        return default_filters()
    texts = [default_list_text()]
    for path in files:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise SettingsError(f"The filter list {path} is larger than 20 MB.")
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    filters = PageFilters(texts, [DEFAULT_LIST, *(p.name for p in files)])
    with _loaded_lock:
        _loaded[folder] = (signature, filters)
    return filters


def check_list(text: str, source: str) -> int:
    """How many rules a list has; raises :class:`SettingsError` when it is not a filter list."""
    rules = _rules(text)
    if not rules or "<html" in text[:2000].lower():
        raise SettingsError(f"{source} is not an ad-blocking filter list (EasyList syntax).")
    return len(rules)


def _rules(text: str) -> list[str]:
    """The rule lines of a list (comments ``!`` and the ``[Adblock Plus]`` header left out)."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(("!", "["))]
