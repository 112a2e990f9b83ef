"""The Fever client against coldsweat 0.10.2 (a real Fever API server from PyPI), started on 127.0.0.1
for each test with its own database; its crawler fetches the test feeds from a loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsreader.core.errors import SyncAuthError, SyncRefusedError
from newsreader.core.fetch import Fetcher
from newsreader.core.sync.fever import FeverClient
from tests.support.httpserver import FeedServer
from tests.support.syncservers import Coldsweat, coldsweat

BASE = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def atom(server: FeedServer, title: str, count: int) -> str:
    # an <icon> of our own: without one coldsweat asks an outside favicon service
    entries = "".join(
        f"<entry><id>urn:{title}:{n}</id><title>{title} story {n}</title>"
        f'<link href="https://{title.lower()}.example/{n}"/><author><name>Writer {n}</name></author>'
        f"<updated>{(BASE + timedelta(hours=n)).isoformat()}</updated>"
        f'<content type="html">&lt;p&gt;Body {n}&lt;/p&gt;</content></entry>'
        for n in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
        f"<id>urn:{title}</id><updated>{BASE.isoformat()}</updated><icon>{server.url('/icon.png')}</icon>"
        f'<link href="https://{title.lower()}.example/"/>{entries}</feed>'
    )


@pytest.fixture
def fever_server(tmp_path: Path) -> Iterator[Coldsweat]:
    yield from coldsweat(tmp_path)


def subscribe(fever_server: Coldsweat, server: FeedServer, tmp_path: Path, feeds: dict[str, tuple[str, int]]) -> None:
    server.add("/icon.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    outlines = {}
    for title, (folder, count) in feeds.items():
        url = server.add(f"/{title}.atom", atom(server, title, count), content_type="application/atom+xml")
        outlines.setdefault(folder, []).append(f'<outline type="rss" text="{title}" xmlUrl="{url}"/>')
    body = "".join(f'<outline text="{folder}">{"".join(items)}</outline>' for folder, items in outlines.items())
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="1.0"><head/><body>{body}</body></opml>')
    fever_server.import_opml(opml)


def test_wrong_password(fever_server: Coldsweat, fetcher: Fetcher) -> None:
    with pytest.raises(SyncAuthError) as caught:
        FeverClient(fever_server.fever, fever_server.email, "not-the-password", fetcher).check()
    assert str(caught.value) == f"{fever_server.fever} refused the user name or password of {fever_server.email}."
    assert FeverClient(fever_server.fever, fever_server.email, fever_server.password, fetcher).check() is not None


def test_structure_paging_and_marks(
    fever_server: Coldsweat, server: FeedServer, fetcher: Fetcher, tmp_path: Path
) -> None:
    subscribe(fever_server, server, tmp_path, {"Alpha": ("Tech", 70), "Beta": ("Tech", 45), "Gamma": ("Art", 5)})
    fever = FeverClient(fever_server.fever, fever_server.email, fever_server.password, fetcher)
    structure = fever.structure()
    folders = {folder.title: folder.id for folder in structure.folders}
    assert {"Tech", "Art"} <= set(folders)
    feeds = {feed.title: feed for feed in structure.feeds}
    assert set(feeds) == {"Alpha", "Beta", "Gamma"}
    assert feeds["Alpha"].folder_ids == (folders["Tech"],)
    assert feeds["Gamma"].folder_ids == (folders["Art"],)
    assert feeds["Alpha"].url == server.url("/Alpha.atom")

    pages = list(fever.items_since("0"))
    assert [len(page) for page in pages] == [50, 50, 20]  # coldsweat's 50 a page, then an empty page
    items = {item.id: item for page in pages for item in page}
    assert len(items) == 120
    story = next(item for item in items.values() if item.title == "Alpha story 3")
    assert story.feed_id == feeds["Alpha"].id
    assert (story.url, story.author) == ("https://alpha.example/3", "Writer 3")
    assert story.published == BASE + timedelta(hours=3)
    assert "Body 3" in story.html
    assert (story.read, story.starred) == (False, False)

    assert len(fever.unread_ids()) == 120
    gamma = sorted((item.id for item in items.values() if item.feed_id == feeds["Gamma"].id), key=int)
    fever.mark_item(gamma[0], "read")
    fever.mark_item(gamma[1], "saved")
    assert gamma[0] not in fever.unread_ids()
    assert fever.saved_ids() == (gamma[1],)
    assert [(i.read, i.starred) for i in fever.items_with_ids(gamma[:2])] == [(True, False), (False, True)]
    fever.mark_item(gamma[0], "unread")
    fever.mark_item(gamma[1], "unsaved")
    assert gamma[0] in fever.unread_ids()
    assert fever.saved_ids() == ()

    # coldsweat compares "before" with the published date: everything published before hour 10
    fever.mark_feed_read(feeds["Alpha"].id, int((BASE + timedelta(hours=10)).timestamp()))
    unread = set(fever.unread_ids())
    alpha = [item for item in items.values() if item.feed_id == feeds["Alpha"].id]
    assert {i.id for i in alpha if i.published and i.published < BASE + timedelta(hours=10)}.isdisjoint(unread)
    assert len(unread) == 110
    fever.mark_group_read(folders["Art"], int(datetime.now(UTC).timestamp()) + 60)
    assert set(gamma).isdisjoint(fever.unread_ids())
    fever.mark_group_read("0", int(datetime.now(UTC).timestamp()) + 60)
    assert fever.unread_ids() == ()
    with pytest.raises(SyncRefusedError):
        fever.mark_item("99999999", "read")


def test_incremental_fetch(fever_server: Coldsweat, server: FeedServer, fetcher: Fetcher, tmp_path: Path) -> None:
    subscribe(fever_server, server, tmp_path, {"Grow": ("News", 3)})
    fever = FeverClient(fever_server.fever, fever_server.email, fever_server.password, fetcher)
    first = [item for page in fever.items_since("0") for item in page]
    highest = max(int(item.id) for item in first)
    server.add("/Grow.atom", atom(server, "Grow", 5), content_type="application/atom+xml")
    fever_server.fetch()
    newer = [item for page in fever.items_since(str(highest)) for item in page]
    assert sorted(item.title for item in newer) == ["Grow story 3", "Grow story 4"]
