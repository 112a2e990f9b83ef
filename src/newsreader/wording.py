"""Counts in words, with the right plural: shared by the command line, the app and core's messages."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 feed"``, ``"2 feeds"``, ``"0 feeds"``; *plural_form* for irregular nouns ("story" → "stories")."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"
