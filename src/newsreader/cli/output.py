"""Text and JSON renderings of core values for the command line.

The JSON field names are a stable interface: scripts depend on them.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from newsreader.core.models import Account, Feed, QueuedChange, RelatedItem, RelatedStories, Story
from newsreader.wording import plural

if TYPE_CHECKING:
    from newsreader.core.pages import PageAnalysis
    from newsreader.core.reading import ReadingView
    from newsreader.core.sync.engine import SyncReport


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or None."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def feed_json(feed: Feed) -> dict[str, Any]:
    """A feed as the ``feeds --json`` object."""
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "feed_title": feed.feed_title,
        "user_title": feed.user_title,
        "folder": feed.folder,
        "site_url": feed.site_url,
        "unread": feed.unread,
        "total": feed.total,
        "enabled": feed.enabled,
        "update_interval": feed.update_interval,
        "full_articles": feed.full_articles,
        "last_checked": iso(feed.last_checked),
        "last_updated": iso(feed.last_updated),
        "next_check": iso(feed.next_check),
        "last_error": feed.last_error,
        "last_error_at": iso(feed.last_error_at),
        "disabled_reason": feed.disabled_reason,
        "account": feed.account,
    }


def story_json(story: Story, *, with_html: bool = False) -> dict[str, Any]:
    """A story as the ``stories --json`` object (``show`` adds the HTML)."""
    data: dict[str, Any] = {
        "id": story.id,
        "feed": story.feed_id,
        "feed_title": story.feed_title,
        "title": story.title,
        "link": story.link,
        "author": story.author,
        "published": iso(story.published),
        "updated": iso(story.updated),
        "read": story.read,
        "starred": story.starred,
        "sponsored": story.sponsored,
        "sponsored_reason": story.sponsored_reason,
        "categories": list(story.categories),
        "enclosures": [{"url": e.url, "type": e.type, "length": e.length} for e in story.enclosures],
        "account": story.account,
    }
    if with_html:
        data["summary_html"] = story.summary_html
        data["content_html"] = story.content_html
    return data


def account_json(account: Account) -> dict[str, Any]:
    """A sync account as the ``account list --json`` object (never its password)."""
    return {
        "name": account.name,
        "kind": account.kind,
        "url": account.url,
        "user": account.user,
        "feeds": account.feeds,
        "queued": account.queued,
        "refused": account.refused,
        "last_sync": iso(account.last_sync),
        "last_attempt": iso(account.last_attempt),
        "last_error": account.last_error,
    }


def account_line(account: Account) -> str:
    """One account for people."""
    state = f"last sync {account.last_sync:%Y-%m-%d %H:%M}" if account.last_sync else "never synced"
    if account.last_error:
        state += f"; last attempt failed: {account.last_error}"
    queue = f", {plural(account.queued, 'change')} waiting" if account.queued else ""
    refused = f", {account.refused} refused" if account.refused else ""
    where = f"{account.kind}  {account.user} @ {account.url}"
    return f"{account.name}  {where}  {plural(account.feeds, 'feed')}{queue}{refused}  ({state})"


def change_json(change: QueuedChange) -> dict[str, Any]:
    """A queued (or refused) change as the ``account changes --json`` object."""
    return {
        "id": change.id,
        "account": change.account,
        "op": change.op,
        "target": change.target,
        "title": change.title,
        "created": iso(change.created),
        "refused": change.refused,
    }


def change_line(change: QueuedChange) -> str:
    """One queued change for people."""
    what = f"{change.op} {change.title or change.target}"
    state = f"refused: {change.refused}" if change.refused else "waiting"
    return f"{change.account}  {what}  ({state})"


def sync_json(account: Account, report: SyncReport) -> dict[str, Any]:
    """One account's sync as a ``sync --json`` object."""
    return {
        "account": account.name,
        "sent": report.sent,
        "superseded": report.superseded,
        "refused": [{"op": c.op, "target": c.target, "reason": reason} for c, reason in report.refused],
        "new_stories": report.new_items,
        "states_changed": report.states_changed,
        "error": report.error,
        "queued": account.queued,
    }


def sync_line(account: Account, report: SyncReport) -> str:
    """One account's sync for people."""
    new = plural(report.new_items, "new story", "new stories")
    done = (
        f"{account.name}: sent {plural(report.sent, 'change')}, {new}, "
        f"{report.states_changed} read/star states from the server"
    )
    if report.superseded:
        done += f", {plural(report.superseded, 'local change')} superseded by the server's"
    if report.error:
        done += f"; stopped: {report.error} ({plural(account.queued, 'change')} still queued)"
    return done


def print_json(value: Any, out: TextIO | None = None) -> None:
    """Print one JSON value."""
    out = out or sys.stdout
    json.dump(value, out, ensure_ascii=False, indent=1)
    out.write("\n")


