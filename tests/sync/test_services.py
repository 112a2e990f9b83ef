"""The protocol-independent :class:`SyncService` against real servers: incremental item cursors,
state id sets, and the changes a protocol cannot make refused with a sentence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsreader.core.errors import SyncRefusedError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.service import SyncService, TTRSSService, open_service
from tests.support.httpserver import FeedServer
from tests.support.syncservers import Coldsweat, coldsweat, ttrss_user
from tests.sync.test_coldsweat_server import atom, subscribe
from tests.sync.test_ttrss_server import rss


def drain(service: SyncService, cursor: str | None) -> tuple[list[str], str | None]:
    titles: list[str] = []
    for page, following in service.items_after(cursor):
        titles.extend(item.title for item in page)
        cursor = following
    return titles, cursor


@pytest.fixture
def fever_server(tmp_path: Path) -> Iterator[Coldsweat]:
    yield from coldsweat(tmp_path)


def test_fever_service(fever_server: Coldsweat, server: FeedServer, fetcher: Fetcher, tmp_path: Path) -> None:
    subscribe(fever_server, server, tmp_path, {"Grow": ("News", 60)})
    service = open_service("fever", fever_server.fever, fever_server.email, fever_server.password, fetcher)
    service.check()
    assert [feed.title for feed in service.structure().feeds] == ["Grow"]
    titles, cursor = drain(service, None)
    assert len(titles) == 60
    assert drain(service, cursor) == ([], cursor)
    server.add("/Grow.atom", atom(server, "Grow", 62), content_type="application/atom+xml")
    fever_server.fetch()
    titles, _ = drain(service, cursor)
    assert sorted(titles) == ["Grow story 60", "Grow story 61"]

    unread = sorted(service.unread_ids(), key=int)
    service.set_read(unread[:3], True)
    service.set_starred(unread[:2], True)
    assert service.unread_ids() == frozenset(unread[3:])
    assert service.starred_ids() == frozenset(unread[:2])
    service.set_starred(unread[:1], False)
    assert service.starred_ids() == frozenset(unread[1:2])
    feed_id = service.structure().feeds[0].id
    service.mark_feed_read(feed_id, datetime(2026, 11, 1, 8, 0, tzinfo=UTC) + timedelta(hours=10, minutes=1))
    assert len(service.unread_ids()) == 62 - 11
    with pytest.raises(SyncRefusedError) as caught:
        service.subscribe("https://example.org/feed", None)
    assert str(caught.value) == "The Fever API has no way to subscribe; add the feed on the server's own page."


def test_ttrss_service(fetcher: Fetcher) -> None:
    ttrss = ttrss_user()
    service = open_service("ttrss", ttrss.url, ttrss.user, ttrss.password, fetcher)
    service.check()
    added = service.subscribe(ttrss.feed_url(f"{ttrss.user}-s.xml", rss("Serv", 5)), None)
    assert isinstance(service, TTRSSService)
    service.client.call("updateFeed", feed_id=int(added.feed_id))
    titles, cursor = drain(service, None)
    assert len(titles) == 5
    assert drain(service, cursor) == ([], cursor)
    # stories dated up to hour 2 are marked read; the later ones stay unread
    service.mark_feed_read(added.feed_id, datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    assert len(service.unread_ids()) == 2
    with pytest.raises(SyncRefusedError, match="The Tiny Tiny RSS API has no way to rename a feed"):
        service.rename(added.feed_id, "New name")
    service.unsubscribe(added.feed_id)
    assert service.structure().feeds == ()
