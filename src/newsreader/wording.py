"""Counts and lists in words, with the right plural: shared by the command line, the app and core's
messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsreader.core.models import StageProgress


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``"1 feed"``, ``"2 feeds"``, ``"0 feeds"``; *plural_form* for irregular nouns ("story" → "stories")."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def listing(items: Sequence[str], limit: int = 3) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``; past *limit* items ``"a, b, c and 4 more"``."""
    if len(items) > limit:
        return f"{', '.join(items[:limit])} and {len(items) - limit} more"
    if len(items) > 1:
        return f"{', '.join(items[:-1])} and {items[-1]}"
    return items[0] if items else ""


def waiting_for(servers: Sequence[str]) -> str:
    """Servers that did not answer (``host:port``), as a reader names them: ``"a.test and b.test:8080
    did not answer lately"`` (the default ports 80 and 443 left out)."""
    names = [s.removesuffix(":80").removesuffix(":443") for s in servers]
    return f"{listing(names)} did not answer lately"


def why_left(step: StageProgress) -> str:
    """Why a refresh stage left items for the next refresh: ``"time ran out"``, the servers that did
    not answer (:func:`waiting_for`), both joined by "; ", or "" when it does not know."""
    reasons = ["time ran out"] if step.out_of_time else []
    if step.waiting_hosts:
        reasons.append(waiting_for(step.waiting_hosts))
    return "; ".join(reasons)
