"""Downloading article pages and their images for offline reading (network and cache files only;
the caller stores the outcomes in the library from its one writing thread)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from newsreader.core.errors import FetchError, NotRequestedError
from newsreader.core.fetch.http import Fetcher
from newsreader.core.images import MAX_IMAGE_BYTES, ImageFolder, sniff_image_type, story_image_urls
from newsreader.core.pages.analyze import PageAnalysis, analysis_to_json, analyze_page
from newsreader.core.pages.filters import PageFilters
from newsreader.core.pool import Cancel

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    """One image download: the cached file's digest, or the error."""

    url: str
    digest: str | None
    size: int = 0
    content_type: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """One article page download: the page and its analysis, or the error; and its images."""

    story_id: int
    url: str
    analysis: PageAnalysis | None
    html: bytes | None
    error: str | None
    images: tuple[ImageOutcome, ...] = ()
    requested: bool = True
    """False when the page was not asked for (its host did not answer moments ago or is paused, or
    the refresh stopped): nothing to store, the next refresh asks again."""
    images_complete: bool = False
    """Every image the story shows was tried (cached, or failed for good)."""
    waiting_host: str | None = None
    """The server (``host:port``) that was not asked, having not answered moments ago or lately (None
    when it was asked, or the refresh stopped)."""

    @property
    def analysis_json(self) -> str | None:
        """The analysis as stored."""
        return analysis_to_json(self.analysis) if self.analysis is not None else None


def download_images(
    fetcher: Fetcher,
    folder: ImageFolder,
    urls: list[str],
    known: Collection[str],
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    cancel: Cancel | None = None,
) -> list[ImageOutcome]:
    """Fetch each image not already *known* (at most *max_bytes* each) into *folder*. Images not
    requested (their host did not answer moments ago, or the refresh stopped) have no outcome."""
    outcomes = []
    for url in urls:
        if url in known:
            continue
        try:
            response = fetcher.fetch(url, accept=IMAGE_ACCEPT, max_bytes=max_bytes, background=True, cancel=cancel)
        except NotRequestedError:
            continue  # not tried: asked again by a later refresh
        except FetchError as exc:
            outcomes.append(ImageOutcome(url, None, error=str(exc)))
            continue
        kind = sniff_image_type(response.body)
        if kind is None:
            outcomes.append(ImageOutcome(url, None, error=f"{url} is not a PNG, JPEG, GIF, WebP, ICO or BMP image."))
            continue
        try:
            digest = folder.store(response.body)
        except OSError as exc:
            outcomes.append(ImageOutcome(url, None, error=f"The image cache could not be written ({exc.strerror})."))
            continue
        outcomes.append(ImageOutcome(url, digest, len(response.body), kind))
    return outcomes


def download_page(
    fetcher: Fetcher,
    folder: ImageFolder,
    story_id: int,
    link: str,
    known_images: Collection[str] = (),
    *,
    images: bool = True,
    filters: PageFilters | None = None,
    cancel: Cancel | None = None,
    analyze: Callable[[bytes, str], PageAnalysis] | None = None,
    background: bool = True,
) -> PageOutcome:
    """Fetch and analyse a story's page, then (with *images*) cache the images the story shows.

    *analyze* (default: :func:`analyze_page` with *filters`, here) lets the caller run the analysis
    in a worker process; *background* False asks even a host that is paused (the user asked)."""
    try:
        response = fetcher.fetch(link, accept=PAGE_ACCEPT, background=background, cancel=cancel)
    except NotRequestedError as exc:
        return PageOutcome(story_id, link, None, None, str(exc), requested=False, waiting_host=exc.host)
    except FetchError as exc:
        return PageOutcome(story_id, link, None, None, str(exc))
    if analyze is None:
        analysis = analyze_page(response.body, response.url, filters)
    else:
        analysis = analyze(response.body, response.url)
    if not images:
        return PageOutcome(story_id, response.url, analysis, response.body, None)
    urls = story_image_urls(analysis.story_html, analysis.url, analysis.lead_image)
    fetched = download_images(fetcher, folder, urls, known_images, cancel=cancel)
    tried = {image.url for image in fetched}
    complete = all(url in tried or url in known_images for url in urls)
    return PageOutcome(story_id, response.url, analysis, response.body, None, tuple(fetched), images_complete=complete)
