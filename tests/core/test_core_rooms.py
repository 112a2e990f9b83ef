"""The core's shared pieces: errors that carry their subject, typed settings, the bounded window."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from newsreader.core.errors import FeedNotFoundError, FolderNotFoundError, StoryNotFoundError, UnknownIdError
from newsreader.core.library import Library
from newsreader.core.pool import completed_in_window
from newsreader.core.settings import DEFAULT_WORKERS, LibrarySettings
from tests.support.feeds import simple_rss
from tests.support.httpserver import FeedServer


def test_unknown_ids_name_their_subject(library: Library) -> None:
    with pytest.raises(FeedNotFoundError) as feed:
        library.feed(4242)
    assert feed.value.subject == 4242 and str(feed.value) == "There is no feed with id 4242."
    with pytest.raises(StoryNotFoundError) as story:
        library.mark_read([77])
    assert story.value.subject == 77 and str(story.value) == "There is no story with id 77."
    with pytest.raises(FolderNotFoundError) as folder:
        library.delete_folder("Nope")
    assert folder.value.subject == "Nope" and str(folder.value) == "There is no folder named 'Nope'."
    assert isinstance(folder.value, UnknownIdError)


def test_settings_are_typed_and_unreadable_values_fall_back(library: Library, server: FeedServer) -> None:
    assert library.settings() == LibrarySettings()
    library.set_setting("workers", "lots")
    library.set_setting("keep_days", "7")
    library.set_setting("full_articles", "sometimes")
    library.set_setting("not_sponsored_links", "{broken")
    settings = library.settings()
    assert settings.workers == DEFAULT_WORKERS and settings.keep_days == 7
    assert settings.full_articles == "auto" and settings.not_sponsored_links == frozenset()
    # a refresh with a hand-edited, unreadable setting still runs
    feed_id = library.subscribe(server.add("/f.xml", simple_rss(2, "typed")))
    assert [p.result.new_stories for p in library.refresh([feed_id])] == [2]


def test_the_window_never_holds_more_than_asked_and_hands_back_the_rest() -> None:
    release = threading.Event()
    running = 0
    most = 0
    lock = threading.Lock()

    def job(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(10)
        with lock:
            running -= 1
        return n

    items = iter(range(20))
    done: list[int] = []
    with ThreadPoolExecutor(8) as pool:

        def submit(n: int) -> Future[int]:
            return pool.submit(job, n)

        release.set()
        for finished in completed_in_window(submit, items, window=3):
            done.extend(f.result() for f in finished)
    assert sorted(done) == list(range(20)) and most <= 3


def test_stopping_early_waits_for_the_jobs_in_flight_and_abandons_them() -> None:
    gate = threading.Event()
    abandoned: list[int] = []
    cancel = threading.Event()
    items = iter(range(10))
    with ThreadPoolExecutor(4) as pool:

        def submit(n: int) -> Future[int]:
            return pool.submit(lambda: n if n == 0 else (gate.wait(10), n)[1])

        batches = completed_in_window(
            submit, items, window=4, cancel=cancel, abandon=lambda f: abandoned.append(f.result())
        )
        first = next(batches)
        assert [f.result() for f in first] == [0]
        gate.set()
        batches.close()
    assert cancel.is_set()
    assert sorted(abandoned) == [1, 2, 3, 4]  # the window was topped up to 4 before the first yield
    assert list(items) == list(range(5, 10))  # never submitted: left for the caller
