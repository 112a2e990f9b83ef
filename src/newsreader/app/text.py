"""Wording shared by the app's views: counts with the right plural."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 feed"``, ``"2 feeds"``, ``"0 feeds"``; *plural_form* for irregular nouns ("story" → "stories")."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"
