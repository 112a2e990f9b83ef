"""Intermediate values: what a parser read from a document, before normalisation.

Both parsers (the lxml fast path and feedparser) produce these, so that one normaliser turns
them into :class:`~newsreader.core.models.ParsedFeed` and the two paths can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from newsreader.core.models import Enclosure

TextKind = Literal["text", "html"]


@dataclass(frozen=True, slots=True)
class RawText:
    """A text construct as found in the document: the value, whether it is HTML, and its base URL."""

    value: str
    kind: TextKind
    base: str | None = None


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry's fields as the document gave them (unsanitised, unresolved)."""

    guid: str | None
    link: str | None
    title: RawText | None
    summary: RawText | None
    content: RawText | None
    published: datetime | None
    updated: datetime | None
    author: str | None
    categories: tuple[str, ...]
    enclosures: tuple[Enclosure, ...]
    base: str | None = None


@dataclass(frozen=True, slots=True)
class RawFeed:
    """A feed document's fields as the document gave them."""

    title: RawText | None
    site_url: str | None
    entries: tuple[RawEntry, ...]
    format: str
    parser: str