def shorten(text: str, width: int) -> str:
    """Cut *text* to *width* characters with an ellipsis."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def story_line(story: Story, group_size: int = 1) -> str:
    """One line of the ``stories`` listing; *group_size* > 1 (``--collapse``) says how many other
    feeds' reports of the same story the line stands for."""
    flags = ("*" if story.starred else " ") + ("N" if not story.read else " ") + ("$" if story.sponsored else " ")
    line = f"{story.id:>7} {flags} {story.published:%Y-%m-%d %H:%M}  {shorten(story.feed_title, 20):<20}  {story.title}"
    if group_size > 1:
        line += f"  (+{plural(group_size - 1, 'more report')})"
    return line


def feed_line(feed: Feed) -> str:
    """One line of the ``feeds`` listing."""
    state = "" if feed.enabled else " [disabled]"
    error = f"  ! {feed.last_error}" if feed.last_error else ""
    folder = f"{feed.folder}/" if feed.folder else ""
    return f"{feed.id:>5} {feed.unread:>5} unread  {folder}{feed.title}{state}  <{feed.url}>{error}"


RELATED_KINDS = ("prev", "next", "more_from_source", "same_story", "related", "from_page")


def related_item_json(item: RelatedItem) -> dict[str, Any]:
    """One related entry as in ``related --json``."""
    return {
        "id": item.story_id,
        "title": item.title,
        "link": item.link,
        "feed": item.feed_id,
        "feed_title": item.feed_title,
        "published": iso(item.published),
        "reason": item.reason,
    }


def related_json(related: RelatedStories) -> dict[str, Any]:
    """``related --json``: every kind, each a list."""
    return {kind: [related_item_json(i) for i in getattr(related, kind)] for kind in RELATED_KINDS}


def reading_view_json(view: ReadingView) -> dict[str, Any]:
    """``show --json``: the story (with its feed HTML), the body the app shows (``body_html``, from
    ``body_origin`` ``article``/``feed``/``summary``), ``related`` as in ``related --json``, and
    ``sponsored_items`` (the sponsored pane; ``sponsored`` stays the story's own verdict, as in
    ``stories --json``): each item with ``kind`` (``page``, ``source``, ``this``), title, link and
    reason."""
    sponsored = view.sponsored
    items: list[dict[str, Any]] = []
    if sponsored.this_story is not None:
        items.append(
            {
                "kind": "this",
                "id": view.story.id,
                "title": view.story.title,
                "link": view.story.link,
                "reason": view.story.sponsored_reason,
            }
        )
    items += [
        {
            "kind": "page",
            "title": link.text,
            "summary": link.summary,
            "link": link.href,
            "placement": link.placement,
            "reason": link.reason,
        }
        for link in sponsored.on_page
    ]
    items += [
        {"kind": "source", "id": s.id, "title": s.title, "link": s.link, "reason": s.sponsored_reason}
        for s in sponsored.from_source
    ]
    return {
        **story_json(view.story, with_html=True),
        "body_html": view.body_html,
        "body_origin": view.body_origin,
        "related": related_json(view.related),
        "sponsored_items": items,
    }


def related_text(related: RelatedStories) -> str:
    """``related`` for a terminal."""
    headings = {
        "prev": "Previous",
        "next": "Next",
        "more_from_source": "More from this source",
        "same_story": "The same story elsewhere",
        "related": "Related",
        "from_page": "From the page",
    }
    lines: list[str] = []
    for kind in RELATED_KINDS:
        items = getattr(related, kind)
        if not items:
            continue
        lines.append(headings[kind])
        for item in items:
            ident = f"{item.story_id:>7}" if item.story_id is not None else "       "
            lines.append(f"{ident}  {item.title}  ({item.feed_title or item.link or ''}) — {item.reason}")
        lines.append("")
    return "\n".join(lines).rstrip() or "Nothing related in the library yet."


def page_json(page: PageAnalysis) -> dict[str, Any]:
    """``page --json``: exactly the documented keys."""

    def step(link: Any) -> dict[str, str] | None:
        return {"title": link.title, "href": link.href} if link is not None else None

    return {
        "url": page.url,
        "title": page.title,
        "byline": page.byline,
        "published": page.published,
        "lead_image": page.lead_image,
        "story_html": page.story_html,
        "story_text": page.story_text,
        "next": step(page.next),
        "prev": step(page.prev),
        "related": [{"title": r.title, "summary": r.summary, "href": r.href, "reason": r.reason} for r in page.related],
        "sponsored": [
            {"text": s.text, "summary": s.summary, "href": s.href, "placement": s.placement, "reason": s.reason}
            for s in page.sponsored
        ],
        "removed": {"ad_slots": page.ad_slots, "trackers": page.trackers},
    }
