"""Article pages kept for offline reading: which stories want one, downloading and analysing them,
storing the outcome, and reading the stored analysis back.

Functions take the thread's :class:`Storage`, a :class:`Fetcher` where the network is asked and the
image cache's :class:`ImageFolder`; the thread iterating :func:`fetch_pages` writes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from newsreader.core.errors import FetchError, SettingsError
from newsreader.core.models import PageProgress
from newsreader.core.storage.db import Storage

if TYPE_CHECKING:
    from newsreader.core.fetch.http import Fetcher
    from newsreader.core.images import ImageFolder
    from newsreader.core.pages.analyze import PageAnalysis
    from newsreader.core.pages.content import FeedContent
    from newsreader.core.pages.download import PageOutcome
    from newsreader.core.pages.filters import PageFilters
    from newsreader.core.settings import FullArticles


def stored_page(storage: Storage, story_id: int, not_sponsored: frozenset[str] = frozenset()) -> PageAnalysis | None:
    """The stored analysis of a story's page (None when none was fetched), without the links the
    user cleared of being sponsored (*not_sponsored*)."""
    from newsreader.core.pages.analyze import analysis_from_json

    stored = storage.page(story_id)
    if stored is None or stored.analysis_json is None:
        return None
    analysis = analysis_from_json(stored.analysis_json)
    if not_sponsored and any(item.href in not_sponsored for item in analysis.sponsored):
        kept = tuple(item for item in analysis.sponsored if item.href not in not_sponsored)
        analysis = dataclasses.replace(analysis, sponsored=kept)
    return analysis


def feed_content(
    storage: Storage, story_id: int, filters: PageFilters, not_sponsored: frozenset[str] = frozenset()
) -> FeedContent:
    """The story's own HTML (content, else summary) split like a page: paid links and pixels out,
    the links listed as sponsored (without those the user cleared). Raises :class:`StoryNotFoundError`."""
    from newsreader.core.pages.content import split_feed_content

    story = storage.story(story_id)
    split = split_feed_content(story.content_html or story.summary_html, story.link, filters)
    if not_sponsored and any(item.href in not_sponsored for item in split.sponsored):
        kept = tuple(item for item in split.sponsored if item.href not in not_sponsored)
        split = dataclasses.replace(split, sponsored=kept)
    return split


def save_outcome(storage: Storage, outcome: PageOutcome, now: datetime) -> None:
    """Store one page download (page, analysis or error, and its images); a page not requested
    leaves nothing behind, so a later refresh asks for it."""
    if not outcome.requested:
        return
    with storage.transaction():
        storage.save_page(outcome.story_id, outcome.url, now, outcome.analysis_json, outcome.error, outcome.html)
        storage.record_images(outcome.images, now)
        if outcome.images_complete:
            storage.mark_images_checked([outcome.story_id])


def fetch_story_page(
    storage: Storage,
    fetcher: Fetcher,
    folder: ImageFolder,
    story_id: int,
    filters: PageFilters,
    now: datetime,
) -> PageAnalysis:
    """Fetch one story's page now, analyse it, cache its images, keep it all. Raises
    :class:`StoryNotFoundError`, :class:`SettingsError` (the story has no link) and
    :class:`FetchError` (stored with the story too)."""
    from newsreader.core.image_cache import known_images
    from newsreader.core.pages.download import download_page

    story = storage.story(story_id)
    if not story.link:
        raise SettingsError(f"Story {story_id} has no link to an article page.")
    outcome = download_page(
        fetcher, folder, story_id, story.link, known_images(storage), filters=filters, background=False
    )
    save_outcome(storage, outcome, now)
    if outcome.analysis is None:
        raise FetchError(story.link, outcome.error or f"{story.link} could not be fetched.")
    return outcome.analysis


def fetch_pages(
    storage: Storage,
    fetcher: Fetcher,
    folder: ImageFolder,
    filters: PageFilters,
    clock: Callable[[], datetime],
    *,
    feed_ids: Sequence[int] | None,
    story_ids: Sequence[int] | None,
    per_feed: int,
    workers: int,
    images: bool,
    full_articles: FullArticles,
    cancel: threading.Event | None = None,
    analyze: Callable[[bytes, str], PageAnalysis] | None = None,
) -> Iterator[PageProgress]:
    """Download the pages (and with *images* their images) of stories that have none yet, yielding
    progress as each finishes; the iterating thread writes, one transaction for the pages that
    finished together.

    Without *story_ids*: the newest *per_feed* stories of each feed (of *feed_ids*, else all) whose
    "full articles" setting is on, or unset and *full_articles* says so. With *story_ids*: those of
    them that qualify the same way. Failures are stored with the story, never raised; pages not
    requested (the refresh stopped — *cancel*, a :class:`Cancel` cuts those in flight — or their
    host did not answer) are left for the next refresh. *analyze* runs the analysis elsewhere (a
    worker process).
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from newsreader.core.image_cache import known_images
    from newsreader.core.pages.download import download_page
    from newsreader.core.pool import Cancel, completed_in_window

    wanted = storage.stories_needing_pages(list(feed_ids) if feed_ids is not None else None, per_feed, full_articles)
    if story_ids is not None:
        chosen = set(story_ids)
        wanted = [w for w in wanted if w.story_id in chosen]
    if not wanted:
        return
    known = known_images(storage)
    cut = cancel if isinstance(cancel, Cancel) else None
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="newsreader-page") as pool:

        def submit(job: tuple[int, int, str]) -> Future[PageOutcome]:
            story_id, _feed_id, link = job
            return pool.submit(
                download_page,
                fetcher,
                folder,
                story_id,
                link,
                known,
                images=images,
                filters=filters,
                cancel=cut,
                analyze=analyze,
            )

        for finished in completed_in_window(submit, wanted, window=max(1, workers) * 2, cancel=cancel):
            outcomes = [future.result() for future in finished]
            now = clock()
            with storage.transaction():
                for outcome in outcomes:
                    save_outcome(storage, outcome, now)
            for outcome in outcomes:
                known.update(i.url for i in outcome.images)  # workers only test membership: no copy
                done += 1
                cached = sum(1 for i in outcome.images if i.digest)
                yield PageProgress(
                    done,
                    len(wanted),
                    outcome.story_id,
                    outcome.url,
                    outcome.error,
                    cached,
                    outcome.requested,
                    outcome.waiting_host,
                )


def store_page(
    storage: Storage, story_id: int, html: bytes, url: str | None, filters: PageFilters, now: datetime
) -> PageAnalysis:
    """Analyse a copy of a story's page (fetched, or saved from a browser) and keep both; *url*
    (default: the story's link) resolves the page's links. Raises :class:`StoryNotFoundError`."""
    from newsreader.core.pages.analyze import analysis_to_json, analyze_page

    story = storage.story(story_id)
    address = url or story.link or ""
    analysis = analyze_page(html, address or None, filters)
    storage.save_page(story_id, address, now, analysis_to_json(analysis), None, html)
    return analysis


def reanalyze_pages(storage: Storage, filters: PageFilters, clock: Callable[[], datetime]) -> int:
    """Analyse every stored page again (after an analyser upgrade), without the network; returns
    how many."""
    from newsreader.core.pages.analyze import analysis_to_json, analyze_page

    count = 0
    for story_id, url, html in list(storage.stored_pages()):
        storage.update_page_analysis(story_id, analysis_to_json(analyze_page(html, url, filters)), clock())
        count += 1
    return count
