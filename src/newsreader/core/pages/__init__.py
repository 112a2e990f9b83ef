"""Article pages: split a page into the story, its related links and its sponsored content (pure).

``analyze_page`` and ``PageAnalysis`` are loaded on first use: the analysis pulls in lxml and
trafilatura, which the values in :mod:`newsreader.core.pages.model` (what the app's panes show) do
not need — the window paints sooner without them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsreader.core.pages.analyze import PageAnalysis, analyze_page

__all__ = ["PageAnalysis", "analyze_page"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from newsreader.core.pages import analyze

        return getattr(analyze, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
