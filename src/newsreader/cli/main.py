"""``newsreader``: manage subscriptions, refresh, and read from the offline cache.

Exit codes: 0 success; 1 the command failed (the message says why); 2 bad arguments;
3 a refresh finished but some feeds failed; 75 the network is down (a refresh reached no feed, or
lost the network after some, and marked none it could not reach failed: try again later,
``EX_TEMPFAIL`` of sysexits.h); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from newsreader import __version__
from newsreader.wording import plural, why_left

if TYPE_CHECKING:
    from newsreader.core.library import Library
    from newsreader.core.models import RefreshResult, StageProgress, Story

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_OFFLINE = 75
EXIT_INTERRUPTED = 130

Handler = Callable[["Library", argparse.Namespace], int]
Standalone = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one sentence and exits with :data:`EXIT_USAGE`."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"newsreader: {message[0].upper() + message[1:]}. See 'newsreader --help'.\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} cannot be negative")
    return value


def _story_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a story id (a number)") from None


def _feed_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a feed id (a number; see 'newsreader feeds')") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""

    def add_common(p: argparse.ArgumentParser, top: bool) -> None:
        # Accepted before or after the subcommand; the subcommand's copy must not reset the value.
        default = None if top else argparse.SUPPRESS
        p.add_argument(
            "--data-dir",
            default=default,
            help="library folder (default: $NEWSREADER_DATA_DIR or the user data dir)",
        )
        p.add_argument(
            "--json",
            action="store_true",
            default=False if top else argparse.SUPPRESS,
            help="print one JSON value (for scripts)",
        )

    common = _Parser(add_help=False)
    add_common(common, top=False)
    parser = _Parser(prog="newsreader", description="An offline-first feed reader.")
    add_common(parser, top=True)
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str, handler: Handler | Standalone) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(handler=handler, needs_library=handler not in STANDALONE)
        return p

    p = command("gui", "open the desktop app (the default with no command)", cmd_gui)
    from newsreader.app.main import add_gui_arguments

    add_gui_arguments(p)
    p = command("add", "subscribe to a feed (or a web page that links to one)", cmd_add)
    p.add_argument("url")
    p.add_argument("--folder")
    p.add_argument("--title")
    p.add_argument("--account", help="subscribe on this sync account's server (at the next sync)")
    p = command("discover", "list the feeds a web page offers", cmd_discover)
    p.add_argument("url")
    p = command("remove", "unsubscribe and delete the feed's stories", cmd_remove)
    p.add_argument("feed_ids", nargs="+", type=_feed_id, metavar="FEED")
    command("feeds", "list subscriptions with unread counts and errors", cmd_feeds)
    command("folders", "list folders", cmd_folders)
    p = command("rename", "give a feed your own title (empty to reset)", cmd_rename)
    p.add_argument("feed_id", type=_feed_id, metavar="FEED")
    p.add_argument("title")
    p = command("move", "move a feed into a folder (no --folder: top level)", cmd_move)
    p.add_argument("feed_id", type=_feed_id, metavar="FEED")
    p.add_argument("--folder")
    p = command("rename-folder", "rename a folder", cmd_rename_folder)
    p.add_argument("old")
    p.add_argument("new")
    p = command("delete-folder", "delete a folder (its feeds move to the top level)", cmd_delete_folder)
    p.add_argument("name")
    p = command("set", "change a feed's settings", cmd_set)
    p.add_argument("feed_id", type=_feed_id, metavar="FEED")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--enable", action="store_true")
    state.add_argument("--disable", action="store_true")
    p.add_argument("--interval", type=_positive, help="seconds between scheduled checks (0 → default)")
    p.add_argument("--full-articles", choices=["on", "off", "auto"])
    p.add_argument("--keep-days", type=_non_negative, help="drop stories that left the feed after N days")
    p.add_argument("--keep-count", type=_non_negative, help="keep at most N stories that left the feed")
    p.add_argument("--keep-all", action="store_true", help="remove the retention limits")
    p.add_argument("--url", help="the feed's new address (it moved); stories, settings and password stay")
    p.add_argument("--auth-user", help="HTTP user name; the password is read from standard input")
    p.add_argument("--no-auth", action="store_true", help="forget the user name and password")
    flagging = p.add_mutually_exclusive_group()
    flagging.add_argument("--never-flag", action="store_true", help="never flag this feed's stories as sponsored")
    flagging.add_argument("--flag", action="store_true", help="flag this feed's stories by the rules again")
    p.add_argument(
        "--sponsored-title",
        action="append",
        metavar="REGEX",
        help="a title pattern that marks this feed's sponsored items (repeatable)",
    )
    p.add_argument(
        "--sponsored-category",
        action="append",
        metavar="NAME",
        help="a category that marks this feed's sponsored items (repeatable)",
    )
    p.add_argument("--clear-sponsored-rules", action="store_true", help="forget this feed's own patterns")
    p = command("refresh", "fetch new stories (all enabled feeds, or the given ones)", cmd_refresh)
    p.add_argument("feed_ids", nargs="*", type=_feed_id, metavar="FEED")
    p.add_argument("--workers", type=_positive)
    p.add_argument("--due", action="store_true", help="only feeds whose update interval has passed")
    p.add_argument("--no-pages", action="store_true", help="do not download the new stories' article pages and images")
    p = command(
        "fetch-pages",
        "download article pages and images of feeds set to full articles (all, or the given feeds)",
        cmd_fetch_pages,
    )
    p.add_argument("feed_ids", nargs="*", type=_feed_id, metavar="FEED")
    p.add_argument("--per-feed", type=_positive, default=10, help="the newest N stories of each feed (default 10)")
    p.add_argument("--no-images", action="store_true", help="pages only, no images")
    p = command("stories", "list stories, newest first", cmd_stories)
    p.add_argument("--feed", type=_feed_id)
    p.add_argument("--folder")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--starred", action="store_true")
    p.add_argument("--today", action="store_true")
    p.add_argument("--sponsored", action="store_true", help="include sponsored stories")
    p.add_argument("--only-sponsored", action="store_true", help="only sponsored stories")
    p.add_argument("--collapse", action="store_true", help="one row per story reported by several feeds")
    p.add_argument("--limit", type=_non_negative, default=50)
    p.add_argument("--offset", type=_non_negative, default=0)
    p = command("show", "print one story", cmd_show)
    p.add_argument("story_id", type=_story_id, metavar="ID")
    p = command("search", "full-text search of every cached story", cmd_search)
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=_positive, default=50)
    p.add_argument("--sponsored", action="store_true", help="include sponsored stories")
    for name, help_text in (
        ("read", "mark stories read"),
        ("unread", "mark stories unread"),
        ("star", "star stories"),
        ("unstar", "unstar stories"),
    ):
        p = command(name, help_text, cmd_flag)
        p.add_argument("story_ids", nargs="+", type=_story_id, metavar="ID")
    p = command("mark-all-read", "mark every story (of one feed) read", cmd_mark_all_read)
    p.add_argument("--feed", type=_feed_id)
    p = command("related", "what to read after a story, each with its reason", cmd_related)
    p.add_argument("story_id", type=_story_id, metavar="ID")
    p.add_argument("--feed", type=_feed_id, help="prev/next within this feed's list")
    p.add_argument("--folder", help="prev/next within this folder's list")
    p.add_argument("--unread", action="store_true", help="prev/next within the unread list")
    p.add_argument("--limit", type=_positive, default=5)
    p = command("mark-group-read", "mark a story and its reports in other feeds read", cmd_mark_group_read)
    p.add_argument("story_id", type=_story_id, metavar="ID")
    p = command("sponsored", "override the sponsored verdict of a story", cmd_sponsored)
    p.add_argument("story_id", type=_story_id, metavar="ID")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--yes", action="store_true", help="it is sponsored")
    verdict.add_argument("--no", action="store_true", help="it is not sponsored")
    verdict.add_argument("--auto", action="store_true", help="let the rules decide again")
    p = command("classify", "say which items of a feed file are sponsored (no library needed)", cmd_classify_file)
    p.add_argument("file")
    p.add_argument("--url", default="", help="the feed's address, for resolving relative links")
    p = command("fetch-page", "fetch and analyse a story's article page now (kept for offline reading)", cmd_fetch_page)
    p.add_argument("story_id", type=_story_id, metavar="ID")
    p.add_argument("--file", help="use a copy of the page saved from a browser instead of fetching it")
    p.add_argument("--url", help="with --file: the page's address (default: the story's link)")
    p = command(
        "filters",
        "list, add (a file, or subscribe to a URL), remove or refresh ad-blocking filter lists (EasyList syntax)",
        cmd_filters,
    )
    p.add_argument("action", nargs="?", choices=["list", "add", "remove", "refresh"], default="list")
    p.add_argument("source", nargs="?", metavar="FILE_OR_URL_OR_NAME")
    p.add_argument("--name", help="with add: the list's name (default: from the file or URL)")
    p.add_argument("--force", action="store_true", help="with refresh: fetch every subscribed list, expired or not")
    command("reanalyze-pages", "analyse every stored article page again, offline", cmd_reanalyze_pages)
    p = command("page", "split an article page into story, related links and sponsored content", cmd_page_source)
    p.add_argument("source", metavar="FILE_OR_URL")
    p.add_argument("--url", help="the page's address, for resolving links (default: its canonical link)")
    p = command("reclassify", "run the sponsored rules again over stored stories", cmd_reclassify)
    p.add_argument("--feed", type=_feed_id)
    p = command(
        "account",
        "sync accounts: add, list or remove (a Google Reader API, Fever or Tiny Tiny RSS server)",
        cmd_account,
    )
    p.add_argument("action", choices=["add", "list", "remove", "changes"])
    p.add_argument("name", nargs="?", help="the account's name (add, remove; changes: one account)")
    p.add_argument("--kind", choices=["greader", "fever", "ttrss"], help="add: the server's protocol")
    p.add_argument("--url", help="add: the API address (FreshRSS: https://host/api/greader.php or …/fever.php)")
    p.add_argument("--user", help="add: the user name")
    p.add_argument("--password-stdin", action="store_true", help="add: read the password from standard input")
    p.add_argument("--no-check", action="store_true", help="add: do not try the server first (offline)")
    p = command("sync", "send queued changes to the accounts' servers and bring theirs home (all, or NAME)", cmd_sync)
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument(
        "--no-pages", action="store_true", help="skip downloading the new stories' article pages, images and icons"
    )
    p = command("import", "subscribe to the feeds of an OPML file", cmd_import)
    p.add_argument("file")
    p = command("export", "write subscriptions as OPML (to FILE or standard output)", cmd_export)
    p.add_argument("file", nargs="?")
    return parser


def _print_each(items: Sequence[object], line: Callable[[Any], str]) -> None:
    for item in items:
        print(line(item))


def _out(args: argparse.Namespace, value: object, text: Callable[[], None]) -> None:
    from newsreader.cli.output import print_json

    if args.json:
        print_json(value)
    else:
        text()


def cmd_add(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import feed_json
    from newsreader.core.library import MultipleFeedsError

    if args.account:
        library.subscribe_in_account(args.account, args.url, folder=args.folder)
        _out(
            args,
            {"queued": args.url, "account": args.account},
            lambda: print(f"Queued: subscribe to {args.url} on account {args.account} (sent at the next sync)."),
        )
        return EXIT_OK
    try:
        feed = library.add_feed(args.url, folder=args.folder, title=args.title)
    except MultipleFeedsError as exc:
        if args.json:
            from newsreader.cli.output import print_json

            print_json(
                {
                    "error": str(exc),
                    "candidates": [{"url": c.url, "title": c.title, "format": c.format} for c in exc.candidates],
                }
            )
        else:
            print(f"newsreader: {exc} Run 'newsreader add URL' with one of:", file=sys.stderr)
            for candidate in exc.candidates:
                print(f"  {candidate.url}  {candidate.title or ''}", file=sys.stderr)
        return EXIT_FAILED
    _out(
        args,
        feed_json(feed),
        lambda: print(
            f"Subscribed to {feed.title} <{feed.url}> as feed {feed.id}: {plural(feed.total, 'story', 'stories')}"
            + (f" (but: {feed.last_error})" if feed.last_error else "")
            + "."
        ),
    )
    return EXIT_OK if not feed.last_error else EXIT_PARTIAL


def cmd_discover(library: Library, args: argparse.Namespace) -> int:
    found = library.discover(args.url)
    _out(
        args,
        [{"url": c.url, "title": c.title, "format": c.format} for c in found],
        lambda: _print_each(found, lambda c: f"{c.url}  {c.title or ''}  ({c.format or 'feed'})"),
    )
    return EXIT_OK


def cmd_remove(library: Library, args: argparse.Namespace) -> int:
    for feed_id in args.feed_ids:
        library.feed(feed_id)  # all ids must exist before anything is removed
    for feed_id in args.feed_ids:
        library.remove_feed(feed_id)
    _out(args, {"removed": args.feed_ids}, lambda: print(f"Removed {plural(len(args.feed_ids), 'feed')}."))
    return EXIT_OK


def cmd_feeds(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import feed_json, feed_line

    feeds = library.feeds()
    _out(args, [feed_json(f) for f in feeds], lambda: _print_each(feeds, lambda f: feed_line(f)))
    return EXIT_OK


def cmd_folders(library: Library, args: argparse.Namespace) -> int:
    folders = library.folders()
    _out(args, [{"id": f.id, "name": f.name} for f in folders], lambda: _print_each(folders, lambda f: f.name))
    return EXIT_OK


def cmd_rename(library: Library, args: argparse.Namespace) -> int:
    library.rename_feed(args.feed_id, args.title)
    _out(args, {"id": args.feed_id, "title": library.feed(args.feed_id).title}, lambda: None)
    return EXIT_OK


def cmd_move(library: Library, args: argparse.Namespace) -> int:
    library.move_feed(args.feed_id, args.folder)
    _out(args, {"id": args.feed_id, "folder": library.feed(args.feed_id).folder}, lambda: None)
    return EXIT_OK


def cmd_rename_folder(library: Library, args: argparse.Namespace) -> int:
    library.rename_folder(args.old, args.new)
    _out(args, {"renamed": args.old, "to": args.new}, lambda: None)
    return EXIT_OK


def cmd_delete_folder(library: Library, args: argparse.Namespace) -> int:
    library.delete_folder(args.name)
    _out(args, {"deleted": args.name}, lambda: None)
    return EXIT_OK


def cmd_set(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import feed_json

    library.feed(args.feed_id)  # an unknown feed is said before any value is judged
    options: dict[str, object] = {}
    if args.enable or args.disable:
        options["enabled"] = bool(args.enable)
    if args.interval is not None:
        options["update_interval"] = args.interval
    if args.full_articles:
        options["full_articles"] = {"on": True, "off": False, "auto": None}[args.full_articles]
    if args.keep_all:
        options["retention_max_age_days"] = None
        options["retention_max_count"] = None
    if args.keep_days is not None:
        options["retention_max_age_days"] = args.keep_days
    if args.keep_count is not None:
        options["retention_max_count"] = args.keep_count
    if args.url:
        library.set_feed_url(args.feed_id, args.url)
    library.set_feed_options(args.feed_id, **options)  # type: ignore[arg-type]
    if args.no_auth:
        library.set_feed_auth(args.feed_id, None)
    elif args.auth_user:
        password = sys.stdin.readline().rstrip("\n")
        library.set_feed_auth(args.feed_id, args.auth_user, password)
    if args.never_flag or args.flag or args.sponsored_title or args.sponsored_category or args.clear_sponsored_rules:
        library.set_feed_sponsored_rules(
            args.feed_id,
            never=True if args.never_flag else False if args.flag else None,
            title_patterns=[] if args.clear_sponsored_rules else args.sponsored_title,
            categories=[] if args.clear_sponsored_rules else args.sponsored_category,
        )
    feed = library.feed(args.feed_id)
    _out(args, feed_json(feed), lambda: print(f"Updated feed {feed.id} ({feed.title})."))
    return EXIT_OK


def follow_refresh(steps: Iterable[StageProgress], *, quiet: bool) -> tuple[list[RefreshResult], list[StageProgress]]:
    """Show a refresh as it runs (a progress line per stage; each failure on stderr — with *quiet*
    (``--json``) only the feeds'); returns each feed's result and each stage's summing-up value."""
    from newsreader.cli.progress import ProgressLine
    from newsreader.core.models import Stage

    progress = ProgressLine()
    results = []
    summaries = []
    for step in steps:
        if step.feed is not None:
            results.append(step.feed)
        if step.error and (step.stage is Stage.FEEDS or not quiet):
            progress.clear()
            print(f"newsreader: {failed_item(step)}{step.error}", file=sys.stderr)
        if step.finished:
            progress.clear()
            summaries.append(step)
        else:
            progress.label = step.stage.label.lower()
            progress.update(step.done, step.total)
    progress.clear()
    return results, summaries


def cmd_refresh(library: Library, args: argparse.Namespace) -> int:
    from newsreader.core.models import Stage

    results, summaries = follow_refresh(
        library.update(args.feed_ids or None, due_only=args.due, workers=args.workers, offline=not args.no_pages),
        quiet=args.json,
    )
    failed = sum(s.failed for s in summaries if s.stage is Stage.FEEDS)
    network_down = any(s.offline for s in summaries)
    if network_down:
        from newsreader.core.models import RefreshStatus

        said = next(r.error for r in results if r.status is RefreshStatus.OFFLINE)  # down, or lost midway
        print(f"newsreader: {said}", file=sys.stderr)
    if args.json:
        from newsreader.cli.output import print_json

        print_json(
            {
                "feeds": [
                    {
                        "feed": r.feed_id,
                        "url": r.url,
                        "title": r.title,
                        "status": r.status.value,
                        "new": r.new_stories,
                        "updated": r.updated_stories,
                        "error": r.error,
                    }
                    for r in results
                ],
                "stages": [
                    {
                        "stage": s.stage.value,
                        "done": s.done,
                        "total": s.total,
                        "added": s.added,
                        "failed": s.failed,
                        "left": s.left,
                        "out_of_time": s.out_of_time,
                        "waiting_hosts": list(s.waiting_hosts),
                        "summary": stage_summary(s),
                    }
                    for s in summaries
                ],
                "offline": network_down,
            }
        )
    else:
        for summary in summaries:
            print(stage_summary(summary))
    if network_down:
        return EXIT_OFFLINE
    return EXIT_PARTIAL if failed else EXIT_OK


def failed_item(step: StageProgress) -> str:
    """What a failure line is about: ``"Feed title: "``, ``"Article page of story 12 (URL): "``."""
    if step.feed is not None:
        return f"{step.feed.title or step.feed.url}: "
    if step.page is not None:
        return f"Article page of story {step.page.story_id} ({step.page.url}): "
    return f"{step.stage.label}: "


def stage_summary(step: StageProgress) -> str:
    """One line saying what a refresh stage did."""
    from newsreader.core.models import Stage

    left = f", {step.left} left for the next refresh" if step.left else ""
    if step.left and (why := why_left(step)):
        left += f": {why}"
    if step.stage is Stage.FEEDS and step.offline and step.left >= step.total:
        return f"Feeds: {step.total} not refreshed: the network is down."
    if step.stage is Stage.FEEDS and step.offline:
        added = plural(step.added, "new story", "new stories")
        return (
            f"Feeds: {step.total - step.left} of {step.total} refreshed, {added}, {step.failed} failed; "
            f"the network was lost, {step.left} left for the next refresh."
        )
    if step.stage is Stage.FEEDS:
        added = plural(step.added, "new story", "new stories")
        return f"Feeds: {step.done} of {step.total} refreshed, {added}, {step.failed} failed{left}."
    if not step.total:
        return f"{step.stage.label}: nothing missing."
    if step.stage is Stage.PAGES:
        return f"Article pages: {step.added} downloaded, {step.failed} failed{left}."
    if step.stage is Stage.IMAGES:
        return f"Images: {step.added} cached for {plural(step.done, 'story', 'stories')}{left}."
    return f"Icons: {step.added} found of {step.total} looked for{left}."


def _download_pages(
    library: Library,
    feed_ids: list[int] | None = None,
    story_ids: list[int] | None = None,
    per_feed: int = 10,
    images: bool | None = None,
    quiet: bool = False,
) -> tuple[int, int]:
    """Fetch article pages with a progress line; returns (downloaded, failed)."""
    from newsreader.cli.progress import ProgressLine

    progress = ProgressLine(label="articles")
    fetched = failed = 0
    for step in library.fetch_pages(feed_ids, story_ids=story_ids, per_feed=per_feed, images=images):
        if step.error:
            failed += 1
            if not quiet:
                progress.clear()
                print(f"newsreader: {step.error}", file=sys.stderr)
        else:
            fetched += 1
        progress.update(step.done, step.total)
    progress.clear()
    return fetched, failed


def cmd_fetch_pages(library: Library, args: argparse.Namespace) -> int:
    fetched, failed = _download_pages(
        library,
        args.feed_ids or None,
        per_feed=args.per_feed,
        images=False if args.no_images else None,
        quiet=args.json,
    )
    _out(
        args,
        {"downloaded": fetched, "failed": failed},
        lambda: print(f"Downloaded {fetched} article page(s); {failed} failed."),
    )
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_stories(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import story_json, story_line

    stories = library.stories(
        feed_id=args.feed,
        folder=args.folder,
        unread=args.unread,
        starred=args.starred,
        include_sponsored=args.sponsored,
        today=args.today,
        limit=args.limit,
        offset=args.offset,
        collapse_groups=args.collapse,
        sponsored_only=args.only_sponsored,
    )
    sizes = library.group_sizes([s.id for s in stories], include_sponsored=args.sponsored) if args.collapse else {}

    def as_json(story: Story) -> dict[str, object]:
        data = story_json(story)
        if args.collapse:
            data["group_size"] = sizes[story.id]
        return data

    _out(args, [as_json(s) for s in stories], lambda: _print_each(stories, lambda s: story_line(s, sizes.get(s.id, 1))))
    return EXIT_OK


def cmd_show(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import reading_view_json
    from newsreader.core.parse.sanitize import sanitized_html_to_paragraphs

    view = library.reading_view(args.story_id, include_sponsored=True)
    story = view.story

    def text() -> None:
        print(story.title)
        print(
            f"{story.feed_title} · {story.published:%Y-%m-%d %H:%M} UTC"
            + (f" · {story.author}" if story.author else "")
        )
        if story.link:
            print(story.link)
        if view.body_origin == "article":
            print("(the full article, downloaded)")
        print()
        print(sanitized_html_to_paragraphs(view.body_html))
        if story.enclosures:
            print()
            print("Attachments:")
            for enclosure in story.enclosures:
                print(f"  {enclosure.url}" + (f"  ({enclosure.type})" if enclosure.type else ""))

    _out(args, reading_view_json(view), text)
    return EXIT_OK


def cmd_search(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import story_json, story_line

    query = " ".join(args.query)
    stories = library.search(query, limit=args.limit, include_sponsored=args.sponsored)

    def text() -> None:
        if not stories:
            print(f"No story matches “{query}”.", file=sys.stderr)  # stdout stays empty for scripts
        _print_each(stories, lambda s: story_line(s))

    _out(args, [story_json(s) for s in stories], text)
    return EXIT_OK


def cmd_flag(library: Library, args: argparse.Namespace) -> int:
    if args.command in ("read", "unread"):
        changed = library.mark_read(args.story_ids, args.command == "read")
    else:
        changed = library.mark_starred(args.story_ids, args.command == "star")
    _out(args, {"changed": changed}, lambda: None)
    return EXIT_OK


def cmd_mark_all_read(library: Library, args: argparse.Namespace) -> int:
    changed = library.mark_all_read(args.feed)
    _out(args, {"changed": changed}, lambda: print(f"Marked {plural(changed, 'story', 'stories')} read."))
    return EXIT_OK


def cmd_related(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import related_json, related_text

    related = library.related(
        args.story_id, feed_id=args.feed, folder=args.folder, unread=args.unread, limit=args.limit
    )
    _out(args, related_json(related), lambda: print(related_text(related)))
    return EXIT_OK


def cmd_mark_group_read(library: Library, args: argparse.Namespace) -> int:
    changed = library.mark_group_read(args.story_id)
    _out(args, {"changed": changed}, lambda: print(f"Marked {plural(changed, 'story', 'stories')} read."))
    return EXIT_OK


def cmd_sponsored(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import story_json

    story = library.set_story_sponsored(args.story_id, True if args.yes else False if args.no else None)
    state = "sponsored" if story.sponsored else "not sponsored"
    _out(
        args,
        story_json(story),
        lambda: print(
            f"Story {story.id} is {state}" + (f": {story.sponsored_reason}" if story.sponsored_reason else ".")
        ),
    )
    return EXIT_OK


def cmd_fetch_page(library: Library, args: argparse.Namespace) -> int:
    from pathlib import Path

    from newsreader.cli.output import page_json

    if args.file:
        try:
            html = Path(args.file).read_bytes()
        except OSError as exc:
            print(f"newsreader: {args.file} could not be read ({exc.strerror or exc}).", file=sys.stderr)
            return EXIT_FAILED
        analysis = library.store_page(args.story_id, html, args.url)
    else:
        analysis = library.fetch_story_page(args.story_id)
    _out(
        args,
        page_json(analysis),
        lambda: print(
            f"Fetched the page of story {args.story_id}: {len(analysis.story_text.split())} words, "
            f"{len(analysis.related)} related links, {len(analysis.sponsored)} sponsored items."
        ),
    )
    return EXIT_OK


def cmd_filters(library: Library, args: argparse.Namespace) -> int:
    from pathlib import Path

    from newsreader.core.pages.filters import user_lists

    if args.action == "refresh":
        updates = library.refresh_filter_lists(force=args.force)
        for update in updates:
            if update.error:
                print(f"newsreader: filter list {update.name}: {update.error}", file=sys.stderr)
        _out(
            args,
            [{"name": u.name, "url": u.url, "status": u.status, "rules": u.rules, "error": u.error} for u in updates],
            lambda: print(
                f"{sum(u.status == 'updated' for u in updates)} filter list(s) updated, "
                f"{sum(u.status == 'unchanged' for u in updates)} unchanged, "
                f"{sum(u.status == 'failed' for u in updates)} failed."
            ),
        )
        return EXIT_PARTIAL if any(u.status == "failed" for u in updates) else EXIT_OK
    if args.action == "list":
        filters = library.page_filters()
        subscribed = library.filter_subscriptions()
        lists = [
            {
                "name": name,
                "shipped": index == 0,
                "url": subscribed.get(name, {}).get("url"),
                "checked": subscribed.get(name, {}).get("checked"),
                "error": subscribed.get(name, {}).get("error"),
            }
            for index, name in enumerate(filters.names)
        ]
        _out(
            args,
            {"lists": lists, "rules": filters.rule_count, "folder": str(library.filters_dir)},
            lambda: print(
                "\n".join(
                    f"{item['name']}{'  (shipped)' if item['shipped'] else ''}"
                    + (f"  from {item['url']}" if item["url"] else "")
                    + (f"  (last update failed: {item['error']})" if item["error"] else "")
                    for item in lists
                )
                + f"\n{filters.rule_count} rules; add lists to {library.filters_dir}"
            ),
        )
        return EXIT_OK
    if not args.source:
        print(f"newsreader: 'filters {args.action}' needs a file, URL or list name.", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "remove":
        library.remove_filter_list(args.source)
        _out(args, {"removed": args.source}, lambda: print(f"Removed the filter list {args.source}."))
        return EXIT_OK
    if args.source.startswith(("http://", "https://")):
        name, rules = library.subscribe_filter_list(args.source, args.name)
        count = len(user_lists(library.filters_dir))
        _out(
            args,
            {"added": name, "rules": rules, "url": args.source},
            lambda: print(
                f"Subscribed to {name}: {rules} rules ({count} list(s) of your own); it is fetched again when it "
                "expires. Run 'newsreader reanalyze-pages' to apply it to pages already downloaded."
            ),
        )
        return EXIT_OK
    try:
        body = Path(args.source).read_bytes()
    except OSError as exc:
        print(f"newsreader: {args.source} could not be read ({exc.strerror or exc}).", file=sys.stderr)
        return EXIT_FAILED
    name = args.name or Path(args.source).name
    rules = library.add_filter_list(body.decode("utf-8", errors="replace"), name)
    count = len(user_lists(library.filters_dir))
    _out(
        args,
        {"added": name, "rules": rules},
        lambda: print(
            f"Added {name}: {rules} rules ({count} list(s) of your own). Run 'newsreader reanalyze-pages' "
            "to apply it to pages already downloaded."
        ),
    )
    return EXIT_OK


def cmd_reanalyze_pages(library: Library, args: argparse.Namespace) -> int:
    count = library.reanalyze_pages()
    _out(args, {"reanalyzed": count}, lambda: print(f"Re-analysed {count} stored page(s)."))
    return EXIT_OK


def cmd_reclassify(library: Library, args: argparse.Namespace) -> int:
    changed = library.reclassify(args.feed)
    _out(args, {"changed": changed}, lambda: print(f"Re-classified: {plural(changed, 'story', 'stories')} changed."))
    return EXIT_OK


def cmd_account(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import account_json, account_line, change_json, change_line
    from newsreader.core.errors import SettingsError

    if args.action == "list":
        found = library.accounts()
        _out(args, [account_json(a) for a in found], lambda: _print_each(found, account_line))
        return EXIT_OK
    if args.action == "changes":
        changes = library.queued_changes(args.name)
        _out(args, [change_json(c) for c in changes], lambda: _print_each(changes, change_line))
        return EXIT_OK
    if not args.name:
        raise SettingsError(f"'account {args.action}' needs the account's name.")
    if args.action == "remove":
        library.remove_account(args.name)
        _out(args, {"removed": args.name}, lambda: print(f"Removed account {args.name}."))
        return EXIT_OK
    missing = [option for option in ("kind", "url", "user") if not getattr(args, option)]
    if missing:
        raise SettingsError(f"'account add' needs --{', --'.join(missing)}.")
    if not args.password_stdin:
        raise SettingsError("'account add' reads the password from standard input: give --password-stdin.")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise SettingsError("No password came on standard input.")
    account = library.add_account(args.name, args.kind, args.url, args.user, password, check=not args.no_check)
    _out(args, account_json(account), lambda: print(f"Added account {account.name} ({account.kind}, {account.url})."))
    return EXIT_OK


def cmd_sync(library: Library, args: argparse.Namespace) -> int:
    from newsreader.cli.output import sync_json, sync_line

    results = []
    for account, report in library.sync(args.names or None):
        results.append((account, report))
        if not args.json:
            print(sync_line(account, report))
            for change, reason in report.refused:
                print(f"  refused: {change.op} {change.target}: {reason}")
    fresh = {account.name for account, report in results if report.new_items}
    if fresh and not args.no_pages:
        # what a refresh gives local stories: article pages, images and icons for offline reading (the
        # app does the same after a sync; a refresh of account feeds fetches no feed)
        from newsreader.core.models import Stage

        _, summaries = follow_refresh(library.update(library.account_feed_ids(fresh)), quiet=args.json)
        if not args.json:
            for summary in summaries:
                if summary.stage is not Stage.FEEDS:
                    print(stage_summary(summary))
    if args.json:
        from newsreader.cli.output import print_json

        print_json([sync_json(account, report) for account, report in results])
    return EXIT_FAILED if any(report.error for _, report in results) else EXIT_OK


def cmd_import(library: Library, args: argparse.Namespace) -> int:
    report = library.import_opml_file(args.file)

    def text() -> None:
        print(f"Imported {plural(len(report.added), 'feed')}, skipped {len(report.skipped)}.")
        for url, reason in report.skipped:
            print(f"  skipped {url}: {reason}")

    _out(
        args,
        {
            "added": list(report.added),
            "skipped": [{"url": u, "reason": r} for u, r in report.skipped],
            "folders_created": list(report.folders_created),
        },
        text,
    )
    return EXIT_OK


def cmd_export(library: Library, args: argparse.Namespace) -> int:
    document = library.export_opml()
    if not args.file or args.file == "-":
        sys.stdout.write(document)
        return EXIT_OK
    from pathlib import Path

    from newsreader.core.errors import OpmlError

    try:
        Path(args.file).write_text(document, encoding="utf-8")
    except OSError as exc:
        raise OpmlError(f"{args.file} could not be written ({exc.strerror or exc}).") from exc
    if args.json:
        from newsreader.cli.output import print_json

        print_json({"file": args.file, "feeds": document.count("xmlUrl=")})
    return EXIT_OK


def cmd_classify_file(args: argparse.Namespace) -> int:
    """``classify FILE``: needs no library."""
    from pathlib import Path

    from newsreader.cli.output import print_json
    from newsreader.core.classify import load_rules
    from newsreader.core.classify.document import classify_document

    try:
        body = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"newsreader: {args.file} could not be read ({exc.strerror or exc}).", file=sys.stderr)
        return EXIT_FAILED
    items = classify_document(body, load_rules(), args.url)
    if args.json:
        print_json(
            [
                {
                    "id": i.id,
                    "link": i.link,
                    "title": i.title,
                    "sponsored": i.verdict.sponsored,
                    "reason": i.verdict.reason,
                }
                for i in items
            ]
        )
    else:
        for item in items:
            mark = "SPONSORED" if item.verdict.sponsored else "         "
            print(f"{mark}  {item.title}" + (f"  — {item.verdict.reason}" if item.verdict.reason else ""))
    return EXIT_OK


def cmd_page_source(args: argparse.Namespace) -> int:
    """``page FILE_OR_URL``: needs no library."""
    from pathlib import Path

    from newsreader.cli.output import page_json, print_json
    from newsreader.core.pages import analyze_page

    url = args.url
    if args.source.startswith(("http://", "https://")):
        from newsreader.core.fetch.http import Fetcher

        fetcher = Fetcher()
        try:
            response = fetcher.fetch(args.source, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
        finally:
            fetcher.close()
        body, url = response.body, url or response.url
    else:
        try:
            body = Path(args.source).read_bytes()
        except OSError as exc:
            print(f"newsreader: {args.source} could not be read ({exc.strerror or exc}).", file=sys.stderr)
            return EXIT_FAILED
    from newsreader.core.pages.filters import load_filters
    from newsreader.core.paths import data_dir

    analysis = analyze_page(body, url, load_filters(data_dir(args.data_dir) / "filters"))
    if args.json:
        print_json(page_json(analysis))
    else:
        print(analysis.title)
        print()
        print(analysis.story_text)
        for item in analysis.sponsored:
            print(f"\n[sponsored, {item.placement}] {item.text} <{item.href}> — {item.reason}")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the desktop app."""
    from newsreader.app.main import run_gui

    return run_gui(args.data_dir, args.screenshot, args.select, not args.no_refresh, args.size)


STANDALONE: tuple[Standalone, ...] = (cmd_classify_file, cmd_page_source, cmd_gui)
"""Commands that work on a file or URL and never open the library."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from newsreader.app.main import run_gui

        return run_gui(args.data_dir)
    if not args.needs_library:
        from newsreader.core.errors import NewsreaderError

        try:
            return int(handler(args))
        except NewsreaderError as exc:
            print(f"newsreader: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except BrokenPipeError:
            return _quiet_broken_pipe()
    from newsreader.core.errors import NewsreaderError
    from newsreader.core.library import open_library

    if args.command == "refresh":
        from newsreader.core.memory import limit_malloc_arenas

        limit_malloc_arenas()

    try:
        with open_library(args.data_dir) as library:
            if library.set_aside_message:
                print(f"newsreader: {library.set_aside_message}", file=sys.stderr)
            return int(handler(library, args))
    except NewsreaderError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("newsreader: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _quiet_broken_pipe()


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``| head``): stop without a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK
