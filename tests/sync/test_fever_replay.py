"""The Fever API client against the recorded FreshRSS 1.24.3 traffic, replayed on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsreader.core.errors import SyncAuthError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.fever import FeverClient, api_key
from tests.support.replay import PASSWORD, WRONG_PASSWORD, ReplayServer

API = "/api/fever.php"
FIRST, TENTH, LAST = "1795754835378890", "1795754835378899", "1795754835378907"


def client(replay: ReplayServer, fetcher: Fetcher, password: str = PASSWORD) -> FeverClient:
    return FeverClient(replay.url(API), "alice", password, fetcher)


def test_api_key_is_md5_of_user_and_password() -> None:
    assert api_key("alice", "alice-api-pw") == "99828b9345977d7635a9842297baed3b"


def test_refused_key_is_http_200_auth_0(fever_replay: ReplayServer, fetcher: Fetcher) -> None:
    with pytest.raises(SyncAuthError) as caught:
        client(fever_replay, fetcher, WRONG_PASSWORD).check()
    assert str(caught.value) == f"{fever_replay.url(API)} refused the user name or password of alice."


def test_the_recorded_session(fever_replay: ReplayServer, fetcher: Fetcher) -> None:
    fever = client(fever_replay, fetcher)
    assert fever.check() == datetime.fromtimestamp(1795754835, UTC)
    structure = fever.structure()
    assert [(f.id, f.title) for f in structure.folders] == [("3", "Hardware"), ("2", "Tech"), ("1", "Uncategorized")]
    feeds = {feed.id: feed for feed in structure.feeds}
    assert (feeds["1"].title, feeds["1"].folder_ids) == ("Lakeside Dev Blog", ("2",))
    assert (feeds["2"].title, feeds["2"].folder_ids) == ("Planet Lakeside", ("2",))
    assert feeds["3"].folder_ids == ("3",)
    assert feeds["3"].url == "http://127.0.0.1:8290/open-hardware.atom"

    everything = fever.items()
    assert len(everything) == 18
    pages = list(fever.items_since("0"))
    assert [len(page) for page in pages] == [18]  # then since_id=<highest> answers [] and paging stops
    assert fever_replay.served[-1] == "09-items-since-id-page2-empty"
    items = {item.id: item for item in pages[0]}
    assert max(items, key=int) == LAST
    hiring = items[FIRST]
    assert (hiring.feed_id, hiring.title, hiring.author) == (
        "1",
        "Hiring: senior backend engineer (remote)",
        "Lakeside team",
    )
    assert hiring.published == datetime.fromtimestamp(1793354400, UTC)
    assert hiring.url == "https://lakeside.example/blog/2026/10/hiring-backend"
    assert (hiring.read, hiring.starred) == (False, False)
    assert any("Pérez" in item.title for item in items.values())

    newer = fever.items(since_id=TENTH)
    assert len(newer) == 8
    assert all(int(item.id) > int(TENTH) for item in newer)
    older = fever.items(max_id=TENTH)
    assert len(older) == 9
    assert all(int(item.id) < int(TENTH) for item in older)
    chosen = fever.items_with_ids([FIRST, "1795754835378896", "1795754835378904"])
    assert {item.id for item in chosen} == {FIRST, "1795754835378896", "1795754835378904"}

    assert len(fever.unread_ids()) == 18
    assert fever.saved_ids() == ()
    fever.mark_item(FIRST, "read")
    assert len(fever.unread_ids()) == 17
    fever.mark_item(FIRST, "unread")
    fever.mark_item("1795754835378896", "saved")
    fever.mark_item("1795754835378904", "saved")
    saved = fever.items_with_ids(["1795754835378896", "1795754835378904"])
    assert all(item.starred for item in saved)
    fever.mark_item("1795754835378904", "unsaved")
    assert fever.saved_ids() == ("1795754835378896",)

    # a re-crawl adds two Lakeside items; marking up to a time leaves them unread
    fever_replay.external_change()
    arrived = fever.items(since_id=LAST)
    assert [item.title for item in arrived] == ["Shipping 3.2.1: hotfix for the login loop", "Reader survey results"]
    assert len(fever.unread_ids()) == 20
    fever.mark_feed_read("1", 1795754837)
    fever.mark_group_read("3", 1795754840)
    assert len(fever.unread_ids()) == 7
    fever.mark_group_read("0", 1795754840)
    assert fever.unread_ids() == ()
    assert fever.saved_ids() == ("1795754835378896",)
