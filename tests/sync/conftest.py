"""Fixtures for the sync clients: replays of the recorded FreshRSS traffic, a fetcher."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsreader.core.fetch import Fetcher, FetchLimits
from tests.conftest import shared_path
from tests.support.replay import ReplayServer


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    client = Fetcher(FetchLimits(connect_timeout=5, read_timeout=5, deadline=10))
    yield client
    client.close()


def _replay(directory: str, external: tuple[str, ...]) -> Iterator[ReplayServer]:
    server = ReplayServer(shared_path("sync", directory), external_changes=external)
    yield server
    server.close()
    assert not server.unmatched, f"requests the real server was never sent: {server.unmatched}"


@pytest.fixture
def greader_replay() -> Iterator[ReplayServer]:
    yield from _replay("freshrss-greader", ("49-unread-count-after-new-items",))


@pytest.fixture
def fever_replay() -> Iterator[ReplayServer]:
    yield from _replay("freshrss-fever", ("23-items-since-id-new",))
