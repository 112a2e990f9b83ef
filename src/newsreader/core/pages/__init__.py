"""Article pages: split a page into the story, its related links and its sponsored content (pure)."""

from newsreader.core.pages.analyze import PageAnalysis, analyze_page

__all__ = ["PageAnalysis", "analyze_page"]
