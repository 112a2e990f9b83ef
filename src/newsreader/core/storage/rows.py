"""How rows of ``feeds`` and ``stories`` become :class:`Feed` and :class:`Story` values, and the
filters and orders story lists share."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from newsreader.core.models import Enclosure, Feed, Story
from newsreader.core.storage.base import from_db_time


def list_filter(
    feed_id: int | None,
    folder: str | None,
    unread: bool,
    include_sponsored: bool,
    keep: int | None = None,
    account: str | None = None,
) -> tuple[list[str], list[Any]]:
    """WHERE clauses of a story list; *keep* stays in an unread list even once read (the open story);
    *account* limits it to one sync account's feeds."""
    clauses: list[str] = []
    params: list[Any] = []
    if account is not None:
        clauses.append("f.account_id = (SELECT id FROM accounts WHERE name = ?)")
        params.append(account)
    if feed_id is not None:
        clauses.append("s.feed_id = ?")
        params.append(feed_id)
    if folder is not None:
        clauses.append("f.folder_id = (SELECT id FROM folders WHERE name = ?)")
        params.append(folder)
    if unread:
        if keep is None:
            clauses.append("s.read = 0")
        else:
            clauses.append("(s.read = 0 OR s.id = ?)")
            params.append(keep)
    if not include_sponsored:
        clauses.append("s.sponsored = 0")
    return clauses, params


FEED_COLUMNS = """f.id, f.url, coalesce(f.user_title, f.title), fo.name, f.site_url, f.enabled,
    f.update_interval, f.auth_user, f.full_articles, f.retention_max_age_days, f.retention_max_count,
    f.last_checked, f.last_updated, f.next_check, f.last_error, f.last_error_at, f.disabled_reason, f.title,
    f.user_title, (SELECT a.name FROM accounts a WHERE a.id = f.account_id)"""


STORY_COLUMNS = """s.id, s.feed_id, coalesce(f.user_title, f.title), s.guid, s.link, s.title, s.author,
    s.published, s.updated, s.first_seen, s.read, s.starred, s.sponsored, s.sponsored_reason,
    s.categories, s.enclosures, s.group_id, (SELECT a.name FROM accounts a WHERE a.id = f.account_id)"""


def _required_time(value: str) -> datetime:
    parsed = from_db_time(value)
    assert parsed is not None
    return parsed


def feed_from_row(row: Sequence[Any], unread: int = 0, total: int = 0) -> Feed:
    return Feed(
        id=row[0],
        url=row[1],
        title=row[2] or row[1],
        folder=row[3],
        site_url=row[4],
        enabled=bool(row[5]),
        update_interval=row[6],
        auth_user=row[7],
        full_articles=None if row[8] is None else bool(row[8]),
        retention_max_age_days=row[9],
        retention_max_count=row[10],
        last_checked=from_db_time(row[11]),
        last_updated=from_db_time(row[12]),
        next_check=from_db_time(row[13]),
        last_error=row[14],
        last_error_at=from_db_time(row[15]),
        disabled_reason=row[16],
        unread=unread,
        total=total,
        feed_title=row[17] or "",
        user_title=row[18],
        account=row[19],
    )


def story_from_row(row: Sequence[Any], summary_html: str = "", content_html: str = "") -> Story:
    return Story(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2] or "",
        guid=row[3],
        link=row[4],
        title=row[5],
        author=row[6],
        published=_required_time(row[7]),
        updated=from_db_time(row[8]),
        first_seen=_required_time(row[9]),
        read=bool(row[10]),
        starred=bool(row[11]),
        sponsored=bool(row[12]),
        sponsored_reason=row[13],
        categories=tuple(json.loads(row[14])),
        enclosures=tuple(Enclosure(e["url"], e.get("type"), e.get("length")) for e in json.loads(row[15])),
        summary_html=summary_html,
        content_html=content_html,
        group_id=row[16],
        account=row[17],
    )


_STORY_ORDERS = {
    "date": (("s.published", "DESC"), ("s.id", "DESC")),
    "title": (("s.title COLLATE NOCASE", "ASC"), ("s.published", "DESC"), ("s.id", "DESC")),
    "source": (("coalesce(f.user_title, f.title) COLLATE NOCASE", "ASC"), ("s.published", "DESC"), ("s.id", "DESC")),
}
"""Each list order's natural direction (newest first, A to Z); ``reverse`` flips every key."""


def order_clause(order: str, reverse: bool) -> str:
    if order not in _STORY_ORDERS:
        raise ValueError(f"unknown story order {order!r}")
    flip = {"ASC": "DESC", "DESC": "ASC"}
    return ", ".join(f"{expr} {flip[way] if reverse else way}" for expr, way in _STORY_ORDERS[order])
